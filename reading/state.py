"""One document being read: its paragraphs and where each stands, its tables placed and classified,
the votes for each template, and the import log; the cell texts read so far."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from core.template import Template, default_template, template_ids
from reading.document import ExtractedDocument
from reading.labels import Match
from reading.structure import unglue_headings
from reading.tables import PlacedTable, place_table, table_kind


class ReadState:
    """The document, its tables placed on their grids and classified, and the import log."""

    def __init__(self, doc: ExtractedDocument) -> None:
        self.log: list[str] = []
        # A heading a PDF's line join glued to the paragraph before it stands apart again.
        headings = [s.heading for s in default_template().sections]
        self.paragraphs, self._origin = unglue_headings([p.strip() for p in doc.paragraphs], headings)
        self.doc = doc
        self.placed = [place_table(t, i) for i, t in enumerate(doc.tables)]
        n = len(self.paragraphs)
        positions = [bisect_left(self._origin, p) for p in doc.table_positions]
        # Without positions the tables are taken to follow the text, and do not place the headings.
        self.positions_known = len(positions) == len(doc.tables)
        if not self.positions_known:
            positions = [n] * len(doc.tables)
        self.positions = [min(max(p, 0), n) for p in positions]
        self.kinds: list[str | None] = [table_kind(p) for p in self.placed]
        self.signals: dict[str, set[str]] = {tid: set() for tid in template_ids()}
        self.s2_note_rows: list[str] = []

    def note(self, line: str) -> None:
        if line not in self.log:
            self.log.append(line)

    def place(self, index: int) -> str:
        """Where paragraph `index` stands in the file ("第 3 页第 12 行", "第 45 段"), or "" when the
        reader cannot say: for the import log."""
        return self.doc.place(self._origin[index]) if 0 <= index < len(self._origin) else ""

    def signal(self, m: Match) -> None:
        for tid in m.signal:
            self.signals[tid].add(m.entry.label)

    def tables_of(self, kind: str) -> list[PlacedTable]:
        return [p for p, k in zip(self.placed, self.kinds, strict=True) if k == kind]


def classify_by_position(state: ReadState, headings: dict[str, int]) -> None:
    """A table that says nothing recognisable (a part broken off at a page end: just rows of numbers)
    takes the kind of the section it stands in."""
    for i, kind in enumerate(state.kinds):
        if kind is not None:
            continue
        section = None
        for sid in ("s2", "s3", "s4", "s5"):
            if sid in headings and headings[sid] < state.positions[i]:
                section = sid
        placed = state.placed[i]
        if section in ("s2", "s3", "s4") and any(c.text.strip() for row in placed.rows for c in row):
            state.kinds[i] = section
            state.note(f"{placed.name}没有可识别的栏目，按所在位置作为「{heading_of(section)}」的表格续表读入")


def heading_of(section_id: str) -> str:
    return default_template().section(section_id).heading


@dataclass
class Cells:
    """Texts read for the report: input cells, printed totals, and cells of the other template."""

    inputs: dict[str, str] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    foreign: dict[str, str] = field(default_factory=dict)

    def put(self, template: Template, cell_id: str, text: str) -> None:
        if template.cell(cell_id).computed:
            self.printed[cell_id] = text
        else:
            self.inputs[cell_id] = text

    def has_row(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in (*self.inputs, *self.printed))
