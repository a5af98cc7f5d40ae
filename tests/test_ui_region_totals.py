"""汇总 dialog (ui/region_totals.py): ticks decide the totals, units with errors start left out, a figure
drills down to its units, the 汇总表 is written in the background, and the region's draft is stored."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from core.numbers import format_number
from core.region import UnitReport, summable_cells
from core.report import Report
from core.storage import Store
from exports.summary_xlsx import S3_SHEET
from tests.test_region import unit, varied
from ui.region_totals import BLANK_TEXT, RegionTotalsDialog

TIMEOUT_MS = 30_000


def units() -> list[UnitReport]:
    """Four units of 2022: 甲, 乙 (with blank cells), 丙 (its 三 does not balance), 丁."""
    reports = [varied("甲单位", 1), varied("乙单位", 2), varied("丙单位", 3), varied("丁单位", 1)]
    lowered = reports[1].number("s3.granted.natural")
    reports[1].set_cell("s3.granted.natural", None)
    reports[1].set_cell("s3.new.natural", reports[1].number("s3.new.natural") - lowered)
    reports[2].set_cell("s3.new.legal", reports[2].number("s3.new.legal") + 7)
    return [unit(r, f"来文/{r.agency}.docx") for r in reports]


def open_dialog(qtbot: QtBot, given: list[UnitReport], **kwargs: Any) -> RegionTotalsDialog:
    dialog = RegionTotalsDialog(given, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def shown(dialog: RegionTotalsDialog, cell_id: str) -> str:
    """The figure the official table shows for a cell."""
    model = dialog.models[cell_id.split(".")[0]]
    return str(model.data(model.index_of(cell_id)))


def expected(reports: list[Report], cell_id: str) -> str:
    total = sum(r.totals()[cell_id] if r.template.cell(cell_id).computed else r.number(cell_id) for r in reports)
    return format_number(total, reports[0].template.cell(cell_id).kind)


def ticks(dialog: RegionTotalsDialog) -> list[bool]:
    items = (dialog.unit_list.item(r) for r in range(dialog.unit_list.count()))
    return [item.checkState() == Qt.CheckState.Checked for item in items]


def test_units_with_errors_start_unticked_and_marked(qtbot: QtBot) -> None:
    given = units()
    assert [u.errors > 0 for u in given] == [False, False, True, False]
    dialog = open_dialog(qtbot, given)
    assert ticks(dialog) == [True, True, False, True]
    assert f"{given[2].errors} 个错误" in dialog.unit_list.item(2).text()
    counted = [given[i].report for i in (0, 1, 3)]
    for cell_id in ("s3.new.legal", "s3.new.total", "s3.total_processed.total", "s4.review.total",
                    "s2.licensing.decisions", "s2.fees.amount"):
        assert shown(dialog, cell_id) == expected(counted, cell_id), cell_id
    assert "计入 3 个单位" in dialog.summary_label.text()

    dialog.include_errors.setChecked(True)  # counting units with errors ticks them
    assert ticks(dialog) == [True, True, True, True]
    everyone = [u.report for u in given]
    assert shown(dialog, "s3.new.legal") == expected(everyone, "s3.new.legal")
    # The sum of a unit that does not balance does not balance either: its check says so, the cell is red.
    texts = [dialog.findings_list.item(r).text() for r in range(dialog.findings_list.count())]
    assert any("S3-BALANCE" in t or "「法律服务机构」列" in t for t in texts), texts
    model = dialog.models["s3"]
    assert model.data(model.index_of("s3.new.legal"), Qt.ItemDataRole.BackgroundRole) is not None

    dialog.include_errors.setChecked(False)
    assert ticks(dialog) == [True, True, False, True]


def test_ticking_changes_the_totals(qtbot: QtBot) -> None:
    given = units()
    dialog = open_dialog(qtbot, given)
    first = dialog.unit_list.item(0)
    first.setCheckState(Qt.CheckState.Unchecked)  # as a click on its box does
    counted = [given[i].report for i in (1, 3)]
    for cell_id in ("s3.new.natural", "s3.carried_forward.total", "s4.suit_direct.total", "s2.penalty.decisions"):
        assert shown(dialog, cell_id) == expected(counted, cell_id), cell_id
    assert [u.name for u in dialog.totals.included] == ["乙单位", "丁单位"]
    dialog.unit_list.item(2).setCheckState(Qt.CheckState.Checked)  # 丙 ticked on purpose, still has errors
    assert [u.name for u in dialog.totals.included] == ["乙单位", "丁单位"]
    assert "未计入：有错误" in dialog.unit_list.item(2).text()
    first.setCheckState(Qt.CheckState.Checked)
    assert shown(dialog, "s3.new.natural") == expected([given[i].report for i in (0, 1, 3)], "s3.new.natural")


def test_a_click_on_a_figure_lists_its_units(qtbot: QtBot) -> None:
    given = units()
    dialog = open_dialog(qtbot, given)
    dialog.tabs.setCurrentIndex(1)
    grid, model = dialog.grids["s3"], dialog.models["s3"]
    index = model.index_of("s3.granted.natural")
    grid.scrollTo(index)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center())
    a, b, d = (given[i].report for i in (0, 1, 3))
    assert dialog.parts_shown() == [
        ("甲单位", str(a.number("s3.granted.natural"))),
        ("乙单位", BLANK_TEXT),
        ("丁单位", str(d.number("s3.granted.natural"))),
        ("合计", expected([a, b, d], "s3.granted.natural")),
    ]
    assert "（一）予以公开" in dialog.parts_label.text() and "自然人" in dialog.parts_label.text()

    # A computed figure: each unit's own total.
    dialog.grids["s3"].setCurrentIndex(model.index_of("s3.total_processed.total"))
    rows = dialog.parts_shown()
    assert rows[:-1] == [(r.agency, str(r.totals()["s3.total_processed.total"])) for r in (a, b, d)]
    assert rows[-1] == ("合计", expected([a, b, d], "s3.total_processed.total"))
    # Unticking a unit takes it out of the list shown.
    dialog.unit_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert [name for name, _ in dialog.parts_shown()] == ["乙单位", "丁单位", "合计"]


def _evaluate(sheet: Any, ref: str) -> float:
    """A cell's value, working out =SUM(…) formulas over ranges and lists (what openpyxl leaves as text)."""
    value = sheet[ref].value
    if not (isinstance(value, str) and value.startswith("=SUM(")):
        return float(value or 0)
    total = 0.0
    for part in value[5:-1].split(","):
        first, _, last = part.partition(":")
        (c1, r1), (c2, r2) = (re.fullmatch(r"([A-Z]+)(\d+)", x).groups() for x in (first, last or first))  # type: ignore[union-attr]
        for row in range(int(r1), int(r2) + 1):
            for col in range(column_index_from_string(c1), column_index_from_string(c2) + 1):
                total += _evaluate(sheet, f"{sheet.cell(row=row, column=col).column_letter}{row}")
    return total


