"""The document's tables on their grids (each cell at its row and column, a merged cell once) and
which section's table each one is, told by the labels it holds."""

from __future__ import annotations

from dataclasses import dataclass

from core.template import templates
from reading.document import ExtractedTable
from reading.labels import (
    is_number_or_blank,
    match,
    s2_caption_entries,
    s2_field_entries,
    s2_row_entries,
    s3_entries,
    s4_header_entries,
    split_numbered,
    strong,
)

# Tables are classified from their first rows and short cells (long texts are notes, not labels).
CLASSIFY_ROWS = 80
LABEL_MAX_CHARS = 80


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str

    @property
    def end(self) -> int:
        return self.col + self.colspan

    def covers(self, col: int) -> bool:
        return self.col <= col < self.end


@dataclass
class PlacedTable:
    """A table with each cell at its grid position (a merged cell once, where it starts)."""

    index: int  # which table of the document (0-based)
    rows: list[list[GridCell]]
    width: int
    spans_known: bool

    @property
    def name(self) -> str:
        return f"第 {self.index + 1} 个表格"


def place_table(table: ExtractedTable, index: int) -> PlacedTable:
    """Grid positions. With spans, the HTML table model: a cell takes the first column not covered by
    a cell from above. Without them rows are aligned on the right: merged labels are missing on the
    left of a row, its values are always there on the right."""
    known = len(table.spans) == len(table.rows) and all(
        len(s) == len(r) for s, r in zip(table.spans, table.rows, strict=True)
    )
    rows: list[list[GridCell]] = []
    if known:
        occupied: dict[int, set[int]] = {}
        for r, texts in enumerate(table.rows):
            col = 0
            taken = occupied.setdefault(r, set())
            row: list[GridCell] = []
            for text, (rowspan, colspan) in zip(texts, table.spans[r], strict=True):
                rowspan, colspan = max(1, rowspan), max(1, colspan)
                while col in taken:
                    col += 1
                row.append(GridCell(r, col, rowspan, colspan, text or ""))
                for rr in range(r, r + rowspan):
                    occupied.setdefault(rr, set()).update(range(col, col + colspan))
                col += colspan
            rows.append(row)
        width = max((c.end for row in rows for c in row), default=0)
    else:
        width = max((len(r) for r in table.rows), default=0)
        for r, texts in enumerate(table.rows):
            start = width - len(texts)
            rows.append([GridCell(r, start + i, 1, 1, text or "") for i, text in enumerate(texts)])
    return PlacedTable(index, rows, width, known)


def table_kind(placed: PlacedTable) -> str | None:
    """s2, s3 or s4 by the labels the table holds; None when it holds none of them."""
    votes = {"s2": 0, "s3": 0, "s4": 0}
    row_entries = [s3_entries(t) for t in templates()]
    s2_entries = s2_row_entries() + s2_field_entries() + s2_caption_entries()
    for row in placed.rows[:CLASSIFY_ROWS]:
        for cell in row:
            text = cell.text.strip()
            if not text or len(text) > LABEL_MAX_CHARS or is_number_or_blank(text):
                continue
            for part in split_numbered(text):
                m = next((m for m in (match(part, e) for e in row_entries) if m is not None), None)
                if m is not None and m.entry.key.startswith("row:"):
                    votes["s3"] += 1
            if strong(text, s4_header_entries()):
                votes["s4"] += 1
            if strong(text, s2_entries):
                votes["s2"] += 1
    kind, count = max(votes.items(), key=lambda item: item[1])
    return kind if count >= 2 else None
