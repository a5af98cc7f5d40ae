"""Reports the app did not write (published DOCX, PDF, HTML, Word): the extracted text and tables
assembled into a report, with a log of everything uncertain. The readers only extract; this decides,
section by section (reading.section2, section3, section4 and prose), and chooses the template."""

from __future__ import annotations

import re
from datetime import date

from core.numbers import BLANK, Parsed, parse_value, to_json_value
from core.report import Report
from core.reportfile import ReportFileError
from core.template import (
    CellKind,
    Template,
    default_template,
    load_template,
    template_for_year,
    template_ids,
    templates,
)
from reading.document import ExtractedDocument, ImportResult
from reading.labels import DIGIT, SPACES, nfkc, shown
from reading.prose import Title, find_headings, find_signature, find_title, read_texts
from reading.section2 import place_s2, read_s2
from reading.section3 import assign_s3, s3_lines, s3_signals, walk_s3
from reading.section4 import read_s4
from reading.state import Cells, ReadState, classify_by_position
from reading.structure import Heading

_PERIOD = re.compile(r"统计期限?(?:为|是)?自?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")


def _choose_template(state: ReadState, year: int | None) -> Template:
    """The template most of the distinguishing labels belong to; among equals the year's (else the
    newest); the log says when the tables mix labels of formats that differ."""
    by_year = template_for_year(year) if year is not None else default_template()
    votes = {tid: labels for tid, labels in state.signals.items() if labels}
    if not votes:
        return by_year
    top = max(len(labels) for labels in votes.values())
    leaders = [tid for tid in template_ids() if len(votes.get(tid, ())) == top]
    chosen = by_year if by_year.id in leaders else load_template(leaders[0])
    mine = votes[chosen.id]
    # A template whose labels are all among the chosen one's (a variant of it) is no rival.
    rivals = [tid for tid in template_ids() if tid in votes and tid != chosen.id and not votes[tid] <= mine]
    if not rivals:
        return chosen
    rival = max(rivals, key=lambda tid: len(votes[tid]))
    theirs = votes[rival]
    if len(theirs) == top:
        state.note(
            f"表格中两版格式的栏目各有 {top} 处（{_sample(mine)}；{_sample(theirs)}），"
            f"按报告年度采用{chosen.name}格式读入"
        )
    else:
        state.note(
            f"表格混用两版格式：{chosen.name}格式的栏目 {top} 处（{_sample(mine)}），"
            f"{load_template(rival).name}格式的栏目 {len(theirs)} 处（{_sample(theirs)}），"
            f"按多数采用{chosen.name}格式读入"
        )
    return chosen


def _sample(labels: set[str]) -> str:
    ordered = sorted(labels, key=lambda x: (len(x), x))
    return "、".join(f"「{shown(x, 20)}」" for x in ordered[:3]) + ("等" if len(ordered) > 3 else "")


