"""Import preview, 文件检查 and drag-and-drop, driven as a clerk and a reviewing office would."""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QListWidget, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from core.checks import validate
from core.report import Report
from core.reportfile import read_report_file, write_report_file
from core.storage import AgencyProfile, Store
from reading import batch as reading_batch
from reading.batch import DETAIL_HEADERS, SUMMARY_HEADERS, FileCheck
from reading.document import ImportResult
from reading.formats import read_with_log
from tests.conftest import SAMPLES_DIR, full_report, previous_report
from ui import import_preview
from ui.batch_check import ERRORS, STATUS, WARNINGS, BatchCheckWindow
from ui.dialogs import NextYearDialog
from ui.import_preview import FAILED, IMPORTED, READY, ImportPreviewDialog
from ui.main_window import MainWindow
from ui.reports_list import ReportsListWidget

SEED_AGENCY = "四平市铁西区人民政府办公室"
PINGTAN = "平潭综合实验区"
WORKER_TIMEOUT_MS = 20000


# --- helpers -------------------------------------------------------------------------------------


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def label(parent: QWidget, name: str) -> str:
    found = parent.findChild(QLabel, name)
    assert found is not None, name
    return found.text()


def list_texts(parent: QWidget, name: str) -> list[str]:
    widget = parent.findChild(QListWidget, name)
    assert widget is not None, name
    return [widget.item(i).text() for i in range(widget.count())]


def preview(qtbot: QtBot, store: Store, path: Path) -> ImportPreviewDialog:
    dialog = ImportPreviewDialog(store, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state != "reading", timeout=WORKER_TIMEOUT_MS)
    return dialog


def run_batch(qtbot: QtBot, window: BatchCheckWindow, action: Callable[[], None]) -> list[Any]:
    with qtbot.waitSignal(window.batchFinished, timeout=WORKER_TIMEOUT_MS) as finished:
        action()
    return list(finished.args)


def rows_by_name(window: BatchCheckWindow) -> dict[str, FileCheck]:
    return {c.name: c for c in window.checks}


def drop(target: QWidget, paths: list[Path]) -> None:
    """What the window receives when files are dragged from the file manager and let go over it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(QPoint(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)
    assert event.isAccepted()


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Copies of the samples, a broken file and a DOCX, as a clerk would have them on disk."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    out = {
        "seed": folder / "铁西区2020年报.json",
        "pingtan2022": folder / "平潭2022.json",
        "pingtan2019": folder / "平潭2019.json",
        "broken": folder / "broken.json",
    }
    shutil.copy(SAMPLES_DIR / "seed-2020-tiexi.json", out["seed"])
    shutil.copy(SAMPLES_DIR / "real" / "2022_pingtan.json", out["pingtan2022"])
    shutil.copy(SAMPLES_DIR / "real" / "2019_pingtan.json", out["pingtan2019"])
    out["broken"].write_text("{这不是 JSON", "utf-8")
    return out


@pytest.fixture
def review_folder(tmp_path: Path) -> Path:
    """A reviewing office's folder: reports in nested subfolders, one broken, files that are not reports."""
    root = tmp_path / "各单位报告"
    (root / "区县" / "平潭").mkdir(parents=True)
    shutil.copy(SAMPLES_DIR / "seed-2020-tiexi.json", root / "铁西区.json")
    shutil.copy(SAMPLES_DIR / "real" / "2022_pingtan.json", root / "区县" / "平潭2022.json")
    shutil.copy(SAMPLES_DIR / "real" / "2019_pingtan.json", root / "区县" / "平潭" / "平潭2019.json")
    (root / "区县" / "损坏.json").write_text("{这不是 JSON", "utf-8")
    (root / "说明.txt").write_text("不是报告", "utf-8")
    (root / "~$铁西区.docx").write_bytes(b"owner file of an open Word document")
    return root


# --- import preview ------------------------------------------------------------------------------


