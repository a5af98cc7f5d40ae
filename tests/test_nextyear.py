"""New reports and next year's report built from last year's."""

from __future__ import annotations

from core.checks import validate
from core.nextyear import duplicate_report, new_report, next_year_report
from core.report import Contact
from core.reportfile import read_report_file
from tests.conftest import SAMPLES_DIR

SAMPLES = SAMPLES_DIR


def test_new_report_picks_template_title_and_subheadings() -> None:
    report = new_report("某某区人民政府办公室", 2025, Contact(address="某路1号", phone="123"))
    assert report.template_id == "2021"
    assert report.title == "某某区人民政府办公室2025年政府信息公开工作年度报告"
    assert report.text("s1").splitlines() == [
        "（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）政府信息公开平台建设", "（五）监督保障",
    ]
    assert "2025年1月1日" in report.preamble and "地址：某路1号" in report.preamble
    assert new_report("某某区", 2020).template_id == "2019"


def test_next_year_carries_over_per_column_and_drops_prose() -> None:
    last = read_report_file(SAMPLES / "real" / "2022_pingtan.json")
    last.set_cell("s3.carried_forward.natural", 4)
    last.set_cell("s3.carried_forward.legal", 1)
    report = next_year_report(last)
    assert report.year == 2023 and report.agency == last.agency
    assert report.number("s3.carried_over.natural") == 4
    assert report.number("s3.carried_over.legal") == 1
    assert report.number("s3.carried_over.commercial") == 0
    assert report.totals()["s3.carried_over.total"] == 5
    assert report.contact == last.contact
    assert report.text("s5") == "" and last.text("s1")[:20] not in report.text("s1")
    assert not report.printed
    assert not any(f.rule == "CARRY-OVER" for f in validate(report, last))


def test_next_year_from_2020_switches_to_2021_template_and_keeps_title_wording() -> None:
    seed = read_report_file(SAMPLES / "seed-2020-tiexi.json")
    report = next_year_report(seed)
    assert report.template_id == "2021"
    assert report.title == "四平市铁西区人民政府2021年政府信息公开工作年度报告"
    assert not any(f.rule == "TEMPLATE-YEAR" for f in validate(report, seed))


def test_in_force_continuity_is_checked_against_last_year() -> None:
    last = read_report_file(SAMPLES / "real" / "2022_pingtan.json")
    report = next_year_report(last)
    report.set_cell("s2.normative_docs.issued", 10)
    report.set_cell("s2.normative_docs.repealed", 8)
    report.set_cell("s2.normative_docs.in_force", 700)
    findings = validate(report, last)
    assert not [f for f in findings if f.rule == "S2-IN-FORCE" and "s2.normative_docs.in_force" in f.cells]
    report.set_cell("s2.normative_docs.in_force", 701)
    findings = validate(report, last)
    assert [f for f in findings if f.rule == "S2-IN-FORCE" and "s2.normative_docs.in_force" in f.cells]


def test_next_year_takes_each_contact_detail_from_the_profile_where_filled() -> None:
    last = read_report_file(SAMPLES / "seed-2020-tiexi.json")
    report = next_year_report(last, Contact(phone="0434-0000000"))
    assert report.contact.phone == "0434-0000000"
    assert report.contact.address == last.contact.address
    assert "0434-0000000" in report.preamble


def test_new_report_with_a_chosen_template_and_duplicate() -> None:
    report = new_report("某区", 2021, template_id="2019")
    assert report.template_id == "2019" and "〔2019〕60号" in report.preamble
    report.set_cell("s3.new.natural", 4)
    copy = duplicate_report(report, "某区", 2022)
    assert copy.year == 2022 and copy.template_id == "2019"
    assert copy.title == "某区2022年政府信息公开工作年度报告"
    assert copy.number("s3.new.natural") == 4
    assert report.year == 2021  # the source is untouched


def test_next_year_carries_the_documents_in_force_and_checks_the_year_against_them() -> None:
    last = read_report_file(SAMPLES / "real" / "2022_pingtan.json")
    last.set_cell("s2.regulations.in_force", 12)
    last.set_cell("s2.normative_docs.in_force", 698)
    report = next_year_report(last)
    assert report.number("s2.regulations.in_force") == 12
    assert report.number("s2.normative_docs.in_force") == 698
    # Carried, unchanged: nothing to warn about at once.
    assert not [f for f in validate(report, last) if f.rule == "S2-IN-FORCE"]
    # Three documents issued this year and the count not updated: now it is checked.
    report.set_cell("s2.normative_docs.issued", 3)
    (finding,) = [f for f in validate(report, last) if f.rule == "S2-IN-FORCE"]
    assert "698 + " in finding.message and "= 701" in finding.message
    report.set_cell("s2.normative_docs.in_force", 701)
    assert not [f for f in validate(report, last) if f.rule == "S2-IN-FORCE"]


def test_a_blank_in_force_count_last_year_is_not_carried_as_zero() -> None:
    last = read_report_file(SAMPLES / "real" / "2022_pingtan.json")
    last.set_cell("s2.regulations.in_force", None)
    report = next_year_report(last)
    assert report.value("s2.regulations.in_force").is_blank


def test_from_2020_the_2019_format_has_no_documents_in_force_to_carry() -> None:
    seed = read_report_file(SAMPLES / "seed-2020-tiexi.json")
    report = next_year_report(seed)
    assert report.template_id == "2021"
    assert report.value("s2.regulations.in_force").is_blank
