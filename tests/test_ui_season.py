"""年报审核 window: the board of a review season, driven as a reviewing office would."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import QComboBox, QMessageBox, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from core.season import REVIEW_PASSED, REVIEW_RETURNED, Season, parse_unit_lines
from core.storage import Store
from reading.season_import import import_files
from tests.test_season import EDUCATION, GOVERNMENT, MARKET, OFFICE, YEAR, unit_file
from ui.season import (
    ALL,
    COLUMNS,
    MISSING,
    NEW,
    NOTE,
    OVERDUE,
    PASSED,
    PENDING,
    PROBLEMS,
    RETURNED,
    REVIEW,
    TIMING,
    UNIT,
    SeasonWindow,
)
from ui.season_dialogs import ReviewDialog, UnitsDialog

TODAY = date(2024, 4, 5)  # after both due dates of the 2023 reports
FINANCE = "某某县财政局"
HEALTH = "某某县卫生健康局"
WORKER_TIMEOUT_MS = 20000


@pytest.fixture
def season(store: Store, tmp_path: Path) -> Season:
    """Five units: one early (11 days), one late (3 days), one on time, two missing; 本年新收 3791/303/1203
    (the real file's other applicants add 3)."""
    made = Season.create(store, "2023年度年报审核", YEAR)
    made.add_units(parse_unit_lines(f"{MARKET}\n{EDUCATION}\n{GOVERNMENT}\t人民政府\n{FINANCE}\n{HEALTH}"))
    import_files(made, [OFFICE / "office-2021.docx"], received=date(2024, 1, 20))
    import_files(made, [unit_file(tmp_path, EDUCATION, new=300, signed="2024-02-01")], received=date(2024, 2, 3))
    import_files(made, [unit_file(tmp_path, FINANCE, new=1200)], received=date(2024, 1, 30))
    return made


@pytest.fixture
def window(qtbot: QtBot, store: Store, season: Season) -> SeasonWindow:
    shown = SeasonWindow(store, today=TODAY)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def column(window: SeasonWindow, index: int) -> list[str]:
    return [str(window.proxy.index(r, index).data()) for r in range(window.proxy.rowCount())]


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def test_board_shows_each_unit_with_timing_and_summary(window: SeasonWindow) -> None:
    assert window.season_combo.currentText() == "2023年度年报审核"
    assert column(window, UNIT) == [MARKET, EDUCATION, GOVERNMENT, FINANCE, HEALTH]
    assert column(window, TIMING) == ["提前 11 天", "逾期 3 天", "未交，已逾期 5 天", "提前 1 天", "未交，已逾期 65 天"]
    assert column(window, COLUMNS.index("收到"))[:3] == ["已收到 1月20日", "已收到 2月3日", "未收到"]
    assert column(window, COLUMNS.index("落款/定稿"))[:4] == ["已定稿", "已定稿", "", "未落款"]
    assert column(window, NEW) == ["3791", "303", "", "1203", ""]
    assert window.summary_label.text() == "5 个单位，已收到 3，未收到 2，逾期 3，有错误 3"
    # Missing after the due date and late stand out; a unit early does not.
    background = Qt.ItemDataRole.BackgroundRole
    missing, late, early = (window.proxy.index(r, TIMING).data(background) for r in (2, 1, 0))
    assert missing is not None and late is not None and early is None and missing != late


def test_sorting_by_days_late_and_by_applications_is_numeric(window: SeasonWindow) -> None:
    window.table.sortByColumn(TIMING, Qt.SortOrder.DescendingOrder)
    assert column(window, UNIT) == [HEALTH, GOVERNMENT, EDUCATION, FINANCE, MARKET]
    window.table.sortByColumn(NEW, Qt.SortOrder.AscendingOrder)  # as text 1203 < 303 < 3791
    assert column(window, NEW) == ["", "", "303", "1203", "3791"]
    window.table.sortByColumn(COLUMNS.index("截止日期"), Qt.SortOrder.DescendingOrder)
    assert column(window, UNIT)[0] == GOVERNMENT
    # The selection follows its unit through a sort and a reload.
    window.select_units([EDUCATION])
    window.table.sortByColumn(UNIT, Qt.SortOrder.DescendingOrder)
    assert [r.name for r in window.selected_rows()] == [EDUCATION]
    descending = column(window, UNIT)
    assert descending != [MARKET, EDUCATION, GOVERNMENT, FINANCE, HEALTH] and len(descending) == 5
    window.refresh()  # read again (after an edit, a file added): still sorted, still selected
    assert column(window, UNIT) == descending and [r.name for r in window.selected_rows()] == [EDUCATION]


def test_each_filter(window: SeasonWindow, season: Season) -> None:
    season.set_review(season.match_unit(MARKET).id, REVIEW_PASSED)  # type: ignore[union-attr]
    season.set_review(season.match_unit(FINANCE).id, REVIEW_RETURNED, "请补落款")  # type: ignore[union-attr]
    window.refresh()
    expected = {
        ALL: [MARKET, EDUCATION, GOVERNMENT, FINANCE, HEALTH],
        MISSING: [GOVERNMENT, HEALTH],
        OVERDUE: [EDUCATION, GOVERNMENT, HEALTH],
        PROBLEMS: [MARKET, EDUCATION, FINANCE],  # every received file here has errors
        PENDING: [EDUCATION, GOVERNMENT, HEALTH],
        RETURNED: [FINANCE],
        PASSED: [MARKET],
    }
    for mode, names in expected.items():
        window.set_filter(mode)
        assert column(window, UNIT) == names, window.filter_combo.itemText(mode)
    window.set_filter(ALL, "教育")
    assert column(window, UNIT) == [EDUCATION]
    window.set_filter(MISSING, "县 人民")
    assert column(window, UNIT) == [GOVERNMENT]


def test_review_and_note_edited_in_cells_persist_across_reopening(
    qtbot: QtBot, window: SeasonWindow, db_path: Path, store: Store
) -> None:
    review = window.proxy.index(1, REVIEW)
    window.table.edit(review)  # as a double-click does
    editor = window.table.findChild(QComboBox, "review_editor")
    assert editor is not None
    editor.setCurrentIndex(editor.findData(REVIEW_RETURNED))
    editor.activated.emit(editor.currentIndex())  # chosen from the list: saved at once
    qtbot.waitUntil(lambda: column(window, REVIEW)[1] == "退回修改")
    assert window.proxy.setData(window.proxy.index(1, NOTE), "表三（四）不平衡")
    qtbot.waitUntil(lambda: column(window, NOTE)[1] == "表三（四）不平衡")
    assert column(window, REVIEW)[1] == "退回修改" and column(window, NOTE)[1] == "表三（四）不平衡"
    window.close()
    store.close()

    reopened = Store(db_path)
    again = SeasonWindow(reopened, today=TODAY)
    qtbot.addWidget(again)
    assert column(again, REVIEW)[1] == "退回修改" and column(again, NOTE)[1] == "表三（四）不平衡"
    reopened.close()


def test_review_dialog_for_selected_units(qtbot: QtBot, window: SeasonWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.select_units([MARKET, FINANCE])
    assert window.selected_unit_ids() and window.review_button.isEnabled()

    def answer(dialog: ReviewDialog) -> int:
        dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(REVIEW_PASSED))
        dialog.note_edit.setPlainText("已核")
        return int(ReviewDialog.DialogCode.Accepted)

    monkeypatch.setattr(ReviewDialog, "exec", answer)
    click(qtbot, window, "review")
    assert column(window, REVIEW) == ["通过", "待审", "待审", "通过", "待审"]
    assert column(window, NOTE) == ["已核", "", "", "已核", ""]


def test_export_of_the_filtered_board(window: SeasonWindow, tmp_path: Path) -> None:
    window.set_filter(OVERDUE)
    window.table.sortByColumn(TIMING, Qt.SortOrder.DescendingOrder)
    target = tmp_path / "审核.xlsx"
    assert window.export_board(target)
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (*COLUMNS, "逾期天数（负数为提前）", "路径")
    assert [r[0] for r in rows[1:]] == [HEALTH, GOVERNMENT, EDUCATION]
    education = rows[3]
    assert education[TIMING] == "逾期 3 天" and education[NEW] == 303 and isinstance(education[6], int)
    assert education[-1].endswith(".json") and education[-2] == 3 and rows[1][-2] == 65  # missing, days so far
    # A folder that cannot take the file: one message, nothing written.
    blocked = tmp_path / "no" / "审核.xlsx"
    (tmp_path / "no").write_text("a file, not a folder")
    from unittest import mock

    with mock.patch.object(QMessageBox, "warning") as warned:
        assert not window.export_board(blocked)
    assert warned.called and "没有导出" in window.status_label.text()


def test_adding_files_in_the_background(qtbot: QtBot, window: SeasonWindow, tmp_path: Path) -> None:
    folder = tmp_path / "收到"
    unit_file(folder, GOVERNMENT, new=50, signed="2024-03-20")
    unit_file(folder, "某某县 水利局", new=8, name="水利局.json")  # not on the list: a new unit
    shutil.copy(OFFICE / "office-2021.docx", folder / "重发.docx")  # received before
    (folder / f"{HEALTH}.docx").write_bytes(b"PK\x03\x04 broken")  # unreadable
    window.received_edit.setDate(window.received_edit.date().fromString("2024-03-25", "yyyy-MM-dd"))
    with qtbot.waitSignal(window.readFinished, timeout=WORKER_TIMEOUT_MS) as finished:
        window.add_paths([folder])
        # While reading, the season cannot be switched (the files belong to this one) nor deleted.
        assert window.running and not window.season_combo.isEnabled() and not window.delete_button.isEnabled()
        window.received_edit.setDate(window.received_edit.date().addDays(3))  # counts for the next batch only
    assert finished.args == [False] and window.season_combo.isEnabled()
    messages = [window.messages.item(i).text() for i in range(window.messages.count())]
    assert any("没有重复添加" in m for m in messages)
    assert any("已新建这个单位" in m for m in messages)
    assert any("无法读取" in m and HEALTH in m for m in messages)
    status = window.status_label.text()
    assert "新收 3 个" in status and "重复 1 个" in status and "新建单位 1 个" in status
    names = column(window, UNIT)
    assert names[-1] == "某某县 水利局"
    government = names.index(GOVERNMENT)
    assert column(window, TIMING)[government] == "提前 6 天"
    assert column(window, COLUMNS.index("错误"))[names.index(HEALTH)] == "无法读取"


def test_files_dropped_on_the_window(qtbot: QtBot, window: SeasonWindow, tmp_path: Path) -> None:
    path = unit_file(tmp_path, HEALTH, new=5, signed="2024-01-02")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(QPoint(50, 50)), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.readFinished, timeout=WORKER_TIMEOUT_MS):
        window.dropEvent(event)
    assert column(window, COLUMNS.index("文件"))[4] == path.name


