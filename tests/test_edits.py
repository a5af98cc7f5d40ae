"""Typed edits and the report's one mapping of text fields: what the database, the undo stack and the
open report share; a typed value is parsed once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.edits import (
    CellEdit,
    FieldEdit,
    InvalidEdit,
    PrintedEdit,
    StatusEdit,
    cell_edit,
    check_edit,
    decode_edit,
    field_edit,
    status_edit,
)
from core.nextyear import new_report
from core.numbers import BLANK, Parsed, parse_value
from core.report import FIELD_KEYS, Contact, Report, Signature
from core.storage import Store
from core.template import CellKind, load_template
from ui.grid import ReportTableModel
from ui.session import ReportSession

T2021 = load_template("2021")


def test_every_field_key_reads_and_writes_its_own_attribute() -> None:
    report = Report("2021", "某机关", 2025)
    for i, key in enumerate(FIELD_KEYS):
        report.set_field(key, f"值{i}")
    assert report.fields() == {key: f"值{i}" for i, key in enumerate(FIELD_KEYS)}
    assert report.title == "值0" and report.preamble == "值1" and report.text("s1") == "值2"
    assert report.contact == Contact("值6", "值7", "值8", "值9")
    assert report.signature == Signature("值10", "值11")


@pytest.mark.parametrize("key", ["", "agency", "contact", "contact.fax", "signature.seal", "s7", "title.x"])
def test_unknown_field_keys_are_refused(key: str) -> None:
    with pytest.raises(KeyError):
        Report("2021", "某机关", 2025).field(key)
    with pytest.raises(InvalidEdit):
        field_edit(key, "x")


def test_cell_edit_parses_with_the_cells_kind() -> None:
    assert cell_edit(T2021, "s2.fees.amount", "12.5万元").value == parse_value("12.5万元", CellKind.MONEY)
    assert cell_edit(T2021, "s3.new.natural", "１２").value == Parsed(12, "12")
    assert cell_edit(T2021, "s3.new.natural", "").value is BLANK
    assert cell_edit(T2021, "s3.new.natural", "12a").value.error
    with pytest.raises(InvalidEdit, match="合计"):
        cell_edit(T2021, "s3.new.total", "3")
    with pytest.raises(InvalidEdit, match="不是本报告格式中的单元格"):
        cell_edit(T2021, "s3.other.natural", "3")  # a 2019 row


def test_check_edit_refuses_what_does_not_fit_the_template() -> None:
    check_edit(T2021, PrintedEdit("s3.new.total", BLANK))
    for edit in (
        CellEdit("s3.new.total", Parsed(3, "3")),
        PrintedEdit("s3.new.natural", BLANK),
        FieldEdit("nope", ""),
        StatusEdit("done"),
    ):
        with pytest.raises(InvalidEdit):
            check_edit(T2021, edit)


@pytest.mark.parametrize(
    "edit",
    [
        cell_edit(T2021, "s3.new.natural", "12"),
        cell_edit(T2021, "s3.new.natural", ""),
        cell_edit(T2021, "s3.new.natural", "12a"),
        cell_edit(T2021, "s2.fees.amount", "5949.088667万元"),
        PrintedEdit("s3.new.total", Parsed(9, "9")),
        PrintedEdit("s3.new.total", BLANK),
        PrintedEdit("s3.new.total", None),
        field_edit("contact.phone", "0591-1234"),
        field_edit("s5", ""),
        status_edit("final"),
    ],
)
def test_an_edit_stored_decodes_to_itself(edit: CellEdit | PrintedEdit | FieldEdit | StatusEdit) -> None:
    assert decode_edit(T2021, edit.target, edit.stored) == edit


def test_edits_apply_to_the_report_and_tell_how_to_undo() -> None:
    report = new_report("某机关", 2025)
    edit = cell_edit(report.template, "s3.new.natural", "7")
    undo = edit.current(report)
    edit.apply_to(report)
    assert report.value("s3.new.natural").number == 7
    undo.apply_to(report)
    assert report.value("s3.new.natural") is BLANK
    text = FieldEdit("signature.date", "2026-01-20")
    before = text.current(report)
    text.apply_to(report)
    assert report.signature.date == "2026-01-20"
    before.apply_to(report)
    assert report.signature.date == ""


def test_a_keystroke_in_the_grid_parses_its_value_once(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "reports.sqlite3", seed=False)
    try:
        session = ReportSession(store, store.add_report(new_report("某机关", 2025)))
        model = ReportTableModel(session, "s3")
        calls: list[object] = []
        real = parse_value

        def counting(value: object, kind: CellKind) -> Parsed:
            calls.append(value)
            return real(value, kind)

        # Every module that could parse a typed value on its way to the screen and the database.
        for name, module in list(sys.modules.items()):
            if name.split(".")[0] in ("core", "ui") and getattr(module, "parse_value", None) is real:
                monkeypatch.setattr(module, "parse_value", counting)
        assert model.setData(model.index_of("s3.new.natural"), "１２")
        assert calls == ["１２"]
        assert store.load(session.report_id).value("s3.new.natural").number == 12
        assert session.report.value("s3.new.natural").number == 12
    finally:
        store.close()
