"""The start screen and its dialogs, driven like a clerk would: list, new, from last year, copy,
delete and restore, import, export and the agency profile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from core.errors import UserError
from core.reportfile import read_report_file
from core.storage import AgencyProfile, Store
from reading.formats import read_report
from tests.conftest import SAMPLES_DIR
from ui.dialogs import AgencyProfileDialog, DuplicateDialog, NewReportDialog, NextYearDialog
from ui.import_preview import ImportPreviewDialog
from ui.reports_list import (
    AGENCY,
    COLUMNS,
    ERROR_COLOR,
    ERRORS,
    WARNINGS,
    YEAR,
    RecycleBinDialog,
    ReportsListWidget,
)

SAMPLES = SAMPLES_DIR
PINGTAN_2022 = SAMPLES / "real" / "2022_pingtan.json"
SEED_AGENCY = "四平市铁西区人民政府办公室"
NEW_AGENCY = "平潭综合实验区管委会办公室"


# --- helpers -------------------------------------------------------------------------------------


def type_chinese(widget: QWidget, text: str) -> None:
    """What an input method does when the user picks the characters (keyClicks cannot type Chinese)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def type_year(qtbot: QtBot, dialog: QDialog, year: int) -> None:
    spin = dialog.findChild(QSpinBox, "year")
    spin.selectAll()
    qtbot.keyClicks(spin, str(year))
    assert spin.value() == year


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer_next_box(button_name: str) -> None:
    """Click a button of the message box that is about to run modally (its exec() runs the timer)."""

    def press(tries: int = 50) -> None:
        box = QApplication.activeModalWidget()
        if box is None or box.findChild(QPushButton, button_name) is None:
            if tries:
                QTimer.singleShot(20, lambda: press(tries - 1))
            return
        box.findChild(QPushButton, button_name).click()

    QTimer.singleShot(0, press)


def returning(value: Any, calls: list[tuple[Any, ...]]) -> Callable[..., Any]:
    def fake(*args: Any, **_kwargs: Any) -> Any:
        calls.append(args)
        return value

    return fake


def row_texts(widget: ReportsListWidget, row: int) -> list[str]:
    return [widget.proxy.index(row, c).data() for c in range(len(COLUMNS))]


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def seed_id(store: Store) -> int:
    found = store.find(SEED_AGENCY, 2020)
    assert found is not None
    return found


@pytest.fixture
def reports(qtbot: QtBot, store: Store) -> ReportsListWidget:
    widget = ReportsListWidget(store)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# --- the list ------------------------------------------------------------------------------------


def test_new_database_lists_the_example_report_with_its_four_errors(
    reports: ReportsListWidget, seed_id: int, qtmodeltester: Any
) -> None:
    qtmodeltester.check(reports.model)
    assert reports.model.rowCount() == 1
    assert [reports.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))] == [
        "机关", "年度", "格式", "状态", "公开期限", "错误", "提示", "最后修改",
    ]
    # A draft of 2020 is long past its round: its due date is shown, without a countdown or highlight.
    assert row_texts(reports, 0)[:7] == [SEED_AGENCY, "2020", "2019版（试行）", "草稿", "2021-01-31", "4", "1"]
    assert reports.proxy.index(0, ERRORS).data(Qt.ItemDataRole.ForegroundRole) == ERROR_COLOR
    assert reports.proxy.index(0, WARNINGS).data(Qt.ItemDataRole.ForegroundRole) is None
    # The only report is selected, so Enter opens it and the actions on it are ready.
    assert reports.selected_id() == seed_id
    assert reports.action("new_from_last_year").isEnabled()
    assert reports.findChild(QWidget, "new_report_button") is not None
    assert not reports.findChild(QWidget, "first_run").isHidden()  # only the example: the first steps


