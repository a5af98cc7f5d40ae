"""The two official report templates (2019 and 2021) loaded from resources/ into frozen dataclasses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

TEMPLATE_IDS: tuple[str, ...] = ("2021", "2019")
DEFAULT_TEMPLATE_ID = "2021"


class CellKind(Enum):
    """What a cell holds: a count (≥ 0 integer), a signed change, or an amount of money."""

    COUNT = "count"
    SIGNED = "signed"
    MONEY = "money"


@dataclass(frozen=True)
class CellDef:
    """One numeric cell of a report, with where it stands and how it is labelled as printed."""

    id: str
    section: str  # "s2", "s3" or "s4"
    row_id: str
    col_id: str
    kind: CellKind
    computed: bool
    row_label: str  # the row's label as printed (for messages: short form)
    col_label: str  # the column's label as printed
    unit: str | None = None  # fixed unit printed in the header (e.g. 万元)

    @property
    def place(self) -> str:
        """Row and column as a clerk would name them, for messages."""
        return f"「{self.row_label}」行「{self.col_label}」列"


@dataclass(frozen=True)
class HeaderCell:
    """A header cell of a table grid; row/col are grid positions, spans are merges."""

    row: int
    col: int
    rowspan: int
    colspan: int
    label: str


@dataclass(frozen=True)
class SectionDef:
    id: str
    heading: str  # exactly as printed, e.g. 一、总体情况
    short: str  # short form used in messages
    kind: str  # "text" or "table"
    subheadings: tuple[str, ...] = ()
    note_key: str | None = None


@dataclass(frozen=True)
class S2HeaderCell:
    label: str
    span: int
    field: str | None


@dataclass(frozen=True)
class S2Cell:
    cell: CellDef
    span: int


@dataclass(frozen=True)
class S2Row:
    id: str
    label: str
    cells: tuple[S2Cell, ...]


@dataclass(frozen=True)
class S2Block:
    caption: str
    header: tuple[S2HeaderCell, ...]
    rows: tuple[S2Row, ...]


@dataclass(frozen=True)
class S2Table:
    columns: int
    blocks: tuple[S2Block, ...]


@dataclass(frozen=True)
class S3Column:
    id: str
    label: str
    group: str | None
    computed: bool


@dataclass(frozen=True)
class LabelCell:
    """A label cell in the three label columns of the request matrix (merged where spans > 1)."""

    row: int  # index into S3Matrix.rows
    col: int  # 0..2
    rowspan: int
    colspan: int
    label: str


@dataclass(frozen=True)
class S3Row:
    id: str
    path: tuple[str, ...]  # group labels then the row's own label, as printed
    short: str
    role: str  # "input", "outcome", "results_total"

    @property
    def label(self) -> str:
        return self.path[-1]


@dataclass(frozen=True)
class S3Matrix:
    label_columns: int
    header: tuple[HeaderCell, ...]
    columns: tuple[S3Column, ...]
    rows: tuple[S3Row, ...]
    label_cells: tuple[LabelCell, ...]

    @property
    def applicant_columns(self) -> tuple[S3Column, ...]:
        return tuple(c for c in self.columns if not c.computed)

    @property
    def outcome_rows(self) -> tuple[S3Row, ...]:
        return tuple(r for r in self.rows if r.role == "outcome")

    def row(self, row_id: str) -> S3Row:
        for r in self.rows:
            if r.id == row_id:
                return r
        raise KeyError(row_id)

    def column(self, col_id: str) -> S3Column:
        for c in self.columns:
            if c.id == col_id:
                return c
        raise KeyError(col_id)


@dataclass(frozen=True)
class S4Group:
    id: str
    label: str
    parent: str | None

    @property
    def full_label(self) -> str:
        return f"{self.parent}·{self.label}" if self.parent else self.label


@dataclass(frozen=True)
class S4Table:
    groups: tuple[S4Group, ...]
    columns: tuple[S3Column, ...]
    header: tuple[HeaderCell, ...]


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    document: str
    year_from: int
    year_to: int | None
    title_pattern: str
    sections: tuple[SectionDef, ...]
    s2: S2Table
    s3: S3Matrix
    s4: S4Table
    cells: tuple[CellDef, ...]  # every numeric cell in reading order
    _by_id: dict[str, CellDef] = field(repr=False, compare=False, hash=False)

    def cell(self, cell_id: str) -> CellDef:
        return self._by_id[cell_id]

    def has_cell(self, cell_id: str) -> bool:
        return cell_id in self._by_id

    @property
    def input_cells(self) -> tuple[CellDef, ...]:
        return tuple(c for c in self.cells if not c.computed)

    @property
    def computed_cells(self) -> tuple[CellDef, ...]:
        return tuple(c for c in self.cells if c.computed)

    def section(self, section_id: str) -> SectionDef:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def suits_year(self, year: int) -> bool:
        return year >= self.year_from and (self.year_to is None or year <= self.year_to)

    def title_for(self, agency: str, year: int) -> str:
        return self.title_pattern.format(agency=agency, year=year)


def template_for_year(year: int) -> Template:
    """The template a report for `year` should use: 2021 from 2021 on, 2019 before."""
    return load_template("2021" if year >= 2021 else "2019")


def _header(items: list[dict[str, Any]]) -> tuple[HeaderCell, ...]:
    return tuple(
        HeaderCell(int(h["row"]), int(h["col"]), int(h["rowspan"]), int(h["colspan"]), str(h["label"]))
        for h in items
    )


def _label_cells(rows: tuple[S3Row, ...], width: int) -> tuple[LabelCell, ...]:
    """Merge the rows' label paths into grid cells: equal consecutive prefixes share one cell,
    and a row's own label spans the label columns its path leaves free."""
    cells: list[LabelCell] = []
    for level in range(width):
        i = 0
        while i < len(rows):
            path = rows[i].path
            if level >= len(path):
                i += 1
                continue
            last = level == len(path) - 1
            span_down = 1
            if not last:
                while (
                    i + span_down < len(rows)
                    and len(rows[i + span_down].path) > level + 1
                    and rows[i + span_down].path[: level + 1] == path[: level + 1]
                ):
                    span_down += 1
            colspan = width - level if last else 1
            cells.append(LabelCell(i, level, span_down, colspan, path[level]))
            i += span_down
    return tuple(sorted(cells, key=lambda c: (c.row, c.col)))


