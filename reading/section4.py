"""Section 四 (政府信息公开行政复议、行政诉讼情况): the one row of fifteen numbers under its three header
rows, each under the column its header names."""

from __future__ import annotations

from core.template import Template
from reading.labels import blank_text, s4_column_entries, s4_group_entries, s4_header_entries, shown, strong
from reading.state import Cells, ReadState
from reading.tables import GridCell, PlacedTable


def read_s4(state: ReadState, template: Template, tables: list[PlacedTable], cells: Cells) -> None:
    """The one row of 15 numbers below the three header rows."""
    section = template.section("s4").short
    ids = [f"s4.{g.id}.{c.id}" for g in template.s4.groups for c in template.s4.columns]
    data: list[tuple[PlacedTable, list[GridCell]]] = []
    mappings: dict[int, dict[int, str]] = {}
    for placed in tables:
        header_rows = []
        for row in placed.rows:
            if sum(1 for c in row if c.text.strip() and strong(c.text, s4_header_entries())) >= 2:
                header_rows.append(row)
            elif row:
                data.append((placed, row))
        mappings[placed.index] = _s4_header_mapping(placed, header_rows, template)
    with_numbers = [(p, r) for p, r in data if any(not blank_text(c.text) for c in r)]
    if not data:
        state.note(f"{section}：表格中没有数字行，按空白读入")
        return
    if len(with_numbers) > 1:
        state.note(f"{section}：表格中有 {len(with_numbers)} 行数字，只读入第一行")
    placed, row = with_numbers[0] if with_numbers else data[-1]
    by_col = mappings[placed.index] or {placed.width - len(ids) + k: cid for k, cid in enumerate(ids)}
    where = f"{placed.name}第 {row[0].row + 1} 行"
    missing: list[str] = []
    for col, cell_id in sorted(by_col.items()):
        cell = next((c for c in row if c.covers(col)), None)
        if cell is None:
            cdef = template.cell(cell_id)
            missing.append(f"{cdef.row_label}·{cdef.col_label}")
            continue
        if sum(1 for k in by_col if cell.covers(k)) > 1 and not blank_text(cell.text):
            state.note(f"{section}：{where}「{shown(cell.text)}」是跨几列的合并单元格，无法确定属于哪一列，未读入")
            continue
        cells.put(template, cell_id, cell.text)
    if missing:
        more = "等" if len(missing) > 3 else ""
        state.note(f"{section}：{where}缺少 {len(missing)} 个单元格（{'、'.join(missing[:3])}{more}），按未印出读入")


def _s4_header_mapping(placed: PlacedTable, header_rows: list[list[GridCell]], template: Template) -> dict[int, str]:
    """Grid column → cell id from the header's words (行政复议 / 未经复议直接起诉 / 复议后起诉 above
    结果维持 … 总计), when the grid is known and the header names all 15 columns; else {}."""
    if not placed.spans_known or not header_rows:
        return {}
    groups: list[tuple[GridCell, str]] = []
    leaves: list[tuple[GridCell, str]] = []
    for row in header_rows:
        for c in row:
            g = strong(c.text, s4_group_entries())
            if g is not None:
                groups.append((c, g.entry.key))
                continue
            m = strong(c.text, s4_column_entries())
            if m is not None:
                leaves.append((c, m.entry.key))
    out: dict[int, str] = {}
    for leaf, col_id in leaves:
        above = [(g, gid) for g, gid in groups if g.row < leaf.row and g.covers(leaf.col)]
        if not above:
            return {}
        out[leaf.col] = f"s4.{max(above, key=lambda item: item[0].row)[1]}.{col_id}"
    expected = {c.id for c in template.cells if c.section == "s4"}
    return out if set(out.values()) == expected and len(out) == len(expected) else {}
