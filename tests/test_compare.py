"""Year on year (core.compare): every cell of both years across formats, flags on large changes, the key
figures, the checks against last year and the choice of the report to compare with."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.compare import (
    KEY_FIGURES,
    SUITS,
    Change,
    choose_pair,
    comparison_findings,
    figure,
    format_change,
    format_percent,
    key_changes,
    reports_by_year,
    year_on_year,
)
from core.numbers import json_number, parse_value
from core.report import Report
from core.reportfile import read_report_file
from core.template import CellKind, load_template
from tests.conftest import APPLICANT_COLUMNS, full_report, previous_report

DATA = Path(__file__).parent / "data"
OTHER_2021 = ("other_no_correction", "other_unpaid_fee", "other_else")


def by_cell(changes: list[Change]) -> dict[str, Change]:
    found = {c.cell: c for c in changes}
    assert len(found) == len(changes), "a cell is listed once"
    return found


def pair(template_id: str = "2021", year: int = 2024) -> tuple[Report, Report]:
    this = full_report(template_id, year)
    return previous_report(this), this


def test_same_format_lists_every_cell_in_template_order_with_both_values() -> None:
    last, this = pair()
    changes = year_on_year(last, this)
    template = load_template("2021")
    assert [c.cell for c in changes] == [c.id for c in template.cells]
    totals_last, totals_this = last.totals(), this.totals()
    for c in changes:
        computed = template.cell(c.cell).computed
        assert c.last == (totals_last[c.cell] if computed else last.number(c.cell))
        assert c.this == (totals_this[c.cell] if computed else this.number(c.cell))
        assert c.flagged is False or abs(c.this - c.last) >= 10  # type: ignore[operator]


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [
        (5, 15, True),  # +10, +200 %
        (5, 14, False),  # +9: too small however large the share
        (0, 10, True),  # up from nothing by 10
        (0, 9, False),
        (100, 150, True),  # +50 %
        (100, 149, False),  # +49 %
        (100, 50, True),  # −50 %
        (100, 51, False),
        (30, 30, False),
    ],
)
def test_a_change_is_flagged_when_at_least_10_and_50_percent(before: int, after: int, flagged: bool) -> None:
    last, this = pair()
    last.set_cell("s4.review.upheld", before)
    this.set_cell("s4.review.upheld", after)
    found = by_cell(year_on_year(last, this))
    assert (found["s4.review.upheld"].last, found["s4.review.upheld"].this) == (before, after)
    assert found["s4.review.upheld"].flagged is flagged
    # the key figure 行政复议 moves with it, flagged by its own share of last year's total
    review = by_cell(key_changes(last, this))["s4.review.total"]
    total_before, total_after = int(last.totals()["s4.review.total"]), int(this.totals()["s4.review.total"])
    assert (review.last, review.this) == (total_before, total_after)
    assert review.flagged is (
        abs(total_after - total_before) >= 10
        and (total_before == 0 or abs(total_after - total_before) / total_before >= 0.5)
    )
    # the thresholds can be chosen
    assert by_cell(year_on_year(last, this, ratio=0.5, minimum=1))["s4.review.upheld"].flagged is (
        before != after and (before == 0 or abs(after - before) / before >= 0.5)
    )


def test_key_figures_and_litigation_as_one_figure() -> None:
    last, this = pair()
    this.set_cell("s4.suit_direct.upheld", 7)
    this.set_cell("s4.suit_after_review.pending", 5)
    totals = this.totals()
    assert figure(this, SUITS) == totals["s4.suit_direct.total"] + totals["s4.suit_after_review.total"]
    assert figure(this, "s3.new.total") == totals["s3.new.total"]
    with pytest.raises(KeyError):
        figure(this, "s9.nothing")
    key = key_changes(last, this)
    assert [(c.cell, c.label) for c in key] == list(KEY_FIGURES)
    assert {c.cell for c in key} >= {"s3.new.total", "s3.granted.total", "s4.review.total", SUITS}
    suits = by_cell(key)[SUITS]
    assert suits.this == figure(this, SUITS) and suits.last == figure(last, SUITS)


def test_a_total_counts_as_printed_when_the_file_printed_it() -> None:
    last, this = pair()
    this.printed["s3.new.total"] = parse_value(999, CellKind.COUNT)
    assert by_cell(year_on_year(last, this))["s3.new.total"].this == 999
    assert figure(this, "s3.new.total") == 999


def test_2019_to_2021_compares_other_as_one_row_and_lists_cells_of_one_format_with_none() -> None:
    last = full_report("2019", 2020)
    this = full_report("2021", 2021)
    found = by_cell(year_on_year(last, this))
    for col in (*APPLICANT_COLUMNS, "total"):
        other = found[f"s3.other.{col}"]
        split_sum = sum(this.number(f"s3.{r}.{col}") for r in OTHER_2021) if col != "total" else sum(
            this.totals()[f"s3.{r}.total"] for r in OTHER_2021
        )
        assert other.last == (last.number(f"s3.other.{col}") if col != "total" else last.totals()["s3.other.total"])
        assert other.this == split_sum
        assert "之和" in other.label
        for row in OTHER_2021:
            assert found[f"s3.{row}.{col}"].last is None
            assert found[f"s3.{row}.{col}"].flagged is False
    # 二: the two formats share only the decisions columns
    shared = {c for c, ch in found.items() if c.startswith("s2.") and ch.last is not None and ch.this is not None}
    assert shared == {"s2.licensing.decisions", "s2.penalty.decisions", "s2.coercion.decisions"}
    assert found["s2.regulations.in_force"].last is None
    assert found["s2.licensing.prev_items"].this is None
    # every cell of both formats appears once
    assert set(found) == {c.id for c in last.template.cells} | {c.id for c in this.template.cells}
    # the merged order keeps this year's order and puts 2019's 其他处理 after 2021's three rows
    order = [c for c in found if c.startswith("s3.")]
    assert order.index("s3.other.natural") > order.index("s3.other_else.total")
    assert order.index("s3.other.total") < order.index("s3.total_processed.natural")
    this_order = [c.id for c in this.template.cells]
    assert [c for c in found if c in set(this_order)] == this_order


def test_2021_to_2019_compares_the_split_rows_summed_into_other() -> None:
    last = full_report("2021", 2021)
    this = full_report("2019", 2022)
    found = by_cell(year_on_year(last, this))
    assert found["s3.other.natural"].last == sum(last.number(f"s3.{r}.natural") for r in OTHER_2021)
    assert found["s3.other.natural"].this == this.number("s3.other.natural")
    assert found["s3.other_else.natural"].this is None


def test_real_reports_compare_against_their_own_cells() -> None:
    earlier = read_report_file(DATA / "real" / "2019_pingtan.json")
    later = read_report_file(DATA / "real" / "2022_pingtan.json")
    found = by_cell(year_on_year(earlier, later))
    assert found["s3.new.total"].last == 23 and found["s3.new.total"].this == 74
    assert found["s3.new.total"].flagged
    assert found["s2.licensing.decisions"].last == 181 and found["s2.licensing.decisions"].this == 10690
    assert found["s2.procurement.amount"].last == Decimal("75394432.52")


def test_comparison_findings_are_the_checks_that_need_last_year() -> None:
    last, this = pair()
    assert comparison_findings(last, this) == []
    last.set_cell("s3.carried_forward.natural", last.number("s3.carried_forward.natural") + 4)
    last.set_cell("s2.regulations.in_force", last.number("s2.regulations.in_force") + 2)
    text = "本年度围绕重点领域信息公开开展专项检查，督促各部门按照标准目录及时更新栏目内容，" * 4
    last.texts["s6"] = this.texts["s6"] = "本年度未收取信息处理费。" + text
    this.texts["s5"] = ""  # SECTION-EMPTY is this year's own fault, not a comparison
    found = comparison_findings(last, this)
    assert {f.rule for f in found} == {"CARRY-OVER", "S2-IN-FORCE", "TEXT-COPIED"}
    assert [f.cells for f in found if f.rule == "CARRY-OVER"] == [("s3.carried_over.natural",)]


def test_choose_pair_takes_the_newest_and_the_year_before_or_the_latest_earlier() -> None:
    r2020, r2021, r2023 = full_report("2019", 2020), full_report("2021", 2021), full_report("2021", 2023)
    assert choose_pair([r2023, r2020, r2021]) == (r2023, r2021)
    assert choose_pair([r2020]) == (r2020, None)
    newer_2021 = full_report("2021", 2021)
    newer_2021.texts["s5"] = "新版本"
    this, last = choose_pair([r2021, newer_2021, r2020])
    assert this is newer_2021 and last is r2020
    assert reports_by_year([r2023, r2020, r2021]) == [r2020, r2021, r2023]
    with pytest.raises(ValueError, match="no reports"):
        choose_pair([])


def test_numbers_as_shown_and_as_json() -> None:
    assert json_number(Decimal("12.50")) == 12.5 and isinstance(json_number(Decimal("12")), int)
    assert json_number(None) is None and json_number(7) == 7
    assert format_change(Change("c", "", 5, 15, True)) == "+10"
    assert format_change(Change("c", "", 15, 5, False)) == "−10"
    assert format_change(Change("c", "", None, 5, False)) == "—"
    assert format_percent(Change("c", "", 3, 4, False)) == "+33%"
    assert format_percent(Change("c", "", 4, 3, False)) == "−25%"
    assert format_percent(Change("c", "", 0, 3, False)) == "新增"
    assert format_percent(Change("c", "", 0, 0, False)) == "—"
