"""Copy and paste of cell ranges as tab-separated text (Excel, WPS), checked before anything changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.numbers import parse_value
from core.template import CellDef


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of cells from spreadsheet clipboard text: tabs between cells, a line per row, cells
    with tabs or line breaks in double quotes (as Excel writes them)."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    i = 0
    quoted = False
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"' and not cell:
            quoted = True
        elif ch == "\t":
            row.append("".join(cell))
            cell = []
        elif ch == "\n":
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
        else:
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    return rows


def to_tsv(rows: Sequence[Sequence[str]]) -> str:
    """Cells as clipboard text; a cell holding a tab, line break or quote is quoted."""

    def quote(cell: str) -> str:
        if any(c in cell for c in '\t\n\r"'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join("\t".join(quote(c) for c in row) + "\n" for row in rows)


@dataclass(frozen=True)
class PastePlan:
    """Either the cells to set (id, canonical text or None for blank) or why the paste is refused."""

    changes: tuple[tuple[str, str | None], ...] = ()
    refusal: str = ""


def plan_paste(
    grid: Sequence[Sequence[CellDef | None]], top: int, left: int, block: Sequence[Sequence[str]]
) -> PastePlan:
    """Where a block pasted at (top, left) would go. `grid` holds the cell at each position (None for
    labels and headers). Refused whole, with a Chinese reason, when it does not fit, covers a label,
    header or computed total, or holds anything that is not a number of the right kind."""
    if not block or not any(block):
        return PastePlan(refusal="剪贴板里没有可粘贴的数据")
    height = len(block)
    width = max(len(r) for r in block)
    if top + height > len(grid) or any(left + width > len(grid[top + r]) for r in range(height)):
        return PastePlan(refusal=f"粘贴的数据有 {height} 行 {width} 列，超出了表格的范围，未作任何修改")
    changes: list[tuple[str, str | None]] = []
    for r, values in enumerate(block):
        for c in range(width):
            value = values[c] if c < len(values) else ""
            cell = grid[top + r][left + c]
            if cell is None:
                return PastePlan(
                    refusal="粘贴的范围包含表头或行名称，未作任何修改；请选中第一个要填写的数字单元格再粘贴"
                )
            if cell.computed:
                return PastePlan(
                    refusal=f"粘贴的范围包含自动计算的「{cell.row_label}·{cell.col_label}」，未作任何修改"
                )
            parsed = parse_value(value, cell.kind)
            if parsed.error is not None:
                return PastePlan(
                    refusal=f"「{cell.row_label}·{cell.col_label}」：{parsed.error}，整块粘贴未作任何修改"
                )
            changes.append((cell.id, parsed.text))
    return PastePlan(changes=tuple(changes))
