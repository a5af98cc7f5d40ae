"""Section 二 (主动公开政府信息情况): its blocks read row by row, each number under the field its header
names, and placed in the chosen template's cells."""

from __future__ import annotations

from dataclasses import dataclass

from core.template import Template, templates
from reading.labels import (
    CAPTION,
    DIGIT,
    SPACES,
    blank_text,
    is_number_or_blank,
    match,
    nfkc,
    norm,
    s2_caption_entries,
    s2_field_entries,
    s2_row_entries,
    shown,
    strong,
)
from reading.state import Cells, ReadState
from reading.tables import GridCell, PlacedTable


@dataclass
class S2Value:
    row_id: str
    field: str
    text: str
    where: str


def read_s2(state: ReadState, tables: list[PlacedTable]) -> list[S2Value]:
    """二 block by block: captions reset the header, the header row says which field each column
    holds, each data row is matched by its label."""
    out: list[S2Value] = []
    seen: set[str] = set()
    for placed in tables:
        header: list[tuple[str | None, int, int]] | None = None
        for row in placed.rows:
            cells = [c for c in row if c.text.strip()]
            if not cells:
                continue
            where = f"{placed.name}第 {row[0].row + 1} 行"
            first = cells[0]
            row_match = match(first.text, s2_row_entries())
            if row_match is None:
                texts = {norm(c.text).core for c in cells}
                caption = strong(first.text, s2_caption_entries())
                is_caption = bool(CAPTION.search(SPACES.sub("", nfkc(first.text)))) or (
                    caption is not None and not caption.entry.label.startswith("信息")
                )
                if len(texts) == 1 and is_caption:
                    header = None
                    if caption is not None:
                        state.signal(caption)
                    continue
                field_cells = [c for c in cells if not strong(c.text, s2_caption_entries())]
                matches = [match(c.text, s2_field_entries()) for c in field_cells]
                if any(m is not None for m in matches) and not any(
                    DIGIT.search(c.text) and is_number_or_blank(c.text) for c in field_cells
                ):
                    header = []
                    for c, m in zip(field_cells, matches, strict=True):
                        if m is None:
                            header.append((None, c.col, c.end))
                            state.note(f"二、主动公开：{where}的栏目「{shown(c.text)}」无法识别，其下的数字未读入")
                            continue
                        header.append((m.entry.key, c.col, c.end))
                        state.signal(m)
                        if not m.exact:
                            state.note(f"二、主动公开：{where}的栏目「{shown(c.text)}」按「{m.entry.label}」读入")
                    continue
                if len(cells) == 1 and not is_number_or_blank(first.text):
                    text = " ".join(first.text.split())
                    state.s2_note_rows.append(text)
                    state.note(f"二、主动公开：表格中的一行文字「{shown(text)}」作为表格下的说明读入")
                    continue
                state.note(f"二、主动公开：{where}「{shown(first.text)}」不是表中的项目，未读入")
                continue
            state.signal(row_match)
            row_id = row_match.entry.key
            label = row_match.entry.label
            if row_id in seen:
                state.note(f"二、主动公开：{where}「{shown(first.text)}」与前面的「{label}」行重复，未读入")
                continue
            seen.add(row_id)
            if not row_match.exact:
                state.note(f"二、主动公开：{where}「{shown(first.text)}」按「{label}」读入")
            values = [c for c in row if c.col >= first.end]
            out.extend(_s2_row_values(state, row_id, values, header, where, label))
    return out


def _s2_row_fields(row_id: str) -> list[list[str]]:
    """The row's fields in printed order, in each template that has the row."""
    return [
        [c.cell.col_id for c in r.cells] for t in templates() for b in t.s2.blocks for r in b.rows if r.id == row_id
    ]


def _s2_row_values(
    state: ReadState,
    row_id: str,
    cells: list[GridCell],
    header: list[tuple[str | None, int, int]] | None,
    where: str,
    label: str,
) -> list[S2Value]:
    options = _s2_row_fields(row_id)
    known = {f for fields in options for f in fields}
    header_fields = [h[0] for h in header or [] if h[0] is not None]
    by_field: dict[str, list[GridCell]] = {}
    if header and header_fields and set(header_fields) <= known:
        fields = list(dict.fromkeys(header_fields))
        for c in cells:
            overlaps = sorted(
                ((min(c.end, end) - max(c.col, start), f) for f, start, end in header if f is not None),
                key=lambda item: -item[0],
            )
            overlaps = [o for o in overlaps if o[0] > 0]
            if not overlaps:
                if not blank_text(c.text):
                    state.note(f"二、主动公开：{where}「{label}」的「{shown(c.text)}」不在任何栏目下，未读入")
                continue
            if len(overlaps) > 1 and overlaps[0][0] == overlaps[1][0]:
                if not blank_text(c.text):
                    state.note(f"二、主动公开：{where}「{label}」的「{shown(c.text)}」跨两个栏目，无法确定属于哪一栏，未读入")
                continue
            by_field.setdefault(overlaps[0][1], []).append(c)
    else:
        # No header above this row (or one of another block): the row's own fields in printed order,
        # a merged cell counting once.
        fields = next((f for f in options if len(f) == len(cells)), options[0])
        if len(cells) == len(fields):
            by_field = {f: [c] for f, c in zip(fields, cells, strict=True)}
        elif len(fields) == 1 and cells:
            by_field = {fields[0]: cells}
        else:
            if any(not blank_text(c.text) for c in cells):
                state.note(
                    f"二、主动公开：{where}「{label}」有 {len(cells)} 个数字单元格，应为 {len(fields)} 个，"
                    "无法确定各自属于哪一栏，未读入"
                )
            return []
    out: list[S2Value] = []
    for f in fields:
        found = by_field.get(f, [])
        filled = [c for c in found if not blank_text(c.text)]
        if len(filled) > 1:
            texts = "、".join(f"「{shown(c.text)}」" for c in filled)
            state.note(f"二、主动公开：{where}「{label}」的同一栏中有 {texts}，无法确定是哪个数字，未读入")
        elif filled:
            out.append(S2Value(row_id, f, filled[0].text, where))
        elif found:
            out.append(S2Value(row_id, f, found[0].text, where))
    return out


def place_s2(state: ReadState, template: Template, values: list[S2Value], cells: Cells) -> None:
    section = template.section("s2").short
    for v in values:
        cell_id = f"s2.{v.row_id}.{v.field}"
        other = next((t for t in templates() if t.has_cell(cell_id)), None)
        if template.has_cell(cell_id):
            cells.inputs[cell_id] = v.text
        elif other is not None:
            cells.foreign[cell_id] = v.text
            state.note(
                f"{section}：{v.where}{other.cell(cell_id).place}是{other.name}格式的栏目，"
                f"{template.name}格式中没有，另行保留"
            )
        else:
            state.note(f"{section}：{v.where}的数字「{shown(v.text)}」所在的栏目不属于这一行，未读入")

