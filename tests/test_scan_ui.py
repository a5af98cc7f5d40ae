"""A scan as the clerk and the reviewing office meet it: the import preview's 扫描件核对 (the page beside
the cells read, uncertain ones first, a cell's crop of the page), progress per page and 取消 while
reading, scans in 文件检查, and the command line's block of uncertain cells (text and --json).

The scans here are made in the test: pages drawn with QImage, each cell read a filled box of its own
colour, given to the dialog by a substituted reader that reports its pages as the OCR engine does."""

from __future__ import annotations

import io
import json
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from core.report import Report
from core.storage import Store
from reading import batch as reading_batch
from reading.batch import FileCheck, ScanSummary, cell_position, collect_files, scan_rows, score_text
from reading.document import ImportResult, Progress, ReadCancelled, ScanCell, ScanInfo
from reading.formats import read_with_log
from tests.conftest import SAMPLES_DIR, full_report
from ui import import_preview
from ui.batch_check import STATUS, BatchCheckWindow
from ui.import_preview import IMPORTED, READY, ImportPreviewDialog
from ui.scan_view import UNCERTAIN_TINT, ScanView

WORKER_TIMEOUT_MS = 20000
PAGE_W, PAGE_H = 600, 800
THRESHOLD = 0.9
AGENCY = "某某区人民政府办公室"
# Every box is made of binary fractions, so that its pixels are exact on a 600 × 800 page.
CELLS: dict[str, tuple[int, tuple[float, float, float, float], float, bool, str]] = {
    # id: page, box (x0, top, x1, bottom), score, re-read, colour of its box on the page
    "s3.new.natural": (0, (0.125, 0.25, 0.25, 0.3125), 0.99, False, "#3060c0"),
    "s3.granted.natural": (0, (0.25, 0.5, 0.625, 0.5625), 0.62, False, "#c03030"),
    "s3.denied_three_safeties.natural": (1, (0.5, 0.25, 0.75, 0.3125), 0.71, True, "#30a030"),
    "s4.review.upheld": (1, (0.125, 0.75, 0.25, 0.8125), 0.97, True, "#a030a0"),
}
UNCERTAIN = ["s3.granted.natural", "s3.denied_three_safeties.natural"]  # in template order


# --- a scan made here -------------------------------------------------------------------------------


