"""Ruling lines of a PDF page and the table cells they enclose.

The straight, axis-parallel pieces of every drawn path (lines, rectangles, the sides of filled bars)
are snapped and joined into horizontal and vertical rules; the rectangles those rules close off are
the cells, and cells that share corners are one table. This follows pdfplumber's "lines" strategy
(snap and join within 3 pt, rules shorter than 3 pt ignored, corners within 3 pt), so a table comes
out with the same cells as it did when pdfplumber read it.

A table that a page break cuts through may have its bottom (or top) rule left undrawn where the page
ends (begins). Such an edge is closed by an *open* rule: it makes the cells as a drawn rule would, and
`is_drawn` tells the two apart, so the page join can see which cells go on across the break.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TypeVar

SNAP = 3.0  # rules this close (pt) are one rule
JOIN = 3.0  # pieces of one rule this close end to end are one piece
MIN_LENGTH = 3.0  # shorter pieces are not rules (a dot, a tick, the end of a thick line)
CORNER = 3.0  # a vertical and a horizontal rule meet when they come this close
SLANT = 0.5  # a piece whose ends differ by less than this across its direction is axis-parallel

T = TypeVar("T")

Box = tuple[float, float, float, float]  # x0, top, x1, bottom (top-down page coordinates)


@dataclass(frozen=True)
class Rule:
    """A horizontal rule at y = `at` from `start` to `end` along x, or a vertical one at x = `at` from
    `start` to `end` along y. `drawn` is False for the rule that closes a table cut by the page edge."""

    at: float
    start: float
    end: float
    drawn: bool = True


@dataclass
class Rules:
    horizontal: list[Rule]
    vertical: list[Rule]

    def is_drawn(self, y: float, x0: float, x1: float) -> bool:
        """Whether drawn horizontal rules cover y from x0 to x1 (within the snap tolerance)."""
        pieces = sorted(
            (r.start, r.end)
            for r in self.horizontal
            if r.drawn and abs(r.at - y) <= SNAP and r.end > x0 and r.start < x1
        )
        reach = x0 + JOIN
        for start, end in pieces:
            if start > reach:
                return False
            reach = max(reach, end + JOIN)
        return reach >= x1


def rules_from_segments(segments: Iterable[tuple[float, float, float, float]]) -> Rules:
    """Rules from straight pieces (x0, y0, x1, y1) in top-down page coordinates: axis-parallel pieces
    of at least 1 pt, snapped and joined, at least MIN_LENGTH long; then the open rules that close
    tables cut by the page edge."""
    horizontal: list[Rule] = []
    vertical: list[Rule] = []
    for x0, y0, x1, y1 in segments:
        if abs(y1 - y0) < SLANT and abs(x1 - x0) >= 1:
            horizontal.append(Rule((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) < SLANT and abs(y1 - y0) >= 1:
            vertical.append(Rule((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    horizontal = _merge(horizontal)
    vertical = _merge(vertical)
    horizontal = sorted(horizontal + _open_rules(horizontal, vertical), key=lambda r: (r.at, r.start))
    return Rules(horizontal, vertical)


def _merge(rules: list[Rule]) -> list[Rule]:
    """Rules within SNAP of each other moved to their mean position, then pieces on one line that
    touch (within JOIN) joined; pieces shorter than MIN_LENGTH dropped."""
    positions = sorted({r.at for r in rules})
    # Clusters of the distinct positions; the new position is the mean over the rules (as pdfplumber).
    groups: dict[int, list[Rule]] = {}
    index = {value: i for i, cluster in enumerate(_clusters(positions, SNAP, float)) for value in cluster}
    for r in rules:
        groups.setdefault(index[r.at], []).append(r)
    out: list[Rule] = []
    for _, members in sorted(groups.items()):
        at = sum(r.at for r in members) / len(members)
        joined: list[list[float]] = []
        for r in sorted(members, key=lambda r: r.start):
            if joined and r.start <= joined[-1][1] + JOIN:
                joined[-1][1] = max(joined[-1][1], r.end)
            else:
                joined.append([r.start, r.end])
        out.extend(Rule(at, a, b) for a, b in joined if b - a >= MIN_LENGTH)
    return out


def _clusters(items: Sequence[T], tolerance: float, key: Callable[[T], float]) -> list[list[T]]:
    """Items sorted by `key` in runs where each is within `tolerance` of the one before it."""
    groups: list[list[T]] = []
    for item in items:
        if groups and key(item) <= key(groups[-1][-1]) + tolerance:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _open_rules(horizontal: list[Rule], vertical: list[Rule]) -> list[Rule]:
    """Where the vertical rules of a table stop at one height and no horizontal rule closes them off
    there, an open rule between each two of them: the foot (or head) of a table cut by the page edge
    with its bottom (top) border undrawn."""
    out: list[Rule] = []
    for end in ("start", "end"):
        ends = sorted(((getattr(v, end), v.at) for v in vertical), key=lambda e: e[0])
        for cluster in _clusters(ends, SNAP, itemgetter(0)):
            y = sum(p[0] for p in cluster) / len(cluster)
            xs = sorted({x for _, x in cluster})
            if len(xs) < 2:
                continue
            for a, b in itertools.pairwise(xs):
                if not _covered(horizontal, y, a, b):
                    out.append(Rule(y, a, b, drawn=False))
    return out


def _covered(horizontal: Sequence[Rule], y: float, x0: float, x1: float) -> bool:
    """Whether horizontal rules cover y from x0 to x1 apart from gaps of at most JOIN."""
    reach = x0 + CORNER
    for r in sorted((r for r in horizontal if abs(r.at - y) <= CORNER), key=lambda r: r.start):
        if r.start > reach:
            break
        reach = max(reach, r.end + CORNER)
    return reach >= x1


def find_tables(rules: Rules) -> list[list[Box]]:
    """The cells of each table on the page (pdfplumber's intersections → cells → tables): a cell is the
    smallest rectangle whose four corners are crossings joined by rules; cells sharing a corner are
    one table; tables of a single cell (a frame around text) are left out."""
    crossings: dict[tuple[float, float], tuple[set[int], set[int]]] = {}
    horizontal = sorted(enumerate(rules.horizontal), key=lambda e: (e[1].at, e[1].start))
    for vi, v in sorted(enumerate(rules.vertical), key=lambda e: (e[1].at, e[1].start)):
        low, high = v.start - CORNER, v.end + CORNER
        for hi, h in horizontal:
            if low <= h.at <= high and h.start - CORNER <= v.at <= h.end + CORNER:
                point = (v.at, h.at)
                vs, hs = crossings.setdefault(point, (set(), set()))
                vs.add(vi)
                hs.add(hi)

    def joined(p: tuple[float, float], q: tuple[float, float]) -> bool:
        if p[0] == q[0] and crossings[p][0] & crossings[q][0]:
            return True
        return p[1] == q[1] and bool(crossings[p][1] & crossings[q][1])

    points = sorted(crossings)
    by_x: dict[float, list[tuple[float, float]]] = {}
    by_y: dict[float, list[tuple[float, float]]] = {}
    for p in points:
        by_x.setdefault(p[0], []).append(p)
        by_y.setdefault(p[1], []).append(p)
    cells: list[Box] = []
    for p in points:
        below = [q for q in by_x[p[0]] if q > p]
        right = [q for q in by_y[p[1]] if q > p]
        cell = _smallest_cell(p, below, right, crossings, joined)
        if cell is not None:
            cells.append(cell)
    return _tables(cells)


def _smallest_cell(
    p: tuple[float, float],
    below: list[tuple[float, float]],
    right: list[tuple[float, float]],
    crossings: dict[tuple[float, float], tuple[set[int], set[int]]],
    connects: Callable[[tuple[float, float], tuple[float, float]], bool],
) -> Box | None:
    for b in below:
        if not connects(p, b):
            continue
        for r in right:
            if not connects(p, r):
                continue
            corner = (r[0], b[1])
            if corner in crossings and connects(corner, r) and connects(corner, b):
                return (p[0], p[1], corner[0], corner[1])
    return None


def _tables(cells: list[Box]) -> list[list[Box]]:
    """Cells grouped into tables by shared corners, the tables top to bottom (pdfplumber's grouping)."""
    remaining = list(cells)
    tables: list[list[Box]] = []
    corners: set[tuple[float, float]] = set()
    current: list[Box] = []
    while remaining:
        before = len(current)
        for cell in list(remaining):
            x0, top, x1, bottom = cell
            own = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or any(c in corners for c in own):
                corners.update(own)
                current.append(cell)
                remaining.remove(cell)
        if len(current) == before:
            tables.append(current)
            current = []
            corners = set()
    if current:
        tables.append(current)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]
