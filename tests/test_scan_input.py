"""Scans that cannot be read, or can be read only with care: empty, truncated, disguised and enormous
image files, folders without page images or with other files among them, blank pages, a multi-page
TIFF, cancelling, and a machine without the OCR extra. A file that cannot be read is refused in one
line of Chinese (never a traceback, never a warning), and nothing is stored."""

from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.reportfile import ReportFileError
from core.storage import Store
from reading.document import ReadCancelled
from reading.formats import read_with_log
from tests.conftest import has_chinese
from tests.scan_fixtures import Case, ScanShelf, expected_values, png_header, save_images, save_pdf, wrong_cells

pytestmark = pytest.mark.needs_tool("ocr")

# A page of the 2021 export, as scanned (150 dpi), for the files that must be read.
PAGES = Case("input-2021", "office-2021", 150, 4401, "png")


def _white_page(width: int = 1240, height: int = 1754, *, noise: bool = True) -> Any:
    """A blank A4 page at 150 dpi as a scanner gives it: grey paper with a little noise."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    paper = np.full((height, width), 236.0) + (rng.normal(0, 4, size=(height, width)) if noise else 0)
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")


def _refused(path: Path, progress: Callable[[int, int, str], None] | None = None) -> str:
    """The one-line Chinese reason reading gives for `path`; no warning on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ReportFileError) as refused:
            read_with_log(path, progress=progress)
    assert not caught, [str(w.message) for w in caught]
    message = str(refused.value)
    assert message.strip() and "\n" not in message and has_chinese(message), message
    assert "Traceback" not in message and "PIL" not in message and "Image" not in message, message
    return message


