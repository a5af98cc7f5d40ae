"""Report templates as data: the official formats in resources/templates and any an office adds to its
data folder, each loaded into frozen dataclasses with the sums, years, rules and row mappings it declares."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from core.errors import UserError

# The checks a template may choose among (they are code: core.checks implements exactly these, in this
# order, as its tests assert). Kept here so loading a template does not load the checks themselves.
RULE_IDS: tuple[str, ...] = (
    "S3-BALANCE",
    "S3-ROW-TOTAL",
    "S3-RESULTS-TOTAL",
    "S4-TOTAL",
    "VALUE-INVALID",
    "BLANK-CELL",
    "CARRY-OVER",
    "S2-IN-FORCE",
    "TEMPLATE-YEAR",
    "TEXT-TABLE",
    "SECTION-EMPTY",
    "FEE-NOT-REPORTED",
    "TEXT-COPIED",
)

# Templates an office adds (a province's variant, a new national format) go in this folder of the
# data folder, one JSON file each, in the same form as resources/templates/*.json.
USER_TEMPLATES_FOLDER = "templates"


class TemplateError(UserError):
    """A template file that cannot be used; str() says which and why, in Chinese."""


class CellKind(Enum):
    """What a cell holds: a count (≥ 0 integer), a signed change, or an amount of money."""

    COUNT = "count"
    SIGNED = "signed"
    MONEY = "money"


class CellDef(NamedTuple):
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
    # A region's figure is its units' figures added up (every cell of 三 and 四; in 二 the columns the
    # template marks "summable": documents, decisions, money — not a unit's list of items).
    summable: bool = False

    @property
    def place(self) -> str:
        """Row and column as a clerk would name them, for messages."""
        return f"「{self.row_label}」行「{self.col_label}」列"


class SumDef(NamedTuple):
    """A computed cell and the cells it adds up, declared by the template. `rule` is the check that
    compares a printed figure with the sum; `along` names the row, column or group the sum runs along
    and `part_labels` its parts, as messages say them."""

    cell: str
    parts: tuple[str, ...]
    rule: str
    along: str
    part_labels: tuple[str, ...]


class HeaderCell(NamedTuple):
    """A header cell of a table grid; row/col are grid positions, spans are merges."""

    row: int
    col: int
    rowspan: int
    colspan: int
    label: str


class SectionDef(NamedTuple):
    id: str
    heading: str  # exactly as printed, e.g. 一、总体情况
    short: str  # short form used in messages
    kind: str  # "text" or "table"
    subheadings: tuple[str, ...] = ()
    note_key: str | None = None


class S2HeaderCell(NamedTuple):
    label: str
    span: int
    field: str | None
    summable: bool = False


class S2Cell(NamedTuple):
    cell: CellDef
    span: int


class S2Row(NamedTuple):
    id: str
    label: str
    cells: tuple[S2Cell, ...]
    note: str = ""  # what the row counts, for the in-app guide (填报说明)


class S2Block(NamedTuple):
    caption: str
    header: tuple[S2HeaderCell, ...]
    rows: tuple[S2Row, ...]
    note: str = ""  # what the caption (an item of the regulations' article 20) covers


class S2InForce(NamedTuple):
    """How 二's documents in force follow from last year's (S2-IN-FORCE): for each row,
    last year's `field` + this year's `plus` − `minus` = this year's `field`."""

    rows: tuple[str, ...]
    field: str
    plus: str
    minus: str


class S2Table(NamedTuple):
    columns: int
    blocks: tuple[S2Block, ...]
    in_force: S2InForce | None = None


class S3Column(NamedTuple):
    """A data column of 三 or 四; a computed one adds up the columns in `sum_of`."""

    id: str
    label: str
    group: str | None
    sum_of: tuple[str, ...] = ()
    rule: str | None = None
    note: str = ""  # who or what the column counts, for the in-app guide

    @property
    def computed(self) -> bool:
        return bool(self.sum_of)


class LabelCell(NamedTuple):
    """A label cell in the three label columns of the request matrix (merged where spans > 1)."""

    row: int  # index into S3Matrix.rows
    col: int  # 0..2
    rowspan: int
    colspan: int
    label: str


class S3Row(NamedTuple):
    id: str
    path: tuple[str, ...]  # group labels then the row's own label, as printed
    short: str
    role: str  # "input", "outcome" (a part of the results total) or "results_total"
    sum_of: tuple[str, ...] = ()  # a computed row: the rows it adds up, column by column
    rule: str | None = None
    note: str = ""  # what the row counts (and under which article), for the in-app guide

    @property
    def label(self) -> str:
        return self.path[-1]


