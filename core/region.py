"""Region totals (汇总): a district's units' reports added up cell by cell into one report of the same
template, with which units count and why the others do not, and every figure's parts by unit.

Only input cells are added up (a blank counts as 0); the totals (总计 column, （七）总计 row, 四's totals)
are derived from the sums as in any report, never added from what the units printed. 二 adds up only
the columns its template marks summable (documents, decisions, money)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from core.checks import Finding, validate
from core.nextyear import new_report
from core.numbers import BLANK, MONEY_DECIMALS, Number, Parsed, parse_value
from core.report import Contact, Report, derive_totals
from core.template import CellDef, CellKind, Template, load_template, row_correspondences, template_for_year, templates

# Findings of the totals that are about their figures; the texts of a sum are empty by design.
_FIGURE_RULES_WITHOUT_CELLS = ("TEMPLATE-YEAR",)
_TEN_THOUSAND = Decimal(10000)
MONEY_UNIT = "万元"
_MONEY_STEP = Decimal(1).scaleb(-MONEY_DECIMALS)


@dataclass(frozen=True)
class UnitReport:
    """One unit's report as the totals see it."""

    name: str  # the unit as shown (a season's unit name, else the report's agency)
    report: Report
    errors: int = 0  # error findings of its file (validated with last year's when known)
    file: str = ""  # where it came from (a path), for the sheet and the command line


@dataclass(frozen=True)
class RegionTotals:
    """The sums of the included units in `template`, and the units left out, each with its reason."""

    template: Template
    included: tuple[UnitReport, ...]
    excluded: tuple[tuple[UnitReport, str], ...]
    # Every cell of 三 and 四 (computed ones derived from the sums) and the summable cells of 二.
    totals: dict[str, Number]
    report: Report  # the totals as a report of `template` (inputs = the sums), for checks and export
    year: int | None = None  # the year summed (None when there is no unit)
    # Included units whose report is in another template, each with how its figures were carried over.
    notes: tuple[tuple[UnitReport, str], ...] = ()
    findings: tuple[Finding, ...] = ()  # the checks of the totals' figures
    _values: tuple[dict[str, Parsed], ...] = field(default=(), repr=False, compare=False)
    _derived: dict[int, dict[str, Number]] = field(default_factory=dict, repr=False, compare=False)

    def parts(self, cell_id: str) -> list[tuple[UnitReport, Parsed]]:
        """Each included unit's own value of the cell (in this template's cells): BLANK for a blank input;
        a computed cell is what the unit's inputs add up to."""
        cell = self.template.cell(cell_id)
        out: list[tuple[UnitReport, Parsed]] = []
        for i, unit in enumerate(self.included):
            if not cell.computed:
                out.append((unit, self._values[i].get(cell_id, BLANK)))
                continue
            derived = self._derived.get(i)
            if derived is None:
                derived = self._derived[i] = derive_totals(self.template, self._values[i])
            out.append((unit, parse_value(derived[cell_id], cell.kind)))
        return out

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


def summable_cells(template: Template) -> tuple[str, ...]:
    """The cells added up over units: the summable counts and money of 二 and every input cell of 三
    and 四, in reading order."""
    return _summable(template)


@cache
def _summable(template: Template) -> tuple[str, ...]:
    return tuple(c.id for c in template.cells if c.summable and not c.computed)


@cache
def total_cells(template: Template) -> tuple[str, ...]:
    """The cells a RegionTotals holds: every cell of 三 and 四 and the summable cells of 二."""
    return tuple(c.id for c in template.cells if c.summable)


