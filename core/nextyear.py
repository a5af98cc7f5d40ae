"""New reports: a blank one for an agency and year, or next year's from last year's with carry-over."""

from __future__ import annotations

import copy

from core.report import Contact, Report, Signature
from core.template import Template, load_template, template_for_year

_PREAMBLE = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室"
    "关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{document}）要求编制。"
    "报告全文由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼"
    "情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。报告中所列数据的统计期限自{year}年1月1日起"
    "至{year}年12月31日止。{contact}"
)


def default_preamble(agency: str, year: int, contact: Contact, template: Template | None = None) -> str:
    """The usual opening paragraph: legal basis, statistics period and, when known, contact."""
    template = template or template_for_year(year)
    parts = [
        f"地址：{contact.address}" if contact.address else "",
        f"邮编：{contact.postcode}" if contact.postcode else "",
        f"电话：{contact.phone}" if contact.phone else "",
        f"邮箱：{contact.email}" if contact.email else "",
    ]
    listed = "，".join(p for p in parts if p)
    contact_text = f"如对本报告有任何疑问，请与{agency}联系（{listed}）。" if listed else ""
    return _PREAMBLE.format(document=template.document, year=year, contact=contact_text)


def new_report(agency: str, year: int, contact: Contact | None = None, template_id: str | None = None) -> Report:
    """A blank report with the year's template (or the one chosen), title, preamble and the
    standard sub-headings of 一."""
    template = load_template(template_id) if template_id else template_for_year(year)
    contact = contact or Contact()
    report = Report(template_id=template.id, agency=agency, year=year)
    report.title = template.title_for(agency, year)
    report.preamble = default_preamble(agency, year, contact, template)
    report.texts["s1"] = "\n".join(template.section("s1").subheadings)
    report.contact = Contact(contact.address, contact.postcode, contact.phone, contact.email)
    report.signature = Signature(organ=agency, date="")
    return report


def merged_contact(preferred: Contact | None, fallback: Contact) -> Contact:
    """Each detail from `preferred` (the agency profile) where it is filled in, else from `fallback`."""
    if preferred is None:
        return Contact(**vars(fallback))
    return Contact(**{k: getattr(preferred, k) or v for k, v in vars(fallback).items()})


def next_year_report(previous: Report, contact: Contact | None = None) -> Report:
    """Next year's report of the same agency, in last year's format while it still serves the year
    (an office's own variant stays), else in the year's: 上年结转 per column = last year's 结转下年度
    (as the template's carry_over says), 二's 现行有效件数 = last year's (as the template's in_force says,
    so S2-IN-FORCE checks this year's issued and repealed against it), contact details kept (the
    profile's where filled in), last year's prose not copied."""
    year = previous.year + 1
    same = previous.template.suits_year(year)
    report = new_report(
        previous.agency, year, merged_contact(contact, previous.contact), previous.template_id if same else None
    )
    report.signature = Signature(organ=previous.signature.organ or previous.agency, date="")
    # Keep the office's own wording of the title (often the government's name, not the office's).
    old_year = f"{previous.year}年政府信息公开工作年度报告"
    if previous.title.endswith(old_year):
        report.title = previous.title[: -len(old_year)] + f"{year}年政府信息公开工作年度报告"
    carry_in_force(previous, report)
    carry = report.template.s3.carry_over
    if carry is None:
        return report
    for col in report.template.s3.applicant_columns:
        earlier = f"s3.{carry.from_previous}.{col.id}"
        if not previous.template.has_cell(earlier):
            continue
        last = previous.value(earlier)
        # A blank carried-forward cell meant 0 in last year's printed report.
        report.set_cell(f"s3.{carry.row}.{col.id}", last.number if last.number is not None else 0)
    return report


def carry_in_force(previous: Report, report: Report) -> list[str]:
    """Set this year's 现行有效件数 of 二 to last year's, where both formats count documents in force
    and last year's figure was filled in; returns the cells set. Until documents are issued or
    repealed the count stays the same, and S2-IN-FORCE then checks the figures typed against it."""
    rule = report.template.s2.in_force
    if rule is None:
        return []
    carried = []
    for row_id in rule.rows:
        cell_id = f"s2.{row_id}.{rule.field}"
        if not previous.template.has_cell(cell_id) or not report.template.has_cell(cell_id):
            continue
        last = previous.value(cell_id)
        if last.number is None:
            continue  # blank or not a number last year: nothing to carry, the clerk fills it in
        report.set_cell(cell_id, last.number)
        carried.append(cell_id)
    return carried


def duplicate_report(source: Report, agency: str, year: int) -> Report:
    """The same numbers and texts under another agency or year; the template stays the source's
    (its cells only fit that one). A title in the usual wording follows the new agency and year."""
    copied = copy.deepcopy(source)
    copied.agency = agency
    copied.year = year
    if source.title in ("", source.default_title()):
        copied.title = copied.default_title()
    else:
        old_tail = f"{source.year}年政府信息公开工作年度报告"
        if source.title.endswith(old_tail):
            copied.title = source.title[: -len(old_tail)] + f"{year}年政府信息公开工作年度报告"
    if source.signature.organ in ("", source.agency):
        copied.signature.organ = agency
    copied.signature.date = ""
    return copied