def test_double_click_and_enter_ask_to_open_the_report(
    qtbot: QtBot, reports: ReportsListWidget, seed_id: int
) -> None:
    opened: list[int] = []
    reports.openRequested.connect(opened.append)
    rect = reports.table.visualRect(reports.proxy.index(0, AGENCY))
    with qtbot.waitSignal(reports.openRequested):
        # A real double-click starts with a press (QTest's double-click event alone has none).
        qtbot.mouseClick(reports.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(reports.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [seed_id]
    reports.table.setFocus()
    with qtbot.waitSignal(reports.openRequested):
        qtbot.keyClick(reports.table, Qt.Key.Key_Return)
    assert opened == [seed_id, seed_id]


def test_sorting_by_a_header_and_refresh_keep_the_selected_report(
    qtbot: QtBot, reports: ReportsListWidget, store: Store, seed_id: int
) -> None:
    pingtan_id = store.add_report(read_report(PINGTAN_2022))
    reports.refresh()
    assert [row_texts(reports, r)[YEAR] for r in range(2)] == ["2022", "2020"]  # newest first
    reports.select_report(seed_id)
    reports.table.sortByColumn(YEAR, Qt.SortOrder.AscendingOrder)
    assert [row_texts(reports, r)[YEAR] for r in range(2)] == ["2020", "2022"]
    store.set_cell(seed_id, "s3.new.natural", 5)
    reports.refresh()
    assert reports.selected_id() == seed_id
    reports.select_report(pingtan_id)
    reports.refresh()
    assert reports.selected_id() == pingtan_id


# --- new report ----------------------------------------------------------------------------------


def test_new_report_dialog_creates_a_2025_report_and_opens_it(
    qtbot: QtBot, reports: ReportsListWidget, store: Store
) -> None:
    reports.action("new_report").trigger()
    dialog = reports.findChild(NewReportDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.year == QDate.currentDate().year() - 1  # written in January for last year
    type_chinese(dialog.findChild(QComboBox, "agency").lineEdit(), NEW_AGENCY)
    type_year(qtbot, dialog, 2025)
    assert dialog.findChild(QComboBox, "template").currentText() == "2021版"
    assert dialog.findChild(QLabel, "template_warning").isHidden()
    type_chinese(dialog.findChild(QLineEdit, "contact.address"), "平潭县金井湾大道1号")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "contact.postcode"), "350400")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "contact.phone"), "0591-24341234")
    with qtbot.waitSignal(reports.openRequested) as opened:
        click(qtbot, dialog, "ok")
    new_id = store.find(NEW_AGENCY, 2025)
    assert new_id is not None and opened.args == [new_id]
    report = store.load(new_id)
    assert report.template_id == "2021"
    assert report.title == f"{NEW_AGENCY}2025年政府信息公开工作年度报告"
    assert report.contact.address == "平潭县金井湾大道1号" and "邮编：350400" in report.preamble
    # The contact is remembered for the agency, and the list shows and selects the new report.
    assert store.agency_profile(NEW_AGENCY).phone == "0591-24341234"
    assert reports.model.rowCount() == 2 and reports.selected_id() == new_id
    assert row_texts(reports, 0)[:4] == [NEW_AGENCY, "2025", "2021版", "草稿"]


def test_new_report_template_follows_the_year_and_an_override_is_explained(
    qtbot: QtBot, reports: ReportsListWidget, store: Store
) -> None:
    dialog = reports.new_report()
    template = dialog.findChild(QComboBox, "template")
    warning = dialog.findChild(QLabel, "template_warning")
    type_chinese(dialog.findChild(QComboBox, "agency").lineEdit(), NEW_AGENCY)
    type_year(qtbot, dialog, 2020)
    assert template.currentData() == "2019" and warning.isHidden()
    template.setFocus()
    qtbot.keyClick(template, Qt.Key.Key_Up)  # the user picks 2021版 for a 2020 report
    assert template.currentData() == "2021"
    assert not warning.isHidden()
    assert "2020 年度应使用「2019版（试行）」格式" in warning.text() and "2021 年度及以后" in warning.text()
    type_year(qtbot, dialog, 2022)  # a picked format stays picked; now it suits the year
    assert template.currentData() == "2021" and warning.isHidden()
    type_year(qtbot, dialog, 2020)
    assert template.currentData() == "2021" and not warning.isHidden()
    click(qtbot, dialog, "ok")
    report = store.load(dialog.report_id)
    assert (report.year, report.template_id) == (2020, "2021")
    assert "国办公开办函〔2021〕30号" in report.preamble
    assert report.text("s1").splitlines()[0] == "（一）主动公开"


