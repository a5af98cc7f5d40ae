"""The app beside another process on its database: what the other saves shows in the window (without
losing a cell being typed), and undo or redo never overwrites what the other saved."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit
from pytestqt.qtbot import QtBot

from core.storage import Store
from tests.conftest import open_only_report
from tests.test_two_processes import ROOT
from ui.main_window import EXTERNAL_POLL_MS, MainWindow
from ui.single_instance import InstanceGuard, bring_forward, server_name

CELL = "s3.new.natural"

# Another process (another window, `main.py import`) saving values: argv = db, report id, then
# cell=value pairs; "text:key=value" sets a text.
OTHER = r"""
import sys
from core.storage import Store
store = Store(sys.argv[1], seed=False)
report_id = int(sys.argv[2])
for pair in sys.argv[3:]:
    target, _, value = pair.partition("=")
    if target.startswith("text:"):
        store.set_text(report_id, target[5:], value)
    else:
        store.set_cell(report_id, target, value)
store.close()
"""

ADD_REPORT = r"""
import sys
from core.nextyear import new_report
from core.storage import Store
store = Store(sys.argv[1], seed=False)
store.add_report(new_report("某某县交通运输局", 2025))
store.close()
"""


def other_process(db_path: Path, report_id: int, *pairs: str, code: str = OTHER) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code, str(db_path), str(report_id), *pairs],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr


Opened = tuple[MainWindow, Store, int]


@pytest.fixture
def opened(qtbot: QtBot, db_path: Path) -> Iterator[Opened]:
    """The main window with the example report open (window, store, report id), closed after the test."""
    window, store, report_id = open_only_report(qtbot, db_path)
    yield window, store, report_id
    window.close()
    store.close()


def test_a_stale_undo_is_refused_and_said(qtbot: QtBot, db_path: Path, opened: Opened) -> None:
    """Window B typed 5 then 6; window A saved 7; B's Ctrl+Z (back to 5) is refused and 7 stays."""
    window, store, report_id = opened
    session = window.session
    assert session is not None
    assert session.edit_cells({CELL: "5"})
    assert session.edit_cells({CELL: "6"})
    other_process(db_path, report_id, f"{CELL}=7")
    with qtbot.waitSignal(session.refused) as refused:
        window.act_undo.trigger()
    message = refused.args[0]
    assert message.endswith("已在别处改为 7，撤销未执行") and "本年新收" in message and "自然人" in message
    assert window.statusBar().currentMessage() == message
    assert window.saved_label.text() != "未保存"  # not a failure to save: nothing was lost
    assert store.load(report_id).value(CELL).text == "7"
    assert session.display(CELL) == "7"  # the window shows what is stored now
    model = window.editor.models["s3"]  # type: ignore[union-attr]
    assert model.data(model.index_of(CELL)) == "7"
    # The step before (empty → 5) expects 5 and finds 7: refused as well.
    with qtbot.waitSignal(session.refused):
        window.act_undo.trigger()
    assert store.load(report_id).value(CELL).text == "7"


def test_a_stale_redo_is_refused(qtbot: QtBot, db_path: Path, opened: Opened) -> None:
    window, store, report_id = opened
    session = window.session
    assert session is not None
    assert session.edit_cells({CELL: "5"})
    window.act_undo.trigger()
    assert store.load(report_id).value(CELL).text is None
    other_process(db_path, report_id, f"{CELL}=9")
    with qtbot.waitSignal(session.refused) as refused:
        window.act_redo.trigger()
    assert refused.args[0].endswith("已在别处改为 9，重做未执行")
    assert store.load(report_id).value(CELL).text == "9"


def test_undo_still_works_when_another_process_changed_other_cells(qtbot: QtBot, db_path: Path, opened: Opened) -> None:
    window, store, report_id = opened
    session = window.session
    assert session is not None
    assert session.edit_cells({CELL: "5"})
    other_process(db_path, report_id, "s3.new.commercial=2", "text:s1=别处写的总体情况。")
    window.act_undo.trigger()
    report = store.load(report_id)
    assert report.value(CELL).text is None
    assert report.value("s3.new.commercial").text == "2" and report.text("s1") == "别处写的总体情况。"


def test_changes_saved_elsewhere_show_in_the_open_report(qtbot: QtBot, db_path: Path, opened: Opened) -> None:
    window, _store, report_id = opened
    session, editor = window.session, window.editor
    assert session is not None and editor is not None
    model = editor.models["s3"]
    assert model.data(model.index_of(CELL)) == ""
    before = window.counts_label.text()
    other_process(db_path, report_id, f"{CELL}=6", "text:s1=别处写的总体情况。")
    # The poll runs on its own (about once a second).
    qtbot.waitUntil(lambda: model.data(model.index_of(CELL)) == "6", timeout=EXTERNAL_POLL_MS * 5)
    assert model.data(model.index_of("s3.new.total")) == "6"  # the totals follow
    assert window.counts_label.text() != before  # and the findings (the column balances now)
    assert editor.text_fields["s1"].toPlainText() == "别处写的总体情况。"
    assert "别处修改" in window.statusBar().currentMessage()
    assert not window.check_external_changes()  # nothing new since