def test_preview_shows_what_was_read_and_import_stores_it(
    qtbot: QtBot, store: Store, files: dict[str, Path], qtmodeltester: Any
) -> None:
    before = [s.id for s in store.list_reports()]
    dialog = preview(qtbot, store, files["pingtan2022"])
    assert dialog.state == READY
    assert label(dialog, "file_name") == "平潭2022.json"
    assert label(dialog, "agency") == PINGTAN
    assert label(dialog, "year") == "2022"
    assert label(dialog, "template").startswith("2021版")
    assert label(dialog, "file_type") == "报告文件"
    assert not dialog.findChild(QLabel, "conflict").isVisible()
    # Section 三's main rows, labelled from the template, and the printed totals beside the computed ones.
    model = dialog.s3_model
    qtmodeltester.check(model)
    first_column = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert first_column == ["本年新收", "上年结转", "办理结果总计", "结转下年度"]
    assert model.headerData(model.columnCount() - 1, Qt.Orientation.Horizontal) == "总计"
    assert dialog.totals_model.rowCount() == len(read_report_file(files["pingtan2022"]).printed)
    assert {dialog.totals_model.index(r, 3).data() for r in range(dialog.totals_model.rowCount())} == {"一致"}
    assert store.list_reports() and [s.id for s in store.list_reports()] == before  # nothing stored yet

    with qtbot.waitSignal(dialog.imported) as imported:
        click(qtbot, dialog, "import")
    new_id = store.find(PINGTAN, 2022)
    assert new_id is not None and imported.args == [new_id, 0]
    assert dialog.state == IMPORTED
    assert store.load(new_id).inputs == read_report_file(files["pingtan2022"]).inputs
    assert dialog.findChild(QPushButton, "next_year").isVisible()
    assert "已导入" in label(dialog, "status")