def _build(data: dict[str, Any]) -> Template:
    sections = tuple(
        SectionDef(
            id=s["id"],
            heading=s["heading"],
            short=s["short"],
            kind=s["kind"],
            subheadings=tuple(s.get("subheadings", ())),
            note_key=s.get("note_key"),
        )
        for s in data["sections"]
    )
    cells: list[CellDef] = []

    blocks: list[S2Block] = []
    for b in data["s2"]["blocks"]:
        header = tuple(S2HeaderCell(h["label"], int(h["span"]), h.get("field")) for h in b["header"])
        labels = {h.field: h.label for h in header if h.field}
        rows: list[S2Row] = []
        for r in b["rows"]:
            row_cells: list[S2Cell] = []
            for c in r["cells"]:
                cell = CellDef(
                    id=f"s2.{r['id']}.{c['field']}",
                    section="s2",
                    row_id=r["id"],
                    col_id=c["field"],
                    kind=CellKind(c["kind"]),
                    computed=False,
                    row_label=r["label"],
                    col_label=labels[c["field"]],
                    unit=c.get("unit"),
                )
                cells.append(cell)
                row_cells.append(S2Cell(cell, int(c["span"])))
            rows.append(S2Row(r["id"], r["label"], tuple(row_cells)))
        blocks.append(S2Block(b["caption"], header, tuple(rows)))
    s2 = S2Table(int(data["s2"]["columns"]), tuple(blocks))

    d3 = data["s3"]
    s3_columns = tuple(
        S3Column(c["id"], c["label"], c.get("group"), bool(c.get("computed", False)))
        for c in d3["columns"]
    )
    s3_rows = tuple(S3Row(r["id"], tuple(r["path"]), r["short"], r["role"]) for r in d3["rows"])
    for row in s3_rows:
        for col in s3_columns:
            cells.append(
                CellDef(
                    id=f"s3.{row.id}.{col.id}",
                    section="s3",
                    row_id=row.id,
                    col_id=col.id,
                    kind=CellKind.COUNT,
                    computed=col.computed or row.role == "results_total",
                    row_label=row.label,
                    col_label=col.label,
                )
            )
    width = int(d3["label_columns"])
    s3 = S3Matrix(width, _header(d3["header"]), s3_columns, s3_rows, _label_cells(s3_rows, width))

    d4 = data["s4"]
    groups = tuple(S4Group(g["id"], g["label"], g.get("parent")) for g in d4["groups"])
    s4_columns = tuple(
        S3Column(c["id"], c["label"], None, bool(c.get("computed", False))) for c in d4["columns"]
    )
    for g in groups:
        for col in s4_columns:
            cells.append(
                CellDef(
                    id=f"s4.{g.id}.{col.id}",
                    section="s4",
                    row_id=g.id,
                    col_id=col.id,
                    kind=CellKind.COUNT,
                    computed=col.computed,
                    row_label=g.full_label,
                    col_label=col.label,
                )
            )
    s4 = S4Table(groups, s4_columns, _header(d4["header"]))

    years = data["years"]
    return Template(
        id=str(data["id"]),
        name=data["name"],
        document=data["document"],
        year_from=int(years["from"]),
        year_to=None if years["to"] is None else int(years["to"]),
        title_pattern=data["title_pattern"],
        sections=sections,
        s2=s2,
        s3=s3,
        s4=s4,
        cells=tuple(cells),
        _by_id={c.id: c for c in cells},
    )


@cache
def load_template(template_id: str) -> Template:
    """The template with this id ("2021" or "2019"); KeyError for any other id."""
    if template_id not in TEMPLATE_IDS:
        raise KeyError(template_id)
    text = resources.files("resources.templates").joinpath(f"{template_id}.json").read_text("utf-8")
    return _build(json.loads(text))


def all_cell_ids() -> dict[str, tuple[str, ...]]:
    """For each template id, its cell ids (used to tell which template a stray cell belongs to)."""
    return {tid: tuple(c.id for c in load_template(tid).cells) for tid in TEMPLATE_IDS}
