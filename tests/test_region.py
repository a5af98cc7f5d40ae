"""Region totals (core/region.py): which units count, the sums cell by cell, the drill-down and the
draft report of the region."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.checks import ERROR, validate
from core.numbers import BLANK, Parsed
from core.region import RegionTotals, UnitReport, money_unit, region_report, region_totals, summable_cells
from core.report import Contact, Report
from core.template import load_template
from tests.conftest import APPLICANT_COLUMNS, full_report


def unit(report: Report, file: str = "") -> UnitReport:
    errors = sum(1 for f in validate(report) if f.severity == ERROR)
    return UnitReport(report.agency, report, errors, file or f"{report.agency}.json")


def varied(agency: str, shift: int, template_id: str = "2021", year: int | None = None) -> Report:
    """A full, balanced report whose figures differ from unit to unit."""
    report = full_report(template_id, year, agency=agency, carried_over=shift, carried_forward=shift + 1)
    for cell_id in ("s2.licensing.decisions", "s2.penalty.decisions"):
        report.set_cell(cell_id, int(report.number(cell_id)) + 10 * shift)
    report.set_cell("s4.review.upheld", shift)
    return report


def independent_sum(reports: list[Report], cell_id: str) -> int | Decimal:
    """The cell added up straight from each report: inputs as they are, computed cells as each report's
    own derived figure (not through core.region)."""
    total: int | Decimal = 0
    for r in reports:
        cell = r.template.cell(cell_id)
        total += r.totals()[cell_id] if cell.computed else r.number(cell_id)
    return total


def test_totals_are_the_units_added_up_cell_by_cell() -> None:
    reports = [varied(f"第{i}单位", i) for i in range(1, 4)]
    result = region_totals([unit(r) for r in reports])
    assert [u.name for u in result.included] == ["第1单位", "第2单位", "第3单位"]
    assert result.excluded == ()
    assert result.template.id == "2021" and result.year == 2022
    template = load_template("2021")
    expected_cells = [c.id for c in template.cells if c.section in ("s3", "s4")]
    expected_cells += [c for c in summable_cells(template) if c.startswith("s2.")]
    assert set(result.totals) == set(expected_cells)
    for cell_id in expected_cells:
        assert result.totals[cell_id] == independent_sum(reports, cell_id), cell_id
    assert result.totals["s2.licensing.decisions"] == 3 * 120 + 10 * (1 + 2 + 3)
    assert result.totals["s4.review.total"] == sum(int(r.totals()["s4.review.total"]) for r in reports)
    assert result.findings == ()  # balanced units add up to balanced totals


def test_summable_cells_are_inputs_of_three_and_four_and_the_marked_counts_of_two() -> None:
    t21, t19 = load_template("2021"), load_template("2019")
    cells21 = summable_cells(t21)
    assert "s3.new.natural" in cells21 and "s4.review.upheld" in cells21
    assert "s3.new.total" not in cells21 and "s3.total_processed.natural" not in cells21
    assert "s4.review.total" not in cells21
    assert [c for c in cells21 if c.startswith("s2.")] == [
        "s2.regulations.issued", "s2.regulations.repealed", "s2.regulations.in_force",
        "s2.normative_docs.issued", "s2.normative_docs.repealed", "s2.normative_docs.in_force",
        "s2.licensing.decisions", "s2.penalty.decisions", "s2.coercion.decisions", "s2.fees.amount",
    ]
    cells19 = summable_cells(t19)
    assert "s2.procurement.amount" in cells19 and "s2.other_services.decisions" in cells19
    assert "s2.licensing.prev_items" not in cells19 and "s2.licensing.change" not in cells19


def test_a_blank_counts_as_zero_and_shows_as_blank_in_the_parts() -> None:
    a, b = varied("甲单位", 1), varied("乙单位", 2)
    b.set_cell("s3.granted.natural", None)
    result = region_totals([unit(a), unit(b)], include_errors=True)
    assert result.totals["s3.granted.natural"] == a.number("s3.granted.natural")
    parts = result.parts("s3.granted.natural")
    assert [(u.name, p) for u, p in parts] == [("甲单位", a.value("s3.granted.natural")), ("乙单位", BLANK)]
    assert parts[1][1].is_blank


def test_the_drill_down_of_a_computed_cell_is_each_units_own_total() -> None:
    reports = [varied(f"第{i}单位", i) for i in range(1, 4)]
    result = region_totals([unit(r) for r in reports])
    for cell_id in ("s3.new.total", "s3.total_processed.legal", "s3.total_processed.total", "s4.review.total"):
        parts = result.parts(cell_id)
        assert [p.number for _, p in parts] == [r.totals()[cell_id] for r in reports]
        assert sum(p.value_or_zero for _, p in parts) == result.totals[cell_id]


def test_printed_totals_are_never_added_up() -> None:
    good = varied("甲单位", 1)
    wrong = varied("乙单位", 2)
    wrong.printed["s3.new.total"] = Parsed(999, "999")
    wrong.printed["s3.total_processed.natural"] = Parsed(0, "0")
    result = region_totals([unit(good), unit(wrong)], include_errors=True)
    assert [u.name for u in result.included] == ["甲单位", "乙单位"]
    assert result.totals["s3.new.total"] == good.totals()["s3.new.total"] + wrong.totals()["s3.new.total"]
    assert result.totals["s3.total_processed.natural"] == (
        good.totals()["s3.total_processed.natural"] + wrong.totals()["s3.total_processed.natural"]
    )


def test_units_with_errors_are_left_out_unless_included_on_purpose() -> None:
    good = varied("甲单位", 1)
    bad = varied("乙单位", 2)
    bad.set_cell("s3.new.natural", bad.number("s3.new.natural") + 5)  # no longer balances
    units = [unit(good), unit(bad)]
    assert units[1].errors > 0
    result = region_totals(units)
    assert [u.name for u in result.included] == ["甲单位"]
    ((left_out, reason),) = result.excluded
    assert left_out is units[1] and reason.startswith("有错误")
    assert result.totals["s3.new.natural"] == good.number("s3.new.natural")
    assert result.findings == ()

    with_errors = region_totals(units, include_errors=True)
    assert [u.name for u in with_errors.included] == ["甲单位", "乙单位"]
    assert with_errors.totals["s3.new.natural"] == good.number("s3.new.natural") + bad.number("s3.new.natural")
    # The sum does not balance either, and its own check says so.
    assert any(f.rule == "S3-BALANCE" and "s3.new.natural" in f.cells for f in with_errors.findings)
    assert with_errors.errors > 0


def test_a_unit_of_another_year_is_left_out() -> None:
    units = [unit(varied("甲单位", 1)), unit(varied("乙单位", 2)), unit(varied("丙单位", 3, year=2023))]
    result = region_totals(units)
    assert result.year == 2022
    assert [u.name for u in result.included] == ["甲单位", "乙单位"]
    ((left_out, reason),) = result.excluded
    assert left_out.name == "丙单位" and reason == "年度不同（2023 年，汇总的是 2022 年）"


def test_years_tied_take_the_latest() -> None:
    result = region_totals([unit(varied("甲单位", 1, year=2022)), unit(varied("乙单位", 1, year=2023))])
    assert result.year == 2023 and [u.name for u in result.included] == ["乙单位"]


def test_two_reports_of_the_same_agency_and_year_count_once() -> None:
    first = unit(varied("甲单位", 1), "甲/2022.docx")
    second = unit(varied("甲单位", 4), "甲/2022-new.pdf")
    other = unit(varied("乙单位", 2))
    result = region_totals([first, second, other])
    assert [u.file for u in result.included] == ["甲/2022.docx", "乙单位.json"]
    ((left_out, reason),) = result.excluded
    assert left_out is second
    assert reason.startswith("重复") and "甲/2022.docx" in reason


def test_of_two_copies_the_one_without_errors_counts() -> None:
    broken = varied("甲单位", 1)
    broken.set_cell("s3.new.natural", broken.number("s3.new.natural") + 1)
    fine = varied("甲单位", 1)
    result = region_totals([unit(broken, "a.docx"), unit(fine, "b.docx")])
    assert [u.file for u in result.included] == ["b.docx"]
    assert result.excluded[0][1].startswith("重复")


def test_a_2021_unit_counts_in_2019_totals_through_the_row_mapping() -> None:
    old = [varied("甲单位", 1, "2019", 2020), varied("乙单位", 2, "2019", 2020)]
    new = varied("丙单位", 3, "2021", 2020)  # a unit that used the newer format for 2020
    units = [unit(r) for r in (*old, new)]
    result = region_totals(units, include_errors=True)  # the 2021 format for 2020 is only a warning anyway
    assert result.template.id == "2019"
    assert [u.name for u in result.included] == ["甲单位", "乙单位", "丙单位"]
    for col in APPLICANT_COLUMNS:
        three = sum(new.number(f"s3.{r}.{col}") for r in ("other_no_correction", "other_unpaid_fee", "other_else"))
        assert result.totals[f"s3.other.{col}"] == sum(r.number(f"s3.other.{col}") for r in old) + three
        processed = f"s3.total_processed.{col}"
        assert result.totals[processed] == sum(u.report.totals()[processed] for u in units)
    # 二: cells with the same id count; 2019's own columns the 2021 report does not have count as blank.
    assert result.totals["s2.licensing.decisions"] == sum(r.number("s2.licensing.decisions") for r in (*old, new))
    assert result.totals["s2.regulations.new_made"] == sum(r.number("s2.regulations.new_made") for r in old)
    parts = dict((u.name, p) for u, p in result.parts("s3.other.natural"))
    assert parts["丙单位"].number == sum(
        new.number(f"s3.{r}.natural") for r in ("other_no_correction", "other_unpaid_fee", "other_else")
    )
    assert dict((u.name, p) for u, p in result.parts("s2.regulations.new_made"))["丙单位"].is_blank
    ((noted, note),) = result.notes
    assert noted.name == "丙单位" and "其他处理" in note and "本年新制作数量" in note


def test_a_2019_unit_cannot_be_split_into_2021_totals() -> None:
    units = [unit(varied("甲单位", 1)), unit(varied("乙单位", 2)), unit(varied("丙单位", 3, "2019", 2022))]
    result = region_totals(units, include_errors=True)
    assert result.template.id == "2021"
    assert [u.name for u in result.included] == ["甲单位", "乙单位"]
    ((left_out, reason),) = result.excluded
    assert left_out.name == "丙单位"
    assert reason.startswith("格式不同") and "（六）其他处理" in reason and "不能拆分" in reason


def test_the_template_is_the_one_given_or_the_one_most_use() -> None:
    units = [
        unit(varied("甲单位", 1, "2019", 2021)), unit(varied("乙单位", 2, "2019", 2021)),
        unit(varied("丙单位", 1, "2021", 2021)),
    ]
    assert region_totals(units, include_errors=True).template.id == "2019"
    assert region_totals(units, include_errors=True, template_id="2021").template.id == "2021"
    # A tie: the template that fits the year.
    tie = [units[0], units[2]]
    assert region_totals(tie, include_errors=True).template.id == "2021"


def test_money_adds_up_exactly_and_yuan_count_as_ten_thousandths() -> None:
    reports = [varied(f"第{i}单位", i) for i in range(1, 4)]
    reports[0].set_cell("s2.fees.amount", "0.1")
    reports[1].set_cell("s2.fees.amount", "0.2")
    reports[2].set_cell("s2.fees.amount", "5000元")
    result = region_totals([unit(r) for r in reports])
    assert result.totals["s2.fees.amount"] == Decimal("0.8")
    assert isinstance(result.totals["s2.fees.amount"], Decimal)
    assert [p.number for _, p in result.parts("s2.fees.amount")] == [Decimal("0.1"), Decimal("0.2"), Decimal("0.5")]
    assert result.report.value("s2.fees.amount").number == Decimal("0.8")


def test_the_totals_as_a_report_check_like_any_report() -> None:
    reports = [varied(f"第{i}单位", i) for i in range(1, 3)]
    result = region_totals([unit(r) for r in reports])
    assert result.report.template_id == "2021"
    assert result.report.totals()["s3.total_processed.total"] == result.totals["s3.total_processed.total"]
    for cell_id in summable_cells(result.template):
        assert result.report.number(cell_id) == result.totals[cell_id]


def test_no_units_give_zero_totals() -> None:
    result = region_totals([])
    assert isinstance(result, RegionTotals)
    assert result.included == () and result.excluded == () and result.year is None
    assert set(result.totals.values()) == {0}


def test_the_regions_draft_report_is_prefilled_with_the_totals() -> None:
    reports = [varied(f"第{i}单位", i) for i in range(1, 3)]
    result = region_totals([unit(r) for r in reports])
    draft = region_report(result, "某某区人民政府", 2022, Contact(phone="0000-1234567"))
    assert (draft.agency, draft.year, draft.template_id) == ("某某区人民政府", 2022, "2021")
    assert draft.title == "某某区人民政府2022年政府信息公开工作年度报告"
    assert "0000-1234567" in draft.preamble
    assert draft.texts["s1"].startswith("（一）主动公开")
    for cell_id in summable_cells(result.template):
        assert draft.number(cell_id) == result.totals[cell_id], cell_id
    assert draft.totals()["s4.review.total"] == result.totals["s4.review.total"]
    assert not [f for f in validate(draft) if f.severity == ERROR]
    draft.set_cell("s3.new.natural", 0)  # its own: changing the draft leaves the totals alone
    assert result.report.number("s3.new.natural") != 0


@pytest.mark.parametrize("include_errors", [False, True])
def test_every_unit_is_either_included_or_excluded(include_errors: bool) -> None:
    reports = [varied("甲单位", 1), varied("甲单位", 2), varied("乙单位", 3, year=2021), varied("丙单位", 1, "2019")]
    reports.append(varied("丁单位", 2))
    reports[-1].set_cell("s3.new.social", 0)
    units = [unit(r) for r in reports]
    result = region_totals(units, include_errors=include_errors)
    seen = [id(u) for u in result.included] + [id(u) for u, _ in result.excluded]
    assert sorted(seen) == sorted(id(u) for u in units)


def test_money_is_added_up_in_wan_yuan_and_says_so_where_the_header_does_not() -> None:
    # 2019's 采购总金额 prints no unit; the example report writes it in 元.
    reports = [varied("甲单位", 1, "2019", 2020), varied("乙单位", 2, "2019", 2020)]
    reports[1].set_cell("s2.procurement.amount", "12.5万元")
    result = region_totals([unit(r) for r in reports])
    assert result.totals["s2.procurement.amount"] == Decimal("7539.443252") + Decimal("12.5")
    summed = result.report.value("s2.procurement.amount")
    assert summed.unit == "万元" and summed.text == "7551.943252万元"
    draft = region_report(result, "某某区人民政府", 2020)
    assert draft.value("s2.procurement.amount").text == "7551.943252万元"
    assert money_unit(result.template.cell("s2.procurement.amount")) == "万元"
    assert money_unit(result.template.cell("s2.procurement.items")) is None
