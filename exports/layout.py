"""The printed report as a layout (paragraphs, table grids with merges, signature) that every
exporter renders, so DOCX, PDF and HTML show the same words and numbers in the same places, and
one model of where a page may break: a heading keeps with what follows it, a table keeps its row
groups (never split inside a merged label), its header rows repeat on every page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from core.numbers import Number, format_number
from core.report import Report
from core.template import CellDef, Template

HEADING2 = re.compile(r"^\s*（[一二三四五六七八九十]{1,3}）")
# A run-in level-2 heading ends at the first full stop (or colon) after its number.
RUNIN = re.compile(r"^(\s*（[一二三四五六七八九十]{1,3}）[^。：:\n]{1,40}?[。：:])(.+)$")


class Paragraph(NamedTuple):
    """One paragraph. style: title, heading1, heading2, body, note. For a run-in level-2 heading,
    `lead` is the heading part (styled as heading2) and `text` the body that follows it."""

    style: str
    text: str
    lead: str = ""


class GridCell(NamedTuple):
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    header: bool = False  # header or label cell (bold/centred as in the official table)
    cell_id: str | None = None  # the report cell it shows, for number cells
    computed: bool = False
    align: str = "center"  # "center" or "left"
    shaded: bool = False  # a caption row (二's 第二十条第（一）项 …): left-aligned on a grey ground


class Table(NamedTuple):
    """A table grid. `widths` are the columns in millimetres (they add up to the 156 mm text width).
    `groups` are (first row, row after the last) of the runs of rows a page may not break inside: a
    page breaks between groups only, and a table that fits on a page is not broken at all."""

    id: str  # s2, s3 or s4
    rows: int
    columns: int
    header_rows: int  # rows repeated at the top of every page
    cells: tuple[GridCell, ...]
    widths: tuple[float, ...]
    groups: tuple[tuple[int, int], ...] = ()

    def cell_at(self, row: int, col: int) -> GridCell | None:
        """The grid cell covering (row, col), merged cells included."""
        for c in self.cells:
            if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
                return c
        return None


class SignatureBlock(NamedTuple):
    organ: str
    date: str  # as printed, e.g. 2026年1月20日 (empty: a line to date by hand)


class Layout(NamedTuple):
    title: str
    blocks: tuple[Paragraph | Table | SignatureBlock, ...]
    draft: bool

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))


# --- the page, as both the PDF and the DOCX set it (GB/T 9704 habits): A4; a 156 × 225 mm text block of
# 22 lines of 28 characters in 3号 type; tables in 5号. Exporters take their measures from here, so the
# two paginate alike wherever they can.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37.0, 35.0, 28.0, 26.0
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TEXT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
MM = 72 / 25.4  # points in a millimetre
BODY_PT = 16.0  # 3号
LINE_PITCH_PT = TEXT_HEIGHT_MM * MM / LINES_PER_PAGE  # 28.99 pt: 22 lines fill the block exactly
CHAR_PITCH_PT = TEXT_WIDTH_MM * MM / CHARS_PER_LINE  # 15.79 pt: 28 characters fill a line exactly
TITLE_PT = 22.0  # 2号
TITLE_LEADING_PT = 35.0
PAGE_NUMBER_PT = 14.0  # 4号
CELL_PT = 10.5  # 5号
CELL_LEADING_PT = 12.6
CELL_PADDING_PT = 1.5  # left and right of a cell's text
CELL_VPADDING_PT = 1.0  # above and below it (the 5号 leading already leaves room)
SIGNATURE_RIGHT_CHARS = 4  # 右空四字
# A heading never ends a page: it stays with at least this many lines of what follows it.
HEADING_KEEP_LINES = 2
# Column widths in mm. 三: the three label columns, then seven columns that hold a six-digit number in
# 5号 type on one line; 四: fifteen columns that hold five digits; 二: the label, then three fields.
S2_WIDTHS = (54.0, 34.0, 34.0, 34.0)
S3_LABEL_WIDTHS = (13.0, 22.0, 44.0)
S3_NUMBER_COLUMN_MM = (TEXT_WIDTH_MM - sum(S3_LABEL_WIDTHS)) / 7  # 11 mm for each of 三's seven columns


def blank_total(report: Report, cell_id: str) -> bool:
    """Whether a computed cell adds up nothing but blank cells (it prints blank with them, when blanks
    print empty)."""
    template = report.template
    return all(
        blank_total(report, part) if template.cell(part).computed else report.value(part).is_blank
        for s in template.derivation
        if s.cell == cell_id
        for part in s.parts
    )


def cell_text(report: Report, cell: CellDef, totals: Mapping[str, Number], blank_as_zero: bool) -> str:
    """What a number cell prints: the value, computed totals from the data, blanks as 0 or empty (a
    total of blank cells too, when blanks print empty)."""
    if cell.computed:
        if not blank_as_zero and blank_total(report, cell.id):
            return ""
        return format_number(totals[cell.id], cell.kind)
    parsed = report.value(cell.id)
    if parsed.error is not None:
        return parsed.text or ""
    if parsed.number is None:
        return "0" if blank_as_zero else ""
    return parsed.text or format_number(parsed.number, cell.kind, parsed.unit)


def _s2_table(report: Report, template: Template, blank_as_zero: bool) -> Table:
    totals = report.totals()
    cells: list[GridCell] = []
    groups: list[tuple[int, int]] = []
    row = 0
    columns = template.s2.columns
    for block in template.s2.blocks:
        first = row
        cells.append(GridCell(row, 0, 1, columns, block.caption, header=True, align="left", shaded=True))
        row += 1
        col = 0
        for h in block.header:
            cells.append(GridCell(row, col, 1, h.span, h.label, header=True))
            col += h.span
        row += 1
        for r in block.rows:
            cells.append(GridCell(row, 0, 1, 1, r.label, header=True))
            col = 1
            for c in r.cells:
                text = cell_text(report, c.cell, totals, blank_as_zero)
                cells.append(GridCell(row, col, 1, c.span, text, cell_id=c.cell.id))
                col += c.span
            row += 1
        groups.append((first, row))  # a block: caption, header and rows on one page
    return Table("s2", row, columns, 0, tuple(cells), S2_WIDTHS, tuple(groups))


def _merge_groups(cells: list[GridCell], first_row: int, rows: int) -> tuple[tuple[int, int], ...]:
    """Runs of rows from `first_row` on that no merged cell crosses: each row alone, except where a
    cell spans several rows (then they go together, with any span overlapping them)."""
    groups: list[tuple[int, int]] = []
    row = first_row
    while row < rows:
        end = row + 1
        grown = True
        while grown:
            grown = False
            for c in cells:
                if c.row < end and c.row + c.rowspan > end and c.row + c.rowspan - 1 >= row:
                    end = c.row + c.rowspan
                    grown = True
        groups.append((row, end))
        row = end
    return tuple(groups)


def _s3_table(report: Report, template: Template, blank_as_zero: bool) -> Table:
    totals = report.totals()
    s3 = template.s3
    header_rows = 1 + max(h.row + h.rowspan - 1 for h in s3.header)
    cells = [GridCell(h.row, h.col, h.rowspan, h.colspan, h.label, header=True) for h in s3.header]
    for lc in s3.label_cells:
        cells.append(
            GridCell(header_rows + lc.row, lc.col, lc.rowspan, lc.colspan, lc.label, header=True, align="left")
        )
    for i, r in enumerate(s3.rows):
        for j, col in enumerate(s3.columns):
            cell = template.cell(f"s3.{r.id}.{col.id}")
            cells.append(
                GridCell(
                    header_rows + i, s3.label_columns + j, 1, 1,
                    cell_text(report, cell, totals, blank_as_zero),
                    cell_id=cell.id, computed=cell.computed,
                )
            )
    columns = s3.label_columns + len(s3.columns)
    data_width = (TEXT_WIDTH_MM - sum(S3_LABEL_WIDTHS)) / len(s3.columns)
    widths = S3_LABEL_WIDTHS + (data_width,) * len(s3.columns)
    rows = header_rows + len(s3.rows)
    return Table("s3", rows, columns, header_rows, tuple(cells), widths, _merge_groups(cells, header_rows, rows))


def _s4_table(report: Report, template: Template, blank_as_zero: bool) -> Table:
    totals = report.totals()
    s4 = template.s4
    header_rows = 1 + max(h.row + h.rowspan - 1 for h in s4.header)
    cells = [GridCell(h.row, h.col, h.rowspan, h.colspan, h.label, header=True) for h in s4.header]
    col = 0
    for group in s4.groups:
        for c in s4.columns:
            cell = template.cell(f"s4.{group.id}.{c.id}")
            cells.append(
                GridCell(
                    header_rows, col, 1, 1, cell_text(report, cell, totals, blank_as_zero),
                    cell_id=cell.id, computed=cell.computed,
                )
            )
            col += 1
    rows = header_rows + 1
    return Table("s4", rows, col, header_rows, tuple(cells), (TEXT_WIDTH_MM / col,) * col, ((header_rows, rows),))


def _text_paragraphs(text: str) -> list[Paragraph]:
    out: list[Paragraph] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if HEADING2.match(line):
            runin = RUNIN.match(line)
            if runin:
                out.append(Paragraph("body", runin.group(2), lead=runin.group(1)))
            else:
                out.append(Paragraph("heading2", line))
        else:
            out.append(Paragraph("body", line))
    return out


def build_layout(report: Report, *, blank_as_zero: bool = True, draft: bool = False) -> Layout:
    """The report as printed: title, preamble, the six sections with their tables, signature."""
    template = report.template
    title = report.title.strip() or report.default_title()
    blocks: list[Paragraph | Table | SignatureBlock] = [Paragraph("title", title)]
    blocks.extend(Paragraph("body", p) for p in report.preamble.splitlines() if p.strip())
    tables = {
        "s2": _s2_table(report, template, blank_as_zero),
        "s3": _s3_table(report, template, blank_as_zero),
        "s4": _s4_table(report, template, blank_as_zero),
    }
    for section in template.sections:
        blocks.append(Paragraph("heading1", section.heading))
        if section.kind == "table":
            blocks.append(tables[section.id])
            if section.note_key and report.text(section.note_key).strip():
                note = report.text(section.note_key)
                blocks.extend(Paragraph("note", p.strip()) for p in note.splitlines() if p.strip())
        else:
            blocks.extend(_text_paragraphs(report.text(section.id)))
    organ = report.signature.organ.strip() or report.agency
    blocks.append(SignatureBlock(organ, report.signature.date_chinese))
    return Layout(title, tuple(blocks), draft)