def test_new_report_refuses_an_agency_and_year_that_exist(
    qtbot: QtBot, reports: ReportsListWidget, store: Store
) -> None:
    dialog = reports.new_report()
    error = dialog.findChild(QLabel, "error")
    click(qtbot, dialog, "ok")
    assert dialog.isVisible() and error.text() == "请填写机关名称。"
    type_chinese(dialog.findChild(QComboBox, "agency").lineEdit(), SEED_AGENCY)
    type_year(qtbot, dialog, 2020)
    click(qtbot, dialog, "ok")
    assert dialog.isVisible() and not error.isHidden()
    assert f"已有「{SEED_AGENCY}」2020 年度报告" in error.text()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "contact.email"), "not-an-address")
    type_year(qtbot, dialog, 2024)
    click(qtbot, dialog, "ok")
    assert dialog.isVisible() and "邮箱「not-an-address」不对" in error.text()
    assert len(store.list_reports()) == 1
    click(qtbot, dialog, "cancel")
    assert not dialog.isVisible() and reports.model.rowCount() == 1


# --- from last year, duplicate -------------------------------------------------------------------


def next_year_dialog(reports: ReportsListWidget) -> NextYearDialog:
    dialog = reports.new_from_last_year()
    assert isinstance(dialog, NextYearDialog) and dialog.isVisible()
    return dialog


def test_from_last_year_asks_the_year_shows_the_carry_over_and_creates_2021(
    qtbot: QtBot, reports: ReportsListWidget, store: Store, seed_id: int
) -> None:
    store.set_cell(seed_id, "s3.carried_forward.natural", 3)
    store.save_agency_profile(AgencyProfile(SEED_AGENCY, phone="0434-1234567"))
    reports.refresh()
    opened: list[int] = []
    reports.openRequested.connect(opened.append)
    dialog = next_year_dialog(reports)
    assert store.find(SEED_AGENCY, 2021) is None  # nothing is created before the clerk says so
    assert dialog.year == 2021
    shown = dialog.findChild(QLabel, "carry_over").text()
    assert "上年结转" in shown and "2020 年度报告" in shown and "自然人 3" in shown
    assert "电话 0434-1234567" in shown and "（一）主动公开" in shown
    assert "格式不统计这一项" in shown  # the 2019 format counted no documents in force to carry
    click(qtbot, dialog, "cancel")
    assert store.find(SEED_AGENCY, 2021) is None and not opened

    dialog = next_year_dialog(reports)
    click(qtbot, dialog, "ok")
    new_id = store.find(SEED_AGENCY, 2021)
    assert new_id is not None and opened == [new_id]
    report = store.load(new_id)
    assert (report.agency, report.year, report.template_id) == (SEED_AGENCY, 2021, "2021")
    assert report.number("s3.carried_over.natural") == 3
    assert report.number("s3.carried_over.legal") == 0
    assert report.contact.phone == "0434-1234567"  # from the agency profile
    assert report.contact.address == "四平市铁西区海丰大街2118号"  # not in the profile: kept from 2020
    assert report.text("s5") == ""
    assert reports.selected_id() == new_id and reports.model.rowCount() == 2