class S3Balance(NamedTuple):
    """The rule printed in the matrix's corner (S3-BALANCE): per column, the rows in `left` add up to
    the rows in `right`; a computed row counts as the sum of its parts."""

    left: tuple[str, ...]
    right: tuple[str, ...]


class S3CarryOver(NamedTuple):
    """This year's `row` continues last year's `from_previous`, column by column (CARRY-OVER; next
    year's report starts from it)."""

    row: str
    from_previous: str


class RowMap(NamedTuple):
    """One row of another template (`template`, `row`) holds what this template counts in `rows`;
    a file of this template printing that one row has its numbers read into `into`."""

    template: str
    row: str
    rows: tuple[str, ...]
    into: str


class S3Matrix(NamedTuple):
    label_columns: int
    header: tuple[HeaderCell, ...]
    columns: tuple[S3Column, ...]
    rows: tuple[S3Row, ...]
    label_cells: tuple[LabelCell, ...]
    balance: S3Balance | None = None
    carry_over: S3CarryOver | None = None
    row_maps: tuple[RowMap, ...] = ()

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

    def has_row(self, row_id: str) -> bool:
        return any(r.id == row_id for r in self.rows)

    def column(self, col_id: str) -> S3Column:
        for c in self.columns:
            if c.id == col_id:
                return c
        raise KeyError(col_id)


class S4Group(NamedTuple):
    id: str
    label: str
    parent: str | None
    note: str = ""  # which cases the group counts, for the in-app guide

    @property
    def full_label(self) -> str:
        return f"{self.parent}·{self.label}" if self.parent else self.label


class S4Table(NamedTuple):
    groups: tuple[S4Group, ...]
    columns: tuple[S3Column, ...]
    header: tuple[HeaderCell, ...]


@dataclass(frozen=True, eq=False)  # one object per template: equal and hashed by identity (cache keys)
class Template:
    id: str
    name: str
    document: str
    year_from: int
    year_to: int | None
    title_pattern: str
    rules: tuple[str, ...]  # the checks that apply to reports in this format
    sections: tuple[SectionDef, ...]
    s2: S2Table
    s3: S3Matrix
    s4: S4Table
    cells: tuple[CellDef, ...]  # every numeric cell in reading order
    sums: tuple[SumDef, ...]  # every declared sum; a cell may have two (the corner of 三)
    builtin: bool = True
    source: str = ""  # the file it was read from, for messages
    fingerprint: str = ""  # changes whenever the template's data does (for results kept elsewhere)
    _by_id: dict[str, CellDef] = field(default_factory=dict, repr=False, compare=False, hash=False)
    # The first declared sum of each computed cell, parts before wholes: the order totals are derived in.
    _derivation: tuple[SumDef, ...] = field(default=(), repr=False, compare=False, hash=False)

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

    @property
    def derivation(self) -> tuple[SumDef, ...]:
        return self._derivation

    def applies(self, rule_id: str) -> bool:
        return rule_id in self.rules

    def sums_for(self, rule_id: str) -> tuple[SumDef, ...]:
        return tuple(s for s in self.sums if s.rule == rule_id)

    def section(self, section_id: str) -> SectionDef:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    @property
    def text_sections(self) -> tuple[SectionDef, ...]:
        return tuple(s for s in self.sections if s.kind == "text")

    def suits_year(self, year: int) -> bool:
        return year >= self.year_from and (self.year_to is None or year <= self.year_to)

    def title_for(self, agency: str, year: int) -> str:
        return self.title_pattern.format(agency=agency, year=year)

    @property
    def years_text(self) -> str:
        """The years it is for, as a clerk reads them: 2021 年及以后, 2019—2020 年."""
        if self.year_to is None:
            return f"{self.year_from} 年及以后"
        if self.year_to == self.year_from:
            return f"{self.year_from} 年"
        return f"{self.year_from}—{self.year_to} 年"


# --- building a template from its data ------------------------------------------------------------


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


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def _columns(items: list[dict[str, Any]], with_groups: bool) -> tuple[S3Column, ...]:
    return tuple(
        S3Column(
            str(c["id"]), str(c["label"]), c.get("group") if with_groups else None,
            _strings(c.get("sum_of")), c.get("rule"), str(c.get("note", "")),
        )
        for c in items
    )


