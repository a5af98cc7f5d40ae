"""The window around the reports: Qt's own dialogs in Chinese, a window that fits the screen and comes
back where it was, redo keys, and the report that was open coming back at the next start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from core.storage import Store
from ui.main_window import MainWindow
from ui.qt_chinese import install_translations

# --- Qt's standard dialogs in Chinese -------------------------------------------------------------


def test_message_box_buttons_are_chinese(qtbot: QtBot) -> None:
    buttons = QMessageBox.StandardButton
    every = buttons.Yes | buttons.No | buttons.Ok | buttons.Cancel
    box = QMessageBox(QMessageBox.Icon.Question, "删除报告", "删除？", every)
    qtbot.addWidget(box)
    assert box.button(buttons.Yes).text() == "是(&Y)"
    assert box.button(buttons.No).text() == "否(&N)"
    assert box.button(buttons.Ok).text() == "确定"
    assert box.button(buttons.Cancel).text() == "取消"


def test_translation_is_installed_once(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    assert install_translations(app)
    assert install_translations(app)
    assert QApplication.translate("QPlatformTheme", "&Yes") == "是(&Y)"


def test_the_apps_own_question_shows_chinese_buttons(qtbot: QtBot, store: Store) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    seen: list[list[str]] = []

    def look(tries: int = 50) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if tries:
                QTimer.singleShot(20, lambda: look(tries - 1))
            return
        seen.append(sorted(b.text() for b in box.buttons()))
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, look)
    window.reports.action("delete_report").trigger()  # asks 删除报告？ with Yes/No
    assert seen == [["否(&N)", "是(&Y)"]]
    assert window.reports.model.rowCount() == 1  # 否 kept it


def _file_dialog(qtbot: QtBot, mode: QFileDialog.AcceptMode) -> QFileDialog:
    dialog = QFileDialog(None, "导入报告文件")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(mode)
    qtbot.addWidget(dialog)
    return dialog


def test_file_chooser_is_chinese(qtbot: QtBot) -> None:
    dialog = _file_dialog(qtbot, QFileDialog.AcceptMode.AcceptOpen)
    box = dialog.findChild(QDialogButtonBox)
    assert [b.text() for b in box.buttons()] == ["打开(&O)", "取消"]
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert labels == {"查找范围(&L)：", "文件名称(&N)：", "文件类型(&T)："}
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    assert [b.text() for b in box.buttons()] == ["保存(&S)", "取消"]


def test_print_dialog_is_chinese(qtbot: QtBot) -> None:
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "打印"
    texts = {b.text() for b in dialog.findChildren(QPushButton)}
    assert {"打印(&P)", "取消"} <= texts
    assert not [t for t in texts if re.search("[A-Za-z]", re.sub(r"\(&[A-Z]\)", "", t))]  # 属性(&R) is Chinese


def test_launch_loads_the_translation_before_the_window(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    """ui.app.launch installs it (the test application has it already, so look at the call)."""
    import ui.app
    import ui.qt_chinese

    calls: list[object] = []
    monkeypatch.setattr(ui.qt_chinese, "install_translations", lambda app: calls.append(app) or True)

    class Refused(Exception):
        pass

    def refuse(_db: Path) -> None:
        raise Refused

    monkeypatch.setattr("ui.single_instance.InstanceGuard", refuse)
    with pytest.raises(Refused):
        ui.app.launch(db_path)
    assert calls == [QApplication.instance()]


# --- redo keys ------------------------------------------------------------------------------------


def _open_seed(qtbot: QtBot, store: Store) -> MainWindow:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts answer in the active window
    window.open_report(store.list_reports()[0].id)
    assert window.session is not None
    return window


def test_redo_is_ctrl_y_and_ctrl_shift_z_on_every_platform(qtbot: QtBot, store: Store) -> None:
    window = _open_seed(qtbot, store)
    # Bound as such, not through the platform's standard Redo (only Ctrl+Shift+Z on Linux desktops).
    assert [k.toString() for k in window.act_redo.shortcuts()] == ["Ctrl+Y", "Ctrl+Shift+Z"]
    assert QKeySequence("Ctrl+Z") in window.act_undo.shortcuts()
    session, editor = window.session, window.editor
    assert session is not None and editor is not None
    target = editor.tabs.tabBar()  # a widget with no keys of its own: the window's shortcuts answer
    target.setFocus()
    session.edit_cells({"s3.new.natural": "6"})
    for redo in (
        (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
    ):
        qtbot.keyClick(target, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert session.display("s3.new.natural") == ""
        qtbot.keyClick(target, *redo)
        assert session.display("s3.new.natural") == "6"
