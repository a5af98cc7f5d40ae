"""Year on year: one unit's report against its report of the year before — every figure with its change,
the key figures with flags on large changes, and the checks that need last year's report.

What is compared: every numeric cell of 二, 三 and 四 (computed totals included), as the checks read it —
an input cell's value (blank counts as 0), a total as the file printed it when it printed a number there,
else the sum of its parts. Cells with the same id mean the same in every format. Where the two years use
different formats:

* a row one format prints once and the other splits (2019's （六）其他处理 is 2021's three rows
  逾期不补正 / 逾期未缴纳费用 / 其他, declared as a row mapping in the templates) is compared as the one
  row: the single row's cells (e.g. ``s3.other.natural``) get, for the year of the split format, the sum
  of its rows in that column; the split rows themselves are listed for their own year only;
* any other cell one format has and the other has not (二's columns differ: 2019 counts items and
  their change, 2021 documents issued, repealed and in force) is listed with ``None`` for the year
  whose format has no such cell, and never flagged.

A change is flagged when it is large both ways: at least `minimum` (10 by default) and at least `ratio`
(50 %) of last year's figure — or anything of at least `minimum` up from 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.checks import Context, Finding, fmt, validate
from core.numbers import Number
from core.report import Report
from core.template import CellDef, RowCorrespondence, Template, row_correspondences
from core.textsim import similarity

__all__ = [
    "COMPARISON_RULES",
    "DEFAULT_MINIMUM",
    "DEFAULT_RATIO",
    "KEY_FIGURES",
    "SUITS",
    "Change",
    "choose_pair",
    "comparison_findings",
    "figure",
    "figure_values",
    "format_change",
    "format_percent",
    "format_value",
    "is_flagged",
    "key_changes",
    "reports_by_year",
    "similarity",
    "year_on_year",
]

DEFAULT_RATIO = 0.5
DEFAULT_MINIMUM = 10

# Litigation as one figure: 四's two groups of 行政诉讼 (sued directly, sued after review) added up.
SUITS = "suits"
_SUITS_PARTS = ("s4.suit_direct.total", "s4.suit_after_review.total")

# The figures a reviewer looks at first, in this order. A figure id is a cell id, or SUITS.
KEY_FIGURES: tuple[tuple[str, str], ...] = (
    ("s3.new.total", "本年新收申请"),
    ("s3.granted.total", "予以公开"),
    ("s3.total_processed.total", "办结"),
    ("s3.carried_forward.total", "结转下年度"),
    ("s4.review.total", "行政复议"),
    (SUITS, "行政诉讼"),
)

# The checks of `this` that need `last`: what a comparison reports besides the figures.
COMPARISON_RULES: tuple[str, ...] = ("CARRY-OVER", "S2-IN-FORCE", "TEXT-COPIED")


@dataclass(frozen=True)
class Change:
    """One figure in both years; None where that year's format has no such cell."""

    cell: str
    label: str
    last: Number | None
    this: Number | None
    flagged: bool

    @property
    def difference(self) -> Number | None:
        if self.last is None or self.this is None:
            return None
        return self.this - self.last

    @property
    def changed(self) -> bool:
        """Different in the two years, or present in one only."""
        return self.last != self.this

    @property
    def ratio(self) -> float | None:
        """The change as a share of last year's figure; None when last year's is 0 or absent."""
        if self.last is None or self.this is None or self.last == 0:
            return None
        return float(self.this - self.last) / abs(float(self.last))


def _values(report: Report) -> dict[str, Number]:
    """Every cell of the report as the checks read it (see the module's docstring)."""
    ctx = Context(report, None)
    return {c.id: ctx.number(c.id) for c in report.template.cells}


def figure(report: Report, figure_id: str) -> Number:
    """A key figure of a report: a cell's value as the checks read it, or SUITS (行政诉讼 of both kinds)."""
    return figure_values([report], figure_id)[0]


def figure_values(reports: Iterable[Report], figure_id: str) -> list[Number]:
    """A key figure in each of several reports."""
    out: list[Number] = []
    for report in reports:
        ctx = Context(report, None)
        if figure_id == SUITS:
            out.append(sum((ctx.number(c) for c in _SUITS_PARTS), 0))
        elif report.template.has_cell(figure_id):
            out.append(ctx.number(figure_id))
        else:
            raise KeyError(figure_id)
    return out


def is_flagged(last: Number | None, this: Number | None, *, ratio: float, minimum: int) -> bool:
    if last is None or this is None:
        return False
    change = abs(float(this) - float(last))
    if change < minimum:
        return False
    return last == 0 or change / abs(float(last)) >= ratio


def _label(template: Template, cell: CellDef) -> str:
    """Section, row and column in a few characters: 三「予以公开」自然人, 四「行政复议」总计."""
    row = template.s3.row(cell.row_id).short if cell.section == "s3" else cell.row_label
    return f"{template.section(cell.section).heading[:1]}「{row}」{cell.col_label}"


