"""A finalised report looks and acts locked, and finalising with warnings lists them and asks harder
when the report is plainly unfinished."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QLabel, QListWidget, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from core.checks import WARNING, validate
from core.nextyear import new_report, next_year_report
from core.reportfile import read_report_file
from core.storage import Store
from tests.conftest import SAMPLES_DIR, open_only_report
from ui import dialogs
from ui.dialogs import CONFIRM_TEXT, FinaliseDialog, finalise_concerns
from ui.editor import LOCKED_BASE, LineField, TextField
from ui.main_window import MainWindow
from ui.session import LOCKED_MESSAGE

SEED_AGENCY = "四平市铁西区人民政府办公室"


def open_seed(qtbot: QtBot, db_path: Path) -> tuple[MainWindow, Store]:
    window, store, _ = open_only_report(qtbot, db_path)
    return window, store


def on_next_modal(action: Callable[[QDialog | QMessageBox], None]) -> list[str]:
    """Run `action` on the modal dialog about to be shown (its exec() runs the timer); returns the
    dialog's object name once it was seen, so a test can tell it was asked at all."""
    seen: list[str] = []

    def look(tries: int = 100) -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, QDialog):
            if tries:
                QTimer.singleShot(20, lambda: look(tries - 1))
            return
        seen.append(modal.objectName())
        action(modal)

    QTimer.singleShot(0, look)
    return seen


def click_named(name: str) -> Callable[[QDialog | QMessageBox], None]:
    def click(dialog: QDialog | QMessageBox) -> None:
        button = dialog.findChild(QPushButton, name)
        assert button is not None, name
        button.click()

    return click


