"""Scans read by OCR (issue 15's acceptance): reports of both templates exported, or printed by
LibreOffice from Word files, rendered to page images, turned by up to 2.5°, blurred, faded, noised,
specked and JPEG-compressed (tests/scan_fixtures.py), then read by `read_with_log` like any file.

Every printed cell of 二, 三 and 四 is compared with the source report: at least 99 % must be right,
and every wrong one must be among the uncertain cells and named in the import log; the identity and
the texts must come through; pages must come out level. A page smudged past reading must give
uncertain cells, never numbers silently wrong. Each case is read once a session (`scans`, conftest):
OCR takes a few seconds a page."""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterator
from typing import Any

import pytest

from core.report import TEXT_KEYS, cell_label
from reading.document import ImportResult
from tests.conftest import has_chinese
from tests.scan_fixtures import Case, Degrade, ReadScan, ScanShelf, expected_values, skew_of, wrong_cells

pytestmark = pytest.mark.needs_tool("ocr", "cjk_font")

# Pages turned, blurred, noised and specked as an office scanner does; the forms a clerk receives.
CASES = {
    case.name: case
    for case in (
        # our own exports of both templates (report files kept with the tests)
        Case("export-2021-pdf150", "office-2021", 150, 2101, "pdf"),
        Case("export-2019-jpg200", "office-2019", 200, 1902, "jpg"),
        # real published reports of 平潭综合实验区, exported from their report files
        Case("pingtan-2022-tiff150", "pingtan-2022", 150, 2203, "tiff", how=Degrade(grey=False)),
        # LibreOffice's print of the Word files (its own fonts, line breaks and table drawing)
        Case("libreoffice-2019-pdf150", "office-2019", 150, 1905, "pdf", office=True),
    )
}
# Share of table cells that must be read right (issue 15: at least 99 %).
CELL_ACCURACY = 0.99
# At most this share of the cells may be left to compare with the paper on these ordinary scans.
UNCERTAIN_SHARE = 0.10
# How close the texts must come to the source (difflib ratio of the texts without whitespace): 一, 五
# and 六 (measured 0.995-1.000 on these cases, 2026-12-03), and the short note under 二 (about 30
# characters, where one character misread costs 0.03; measured 0.955-1.000).
TEXT_RATIO = {"s1": 0.98, "s5": 0.98, "s6": 0.98, "s2_note": 0.90}
assert set(TEXT_RATIO) == set(TEXT_KEYS)
# The 三 page of the 2021 export with the numbers of 不予公开 smudged past reading.
SMUDGED = Case("smudged-2021", "office-2021", 150, 2101, "pdf", smudge=(1, (0.55, 0.35, 0.98, 0.47)))


