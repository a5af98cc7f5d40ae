"""The checks of report-format.md: one passing and one failing case per rule, samples, properties."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.checks import ERROR, RULE_IDS, RULES, WARNING, Finding, counts, has_errors, validate
from core.numbers import parse_value
from core.report import Report
from core.reportfile import read_report_file, report_from_json, report_to_json
from core.template import CellKind, load_template
from tests.conftest import (
    APPLICANT_COLUMNS,
    PINGTAN_NAMES,
    S3_COLUMNS,
    full_report,
    has_chinese,
    previous_report,
)

# The rule table of report-format.md, spelled out.
SPEC_RULES = {
    "S3-BALANCE": ERROR,
    "S3-ROW-TOTAL": ERROR,
    "S3-RESULTS-TOTAL": ERROR,
    "S4-TOTAL": ERROR,
    "VALUE-INVALID": ERROR,
    "BLANK-CELL": WARNING,
    "CARRY-OVER": WARNING,
    "S2-IN-FORCE": WARNING,
    "TEMPLATE-YEAR": WARNING,
    "TEXT-TABLE": WARNING,
    "SECTION-EMPTY": WARNING,
    "FEE-NOT-REPORTED": WARNING,
    "TEXT-COPIED": WARNING,
}
PRINTED_TOTAL_RULES = ("S3-ROW-TOTAL", "S3-RESULTS-TOTAL", "S4-TOTAL")
S3 = "三、收到和处理申请"
S4 = "四、行政复议、行政诉讼"
COL_LABELS = dict(
    zip(S3_COLUMNS, ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"), strict=True)
)


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def numbers_in(message: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", message)}


def from_file(report: Report) -> Report:
    """The report as read back from its file: computed cells are then *printed* figures."""
    return report_from_json(report_to_json(report))


def file_data(report: Report) -> dict[str, object]:
    return report_to_json(report)


def assert_good_finding(finding: Finding, rule: str) -> None:
    assert finding.rule == rule
    assert finding.severity == SPEC_RULES[rule]
    assert has_chinese(finding.message)
    assert "\n" not in finding.message


# ---- the rule table ----------------------------------------------------------------------


def test_rule_ids_and_severities_as_in_spec() -> None:
    assert {r.id: r.severity for r in RULES} == SPEC_RULES
    assert tuple(r.id for r in RULES) == RULE_IDS
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    for rule in RULES:
        assert has_chinese(rule.description)


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_full_report_has_no_findings(template_id: str) -> None:
    report = full_report(template_id)
    assert validate(report) == []
    assert validate(report, previous_report(report)) == []
    # and read back from its file, with every total printed
    assert validate(from_file(report), previous_report(report)) == []


# ---- one failing case per rule -----------------------------------------------------------


def _bump(report: Report, cell_id: str, by: int = 1) -> Report:
    report.set_cell(cell_id, report.number(cell_id) + by)
    return report


def _printed(report: Report, cell_id: str, value: object) -> Report:
    report.printed[cell_id] = parse_value(value, report.template.cell(cell_id).kind)
    return report


def _case_balance() -> tuple[Report, Report | None]:
    return _bump(full_report(), "s3.new.natural"), None


def _case_row_total() -> tuple[Report, Report | None]:
    r = full_report()
    return _printed(r, "s3.new.total", r.totals()["s3.new.total"] + 1), None


def _case_results_total() -> tuple[Report, Report | None]:
    r = full_report()
    return _printed(r, "s3.total_processed.natural", 999), None


def _case_s4_total() -> tuple[Report, Report | None]:
    return _printed(full_report(), "s4.review.total", 999), None


def _case_value_invalid() -> tuple[Report, Report | None]:
    r = full_report()
    r.set_cell("s4.review.pending", "abc")
    return r, None


def _case_blank() -> tuple[Report, Report | None]:
    r = full_report()
    r.set_cell("s2.penalty.decisions", None)
    return r, None


def _case_carry_over() -> tuple[Report, Report | None]:
    r = full_report()
    prev = previous_report(r)
    _bump(prev, "s3.carried_forward.natural")
    _bump(prev, "s3.new.natural")  # keep last year balanced
    return r, prev


def _case_in_force() -> tuple[Report, Report | None]:
    r = full_report()
    prev = previous_report(r)
    _bump(prev, "s2.regulations.in_force", 5)
    return r, prev


def _case_template_year() -> tuple[Report, Report | None]:
    return full_report("2019", 2022), None


def _case_text_table() -> tuple[Report, Report | None]:
    r = full_report()
    r.texts["s1"] += f"本年新收政府信息公开申请{r.totals()['s3.new.total'] + 10}件。"
    return r, None


def _case_section_empty() -> tuple[Report, Report | None]:
    r = full_report()
    r.texts["s5"] = ""
    return r, None


def _case_fee() -> tuple[Report, Report | None]:
    r = full_report()
    r.texts["s6"] = "无。"
    return r, None


def _case_text_copied() -> tuple[Report, Report | None]:
    r = full_report()
    prev = previous_report(r)
    r.texts["s5"] = prev.texts["s5"] = (
        "存在的主要问题是部分栏目内容更新不够及时，政策解读形式较为单一，基层工作人员业务能力有待提高。"
        "下一步，我们将进一步健全信息发布审核机制，丰富图解、视频等解读形式，定期组织业务培训，"
        "加强对各部门公开工作的督促检查和考核评议，切实提升政府信息公开工作的质量和实效。"
    )
    return r, prev


FAILING_CASES: dict[str, tuple[Callable[[], tuple[Report, Report | None]], tuple[str, ...]]] = {
    "S3-BALANCE": (_case_balance, ("s3.new.natural",)),
    "S3-ROW-TOTAL": (_case_row_total, ("s3.new.total",)),
    "S3-RESULTS-TOTAL": (_case_results_total, ("s3.total_processed.natural",)),
    "S4-TOTAL": (_case_s4_total, ("s4.review.total",)),
    "VALUE-INVALID": (_case_value_invalid, ("s4.review.pending",)),
    "BLANK-CELL": (_case_blank, ("s2.penalty.decisions",)),
    "CARRY-OVER": (_case_carry_over, ("s3.carried_over.natural",)),
    "S2-IN-FORCE": (_case_in_force, ("s2.regulations.in_force",)),
    "TEMPLATE-YEAR": (_case_template_year, ()),
    "TEXT-TABLE": (_case_text_table, ("s3.new.total",)),
    "SECTION-EMPTY": (_case_section_empty, ()),
    "FEE-NOT-REPORTED": (_case_fee, ()),
    "TEXT-COPIED": (_case_text_copied, ()),
}


def test_every_rule_has_a_failing_case() -> None:
    assert set(FAILING_CASES) == set(RULE_IDS)


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_passes_on_full_report(rule: str) -> None:
    for template_id in ("2021", "2019"):
        report = full_report(template_id)
        assert of(validate(report, previous_report(report)), rule) == []


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_fails_on_its_case(rule: str) -> None:
    build, cells = FAILING_CASES[rule]
    report, previous = build()
    found = of(validate(report, previous), rule)
    assert found, f"{rule} did not fire"
    for f in found:
        assert_good_finding(f, rule)
    assert set(cells) <= {c for f in found for c in f.cells}
    # the case breaks only what it means to break (plus consequences for the balance)
    others = {f.rule for f in validate(report, previous)} - {rule, "S3-BALANCE"}
    assert others == set()


# ---- S3-BALANCE --------------------------------------------------------------------------


@pytest.mark.parametrize("col", APPLICANT_COLUMNS)
@pytest.mark.parametrize("cell_row", ["new", "carried_over", "granted", "rejected_repeat", "carried_forward"])
def test_balance_fails_in_the_column_and_total(col: str, cell_row: str) -> None:
    report = _bump(full_report(), f"s3.{cell_row}.{col}", 3)
    found = of(validate(report), "S3-BALANCE")
    assert [f.cells[0] for f in found] == [f"s3.new.{col}", "s3.new.total"]
    for f, c in zip(found, (col, "total"), strict=True):
        assert f.severity == ERROR
        assert f.cells == (
            f"s3.new.{c}",
            f"s3.carried_over.{c}",
            f"s3.total_processed.{c}",
            f"s3.carried_forward.{c}",
        )
        assert S3 in f.message
        assert f"「{COL_LABELS[c]}」列" in f.message


def test_balance_message_shows_the_numbers() -> None:
    report = _bump(full_report(), "s3.carried_forward.research", 4)
    (finding, _) = of(validate(report), "S3-BALANCE")
    totals = report.totals()
    new = report.number("s3.new.research")
    carried = report.number("s3.carried_over.research")
    processed = totals["s3.total_processed.research"]
    forward = report.number("s3.carried_forward.research")
    assert {new, carried, processed, forward, new + carried, processed + forward} <= numbers_in(
        finding.message
    )
    assert "科研机构" in finding.message


def test_balance_holds_for_an_empty_report() -> None:
    assert of(validate(Report("2021", "某机关", 2022)), "S3-BALANCE") == []


def test_balance_uses_the_printed_total_column() -> None:
    report = from_file(full_report())
    new_total = report.printed["s3.new.total"].number
    _printed(report, "s3.new.total", new_total + 1)
    found = of(validate(report), "S3-BALANCE")
    assert [f.cells[0] for f in found] == ["s3.new.total"]


# ---- the seed and the real samples ---------------------------------------------------------


def test_seed_findings(seed_path: Path) -> None:
    report = read_report_file(seed_path)
    findings = validate(report)
    errors = [(f.rule, f.cells[0]) for f in findings if f.severity == ERROR]
    assert sorted(errors) == sorted(
        [
            ("S3-BALANCE", "s3.new.natural"),
            ("S3-BALANCE", "s3.new.total"),
            ("S3-RESULTS-TOTAL", "s3.total_processed.natural"),
            ("S3-RESULTS-TOTAL", "s3.total_processed.total"),
        ]
    )
    for f in of(findings, "S3-BALANCE"):
        assert {0, 6} <= numbers_in(f.message)
    for f in of(findings, "S3-RESULTS-TOTAL"):
        assert "空白" in f.message  # the seed printed （七）总计 blank
        assert "6" in f.message
        assert "s3.unable_not_held." + f.cells[0].rsplit(".", 1)[1] in f.cells
    assert has_errors(findings)


@pytest.mark.parametrize("name", PINGTAN_NAMES)
def test_pingtan_samples_have_no_errors(samples_dir: Path, name: str) -> None:
    report = read_report_file(samples_dir / name)
    findings = validate(report)
    assert [f for f in findings if f.severity == ERROR] == []
    assert not has_errors(findings)
    assert of(findings, "TEMPLATE-YEAR") == []
    assert of(findings, "TEXT-TABLE") == []


def test_pingtan_carry_over_between_years(samples_dir: Path) -> None:
    # 2019 and 2022 are not consecutive years, but the rule compares whatever it is given
    later = read_report_file(samples_dir / PINGTAN_NAMES[1])
    earlier = read_report_file(samples_dir / PINGTAN_NAMES[0])
    found = of(validate(later, earlier), "CARRY-OVER")
    expected = {
        f"s3.carried_over.{c}"
        for c in APPLICANT_COLUMNS
        if later.number(f"s3.carried_over.{c}") != earlier.number(f"s3.carried_forward.{c}")
    }
    assert {f.cells[0] for f in found} == expected


# ---- printed totals ----------------------------------------------------------------------


@pytest.mark.parametrize("rule", PRINTED_TOTAL_RULES)
def test_printed_totals_that_agree_pass(rule: str) -> None:
    report = from_file(full_report())
    assert report.printed, "a report read from a file keeps its printed totals"
    assert of(validate(report), rule) == []


@pytest.mark.parametrize("row", ["new", "carried_over", "granted", "other_else", "carried_forward"])
def test_row_total_printed_wrong(row: str) -> None:
    report = full_report()
    expected = report.totals()[f"s3.{row}.total"]
    _printed(report, f"s3.{row}.total", expected + 7)
    (finding,) = of(validate(report), "S3-ROW-TOTAL")
    assert_good_finding(finding, "S3-ROW-TOTAL")
    assert finding.cells == (f"s3.{row}.total", *(f"s3.{row}.{c}" for c in APPLICANT_COLUMNS))
    label = load_template("2021").s3.row(row).label
    assert f"「{label}」行" in finding.message
    assert S3 in finding.message
    assert {expected, expected + 7} <= numbers_in(finding.message)


def test_row_total_printed_blank() -> None:
    report = full_report()
    _printed(report, "s3.granted.total", None)
    (finding,) = of(validate(report), "S3-ROW-TOTAL")
    assert "空白" in finding.message
    assert report.totals()["s3.granted.total"] in numbers_in(finding.message)


def test_row_total_printed_blank_over_zeros_passes() -> None:
    report = Report("2021", "某机关", 2022)
    _printed(report, "s3.new.total", None)
    assert of(validate(report), "S3-ROW-TOTAL") == []


@pytest.mark.parametrize("col", S3_COLUMNS)
def test_results_total_printed_wrong(col: str) -> None:
    report = full_report()
    expected = report.totals()[f"s3.total_processed.{col}"]
    _printed(report, f"s3.total_processed.{col}", expected + 1)
    (finding,) = of(validate(report), "S3-RESULTS-TOTAL")
    assert_good_finding(finding, "S3-RESULTS-TOTAL")
    outcome = [r.id for r in load_template("2021").s3.outcome_rows]
    assert finding.cells == (f"s3.total_processed.{col}", *(f"s3.{r}.{col}" for r in outcome))
    assert f"「{COL_LABELS[col]}」列" in finding.message
    assert "（七）总计" in finding.message
    assert {expected, expected + 1} <= numbers_in(finding.message)


@pytest.mark.parametrize(
    ("group", "label"),
    [
        ("review", "行政复议"),
        ("suit_direct", "行政诉讼·未经复议直接起诉"),
        ("suit_after_review", "行政诉讼·复议后起诉"),
    ],
)
def test_s4_total_printed_wrong(group: str, label: str) -> None:
    report = full_report("2019")
    expected = report.totals()[f"s4.{group}.total"]
    _printed(report, f"s4.{group}.total", expected + 2)
    (finding,) = of(validate(report), "S4-TOTAL")
    assert_good_finding(finding, "S4-TOTAL")
    parts = ("upheld", "corrected", "other", "pending")
    assert finding.cells == (f"s4.{group}.total", *(f"s4.{group}.{c}" for c in parts))
    assert S4 in finding.message
    assert f"「{label}」" in finding.message
    values = {report.number(f"s4.{group}.{c}") for c in parts}
    assert values | {expected, expected + 2} <= numbers_in(finding.message)


@pytest.mark.parametrize("cell_id", ["s3.new.total", "s3.total_processed.legal", "s4.review.total"])
def test_printed_total_as_text_is_value_invalid_not_a_total_error(cell_id: str) -> None:
    data = file_data(full_report())
    data["cells"][cell_id] = "共计十件"
    report = report_from_json(data)
    findings = validate(report)
    (finding,) = of(findings, "VALUE-INVALID")
    assert finding.cells == (cell_id,)
    assert "共计十件" in finding.message
    cell = load_template("2021").cell(cell_id)
    assert cell.place in finding.message
    # the unreadable figure is not itself checked against a sum (it may count as 0 in other sums)
    for rule in PRINTED_TOTAL_RULES:
        assert [f for f in of(findings, rule) if f.cells[0] == cell_id] == []


# ---- VALUE-INVALID -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template_id", "cell_id", "value", "words"),
    [
        ("2021", "s3.new.natural", "abc", ("不是数字",)),
        ("2021", "s3.granted.legal", "十二", ("不是数字",)),
        ("2021", "s3.denied_inquiry.social", -2, ("负",)),
        ("2021", "s3.carried_forward.natural", "－3", ("负",)),
        ("2021", "s4.review.pending", "1.5", ("整数",)),
        ("2021", "s2.licensing.decisions", 2.5, ("整数",)),
        ("2021", "s2.fees.amount", "1.2345678", ("6", "小数")),
        ("2021", "s2.fees.amount", "-12", ("负",)),
        ("2021", "s2.regulations.issued", "3万元", ("单位",)),
        ("2019", "s2.licensing.change", "1.5", ("整数",)),
        ("2019", "s2.procurement.amount", "12.3456789元", ("6", "小数")),
        ("2019", "s2.fees.prev_items", "x", ("不是数字",)),
    ],
)
def test_value_invalid(template_id: str, cell_id: str, value: object, words: tuple[str, ...]) -> None:
    report = full_report(template_id)
    report.set_cell(cell_id, value)
    (finding,) = of(validate(report), "VALUE-INVALID")
    assert_good_finding(finding, "VALUE-INVALID")
    assert finding.cells == (cell_id,)
    template = load_template(template_id)
    cell = template.cell(cell_id)
    assert finding.message.startswith(template.section(cell.section).short)
    assert f"「{cell.row_label}」行" in finding.message
    assert f"「{cell.col_label}」列" in finding.message
    assert str(value).strip("－-") in finding.message
    for word in words:
        assert word in finding.message


def test_value_invalid_from_a_file() -> None:
    data = file_data(full_report())
    data["cells"]["s3.new.commercial"] = "12a"
    data["cells"]["s2.fees.amount"] = "0.1234567"
    report = report_from_json(data)
    found = of(validate(report), "VALUE-INVALID")
    assert sorted(f.cells for f in found) == [("s2.fees.amount",), ("s3.new.commercial",)]


def test_money_to_the_fen_is_valid_and_can_be_finalised() -> None:
    # A real 2023 report prints 行政事业性收费 as 5949.088667 万元: to the 分 is six decimals.
    report = full_report()
    report.set_cell("s2.fees.amount", "5949.088667")
    assert of(validate(report), "VALUE-INVALID") == []
    assert not has_errors(validate(report))


# ---- BLANK-CELL --------------------------------------------------------------------------


def test_blank_cell_names_the_cell() -> None:
    report = full_report()
    report.set_cell("s3.new.research", "")
    (finding,) = of(validate(report), "BLANK-CELL")
    assert_good_finding(finding, "BLANK-CELL")
    assert finding.cells == ("s3.new.research",)
    assert S3 in finding.message
    assert "科研机构" in finding.message
    assert "一、本年新收政府信息公开申请数量" in finding.message


def test_zero_is_not_blank() -> None:
    report = full_report()
    report.set_cell("s3.new.research", 0)
    assert of(validate(report), "BLANK-CELL") == []


def test_blank_cells_of_an_empty_report_by_section() -> None:
    template = load_template("2021")
    findings = of(validate(Report("2021", "某机关", 2022)), "BLANK-CELL")
    by_section = {f.cells[0].split(".")[0]: set(f.cells) for f in findings}
    assert by_section == {
        s: {c.id for c in template.input_cells if c.section == s} for s in ("s2", "s3", "s4")
    }
    for f in findings:
        assert f"{len(f.cells)} 个单元格" in f.message


def test_printed_blank_total_of_zeros_is_a_blank_cell() -> None:
    data = file_data(full_report())
    for col in ("upheld", "corrected", "other", "pending"):
        data["cells"][f"s4.review.{col}"] = 0
    data["cells"]["s4.review.total"] = None
    report = report_from_json(data)
    assert [f.cells for f in of(validate(report), "BLANK-CELL")] == [("s4.review.total",)]
    assert of(validate(report), "S4-TOTAL") == []


def test_printed_blank_total_is_reported_once_by_its_own_rule() -> None:
    data = file_data(full_report())
    data["cells"]["s4.review.total"] = None  # its parts add up to 4
    report = report_from_json(data)
    findings = validate(report)
    assert [f.rule for f in findings if "s4.review.total" in f.cells] == ["S4-TOTAL"]


# ---- CARRY-OVER and S2-IN-FORCE (need last year's report) ----------------------------------


def test_no_previous_no_carry_over_finding() -> None:
    report = full_report()
    prev = previous_report(report)
    _bump(prev, "s3.carried_forward.legal")
    assert of(validate(report), "CARRY-OVER") == []
    assert of(validate(report, None), "S2-IN-FORCE") == []


@pytest.mark.parametrize("col", APPLICANT_COLUMNS)
def test_carry_over_mismatch(col: str) -> None:
    report = full_report(carried_over=4, carried_forward=5)
    prev = previous_report(report)
    assert of(validate(report, prev), "CARRY-OVER") == []
    prev.set_cell(f"s3.carried_forward.{col}", 9)
    (finding,) = of(validate(report, prev), "CARRY-OVER")
    assert_good_finding(finding, "CARRY-OVER")
    assert finding.cells == (f"s3.carried_over.{col}",)
    assert S3 in finding.message
    assert f"「{COL_LABELS[col]}」列" in finding.message
    assert {4, 9, prev.year} <= numbers_in(finding.message)


def test_carry_over_from_a_2019_report_into_2021() -> None:
    report = full_report("2021", 2021)
    prev = previous_report(report)
    assert prev.template_id == "2019"
    assert prev.year == 2020
    assert of(validate(report, prev), "CARRY-OVER") == []
    prev.set_cell("s3.carried_forward.natural", 0)
    assert [f.cells for f in of(validate(report, prev), "CARRY-OVER")] == [("s3.carried_over.natural",)]


@pytest.mark.parametrize(("row", "label"), [("regulations", "规章"), ("normative_docs", "行政规范性文件")])
def test_s2_in_force_mismatch(row: str, label: str) -> None:
    report = full_report()
    prev = previous_report(report)
    assert of(validate(report, prev), "S2-IN-FORCE") == []
    before = prev.number(f"s2.{row}.in_force") + 5
    prev.set_cell(f"s2.{row}.in_force", before)
    (finding,) = of(validate(report, prev), "S2-IN-FORCE")
    assert_good_finding(finding, "S2-IN-FORCE")
    assert finding.cells == (f"s2.{row}.in_force", f"s2.{row}.issued", f"s2.{row}.repealed")
    assert "二、主动公开" in finding.message
    assert f"「{label}」" in finding.message
    issued = report.number(f"s2.{row}.issued")
    repealed = report.number(f"s2.{row}.repealed")
    now = report.number(f"s2.{row}.in_force")
    assert {before, issued, repealed, before + issued - repealed, now, prev.year} <= numbers_in(
        finding.message
    )


def test_s2_in_force_when_this_years_figure_is_wrong() -> None:
    report = full_report()
    prev = previous_report(report)
    report.set_cell("s2.normative_docs.repealed", 0)
    assert [f.cells[0] for f in of(validate(report, prev), "S2-IN-FORCE")] == [
        "s2.normative_docs.in_force"
    ]


def test_s2_in_force_not_for_2019_template() -> None:
    report = full_report("2019", 2020)
    prev = full_report("2019", 2019)
    prev.set_cell("s2.regulations.total_published", 999)
    assert of(validate(report, prev), "S2-IN-FORCE") == []
    report21 = full_report("2021", 2021)
    assert of(validate(report21, prev), "S2-IN-FORCE") == []


# ---- TEMPLATE-YEAR -----------------------------------------------------------------------


@pytest.mark.parametrize(("template_id", "year"), [("2021", 2021), ("2021", 2025), ("2019", 2019), ("2019", 2020)])
def test_template_year_passes(template_id: str, year: int) -> None:
    assert of(validate(full_report(template_id, year)), "TEMPLATE-YEAR") == []


@pytest.mark.parametrize(
    ("template_id", "year", "used", "right"),
    [
        ("2019", 2021, "2019版", "2021版"),
        ("2019", 2024, "2019版", "2021版"),
        ("2021", 2020, "2021版", "2019版"),
        ("2021", 2019, "2021版", "2019版"),
    ],
)
def test_template_year_wrong_template(template_id: str, year: int, used: str, right: str) -> None:
    (finding,) = of(validate(full_report(template_id, year)), "TEMPLATE-YEAR")
    assert_good_finding(finding, "TEMPLATE-YEAR")
    assert str(year) in finding.message
    assert finding.message.index(used) < finding.message.index(right)
    assert load_template(template_id).document in finding.message


@pytest.mark.parametrize(
    ("template_id", "year", "foreign"),
    [
        ("2021", 2022, {"s2.regulations.new_made": 1, "s3.other.natural": 2}),
        ("2019", 2020, {"s2.regulations.issued": 3}),
        (
            "2019",
            2020,
            {
                "s3.other_else.total": 0,
                "s3.other_unpaid_fee.legal": 1,
                "s2.fees.amount": "1",
                "s2.regulations.in_force": 2,
            },
        ),
    ],
)
def test_template_year_mixed_cells(template_id: str, year: int, foreign: dict[str, object]) -> None:
    data = file_data(full_report(template_id, year))
    data["cells"].update(foreign)
    report = report_from_json(data)
    assert set(report.foreign_cells) == set(foreign)
    (finding,) = of(validate(report), "TEMPLATE-YEAR")
    assert_good_finding(finding, "TEMPLATE-YEAR")
    assert f"{len(foreign)} 个单元格" in finding.message
    assert sorted(foreign)[0] in finding.message
    assert "混用" in finding.message


def test_template_year_wrong_year_and_mixed() -> None:
    data = file_data(full_report("2019", 2020))
    data["year"] = 2022
    data["cells"]["s2.regulations.issued"] = 1
    found = of(validate(report_from_json(data)), "TEMPLATE-YEAR")
    assert len(found) == 2


def test_unknown_cells_are_not_a_mix() -> None:
    data = file_data(full_report())
    data["cells"]["s9.something.new"] = 1
    assert of(validate(report_from_json(data)), "TEMPLATE-YEAR") == []


# ---- TEXT-TABLE --------------------------------------------------------------------------

# (text with {n}, the cells whose sum the figure names, other sums the text may also mean)
TEXT_FIGURES = [
    ("本年新收政府信息公开申请{n}件", ("s3.new.total",)),
    ("本年度共收到政府信息公开申请{n}件", ("s3.new.total",)),
    ("上年结转政府信息公开申请{n}件", ("s3.carried_over.total",)),
    ("结转下年度继续办理{n}件", ("s3.carried_forward.total",)),
    ("全年共办结{n}件", ("s3.total_processed.total",)),
    ("发生政府信息公开行政复议{n}件", ("s4.review.total",)),
    ("行政诉讼{n}起", ("s4.suit_direct.total", "s4.suit_after_review.total")),
]


@pytest.mark.parametrize("section", ["s1", "s5", "s6"])
@pytest.mark.parametrize(("phrase", "cells"), TEXT_FIGURES)
def test_text_table(section: str, phrase: str, cells: tuple[str, ...]) -> None:
    report = full_report()
    figure = sum(report.totals()[c] for c in cells)
    base = report.texts[section]
    report.texts[section] = base + phrase.format(n=figure) + "。"
    assert of(validate(report), "TEXT-TABLE") == []

    report.texts[section] = base + phrase.format(n=figure + 1) + "。"
    (finding,) = of(validate(report), "TEXT-TABLE")
    assert_good_finding(finding, "TEXT-TABLE")
    assert finding.cells == cells
    assert finding.message.startswith(report.template.section(section).short)
    (quoted,) = re.findall(r"“(.+?)”", finding.message)  # the words of the text, quoted
    assert quoted in report.texts[section]
    assert str(figure + 1) in quoted
    assert figure in numbers_in(finding.message)


def test_text_table_finding_carries_the_span_of_the_sentence_that_quotes_the_figure() -> None:
    report = full_report()
    new = report.totals()["s3.new.total"]
    report.texts["s1"] = (
        "（一）主动公开\n本年度主动公开信息 300 条。本年度共收到政府信息公开申请"
        f"{new + 2}件，均已按时答复；另有咨询若干。\n（二）依申请公开"
    )
    (finding,) = of(validate(report), "TEXT-TABLE")
    assert finding.section == "s1" and finding.span is not None
    start, end = finding.span
    assert report.texts["s1"][start:end] == f"本年度共收到政府信息公开申请{new + 2}件，均已按时答复；"
    # A figure on a line of its own, without a closing mark: the sentence ends with the line.
    report.texts["s1"] = f"概况\n  结转下年度继续办理{report.totals()['s3.carried_forward.total'] + 1}件\n其他"
    (finding,) = of(validate(report), "TEXT-TABLE")
    assert finding.span is not None
    assert report.texts["s1"][slice(*finding.span)].startswith("结转下年度继续办理")
    assert report.texts["s1"][slice(*finding.span)].endswith("件")
    # The span is for the screen only: the report file's findings stay as they were.
    assert "span" not in finding.to_json()


def test_text_table_received_counts_new_plus_carried_over() -> None:
    report = full_report(carried_over=1)
    totals = report.totals()
    new, carried = totals["s3.new.total"], totals["s3.carried_over.total"]
    assert carried > 0
    for n in (new, new + carried):
        report.texts["s1"] = f"收到政府信息公开申请{n}件。"
        assert of(validate(report), "TEXT-TABLE") == [], n
    report.texts["s1"] = f"收到政府信息公开申请{new + carried + 1}件。"
    (finding,) = of(validate(report), "TEXT-TABLE")
    assert finding.cells == ("s3.new.total",)


def test_text_table_example_75() -> None:
    # new + carried_over = 75 while new alone is 70: “收到……75件” is accepted
    report = Report("2021", "某机关", 2022)
    report.set_cell("s3.new.natural", 60)
    report.set_cell("s3.new.commercial", 10)
    report.set_cell("s3.carried_over.natural", 5)
    report.set_cell("s3.granted.natural", 65)
    report.set_cell("s3.granted.commercial", 10)
    totals = report.totals()
    assert (totals["s3.new.total"], totals["s3.carried_over.total"]) == (70, 5)
    report.texts["s1"] = "（二）依申请公开。本年度收到政府信息公开申请75件，均已按时答复。"
    findings = validate(report)
    assert of(findings, "TEXT-TABLE") == []
    assert of(findings, "S3-BALANCE") == []
    report.texts["s1"] = "（二）依申请公开。本年度收到政府信息公开申请76件，均已按时答复。"
    (finding,) = of(validate(report), "TEXT-TABLE")
    assert "收到政府信息公开申请76件" in finding.message
    assert 70 in numbers_in(finding.message)


def test_text_table_fullwidth_digits() -> None:
    report = full_report()
    n = report.totals()["s3.new.total"]
    report.texts["s1"] = "本年新收申请" + str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "件。"
    assert of(validate(report), "TEXT-TABLE") == []


def test_text_table_reports_each_wrong_figure_once() -> None:
    report = full_report()
    n = report.totals()["s3.new.total"] + 3
    report.texts["s1"] = f"新收申请{n}件。新收申请{n}件。"
    assert len(of(validate(report), "TEXT-TABLE")) == 1


def test_text_without_figures_passes() -> None:
    report = full_report()
    report.texts["s1"] = "本年度依法办理政府信息公开申请，无行政复议和行政诉讼。"
    assert of(validate(report), "TEXT-TABLE") == []


# ---- SECTION-EMPTY and FEE-NOT-REPORTED -----------------------------------------------------


@pytest.mark.parametrize(
    ("key", "heading"),
    [("s1", "一、总体情况"), ("s5", "五、存在的主要问题及改进情况"), ("s6", "六、其他需要报告的事项")],
)
@pytest.mark.parametrize("text", ["", "  \n\u3000"])
@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_section_empty(key: str, heading: str, text: str, template_id: str) -> None:
    report = full_report(template_id)
    report.texts[key] = text
    (finding,) = of(validate(report), "SECTION-EMPTY")
    assert_good_finding(finding, "SECTION-EMPTY")
    assert heading in finding.message


def test_section_empty_all_three() -> None:
    report = Report("2019", "某机关", 2020)
    assert len(of(validate(report), "SECTION-EMPTY")) == 3


def test_empty_s2_note_is_fine() -> None:
    report = full_report()
    report.texts["s2_note"] = ""
    assert of(validate(report), "SECTION-EMPTY") == []


@pytest.mark.parametrize("s6", ["无。", "本年度无其他需要报告的事项。", ""])
def test_fee_not_reported_2021(s6: str) -> None:
    report = full_report("2021")
    report.texts["s6"] = s6
    (finding,) = of(validate(report), "FEE-NOT-REPORTED")
    assert_good_finding(finding, "FEE-NOT-REPORTED")
    assert "六、其他需要报告的事项" in finding.message
    assert "信息处理费" in finding.message


@pytest.mark.parametrize("s6", ["本年度未收取信息处理费。", "2022年，共收取信息处理费0元。"])
def test_fee_reported_2021(s6: str) -> None:
    report = full_report("2021")
    report.texts["s6"] = s6
    assert of(validate(report), "FEE-NOT-REPORTED") == []


@pytest.mark.parametrize("s6", ["无。", ""])
def test_fee_not_required_in_2019(s6: str) -> None:
    report = full_report("2019")
    report.texts["s6"] = s6
    assert of(validate(report), "FEE-NOT-REPORTED") == []


# ---- validate's results --------------------------------------------------------------------


def test_errors_come_first_and_helpers(seed_path: Path) -> None:
    findings = validate(read_report_file(seed_path))
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != ERROR)
    assert WARNING in severities
    errors, warnings = counts(findings)
    assert errors == severities.count(ERROR) == 4
    assert warnings == severities.count(WARNING)
    assert not has_errors([f for f in findings if f.severity == WARNING])
    assert counts([]) == (0, 0)


def test_finding_to_json() -> None:
    finding = Finding("S3-BALANCE", ERROR, "消息", ("s3.new.natural",))
    assert finding.to_json() == {
        "rule": "S3-BALANCE",
        "severity": "error",
        "message": "消息",
        "cells": ["s3.new.natural"],
    }


def test_validate_does_not_change_the_report() -> None:
    report = from_file(full_report())
    _bump(report, "s3.new.legal")
    before = report_to_json(report)
    validate(report, previous_report(report))
    assert report_to_json(report) == before


# ---- properties --------------------------------------------------------------------------

small = st.integers(min_value=0, max_value=10**6)


@st.composite
def balanced_reports(draw: st.DrawFn) -> Report:
    template_id = draw(st.sampled_from(["2021", "2019"]))
    template = load_template(template_id)
    report = Report(template_id, "某机关", 2022 if template_id == "2021" else 2020)
    outcome = [r.id for r in template.s3.outcome_rows]
    for col in APPLICANT_COLUMNS:
        processed = 0
        for row in outcome:
            value = draw(st.one_of(st.none(), small))  # None: left blank, counts as 0
            report.set_cell(f"s3.{row}.{col}", value)
            processed += value or 0
        carried = draw(small)
        new = max(0, processed - carried) + draw(small)
        report.set_cell(f"s3.new.{col}", new)
        report.set_cell(f"s3.carried_over.{col}", carried)
        report.set_cell(f"s3.carried_forward.{col}", new + carried - processed)
    return report


@settings(max_examples=60, deadline=None)
@given(balanced_reports())
def test_balanced_columns_never_give_s3_balance(report: Report) -> None:
    findings = validate(report)
    assert of(findings, "S3-BALANCE") == []
    for rule in PRINTED_TOTAL_RULES:
        assert of(findings, rule) == []
    # and the same report read back from its file, with every total printed
    reread = validate(from_file(report))
    assert {f.rule for f in reread} & {"S3-BALANCE", *PRINTED_TOTAL_RULES} == set()


@settings(max_examples=60, deadline=None)
@given(balanced_reports(), st.data())
def test_unbalanced_column_gives_s3_balance(report: Report, data: st.DataObject) -> None:
    col = data.draw(st.sampled_from(APPLICANT_COLUMNS))
    row = data.draw(st.sampled_from([r.id for r in report.template.s3.rows if r.role != "results_total"]))
    by = data.draw(st.integers(min_value=1, max_value=10**6))
    _bump(report, f"s3.{row}.{col}", by)
    found = of(validate(report), "S3-BALANCE")
    assert [f.cells[0] for f in found] == [f"s3.new.{col}", "s3.new.total"]


cell_values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=12),
    st.text(alphabet="0123456789０１２３４５６７８９.,，-－+ 元万件", max_size=10),
    st.decimals(),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity")]),
    st.floats(),
    st.booleans(),
)
texts = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda word, n: f"{word}{n}件",
        st.sampled_from(["收到申请", "新收申请", "上年结转", "结转下年度", "办结", "行政复议", "行政诉讼"]),
        st.integers(min_value=0, max_value=10**9),
    ),
)


@st.composite
def random_reports(draw: st.DrawFn) -> tuple[Report, bool]:
    """A report with random values in random cells (typed, or read from a file that may also
    print totals and carry cells of the other template); the flag says whether it was typed."""
    template_id = draw(st.sampled_from(["2021", "2019"]))
    template = load_template(template_id)
    year = draw(st.integers(min_value=2015, max_value=2030))
    typed = draw(st.booleans())
    ids = [c.id for c in (template.input_cells if typed else template.cells)]
    if not typed:
        other = "2019" if template_id == "2021" else "2021"
        ids += [c.id for c in load_template(other).cells]
    values = draw(st.dictionaries(st.sampled_from(ids), cell_values, max_size=40))
    sections = {key: draw(texts) for key in ("s1", "s5", "s6")}
    if typed:
        report = Report(template_id, "某机关", year)
        for cell_id, value in values.items():
            report.set_cell(cell_id, value)
        report.texts.update(sections)
    else:
        report = report_from_json(
            {
                "format": "gov-disclosure-annual-report",
                "format_version": 1,
                "template": template_id,
                "agency": "某机关",
                "year": year,
                "sections": sections,
                "cells": values,
            }
        )
    return report, typed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_reports(), st.one_of(st.none(), random_reports()))
def test_validate_never_raises(case: tuple[Report, bool], previous: tuple[Report, bool] | None) -> None:
    report, typed = case
    findings = validate(report, previous[0] if previous else None)
    known = {c.id for c in report.template.cells}
    for f in findings:
        assert f.rule in RULE_IDS
        assert f.severity == SPEC_RULES[f.rule]
        assert has_chinese(f.message)
        assert set(f.cells) <= known
    if typed:
        for rule in PRINTED_TOTAL_RULES:
            assert of(findings, rule) == []
    # invalid cells are exactly the VALUE-INVALID findings
    invalid = {cid for cid, p in {**report.inputs, **report.printed}.items() if p.error}
    assert {f.cells[0] for f in of(findings, "VALUE-INVALID")} == invalid


def test_value_kinds_in_random_reports_are_the_templates() -> None:
    # guards the strategy above: the money cells exist where the tests expect them
    assert load_template("2021").cell("s2.fees.amount").kind is CellKind.MONEY
    assert load_template("2019").cell("s2.procurement.amount").kind is CellKind.MONEY


def test_validate_survives_a_huge_figure_in_the_text() -> None:
    report = full_report()
    report.texts["s1"] = "收到申请" + "9" * 5000 + "件"
    assert not of(validate(report), "TEXT-TABLE")  # no sensible figure: nothing to compare


def test_findings_say_where_to_show_them(samples_dir: Path) -> None:
    report = read_report_file(samples_dir / "seed-2020-tiexi.json")
    report.texts["s5"] = ""
    report.texts["s1"] = "全年收到政府信息公开申请99件。"
    sections = {(f.rule, f.section) for f in validate(report)}
    assert ("S3-BALANCE", "s3") in sections
    assert ("SECTION-EMPTY", "s5") in sections
    assert ("TEXT-TABLE", "s1") in sections
    assert ("BLANK-CELL", "s3") in sections
