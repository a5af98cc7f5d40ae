"""The findings panel: every finding shown whole at any width, and a finding about the text takes the
clerk to the sentence it is about."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from pytestqt.qtbot import QtBot

from core.checks import Finding
from core.storage import Store
from ui.editor import FINDING_PADDING
from ui.main_window import MainWindow


def open_seed(qtbot: QtBot, db_path: Path, width: int, height: int = 700) -> MainWindow:
    store = Store(db_path)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    (summary,) = store.list_reports()
    window.open_report(summary.id)
    return window


def assert_shown_whole(window: MainWindow) -> None:
    editor = window.editor
    assert editor is not None
    panel = editor.findings
    assert panel.textElideMode() == Qt.TextElideMode.ElideNone
    across, down = FINDING_PADDING
    shown = 0
    for row in range(panel.count()):
        item = panel.item(row)
        rect = panel.visualItemRect(item)
        assert rect.right() < panel.viewport().width(), item.text()  # nothing cut at the right
        needed = QFontMetrics(item.font()).boundingRect(
            QRect(0, 0, rect.width() - 2 * across, 100_000),
            int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere),
            item.text(),
        )
        assert rect.height() >= needed.height() + 2 * down, item.text()
        shown += isinstance(item.data(Qt.ItemDataRole.UserRole), Finding)
    assert shown == len(window.session.findings) > 0  # type: ignore[union-attr]


def test_every_finding_is_wrapped_whole_at_a_laptop_width_and_after_narrowing(
    qtbot: QtBot, db_path: Path
) -> None:
    window = open_seed(qtbot, db_path, 1366)
    assert_shown_whole(window)
    window.resize(900, 600)
    qtbot.wait(50)
    assert_shown_whole(window)
    # New findings after an edit (a scroll bar may come and go) are laid out to the same width.
    assert window.session is not None
    window.session.edit_cells({"s3.new.legal": "1", "s3.new.commercial": "2"})
    qtbot.wait(50)
    assert_shown_whole(window)
    widths = {window.editor.findings.visualItemRect(window.editor.findings.item(r)).width()  # type: ignore[union-attr]
              for r in range(window.editor.findings.count())}  # type: ignore[union-attr]
    assert len(widths) == 1


def test_clicking_a_text_table_finding_selects_the_sentence_in_the_text(qtbot: QtBot, db_path: Path) -> None:
    window = open_seed(qtbot, db_path, 1366)
    session, editor = window.session, window.editor
    assert session is not None and editor is not None
    # A character outside the basic plane before the sentence: Qt counts it as two.
    sentence = "本年度共收到政府信息公开申请99件，均已按时答复。"
    assert session.edit_text("s1", "（一）主动公开\n𠀀村公开栏更新 12 次。" + sentence + "\n（二）依申请公开")
    (finding,) = [f for f in session.findings if f.rule == "TEXT-TABLE"]
    item = next(i for i in editor.findings.finding_items("warning") if i.data(Qt.ItemDataRole.UserRole) == finding)
    editor.findings.scrollToItem(item)
    rect = editor.findings.visualItemRect(item)
    qtbot.mouseClick(editor.findings.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.tabs.currentIndex() == editor.tab_index["s1"]
    field = editor.text_fields["s1"]
    assert field.selected_text() == sentence