def _s2(data: dict[str, Any], cells: list[CellDef]) -> S2Table:
    blocks: list[S2Block] = []
    for b in data["blocks"]:
        header = tuple(
            S2HeaderCell(h["label"], int(h["span"]), h.get("field"), _flag(h.get("summable", False), "summable"))
            for h in b["header"]
        )
        labels = {h.field: h.label for h in header if h.field}
        summable = {h.field for h in header if h.field and h.summable}
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
                    summable=c["field"] in summable,
                )
                cells.append(cell)
                row_cells.append(S2Cell(cell, int(c["span"])))
            rows.append(S2Row(r["id"], r["label"], tuple(row_cells), str(r.get("note", ""))))
        blocks.append(S2Block(b["caption"], header, tuple(rows), str(b.get("note", ""))))
    in_force = data.get("in_force")
    return S2Table(
        int(data["columns"]),
        tuple(blocks),
        S2InForce(_strings(in_force["rows"]), in_force["field"], in_force["plus"], in_force["minus"])
        if in_force
        else None,
    )


def _s3(data: dict[str, Any], cells: list[CellDef], sums: list[SumDef]) -> S3Matrix:
    columns = _columns(data["columns"], with_groups=True)
    parts_of_rows = {p for r in data["rows"] for p in r.get("sum_of", ())}
    rows = tuple(
        S3Row(
            str(r["id"]), tuple(r["path"]), str(r["short"]),
            "results_total" if r.get("sum_of") else "outcome" if r["id"] in parts_of_rows else "input",
            _strings(r.get("sum_of")), r.get("rule"), str(r.get("note", "")),
        )
        for r in data["rows"]
    )
    by_row = {r.id: r for r in rows}
    by_col = {c.id: c for c in columns}
    for row in rows:
        for col in columns:
            cells.append(
                CellDef(
                    id=f"s3.{row.id}.{col.id}", section="s3", row_id=row.id, col_id=col.id, kind=CellKind.COUNT,
                    computed=col.computed or bool(row.sum_of), row_label=row.label, col_label=col.label,
                    summable=True,
                )
            )
    # Each computed row adds up its rows down every column, and each computed column its columns along
    # every row: the corner cell has both sums, each checked by its own rule (a corner printed blank is
    # reported by the first, the row's).
    for row in rows:
        if row.sum_of:
            for col in columns:
                sums.append(
                    SumDef(
                        f"s3.{row.id}.{col.id}", tuple(f"s3.{r}.{col.id}" for r in row.sum_of), _rule(row.rule),
                        col.label, tuple(by_row[r].short if r in by_row else r for r in row.sum_of),
                    )
                )
    for col in columns:
        if col.computed:
            for row in rows:
                sums.append(
                    SumDef(
                        f"s3.{row.id}.{col.id}", tuple(f"s3.{row.id}.{c}" for c in col.sum_of), _rule(col.rule),
                        row.label, tuple(by_col[c].label if c in by_col else c for c in col.sum_of),
                    )
                )
    balance = data.get("balance")
    carry = data.get("carry_over")
    width = int(data["label_columns"])
    return S3Matrix(
        width,
        _header(data["header"]),
        columns,
        rows,
        _label_cells(rows, width),
        S3Balance(_strings(balance["left"]), _strings(balance["right"])) if balance else None,
        S3CarryOver(carry["row"], carry["from_previous"]) if carry else None,
        tuple(
            RowMap(str(m["template"]), str(m["row"]), _strings(m["rows"]), str(m["into"]))
            for m in data.get("row_map", ())
        ),
    )


def _s4(data: dict[str, Any], cells: list[CellDef], sums: list[SumDef]) -> S4Table:
    groups = tuple(S4Group(g["id"], g["label"], g.get("parent"), str(g.get("note", ""))) for g in data["groups"])
    columns = _columns(data["columns"], with_groups=False)
    by_col = {c.id: c for c in columns}
    for g in groups:
        for col in columns:
            cells.append(
                CellDef(
                    id=f"s4.{g.id}.{col.id}", section="s4", row_id=g.id, col_id=col.id, kind=CellKind.COUNT,
                    computed=col.computed, row_label=g.full_label, col_label=col.label, summable=True,
                )
            )
            if col.computed:
                sums.append(
                    SumDef(
                        f"s4.{g.id}.{col.id}", tuple(f"s4.{g.id}.{c}" for c in col.sum_of), _rule(col.rule),
                        g.full_label, tuple(by_col[c].label if c in by_col else c for c in col.sum_of),
                    )
                )
    return S4Table(groups, columns, _header(data["header"]))


def _flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"「{key}」只能是 true 或 false，不能是 {json.dumps(value, ensure_ascii=False)}")
    return value