@pytest.fixture(scope="module")
def measured(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Lines of what was measured, shown at the end of the module's run (accuracy, time)."""
    lines: list[str] = []
    yield lines
    reporter: Any = request.config.pluginmanager.get_plugin("terminalreporter")
    capture: Any = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and lines:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(f"[scan] {line}")


def _read(scans: ScanShelf, name: str) -> tuple[ReadScan, ImportResult]:
    read = scans.read(CASES[name])
    return read, read.done()


def _named_in_log(result: ImportResult, cell_id: str) -> bool:
    template = result.report.template
    label = cell_label(template.cell(cell_id), template)
    return any(label in line for line in result.log)


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _assert_wrong_cells_flagged(read: ReadScan, result: ImportResult) -> dict[str, tuple[object, object]]:
    assert result.scan is not None, "a scan's result carries its ScanInfo"
    wrong = wrong_cells(read.source, result.report)
    silent = {c: v for c, v in wrong.items() if c not in result.scan.uncertain}
    assert not silent, f"cells read wrong but not marked uncertain (printed, read): {silent}"
    unnamed = [c for c in wrong if not _named_in_log(result, c)]
    assert not unnamed, f"wrong cells the import log does not name: {unnamed}\n" + "\n".join(result.log)
    return wrong


@pytest.mark.parametrize("name", CASES)
def test_table_cells_are_read_right(scans: ScanShelf, name: str, measured: list[str],
                                    record_property: Any) -> None:
    read, result = _read(scans, name)
    cells = expected_values(read.source)
    wrong = _assert_wrong_cells_flagged(read, result)
    accuracy = 1 - len(wrong) / len(cells)
    assert result.scan is not None
    pages = len(result.scan.pages)
    record_property("cell_accuracy", accuracy)
    record_property("seconds", read.seconds)
    measured.append(
        f"{name}: {len(cells) - len(wrong)}/{len(cells)} cells right ({accuracy:.2%}), "
        f"{len(result.scan.uncertain)} uncertain, {pages} pages in {read.seconds:.1f} s "
        f"({read.seconds / pages:.1f} s a page)"
    )
    assert accuracy >= CELL_ACCURACY, f"{len(wrong)} of {len(cells)} cells wrong: {wrong}"


@pytest.mark.parametrize("name", CASES)
def test_few_cells_are_left_to_compare_with_the_paper(scans: ScanShelf, name: str, measured: list[str]) -> None:
    """Listing every cell as uncertain would pass the test above and help no one: on an ordinary
    office scan the cells to compare with the paper are a few, not the table."""
    read, result = _read(scans, name)
    assert result.scan is not None
    cells = len(expected_values(read.source))
    share = len(result.scan.uncertain) / cells
    measured.append(f"{name}: {len(result.scan.uncertain)}/{cells} cells uncertain ({share:.1%})")
    assert share <= UNCERTAIN_SHARE, f"{len(result.scan.uncertain)} of {cells} cells uncertain: {result.scan.uncertain}"


@pytest.mark.parametrize("name", CASES)
def test_identity_is_read(scans: ScanShelf, name: str) -> None:
    read, result = _read(scans, name)
    source, report = read.source, result.report
    title = source.title or source.default_title()
    assert (report.template_id, report.year, report.title) == (source.template_id, source.year, title)
    assert report.agency == source.agency


@pytest.mark.parametrize("name", CASES)
def test_texts_come_through(scans: ScanShelf, name: str, measured: list[str]) -> None:
    read, result = _read(scans, name)
    ratios = {}
    for key in TEXT_RATIO:
        expected = _squeeze(read.source.text(key))
        if expected:
            ratios[key] = difflib.SequenceMatcher(None, expected, _squeeze(result.report.text(key)),
                                                  autojunk=False).ratio()
    assert ratios, "the source has texts to compare"
    measured.append(f"{name}: texts " + ", ".join(f"{k} {r:.3f}" for k, r in ratios.items()))
    low = {k: round(r, 3) for k, r in ratios.items() if r < TEXT_RATIO[k]}
    assert not low, f"texts read too far from the source (difflib ratio): {low}"


@pytest.mark.parametrize("name", CASES)
def test_every_page_is_read_level_with_progress(scans: ScanShelf, name: str) -> None:
    read, result = _read(scans, name)
    assert result.scan is not None
    assert len(result.scan.pages) == len(read.angles)
    # The pages shown beside the cells are level again, though they were turned by up to 2.5°:
    # measured here (skew_of), on the pages where that measure finds the turn the fixture gave (a page
    # with a few lines of text is too sparse for it).
    assert max(abs(a) for a in read.angles) > 0.5, "the fixture turns pages visibly"
    turned, _ = scans.pages(read.case)
    measurable = [i for i, page in enumerate(turned) if abs(skew_of(_png(page)) - read.angles[i]) <= 0.2]
    assert len(measurable) >= len(turned) / 2, "skew_of measures most pages of a report"
    skews = {i: skew_of(result.scan.pages[i]) for i in measurable}
    assert all(abs(s) <= 0.3 for s in skews.values()), (
        f"pages turned {[round(a, 2) for a in read.angles]}, still turned {skews} after reading")
    # Progress per page, in Chinese, up to all pages done.
    assert read.progress, "reading a scan reports its progress"
    totals = {total for _, total, _ in read.progress}
    assert totals == {len(read.angles)}
    done = [d for d, _, _ in read.progress]
    assert done == sorted(done) and done[-1] == len(read.angles)
    assert all(has_chinese(text) and "\n" not in text for _, _, text in read.progress)


def test_uncertain_cells_are_in_the_log_and_in_scan_info(scans: ScanShelf) -> None:
    """Every uncertain cell has its place on a page and a line in the log (not only the wrong ones)."""
    _, result = _read(scans, "export-2021-pdf150")
    assert result.scan is not None
    info = result.scan
    assert 0 < info.threshold < 1 and info.engine
    assert set(info.uncertain) <= set(info.cells) | set(expected_values(result.report))
    for cell_id in info.uncertain:
        assert _named_in_log(result, cell_id), cell_id
        assert info.cells[cell_id].score < info.threshold
    # Cells read sure are not in `uncertain`, and every placed cell lies on one of the pages.
    for cell_id, cell in info.cells.items():
        assert (cell.score < info.threshold) == (cell_id in info.uncertain), cell_id
        if cell.page == -1:  # a cell of the tables the scan did not fill: no place, to compare with paper
            assert not cell.text and cell_id in info.uncertain, cell
            continue
        x0, top, x1, bottom = cell.box
        assert 0 <= x0 < x1 <= 1 and 0 <= top < bottom <= 1 and 0 <= cell.page < len(info.pages), cell


def test_smudged_numbers_come_out_uncertain_never_silently_wrong(scans: ScanShelf, measured: list[str]) -> None:
    read = scans.read(SMUDGED)
    result = read.done()
    assert result.scan is not None
    wrong = _assert_wrong_cells_flagged(read, result)
    # The cells in the smudge (by where the engine placed them on the page, or not placed at all: the
    # smudge wiped out their rules too): the fixture must have made them unreadable, and reading must
    # say so.
    page, (x0, top, x1, bottom) = SMUDGED.smudge or (0, (0, 0, 0, 0))
    inside = [
        c for c, cell in result.scan.cells.items()
        if (cell.page == page and x0 + 0.02 < (cell.box[0] + cell.box[2]) / 2 < x1 - 0.02
            and top + 0.01 < (cell.box[1] + cell.box[3]) / 2 < bottom - 0.01)
        or (cell.page == -1 and c.startswith("s3."))
    ]
    uncertain = [c for c in inside if c in result.scan.uncertain]
    measured.append(f"smudged: {len(inside)} cells in the smudge, {len(uncertain)} uncertain, {len(wrong)} wrong")
    assert len(inside) >= 20, f"the smudge covers the numbers of 不予公开: {inside}"
    assert len(uncertain) >= len(inside) // 2, f"only {uncertain} of {inside} uncertain"
