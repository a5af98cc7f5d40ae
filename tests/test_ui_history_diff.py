"""Revision history: a change to a text shows the words that changed, wherever they are in the text."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTextEdit, QTreeWidget
from pytestqt.qtbot import QtBot

from core.reportfile import read_report_file
from core.storage import Store
from tests.conftest import SAMPLES_DIR
from ui.history import (
    ADDED,
    REMOVED,
    SAME,
    HistoryDialog,
    describe_change,
    describe_text_change,
    text_diff,
)
from ui.session import ReportSession

SAMPLE_2022 = SAMPLES_DIR / "real" / "2022_pingtan.json"
# Long enough that the old excerpt (the first 30 characters) never reached the change.
OPENING = "2022年，平潭综合实验区管委会办公室深入贯彻落实《中华人民共和国政府信息公开条例》，"


@pytest.fixture
def session(qtbot: QtBot, store: Store) -> ReportSession:
    return ReportSession(store, store.add_report(read_report_file(SAMPLE_2022)))


def test_a_changed_number_is_shown_whole_with_the_words_around_it() -> None:
    old = OPENING + "全年共收到政府信息公开申请12件，均已答复。"
    new = OPENING + "全年共收到政府信息公开申请15件，均已按时答复。"
    assert text_diff(old, new) == [
        (SAME, OPENING + "全年共收到政府信息公开申请"),
        (REMOVED, "12"),
        (ADDED, "15"),
        (SAME, "件，均已"),
        (ADDED, "按时"),
        (SAME, "答复。"),
    ]
    assert describe_text_change(old, new) == "…政府信息公开申请「12」→「15」件，均已…；…件，均已加入「按时」答复。…"


def test_a_removal_an_addition_and_many_changes_are_each_named() -> None:
    old = OPENING + "（一）主动公开。（二）依申请公开。"
    assert describe_text_change(old, OPENING + "（一）主动公开。") == "…（一）主动公开。删去「（二）依申请公开。」"
    many = "甲乙1丙丁2戊己3庚辛"
    changed = describe_text_change(many, many.replace("1", "7").replace("2", "8").replace("3", "9"))
    assert changed.startswith("…甲乙「1」→「7」丙丁…；…丙丁「2」→「8」戊己…") and changed.endswith(" 等 3 处")
    # One character in common between two changes: one change, not two.
    assert describe_text_change("甲乙1丙2丁戊", "甲乙7丙8丁戊") == "…甲乙「1丙2」→「7丙8」丁戊…"


def test_a_rewritten_text_is_shown_as_old_and_new() -> None:
    assert describe_text_change(OPENING, "存在的问题已整改。").endswith(" → 「存在的问题已整改。」")
    template = read_report_file(SAMPLE_2022).template
    assert describe_change(template, "text:contact.phone", "", "0591-1234") == "联系电话：（空） → 「0591-1234」"
    assert describe_change(template, "text:contact.phone", "0591-1234", "0591-1235") == (
        "联系电话：…0591-「1234」→「1235」"
    )


def test_the_history_lists_the_changed_words_and_marks_them_in_the_details(
    qtbot: QtBot, session: ReportSession, store: Store
) -> None:
    before = session.text("s1")
    cut = len(before) // 2
    assert session.edit_text("s1", before[:cut] + "另有咨询 88 人次。" + before[cut:])
    dialog = HistoryDialog(store, session)
    qtbot.addWidget(dialog)
    tree = dialog.findChild(QTreeWidget, "history_list")
    summary = tree.topLevelItem(0).text(3)
    assert summary.startswith("一、总体情况：") and "加入「另有咨询 88 人次。」" in summary
    details = dialog.findChild(QTextEdit, "history_details")
    assert "另有咨询 88 人次。" in details.toPlainText()
    html = details.toHtml()
    assert "#d9f2d9" in html  # the added words are marked
    assert "删去的文字" in details.toPlainText() and "加入的文字" in details.toPlainText()