def assemble(doc: ExtractedDocument) -> ImportResult:
    """The report a document holds, read by meaning: the template from the tables' columns and rows,
    the numbers of 二, 三 and 四, the title, the texts and the signature; ReportFileError when the
    document is not an annual report. A printed number is never repaired: totals go to
    report.printed as printed, and what cannot be placed with confidence is logged and left out."""
    state = ReadState(doc)
    n = len(state.paragraphs)
    report_tables = [p for p, kind in zip(state.positions, state.kinds, strict=True) if kind is not None]
    title = find_title(state.paragraphs, min(report_tables, default=n))
    start = title.end if title else 0
    default = default_template()
    rough = find_headings(state, default, start)
    classify_by_position(state, {sid: h.index for sid, h in rough.items()})

    lines = s3_lines(state.tables_of("s3"))
    walks = {t.id: walk_s3(lines, t) for t in templates()}
    if title is None and not any(w.rows for w in walks.values()):
        raise ReportFileError(
            "不是政府信息公开工作年度报告：没有找到报告标题，也没有「三、收到和处理政府信息公开申请情况」的表格"
        )
    s2_values = read_s2(state, state.tables_of("s2"))
    s3_signals(state, walks)
    template = _choose_template(state, title.year if title else None)
    headings = rough if template.id == default.id else find_headings(state, template, start)

    agency, year = _identity(state, title, headings)
    report = Report(template_id=template.id, agency=agency, year=year)
    report.title = title.text if title else ""
    if title is None and not any(state.signals.values()):
        state.note(f"表格中没有可区分两版格式的栏目，按 {year} 年度采用{template.name}格式读入")

    cells = Cells()
    place_s2(state, template, s2_values, cells)
    if lines:
        assign_s3(state, template, lines, walks, cells)
    else:
        state.note(f"没有找到「{template.section('s3').heading}」的表格，该部分按空白读入")
    if state.tables_of("s4"):
        read_s4(state, template, state.tables_of("s4"), cells)
    else:
        state.note(f"没有找到「{template.section('s4').heading}」的表格，该部分按空白读入")
    _fill_cells(state, template, report, cells)
    read_texts(state, template, report, start, headings)
    organ = SPACES.sub("", report.signature.organ)
    if title is not None and organ != report.agency and organ.startswith(report.agency):
        # The government's report compiled by its office: the title names the government, the
        # signature the office that makes the report.
        report.agency = organ
    for placed, kind in zip(state.placed, state.kinds, strict=True):
        if kind is None:
            state.note(f"{placed.name}不是报告的统计表，未读入")
    return ImportResult(report, state.log)


def _identity(state: ReadState, title: Title | None, headings: dict[str, Heading]) -> tuple[str, int]:
    """Agency and year from the title; else from the statistics period, the signature, and logged."""
    agency = title.agency if title else ""
    year = title.year if title else None
    if title is None:
        state.note("没有找到报告标题（“××××年政府信息公开工作年度报告”）")
    tail = find_signature(state.paragraphs, agency)
    if year is None:
        two = headings.get("s2")
        before = state.paragraphs[: two.start if two is not None else len(state.paragraphs)]
        m = _PERIOD.search(nfkc("\n".join(before)))
        if m:
            year = int(m.group(1))
            state.note(f"标题中没有年度，按统计期限读为 {year} 年度")
        elif tail is not None and tail.signature.date:
            year = int(tail.signature.date[:4]) - 1
            state.note(f"标题中没有年度，按落款日期读为 {year} 年度")
        else:
            year = date.today().year - 1
            state.note(f"无法确定报告年度，按 {year} 年度读入，请核对")
    if not agency:
        if tail is not None and tail.signature.organ:
            agency = tail.signature.organ
            state.note(f"标题中没有机关名称，按落款读为「{agency}」")
        else:
            agency = "（未识别的机关）"
            state.note("无法确定机关名称，请核对")
    return agency, year


def _fill_cells(state: ReadState, template: Template, report: Report, cells: Cells) -> None:
    """Parse every text as its cell's kind; what is not a number goes in as printed (VALUE-INVALID)."""
    for store, computed in ((cells.inputs, False), (cells.printed, True)):
        for cell_id, text in store.items():
            cell = template.cell(cell_id)
            parsed = _parse_cell(text, cell.kind)
            if parsed.error is not None:
                where = _where(template, cell_id)
                state.note(f"{where}：「{shown(text)}」不是有效的数字，按原文读入（{parsed.error}）")
            if computed:
                report.printed[cell_id] = BLANK if parsed.is_blank else parsed
            elif not parsed.is_blank:
                report.inputs[cell_id] = parsed
    for cell_id, text in cells.foreign.items():
        kind = next(t for t in templates() if t.has_cell(cell_id)).cell(cell_id).kind
        report.foreign_cells[cell_id] = to_json_value(_parse_cell(text, kind), kind)


def _parse_cell(text: str, kind: CellKind) -> Parsed:
    """parse_value, except that numbers on two lines of one cell are not read as one number."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if sum(1 for ln in lines if DIGIT.search(ln)) > 1:
        return Parsed(None, text, None, f"「{shown(text)}」一个单元格中有几行数字")
    return parse_value(text, kind)


def _where(template: Template, cell_id: str) -> str:
    cell = template.cell(cell_id)
    return f"{template.section(cell.section).short}{cell.place}"