@pytest.fixture(scope="module")
def blank_message(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What a blank page gives: reading ran and found nothing (the other refusals must say more)."""
    path = tmp_path_factory.mktemp("blank") / "空白页.png"
    _white_page().save(path)
    return _refused(path)


def test_blank_page_is_refused_in_one_line(blank_message: str) -> None:
    assert "空白" in blank_message or "没有" in blank_message


def test_blank_image_only_pdf_is_refused_in_one_line(tmp_path: Path, blank_message: str) -> None:
    path = save_pdf([_white_page(), _white_page()], tmp_path / "空白.pdf", 150)
    assert _refused(path) == blank_message


def test_zero_byte_image_is_refused(tmp_path: Path, blank_message: str) -> None:
    path = tmp_path / "第1页.png"
    path.write_bytes(b"")
    message = _refused(path)
    assert message != blank_message and "空" in message


def test_truncated_jpeg_is_refused(tmp_path: Path, blank_message: str) -> None:
    buffer = io.BytesIO()
    _white_page().convert("RGB").save(buffer, "JPEG", quality=85)
    data = buffer.getvalue()
    path = tmp_path / "第1页.jpg"
    path.write_bytes(data[: len(data) // 2])  # the transfer broke off half way
    message = _refused(path)
    assert message != blank_message and "第1页.jpg" in message


def test_text_file_named_png_is_refused(tmp_path: Path, blank_message: str) -> None:
    path = tmp_path / "报告.png"
    path.write_text("某某县2023年政府信息公开工作年度报告\n一、总体情况\n", encoding="utf-8")
    message = _refused(path)
    assert message != blank_message and "报告.png" in message


def test_jpeg_named_png_is_read_as_the_picture_it_is(tmp_path: Path, blank_message: str) -> None:
    """A suffix that does not match the content is no reason to refuse: the picture is read (here a
    blank page, so the answer is the blank page's)."""
    path = tmp_path / "第1页.png"
    _white_page().save(path, "JPEG", quality=80)
    assert _refused(path) == blank_message


@pytest.mark.parametrize(("width", "height"), [(12_000, 9_000), (40_000, 40_000)])
def test_decompression_bomb_is_refused_without_a_warning(tmp_path: Path, width: int, height: int) -> None:
    """A few hundred bytes claiming 108 or 1600 megapixels (past Pillow's warning, and past its error):
    refused in one Chinese line before anything is decoded, with no DecompressionBombWarning."""
    path = tmp_path / "第1页.png"
    path.write_bytes(png_header(width, height))
    message = _refused(path)
    assert "太大" in message and "第1页.png" in message


def test_folder_without_page_images_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "扫描件"
    folder.mkdir()
    (folder / "说明.txt").write_text("扫描件另行寄送", encoding="utf-8")
    (folder / "报告.docx").write_bytes(b"PK\x03\x04")
    (folder / "第1页").mkdir()  # a folder named like a page is not a page
    message = _refused(folder)
    assert "图片" in message
    assert _refused(tmp_path / "扫描件") == message  # the same each time
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    assert "图片" in _refused(empty)


def test_broken_page_in_a_folder_is_named_before_any_page_is_read(tmp_path: Path) -> None:
    """One broken picture among good ones: the folder is refused naming it (a report read without a
    page would lose its numbers), and at once, not after minutes of recognising the others."""
    folder = tmp_path / "扫描件"
    save_images([_white_page(), _white_page()], folder, 150, suffix=".png", stem="第")
    (folder / "第3页.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # the header and nothing else
    calls: list[tuple[int, int, str]] = []
    message = _refused(folder, progress=lambda done, total, text: calls.append((done, total, text)))
    assert "第3页.png" in message
    assert not any(done > 0 for done, _, _ in calls), calls


def test_cancelling_stops_reading(scans: ScanShelf, tmp_path: Path) -> None:
    path = save_pdf(scans.pages(PAGES)[0], tmp_path / "扫描件.pdf", PAGES.dpi)
    calls: list[tuple[int, int, str]] = []

    def cancel(done: int, total: int, text: str) -> None:
        calls.append((done, total, text))
        if done >= 1:
            raise ReadCancelled

    with pytest.raises(ReadCancelled):
        read_with_log(path, progress=cancel)
    assert calls[-1][0] == 1 and calls[-1][1] == 3, calls


# ------------------------------------------------------------------------------ folders and TIFFs read


def _thumb(image: Any) -> Any:
    """A page shrunk to 60 × 85, centred and scaled to unit length: its layout, for telling pages apart."""
    import numpy as np
    from PIL import Image

    small = np.asarray(image.convert("L").resize((60, 85), Image.Resampling.BOX), dtype=np.float64)
    small -= small.mean()
    return small / (np.linalg.norm(small) or 1.0)


def _page_order(pages: list[bytes], turned: list[Any], angles: list[float]) -> list[int]:
    """For each page image the reading gave back, which of the scanned pages it is (the best match of
    its layout with the page turned back by the angle the fixture turned it by), or -1 for a blank."""
    import numpy as np
    from PIL import Image

    references = [_thumb(page.convert("L").rotate(-angle, fillcolor=255))
                  for page, angle in zip(turned, angles, strict=True)]
    order = []
    for png in pages:
        with Image.open(io.BytesIO(png)) as image:
            if float((np.asarray(image.convert("L")) < 128).mean()) < 0.001:
                order.append(-1)
                continue
            thumb = _thumb(image)
        order.append(max(range(len(references)), key=lambda i: float((references[i] * thumb).sum())))
    return order


def test_folder_with_other_files_and_a_blank_verso_reads_pages_in_natural_order(
    scans: ScanShelf, tmp_path: Path
) -> None:
    """Pages named 1, 2, 3, 10 (a name sort would put 10 second), a blank back of page 1 scanned as
    page 2, and a clerk's other files beside them: the pictures are read as one report, in page order."""
    pages, angles = scans.pages(PAGES)
    blank = _white_page(pages[0].width, pages[0].height)
    folder = tmp_path / "某某县2023年报扫描件"
    folder.mkdir()
    for name, page in (("扫描_1.png", pages[0]), ("扫描_2.png", blank), ("扫描_3.png", pages[1]),
                       ("扫描_10.png", pages[2])):
        page.save(folder / name, dpi=(PAGES.dpi, PAGES.dpi))
    (folder / "说明.txt").write_text("第2页为空白背面", encoding="utf-8")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))
    (folder / ".DS_Store").write_bytes(bytes(64))
    (folder / "原件").mkdir()
    result = read_with_log(folder)
    assert result.scan is not None
    source = scans.source(PAGES)
    # Page order by the pictures given back: page 1, (the blank, when kept), page 2, page 3.
    order = [i for i in _page_order(result.scan.pages, pages, angles) if i != -1]
    assert order == [0, 1, 2], order
    assert (result.report.template_id, result.report.year, result.report.agency) == (
        source.template_id, source.year, source.agency)
    wrong = wrong_cells(source, result.report)
    silent = {c: v for c, v in wrong.items() if c not in result.scan.uncertain}
    assert not silent, f"cells read wrong but not marked uncertain (printed, read): {silent}"
    assert len(wrong) <= len(expected_values(source)) // 100, wrong


def test_multipage_tiff_reads_every_page_in_order(scans: ScanShelf) -> None:
    from tests.test_scan_accuracy import CASES

    case = CASES["pingtan-2022-tiff150"]
    read = scans.read(case)
    result = read.done()
    assert result.scan is not None
    pages, angles = scans.pages(case)
    assert len(pages) > 6
    assert _page_order(result.scan.pages, pages, angles) == list(range(len(pages)))


# -------------------------------------------------------------------------------- without the OCR extra


def _stored(db: Path) -> list[tuple[str, int]]:
    store = Store(db)
    try:
        return [(s.agency, s.year) for s in store.list_reports()]
    finally:
        store.close()


def test_without_ocr_a_scan_gets_one_line_saying_what_to_install_and_nothing_is_stored(
    scans: ScanShelf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import main
    from reading import scan

    pages, _ = scans.pages(PAGES)
    pdf = save_pdf(pages, tmp_path / "扫描件.pdf", PAGES.dpi)
    folder = tmp_path / "扫描件"
    save_images(pages, folder, PAGES.dpi, suffix=".jpg")
    db = tmp_path / "reports.sqlite3"
    before = _stored(db)
    try:
        monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime raises ImportError
        scan._engine_error.cache_clear()
        assert not scan.ocr_available()
        message = scan.OCR_MISSING
        assert "\n" not in message and has_chinese(message) and "pip install" in message and "[ocr]" in message
        for path in (pdf, folder, folder / "page1.jpg"):
            assert _refused(path) == message
        status = main.run(["--db", str(db), "import", str(pdf), str(folder)])
        out, err = capsys.readouterr()
        assert status == 2 and out == ""
        assert err.splitlines() == [f"{pdf}：无法读取：{message}", f"{folder}：无法读取：{message}"]
    finally:
        monkeypatch.undo()
        scan._engine_error.cache_clear()
    assert scan.ocr_available()
    assert _stored(db) == before