def test_from_last_year_defaults_to_a_year_without_a_report_and_refuses_the_others(
    qtbot: QtBot, reports: ReportsListWidget, store: Store, seed_id: int
) -> None:
    dialog = next_year_dialog(reports)
    click(qtbot, dialog, "ok")
    first = store.find(SEED_AGENCY, 2021)
    assert first is not None
    store.set_cell(first, "s2.regulations.in_force", 9)

    # Again from the 2020 report: 2021 exists, so the dialog offers 2022, carried from 2021.
    reports.select_report(seed_id)
    dialog = next_year_dialog(reports)
    ok = dialog.findChild(QPushButton, "ok")
    assert dialog.year == 2022 and ok.isEnabled()
    shown = dialog.findChild(QLabel, "carry_over").text()
    assert "2021 年度报告" in shown and "规章 9" in shown  # 现行有效件数 carried
    type_year(qtbot, dialog, 2021)
    error = dialog.findChild(QLabel, "error")
    assert not ok.isEnabled() and "已有" in error.text() and "2021 年度报告" in error.text()
    dialog.accept()  # Enter or a stray call creates nothing
    type_year(qtbot, dialog, 2024)
    assert not ok.isEnabled() and "没有" in error.text() and "2023 年度报告" in error.text()
    type_year(qtbot, dialog, 2022)
    assert ok.isEnabled() and not error.isVisible()
    click(qtbot, dialog, "ok")
    second = store.find(SEED_AGENCY, 2022)
    assert second is not None and store.load(second).number("s2.regulations.in_force") == 9
    assert len(store.list_reports()) == 3


def test_duplicate_copies_numbers_and_texts_to_another_year(
    qtbot: QtBot, reports: ReportsListWidget, store: Store, seed_id: int
) -> None:
    reports.action("duplicate_report").trigger()
    dialog = reports.findChild(DuplicateDialog)
    assert dialog is not None and dialog.year == 2021  # default: next year
    assert not dialog.findChild(QLabel, "template_note").isHidden()  # 2021 uses the other format
    type_year(qtbot, dialog, 2020)
    assert dialog.findChild(QLabel, "template_note").isHidden()
    click(qtbot, dialog, "ok")  # same agency and year: refused
    assert dialog.isVisible() and "只能有一份报告" in dialog.findChild(QLabel, "error").text()
    type_year(qtbot, dialog, 2019)
    click(qtbot, dialog, "ok")
    assert not dialog.isVisible()
    copy_id = store.find(SEED_AGENCY, 2019)
    assert copy_id is not None and copy_id != seed_id
    source, copied = store.load(seed_id), store.load(copy_id)
    assert copied.inputs == source.inputs and copied.texts == source.texts
    assert copied.template_id == source.template_id == "2019"
    assert copied.title == "四平市铁西区人民政府2019年政府信息公开工作年度报告"
    assert store.status(copy_id) == "draft"
    assert reports.selected_id() == copy_id and reports.model.rowCount() == 2


# --- delete and the recycle bin ------------------------------------------------------------------


def test_delete_asks_first_and_the_recycle_bin_restores(
    qtbot: QtBot, reports: ReportsListWidget, store: Store, seed_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QMessageBox, "question", returning(QMessageBox.StandardButton.No, asked))
    reports.action("delete_report").trigger()
    assert asked and "回收站" in asked[0][2]
    assert reports.model.rowCount() == 1  # declined: nothing happened

    monkeypatch.setattr(QMessageBox, "question", returning(QMessageBox.StandardButton.Yes, asked))
    with qtbot.waitSignal(reports.reportDeleted) as deleted:
        reports.action("delete_report").trigger()
    assert deleted.args == [seed_id]
    assert reports.model.rowCount() == 0 and not reports.findChild(QWidget, "first_run").isHidden()
    assert not reports.action("delete_report").isEnabled()

    reports.action("recycle_bin").trigger()
    recycle_bin = reports.findChild(RecycleBinDialog)
    assert recycle_bin is not None and recycle_bin.isVisible()
    assert recycle_bin.model.rowCount() == 1
    assert recycle_bin.proxy.index(0, AGENCY).data() == SEED_AGENCY
    click(qtbot, recycle_bin, "restore")
    assert recycle_bin.model.rowCount() == 0
    assert reports.model.rowCount() == 1 and reports.selected_id() == seed_id
    assert store.list_reports(deleted=True) == []