def test_export_writes_a_workbook_whose_formulas_sum_to_the_totals(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, units())
    target = tmp_path / "汇总.xlsx"
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT_MS) as done:
        dialog.export_to(target)
    assert done.args == [str(target)]
    assert "已导出" in dialog.status_label.text()
    sheet = load_workbook(target)[S3_SHEET]
    names = [sheet.cell(row=r, column=1).value for r in range(3, 7)]
    assert names == ["甲单位", "乙单位", "丁单位", "合计（3 个单位）"]
    template = dialog.totals.template
    cells = [f"s3.{r.id}.{c.id}" for r in template.s3.rows for c in template.s3.columns]
    for index, cell_id in enumerate(cells, start=2):
        ref = f"{sheet.cell(row=6, column=index).column_letter}6"
        assert str(sheet[ref].value).startswith("=SUM(")
        assert _evaluate(sheet, ref) == float(dialog.totals.totals[cell_id]), cell_id


def test_an_export_that_fails_says_why(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **_k: warned.append(args))
    dialog = open_dialog(qtbot, units())
    (tmp_path / "汇总.xlsx").mkdir()
    with qtbot.waitSignal(dialog.export_failed, timeout=TIMEOUT_MS) as failed:
        dialog.export_to(tmp_path / "汇总.xlsx")
    (message,) = failed.args
    assert message.startswith("无法写入「汇总.xlsx」") and "\n" not in message
    assert warned and warned[0][2] == message
    assert dialog.export_button.isEnabled()


def test_the_draft_report_holds_the_totals(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, units(), store=store, agency="某某区人民政府")
    assert dialog.default_year() == 2022
    with qtbot.waitSignal(dialog.report_created, timeout=TIMEOUT_MS) as created:
        assert dialog.create_draft("某某区人民政府", 2022) is None
    (report_id,) = created.args
    stored = store.load(report_id)
    assert (stored.agency, stored.year, stored.template_id) == ("某某区人民政府", 2022, "2021")
    assert store.status(report_id) == "draft"
    for cell_id in summable_cells(dialog.totals.template):
        assert stored.number(cell_id) == dialog.totals.totals[cell_id], cell_id
    assert stored.totals()["s3.total_processed.total"] == dialog.totals.totals["s3.total_processed.total"]

    # The agency has its report for the year now: a second draft is refused, nothing stored.
    before = len(store.list_reports())
    message = dialog.create_draft("某某区人民政府", 2022)
    assert message is not None and "已有「某某区人民政府」2022 年度报告" in message
    assert len(store.list_reports()) == before
    assert dialog.create_draft("  ", 2022) == "请填写机关名称。"


def test_without_a_database_there_is_no_draft(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, units())
    assert not dialog.draft_button.isEnabled()
    assert dialog.create_draft("某某区人民政府", 2022) == "没有打开数据库，不能生成草稿。"


def test_the_tables_follow_the_template_of_the_units_ticked(qtbot: QtBot) -> None:
    old = [unit(varied(f"旧{i}单位", i, "2019", 2020)) for i in (1, 2)]
    dialog = open_dialog(qtbot, [*units(), *old])
    assert dialog.totals.template.id == "2021"
    dialog.set_ticked([0, 1, 3], False)  # only the 2020 units are left
    assert dialog.totals.template.id == "2019" and dialog.totals.year == 2020
    assert shown(dialog, "s3.other.natural") == expected([u.report for u in old], "s3.other.natural")
    # Money is added up in 万元: "75394432.52元" counts as 7539.443252, and the unit is said with the figure.
    assert shown(dialog, "s2.procurement.amount") == "15078.886504万元"
    s2 = dialog.models["s2"]
    assert s2.data(s2.index_of("s2.licensing.prev_items")) == ""  # a unit's list of items is not added up
    dialog.show_parts("s2.licensing.prev_items")
    assert "不汇总" in dialog.parts_label.text() and dialog.parts_shown() == []