def test_preview_lists_findings_by_severity_and_the_import_log(
    qtbot: QtBot, store: Store, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.delete(store.find(SEED_AGENCY, 2020) or 0)
    log = [
        "第三部分「（三）不予公开」行标签与格式不同（「不予公开 」），按含义对应",
        "「总计」列第 5 行印出「—」，按空白读入",
    ]

    def read_with_a_log(path: Path) -> ImportResult:
        return ImportResult(read_with_log(path).report, list(log))

    monkeypatch.setattr(import_preview, "read_with_log", read_with_a_log)
    dialog = preview(qtbot, store, files["seed"])
    assert label(dialog, "counts") == "4 个错误，1 个提示"
    findings = list_texts(dialog, "findings")
    assert findings[0] == "错误（4）" and findings[5] == "提示（1）"
    assert findings[1:5] == [f.message for f in validate(read_report_file(files["seed"]))][:4]
    assert list_texts(dialog, "import_log") == log
    assert dialog.tabs.tabText(2) == "导入记录（2）"
    # The seed prints a results total its rows do not add up to: shown, not repaired.
    verdicts = [dialog.totals_model.index(r, 3).data() for r in range(dialog.totals_model.rowCount())]
    assert "不一致" in verdicts


def test_a_json_file_has_an_empty_log_said_in_words(qtbot: QtBot, store: Store, files: dict[str, Path]) -> None:
    dialog = preview(qtbot, store, files["pingtan2019"])
    assert list_texts(dialog, "import_log") == ["读取时没有不确定之处。"]


def test_conflict_replace_moves_the_old_report_to_the_recycle_bin(
    qtbot: QtBot, store: Store, files: dict[str, Path]
) -> None:
    old = store.find(SEED_AGENCY, 2020)
    assert old is not None
    store.set_text(old, "s6", "本机关补充的内容")
    dialog = preview(qtbot, store, files["seed"])
    conflict = dialog.findChild(QLabel, "conflict")
    assert conflict.isVisible() and "已有" in conflict.text() and "回收站" in conflict.text()
    assert dialog.findChild(QPushButton, "import").text() == "替换（原报告移入回收站）"
    with qtbot.waitSignal(dialog.imported) as imported:
        click(qtbot, dialog, "import")
    new = store.find(SEED_AGENCY, 2020)
    assert new not in (None, old) and imported.args == [new, old]
    assert [s.id for s in store.list_reports(deleted=True)] == [old]
    assert store.load(old).text("s6") == "本机关补充的内容"  # recoverable as it was


def test_a_report_stored_since_the_preview_is_not_replaced_unseen(
    qtbot: QtBot, store: Store, files: dict[str, Path]
) -> None:
    dialog = preview(qtbot, store, files["pingtan2022"])
    assert not dialog.findChild(QLabel, "conflict").isVisible()
    other = store.add_report(read_report_file(files["pingtan2022"]))  # e.g. imported from another window
    click(qtbot, dialog, "import")
    assert dialog.state == READY and dialog.findChild(QLabel, "conflict").isVisible()
    assert dialog.findChild(QPushButton, "import").text() == "替换（原报告移入回收站）"
    assert store.find(PINGTAN, 2022) == other
    with qtbot.waitSignal(dialog.imported) as imported:
        click(qtbot, dialog, "import")  # now shown: 替换 replaces it
    assert imported.args == [store.find(PINGTAN, 2022), other]
    assert [s.id for s in store.list_reports(deleted=True)] == [other]


def test_conflict_cancel_stores_nothing(qtbot: QtBot, store: Store, files: dict[str, Path]) -> None:
    old = store.find(SEED_AGENCY, 2020)
    dialog = preview(qtbot, store, files["seed"])
    assert dialog.findChild(QLabel, "conflict").isVisible()
    click(qtbot, dialog, "cancel")
    assert not dialog.isVisible()
    assert [s.id for s in store.list_reports()] == [old]
    assert store.list_reports(deleted=True) == []


def test_a_broken_file_gives_its_one_line_reason_and_stores_nothing(
    qtbot: QtBot, store: Store, files: dict[str, Path]
) -> None:
    dialog = preview(qtbot, store, files["broken"])
    assert dialog.state == FAILED
    status = label(dialog, "status")
    assert status.startswith("无法读取「broken.json」：不是有效的 JSON")
    assert "\n" not in status and "Traceback" not in status
    assert not dialog.findChild(QPushButton, "import").isEnabled()
    assert dialog.findChild(QPushButton, "cancel").text() == "关闭"
    assert len(store.list_reports()) == 1


def test_unsupported_suffix_is_refused_with_the_readable_list(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "报告.txt"
    path.write_text("随便什么", "utf-8")
    dialog = preview(qtbot, store, path)
    assert dialog.state == FAILED and "不支持读取「.txt」文件" in label(dialog, "status")


def test_reading_happens_off_the_ui_thread_and_cancel_drops_it(
    qtbot: QtBot, store: Store, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(path: Path) -> ImportResult:
        time.sleep(0.5)
        return read_with_log(path)

    monkeypatch.setattr(import_preview, "read_with_log", slow)
    dialog = ImportPreviewDialog(store, files["pingtan2022"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.state == "reading"
    assert label(dialog, "status").startswith("正在读取")
    assert not dialog.findChild(QPushButton, "import").isEnabled()
    click(qtbot, dialog, "cancel")
    qtbot.wait(700)
    assert store.find(PINGTAN, 2022) is None


def test_next_year_button_asks_through_the_one_next_year_dialog(
    qtbot: QtBot, store: Store, files: dict[str, Path]
) -> None:
    store.save_agency_profile(AgencyProfile(PINGTAN, phone="0591-12345678", email="gk@pingtan.gov.cn"))
    reports = ReportsListWidget(store)
    qtbot.addWidget(reports)
    reports.show()
    dialog = reports.import_path(files["pingtan2022"])
    qtbot.waitUntil(lambda: dialog.state == READY, timeout=WORKER_TIMEOUT_MS)
    click(qtbot, dialog, "import")
    imported_id = store.find(PINGTAN, 2022)
    assert imported_id is not None
    imported = store.load(imported_id)
    with qtbot.waitSignal(dialog.nextYearRequested) as requested:
        click(qtbot, dialog, "next_year")
    assert requested.args == [imported_id]
    assert store.find(PINGTAN, 2023) is None  # asked first, not created
    asking = reports.findChild(NextYearDialog, "next_year_dialog")
    assert asking is not None and asking.year == 2023
    assert "0591-12345678" in asking.findChild(QLabel, "carry_over").text()
    with qtbot.waitSignal(reports.openRequested) as opened:
        click(qtbot, asking, "ok")
    new_id = store.find(PINGTAN, 2023)
    assert new_id is not None and opened.args == [new_id]
    report = store.load(new_id)
    for col in report.template.s3.applicant_columns:
        expected = imported.value(f"s3.carried_forward.{col.id}").number or 0
        assert report.value(f"s3.carried_over.{col.id}").number == expected
    rule = report.template.s2.in_force
    assert rule is not None
    for row in rule.rows:
        cell = f"s2.{row}.{rule.field}"
        assert report.value(cell).number == imported.value(cell).number
    assert report.contact.phone == "0591-12345678" and report.contact.email == "gk@pingtan.gov.cn"
    assert report.text("s5") == ""  # last year's prose is not copied


def test_reports_list_routes_import_through_the_preview_and_selects_the_report(
    qtbot: QtBot, store: Store, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = ReportsListWidget(store)
    qtbot.addWidget(reports)
    reports.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(files["pingtan2019"]), ""))
    dialog = reports.import_file()
    assert isinstance(dialog, ImportPreviewDialog)
    qtbot.waitUntil(lambda: dialog.state == READY, timeout=WORKER_TIMEOUT_MS)
    assert store.find(PINGTAN, 2019) is None
    with qtbot.waitSignal(reports.statusMessage) as message:
        click(qtbot, dialog, "import")
    new_id = store.find(PINGTAN, 2019)
    assert reports.selected_id() == new_id
    assert message.args[0].startswith("已导入")
    opened: list[int] = []
    reports.openRequested.connect(opened.append)
    click(qtbot, dialog, "next_year")
    assert store.find(PINGTAN, 2020) is None  # the year is asked first
    asking = reports.findChild(NextYearDialog, "next_year_dialog")
    assert asking is not None and asking.year == 2020
    click(qtbot, asking, "ok")
    next_id = store.find(PINGTAN, 2020)
    assert next_id is not None and opened == [next_id] and reports.selected_id() == next_id


def _write_docx(report: Report, path: Path) -> None:
    from exports.docx_export import write_docx

    write_docx(report, path)


def _write_html(report: Report, path: Path) -> None:
    from exports.html_export import write_html

    write_html(report, path)


@pytest.mark.parametrize(
    ("suffix", "write", "kind"),
    [(".docx", _write_docx, "Word 文档"), (".html", _write_html, "网页")],
)
def test_our_own_export_previews_and_imports(
    qtbot: QtBot, store: Store, tmp_path: Path, suffix: str, write: Callable[[Report, Path], None], kind: str,
) -> None:
    report = full_report("2021", agency="某某区人民政府办公室")
    path = tmp_path / f"年报{suffix}"
    write(report, path)
    dialog = preview(qtbot, store, path)
    assert dialog.state == READY, label(dialog, "status")
    assert label(dialog, "agency") == report.agency and label(dialog, "year") == str(report.year)
    assert label(dialog, "file_type") == kind
    assert label(dialog, "counts") == "没有发现问题"
    click(qtbot, dialog, "import")
    stored = store.load(store.find(report.agency, report.year) or 0)
    assert stored.inputs == report.inputs


# --- 文件检查 -------------------------------------------------------------------------------------


def test_adding_a_folder_checks_every_report_in_it(
    qtbot: QtBot, batch: BatchCheckWindow, review_folder: Path, monkeypatch: pytest.MonkeyPatch, qtmodeltester: Any
) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(review_folder))
    assert run_batch(qtbot, batch, lambda: click(qtbot, batch, "add_folder")) == [False]
    qtmodeltester.check(batch.model)
    rows = rows_by_name(batch)
    assert set(rows) == {"区县/平潭/平潭2019.json", "区县/平潭2022.json", "区县/损坏.json", "铁西区.json"}
    seed = rows["铁西区.json"]
    assert seed.cells() == ("铁西区.json", SEED_AGENCY, "2020", "2019版（试行）", 4, 1, "已检查")
    assert rows["区县/平潭2022.json"].cells()[1:] == (PINGTAN, "2022", "2021版", 0, 0, "已检查")
    broken = rows["区县/损坏.json"]
    assert broken.status.startswith("无法读取：不是有效的 JSON") and "\n" not in broken.status
    assert "4 个文件" in label(batch, "batch_status") and "1 个无法读取" in label(batch, "batch_status")
    assert not batch.findChild(QPushButton, "cancel_check").isVisible()

    # Selecting a row shows its findings grouped by severity.
    seed_row = next(r for r in range(batch.proxy.rowCount()) if batch.proxy.index(r, 0).data() == "铁西区.json")
    batch.table.selectRow(seed_row)
    shown = list_texts(batch, "batch_findings")
    assert shown[0] == "错误（4）" and shown[5] == "提示（1）"
    assert list_texts(batch, "batch_log") == ["读取时没有不确定之处。"]
    broken_row = next(r for r in range(batch.proxy.rowCount()) if batch.proxy.index(r, 0).data() == "区县/损坏.json")
    batch.table.selectRow(broken_row)
    assert label(batch, "batch_detail").startswith("「区县/损坏.json」无法读取：")
    assert batch.proxy.index(broken_row, STATUS).data().startswith("无法读取：")

    # Sorting by 错误 puts the report with errors first and the unreadable file last.
    batch.table.sortByColumn(ERRORS, Qt.SortOrder.DescendingOrder)
    assert batch.proxy.index(0, 0).data() == "铁西区.json"
    assert batch.proxy.index(3, 0).data() == "区县/损坏.json"

    # Adding the same folder again checks nothing twice.
    run_batch(qtbot, batch, lambda: batch.add_paths([review_folder]))
    assert batch.model.rowCount() == 4


def test_adding_files_with_the_file_dialog(
    qtbot: QtBot, batch: BatchCheckWindow, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = [str(files["seed"]), str(files["broken"])]
    seen: list[tuple[Any, ...]] = []

    def pick(*args: Any, **_kwargs: Any) -> tuple[list[str], str]:
        seen.append(args)
        return chosen, ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", pick)
    run_batch(qtbot, batch, lambda: click(qtbot, batch, "add_files"))
    assert [c.name for c in batch.checks] == [files["seed"].name, "broken.json"]
    assert "*.docx" in seen[0][3] and "*.pdf" in seen[0][3] and "*.htm" in seen[0][3]


def test_last_year_in_the_same_batch_is_used_for_carry_over(
    qtbot: QtBot, batch: BatchCheckWindow, tmp_path: Path
) -> None:
    this_year = full_report("2021", 2022)
    last_year = previous_report(this_year)
    last_year.set_cell("s3.carried_forward.natural", 7)  # this year's 上年结转 does not follow on
    assert any(f.rule == "CARRY-OVER" for f in validate(this_year, last_year))
    assert not any(f.rule == "CARRY-OVER" for f in validate(this_year))
    folder = tmp_path / "two years"
    folder.mkdir()
    write_report_file(this_year, folder / "a-2022.json")  # checked first: last year arrives after it
    write_report_file(last_year, folder / "b-2021.json")
    run_batch(qtbot, batch, lambda: batch.add_paths([folder]))
    rows = rows_by_name(batch)
    assert rows["a-2022.json"].with_previous
    assert "CARRY-OVER" in [f.rule for f in rows["a-2022.json"].findings]
    row = next(r for r in range(batch.model.rowCount()) if batch.model.check(r).name == "a-2022.json")
    assert batch.model.index(row, WARNINGS).data() == str(rows["a-2022.json"].counts[1])


def test_cancel_stops_after_the_current_file(
    qtbot: QtBot, batch: BatchCheckWindow, tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(150):
        shutil.copy(files["pingtan2022"], folder / f"报告{i:03}.json")

    def slow(path: Path) -> ImportResult:
        time.sleep(0.02)
        return read_with_log(path)

    monkeypatch.setattr(reading_batch, "read_with_log", slow)
    progress = batch.findChild(QWidget, "batch_progress")

    def start() -> None:
        batch.add_paths([folder])
        assert batch.findChild(QPushButton, "cancel_check").isVisible()

    batch.model.rowsInserted.connect(lambda *_a: batch.cancel() if batch.model.rowCount() == 3 else None)
    assert run_batch(qtbot, batch, start) == [True]
    assert 3 <= batch.model.rowCount() < 10
    assert label(batch, "batch_status").startswith("已取消：本批检查了")
    assert not progress.isVisible()
    # Adding the folder again goes on with the files not yet checked.
    monkeypatch.setattr(reading_batch, "read_with_log", read_with_log)
    run_batch(qtbot, batch, lambda: batch.add_paths([folder]))
    assert batch.model.rowCount() == 150


def test_xlsx_export_has_the_summary_and_one_row_per_finding(
    qtbot: QtBot, batch: BatchCheckWindow, review_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_batch(qtbot, batch, lambda: batch.add_paths([review_folder]))
    target = tmp_path / "out" / "检查结果"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "Excel 工作簿 (*.xlsx)"))
    with qtbot.waitSignal(batch.exported, timeout=WORKER_TIMEOUT_MS) as exported:
        click(qtbot, batch, "export_table")
    written = Path(exported.args[0])
    assert written == target.with_name("检查结果.xlsx")
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["汇总", "明细"]
    summary = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert tuple(summary[0]) == SUMMARY_HEADERS
    by_file = {r[0]: r for r in summary[1:]}
    assert by_file["铁西区.json"][1:7] == [SEED_AGENCY, "2020", "2019版（试行）", 4, 1, "已检查"]
    assert by_file["区县/损坏.json"][6].startswith("无法读取：")
    assert by_file["铁西区.json"][7] == str(review_folder / "铁西区.json")
    detail = [list(r) for r in book["明细"].iter_rows(values_only=True)]
    assert tuple(detail[0]) == DETAIL_HEADERS
    seed_rows = [r for r in detail[1:] if r[0] == "铁西区.json"]
    assert [r[2] for r in seed_rows] == ["错误"] * 4 + ["提示"]
    assert {r[1] for r in seed_rows} >= {"S3-BALANCE", "S3-RESULTS-TOTAL"}
    assert all(r[4] for r in seed_rows if r[1] == "S3-BALANCE")  # the cells it names
    assert [r[2] for r in detail[1:] if r[0] == "区县/损坏.json"] == ["无法读取"]

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    click(qtbot, batch, "open_folder")
    assert opened == [QUrl.fromLocalFile(str(written.parent))]


def test_csv_export_is_utf8_with_bom(
    qtbot: QtBot, batch: BatchCheckWindow, review_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_batch(qtbot, batch, lambda: batch.add_paths([review_folder]))
    target = tmp_path / "检查结果"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "CSV 文件，UTF-8 (*.csv)"))
    with qtbot.waitSignal(batch.exported, timeout=WORKER_TIMEOUT_MS):
        click(qtbot, batch, "export_table")
    written = target.with_name("检查结果.csv")
    assert written.read_bytes().startswith(b"\xef\xbb\xbf")
    with written.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == SUMMARY_HEADERS
    assert len(rows) == 5
    seed = next(r for r in rows if r[0] == "铁西区.json")
    assert seed[1:7] == [SEED_AGENCY, "2020", "2019版（试行）", "4", "1", "已检查"]


def test_an_export_that_cannot_be_written_says_why_in_one_line(
    qtbot: QtBot, batch: BatchCheckWindow, files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_batch(qtbot, batch, lambda: batch.add_paths([files["seed"]]))
    warned: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **_k: warned.append(args))
    task = batch.export_table(tmp_path / "没有这个文件夹" / "x.xlsx")
    assert task is not None
    qtbot.waitUntil(lambda: bool(warned), timeout=WORKER_TIMEOUT_MS)
    assert "不存在" in warned[0][2] and "\n" not in warned[0][2]
    assert label(batch, "batch_status").startswith("没有导出：")


def test_dropping_files_on_the_batch_window_adds_them(
    qtbot: QtBot, batch: BatchCheckWindow, files: dict[str, Path]
) -> None:
    run_batch(qtbot, batch, lambda: drop(batch, [files["pingtan2019"], files["pingtan2022"]]))
    assert sorted(c.name for c in batch.checks) == ["平潭2019.json", "平潭2022.json"]


# --- the main window -----------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> MainWindow:
    opened = MainWindow(store)
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitExposed(opened)
    return opened


def test_dropping_a_report_file_on_the_window_opens_the_preview(
    qtbot: QtBot, window: MainWindow, store: Store, files: dict[str, Path]
) -> None:
    drop(window, [files["pingtan2022"]])
    dialog = window.findChild(ImportPreviewDialog)
    assert dialog is not None and dialog.path == files["pingtan2022"]
    qtbot.waitUntil(lambda: dialog.state == READY, timeout=WORKER_TIMEOUT_MS)
    click(qtbot, dialog, "import")
    assert window.reports.selected_id() == store.find(PINGTAN, 2022)


def test_dropping_a_folder_on_the_window_opens_the_file_check(
    qtbot: QtBot, window: MainWindow, review_folder: Path
) -> None:
    drop(window, [review_folder])
    batch = window.batch_window
    assert batch is not None and batch.isVisible()
    qtbot.waitUntil(lambda: not batch.running and batch.model.rowCount() == 4, timeout=WORKER_TIMEOUT_MS)


def test_file_menu_has_import_and_file_check(
    qtbot: QtBot, window: MainWindow, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.act_import.shortcut().toString() == "Ctrl+I"
    assert window.act_import.isEnabled()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(files["pingtan2019"]), ""))
    window.act_import.trigger()
    dialog = window.findChild(ImportPreviewDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.state == READY, timeout=WORKER_TIMEOUT_MS)
    click(qtbot, dialog, "cancel")

    window.act_batch.trigger()
    batch = window.batch_window
    assert batch is not None and batch.isVisible() and batch.windowTitle() == "文件检查"
    run_batch(qtbot, batch, lambda: batch.add_paths([files["pingtan2019"]]))
    batch.table.selectRow(0)
    click(qtbot, batch, "import_selected")
    preview_of_row = [d for d in window.findChildren(ImportPreviewDialog) if d.isVisible()]
    assert [d.path for d in preview_of_row] == [files["pingtan2019"]]


def test_import_is_disabled_until_the_database_is_open(qtbot: QtBot, store: Store) -> None:
    early = MainWindow()
    qtbot.addWidget(early)
    assert not early.act_import.isEnabled()
    early.attach_store(store)
    assert early.act_import.isEnabled()


def test_replacing_the_open_report_by_an_import_closes_it(
    qtbot: QtBot, window: MainWindow, store: Store, files: dict[str, Path]
) -> None:
    old = store.find(SEED_AGENCY, 2020)
    assert old is not None
    window.open_report(old)
    assert window.session is not None
    drop(window, [files["seed"]])
    dialog = window.findChild(ImportPreviewDialog)
    qtbot.waitUntil(lambda: dialog.state == READY, timeout=WORKER_TIMEOUT_MS)
    click(qtbot, dialog, "import")  # 替换（原报告移入回收站）
    assert window.session is None and window.stack.currentWidget() is window.reports
    assert window.reports.selected_id() == store.find(SEED_AGENCY, 2020) != old
    assert "已导入" in window.statusBar().currentMessage()
