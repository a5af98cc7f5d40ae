"""A first launch as a new clerk meets it: the start screen says what to do (set up the agency, then
make this year's report), 机关信息 is the clerk's own agency with a name that can be typed, and
文件 → 新建报告 is there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from core.storage import AgencyProfile, Store
from tests.conftest import SAMPLES_DIR, full_report
from ui.dialogs import AgencyProfileDialog, NewReportDialog, NextYearDialog, default_year
from ui.first_run import FirstRunPanel, own_agency, sample_report
from ui.import_preview import ImportPreviewDialog
from ui.main_window import MainWindow

OWN = "某市某区司法局"
SEED_AGENCY = "四平市铁西区人民政府办公室"


def type_chinese(widget: QWidget, text: str) -> None:
    """What an input method does (qtbot.keyClicks cannot type Chinese)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def start(qtbot: QtBot, store: Store) -> MainWindow:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def panel(window: MainWindow) -> FirstRunPanel:
    found = window.reports.findChild(FirstRunPanel, "first_run")
    assert found is not None
    return found


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None and button.isVisible(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def dialog_of(window: MainWindow, kind: type) -> object:
    found = [d for d in window.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, kind
    return found[0]


def test_the_example_report_is_recognised() -> None:
    assert sample_report() == (SEED_AGENCY, 2020)


def test_first_screen_says_what_to_do(qtbot: QtBot, store: Store) -> None:
    window = start(qtbot, store)
    steps = panel(window)
    assert steps.isVisible()
    step1 = steps.findChild(QLabel, "first_run_step1").text()
    assert step1.startswith("第一步：设置本机关信息")
    assert steps.findChild(QLabel, "first_run_step2").text() == f"第二步：新建 {default_year()} 年度的报告："
    names = [b.text() for b in steps.findChildren(QPushButton)]
    assert names == ["设置本机关信息…", "从上年报告创建…", "从文件导入…", "新建空白报告…"]
    assert "是示例" in steps.findChild(QLabel, "first_run_sample").text()
    assert window.reports.action("agency_profile").isEnabled()


@pytest.mark.parametrize("store_seed", [False])
def test_an_empty_database_shows_the_steps_without_the_example_note(qtbot: QtBot, store: Store) -> None:
    window = start(qtbot, store)
    assert panel(window).isVisible()
    assert not panel(window).findChild(QLabel, "first_run_sample").isVisible()
    assert window.reports.action("agency_profile").isEnabled()  # nothing to select, still there


def test_setting_up_the_agency_then_a_blank_report_ends_the_first_run(qtbot: QtBot, store: Store) -> None:
    window = start(qtbot, store)
    steps = panel(window)
    click(qtbot, steps, "first_run_agency")
    dialog = dialog_of(window, AgencyProfileDialog)
    assert isinstance(dialog, AgencyProfileDialog)
    name = dialog.findChild(QLineEdit, "name")
    assert name.text() == "" and not name.isReadOnly()  # not the example's agency: the clerk's, typed
    assert dialog.windowTitle() == "机关信息（新机关）"
    type_chinese(name, OWN)
    qtbot.keyClicks(dialog.findChild(QLineEdit, "phone"), "0571-12345678")
    click(qtbot, dialog, "ok")
    assert store.agency_profile(OWN).phone == "0571-12345678"
    assert store.agency_profile(SEED_AGENCY).phone == ""
    assert steps.findChild(QLabel, "first_run_step1").text() == f"第一步：本机关信息 ✓ 已设置「{OWN}」（可以再修改）"
    assert window.statusBar().currentMessage() == f"已保存「{OWN}」的机关信息"

    # 机关信息 again (the example still selected): the clerk's agency, its name still editable (no report yet).
    window.reports.action("agency_profile").trigger()
    again = dialog_of(window, AgencyProfileDialog)
    assert isinstance(again, AgencyProfileDialog)
    assert again.findChild(QLineEdit, "name").text() == OWN
    assert again.findChild(QLineEdit, "phone").text() == "0571-12345678"
    again.reject()

    click(qtbot, steps, "first_run_blank")
    new = dialog_of(window, NewReportDialog)
    assert isinstance(new, NewReportDialog)
    assert new.findChild(QComboBox, "agency").currentText() == OWN
    assert new.findChild(QLineEdit, "contact.phone").text() == "0571-12345678"
    click(qtbot, new, "ok")
    assert window.session is not None and window.session.report.agency == OWN
    window.show_list()
    assert steps.isHidden()  # the clerk has a report: the list alone


def test_from_last_years_report_without_one_reads_last_years_file(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = start(qtbot, store)
    chosen = SAMPLES_DIR / "real" / "2019_pingtan.json"
    asked: list[str] = []

    def choose(_parent: QWidget, title: str, *_args: object) -> tuple[str, str]:
        asked.append(title)
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    click(qtbot, panel(window), "first_run_next_year")
    assert asked == ["导入报告文件"]
    assert "导入后点击「从此报告创建下一年度报告…」" in window.statusBar().currentMessage()
    preview = dialog_of(window, ImportPreviewDialog)
    assert isinstance(preview, ImportPreviewDialog) and preview.path == chosen
    preview.reject()


def test_from_last_years_report_with_one_asks_for_next_year(qtbot: QtBot, store: Store) -> None:
    store.add_report(full_report("2021", 2023, agency=OWN))
    window = start(qtbot, store)
    assert panel(window).isHidden()
    assert own_agency(store) == OWN
    window.reports.new_from_last_years_report()
    dialog = dialog_of(window, NextYearDialog)
    assert isinstance(dialog, NextYearDialog)
    assert dialog.agency == OWN and dialog.year == 2024


def test_an_agency_with_reports_says_why_its_name_is_fixed(qtbot: QtBot, store: Store) -> None:
    store.add_report(full_report("2021", 2023, agency=OWN))
    dialog = AgencyProfileDialog(store, OWN)
    qtbot.addWidget(dialog)
    dialog.show()
    name = dialog.findChild(QLineEdit, "name")
    assert name.isReadOnly()
    note = dialog.findChild(QLabel, "name_note")
    assert note.isVisible() and "已有报告以这个名称保存" in note.text()  # said, not only in a tooltip


def test_typing_a_known_agency_brings_its_details(qtbot: QtBot, store: Store) -> None:
    store.save_agency_profile(AgencyProfile(OWN, address="某区某路1号", signer="李华"))
    dialog = AgencyProfileDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    name = dialog.findChild(QLineEdit, "name")
    type_chinese(name, OWN)
    name.editingFinished.emit()
    assert dialog.findChild(QLineEdit, "address").text() == "某区某路1号"
    assert dialog.findChild(QLineEdit, "signer").text() == "李华"


def test_file_menu_has_new_report_even_with_a_report_open(qtbot: QtBot, store: Store) -> None:
    window = start(qtbot, store)
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "文件(&F)")
    assert file_menu.actions()[0] is window.act_new and window.act_new.text() == "新建报告…"
    assert window.act_new.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    window.open_report(store.list_reports()[0].id)
    window.act_new.trigger()
    dialog = dialog_of(window, NewReportDialog)
    assert isinstance(dialog, NewReportDialog)
    assert dialog.findChild(QComboBox, "agency").currentText() == ""  # the example is not the clerk's


def test_ctrl_n_in_the_list_is_the_windows_new_report(qtbot: QtBot, store: Store) -> None:
    window = start(qtbot, store)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.reports.table.setFocus()
    qtbot.keyClick(window.reports.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(dialog_of(window, NewReportDialog), NewReportDialog)  # one binding, not two ambiguous ones