def png(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def draw_pages(pages: int = 2) -> list[bytes]:
    """White pages with every cell's box filled in its own colour (its crop is then that colour)."""
    out = []
    for page in range(pages):
        image = QImage(PAGE_W, PAGE_H, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        for cell_page, (x0, top, x1, bottom), _score, _reread, colour in CELLS.values():
            if cell_page == page:
                left, right = round(x0 * PAGE_W), round(x1 * PAGE_W)
                upper, lower = round(top * PAGE_H), round(bottom * PAGE_H)
                painter.fillRect(QRect(left, upper, right - left, lower - upper), QColor(colour))
        painter.end()
        out.append(png(image))
    return out


def scan_result(report: Report | None = None, *, uncertain: list[str] | None = None) -> ImportResult:
    """What the OCR engine gives back for a two-page scan of `report` (full_report() by default)."""
    report = report or full_report()
    doubtful = UNCERTAIN if uncertain is None else uncertain
    cells = {
        cell_id: ScanCell(page=page, box=box, text=str(report.number(cell_id)), score=score, reread=reread)
        for cell_id, (page, box, score, reread, _colour) in CELLS.items()
    }
    scan = ScanInfo(draw_pages(), cells, list(doubtful), THRESHOLD, engine="test", seconds=4.25)
    log = [f"{cell_position(report.template, c)} 读作「{cells[c].text}」，把握不大" for c in doubtful]
    return ImportResult(report, log, scan)


def scan_reader(result: ImportResult, pages: int = 2, pause: float = 0.0) -> Callable[..., ImportResult]:
    """A reader that reports its pages as the engine does (and stops when told to) before answering."""

    def read(path: Path, progress: Progress | None = None) -> ImportResult:
        for page in range(pages):
            if progress is not None:
                progress(page, pages, f"正在识别第 {page + 1}/{pages} 页")
            time.sleep(pause)
        return result

    return read


def label(parent: QWidget, name: str) -> str:
    found = parent.findChild(QLabel, name)
    assert found is not None, name
    return found.text()


def open_preview(qtbot: QtBot, store: Store, path: Path) -> ImportPreviewDialog:
    dialog = ImportPreviewDialog(store, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state != "reading", timeout=WORKER_TIMEOUT_MS)
    return dialog


@pytest.fixture
def scan_path(tmp_path: Path) -> Path:
    path = tmp_path / "某某区2022年报扫描.png"
    path.write_bytes(draw_pages(1)[0])
    return path


@pytest.fixture
def scan_preview(
    qtbot: QtBot, store: Store, scan_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ImportPreviewDialog:
    monkeypatch.setattr(import_preview, "read_with_log", scan_reader(scan_result()))
    dialog = open_preview(qtbot, store, scan_path)
    assert dialog.state == READY, dialog.error
    return dialog


def view_of(dialog: ImportPreviewDialog) -> ScanView:
    assert isinstance(dialog.scan_view, ScanView)
    return dialog.scan_view


def click_row(qtbot: QtBot, view: ScanView, row: int) -> None:
    rect = view.table.visualRect(view.model.index(row, 0))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# --- where a cell stands, and the summary ------------------------------------------------------------


def test_cells_are_named_as_a_clerk_says_them_with_the_paper_in_hand() -> None:
    template = full_report().template
    assert cell_position(template, "s3.denied_three_safeties.natural") == "三、（三）3 · 自然人"
    assert cell_position(template, "s3.new.commercial") == "三、本年新收 · 商业企业"
    assert cell_position(template, "s3.partially_granted.total") == "三、（二）部分公开 · 总计"
    assert cell_position(template, "s2.regulations.issued") == "二、规章 · 本年制发件数"
    assert cell_position(template, "s2.fees.amount") == "二、行政事业性收费 · 本年收费金额"
    assert cell_position(template, "s4.review.upheld") == "四、行政复议 · 结果维持"
    assert cell_position(template, "nowhere.at.all") == "nowhere.at.all"


def test_uncertain_cells_come_first_and_the_summary_says_what_to_compare() -> None:
    result = scan_result()
    assert result.scan is not None
    rows = [c for c, _cell in scan_rows(result.scan, result.report.template)]
    assert rows == [*UNCERTAIN, "s3.new.natural", "s4.review.upheld"]
    summary = ScanSummary.of(result.scan)
    assert summary.text() == "扫描件：2 页，识别用时 4.2 秒；2 个单元格把握不大（低于 90%），请与纸质件逐一核对"
    assert score_text(0.996) == "99%" and score_text(1.0) == "100%"
    sure = ScanSummary.of(scan_result(uncertain=[]).scan)  # type: ignore[arg-type]
    assert sure.text().endswith("全部 4 个单元格把握较大（不低于 90%），仍请与纸质件核对")


# --- the import preview --------------------------------------------------------------------------


def test_a_scan_opens_on_its_check_tab_with_the_uncertain_cells_first_and_tinted(
    scan_preview: ImportPreviewDialog,
) -> None:
    dialog = scan_preview
    assert dialog.tabs.tabText(0) == "扫描件核对（2 个把握不大）" and dialog.tabs.currentIndex() == 0
    assert [dialog.tabs.tabText(i).split("（")[0] for i in range(1, 4)] == ["数字", "检查结果", "导入记录"]
    assert dialog.tabs.tabText(3) == "导入记录（2）"
    assert label(dialog, "file_type") == "扫描图片"
    view = view_of(dialog)
    assert label(view, "scan_summary") == (
        "扫描件：2 页，识别用时 4.2 秒；2 个单元格把握不大（低于 90%），请与纸质件逐一核对"
    )
    button = dialog.findChild(QPushButton, "import")
    assert button.text() == "已核对，导入" and button.isEnabled()
    assert not button.isDefault() and not button.autoDefault()  # a click, not a stray Enter
    # Only the uncertain cells at first, tinted; the rest when the filter is lifted, untinted.
    assert view.only_uncertain.isChecked()
    model = view.model
    shown = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    report = full_report()
    assert shown == [
        ["三、（一）予以公开 · 自然人", str(report.number("s3.granted.natural")), "62%", ""],
        ["三、（三）3 · 自然人", str(report.number("s3.denied_three_safeties.natural")), "71%", "已复核"],
    ]
    assert all(model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole) == UNCERTAIN_TINT for r in range(2))
    view.only_uncertain.setChecked(False)
    assert model.rowCount() == 4
    assert [model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole) for r in range(2, 4)] == [None, None]
    assert model.index(3, 3).data() == "已复核"  # re-read, and sure of it after


def test_the_page_has_a_frame_over_every_cell_red_for_the_uncertain_and_dashed_when_reread(
    scan_preview: ImportPreviewDialog,
) -> None:
    view = view_of(scan_preview)
    assert view.current_page == 0 and label(view, "scan_page_number") == "第 1/2 页"
    assert set(view.frames) == {"s3.new.natural", "s3.granted.natural"}
    red = view.frames["s3.granted.natural"].pen()
    assert red.color() == QColor("#d00000") and red.style() == Qt.PenStyle.SolidLine
    assert view.frames["s3.new.natural"].pen().color() != red.color()
    view.findChild(QPushButton, "scan_next_page").click()
    assert view.current_page == 1 and label(view, "scan_page_number") == "第 2/2 页"
    assert set(view.frames) == {"s3.denied_three_safeties.natural", "s4.review.upheld"}
    assert view.frames["s4.review.upheld"].pen().style() == Qt.PenStyle.DashLine
    assert view.frames["s3.denied_three_safeties.natural"].pen().color() == red.color()
    # The frame stands where the cell's box says, in the page image's pixels.
    assert view.frames["s4.review.upheld"].rect().toRect() == QRect(75, 600, 75, 50)


def test_clicking_a_row_shows_its_crop_enlarged_and_selects_its_frame_on_its_page(
    qtbot: QtBot, scan_preview: ImportPreviewDialog
) -> None:
    view = view_of(scan_preview)
    click_row(qtbot, view, 1)  # 三、（三）3 · 自然人, on the second page
    assert view.selected_cell == "s3.denied_three_safeties.natural" and view.current_page == 1
    frame = view.frames["s3.denied_three_safeties.natural"]
    assert frame.isSelected() and [f for f in view.frames.values() if f.isSelected()] == [frame]
    # The crop is the cell's box in the page's own pixels: 0.5–0.75 of 600 wide, 0.25–0.3125 of 800 high.
    assert view.crop_image.size() == QSize(150, 50)
    assert view.crop_image.pixelColor(75, 25) == QColor("#30a030")  # that cell's box, not another's
    shown = view.crop_label.pixmap()
    assert shown.width() > 150 and math.isclose(shown.width() / shown.height(), 3, rel_tol=0.05)
    assert "三、（三）3 · 自然人（第 2 页）读作" in label(view, "scan_crop_caption")
    # Centred: the frame is inside what the view shows.
    visible = view.page_view.mapToScene(view.page_view.viewport().rect()).boundingRect()
    assert visible.contains(frame.sceneBoundingRect().center())
    click_row(qtbot, view, 0)  # back to the first page
    assert view.current_page == 0 and view.frames["s3.granted.natural"].isSelected()
    assert view.crop_image.size() == QSize(225, 50)
    assert view.crop_image.pixelColor(110, 25) == QColor("#c03030")


def test_clicking_a_frame_on_the_page_selects_its_row(qtbot: QtBot, scan_preview: ImportPreviewDialog) -> None:
    view = view_of(scan_preview)
    frame = view.frames["s3.new.natural"]  # read with confidence: hidden by the filter
    view.page_view.centerOn(frame)
    where = view.page_view.mapFromScene(frame.sceneBoundingRect().center())
    qtbot.mouseClick(view.page_view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert view.selected_cell == "s3.new.natural" and frame.isSelected()
    assert not view.only_uncertain.isChecked()  # the filter makes way for the row clicked
    rows = view.table.selectionModel().selectedRows()
    assert len(rows) == 1 and view.model.row(rows[0].row()).cell_id == "s3.new.natural"  # type: ignore[union-attr]
    assert view.crop_image.size() == QSize(75, 50)


def test_ctrl_wheel_zooms_the_page_and_fit_width_comes_back(qtbot: QtBot, scan_preview: ImportPreviewDialog) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    view = view_of(scan_preview)
    page = view.page_view
    fitted = page.zoom
    assert math.isclose(page.sceneRect().width() * fitted, page.viewport().width() - 2, rel_tol=0.02)
    centre = QPointF(page.viewport().rect().center())
    wheel = QWheelEvent(
        centre, page.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(page.viewport(), wheel)
    assert math.isclose(page.zoom, fitted * 1.15, rel_tol=1e-6) and not page.fit_width
    view.findChild(QPushButton, "scan_fit_width").click()
    assert math.isclose(page.zoom, fitted, rel_tol=1e-6)


def test_importing_a_checked_scan_stores_its_report(scan_preview: ImportPreviewDialog, store: Store) -> None:
    scan_preview.findChild(QPushButton, "import").click()
    assert scan_preview.state == IMPORTED
    assert store.find(AGENCY, 2022) == scan_preview.report_id


def test_a_sure_scan_still_opens_on_its_tab_and_imports_with_the_plain_button(
    qtbot: QtBot, store: Store, scan_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_preview, "read_with_log", scan_reader(scan_result(uncertain=[])))
    dialog = open_preview(qtbot, store, scan_path)
    view = view_of(dialog)
    assert dialog.tabs.tabText(0) == "扫描件核对" and dialog.tabs.currentIndex() == 0
    assert not view.only_uncertain.isChecked() and view.model.rowCount() == 4
    assert dialog.findChild(QPushButton, "import").text() == "导入"
    assert label(dialog, "status").startswith("这是扫描件：请对照纸质件核对读到的数字")


def test_a_cell_whose_place_the_reader_did_not_keep_is_listed_and_said_so(
    qtbot: QtBot, store: Store, scan_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    result = scan_result()
    assert result.scan is not None
    nowhere = dataclasses.replace(result.scan.cells["s3.granted.natural"], page=-1, box=(0.0, 0.0, 0.0, 0.0))
    result.scan.cells["s3.granted.natural"] = nowhere
    monkeypatch.setattr(import_preview, "read_with_log", scan_reader(result))
    view = view_of(open_preview(qtbot, store, scan_path))
    assert view.selected_cell == "s3.granted.natural" and view.current_page == 0  # first row, no page of its own
    assert "s3.granted.natural" not in view.frames and view.crop_image.isNull()
    assert "识别时没有记下它在扫描件上的位置" in label(view, "scan_crop_caption")
    click_row(qtbot, view, 1)  # the next one has its page and crop as usual
    assert view.current_page == 1 and view.crop_image.size() == QSize(150, 50)


def test_a_scan_replacing_a_stored_report_still_asks_for_the_check(
    qtbot: QtBot, store: Store, scan_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.operations import store_report

    store_report(store, full_report(), replace=False)
    monkeypatch.setattr(import_preview, "read_with_log", scan_reader(scan_result()))
    dialog = open_preview(qtbot, store, scan_path)
    assert dialog.findChild(QPushButton, "import").text() == "已核对，替换（原报告移入回收站）"


def test_a_file_that_is_not_a_scan_previews_as_before(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "平潭2022.json"
    path.write_bytes((SAMPLES_DIR / "real" / "2022_pingtan.json").read_bytes())
    dialog = open_preview(qtbot, store, path)
    assert dialog.state == READY and dialog.scan_view is None and dialog.findChild(ScanView) is None
    tabs = [dialog.tabs.tabText(i).split("（")[0] for i in range(dialog.tabs.count())]
    assert tabs == ["数字", "检查结果", "导入记录"]
    assert dialog.tabs.currentIndex() == 0
    assert dialog.findChild(QPushButton, "import").text() == "导入"
    assert label(dialog, "status") == "请核对读到的内容；点击「导入」存入数据库。"


def test_a_scan_that_cannot_be_read_gives_one_line_and_no_check_tab(
    qtbot: QtBot, store: Store, scan_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.reportfile import ReportFileError
    from reading.scan import OCR_MISSING

    def read(path: Path, progress: Progress | None = None) -> ImportResult:
        raise ReportFileError(OCR_MISSING)

    monkeypatch.setattr(import_preview, "read_with_log", read)
    before = store.list_reports()
    dialog = open_preview(qtbot, store, scan_path)
    assert dialog.state == "failed" and dialog.scan_view is None
    assert label(dialog, "status") == f"无法读取「{scan_path.name}」：{OCR_MISSING}" and "\n" not in OCR_MISSING
    assert not dialog.findChild(QPushButton, "import").isEnabled() and store.list_reports() == before


def test_only_a_file_that_may_be_a_scan_is_read_with_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[tuple[str, bool]] = []

    def read(path: Path, progress: Progress | None = None) -> ImportResult:
        told.append((Path(path).name, progress is not None))
        return scan_result()

    monkeypatch.setattr(reading_batch, "read_with_log", read)
    folder = tmp_path / "页"
    folder.mkdir()
    for name in ("a.json", "b.docx", "c.html", "d.pdf", "e.TIF", "f.jpg"):
        reading_batch.read_file(tmp_path / name, lambda _d, _t, _x: None)
    reading_batch.read_file(folder, lambda _d, _t, _x: None)
    reading_batch.read_file(tmp_path / "g.png")
    assert told == [
        ("a.json", False), ("b.docx", False), ("c.html", False), ("d.pdf", True), ("e.TIF", True), ("f.jpg", True),
        ("页", True), ("g.png", False),
    ]


def test_reading_a_scan_says_which_page_and_fills_the_bar(
    qtbot: QtBot, store: Store, scan_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    go_on = threading.Event()
    result = scan_result()

    def read(path: Path, progress: Progress | None = None) -> ImportResult:
        assert progress is not None
        progress(0, 3, "正在识别第 1/3 页")
        progress(1, 3, "正在识别第 2/3 页")
        go_on.wait(WORKER_TIMEOUT_MS / 1000)
        progress(3, 3, "正在整理表格")
        return result

    monkeypatch.setattr(import_preview, "read_with_log", read)
    dialog = ImportPreviewDialog(store, scan_path)
    qtbot.addWidget(dialog)
    dialog.show()
    bar = dialog.progress
    assert bar.maximum() == 0  # busy until the reader knows its pages
    qtbot.waitUntil(lambda: "正在识别第 2/3 页" in label(dialog, "status"), timeout=WORKER_TIMEOUT_MS)
    assert label(dialog, "status") == "正在识别第 2/3 页…（可点「取消」停止）"
    assert (bar.minimum(), bar.maximum(), bar.value()) == (0, 100, 33)
    go_on.set()
    qtbot.waitUntil(lambda: dialog.state == READY, timeout=WORKER_TIMEOUT_MS)
    assert not bar.isVisible() and dialog.tabs.currentIndex() == 0


def test_cancel_while_recognising_stops_the_reading_stores_nothing_and_says_no_error(
    qtbot: QtBot, store: Store, scan_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reached: list[int] = []
    stopped = threading.Event()
    result = scan_result()

    def read(path: Path, progress: Progress | None = None) -> ImportResult:
        assert progress is not None
        try:
            for page in range(500):
                progress(page, 500, f"正在识别第 {page + 1}/500 页")
                reached.append(page)
                time.sleep(0.01)
        except ReadCancelled:
            stopped.set()
            raise
        return result

    monkeypatch.setattr(import_preview, "read_with_log", read)
    before = store.list_reports()
    dialog = ImportPreviewDialog(store, scan_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: len(reached) >= 3, timeout=WORKER_TIMEOUT_MS)
    dialog.findChild(QPushButton, "cancel").click()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert stopped.wait(5), "the reader was not stopped"
    assert len(reached) < 500
    qtbot.wait(100)  # the worker's last word arrives and is dropped
    assert dialog.read_result is None and dialog.error == "" and dialog.state == "reading"
    assert store.list_reports() == before
    assert "background task failed" not in caplog.text


# --- 文件检查 -------------------------------------------------------------------------------------


def test_collect_files_picks_up_scanned_pages(tmp_path: Path) -> None:
    folder = tmp_path / "收到"
    folder.mkdir()
    for name in ("a.png", "b.JPG", "c.jpeg", "d.tif", "e.tiff", "f.pdf", "g.json", "说明.txt", ".h.png", "~$i.png"):
        (folder / name).write_bytes(b"x")
    names = [name for _path, name in collect_files([folder])]
    assert names == ["a.png", "b.JPG", "c.jpeg", "d.tif", "e.tiff", "f.pdf", "g.json"]


def batch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "各单位"
    folder.mkdir()
    (folder / "1-平潭2022.json").write_bytes((SAMPLES_DIR / "real" / "2022_pingtan.json").read_bytes())
    (folder / "2-某某区扫描.png").write_bytes(draw_pages(1)[0])
    return folder


def test_a_scan_in_a_batch_shows_its_pages_and_its_doubts(
    qtbot: QtBot, batch: BatchCheckWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = batch_folder(tmp_path)
    statuses: list[str] = []
    go_on = threading.Event()
    result = scan_result()

    def read(path: Path, progress: Progress | None = None) -> ImportResult:
        if path.suffix == ".json":
            return read_with_log(path)
        assert progress is not None
        progress(0, 3, "正在识别第 1/3 页")
        progress(1, 3, "正在识别第 2/3 页")
        go_on.wait(WORKER_TIMEOUT_MS / 1000)
        return result

    monkeypatch.setattr(reading_batch, "read_with_log", read)
    status = batch.findChild(QLabel, "batch_status")
    with qtbot.waitSignal(batch.batchFinished, timeout=WORKER_TIMEOUT_MS) as finished:
        batch.add_paths([folder])
        qtbot.waitUntil(lambda: "识别中 2/3 页" in status.text(), timeout=WORKER_TIMEOUT_MS)
        statuses.append(status.text())
        go_on.set()
    assert finished.args == [False]
    assert statuses == ["正在检查 2/2：2-某某区扫描.png — 识别中 2/3 页"]
    checks = {c.name: c for c in batch.checks}
    scanned = checks["2-某某区扫描.png"]
    assert isinstance(scanned, FileCheck) and scanned.scan is not None and checks["1-平潭2022.json"].scan is None
    assert scanned.status == "已检查（扫描件，2 个单元格把握不大）"
    row = [c.name for c in batch.checks].index("2-某某区扫描.png")
    assert batch.model.index(row, STATUS).data() == "已检查（扫描件，2 个单元格把握不大）"
    batch.table.selectRow(row)
    assert "扫描件：2 页，识别用时 4.2 秒；2 个单元格把握不大" in label(batch, "batch_detail")
    assert [batch.log_list.item(i).text() for i in range(batch.log_list.count())] == result.log


def test_stopping_the_batch_stops_a_scan_being_recognised(
    qtbot: QtBot, batch: BatchCheckWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = batch_folder(tmp_path)
    stopped = threading.Event()

    def read(path: Path, progress: Progress | None = None) -> ImportResult:
        if path.suffix == ".json":
            return read_with_log(path)
        assert progress is not None
        try:
            for page in range(500):
                progress(page, 500, "")
                time.sleep(0.01)
        except ReadCancelled:
            stopped.set()
            raise
        return scan_result()

    monkeypatch.setattr(reading_batch, "read_with_log", read)
    status = batch.findChild(QLabel, "batch_status")
    with qtbot.waitSignal(batch.batchFinished, timeout=WORKER_TIMEOUT_MS) as finished:
        batch.add_paths([folder])
        qtbot.waitUntil(lambda: "— 识别中 " in status.text() and "/500 页" in status.text(), timeout=WORKER_TIMEOUT_MS)
        batch.cancel()
    assert finished.args == [True] and stopped.is_set()
    assert [c.name for c in batch.checks] == ["1-平潭2022.json"]  # the scan left no row
    assert status.text().startswith("已取消：本批检查了 1 个文件，其余 1 个未检查。")


# --- the command line -----------------------------------------------------------------------------


def run_cli(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    from cli import run

    monkeypatch.setenv("GOV_REPORT_DATA_DIR", str(tmp_path))
    return run(["--db", str(tmp_path / "db.sqlite"), *args], start_app=lambda _db: 0)


def fake_reader(real: Callable[..., ImportResult]) -> Callable[..., ImportResult]:
    def read(path: str | Path, progress: Progress | None = None) -> ImportResult:
        if Path(path).suffix != ".png":
            return real(path)
        return scan_reader(scan_result())(Path(path), progress)

    return read


class Terminal(io.StringIO):
    """stderr as a terminal: the pages recognised are shown there."""

    def isatty(self) -> bool:
        return True


def test_check_of_a_scan_lists_the_cells_to_compare_after_its_findings(
    tmp_path: Path, scan_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reading_batch, "read_with_log", fake_reader(read_with_log))
    status = run_cli(["check", str(scan_path)], tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert status == 0, out
    lines = out.splitlines()
    assert lines[0] == f"{scan_path}：{AGENCY} 2022 年度报告（2021版格式）— 通过"
    start = lines.index("  扫描件：2 页，识别用时 4.2 秒；2 个单元格把握不大（低于 90%），请与纸质件逐一核对")
    assert all(line.startswith("  [读取] ") for line in lines[1:start])
    report = full_report()
    block = [line.split() for line in lines[start + 1:]]
    assert block == [
        ["位置", "读作", "置信度"],
        ["三、（一）予以公开", "·", "自然人", str(report.number("s3.granted.natural")), "62%"],
        ["三、（三）3", "·", "自然人", str(report.number("s3.denied_three_safeties.natural")), "71%，已复核"],
    ]


def test_check_json_of_a_scan_has_a_scan_key_and_other_files_keep_their_shape(
    tmp_path: Path, scan_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reading_batch, "read_with_log", fake_reader(read_with_log))
    other = SAMPLES_DIR / "real" / "2022_pingtan.json"
    run_cli(["check", str(scan_path), str(other), "--json"], tmp_path, monkeypatch)
    scanned, plain = json.loads(capsys.readouterr().out)
    report = full_report()
    assert scanned["scan"] == {
        "pages": 2,
        "uncertain": [
            {"cell": "s3.granted.natural", "text": str(report.number("s3.granted.natural")), "score": 0.62},
            {
                "cell": "s3.denied_three_safeties.natural",
                "text": str(report.number("s3.denied_three_safeties.natural")),
                "score": 0.71,
            },
        ],
        "seconds": 4.25,
    }
    assert set(scanned) == {"file", "template", "agency", "year", "findings", "import_log", "scan"}
    assert set(plain) == {"file", "template", "agency", "year", "findings", "import_log"}


def test_import_of_a_scan_is_not_silent_either(
    tmp_path: Path, scan_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reading_batch, "read_with_log", fake_reader(read_with_log))
    status = run_cli(["import", str(scan_path)], tmp_path, monkeypatch)
    out, err = capsys.readouterr()
    assert err == ""  # stderr is not a terminal here: no page progress
    assert status == 0, out
    lines = out.splitlines()
    assert lines[0].startswith(f"{scan_path}：已导入 {AGENCY} 2022 年度报告（编号 ")
    assert lines[1] == "  扫描件：2 页，识别用时 4.2 秒；2 个单元格把握不大（低于 90%），请与纸质件逐一核对"
    assert [line.split()[0] for line in lines[3:]] == ["三、（一）予以公开", "三、（三）3"]


@pytest.mark.parametrize("command", ["check", "import"])
def test_a_terminal_sees_the_pages_being_recognised_and_then_a_clean_line(
    command: str, tmp_path: Path, scan_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reading_batch, "read_with_log", fake_reader(read_with_log))
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert run_cli([command, str(scan_path)], tmp_path, monkeypatch) == 0
    assert terminal.getvalue() == "\r正在识别第 1/2 页…\x1b[K\r正在识别第 2/2 页…\x1b[K\r\x1b[K"
    assert "正在识别" not in capsys.readouterr().out


# --- end to end: a page recognised by the real engine -------------------------------------------


@pytest.mark.slow
@pytest.mark.needs_tool("ocr")
def test_a_rendered_page_opens_in_the_preview_with_its_cells_framed(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    import pypdfium2

    from ui.scan_view import crop_rect

    pdf = pypdfium2.PdfDocument(str(SAMPLES_DIR / "office" / "office-2021.pdf"))
    try:
        page = pdf[0].render(scale=150 / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    path = tmp_path / "第1页.png"
    page.save(path)
    before = store.list_reports()
    dialog = ImportPreviewDialog(store, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state != "reading", timeout=180_000)
    assert dialog.state == READY, dialog.error
    assert dialog.read_result is not None and dialog.read_result.scan is not None
    scan = dialog.read_result.scan
    view = view_of(dialog)
    assert dialog.tabs.currentIndex() == 0 and dialog.tabs.tabText(0).startswith("扫描件核对")
    assert view.page_count == 1 and label(view, "scan_summary").startswith("扫描件：1 页，识别用时 ")
    image = view.page_image(0)
    assert not image.isNull() and abs(image.width() - page.width) <= page.width // 10
    placed = {c for c, cell in scan.cells.items() if cell.page == 0 and cell.box[2] > cell.box[0]}
    assert placed and set(view.frames) == placed  # 二's table is on this page: its cells are framed
    assert {c.split(".")[0] for c in placed} == {"s2"}
    assert view.model.rowCount() == (len(scan.uncertain) if scan.uncertain else len(scan.cells)) > 0
    expected_button = "已核对，导入" if scan.uncertain else "导入"
    assert dialog.findChild(QPushButton, "import").text() == expected_button
    for row in range(view.model.rowCount()):  # every cell read: its crop is its box on the page
        shown = view.model.row(row)
        assert shown is not None
        click_row(qtbot, view, row)
        assert view.selected_cell == shown.cell_id
        if shown.cell_id in placed:
            crop = view.crop_image
            assert crop.size() == crop_rect(shown.cell.box, image.width(), image.height()).size()
            assert view.frames[shown.cell_id].isSelected()
            # The crop is where the figure was read: it has ink, not blank paper.
            grey = crop.convertToFormat(QImage.Format.Format_Grayscale8)
            assert min(grey.pixelColor(x, y).value() for x in range(grey.width()) for y in range(grey.height())) < 100
    assert store.list_reports() == before  # seen, not stored