def test_restore_is_refused_when_the_agency_and_year_was_stored_again(
    qtbot: QtBot, reports: ReportsListWidget, store: Store, seed_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.delete(seed_id)
    again = store.add_report(store.load(seed_id))
    reports.refresh()
    warned: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QMessageBox, "warning", returning(QMessageBox.StandardButton.Ok, warned))
    recycle_bin = reports.show_recycle_bin()
    click(qtbot, recycle_bin, "restore")
    assert "只能有一份报告" in warned[0][2]
    assert [s.id for s in store.list_reports()] == [again]


# --- import and export ---------------------------------------------------------------------------


def import_through_preview(qtbot: QtBot, reports: ReportsListWidget) -> ImportPreviewDialog:
    """Trigger 导入报告文件 and wait until the preview has read the file (it reads in a worker)."""
    reports.action("import_report").trigger()
    dialog = reports.findChildren(ImportPreviewDialog)[-1]
    qtbot.waitUntil(lambda: dialog.state != "reading", timeout=10000)
    return dialog


def test_import_lists_the_file_and_never_overwrites_without_asking(
    qtbot: QtBot, reports: ReportsListWidget, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", returning((str(PINGTAN_2022), ""), []))
    dialog = import_through_preview(qtbot, reports)
    assert store.find("平潭综合实验区", 2022) is None  # the preview stores nothing by itself
    click(qtbot, dialog, "import")
    first = store.find("平潭综合实验区", 2022)
    assert first is not None and reports.selected_id() == first
    assert row_texts(reports, 0)[:4] == ["平潭综合实验区", "2022", "2021版", "草稿"]
    dialog.close()
    store.set_text(first, "s6", "导入后本机关补充的内容")

    dialog = import_through_preview(qtbot, reports)  # the preview says it would replace: 替换 / 取消
    assert dialog.findChild(QPushButton, "import").text() == "替换（原报告移入回收站）"
    click(qtbot, dialog, "cancel")
    assert store.find("平潭综合实验区", 2022) == first
    assert store.load(first).text("s6") == "导入后本机关补充的内容"
    assert reports.model.rowCount() == 2

    dialog = import_through_preview(qtbot, reports)
    with qtbot.waitSignal(reports.reportDeleted) as replaced:
        click(qtbot, dialog, "import")
    assert replaced.args == [first]
    second = store.find("平潭综合实验区", 2022)
    assert second not in (None, first)
    assert store.load(second).text("s6") != "导入后本机关补充的内容"
    assert [s.id for s in store.list_reports(deleted=True)] == [first]  # the old one is recoverable
    assert reports.model.rowCount() == 2 and reports.selected_id() == second


@pytest.mark.parametrize(
    ("name", "content"), [("broken.json", "{这不是 JSON"), ("报告.txt", "随便什么"), ("empty.json", "")]
)
def test_an_unreadable_file_shows_its_one_line_reason(
    qtbot: QtBot, reports: ReportsListWidget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(UserError) as expected:
        read_report(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", returning((str(path), ""), []))
    dialog = import_through_preview(qtbot, reports)
    message = dialog.findChild(QLabel, "status").text()
    assert message == f"无法读取「{name}」：{expected.value}"
    assert "\n" not in message and "Traceback" not in message
    assert not dialog.findChild(QPushButton, "import").isEnabled()
    assert reports.model.rowCount() == 1


def test_export_writes_a_report_file_offered_in_the_documents_folder(
    reports: ReportsListWidget, store: Store, seed_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", returning((str(tmp_path / "铁西区年报"), ""), offered))
    messages: list[str] = []
    reports.statusMessage.connect(messages.append)
    reports.action("export_report").trigger()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    suggested = Path(offered[0][2])
    assert suggested.parent == Path(documents)
    assert suggested.name == "四平市铁西区人民政府2020年政府信息公开工作年度报告.json"
    target = tmp_path / "铁西区年报.json"  # the suffix is added when the user leaves it out
    back = read_report_file(target)
    stored = store.load(seed_id)
    assert (back.agency, back.year, back.inputs) == (stored.agency, stored.year, stored.inputs)
    assert messages == [f"已导出：{target}"]


def test_export_failure_is_one_chinese_line(
    reports: ReportsListWidget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "不存在的文件夹" / "年报.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", returning((str(missing), ""), []))
    warned: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QMessageBox, "warning", returning(QMessageBox.StandardButton.Ok, warned))
    assert reports.export_selected() is None
    assert warned[0][2].startswith("无法写入") and "\n" not in warned[0][2]


# --- agency profile ------------------------------------------------------------------------------


def test_agency_profile_dialog_validates_and_saves(
    qtbot: QtBot, reports: ReportsListWidget, store: Store
) -> None:
    reports.action("agency_profile").trigger()
    dialog = reports.findChild(AgencyProfileDialog)
    assert dialog is not None and dialog.isVisible()
    name = dialog.findChild(QLineEdit, "name")
    # The example's agency is not the user's: a new agency, its name typed.
    assert name.text() == "" and not name.isReadOnly()
    assert dialog.findChild(QPushButton, "regenerate_preamble").isHidden()  # no open report here
    error = dialog.findChild(QLabel, "error")
    type_chinese(name, NEW_AGENCY)
    type_chinese(dialog.findChild(QLineEdit, "address"), "四平市铁西区英雄大街1号")
    postcode = dialog.findChild(QLineEdit, "postcode")
    qtbot.keyClicks(postcode, "13600")
    click(qtbot, dialog, "ok")
    assert dialog.isVisible() and "邮编应为 6 位数字" in error.text()
    assert NEW_AGENCY not in {p.name for p in store.agencies()}  # nothing saved
    retype(qtbot, postcode, "")
    type_chinese(postcode, "１３６０００")  # full-width digits from a Chinese input method
    email = dialog.findChild(QLineEdit, "email")
    qtbot.keyClicks(email, "txzwgk126.com")
    click(qtbot, dialog, "ok")
    assert dialog.isVisible() and "邮箱「txzwgk126.com」不对" in error.text()
    retype(qtbot, email, "txzwgk@126.com")
    type_chinese(dialog.findChild(QLineEdit, "signer"), "张明")
    zero_print = dialog.findChild(QComboBox, "zero_print")
    assert zero_print.currentText() == "印 0"
    zero_print.setFocus()
    qtbot.keyClick(zero_print, Qt.Key.Key_Down)
    assert zero_print.currentText() == "留空"
    click(qtbot, dialog, "ok")
    assert not dialog.isVisible()
    assert store.agency_profile(NEW_AGENCY) == AgencyProfile(
        NEW_AGENCY, "四平市铁西区英雄大街1号", "136000", "", "txzwgk@126.com", "张明", "blank"
    )
    assert store.agency_profile(SEED_AGENCY).address == ""  # the example's agency untouched


def test_agency_profile_regenerates_a_preamble_without_writing_the_report(
    qtbot: QtBot, store: Store, seed_id: int
) -> None:
    dialog = AgencyProfileDialog(store, SEED_AGENCY, year=2020)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "phone"), "0434-3273010")
    before = store.load(seed_id).preamble
    with qtbot.waitSignal(dialog.preambleGenerated) as generated:
        click(qtbot, dialog, "regenerate_preamble")
    text = generated.args[0]
    assert text == dialog.generated_preamble
    assert "2020年1月1日" in text and "电话：0434-3273010" in text and SEED_AGENCY in text
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert store.agency_profile(SEED_AGENCY).phone == "0434-3273010"
    assert store.load(seed_id).preamble == before  # applying it is the caller's (undoable) edit