# --- a unit of another template --------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How a report of `source` gives the summable cells of `target`: each target cell from the source
    cells that add up to it (an empty tuple: the source has no such cell of 二, it counts as blank).
    `refused` says why the figures cannot be carried over exactly ("" when they can)."""

    sources: dict[str, tuple[str, ...]]
    missing_s2: tuple[str, ...]
    refused: str
    note: str


@cache
def _plan(source: Template, target: Template) -> _Plan:
    maps = row_correspondences(source, target)
    # target row -> source rows that add up to it, where the target prints as one row what the source splits
    merged = {m.row: m.rows for m in maps if m.single is target and m.split is source}
    split = {r: m for m in maps if m.split is target and m.single is source for r in m.rows}
    sources: dict[str, tuple[str, ...]] = {}
    missing_s2: list[str] = []
    refused = ""
    for cell_id in _summable(target):
        cell = target.cell(cell_id)
        if source.has_cell(cell_id) and not source.cell(cell_id).computed:
            sources[cell_id] = (cell_id,)
        elif cell.section == "s3" and cell.row_id in merged:
            sources[cell_id] = tuple(f"s3.{r}.{cell.col_id}" for r in merged[cell.row_id])
        elif cell.section == "s2":
            sources[cell_id] = ()
            missing_s2.append(cell_id)
        elif not refused:
            if cell.section == "s3" and cell.row_id in split:
                m = split[cell.row_id]
                one = m.single.s3.row(m.row).label
                refused = f"格式不同：{source.name}的「{one}」是一行，不能拆分为{target.name}的{len(m.rows)}行"
            else:
                refused = _no_place(target, cell.row_label, cell.col_label, source)
    used = {s for parts in sources.values() for s in parts}
    if not refused:
        for cell in source.cells:
            if cell.section in ("s3", "s4") and not cell.computed and cell.id not in used:
                refused = _no_place(source, cell.row_label, cell.col_label, target)
                break
    notes: list[str] = []
    for row_id, rows in merged.items():
        labels = "、".join(source.s3.row(r).label for r in rows)
        notes.append(f"{source.name}的{labels}合计为{target.name}的「{target.s3.row(row_id).label}」")
    if missing_s2:
        names = "、".join(f"「{target.cell(c).row_label}·{target.cell(c).col_label}」" for c in missing_s2)
        notes.append(f"二的{names}在{source.name}中没有，按空白计")
    return _Plan(sources, tuple(missing_s2), refused, "；".join(notes))


def _no_place(owner: Template, row: str, col: str, other: Template) -> str:
    return f"格式不同：{owner.name}的「{row}」「{col}」在{other.name}中没有对应的栏目"


def _money_in_units(parsed: Parsed) -> Number:
    """A money figure in 万元 (the unit the templates print): one written in 元 is divided by 10,000."""
    number = parsed.number
    assert number is not None
    if parsed.unit == "元":
        return (Decimal(number) / _TEN_THOUSAND).quantize(_MONEY_STEP, rounding=ROUND_HALF_UP)
    return number


def _unit_values(report: Report, target: Template, plan: _Plan | None) -> dict[str, Parsed]:
    """The unit's figures in the target's summable cells: blank ones left out, 元 made 万元, rows of
    another template added up as the plan says."""
    inputs = report.inputs
    out: dict[str, Parsed] = {}
    if plan is None:
        for cell_id in _summable(target):
            parsed = inputs.get(cell_id)
            if parsed is None or parsed.is_blank:
                continue
            if parsed.unit == "元" and parsed.number is not None:
                parsed = parse_value(_money_in_units(parsed), CellKind.MONEY)
            out[cell_id] = parsed
        return out
    for cell_id, parts in plan.sources.items():
        found = [inputs[p] for p in parts if p in inputs and not inputs[p].is_blank]
        if not found:
            continue
        if len(found) == 1 and found[0].unit != "元":
            out[cell_id] = found[0]
            continue
        numbers = [_money_in_units(p) for p in found if p.number is not None]
        if not numbers:  # only values that are not numbers: keep the first, the unit's checks report it
            out[cell_id] = found[0]
            continue
        out[cell_id] = parse_value(sum(numbers, start=0), target.cell(cell_id).kind)
    return out


# --- choosing the units ----------------------------------------------------------------------------


def _majority_year(units: Sequence[UnitReport]) -> int | None:
    counted = Counter(u.report.year for u in units)
    if not counted:
        return None
    return max(counted, key=lambda y: (counted[y], y))  # a tie: the latest year


def _majority_template(units: Sequence[UnitReport], year: int | None) -> Template:
    counted = Counter(u.report.template_id for u in units)
    fitting = template_for_year(year) if year is not None else templates()[0]
    if not counted:
        return fitting
    order = {t.id: i for i, t in enumerate(templates())}
    best = max(counted.values())
    tied = [t for t, n in counted.items() if n == best]
    if fitting.id in tied:
        return fitting
    return load_template(min(tied, key=lambda t: order.get(t, len(order))))


def region_totals(
    units: Sequence[UnitReport], *, include_errors: bool = False, template_id: str | None = None
) -> RegionTotals:
    """Add up the units' reports. Counted: one report per agency and year, of the year most units
    report, without error findings unless `include_errors`, in the template given (else the one most
    of them use) or mapped into it exactly. Every other unit is listed with its reason."""
    def eligible(u: UnitReport) -> bool:
        return include_errors or u.errors == 0

    year = _majority_year([u for u in units if eligible(u)] or units)
    of_year = [u for u in units if u.report.year == year]
    if template_id is not None:
        template = load_template(template_id)
    else:
        template = _majority_template([u for u in of_year if eligible(u)] or of_year, year)

    # One report per agency: the first that can count (no errors, the totals' template), else the first.
    chosen: dict[str, UnitReport] = {}
    for u in of_year:
        key = u.report.agency.strip()
        held = chosen.get(key)
        rank = (eligible(u), u.report.template_id == template.id)
        if held is None or rank > (eligible(held), held.report.template_id == template.id):
            chosen[key] = u

    included: list[UnitReport] = []
    values: list[dict[str, Parsed]] = []
    excluded: list[tuple[UnitReport, str]] = []
    notes: list[tuple[UnitReport, str]] = []
    for u in units:
        report = u.report
        if report.year != year:
            excluded.append((u, f"年度不同（{report.year} 年，汇总的是 {year} 年）"))
            continue
        held = chosen[report.agency.strip()]
        if held is not u:
            excluded.append((u, f"重复：与「{held.file or held.name}」是同一机关同一年度的报告，只计入一份"))
            continue
        if not eligible(u):
            excluded.append((u, f"有错误（{u.errors} 个）"))
            continue
        plan = None
        if report.template_id != template.id:
            plan = _plan(report.template, template)
            if plan.refused:
                excluded.append((u, plan.refused))
                continue
            if plan.note:
                notes.append((u, plan.note))
        included.append(u)
        values.append(_unit_values(report, template, plan))

    inputs = _sums(template, values)
    totals: dict[str, Number] = {c: p.number for c, p in inputs.items() if p.number is not None}
    totals.update(derive_totals(template, inputs))
    ordered = {c: totals[c] for c in total_cells(template)}
    sum_report = Report(template_id=template.id, agency="", year=year or 0, inputs=dict(inputs))
    return RegionTotals(
        template=template,
        included=tuple(included),
        excluded=tuple(excluded),
        totals=ordered,
        report=sum_report,
        year=year,
        notes=tuple(notes),
        findings=tuple(_figure_findings(sum_report, ordered)),
        _values=tuple(values),
    )


def _sums(template: Template, values: Sequence[dict[str, Parsed]]) -> dict[str, Parsed]:
    """Each summable cell's sum over the units (blank and invalid count as 0), as a cell value."""
    out: dict[str, Parsed] = {}
    for cell_id in _summable(template):
        total: Number = 0
        for unit in values:
            parsed = unit.get(cell_id)
            if parsed is not None and parsed.number is not None:
                total += parsed.number
        cell = template.cell(cell_id)
        if cell.kind is CellKind.MONEY and cell.unit is None:  # said, where the table's header does not say it
            out[cell_id] = parse_value(f"{format(Decimal(total), 'f')}{MONEY_UNIT}", cell.kind)
        else:
            out[cell_id] = parse_value(total, cell.kind)
    return out


def money_unit(cell: CellDef) -> str | None:
    """The unit a figure of the totals is in: money is added up in 万元 (the header's, or said with the
    figure where the header prints none); counts have none."""
    return (cell.unit or MONEY_UNIT) if cell.kind is CellKind.MONEY else None


def _figure_findings(report: Report, totals: dict[str, Number]) -> list[Finding]:
    """The checks of the totals that are about their figures (a sum has no texts and no last year)."""
    return [
        f
        for f in validate(report)
        if (f.cells and all(c in totals for c in f.cells)) or (not f.cells and f.rule in _FIGURE_RULES_WITHOUT_CELLS)
    ]


def region_report(totals: RegionTotals, agency: str, year: int, contact: Contact | None = None) -> Report:
    """A new draft report of the region (title, preamble, headings as for any new report) in the totals'
    template, its input cells prefilled with the totals."""
    report = new_report(agency, year, contact, totals.template.id)
    report.inputs = dict(totals.report.inputs)
    return report