def finalise(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    session = window.session
    assert session is not None
    session.edit_cells({"s3.new.natural": "6"})  # the seed's four errors go with this one number
    monkeypatch.setattr(dialogs, "confirm_finalise", lambda *_a: True)
    window.act_final.trigger()
    assert session.final


# --- 6: locked ---------------------------------------------------------------------------------


def test_a_finalised_report_is_grey_bannered_and_its_edit_buttons_are_off(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _store = open_seed(qtbot, db_path)
    editor = window.editor
    assert editor is not None
    assert not editor.banner.isVisible()
    assert all(b.isEnabled() for b in editor.edit_buttons)
    names = {b.objectName() for b in editor.edit_buttons}
    assert {"signature_today", "regenerate_preamble", "insert_summary", "insert_subheadings"} <= names
    field = editor.text_fields["s5"]
    assert field.palette().color(QPalette.ColorRole.Base) != LOCKED_BASE

    finalise(window, monkeypatch)
    assert editor.banner.isVisible()
    banner_text = " ".join(label.text() for label in editor.banner.findChildren(QLabel))
    assert "已定稿（只读）" in banner_text
    assert editor.banner.findChild(QPushButton, "unfinalise").text() == "撤销定稿"
    assert not any(b.isEnabled() for b in editor.edit_buttons)
    assert field.isReadOnly() and field.palette().color(QPalette.ColorRole.Base) == LOCKED_BASE
    grid = editor.grids["s3"]
    assert grid.palette().color(QPalette.ColorRole.Base) == LOCKED_BASE
    preamble, title = editor.findChild(TextField, "preamble"), editor.findChild(LineField, "title")
    assert preamble.palette().color(QPalette.ColorRole.Base) == LOCKED_BASE
    assert title.isReadOnly() and title.palette().color(QPalette.ColorRole.Base) == LOCKED_BASE


def test_typing_delete_and_today_on_a_final_report_never_claim_unsaved_work(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, store = open_seed(qtbot, db_path)
    finalise(window, monkeypatch)
    session, editor = window.session, window.editor
    assert session is not None and editor is not None
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **_k: warned.append(str(a[1])))
    revisions = len(store.revisions(session.report_id))

    editor.show_section("s3")
    grid = editor.grids["s3"]
    grid.select_cell("s3.new.legal")
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_5)
    assert "已定稿" in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert "已定稿" in window.statusBar().currentMessage()
    QApplication.clipboard().setText("1\t2\n3\t4")
    window.statusBar().clearMessage()
    qtbot.keyClick(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == LOCKED_MESSAGE  # not a refusal of the block's shape
    # The 今天 button is off; the edit it would make is refused quietly all the same.
    assert not session.edit_text("signature.date", "2026-01-20")
    assert session.display("s3.new.legal") == ""
    assert warned == []
    assert window.saved_label.text() != "未保存"
    assert len(store.revisions(session.report_id)) == revisions

    window.show_list()
    assert window.saved_label.text() == ""


def test_unsaved_does_not_stay_in_the_status_bar_after_leaving_the_report(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _store = open_seed(qtbot, db_path)
    monkeypatch.setattr(QMessageBox, "warning", lambda *_a, **_k: QMessageBox.StandardButton.Ok)
    assert window.session is not None
    window.session.failed.emit("磁盘已满")  # a real failure to save says so …
    assert window.saved_label.text() == "未保存"
    window.show_list()  # … about that report only
    assert window.saved_label.text() == ""


def test_the_banner_unfinalises_after_confirmation_and_cancel_keeps_it_final(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, store = open_seed(qtbot, db_path)
    finalise(window, monkeypatch)
    session, editor = window.session, window.editor
    assert session is not None and editor is not None
    button = editor.banner.findChild(QPushButton, "unfinalise")

    default: list[str] = []

    def cancel(box: QDialog | QMessageBox) -> None:
        assert isinstance(box, QMessageBox)
        default.append(box.defaultButton().objectName())
        click_named("cancel")(box)

    seen = on_next_modal(cancel)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert seen == ["confirm_unfinalise"] and default == ["cancel"]
    assert session.final

    on_next_modal(click_named("unfinalise"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not session.final
    assert not editor.banner.isVisible()
    assert all(b.isEnabled() for b in editor.edit_buttons)
    assert editor.text_fields["s5"].palette().color(QPalette.ColorRole.Base) != LOCKED_BASE
    assert [r.label for r in store.revisions(session.report_id)][-2:] == ["定稿", "撤销定稿"]


# --- 7: finalising with warnings -----------------------------------------------------------------


def test_the_finalise_dialog_lists_each_warning_with_its_rule_and_defaults_to_cancel(qtbot: QtBot) -> None:
    report = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    report.set_cell("s3.new.natural", None)
    warnings = [f for f in validate(report) if f.severity == WARNING]
    assert warnings
    dialog = FinaliseDialog(report, warnings)
    qtbot.addWidget(dialog)
    assert dialog.confirm is None  # 五 and 六 written, numbers filled: the list is enough
    listed = dialog.findChild(QListWidget, "warnings")
    texts = [listed.item(i).text() for i in range(listed.count())]
    assert texts == [f"[{f.rule}] {f.message}" for f in warnings]
    assert dialog.cancel_button.isDefault() and not dialog.finalise_button.isDefault()
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter is the safe answer
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_empty_five_and_six_need_the_confirmation_ticked(qtbot: QtBot) -> None:
    last = read_report_file(SAMPLES_DIR / "real" / "2022_pingtan.json")
    report = next_year_report(last)  # carried over, nothing else written
    concerns = finalise_concerns(report)
    assert any("五、" in c for c in concerns) and any("六、" in c for c in concerns)
    warnings = [f for f in validate(report, last) if f.severity == WARNING]
    dialog = FinaliseDialog(report, warnings)
    qtbot.addWidget(dialog)
    assert dialog.confirm is not None and dialog.confirm.text() == CONFIRM_TEXT
    assert not dialog.finalise_button.isEnabled()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.findChild(QCheckBox, "confirm").setChecked(True)
    assert dialog.finalise_button.isEnabled()
    dialog.finalise_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_blank_matrix_with_applications_in_the_text_is_a_concern() -> None:
    report = new_report("某区司法局", 2024)
    report.texts["s5"] = "问题：宣传不够。改进：加强培训。"
    report.texts["s6"] = "本年度未收取信息处理费。"
    assert finalise_concerns(report) == []  # 一's standard sub-headings (依申请公开) are no mention
    report.texts["s1"] += "\n本年度共收到政府信息公开申请12件，均按时答复。"
    (concern,) = finalise_concerns(report)
    assert "全部空白" in concern and "收到政府信息公开申请" in concern
    report.set_cell("s3.new.natural", 12)
    assert finalise_concerns(report) == []


def test_cancel_in_the_finalise_dialog_leaves_the_report_a_draft(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _store = open_seed(qtbot, db_path)
    session = window.session
    assert session is not None
    session.edit_cells({"s3.new.natural": "6"})
    assert session.counts()[0] == 0 and session.counts()[1] > 0
    seen = on_next_modal(click_named("cancel"))
    window.act_final.trigger()
    assert seen == ["finalise_dialog"] and not session.final

    def tick_and_finalise(dialog: QDialog | QMessageBox) -> None:
        box = dialog.findChild(QCheckBox, "confirm")
        if box is not None:
            box.setChecked(True)
        click_named("finalise")(dialog)

    on_next_modal(tick_and_finalise)
    window.act_final.trigger()
    assert session.final
