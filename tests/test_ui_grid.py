"""The grids of 二, 三 and 四: model checks, geometry, and a clerk typing, pasting, copying and clearing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from core.clipboard import to_tsv
from core.nextyear import new_report
from core.reportfile import read_report_file
from core.storage import Store
from tests.conftest import full_report
from tests.test_clipboard_summary import CHROME_S3_HTML, CHROME_S3_TEXT, EXCEL_S3, EXCEL_S3_ROWS, EXPECTED_S3
from ui.grid import (
    COMPUTED_BACKGROUND,
    ERROR_BACKGROUND,
    HEADER_BACKGROUND,
    CellIdRole,
    ReportGridView,
    ReportTableModel,
)
from ui.session import ReportSession

TABLES = ("s2", "s3", "s4")
EDITABLE = Qt.ItemFlag.ItemIsEditable


def seed_session(store: Store) -> ReportSession:
    (summary,) = store.list_reports()
    return ReportSession(store, summary.id)


def pingtan_session(store: Store, samples_dir: Path) -> ReportSession:
    return ReportSession(store, store.add_report(read_report_file(samples_dir / "real" / "2022_pingtan.json")))


def new_session(store: Store) -> ReportSession:
    return ReportSession(store, store.add_report(new_report("某某县交通运输局", 2025)))


@pytest.fixture
def pingtan(store: Store, samples_dir: Path) -> ReportSession:
    return pingtan_session(store, samples_dir)


def open_grid(qtbot: QtBot, session: ReportSession, table_id: str) -> tuple[ReportGridView, ReportTableModel]:
    model = ReportTableModel(session, table_id)
    view = ReportGridView(model=model)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.setFocus()
    return view, model


def click(qtbot: QtBot, view: ReportGridView, cell_id: str, modifier: Qt.KeyboardModifier | None = None) -> None:
    model = view.report_model()
    assert model is not None
    index = model.index_of(cell_id)
    pos = view.visualRect(index).center()
    if modifier is None:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    else:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, pos)
    if modifier is None:
        assert view.currentIndex() == index


def focused(view: ReportGridView) -> QWidget:
    """Where the keyboard goes: the open editor while editing, else the grid."""
    if view.state() == QAbstractItemView.State.EditingState:
        editor = view.indexWidget(view.currentIndex())
        assert editor is not None
        return editor
    return view


def type_keys(qtbot: QtBot, view: ReportGridView, text: str) -> None:
    for ch in text:
        qtbot.keyClick(focused(view), ch)


def press(qtbot: QtBot, view: ReportGridView, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    if modifier is None:
        qtbot.keyClick(focused(view), key)
    else:
        qtbot.keyClick(focused(view), key, modifier)


def current_id(view: ReportGridView) -> str | None:
    model = view.report_model()
    assert model is not None
    return model.cell_id(view.currentIndex())


def stored(db_path: Path, session: ReportSession, cell_id: str) -> str | None:
    """The cell as a fresh connection reads it from the database (what survives a restart)."""
    other = Store(db_path)
    try:
        return other.load(session.report_id).value(cell_id).text
    finally:
        other.close()


# --- the model -------------------------------------------------------------------------------------


@pytest.mark.parametrize("table_id", TABLES)
@pytest.mark.parametrize("which", ["seed", "pingtan", "new"])
def test_model_passes_qt_model_tester(
    qtmodeltester: object, store: Store, samples_dir: Path, which: str, table_id: str
) -> None:
    session = {
        "seed": lambda: seed_session(store),
        "pingtan": lambda: pingtan_session(store, samples_dir),
        "new": lambda: new_session(store),
    }[which]()
    model = ReportTableModel(session, table_id)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]


def test_grid_sizes_and_merges_follow_the_official_tables(store: Store, samples_dir: Path) -> None:
    seed = seed_session(store)  # template 2019
    pingtan = pingtan_session(store, samples_dir)  # template 2021
    s3_2019, s3_2021 = ReportTableModel(seed, "s3"), ReportTableModel(pingtan, "s3")
    assert (s3_2021.rowCount(), s3_2021.columnCount()) == (28, 10)
    assert (s3_2019.rowCount(), s3_2019.columnCount()) == (26, 10)
    for session in (seed, pingtan):
        s4 = ReportTableModel(session, "s4")
        assert (s4.rowCount(), s4.columnCount()) == (4, 15)
        assert {(0, 0, 1, 5), (0, 5, 1, 10), (1, 5, 1, 5), (1, 10, 1, 5)} <= set(s4.spans())
    for model, outcome_rows in ((s3_2021, 21), (s3_2019, 19)):
        spans = set(model.spans())
        assert (0, 0, 3, 3) in spans  # the corner with the balance rule
        assert (0, 3, 1, 7) in spans  # 申请人情况
        assert {(1, 3, 2, 1), (1, 4, 1, 5), (1, 9, 2, 1)} <= spans  # 自然人, 法人或其他组织, 总计
        # 三、本年度办理结果 over the outcome rows and （七）总计
        assert (5, 0, outcome_rows + 1, 1) in spans
        assert model.data(model.index(5, 0)) == "三、本年度办理结果"
        assert model.data(model.index(0, 3)) == "申请人情况"
    s2 = ReportTableModel(pingtan, "s2")
    licensing = s2.index_of("s2.licensing.decisions")
    assert (licensing.row(), licensing.column(), 1, 3) in s2.spans()


def test_data_is_the_sessions_display_and_labels_are_read_only(pingtan: ReportSession) -> None:
    for table_id in TABLES:
        model = ReportTableModel(pingtan, table_id)
        for cell in model.table.cells:
            index = model.index(cell.row, cell.col)
            flags = model.flags(index)
            if cell.cell_id is None:
                assert model.data(index) == cell.text
                assert model.data(index, Qt.ItemDataRole.BackgroundRole) == HEADER_BACKGROUND
                assert model.data(index, Qt.ItemDataRole.FontRole).bold()
                assert not flags & EDITABLE
                continue
            assert model.data(index) == pingtan.display(cell.cell_id)
            assert model.data(index, Qt.ItemDataRole.EditRole) == pingtan.display(cell.cell_id)
            assert model.data(index, CellIdRole) == cell.cell_id
            assert model.cell_id(index) == cell.cell_id
            assert model.index_of(cell.cell_id) == index
            assert model.data(index, Qt.ItemDataRole.TextAlignmentRole) == (
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
            )
            if cell.computed:
                assert not flags & EDITABLE
                assert model.data(index, Qt.ItemDataRole.BackgroundRole) == COMPUTED_BACKGROUND
                assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "自动计算"
                assert not model.setData(index, "5")
            else:
                assert flags & EDITABLE
    s3 = ReportTableModel(pingtan, "s3")
    label = s3.index(s3.index_of("s3.granted.natural").row(), 1)
    assert s3.data(label) == "（一）予以公开"
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    assert s3.data(label, Qt.ItemDataRole.TextAlignmentRole) == left
    assert s3.index_of("s2.licensing.decisions") == QModelIndex()


def test_blank_cells_of_a_new_report_stay_blank_and_untinted(store: Store) -> None:
    session = new_session(store)
    model = ReportTableModel(session, "s3")
    index = model.index_of("s3.granted.natural")
    assert model.data(index) == ""
    assert [f.rule for f in session.findings_for("s3.granted.natural")] == ["BLANK-CELL"]
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is None  # a fresh report is not all yellow
    assert "未填写" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index_of("s3.granted.total")) == "0"


def test_editable_grid_holds_cells_where_the_numbers_are(pingtan: ReportSession) -> None:
    s3 = ReportTableModel(pingtan, "s3").editable_grid()
    assert len(s3) == 28 and all(len(row) == 10 for row in s3)
    assert s3[0][0] is None and s3[3][2] is None  # corner, label
    assert s3[3][3] is not None and s3[3][3].id == "s3.new.natural"
    assert s3[3][9] is not None and s3[3][9].computed
    s2_model = ReportTableModel(pingtan, "s2")
    s2 = s2_model.editable_grid()
    row = s2_model.index_of("s2.licensing.decisions").row()
    assert [c.id if c else None for c in s2[row]] == [None] + ["s2.licensing.decisions"] * 3


def test_paste_over_a_merged_cell_takes_its_one_value(pingtan: ReportSession) -> None:
    model = ReportTableModel(pingtan, "s2")
    at = model.index_of("s2.licensing.decisions")
    plan = model.plan_paste(at.row(), at.column(), [["12", "", ""]])  # Excel's copy of a merged cell
    assert plan.changes == (("s2.licensing.decisions", "12"),)
    plan = model.plan_paste(at.row(), at.column(), [["12", "13", ""]])
    assert not plan.changes and "合并单元格" in plan.refusal


def test_data_changed_names_only_the_cells_that_changed(qtbot: QtBot, store: Store) -> None:
    session = ReportSession(store, store.add_report(full_report("2021")))
    assert session.findings == []
    s3 = ReportTableModel(session, "s3")
    others = [ReportTableModel(session, t) for t in ("s2", "s4")]
    changed: list[tuple[int, int, int, int]] = []
    elsewhere: list[object] = []
    s3.dataChanged.connect(lambda tl, br, _roles=(): changed.append((tl.row(), tl.column(), br.row(), br.column())))
    for other in others:
        other.dataChanged.connect(lambda *args: elsewhere.append(args))
    index = s3.index_of("s3.granted.natural")
    assert s3.setData(index, str(int(session.display("s3.granted.natural")) + 1))
    assert all((r1, c1) == (r2, c2) for r1, c1, r2, c2 in changed), "one cell per dataChanged"
    names = {s3.cell_id(s3.index(r, c)) for r, c, _, _ in changed}
    balance = {f"s3.{row}.{col}" for row in ("new", "carried_over", "carried_forward") for col in ("natural", "total")}
    totals = {"s3.granted.total", "s3.total_processed.natural", "s3.total_processed.total"}
    assert names == {"s3.granted.natural"} | totals | balance
    assert len(changed) == len(names)
    assert elsewhere == []


# --- a clerk at the keyboard -----------------------------------------------------------------------


def test_typing_a_number_stores_it_updates_totals_and_findings(
    qtbot: QtBot, pingtan: ReportSession, db_path: Path
) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    assert pingtan.findings == []
    new_natural = model.index_of("s3.new.natural")
    assert model.data(new_natural, Qt.ItemDataRole.ToolTipRole) is None
    old = int(pingtan.display("s3.granted.natural"))
    old_row_total = int(pingtan.display("s3.granted.total"))
    old_processed = int(pingtan.display("s3.total_processed.natural"))
    click(qtbot, view, "s3.granted.natural")
    type_keys(qtbot, view, str(old + 3))
    press(qtbot, view, Qt.Key.Key_Return)
    assert view.state() != QAbstractItemView.State.EditingState
    assert stored(db_path, pingtan, "s3.granted.natural") == str(old + 3)
    assert model.data(model.index_of("s3.granted.total")) == str(old_row_total + 3)
    assert model.data(model.index_of("s3.total_processed.natural")) == str(old_processed + 3)
    # The column no longer balances: the cells of the rule turn red with the message as tooltip.
    assert model.data(new_natural, Qt.ItemDataRole.BackgroundRole) == ERROR_BACKGROUND
    assert "本年新收" in model.data(new_natural, Qt.ItemDataRole.ToolTipRole)
    processed = model.data(model.index_of("s3.total_processed.natural"), Qt.ItemDataRole.ToolTipRole)
    assert processed.startswith("自动计算\n") and "不等于" in processed
    # Enter moved down to the next row.
    assert current_id(view) == "s3.partially_granted.natural"
    click(qtbot, view, "s3.granted.natural")
    type_keys(qtbot, view, str(old))
    press(qtbot, view, Qt.Key.Key_Enter)
    assert stored(db_path, pingtan, "s3.granted.natural") == str(old)
    assert pingtan.findings == []
    assert model.data(new_natural, Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(new_natural, Qt.ItemDataRole.ToolTipRole) is None


def test_enter_without_editing_moves_down_and_skips_totals(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, _ = open_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.new.natural")
    press(qtbot, view, Qt.Key.Key_Return)
    assert current_id(view) == "s3.carried_over.natural"
    assert view.state() != QAbstractItemView.State.EditingState
    click(qtbot, view, "s3.other_else.natural")
    press(qtbot, view, Qt.Key.Key_Return)
    assert current_id(view) == "s3.carried_forward.natural"  # （七）总计 is computed


def test_arrows_and_tab_move(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, _ = open_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.new.natural")
    press(qtbot, view, Qt.Key.Key_Tab)
    assert current_id(view) == "s3.new.commercial"
    press(qtbot, view, Qt.Key.Key_Down)
    assert current_id(view) == "s3.carried_over.commercial"
    press(qtbot, view, Qt.Key.Key_Left)
    assert current_id(view) == "s3.carried_over.natural"
    press(qtbot, view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert current_id(view) == "s3.new.other_org"  # back over the computed 总计 of the row above
    press(qtbot, view, Qt.Key.Key_Tab)
    assert current_id(view) == "s3.carried_over.natural"  # forward, skipping 总计 and the labels


def test_tab_while_editing_commits_and_moves_right(qtbot: QtBot, pingtan: ReportSession, db_path: Path) -> None:
    view, _ = open_grid(qtbot, pingtan, "s4")
    click(qtbot, view, "s4.review.upheld")
    type_keys(qtbot, view, "41")
    press(qtbot, view, Qt.Key.Key_Tab)
    assert stored(db_path, pingtan, "s4.review.upheld") == "41"
    assert current_id(view) == "s4.review.corrected"
    press(qtbot, view, Qt.Key.Key_Escape)
    click(qtbot, view, "s4.review.pending")
    press(qtbot, view, Qt.Key.Key_Tab)
    assert current_id(view) == "s4.suit_direct.upheld"  # the computed 总计 is skipped


def test_typing_replaces_and_f2_keeps_the_content(qtbot: QtBot, pingtan: ReportSession, db_path: Path) -> None:
    view, model = open_grid(qtbot, pingtan, "s4")
    pingtan.edit_cells({"s4.review.upheld": "5"})
    click(qtbot, view, "s4.review.upheld")
    type_keys(qtbot, view, "8")
    editor = focused(view)
    assert isinstance(editor, QLineEdit) and editor.text() == "8"
    press(qtbot, view, Qt.Key.Key_Escape)  # cancelled: nothing changes
    assert model.data(model.index_of("s4.review.upheld")) == "5"
    press(qtbot, view, Qt.Key.Key_F2)
    editor = focused(view)
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "5" and not editor.hasSelectedText() and editor.cursorPosition() == 1
    type_keys(qtbot, view, "0")
    press(qtbot, view, Qt.Key.Key_Return)
    assert stored(db_path, pingtan, "s4.review.upheld") == "50"
    assert model.data(model.index_of("s4.review.total")) == pingtan.display("s4.review.total")


def test_letters_are_kept_and_shown_as_an_error(qtbot: QtBot, pingtan: ReportSession, db_path: Path) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.rejected_repeat.legal")
    type_keys(qtbot, view, "abc")
    press(qtbot, view, Qt.Key.Key_Return)
    index = model.index_of("s3.rejected_repeat.legal")
    assert model.data(index) == "abc"
    assert stored(db_path, pingtan, "s3.rejected_repeat.legal") == "abc"
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) == ERROR_BACKGROUND
    (invalid,) = [f for f in pingtan.findings_for("s3.rejected_repeat.legal") if f.rule == "VALUE-INVALID"]
    assert model.data(index, Qt.ItemDataRole.ToolTipRole).split("\n")[0] == invalid.message


def test_delete_clears_a_range_in_one_undo_step(qtbot: QtBot, pingtan: ReportSession, db_path: Path) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    cells = [
        "s3.granted.natural",
        "s3.granted.commercial",
        "s3.partially_granted.natural",
        "s3.partially_granted.commercial",
    ]
    pingtan.edit_cells(dict.fromkeys(cells, "2"))
    steps = pingtan.undo_stack.count()
    click(qtbot, view, cells[0])
    click(qtbot, view, cells[3], Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, view, Qt.Key.Key_Delete)
    assert [model.data(model.index_of(c)) for c in cells] == ["", "", "", ""]
    assert [stored(db_path, pingtan, c) for c in cells] == [None] * 4
    assert pingtan.undo_stack.count() == steps + 1
    assert model.data(model.index_of("s3.granted.total")) == pingtan.display("s3.granted.total")
    pingtan.undo_stack.undo()
    assert [model.data(model.index_of(c)) for c in cells] == ["2"] * 4
    assert [stored(db_path, pingtan, c) for c in cells] == ["2"] * 4


def test_paste_from_a_spreadsheet_is_one_undo_step(qtbot: QtBot, pingtan: ReportSession, db_path: Path) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    steps = pingtan.undo_stack.count()
    click(qtbot, view, "s3.granted.natural")
    QApplication.clipboard().setText("１，２３４\t５\r\n6\t1,000\r\n")  # full-width digits, separators (Excel)
    press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    expected = {
        "s3.granted.natural": "1234",
        "s3.granted.commercial": "5",
        "s3.partially_granted.natural": "6",
        "s3.partially_granted.commercial": "1000",
    }
    assert {c: model.data(model.index_of(c)) for c in expected} == expected
    assert {c: stored(db_path, pingtan, c) for c in expected} == expected
    assert pingtan.undo_stack.count() == steps + 1
    assert pingtan.undo_stack.undoText() == "粘贴"
    selected = {model.cell_id(i) for i in view.selectionModel().selectedIndexes()}
    assert selected == set(expected)
    pingtan.undo_stack.undo()
    assert all(model.data(model.index_of(c)) != v for c, v in expected.items())


@pytest.mark.parametrize(
    ("at", "clipboard", "reason"),
    [
        ("s3.granted.natural", "1\t2\n3\tx\n", "不是"),  # a letter
        ("s3.carried_forward.natural", "1\n2\n", "超出了表格的范围"),  # runs off the bottom
        ("s3.new.total", "x\n", "不是数字"),  # a text on the 总计 column
        # A row label of the table one row below where it belongs: out of line.
        ("s3.granted.natural", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t1\n", "没有对齐"),
    ],
)
def test_refused_paste_changes_nothing_and_says_why(
    qtbot: QtBot, pingtan: ReportSession, at: str, clipboard: str, reason: str
) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    before = {c.cell_id: model.data(model.index(c.row, c.col)) for c in model.table.cells if c.cell_id}
    steps = pingtan.undo_stack.count()
    click(qtbot, view, at)
    QApplication.clipboard().setText(clipboard)
    with qtbot.waitSignal(view.notice, timeout=1000) as notice:
        press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    message = notice.args[0]
    assert reason in message and "未作任何修改" in message
    assert {c.cell_id: model.data(model.index(c.row, c.col)) for c in model.table.cells if c.cell_id} == before
    assert pingtan.undo_stack.count() == steps


def test_copy_puts_the_shown_values_on_the_clipboard(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, _ = open_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.granted.other_org")
    click(qtbot, view, "s3.partially_granted.total", Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    d = pingtan.display
    assert QApplication.clipboard().text() == (
        f"{d('s3.granted.other_org')}\t{d('s3.granted.total')}\n"
        f"{d('s3.partially_granted.other_org')}\t{d('s3.partially_granted.total')}\n"
    )


def test_copy_of_a_merged_cell_pastes_back(qtbot: QtBot, pingtan: ReportSession, db_path: Path) -> None:
    view, _ = open_grid(qtbot, pingtan, "s2")
    click(qtbot, view, "s2.licensing.decisions")
    press(qtbot, view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QApplication.clipboard().text()
    assert copied.startswith(pingtan.display("s2.licensing.decisions"))
    click(qtbot, view, "s2.penalty.decisions")
    press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert stored(db_path, pingtan, "s2.penalty.decisions") == pingtan.display("s2.licensing.decisions")


def test_totals_and_labels_cannot_be_typed_into(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    before = pingtan.display("s3.granted.total")
    click(qtbot, view, "s3.granted.total")
    type_keys(qtbot, view, "9")
    assert view.state() != QAbstractItemView.State.EditingState
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.currentIndex()).center())
    assert view.state() != QAbstractItemView.State.EditingState
    press(qtbot, view, Qt.Key.Key_Delete)
    assert pingtan.display("s3.granted.total") == before
    label = model.index(5, 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(label).center())
    type_keys(qtbot, view, "9")
    assert view.state() != QAbstractItemView.State.EditingState
    assert model.data(label) == "（一）予以公开"


def test_a_final_report_is_read_only(qtbot: QtBot, pingtan: ReportSession, db_path: Path) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    flags_changed: list[object] = []
    model.dataChanged.connect(lambda *args: flags_changed.append(args))
    assert pingtan.set_final(True)
    assert flags_changed, "views are told that the flags changed"
    index = model.index_of("s3.granted.natural")
    assert not model.flags(index) & EDITABLE
    before = pingtan.display("s3.granted.natural")
    click(qtbot, view, "s3.granted.natural")
    type_keys(qtbot, view, "7")
    assert view.state() != QAbstractItemView.State.EditingState
    assert not model.setData(index, "7")
    with qtbot.waitSignal(pingtan.locked, timeout=1000):  # said, not a failure to save
        press(qtbot, view, Qt.Key.Key_Delete)
    assert stored(db_path, pingtan, "s3.granted.natural") == before
    assert pingtan.set_final(False)
    assert model.flags(index) & EDITABLE


def test_find_row_and_select_cell(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    assert view.find_row("不予公开")
    assert current_id(view) == "s3.denied_state_secret.natural"
    assert [model.cell_id(i) for i in view.selectionModel().selectedIndexes()] == ["s3.denied_state_secret.natural"]
    assert view.find_row("重复申请")
    assert current_id(view) == "s3.rejected_repeat.natural"
    assert not view.find_row("没有这一行")
    assert current_id(view) == "s3.rejected_repeat.natural"
    assert view.select_cell("s3.carried_forward.legal")
    assert current_id(view) == "s3.carried_forward.legal"
    assert view.selectionModel().isSelected(model.index_of("s3.carried_forward.legal"))
    assert not view.select_cell("s4.review.total")
    s4_view, s4_model = open_grid(qtbot, pingtan, "s4")
    assert s4_view.select_cell("s4.review.total")
    assert s4_view.currentIndex() == s4_model.index_of("s4.review.total")
    s2_view, _ = open_grid(qtbot, pingtan, "s2")
    assert s2_view.find_row("行政许可")
    assert current_id(s2_view) == "s2.licensing.decisions"


def test_view_applies_the_merges_and_widens_label_columns(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, model = open_grid(qtbot, pingtan, "s3")
    assert view.objectName() == "s3.grid"
    assert view.horizontalHeader().isHidden() and view.verticalHeader().isHidden()
    for row, col, rowspan, colspan in model.spans():
        assert (view.rowSpan(row, col), view.columnSpan(row, col)) == (rowspan, colspan)
    assert view.columnWidth(2) > 3 * view.columnWidth(3)
    assert all(view.rowHeight(r) >= view.fontMetrics().height() for r in range(model.rowCount()))


def test_columns_keep_the_printed_proportions_at_one_scale(qtbot: QtBot, pingtan: ReportSession) -> None:
    """Every table is drawn at the scale where a number column of 三 just holds 商业企业: the widths in
    millimetres the layout gives, not a column per millimetre (the whole of 三 then fits a laptop screen)."""
    scales = []
    for table_id in ("s2", "s3", "s4"):
        view, model = open_grid(qtbot, pingtan, table_id)
        header = view.fontMetrics().horizontalAdvance("商业企业")
        for col, mm in enumerate(model.table.widths):
            scales.append(view.columnWidth(col) / mm)
        if table_id == "s3":
            number = view.columnWidth(model.table.columns - 1)
            assert header < number < 1.5 * header
            assert sum(view.columnWidth(c) for c in range(model.table.columns)) < 1000
    assert max(scales) - min(scales) < 0.1


def test_reload_after_restore_refreshes_the_grid(qtbot: QtBot, pingtan: ReportSession, store: Store) -> None:
    _, model = open_grid(qtbot, pingtan, "s4")
    pingtan.edit_cells({"s4.review.upheld": "77"})
    store.set_cell(pingtan.report_id, "s4.review.upheld", "3")
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        pingtan.reload()
    assert model.data(model.index_of("s4.review.upheld")) == "3"


# --- spreadsheet keys (issue 12, item 10) -----------------------------------------------------------


def test_enter_after_a_run_of_tabs_returns_to_the_column_it_started_from(
    qtbot: QtBot, pingtan: ReportSession, db_path: Path
) -> None:
    view, _ = open_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.new.natural")
    for _ in range(3):
        press(qtbot, view, Qt.Key.Key_Tab)
    assert current_id(view) == "s3.new.social"
    press(qtbot, view, Qt.Key.Key_Return)
    assert current_id(view) == "s3.carried_over.natural"
    # Typing across a row: each Tab commits, Enter commits and goes to the next row's first column.
    type_keys(qtbot, view, "4")
    press(qtbot, view, Qt.Key.Key_Tab)
    type_keys(qtbot, view, "5")
    press(qtbot, view, Qt.Key.Key_Tab)
    type_keys(qtbot, view, "6")
    press(qtbot, view, Qt.Key.Key_Return)
    assert [stored(db_path, pingtan, f"s3.carried_over.{c}") for c in ("natural", "commercial", "research")] == [
        "4", "5", "6"
    ]
    assert current_id(view) == "s3.granted.natural"
    assert view.state() != QAbstractItemView.State.EditingState


def test_another_move_ends_the_tab_run(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, _ = open_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.new.natural")
    press(qtbot, view, Qt.Key.Key_Tab)
    press(qtbot, view, Qt.Key.Key_Down)  # an arrow ends the run
    press(qtbot, view, Qt.Key.Key_Return)
    assert current_id(view) == "s3.granted.commercial"
    press(qtbot, view, Qt.Key.Key_Tab)
    click(qtbot, view, "s3.granted.legal")  # so does a click
    press(qtbot, view, Qt.Key.Key_Return)
    assert current_id(view) == "s3.partially_granted.legal"
    press(qtbot, view, Qt.Key.Key_Tab)
    press(qtbot, view, Qt.Key.Key_Return)
    press(qtbot, view, Qt.Key.Key_Return)  # the second Enter simply goes down
    assert current_id(view) == "s3.denied_prohibited_by_law.legal"


def test_home_end_go_to_the_first_and_last_input_cell(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, _ = open_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.granted.research")
    press(qtbot, view, Qt.Key.Key_End)
    assert current_id(view) == "s3.granted.other_org"  # not the computed 总计
    press(qtbot, view, Qt.Key.Key_Home)
    assert current_id(view) == "s3.granted.natural"  # not the row labels
    press(qtbot, view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert current_id(view) == "s3.carried_forward.other_org"
    press(qtbot, view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert current_id(view) == "s3.new.natural"
    click(qtbot, view, "s3.total_processed.research")  # a row of totals: its first and last number
    press(qtbot, view, Qt.Key.Key_Home)
    assert current_id(view) == "s3.total_processed.natural"
    press(qtbot, view, Qt.Key.Key_End)
    assert current_id(view) == "s3.total_processed.total"
    s4_view, _ = open_grid(qtbot, pingtan, "s4")
    click(qtbot, s4_view, "s4.suit_direct.corrected")
    press(qtbot, s4_view, Qt.Key.Key_End)
    assert current_id(s4_view) == "s4.suit_after_review.pending"
    press(qtbot, s4_view, Qt.Key.Key_Home)
    assert current_id(s4_view) == "s4.review.upheld"
    s2_view, _ = open_grid(qtbot, pingtan, "s2")
    click(qtbot, s2_view, "s2.regulations.repealed")
    press(qtbot, s2_view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert current_id(s2_view) == "s2.fees.amount"
    press(qtbot, s2_view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert current_id(s2_view) == "s2.regulations.issued"


# --- frozen panes (issue 12, item 3) ---------------------------------------------------------------

# The viewport of 三 in the maximised window on a 1366×768 screen at 150 % scale (911×512 logical
# pixels): the size at which only three number columns fit beside the labels.
SMALL_VIEWPORT = (641, 390)


def open_small_grid(qtbot: QtBot, session: ReportSession, table_id: str) -> tuple[ReportGridView, ReportTableModel]:
    view, model = open_grid(qtbot, session, table_id)
    view.resize(*SMALL_VIEWPORT)
    qtbot.waitUntil(lambda: view.viewport().width() < SMALL_VIEWPORT[0])
    return view, model


def pane_text(pane: QTableView, x: int, y: int) -> str:
    """The text of the cell a frozen pane shows at a point of the grid's viewport (panes lie over it)."""
    point = QPoint(x, y) - pane.geometry().topLeft() + pane.parentWidget().viewport().geometry().topLeft()
    assert pane.isVisible() and pane.viewport().rect().contains(point)
    index = pane.indexAt(point)
    model = pane.model()
    assert isinstance(model, ReportTableModel)
    cell = model.cell_at(index.row(), index.column())
    assert cell is not None
    return cell.text


