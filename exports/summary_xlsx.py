"""The region's 汇总表 as XLSX: a sheet saying which units count (and which do not, and why), then one
sheet per table (二's summable part, 三, 四) with a row per included unit and a total row whose figures
are Excel formulas (=SUM over the unit rows), so a reviewer can audit every total in the spreadsheet.

Within a unit's row the computed cells (三's 总计 column, the （七）总计 row, 四's totals) are formulas
too, adding up that row's parts as the template declares. openpyxl writes no computed values; the
workbook asks the spreadsheet program to calculate everything when it opens the file."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from core.checks import SEVERITY_LABELS
from core.errors import UserError
from core.fileio import TargetRefused, os_reason, write_atomic
from core.numbers import Parsed
from core.region import RegionTotals, UnitReport
from core.template import CellDef, CellKind, Template

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

NOTES_SHEET = "说明"
S2_SHEET = "二、主动公开"
S3_SHEET = "三、收到和处理申请"
S4_SHEET = "四、行政复议、行政诉讼"
HEADER_ROWS = 2  # row label, then column label
FIRST_UNIT_ROW = HEADER_ROWS + 1
TOTAL_LABEL = "合计"


class SummaryExportError(UserError):
    """The 汇总表 could not be written; str() is one line in Chinese."""


@dataclass(frozen=True)
class _Column:
    cell: CellDef
    top: str  # the row label of the official table (merged over its consecutive columns)
    sub: str  # the column label


def _s3_row_label(path: tuple[str, ...]) -> str:
    return "·".join(path[1:]) if len(path) > 1 else path[0]


def _money_label(cell: CellDef) -> str:
    if cell.kind is CellKind.MONEY and "万元" not in cell.col_label:
        return f"{cell.col_label}（万元）"
    return cell.col_label


def _columns(template: Template, section: str) -> list[_Column]:
    if section == "s2":
        return [
            _Column(c, c.row_label, _money_label(c))
            for c in template.cells
            if c.section == "s2" and c.summable and not c.computed
        ]
    if section == "s3":
        return [
            _Column(template.cell(f"s3.{row.id}.{col.id}"), _s3_row_label(row.path), col.label)
            for row in template.s3.rows
            for col in template.s3.columns
        ]
    return [
        _Column(template.cell(f"s4.{g.id}.{col.id}"), g.full_label, col.label)
        for g in template.s4.groups
        for col in template.s4.columns
    ]


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    """Text as text: without the characters a workbook cannot hold, never taken for a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column, value=str(ILLEGAL_CHARACTERS_RE.sub("", value)))
    if cell.data_type == "f":
        cell.data_type = "s"


def _value(sheet: Worksheet, row: int, column: int, parsed: Parsed) -> None:
    if parsed.number is not None:
        sheet.cell(row=row, column=column, value=parsed.number)
    elif parsed.error is not None and parsed.text:  # not a number (a unit included despite errors): as written
        _text(sheet, row, column, parsed.text)


def _sum_formula(letters: Sequence[str], row: int) -> str:
    """=SUM over cells of one row, runs of neighbouring columns written as ranges."""
    from openpyxl.utils import column_index_from_string

    indexes = sorted(column_index_from_string(x) for x in letters)
    ranges: list[str] = []
    start = previous = indexes[0]
    for index in [*indexes[1:], -1]:
        if index == previous + 1:
            previous = index
            continue
        first, last = f"{_letter(start)}{row}", f"{_letter(previous)}{row}"
        ranges.append(first if start == previous else f"{first}:{last}")
        start = previous = index
    return f"=SUM({','.join(ranges)})"


def _table_sheet(sheet: Worksheet, totals: RegionTotals, columns: list[_Column]) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.cell(row=1, column=1, value="单位").font = bold
    sheet.merge_cells(start_row=1, start_column=1, end_row=HEADER_ROWS, end_column=1)
    sheet.cell(row=1, column=1).alignment = centred
    letter_of = {c.cell.id: _letter(i) for i, c in enumerate(columns, start=2)}
    # Row labels over their consecutive columns, column labels under them.
    i = 0
    while i < len(columns):
        j = i
        while j + 1 < len(columns) and columns[j + 1].top == columns[i].top:
            j += 1
        _text(sheet, 1, i + 2, columns[i].top)
        if j > i:
            sheet.merge_cells(start_row=1, start_column=i + 2, end_row=1, end_column=j + 2)
        i = j + 1
    for index, column in enumerate(columns, start=2):
        _text(sheet, 2, index, column.sub)
        for row in (1, 2):
            sheet.cell(row=row, column=index).font = bold
            sheet.cell(row=row, column=index).alignment = centred
    first_sums = {s.cell: s for s in totals.template.derivation}
    part_values = {c.cell.id: totals.parts(c.cell.id) for c in columns if not c.cell.computed}
    for n, unit in enumerate(totals.included):
        row = FIRST_UNIT_ROW + n
        _text(sheet, row, 1, unit.name)
        for index, column in enumerate(columns, start=2):
            cell = column.cell
            if cell.computed:
                parts = first_sums[cell.id].parts
                sheet.cell(row=row, column=index, value=_sum_formula([letter_of[p] for p in parts], row))
            else:
                _value(sheet, row, index, part_values[cell.id][n][1])
    total_row = FIRST_UNIT_ROW + len(totals.included)
    last_unit_row = total_row - 1
    _text(sheet, total_row, 1, f"{TOTAL_LABEL}（{len(totals.included)} 个单位）")
    sheet.cell(row=total_row, column=1).font = bold
    for index in range(2, len(columns) + 2):
        letter = _letter(index)
        formula = f"=SUM({letter}{FIRST_UNIT_ROW}:{letter}{last_unit_row})" if totals.included else "=0"
        sheet.cell(row=total_row, column=index, value=formula).font = bold
    sheet.freeze_panes = sheet.cell(row=FIRST_UNIT_ROW, column=2)
    longest = max([len(u.name) for u in totals.included] + [len(TOTAL_LABEL) + 8])
    sheet.column_dimensions["A"].width = min(40, max(14, longest * 2 + 2))
    for index, column in enumerate(columns, start=2):
        sheet.column_dimensions[_letter(index)].width = max(9, min(16, len(column.sub) * 2 + 2))
    sheet.row_dimensions[1].height = 48
    sheet.row_dimensions[2].height = 32


