"""The app driven as a clerk would: open the example, type, undo, follow findings, finalise, restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from core.storage import Store
from tests.conftest import open_window
from ui import dialogs
from ui import editor as editor_module
from ui.app import NO_DISPLAY, display_available
from ui.main_window import MainWindow


def type_chinese(widget: QWidget, text: str) -> None:
    """What an input method does: commit a string (qtbot.keyClicks cannot type Chinese)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def open_seed(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    (summary,) = store.list_reports()
    window.open_report(summary.id)
    assert window.session is not None
    assert "四平市铁西区人民政府办公室 2020 年度报告" in window.windowTitle()


def click_cell(qtbot: QtBot, window: MainWindow, cell_id: str) -> None:
    assert window.editor is not None
    section = cell_id.split(".")[0]
    window.editor.show_section(section)
    view = window.editor.grids[section]
    index = window.editor.models[section].index_of(cell_id)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.currentIndex() == index


def test_typing_numbers_updates_totals_and_findings_and_undo_restores(qtbot: QtBot, db_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    session = window.session
    assert session is not None
    assert window.counts_label.text() == "错误 4 · 提示 1"
    click_cell(qtbot, window, "s3.new.natural")
    view = window.editor.grids["s3"]  # type: ignore[union-attr]
    qtbot.keyClicks(view, "6")
    qtbot.keyClick(view.focusWidget() or view, Qt.Key.Key_Return)
    assert session.display("s3.new.natural") == "6"
    assert session.display("s3.new.total") == "6"
    # The natural column balances now; the printed blank totals of the file gave way to sums.
    assert window.counts_label.text().startswith("错误 0")
    assert window.saved_label.text().startswith("已保存")
    model = window.editor.models["s3"]  # type: ignore[union-attr]
    assert model.data(model.index_of("s3.new.total")) == "6"
    window.act_undo.trigger()
    assert session.display("s3.new.natural") == ""
    assert window.counts_label.text() == "错误 4 · 提示 1"
    window.act_redo.trigger()
    assert session.display("s3.new.natural") == "6"


def test_clicking_a_finding_opens_its_tab_and_selects_its_cell(qtbot: QtBot, db_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    editor = window.editor
    assert editor is not None
    editor.show_section("cover")
    panel = editor.findings
    assert panel.item(0).text() == "错误（4）"
    item = panel.finding_items("error")[0]
    assert "「自然人」列：本年新收 0 + 上年结转 0" in item.text()
    rect = panel.visualItemRect(item)
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.tabs.currentIndex() == editor.tab_index["s3"]
    view = editor.grids["s3"]
    assert view.currentIndex() == editor.models["s3"].index_of("s3.new.natural")


def test_final_is_refused_with_errors_and_makes_the_report_read_only(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    window.act_final.trigger()
    assert warned and "4 个错误" in warned[0]
    session = window.session
    assert session is not None and not session.final
    # Fix the errors, acknowledge the warnings, and finalise.
    session.edit_cells({"s3.new.natural": "6"})
    asked: list[int] = []
    monkeypatch.setattr(
        dialogs, "confirm_finalise", lambda _parent, _report, warnings: asked.append(len(warnings)) or True
    )
    window.act_final.trigger()
    assert session.final and asked == [session.counts()[1]]
    assert "已定稿" in window.windowTitle()
    model = window.editor.models["s3"]  # type: ignore[union-attr]
    assert not model.flags(model.index_of("s3.new.commercial")) & Qt.ItemFlag.ItemIsEditable
    assert window.editor.text_fields["s5"].isReadOnly()  # type: ignore[union-attr]
    monkeypatch.setattr(editor_module, "confirm_unfinalise", lambda _parent: True)
    window.act_final.trigger()  # reopen
    assert not session.final
    assert [r.label for r in store.revisions(session.report_id)][-2:] == ["定稿", "撤销定稿"]


def test_text_sections_take_chinese_input_and_the_summary_sentence(qtbot: QtBot, db_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    editor = window.editor
    assert editor is not None and window.session is not None
    editor.show_section("s5")
    field = editor.text_fields["s5"]
    field.setFocus()
    field.moveCursor(field.textCursor().MoveOperation.End)
    type_chinese(field, "下一步加强培训。")
    assert window.session.text("s5").endswith("下一步加强培训。")
    editor.show_section("s1")
    s1 = editor.text_fields["s1"]
    s1.moveCursor(s1.textCursor().MoveOperation.End)
    qtbot.mouseClick(editor.findChild(QWidget, "insert_summary"), Qt.MouseButton.LeftButton)
    assert "本年新收政府信息公开申请0件" in window.session.text("s1")
    assert not [f for f in window.session.findings if f.rule == "TEXT-TABLE"]
    window.act_undo.trigger()
    assert "本年新收政府信息公开申请" not in window.session.text("s1")
    assert field.toPlainText().endswith("下一步加强培训。")


def test_restart_on_the_same_database_finds_every_edit(qtbot: QtBot, db_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    session = window.session
    assert session is not None
    report_id = session.report_id
    session.edit_cells({"s3.granted.natural": "3", "s4.review.upheld": "1"})
    session.edit_text("s6", "无。")
    window.close()
    store.close()
    again, store2 = open_window(qtbot, db_path)
    again.open_report(report_id)
    reopened = again.session
    assert reopened is not None
    assert reopened.display("s3.granted.natural") == "3"
    assert reopened.display("s4.review.total") == "1"
    assert reopened.text("s6") == "无。"
    store2.close()


def test_find_row_selects_the_row(qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    monkeypatch.setattr("ui.main_window.QInputDialog.getText", lambda *a, **k: ("行政处罚", True))
    window.act_find.trigger()
    editor = window.editor
    assert editor is not None
    assert editor.tabs.currentIndex() == editor.tab_index["s2"]


def test_list_is_the_start_screen_and_returns(qtbot: QtBot, db_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    assert window.stack.currentWidget() is window.reports
    assert not window.act_export.isEnabled()
    open_seed(qtbot, window, store)
    window.act_list.trigger()
    assert window.stack.currentWidget() is window.reports
    assert window.session is None


def test_no_display_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert not display_available()
    assert "\n" not in NO_DISPLAY



def test_window_shows_before_the_database_is_attached(qtbot: QtBot, db_path: Path) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.loading
    assert not window.act_export.isEnabled()
    store = Store(db_path)
    window.attach_store(store)
    assert window.stack.currentWidget() is window.reports
    assert window.reports.model.rowCount() == 1
    store.close()


def test_ctrl_z_in_a_text_undoes_through_the_report_history(qtbot: QtBot, db_path: Path) -> None:
    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    editor, session = window.editor, window.session
    assert editor is not None and session is not None
    session.edit_cells({"s3.new.natural": "6"})  # an earlier step in another tab
    editor.show_section("s6")
    field = editor.text_fields["s6"]
    field.setFocus()
    field.moveCursor(field.textCursor().MoveOperation.End)
    type_chinese(field, "另有说明。")
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not session.text("s6").endswith("另有说明。")
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.display("s3.new.natural") == ""  # one stack for cells and texts
    qtbot.keyClick(field, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert session.display("s3.new.natural") == "6"


def test_menu_actions_open_export_print_preview_and_history(qtbot: QtBot, db_path: Path) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    from ui.history import HistoryDialog
    from ui.printing import ExportDialog

    window, store = open_window(qtbot, db_path)
    open_seed(qtbot, window, store)
    window.act_export.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ExportDialog)))
    window.act_history.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(HistoryDialog)))
    window.act_print_preview.trigger()  # renders the PDF in a worker, then opens the preview
    qtbot.waitUntil(lambda: window.findChild(QPrintPreviewDialog, "print_preview") is not None, timeout=60_000)
    for dialog in window.findChildren(QPrintPreviewDialog):
        dialog.close()
    assert window.act_print.isEnabled()
    window.act_list.trigger()
    assert not window.act_print.isEnabled()