def _rule(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise TemplateError("一个合计没有写明由哪条检查规则核对（rule）")
    return value


def _derivation_order(sums: list[SumDef]) -> tuple[SumDef, ...]:
    """The first sum of each computed cell, every part before the sums that use it."""
    first: dict[str, SumDef] = {}
    for s in sums:
        first.setdefault(s.cell, s)
    order: list[SumDef] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(cell_id: str) -> None:
        if state.get(cell_id) == 2 or cell_id not in first:
            return
        if state.get(cell_id) == 1:
            raise TemplateError(f"合计「{cell_id}」直接或间接地加上了它自己")
        state[cell_id] = 1
        for part in first[cell_id].parts:
            visit(part)
        state[cell_id] = 2
        order.append(first[cell_id])

    for cell_id in first:
        visit(cell_id)
    return tuple(order)


def _build(data: dict[str, Any], *, builtin: bool = True, source: str = "") -> Template:
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
    sums: list[SumDef] = []
    s2 = _s2(data["s2"], cells)
    s3 = _s3(data["s3"], cells, sums)
    s4 = _s4(data["s4"], cells, sums)
    years = data["years"]
    template = Template(
        id=str(data["id"]),
        name=str(data["name"]),
        document=str(data["document"]),
        year_from=int(years["from"]),
        year_to=None if years["to"] is None else int(years["to"]),
        title_pattern=str(data["title_pattern"]),
        rules=_strings(data["rules"]),
        sections=sections,
        s2=s2,
        s3=s3,
        s4=s4,
        cells=tuple(cells),
        sums=tuple(sums),
        builtin=builtin,
        source=source,
        fingerprint=hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16],
        _by_id={c.id: c for c in cells},
        _derivation=_derivation_order(sums),
    )
    _check(template)
    return template


def _check(t: Template) -> None:
    """The definition agrees with itself: unique ids, sums over cells that exist, known rules, and each
    rule given what it needs. Raises TemplateError naming the first problem."""
    problems: list[str] = []
    twice = sorted(cell_id for cell_id, n in Counter(c.id for c in t.cells).items() if n > 1)
    if twice:
        problems.append(f"单元格编号重复：{'、'.join(twice[:3])}")
    unknown = [r for r in t.rules if r not in RULE_IDS]
    if unknown:
        problems.append(f"未知的检查规则：{'、'.join(unknown)}")
    for s in t.sums:
        missing = [p for p in (s.cell, *s.parts) if not t.has_cell(p)]
        if missing:
            problems.append(f"合计「{s.cell}」用到了不存在的单元格「{missing[0]}」")
        if s.rule not in RULE_IDS:
            problems.append(f"合计「{s.cell}」的检查规则「{s.rule}」未知")
    row_ids = [r.id for r in t.s3.rows]
    if len(set(row_ids)) != len(row_ids):
        problems.append("三的行编号重复")
    for need, present, what in (
        ("S3-BALANCE", t.s3.balance is not None, "balance"),
        ("CARRY-OVER", t.s3.carry_over is not None, "carry_over"),
        ("S2-IN-FORCE", t.s2.in_force is not None, "in_force"),
    ):
        if t.applies(need) and not present:
            problems.append(f"规则 {need} 需要在格式中写明 {what}")
    if t.s3.balance is not None:
        problems.extend(
            f"balance 中的行「{r}」不存在" for r in (*t.s3.balance.left, *t.s3.balance.right) if r not in row_ids
        )
    if t.s3.carry_over is not None:
        problems.extend(
            f"carry_over 中的行「{r}」不存在"
            for r in (t.s3.carry_over.row, t.s3.carry_over.from_previous)
            if r not in row_ids
        )
    for m in t.s3.row_maps:
        problems.extend(f"row_map 中的行「{r}」不存在" for r in m.rows if r not in row_ids)
        if m.into not in m.rows:
            problems.append(f"row_map 的 into「{m.into}」不在 rows 中")
    problems.extend(
        f"二的表头「{h.label}」标为可相加（summable），但没有对应的栏目（field）"
        for b in t.s2.blocks
        for h in b.header
        if h.summable and not h.field
    )
    if t.s2.in_force is not None:
        f = t.s2.in_force
        problems.extend(
            f"in_force 用到了不存在的单元格「s2.{r}.{c}」"
            for r in f.rows
            for c in (f.field, f.plus, f.minus)
            if not t.has_cell(f"s2.{r}.{c}")
        )
    if t.year_to is not None and t.year_to < t.year_from:
        problems.append(f"适用年度 {t.year_from}—{t.year_to} 不成立")
    try:
        t.title_for("某机关", 2000)
    except (KeyError, IndexError, ValueError):
        problems.append("title_pattern 只能含 {agency} 和 {year}")
    if problems:
        raise TemplateError(f"格式「{t.id}」（{t.source or '内置'}）有误：{problems[0]}")


# --- the templates there are ----------------------------------------------------------------------


