"""Tables as spreadsheet files: rows under a header written to XLSX (one or more sheets) or CSV.

Generic: the caller builds the rows (plain strings and numbers). Text is always written as text, never
as a formula, even when it starts with "=" (the cells often hold words read from other people's
files). Files are written atomically, so a failure never leaves a half-written one."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.reportfile import write_atomic

Cell = str | int | float | None
TABLE_SUFFIXES: tuple[str, ...] = (".xlsx", ".csv")


@dataclass(frozen=True)
class Sheet:
    """One table: its sheet name (XLSX), header row, rows, and column widths in characters (XLSX;
    columns without a width keep the default)."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    widths: Sequence[float] = ()


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return str(ILLEGAL_CHARACTERS_RE.sub("", value))  # control characters would make the file unreadable
    return value


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per sheet: a bold, frozen header row and the column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in sheets:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
        # Text is never a formula, even when it starts with "=".
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if cell.data_type == "f":
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        for i, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_value(value: Cell) -> Cell:
    # Excel runs a CSV cell that starts like a formula; text must stay text.
    if isinstance(value, str) and value.startswith(("=", "+", "@")):
        return "'" + value
    return value


def csv_bytes(sheet: Sheet) -> bytes:
    """One sheet as CSV, UTF-8 with a BOM so Excel and WPS show Chinese correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers)
    writer.writerows([_csv_value(v) for v in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_table(path: str | os.PathLike[str], sheets: Sequence[Sheet]) -> Path:
    """Write the sheets as the suffix says: .csv holds the first sheet only, anything else is XLSX.
    Atomic; raises OSError with the reason."""
    target = Path(path)
    data = csv_bytes(sheets[0]) if target.suffix.lower() == ".csv" else xlsx_bytes(sheets)
    write_atomic(target, data)
    return target
