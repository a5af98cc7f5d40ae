"""Test DOCX files shaped like the official Word template of the annual report and filled the way clerks fill it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table as DocxTable
from docx.table import _Cell

from core.numbers import format_number
from core.report import Report
from core.template import Template, load_template

CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
# Printed rows of 三: each row's label path and its cell texts by column id.
S3Printed = list[tuple[tuple[str, ...], dict[str, str]]]


@dataclass
class Fill:
    """What a clerk typed into the official template. Labels and headings not overridden are the
    template's own; a label or cell text with "\\n" is typed as separate paragraphs of one cell."""

    template_id: str = "2021"
    title_lines: tuple[str, ...] = ("某某区人民政府", "2024年政府信息公开工作年度报告")
    preamble: tuple[str, ...] = ("本报告根据《中华人民共和国政府信息公开条例》编制。",)
    texts: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "s1": ("（一）主动公开。本年主动公开政府信息。", "（二）依申请公开。依法办理申请。"),
            "s5": ("存在的主要问题是培训不足。",),
            "s6": ("本年度未收取信息处理费。",),
        }
    )
    headings: dict[str, str] = field(default_factory=dict)  # section id → heading as typed
    cells: dict[str, str] = field(default_factory=dict)  # cell id → text in the cell; absent = blank
    labels: dict[str, str] = field(default_factory=dict)  # template label → label as typed
    s2_note: str = ""
    s2_note_in_table: bool = False  # the note as a last row of 二's table (as in the seed) or a paragraph
    six_as_one_row: bool = False  # 2021 template, but （六）其他处理 printed as one row (2019 style)
    six_one_row_cells: dict[str, str] = field(default_factory=dict)  # column id → text of that row
    signature: tuple[str, ...] = ("某某区人民政府", "2025年1月20日")
    split_s3_after: int | None = None  # break 三's table in two after this many data rows (a page break)


def cells_of(report: Report, *, blank: str = "") -> dict[str, str]:
    """The cell texts a report prints: inputs as typed, totals as the report's file printed them
    (blank when printed blank) or else their sums."""
    totals = report.totals()
    out: dict[str, str] = {}
    for cell in report.template.cells:
        if cell.computed:
            printed = report.printed.get(cell.id)
            if printed is not None:
                out[cell.id] = printed.text or ""
            else:
                out[cell.id] = format_number(totals[cell.id], cell.kind)
        else:
            parsed = report.value(cell.id)
            out[cell.id] = blank if parsed.is_blank else (parsed.text or "")
    return out


def fill_from_report(report: Report, **changes: object) -> Fill:
    """A fill with the report's title, texts, numbers and signature."""
    title = report.title or report.default_title()
    split = title.find(str(report.year))
    lines = (title[:split], title[split:]) if split > 0 else (title,)
    fill = Fill(
        template_id=report.template_id,
        title_lines=lines,
        preamble=tuple(p for p in report.preamble.splitlines() if p.strip()),
        texts={k: tuple(p for p in report.text(k).splitlines() if p.strip()) for k in ("s1", "s5", "s6")},
        cells=cells_of(report),
        s2_note=report.text("s2_note"),
        signature=(report.signature.organ or report.agency, report.signature.date_chinese),
    )
    for key, value in changes.items():
        setattr(fill, key, value)
    return fill


def _set(cell: _Cell, text: str) -> None:
    """Type `text` into a cell; each line of it becomes a paragraph of the cell."""
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _merge(table: DocxTable, row: int, col: int, rowspan: int, colspan: int, text: str) -> None:
    cell = table.cell(row, col)
    if rowspan > 1 or colspan > 1:
        cell = cell.merge(table.cell(row + rowspan - 1, col + colspan - 1))
    _set(cell, text)


def _label(fill: Fill, label: str) -> str:
    return fill.labels.get(label, label)


def _s2(document: DocxDocument, fill: Fill, template: Template) -> None:
    """二 as one 4-column grid: for each block a caption row across the grid, a header row, data rows."""
    blocks = template.s2.blocks
    rows = sum(2 + len(b.rows) for b in blocks) + (1 if fill.s2_note and fill.s2_note_in_table else 0)
    table = document.add_table(rows=rows, cols=template.s2.columns)
    table.style = "Table Grid"
    r = 0
    for block in blocks:
        _merge(table, r, 0, 1, template.s2.columns, _label(fill, block.caption))
        col = 0
        for h in block.header:
            _merge(table, r + 1, col, 1, h.span, _label(fill, h.label))
            col += h.span
        r += 2
        for row in block.rows:
            _set(table.cell(r, 0), _label(fill, row.label))
            col = 1
            for c in row.cells:
                _merge(table, r, col, 1, c.span, fill.cells.get(c.cell.id, ""))
                col += c.span
            r += 1
    if fill.s2_note and fill.s2_note_in_table:
        _merge(table, r, 0, 1, template.s2.columns, fill.s2_note)
    elif fill.s2_note:
        document.add_paragraph(fill.s2_note)