def _mapped_value(
    values: dict[str, Number], template: Template, cell_id: str, mappings: tuple[RowCorrespondence, ...]
) -> tuple[Number, str] | None:
    """For a cell of a single row that `template` splits: the sum of its split rows in `values`, with
    a note for the label; None when the cell is no such cell."""
    section, row, col = cell_id.split(".")
    for m in mappings:
        if section == "s3" and m.row == row and m.split is template:
            total = sum((values[f"s3.{r}.{col}"] for r in m.rows), 0)
            return total, f"（{m.split.name}格式为 {len(m.rows)} 行之和）"
    return None


def _merged_order(this_ids: Sequence[str], last_ids: Sequence[str]) -> list[str]:
    """This year's cells in order, each run of cells only last year's format has put before the next cell
    both have (at the end when none follows)."""
    present = set(this_ids)
    before: dict[str, list[str]] = {}
    pending: list[str] = []
    for cell_id in last_ids:
        if cell_id in present:
            if pending:
                before.setdefault(cell_id, []).extend(pending)
                pending = []
        else:
            pending.append(cell_id)
    out: list[str] = []
    for cell_id in this_ids:
        out.extend(before.get(cell_id, ()))
        out.append(cell_id)
    return out + pending


def year_on_year(
    last: Report, this: Report, *, ratio: float = DEFAULT_RATIO, minimum: int = DEFAULT_MINIMUM
) -> list[Change]:
    """Every cell of 二, 三 and 四 of either report, computed cells included, in this year's template
    order (see the module's docstring for formats that differ)."""
    lt, tt = last.template, this.template
    last_values, this_values = _values(last), _values(this)
    mappings = row_correspondences(lt, tt) if lt is not tt else ()
    out: list[Change] = []
    for cell_id in _merged_order([c.id for c in tt.cells], [c.id for c in lt.cells]):
        in_last, in_this = lt.has_cell(cell_id), tt.has_cell(cell_id)
        cell = tt.cell(cell_id) if in_this else lt.cell(cell_id)
        label = _label(tt if in_this else lt, cell)
        before = last_values[cell_id] if in_last else None
        now = this_values[cell_id] if in_this else None
        if not in_last and (mapped := _mapped_value(last_values, lt, cell_id, mappings)):
            before, note = mapped
            label += note
        elif not in_this and (mapped := _mapped_value(this_values, tt, cell_id, mappings)):
            now, note = mapped
            label += note
        out.append(Change(cell_id, label, before, now, is_flagged(before, now, ratio=ratio, minimum=minimum)))
    return out


def key_changes(
    last: Report, this: Report, *, ratio: float = DEFAULT_RATIO, minimum: int = DEFAULT_MINIMUM
) -> list[Change]:
    """The KEY_FIGURES in both years, flagged as in `year_on_year`."""
    out: list[Change] = []
    for figure_id, label in KEY_FIGURES:
        before, now = _key_value(last, figure_id), _key_value(this, figure_id)
        out.append(Change(figure_id, label, before, now, is_flagged(before, now, ratio=ratio, minimum=minimum)))
    return out


def _key_value(report: Report, figure_id: str) -> Number | None:
    try:
        return figure(report, figure_id)
    except KeyError:  # a template an office added without this cell
        return None


def comparison_findings(last: Report, this: Report) -> list[Finding]:
    """CARRY-OVER, S2-IN-FORCE and TEXT-COPIED of `this` checked against `last` (where its template
    applies them)."""
    return [f for f in validate(this, last) if f.rule in COMPARISON_RULES]


def choose_pair(reports: Sequence[Report]) -> tuple[Report, Report | None]:
    """Among one unit's reports (any order): the newest and the one to compare it with — the report of
    the year before, else the latest earlier one, else None. Of several reports of one year the last
    given counts (a newer version is given after the older one)."""
    if not reports:
        raise ValueError("no reports")
    by_year: dict[int, Report] = {}
    for report in reports:
        by_year[report.year] = report
    years = sorted(by_year)
    newest = by_year[years[-1]]
    return newest, by_year[years[-2]] if len(years) > 1 else None


def reports_by_year(reports: Sequence[Report]) -> list[Report]:
    """One report per year (the last given of a year), oldest first."""
    by_year: dict[int, Report] = {}
    for report in reports:
        by_year[report.year] = report
    return [by_year[y] for y in sorted(by_year)]


# --- showing numbers -------------------------------------------------------------------------------


def format_value(number: Number | None) -> str:
    """A figure as shown: digits (money with its decimals), “—” where the cell does not exist."""
    return "—" if number is None else fmt(number)


def format_change(change: Change) -> str:
    """The difference with its sign (+3, −2, 0), “—” when one year has no such cell."""
    difference = change.difference
    if difference is None:
        return "—"
    if difference > 0:
        return f"+{fmt(difference)}"
    if difference < 0:
        return f"−{fmt(-difference)}"
    return "0"


def format_percent(change: Change) -> str:
    """The change in percent of last year's figure (+150%, −33%), “新增” up from 0, “—” otherwise."""
    share = change.ratio
    if share is None:
        return "新增" if change.last == 0 and change.this not in (None, 0) else "—"
    percent = round(share * 100)
    return f"+{percent}%" if percent > 0 else f"−{-percent}%" if percent < 0 else "0%"