def test_history_and_detail_of_a_replaced_file(
    qtbot: QtBot, window: SeasonWindow, season: Season, tmp_path: Path
) -> None:
    newer = unit_file(tmp_path / "v2", EDUCATION, new=320, signed="2024-02-06")
    import_files(season, [newer], received=date(2024, 2, 7))
    window.refresh()
    assert column(window, NEW)[1] == "323" and column(window, TIMING)[1] == "逾期 7 天"
    window.select_units([EDUCATION])
    click(qtbot, window, "history")
    history = window.dialogs[-1]
    table = history.table  # type: ignore[attr-defined]
    assert table.rowCount() == 2 and table.item(0, 7).text() == "当前版本" and table.item(1, 0).text() == "2024-02-03"
    click(qtbot, window, "view")
    detail = window.dialogs[-1]
    assert "2024年2月7日收到" in detail.detail.text()  # type: ignore[attr-defined]
    assert detail.findings_list.count() > 0  # type: ignore[attr-defined]


def test_units_pasted_in_the_units_dialog(qtbot: QtBot, window: SeasonWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[UnitsDialog] = []

    def run(dialog: UnitsDialog) -> int:
        opened.append(dialog)
        dialog.show()
        paste = dialog.findChild(QPlainTextEdit, "units_paste")
        assert paste is not None
        paste.setPlainText("某某县司法局\t部门\t2024-02-05\n某某县林业局\t局\n")
        click(qtbot, dialog, "units_add")
        assert "第 2 行" in dialog.message.text() and paste.toPlainText()  # nothing added, the text kept
        paste.setPlainText("某某县司法局\t部门\t2024-02-05\n某某县林业局\n")
        click(qtbot, dialog, "units_add")
        assert dialog.message.text() == "添加了 2 个单位。" and paste.toPlainText() == ""
        return 0

    monkeypatch.setattr(UnitsDialog, "exec", run)
    click(qtbot, window, "units")
    assert opened and column(window, UNIT)[-2:] == ["某某县司法局", "某某县林业局"]
    assert column(window, COLUMNS.index("截止日期"))[-2] == "2024-02-05"


def test_seasons_created_renamed_and_deleted(
    qtbot: QtBot, window: SeasonWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = window.create_season("2024年度年报审核", 2024)
    assert created is not None and window.season_combo.currentText() == "2024年度年报审核"
    assert window.model.rowCount() == 0 and window.summary_label.text().startswith("0 个单位")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warnings.append(text))
    assert window.create_season("2024年度年报审核", 2024) is None
    assert warnings == ["已有名为「2024年度年报审核」的审核"]
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    click(qtbot, window, "delete_season")
    assert [window.season_combo.itemText(i) for i in range(window.season_combo.count())] == ["2023年度年报审核"]
    assert window.model.rowCount() == 5


def test_menu_opens_the_window(qtbot: QtBot, db_path: Path) -> None:
    from tests.conftest import open_window

    main, store = open_window(qtbot, db_path)
    action = main.findChild(QAction, "season")
    assert action is not None and action.isEnabled() and action.text() == "年报审核…"
    action.trigger()
    shown = main.season_window
    assert isinstance(shown, SeasonWindow) and shown.isVisible()
    assert shown.season is None and "新建审核" in shown.status_label.text()
    main.close()
    store.close()



def test_totals_open_with_the_selected_or_all_received_units(
    qtbot: QtBot, window: SeasonWindow, tmp_path: Path
) -> None:
    from ui.region_totals import RegionTotalsDialog

    window.table.clearSelection()
    click(qtbot, window, "region_totals")
    dialog = window.dialogs[-1]
    assert isinstance(dialog, RegionTotalsDialog)
    assert [u.name for u in dialog.units] == [MARKET, EDUCATION, FINANCE]  # every unit with a file
    assert dialog.year == YEAR and dialog.agency == GOVERNMENT and dialog.store is window.store
    assert dialog.units[1].report.agency == EDUCATION and dialog.units[1].errors == 2
    dialog.close()
    window.select_units([FINANCE, GOVERNMENT])  # a unit without a file adds nothing
    click(qtbot, window, "region_totals")
    dialog = window.dialogs[-1]
    assert isinstance(dialog, RegionTotalsDialog) and [u.name for u in dialog.units] == [FINANCE]
    dialog.close()


def test_compare_opens_with_the_units_earlier_reports(
    qtbot: QtBot, window: SeasonWindow, store: Store, tmp_path: Path
) -> None:
    from tests.conftest import full_report
    from ui.compare_view import CompareDialog

    store.add_report(full_report(year=YEAR - 1, agency=EDUCATION))
    window.select_units([GOVERNMENT])
    assert not window.compare_button.isEnabled()  # nothing received to compare
    window.select_units([EDUCATION])
    click(qtbot, window, "compare")
    dialog = window.dialogs[-1]
    assert isinstance(dialog, CompareDialog) and dialog.windowTitle() == EDUCATION
    assert (dialog.this.agency, dialog.this.year) == (EDUCATION, YEAR)
    assert dialog.last is not None and dialog.last.year == YEAR - 1
    assert dialog.this.number("s3.new.natural") == 300
    dialog.close()


def test_received_date_corrected_in_its_cell(qtbot: QtBot, window: SeasonWindow) -> None:
    received = COLUMNS.index("收到")
    assert window.proxy.setData(window.proxy.index(1, received), date(2024, 1, 30))  # as the date editor does
    qtbot.waitUntil(lambda: column(window, TIMING)[1] == "提前 1 天")
    assert column(window, received)[1] == "已收到 1月30日"
    assert not window.proxy.flags(window.proxy.index(2, received)) & Qt.ItemFlag.ItemIsEditable  # nothing received


def test_unrecognised_file_put_under_a_unit(
    qtbot: QtBot, window: SeasonWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 not really")
    with qtbot.waitSignal(window.readFinished, timeout=WORKER_TIMEOUT_MS):
        window.add_paths([scan])
    assert column(window, UNIT)[-1] == "（未识别）扫描件.pdf"
    assert window.summary_label.text().endswith("；1 个文件未能确定单位")
    window.select_units(["（未识别）扫描件.pdf"])
    assert window.assign_button.isVisible() and not window.review_button.isEnabled()
    monkeypatch.setattr("ui.season.QInputDialog.getItem", lambda *_a, **_k: (HEALTH, True))
    click(qtbot, window, "assign_file")
    assert "（未识别）扫描件.pdf" not in column(window, UNIT)
    health = column(window, UNIT).index(HEALTH)
    assert column(window, COLUMNS.index("文件"))[health] == "扫描件.pdf"
    assert column(window, COLUMNS.index("错误"))[health] == "无法读取"


def test_changes_saved_elsewhere_appear_when_the_window_is_activated(
    window: SeasonWindow, season: Season, db_path: Path
) -> None:
    other = Store(db_path)  # another window or process
    (info,) = Season.all(other)
    elsewhere = Season(other, info.id)
    elsewhere.set_review(elsewhere.match_unit(EDUCATION).id, REVIEW_PASSED, "另一窗口")  # type: ignore[union-attr]
    other.close()
    assert window.check_external_changes()
    assert column(window, REVIEW)[1] == "通过" and column(window, NOTE)[1] == "另一窗口"
    assert not window.check_external_changes()  # nothing new since


def test_units_changed_and_deleted_in_the_units_dialog(
    qtbot: QtBot, window: SeasonWindow, season: Season, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = UnitsDialog(season, window)
    qtbot.addWidget(dialog)
    dialog.show()
    row = [u.name for u in dialog.units].index(HEALTH)
    kind = dialog.table.cellWidget(row, 1)
    assert isinstance(kind, QComboBox)
    kind.setCurrentIndex(kind.findData("government"))  # saved at once; the default due date follows
    assert {u.name: u.due for u in season.units()}[HEALTH] == date(2024, 3, 31)
    name = dialog.table.item(row, 0)
    assert name is not None
    name.setText("某某县卫生健康委员会")  # renamed in place
    assert "某某县卫生健康委员会" in [u.name for u in season.units()]
    questions: list[str] = []

    def ask(_parent: QWidget, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", ask)
    dialog.table.selectRow([u.name for u in dialog.units].index(EDUCATION))
    click(qtbot, dialog, "units_delete")
    assert "其中 1 个单位已收到文件" in questions[0]
    assert EDUCATION not in [u.name for u in season.units()] and dialog.message.text() == "删除了 1 个单位。"
    window.refresh()
    assert EDUCATION not in column(window, UNIT) and "某某县卫生健康委员会" in column(window, UNIT)