def _s3_rows(fill: Fill, template: Template) -> S3Printed:
    """Each printed row of 三: its label path and its cell texts by column id."""
    rows = []
    one_row_done = False
    for row in template.s3.rows:
        if fill.six_as_one_row and row.path[:2] == template.s3.row("other_else").path[:2]:
            if not one_row_done:
                rows.append((row.path[:2], dict(fill.six_one_row_cells)))
                one_row_done = True
            continue
        rows.append((row.path, {c.id: fill.cells.get(f"s3.{row.id}.{c.id}", "") for c in template.s3.columns}))
    return rows


def _label_spans(paths: list[tuple[str, ...]], width: int) -> list[tuple[int, int, int, int, str]]:
    """Label cells (row, col, rowspan, colspan, label): equal group prefixes merged down, a row's own
    label across the label columns its path leaves free."""
    out = []
    for level in range(width):
        i = 0
        while i < len(paths):
            path = paths[i]
            if level >= len(path):
                i += 1
                continue
            if level == len(path) - 1:
                out.append((i, level, 1, width - level, path[level]))
                i += 1
                continue
            down = 1
            prefix = path[: level + 1]
            while i + down < len(paths) and len(paths[i + down]) > level + 1 and paths[i + down][: level + 1] == prefix:
                down += 1
            out.append((i, level, down, 1, path[level]))
            i += down
    return out


def _s3_table(document: DocxDocument, fill: Fill, template: Template, rows: S3Printed, header: bool) -> None:
    s3 = template.s3
    header_rows = 3 if header else 0
    width = s3.label_columns + len(s3.columns)
    table = document.add_table(rows=header_rows + len(rows), cols=width)
    table.style = "Table Grid"
    if header:
        for h in s3.header:
            _merge(table, h.row, h.col, h.rowspan, h.colspan, _label(fill, h.label))
    for i, col, rowspan, colspan, label in _label_spans([p for p, _ in rows], s3.label_columns):
        _merge(table, header_rows + i, col, rowspan, colspan, _label(fill, label))
    for i, (_path, values) in enumerate(rows):
        for j, column in enumerate(s3.columns):
            _set(table.cell(header_rows + i, s3.label_columns + j), values.get(column.id, ""))


def _s3(document: DocxDocument, fill: Fill, template: Template) -> None:
    rows = _s3_rows(fill, template)
    if fill.split_s3_after is None:
        _s3_table(document, fill, template, rows, header=True)
        return
    _s3_table(document, fill, template, rows[: fill.split_s3_after], header=True)
    _s3_table(document, fill, template, rows[fill.split_s3_after :], header=False)


def _s4(document: DocxDocument, fill: Fill, template: Template) -> None:
    s4 = template.s4
    columns = len(s4.groups) * len(s4.columns)
    table = document.add_table(rows=4, cols=columns)
    table.style = "Table Grid"
    for h in s4.header:
        _merge(table, h.row, h.col, h.rowspan, h.colspan, _label(fill, h.label))
    col = 0
    for g in s4.groups:
        for c in s4.columns:
            _set(table.cell(3, col), fill.cells.get(f"s4.{g.id}.{c.id}", ""))
            col += 1


def write_official_docx(fill: Fill, path: Path) -> Path:
    """The filled template as a .docx at `path`."""
    template = load_template(fill.template_id)
    document = Document()
    for line in fill.title_lines:
        document.add_paragraph(line)
    for line in fill.preamble:
        document.add_paragraph(line)
    tables = {"s2": _s2, "s3": _s3, "s4": _s4}
    for section in template.sections:
        document.add_paragraph(fill.headings.get(section.id, section.heading))
        if section.id in tables:
            tables[section.id](document, fill, template)
        else:
            for line in fill.texts.get(section.id, ()):
                document.add_paragraph(line)
    document.add_paragraph("")
    for line in fill.signature:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def numbered_cells(template_id: str, *, start: int = 1) -> dict[str, int]:
    """Distinct numbers for every input cell (start, start+1, … in template order)."""
    template = load_template(template_id)
    return {cell.id: start + i for i, cell in enumerate(template.input_cells)}


def with_sums(template_id: str, values: Mapping[str, int]) -> dict[str, str]:
    """Cell texts for the given input values, with every total printed as its sum."""
    report = Report(template_id=template_id, agency="某某区人民政府", year=2024)
    for cell_id, value in values.items():
        report.set_cell(cell_id, value)
    return cells_of(report)