def free_part(view: ReportGridView) -> QRect:
    """The part of the viewport that the frozen panes leave to the scrolling cells."""
    width, height = view.frozen_size()
    return view.viewport().rect().adjusted(width, height, 0, 0)


def test_frozen_labels_and_headers_stay_in_view_when_scrolled(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, model = open_small_grid(qtbot, pingtan, "s3")
    assert view.frozen_extent() == (3, 3)
    width, height = view.frozen_size()
    assert width == sum(view.columnWidth(c) for c in range(3))  # the printed widths, frozen as they are
    assert height == sum(view.rowHeight(r) for r in range(3))
    # Scrolled to the last cell: the row label and the column header are beside and above it.
    assert view.select_cell("s3.carried_forward.total")
    last = view.visualRect(model.index_of("s3.carried_forward.total"))
    assert view.horizontalScrollBar().value() > 0 and view.verticalScrollBar().value() > 0
    assert free_part(view).contains(last)
    assert pane_text(view.frozen_columns, 5, last.center().y()) == "四、结转下年度继续办理"
    assert pane_text(view.frozen_rows, last.center().x(), height - 3) == "总计"
    assert pane_text(view.frozen_corner, 5, 5).startswith("（本列数据的勾稽关系")
    # A label cell merged over several rows is drawn whole in the pane, with its printed span.
    assert (view.frozen_columns.rowSpan(5, 0), view.frozen_columns.columnSpan(5, 0)) == (view.rowSpan(5, 0), 1)
    # Scrolled right only (first row): the labels of the first row are still there.
    view.verticalScrollBar().setValue(0)
    assert view.select_cell("s3.new.total")
    first = view.visualRect(model.index_of("s3.new.total"))
    assert free_part(view).contains(first) and view.verticalScrollBar().value() == 0
    assert pane_text(view.frozen_columns, 5, first.center().y()) == "一、本年新收政府信息公开申请数量"
    # Back to the first number cell: it comes out from under the frozen labels, not behind them.
    assert view.select_cell("s3.new.natural")
    assert view.horizontalScrollBar().value() == 0
    assert free_part(view).contains(view.visualRect(model.index_of("s3.new.natural")))
    assert pane_text(view.frozen_rows, view.visualRect(model.index_of("s3.new.natural")).center().x(), 30) == "自然人"


def test_keys_scroll_the_cell_out_from_under_the_frozen_parts(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, _ = open_small_grid(qtbot, pingtan, "s3")
    click(qtbot, view, "s3.new.natural")
    press(qtbot, view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert free_part(view).contains(view.visualRect(view.currentIndex()))
    press(qtbot, view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert current_id(view) == "s3.new.natural"
    assert free_part(view).contains(view.visualRect(view.currentIndex()))
    for _ in range(17):
        press(qtbot, view, Qt.Key.Key_Down)
    assert free_part(view).contains(view.visualRect(view.currentIndex()))
    bar = view.verticalScrollBar()
    assert 0 < bar.value() < bar.maximum()
    # The first row below the headers starts whole under them, not cut in half (as in a spreadsheet).
    height = view.frozen_size()[1]
    assert height in [view.rowViewportPosition(r) for r in range(3, view.model().rowCount())]


def test_a_click_in_a_frozen_part_selects_in_the_shared_selection(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, model = open_small_grid(qtbot, pingtan, "s3")
    panes = (view.frozen_columns, view.frozen_rows, view.frozen_corner)
    assert all(p.selectionModel() is view.selectionModel() and p.model() is model for p in panes)
    assert view.select_cell("s3.carried_forward.total")  # scrolled: the pane shows rows further down
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    label = model.index(model.index_of("s3.rejected_repeat.natural").row(), 2)
    pane = view.frozen_columns
    qtbot.mouseClick(pane.viewport(), Qt.MouseButton.LeftButton, pos=pane.visualRect(label).center())
    assert view.currentIndex() == label and view.selectionModel().isSelected(label)
    assert model.data(label) == "2.重复申请"
    # The keyboard stays with the grid: End goes to the row's last input cell.
    assert view.hasFocus() and QApplication.focusWidget() is view
    press(qtbot, view, Qt.Key.Key_End)
    assert current_id(view) == "s3.rejected_repeat.other_org"
    header = model.index(1, 3)
    pane = view.frozen_rows
    view.horizontalScrollBar().setValue(0)
    qtbot.mouseClick(pane.viewport(), Qt.MouseButton.LeftButton, pos=pane.visualRect(header).center())
    assert view.currentIndex() == header and model.data(header) == "自然人"
    assert {(i.row(), i.column()) for i in view.selectionModel().selectedIndexes()} == {(1, 3), (2, 3)}  # merged


def test_four_and_two_freeze_their_own_headers_and_labels(qtbot: QtBot, pingtan: ReportSession) -> None:
    s4, s4_model = open_small_grid(qtbot, pingtan, "s4")
    assert s4.frozen_extent() == (3, 0)
    assert s4.frozen_rows.isVisible() and not s4.frozen_columns.isVisible() and not s4.frozen_corner.isVisible()
    assert s4.select_cell("s4.suit_after_review.total")
    cell = s4.visualRect(s4_model.index_of("s4.suit_after_review.total"))
    assert s4.horizontalScrollBar().value() > 0 and free_part(s4).contains(cell)
    assert pane_text(s4.frozen_rows, cell.center().x(), s4.frozen_size()[1] - 3) == "总计"
    assert pane_text(s4.frozen_rows, cell.center().x(), 25) == "复议后起诉"
    s2, s2_model = open_small_grid(qtbot, pingtan, "s2")
    assert s2.frozen_extent() == (0, 1)
    assert s2.frozen_columns.isVisible() and not s2.frozen_rows.isVisible()
    s2.horizontalScrollBar().setValue(s2.horizontalScrollBar().maximum())
    assert s2.horizontalScrollBar().value() > 0
    row = s2.visualRect(s2_model.index_of("s2.licensing.decisions")).center().y()
    assert pane_text(s2.frozen_columns, 5, row) == "行政许可"


def test_nothing_is_frozen_where_no_number_column_would_fit_beside_it(qtbot: QtBot, pingtan: ReportSession) -> None:
    view, _ = open_grid(qtbot, pingtan, "s3")
    view.resize(480, 300)  # the labels alone are 460 pixels wide
    qtbot.waitUntil(lambda: view.viewport().width() < 480)
    assert view.frozen_size()[0] == 0 and not view.frozen_columns.isVisible()
    assert view.frozen_rows.isVisible()
    view.resize(1200, 900)
    qtbot.waitUntil(lambda: view.frozen_columns.isVisible())


LAPTOP_SCREEN = {
    "synchronousWindowSystemEvents": True,
    "windowFrameMargins": False,
    "screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "dpr": 1}],
}

# The app's window maximised on the screen above, 三 open and scrolled to its last cell.
MAXIMISED_S3 = """
import json, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from core.reportfile import read_report_file
from core.storage import Store
from ui.main_window import MainWindow
store = Store(Path({db!r}))
report_id = store.add_report(read_report_file(Path({sample!r})))
window = MainWindow(store)
window.showMaximized()
window.open_report(report_id)
window.editor.show_section("s3")
for _ in range(5):
    app.processEvents()
grid = window.editor.grids["s3"]
model = grid.report_model()
table = (sum(grid.columnWidth(c) for c in range(model.columnCount())),
         sum(grid.rowHeight(r) for r in range(model.rowCount())))
viewport = (grid.viewport().width(), grid.viewport().height())
grid.select_cell("s3.carried_forward.total")
app.processEvents()
last = grid.visualRect(grid.currentIndex())
width, height = grid.frozen_size()
def text(pane, x, y):
    index = pane.indexAt(pane.viewport().mapFromGlobal(grid.viewport().mapToGlobal(QPoint(x, y))))
    return model.cell_at(index.row(), index.column()).text
print(json.dumps({{
    "screen": app.primaryScreen().geometry().getRect(), "table": table, "viewport": viewport,
    "scrolled": [grid.horizontalScrollBar().value(), grid.verticalScrollBar().value()],
    "last_free": grid.viewport().rect().adjusted(width, height, 0, 0).contains(last),
    "label": text(grid.frozen_columns, 5, last.center().y()),
    "header": text(grid.frozen_rows, last.center().x(), height - 3),
}}, ensure_ascii=False))
"""


@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_three_in_the_maximised_window_on_a_laptop_screen(tmp_path: Path, samples_dir: Path, scale: str) -> None:
    """1366×768, maximised: at 100 % the whole of 三 shows without scrolling; at 150 % (911×512 logical
    pixels) it scrolls, and its row labels and header rows stay beside and above the last cell."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(LAPTOP_SCREEN))
    script = MAXIMISED_S3.format(
        root=str(Path(__file__).resolve().parents[1]),
        db=str(tmp_path / "r.sqlite3"),
        sample=str(samples_dir / "real" / "2022_pingtan.json"),
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": scale,
        "GOV_REPORT_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["label"] == "四、结转下年度继续办理" and seen["header"] == "总计"
    assert seen["last_free"]
    table, viewport = seen["table"], seen["viewport"]
    if scale == "1":
        assert seen["screen"] == [0, 0, 1366, 768]
        assert table[0] <= viewport[0] and table[1] <= viewport[1], f"三 is {table}, its viewport {viewport}"
        # The offscreen screen has no title bar and no panel; a desktop's take some 60 pixels of height.
        assert viewport[1] - table[1] >= 60, f"三 is {table}, its viewport {viewport}"
        assert seen["scrolled"] == [0, 0]
    else:
        assert seen["screen"] == [0, 0, 911, 512]
        assert table[0] > viewport[0] and table[1] > viewport[1]
        assert seen["scrolled"][0] > 0 and seen["scrolled"][1] > 0



# --- pasting the official shape (issue 12, item 4) -------------------------------------------------


def test_paste_of_the_official_shape_with_labels_headers_and_totals(
    qtbot: QtBot, store: Store, db_path: Path
) -> None:
    session = new_session(store)
    view, model = open_grid(qtbot, session, "s3")
    steps = session.undo_stack.count()
    click(qtbot, view, "s3.new.natural")
    QApplication.clipboard().setText(EXCEL_S3)
    with qtbot.waitSignal(view.notice, timeout=1000) as notice:
        press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert notice.args[0].startswith("已粘贴 144 个单元格，表头和行名称") and "31 个合计与计算一致" in notice.args[0]
    assert view.paste_notice is None
    assert {c: stored(db_path, session, c) for c in EXPECTED_S3} == EXPECTED_S3
    assert model.data(model.index_of("s3.total_processed.total")) == "1233"
    assert session.undo_stack.count() == steps + 1 and session.undo_stack.undoText() == "粘贴"
    selected = view.selectionModel().selectedIndexes()
    assert len(selected) == model.rowCount() * model.columnCount()  # the whole table it covered
    session.undo_stack.undo()
    assert all(stored(db_path, session, c) is None for c in EXPECTED_S3)


def test_pasted_totals_that_differ_are_said_and_the_paste_can_be_undone(
    qtbot: QtBot, store: Store, db_path: Path
) -> None:
    rows = [list(r) for r in EXCEL_S3_ROWS]
    rows[26][3] = "1,231"  # （七）总计·自然人 one more than its column adds up to
    session = new_session(store)
    view, model = open_grid(qtbot, session, "s3")
    steps = session.undo_stack.index()
    click(qtbot, view, "s3.new.natural")
    QApplication.clipboard().setText(to_tsv(rows))
    with qtbot.waitSignal(view.notice, timeout=1000) as notice:
        press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert notice.args[0] == "粘贴的总计与计算不符：（七）总计·自然人 粘贴 1231，计算 1230"
    box = view.paste_notice
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.windowModality() == Qt.WindowModality.NonModal and not box.isModal()
    assert "（七）总计·自然人 粘贴 1231，计算 1230" in box.informativeText()
    assert box.defaultButton().text() == "保留粘贴"
    # The numbers are in: a mismatch is said, not a refusal.
    assert stored(db_path, session, "s3.new.natural") == "1234"
    assert model.data(model.index_of("s3.total_processed.natural")) == "1230"
    assert session.undo_stack.index() == steps + 1
    (undo,) = [b for b in box.buttons() if b.objectName() == "undo_paste"]
    assert undo.text() == "撤销这次粘贴"
    undo.click()
    qtbot.waitUntil(lambda: view.paste_notice is None)
    assert session.undo_stack.index() == steps
    assert stored(db_path, session, "s3.new.natural") is None


def test_undo_from_the_notice_does_not_undo_a_later_edit(qtbot: QtBot, store: Store, db_path: Path) -> None:
    session = new_session(store)
    view, _ = open_grid(qtbot, session, "s4")
    click(qtbot, view, "s4.review.upheld")
    QApplication.clipboard().setText("结果维持\t结果纠正\t其他结果\t尚未审结\t总计\r\n1\t2\t0\t0\t4\r\n")
    with qtbot.waitSignal(view.notice, timeout=1000) as notice:
        press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert notice.args[0] == "粘贴的总计与计算不符：行政复议·总计 粘贴 4，计算 3"
    box = view.paste_notice
    assert box is not None
    session.edit_cells({"s4.review.pending": "5"})  # typed while the notice stays open
    (undo,) = [b for b in box.buttons() if b.objectName() == "undo_paste"]
    with qtbot.waitSignal(view.notice, timeout=1000) as notice:
        undo.click()
    assert "已有其他修改" in notice.args[0]
    assert stored(db_path, session, "s4.review.upheld") == "1" and stored(db_path, session, "s4.review.pending") == "5"
    with qtbot.waitSignal(view.notice, timeout=1000):
        press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert stored(db_path, session, "s4.review.pending") == "0"
    assert "撤销这次粘贴" in [b.text() for b in notice_buttons(view)]
    # Pasting the same again changes nothing: the notice offers no undo, which would undo something else.
    with qtbot.waitSignal(view.notice, timeout=1000):
        press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "撤销这次粘贴" not in [b.text() for b in notice_buttons(view)]


def notice_buttons(view: ReportGridView) -> list[QAbstractButton]:
    assert view.paste_notice is not None and view.paste_notice.isVisible()
    return view.paste_notice.buttons()


def test_a_web_table_copied_in_a_browser_pastes_from_its_html(qtbot: QtBot, store: Store, db_path: Path) -> None:
    session = new_session(store)
    view, _ = open_grid(qtbot, session, "s3")
    click(qtbot, view, "s3.new.natural")
    mime = QMimeData()
    mime.setText(CHROME_S3_TEXT)
    mime.setHtml(CHROME_S3_HTML)
    QApplication.clipboard().setMimeData(mime)  # the clipboard owns it now
    try:
        with qtbot.waitSignal(view.notice, timeout=1000) as notice:
            press(qtbot, view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    finally:
        # Emptied here, while the application lives: a QMimeData the clipboard still holds when Qt
        # shuts down is deleted twice (by Qt and by its Python wrapper), and the test process crashed
        # on exit with a segmentation fault although every test had passed.
        QApplication.clipboard().clear()
    assert notice.args[0].startswith("已粘贴 24 个单元格")
    cells = ("s3.new.natural", "s3.new.commercial", "s3.granted.natural", "s3.partially_granted.natural")
    assert [stored(db_path, session, c) for c in cells] == ["71", "3", "21", "8"]