def _unit_line(number: int, unit: UnitReport, template_names: dict[str, str], last: str) -> list[str | int]:
    report = unit.report
    return [
        number, unit.name, unit.file, report.agency, report.year,
        template_names.get(report.template_id, report.template_id), unit.errors, last,
    ]


def _notes_sheet(sheet: Worksheet, totals: RegionTotals, made: date, unreadable: Sequence[tuple[str, str]]) -> None:
    from openpyxl.styles import Font

    from core.template import templates

    bold = Font(bold=True)
    names = {t.id: t.name for t in templates()}
    rows: list[tuple[list[str | int], bool]] = [
        (["政府信息公开工作年度报告汇总表"], True),
        (["年度", f"{totals.year} 年" if totals.year is not None else "（没有单位）"], False),
        (["格式", f"{totals.template.name}（{totals.template.document}）"], False),
        (["计入单位", f"{len(totals.included)} 个"], False),
        (["未计入单位", f"{len(totals.excluded)} 个"], False),
        (["制表日期", f"{made.year}年{made.month}月{made.day}日"], False),
        ([], False),
        (["计入的单位"], True),
        (["序号", "单位", "文件", "机关", "年度", "格式", "错误", "说明"], True),
    ]
    notes = {id(u): note for u, note in totals.notes}
    rows += [
        (_unit_line(i, u, names, notes.get(id(u), "")), False) for i, u in enumerate(totals.included, start=1)
    ]
    rows += [
        ([], False),
        (["未计入的单位"], True),
        (["序号", "单位", "文件", "机关", "年度", "格式", "错误", "原因"], True),
    ]
    rows += [(_unit_line(i, u, names, why), False) for i, (u, why) in enumerate(totals.excluded, start=1)]
    if unreadable:
        rows += [([], False), (["无法读取的文件"], True), (["序号", "文件", "原因"], True)]
        rows += [([i, name, why], False) for i, (name, why) in enumerate(unreadable, start=1)]
    rows += [([], False), (["汇总数的检查结果"], True)]
    if totals.findings:
        rows += [([SEVERITY_LABELS.get(f.severity, f.severity), f.rule, f.message], False) for f in totals.findings]
    else:
        rows.append((["未发现问题"], False))
    rows += [
        ([], False),
        (["说明"], True),
        (["各表每行是一个计入的单位，最后一行“合计”是各单位之和的公式（=SUM）；空白单元格按 0 计。"], False),
        (["三的总计列、（七）总计行和四的总计按各项相加（公式），不取各单位印出的合计。"], False),
        (["金额以万元计，单位写成“元”的已除以 10,000。"], False),
    ]
    for r, (values, heading) in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, str):
                _text(sheet, r, c, value)
            else:
                sheet.cell(row=r, column=c, value=value)
            if heading:
                sheet.cell(row=r, column=c).font = bold
    for letter, width in zip("ABCDEFGH", (10, 30, 40, 30, 8, 10, 8, 60), strict=True):
        sheet.column_dimensions[letter].width = width


def summary_xlsx_bytes(
    totals: RegionTotals, *, made: date | None = None, unreadable: Sequence[tuple[str, str]] = ()
) -> bytes:
    """The workbook: 说明 (with the files that could not be read, as (file, reason), when given), then 二
    (its summable part), 三 and 四."""
    from openpyxl import Workbook
    from openpyxl.workbook.properties import CalcProperties

    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = NOTES_SHEET
    _notes_sheet(notes, totals, made or date.today(), unreadable)
    for name, section in ((S2_SHEET, "s2"), (S3_SHEET, "s3"), (S4_SHEET, "s4")):
        columns = _columns(totals.template, section)
        if columns:
            _table_sheet(book.create_sheet(name), totals, columns)
    # No values are cached in the file: the program opening it calculates every formula.
    book.calculation = CalcProperties(fullCalcOnLoad=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_summary_xlsx(
    path: str | os.PathLike[str],
    totals: RegionTotals,
    *,
    made: date | None = None,
    unreadable: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write the 汇总表 atomically; SummaryExportError with a one-line Chinese reason when it cannot be."""
    target = Path(path)
    data = summary_xlsx_bytes(totals, made=made, unreadable=unreadable)
    try:
        write_atomic(target, data)
    except TargetRefused as exc:
        raise SummaryExportError(f"无法写入「{target.name}」：{exc}") from None
    except IsADirectoryError:
        raise SummaryExportError(f"无法写入「{target.name}」：已有同名的文件夹，请换一个文件名") from None
    except PermissionError:
        raise SummaryExportError(
            f"无法写入「{target.name}」：文件可能正被其他程序（如 Excel、WPS）打开，或没有写入该文件夹的权限；"
            "请关闭该文件后重试"
        ) from None
    except OSError as exc:
        raise SummaryExportError(f"无法写入「{target.name}」：{os_reason(exc, writing=True)}") from None
    return target