class _Registry(NamedTuple):
    templates: tuple[Template, ...]  # newest format first; built-in before added ones of the same years
    by_id: dict[str, Template]
    problems: tuple[str, ...]  # added template files that could not be used, one Chinese line each


def _read_json(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("最外层应为 JSON 对象")
    return data


def user_templates_dir() -> Path:
    from core.paths import data_dir

    return data_dir() / USER_TEMPLATES_FOLDER


def _user_templates(taken: set[str]) -> tuple[list[Template], list[str]]:
    found: list[Template] = []
    problems: list[str] = []
    folder = user_templates_dir()
    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".json")
    except OSError:
        return found, problems  # no folder: nothing added
    for path in paths:
        try:
            template = _build(_read_json(path.read_text("utf-8")), builtin=False, source=path.name)
        except TemplateError as exc:
            problems.append(str(exc))
            continue
        except (OSError, ValueError, KeyError, TypeError) as exc:
            reason = f"缺少「{exc.args[0]}」" if isinstance(exc, KeyError) else str(exc)
            problems.append(f"格式文件「{path.name}」无法使用：{reason}")
            continue
        if template.id in taken:
            problems.append(f"格式文件「{path.name}」的编号「{template.id}」已被使用，未载入")
            continue
        taken.add(template.id)
        found.append(template)
    return found, problems


@cache
def _registry() -> _Registry:
    builtin: list[Template] = []
    for entry in sorted(resources.files("resources.templates").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            builtin.append(_build(_read_json(entry.read_text("utf-8")), source=entry.name))
    added, problems = _user_templates({t.id for t in builtin})
    ordered = sorted([*builtin, *added], key=lambda t: (-t.year_from, not t.builtin))
    return _Registry(tuple(ordered), {t.id: t for t in ordered}, tuple(problems))


def reload_templates() -> None:
    """Read the template files again (after a template was added to the data folder)."""
    _registry.cache_clear()


def templates() -> tuple[Template, ...]:
    """Every template, newest format first."""
    return _registry().templates


def template_ids() -> tuple[str, ...]:
    return tuple(t.id for t in templates())


def template_problems() -> tuple[str, ...]:
    """Template files in the data folder that could not be used, each a Chinese sentence."""
    return _registry().problems


def load_template(template_id: str) -> Template:
    """The template with this id; KeyError for any other id."""
    return _registry().by_id[template_id]


def template_for_year(year: int) -> Template:
    """The template a new report for `year` uses: the newest built-in format for that year; before the
    first format the oldest, after the last the newest."""
    all_templates = templates()
    for t in all_templates:
        if t.suits_year(year):
            return t
    oldest = min(all_templates, key=lambda t: (t.year_from, not t.builtin))
    return oldest if year < oldest.year_from else all_templates[0]


def default_template() -> Template:
    """The format of the newest years: what labels and headings shared by all formats are read from."""
    return templates()[0]


def all_cell_ids() -> dict[str, tuple[str, ...]]:
    """For each template id, its cell ids."""
    return {t.id: tuple(c.id for c in t.cells) for t in templates()}


def foreign_cell_ids(template: Template) -> frozenset[str]:
    """Cells other templates have and this one has not: in a file of this template, the mark of a mix."""
    return _foreign_cell_ids(templates(), template)


@cache
def _foreign_cell_ids(all_templates: tuple[Template, ...], template: Template) -> frozenset[str]:
    return frozenset(c.id for t in all_templates if t is not template for c in t.cells if not template.has_cell(c.id))


def owner_of_cells(cell_ids: Iterable[str], besides: str) -> Template | None:
    """The template other than `besides` that holds most of these cells, or None."""
    ids = set(cell_ids)
    best, count = None, 0
    for t in templates():
        if t.id == besides:
            continue
        n = sum(1 for c in ids if t.has_cell(c))
        if n > count:
            best, count = t, n
    return best


class RowCorrespondence(NamedTuple):
    """Between two templates: one row of `single` counts what `split` counts in `rows`; numbers printed
    as that one row in a file of `split` go to `into`."""

    single: Template
    row: str
    split: Template
    rows: tuple[str, ...]
    into: str


def row_correspondences(a: Template, b: Template) -> tuple[RowCorrespondence, ...]:
    """The declared row mappings between two templates, whichever of them declares them. Rows with the
    same id mean the same in every template and need no mapping."""
    out: list[RowCorrespondence] = []
    for split, single in ((a, b), (b, a)):
        for m in split.s3.row_maps:
            if m.template == single.id and single.s3.has_row(m.row):
                out.append(RowCorrespondence(single, m.row, split, m.rows, m.into))
    return tuple(out)