def test_a_cell_being_typed_keeps_what_is_typed(qtbot: QtBot, db_path: Path, opened: Opened) -> None:
    window, store, report_id = opened
    editor = window.editor
    assert editor is not None
    editor.show_section("s3")
    view, model = editor.grids["s3"], editor.models["s3"]
    index = model.index_of(CELL)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    qtbot.keyClick(view, "8")
    assert view.state() == QAbstractItemView.State.EditingState
    other_process(db_path, report_id, f"{CELL}=3", "s3.new.commercial=4")
    assert window.check_external_changes()
    line = view.indexWidget(index)
    assert isinstance(line, QLineEdit) and line.text() == "8"  # not replaced by the 3 saved elsewhere
    assert model.data(model.index_of("s3.new.commercial")) == "4"
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert store.load(report_id).value(CELL).text == "8"  # the user's value, typed last, wins


def test_the_list_shows_a_report_added_elsewhere(qtbot: QtBot, db_path: Path) -> None:
    store = Store(db_path)
    window = MainWindow(store)
    qtbot.addWidget(window)
    try:
        assert window.reports.model.rowCount() == 1
        other_process(db_path, 0, code=ADD_REPORT)
        assert window.check_external_changes()
        assert window.reports.model.rowCount() == 2
    finally:
        window.close()
        store.close()


def test_a_report_deleted_elsewhere_closes_with_a_word(qtbot: QtBot, db_path: Path, opened: Opened) -> None:
    window, _store, report_id = opened
    other_process(db_path, report_id, code=r"""
import sys
from core.storage import Store
store = Store(sys.argv[1], seed=False)
store.delete(int(sys.argv[2]))
store.close()
""")
    assert window.check_external_changes()
    assert window.session is None and window.stack.currentWidget() is window.reports
    assert "别处删除" in window.statusBar().currentMessage()


HAND_OVER = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from ui.single_instance import hand_over
app = QCoreApplication([])
sys.exit(0 if hand_over(Path(sys.argv[1]), seconds=float(sys.argv[2])) else 1)
"""


def test_the_first_instance_receives_the_second_start_and_comes_forward(qtbot: QtBot, db_path: Path) -> None:
    store = Store(db_path)
    window = MainWindow(store)
    qtbot.addWidget(window)
    guard = InstanceGuard(db_path)
    try:
        assert guard.acquire() and guard.listen()
        assert not InstanceGuard(db_path).acquire()  # a second start finds the lock taken
        guard.activated.connect(lambda: bring_forward(window))
        window.showMinimized()
        second = subprocess.Popen([sys.executable, "-c", HAND_OVER, str(db_path), "5"], cwd=ROOT)
        with qtbot.waitSignal(guard.activated, timeout=30000):
            pass
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=30000)
        assert second.returncode == 0  # it was told the window came forward
        assert window.isVisible() and not window.isMinimized()
        assert "已在本窗口中打开" in window.statusBar().currentMessage()
    finally:
        guard.release()
        window.close()
        store.close()
    # Released: the next start is the first again, and nobody answers a hand-over.
    again = InstanceGuard(db_path)
    assert again.acquire()
    again.release()
    alone = subprocess.run([sys.executable, "-c", HAND_OVER, str(db_path), "0.5"], cwd=ROOT, timeout=60)
    assert alone.returncode == 1


def test_another_database_is_another_instance(db_path: Path, tmp_path: Path) -> None:
    guard = InstanceGuard(db_path)
    other = InstanceGuard(tmp_path / "other.sqlite3")
    try:
        assert guard.acquire() and other.acquire()
        assert server_name(db_path) != server_name(tmp_path / "other.sqlite3")
        assert server_name(db_path) == server_name(db_path.parent / "." / db_path.name)  # the same file
    finally:
        guard.release()
        other.release()


def test_typing_after_a_text_changed_elsewhere_does_not_undo_past_that_change(
    qtbot: QtBot, db_path: Path, opened: Opened
) -> None:
    """A types 甲 in 总体情况; B saves 乙; A's window shows 乙 and A types 丙 after it. Undo takes back
    only A's 丙 (the typing is not merged across B's change); the next undo (甲 → empty) is refused."""
    window, store, report_id = opened
    session = window.session
    assert session is not None
    before = session.text("s1")
    assert session.edit_text("s1", before + "甲")
    other_process(db_path, report_id, "text:s1=乙")
    assert window.check_external_changes() and session.text("s1") == "乙"
    assert session.edit_text("s1", "乙丙")
    window.act_undo.trigger()
    assert store.load(report_id).text("s1") == "乙"
    with qtbot.waitSignal(session.refused) as refused:
        window.act_undo.trigger()
    assert refused.args[0] == "「一、总体情况」已在别处修改，撤销未执行"
    assert store.load(report_id).text("s1") == "乙"
