"""The report as a PDF in the official typesetting, with embedded TrueType fonts.

Typeset here on reportlab's canvas rather than with its platypus layer, which could neither set text on
the standard page's grid nor break tables only where the layout allows (and costs a fifth of a second
to import). Text stands on the grid of 22 lines × 28 characters (exports.layout): every full-width
character advances CHAR_PITCH_PT, lines are justified (all but a paragraph's last end at the right
margin) by widening the gaps at Chinese characters, never inside a Latin word or a number, and broken
by the Chinese rules (core.linebreak). Pages break by one model: a heading keeps with what follows it,
a paragraph leaves no single line at either end of a page, a table that fits on a page is never broken
and otherwise breaks between its row groups only, with its header rows repeated."""

from __future__ import annotations

import functools
import io
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from reportlab import rl_config
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from core import linebreak
from core.linebreak import break_units
from core.report import Report
from core.reportfile import write_atomic
from exports.fonts import FontSet, find_fonts, has_glyph, register
from exports.layout import (
    BODY_PT,
    CELL_LEADING_PT,
    CELL_PADDING_PT,
    CELL_PT,
    CELL_VPADDING_PT,
    CHAR_PITCH_PT,
    HEADING_KEEP_LINES,
    LINE_PITCH_PT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    MM,
    PAGE_HEIGHT_MM,
    PAGE_NUMBER_PT,
    PAGE_WIDTH_MM,
    SIGNATURE_RIGHT_CHARS,
    TEXT_HEIGHT_MM,
    TEXT_WIDTH_MM,
    TITLE_LEADING_PT,
    TITLE_PT,
    GridCell,
    Layout,
    Paragraph,
    SignatureBlock,
    Table,
    build_layout,
)

PAGE_WIDTH, PAGE_HEIGHT = PAGE_WIDTH_MM * MM, PAGE_HEIGHT_MM * MM
MARGIN_TOP, MARGIN_BOTTOM = MARGIN_TOP_MM * MM, MARGIN_BOTTOM_MM * MM
MARGIN_LEFT, MARGIN_RIGHT = MARGIN_LEFT_MM * MM, MARGIN_RIGHT_MM * MM
TEXT_WIDTH, TEXT_HEIGHT = TEXT_WIDTH_MM * MM, TEXT_HEIGHT_MM * MM  # 156 × 225 mm
INDENT = 2 * CHAR_PITCH_PT  # the first line of a paragraph starts two characters in
# A justified line widens each gap by at most a character's width, as a word processor does when a
# long e-mail address moves to the next line; a line that would need more (a few characters before a
# web address) is set flush left rather than torn into letters far apart.
MAX_STRETCH = BODY_PT
# Space between a table and the text below it (the text then goes on at the next line of the grid).
TABLE_GAP = 0.25 * LINE_PITCH_PT
TITLE_GAP = 0.5 * LINE_PITCH_PT  # below the title
SEAL_ROOM = 2 * LINE_PITCH_PT  # above the organ's name, where the seal goes
# Cells: lines of 5号 type, padded; a number keeps at least NUMBER_PADDING from the rules and, when
# wider than its cell, is set a little tighter (at most NUMBER_TRACKING per digit) before, as a last
# resort, in smaller type: never broken over two lines.
CELL_VPADDING = CELL_VPADDING_PT  # above and below a cell's lines
NUMBER_PADDING = 0.5
NUMBER_TRACKING = 0.05 * CELL_PT
RULE_WIDTH = 0.5
SHADE_GREY = 0.88  # caption rows of 二
WATERMARK_GREY = 0.82
EPSILON = 1e-6
APP_NAME = "政府信息公开年报助手"
SUBJECT = "政府信息公开工作年度报告"
# How strongly a page must not break after a box: FREE anywhere; KEEP only when no free place is left
# on the page (a table that fits on a page, a paragraph's first or last line alone); HOLD only when
# nothing else can (a heading and what follows it, inside a row group, the signature and its text).
FREE, KEEP, HOLD = 0, 1, 2
# Streams as plain binary (Flate only): reportlab's ASCII85 pass over every page is pure Python here,
# a tenth of an export's time, and only makes the file bigger.
rl_config.useA85 = 0
NUMBERING = re.compile(r"^(（[一二三四五六七八九十]{1,3}）|[一二三四五六七八九十]{1,3}、)")


def _is_latin(ch: str) -> bool:
    """ASCII letters, digits, marks and the space: set in the Latin font when the set has one."""
    return " " <= ch <= "~"


def _is_word(ch: str) -> bool:
    """A character of a Latin word or a number (2022, 12.5, www.gov.cn): never pulled apart."""
    return "!" <= ch <= "~"


class _CharWidths(dict[str, float]):
    """Advances of single characters in one font and size, measured once."""

    def __init__(self, font: Any, font_name: str, size: float) -> None:
        super().__init__()
        self.font = font
        self.font_name = font_name
        self.size = size

    def __missing__(self, ch: str) -> float:
        width = self[ch] = float(stringWidth(ch, self.font_name, self.size))
        return width


_CHAR_WIDTHS: dict[tuple[str, float], _CharWidths] = {}


def _char_widths(font_name: str, size: float) -> _CharWidths:
    font = getFont(font_name)
    table = _CHAR_WIDTHS.get((font_name, size))
    if table is None or table.font is not font:  # a name registered again measures afresh
        table = _CHAR_WIDTHS[(font_name, size)] = _CharWidths(font, font_name, size)
    return table


# ------------------------------------------------------------------------------------------ text in units


# The small classes below are plain classes with slots, not dataclasses: a dataclass costs a
# millisecond or more to create when the module is imported, and the export runs in a fresh process.


class _Units:
    """A text as units of line breaking (characters), each with its font, its advance in that font
    and the width it takes on the line (on the grid: a full-width character takes CHAR_PITCH_PT)."""

    __slots__ = ("advances", "chars", "fonts", "size", "widths")

    def __init__(self, size: float) -> None:
        self.size = size
        self.chars: list[str] = []
        self.fonts: list[str] = []
        self.advances: list[float] = []
        self.widths: list[float] = []


class _Run(NamedTuple):
    """Characters drawn in one go: from x (relative to what they are set in), with `space` added
    after each character (the PDF's character spacing)."""

    x: float
    font: str
    size: float
    text: str
    space: float


class _Fonts:
    """The registered fonts of the set: which font sets which character, and the type's measures."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self.latin = names.get("latin")
        # Where a character is missing from a role's font: the other fonts of the set, in role order.
        self._others = list(dict.fromkeys(v for k, v in names.items() if k != "latin"))
        self._choice: dict[tuple[str, str, bool], str] = {}

    def font_for(self, ch: str, base: str, latin: bool) -> str:
        key = (ch, base, latin)
        font = self._choice.get(key)
        if font is None:
            if latin and self.latin is not None and _is_latin(ch) and (ch == " " or has_glyph(self.latin, ch)):
                font = self.latin
            elif ch.isspace() or has_glyph(base, ch):
                font = base
            else:  # a rare character in a name prints in a font that has it, not as an empty box
                font = next((f for f in self._others if has_glyph(f, ch)), base)
            self._choice[key] = font
        return font

    def units(self, text: str, base: str, size: float, *, latin: bool = True, grid: bool = False,
              into: _Units | None = None) -> _Units:
        """`text` in units; `grid`: full-width characters advance as on the standard page's grid."""
        out = into if into is not None else _Units(size)
        scale = CHAR_PITCH_PT / BODY_PT if grid else 1.0
        choice, font_for = self._choice, self.font_for
        tables: dict[str, _CharWidths] = {}
        for ch in text:
            font = choice.get((ch, base, latin)) or font_for(ch, base, latin)
            table = tables.get(font)
            if table is None:
                table = tables[font] = _char_widths(font, size)
            advance = table[ch]
            out.chars.append(ch)
            out.fonts.append(font)
            out.advances.append(advance)
            out.widths.append(advance if ch <= "~" else advance * scale)
        return out

    @staticmethod
    @functools.cache
    def middle(font: str) -> float:
        """How far above the baseline the middle of the font's em box is, as a share of the size."""
        face = getFont(font).face
        return float(face.ascent + face.descent) / 2000


def _runs(units: _Units, start: int, end: int, xs: Sequence[float]) -> list[_Run]:
    """Units start…end placed at xs (one per unit) as runs: one font each, and the same space after
    every character of a run, so a line of Chinese text is one run however it is justified."""
    runs: list[_Run] = []
    k = start
    while k < end:
        font = units.fonts[k]
        first = k
        space = 0.0
        k += 1
        if k < end and units.fonts[k] == font:
            space = xs[k - start] - xs[k - 1 - start] - units.advances[k - 1]
            k += 1
            while (
                k < end
                and units.fonts[k] == font
                and abs(xs[k - start] - xs[k - 1 - start] - units.advances[k - 1] - space) < EPSILON
            ):
                k += 1
        text = "".join(units.chars[first:k])
        runs.append(_Run(xs[first - start], font, units.size, text, space))
    return runs


def _stretchable(before: str, after: str) -> bool:
    """Gaps that justification may widen: at Chinese characters and spaces, not inside a word."""
    return not (_is_word(before) and _is_word(after))


def _line_runs(units: _Units, start: int, end: int, x: float, width: float, justify: bool) -> tuple[list[_Run], float]:
    """One line of units, from x: justified to end at x + width when asked and reasonable. Returns
    the runs and where the line's last character ends."""
    while end > start and units.chars[end - 1].isspace():  # a space ending a line is not printed
        end -= 1
    widths = units.widths
    chars = units.chars
    gaps = [k for k in range(start, end - 1) if _stretchable(chars[k], chars[k + 1])] if justify else []
    used = sum(widths[start:end])
    extra = 0.0
    if gaps and width - used > EPSILON:
        extra = (width - used) / len(gaps)
        if extra > MAX_STRETCH:
            extra = 0.0
    stretched = set(gaps) if extra else set()
    xs: list[float] = []
    for k in range(start, end):
        xs.append(x)
        x += widths[k] + (extra if k in stretched else 0.0)
    return _runs(units, start, end, xs), x - (extra if end - 1 in stretched else 0.0)


# ------------------------------------------------------------------------------------------ boxes


class _TextLine:
    """A line of text across the measure: runs from the left margin, baseline below the box's top."""

    __slots__ = ("baseline", "runs")

    def __init__(self, runs: list[_Run], baseline: float) -> None:
        self.runs = runs
        self.baseline = baseline


class _Box:
    """What pages are made of: a line of text, a row of a table, or room for the seal."""

    __slots__ = ("gap", "grid", "height", "keep", "line", "row", "table")

    def __init__(
        self,
        height: float,
        *,
        keep: int = FREE,  # how strongly the page must not break after this box
        grid: bool = False,  # a line of text: starts on a line of the page's grid
        line: _TextLine | None = None,
        table: _TableSet | None = None,
        row: int = 0,
    ) -> None:
        self.height = height
        self.keep = keep
        self.grid = grid
        self.gap = 0.0  # space above it, dropped at the top of a page
        self.line = line
        self.table = table
        self.row = row


class _CellSet:
    """A cell typeset: its lines (runs from the cell's left edge), type size and leading."""

    __slots__ = ("cell", "leading", "middle", "runs", "size")

    def __init__(self, cell: GridCell, runs: list[list[_Run]], size: float, leading: float, middle: float) -> None:
        self.cell = cell
        self.runs = runs
        self.size = size
        self.leading = leading
        self.middle = middle  # of the cell font's em box above the baseline, in points

    @property
    def content_height(self) -> float:
        return len(self.runs) * self.leading


class _TableSet:
    """A table typeset: column edges, each cell's lines, each row's height."""

    def __init__(self, table: Table, fonts: _Fonts) -> None:
        self.table = table
        total = sum(table.widths)
        self.xs = [0.0]
        for width in table.widths:
            self.xs.append(self.xs[-1] + TEXT_WIDTH * width / total)
        song = fonts.names["song"]
        self.cells = [self._set_cell(cell, fonts, song) for cell in table.cells]
        minimum = CELL_LEADING_PT + 2 * CELL_VPADDING
        heights = [minimum] * table.rows
        for c in self.cells:
            if c.cell.rowspan == 1:
                heights[c.cell.row] = max(heights[c.cell.row], c.content_height + 2 * CELL_VPADDING)
        for c in sorted(self.cells, key=lambda c: c.cell.rowspan):
            if c.cell.rowspan > 1:
                rows = range(c.cell.row, min(c.cell.row + c.cell.rowspan, table.rows))
                short = c.content_height + 2 * CELL_VPADDING - sum(heights[r] for r in rows)
                for r in rows:  # a label taller than its rows makes each of them a little taller
                    heights[r] += max(0.0, short) / len(rows)
        self.heights = heights

    def _set_cell(self, cell: GridCell, fonts: _Fonts, song: str) -> _CellSet:
        width = self.xs[cell.col + cell.colspan] - self.xs[cell.col]
        text = " ".join(cell.text.split())
        middle = _Fonts.middle(song)
        if not text:
            return _CellSet(cell, [], CELL_PT, CELL_LEADING_PT, middle * CELL_PT)
        if cell.cell_id is not None:
            return self._set_number(cell, fonts, song, text, width, middle)
        units = fonts.units(text, song, CELL_PT)
        room = width - 2 * CELL_PADDING_PT
        lines = _label_breaks(units, room)
        runs: list[list[_Run]] = []
        for start, end in lines:
            line, right = _line_runs(units, start, end, 0.0, room, justify=False)
            shift = CELL_PADDING_PT if cell.align == "left" else (width - right) / 2
            runs.append([_Run(r.x + shift, r.font, r.size, r.text, r.space) for r in line])
        return _CellSet(cell, runs, CELL_PT, CELL_LEADING_PT, middle * CELL_PT)

    @staticmethod
    def _set_number(cell: GridCell, fonts: _Fonts, song: str, text: str, width: float, middle: float) -> _CellSet:
        """A number on one line: as it is when it fits, else a little tighter, else (last resort) smaller."""
        room = width - 2 * NUMBER_PADDING
        size = CELL_PT
        units = fonts.units(text, song, size)
        used = sum(units.advances)
        gaps = max(1, len(text) - 1)
        tracking = 0.0
        if used > room + EPSILON:
            tracking = max(-NUMBER_TRACKING, (room - used) / gaps)
            if used + tracking * gaps > room + EPSILON:
                size = math.floor(10 * size * room / (used + tracking * gaps)) / 10
                units = fonts.units(text, song, size)
                used = sum(units.advances)
                tracking = min(0.0, (room - used) / gaps)
        xs: list[float] = []
        x = 0.0
        for advance in units.advances:
            xs.append(x)
            x += advance + tracking
        right = x - tracking
        shift = NUMBER_PADDING if cell.align == "left" else (width - right) / 2
        runs = [_Run(r.x + shift, r.font, r.size, r.text, r.space) for r in _runs(units, 0, len(text), xs)]
        return _CellSet(cell, [runs], size, max(CELL_LEADING_PT, size * 1.2), middle * size)


def _label_breaks(units: _Units, room: float) -> list[tuple[int, int]]:
    """A label's lines: as few as the cell needs, of even length (never 不予公/开), the numbering
    （三） on a line of its own when the rest then needs one line less, and a short label that would
    leave one character alone set a character a line (自/然/人) instead."""
    chars, widths = units.chars, units.widths
    natural = break_units(chars, widths, [room])
    if len(natural) == 1:
        return natural
    count = len(natural)
    numbering = NUMBERING.match("".join(chars))
    if numbering:
        head = numbering.end()
        rest = _balanced(chars[head:], widths[head:], room, count - 1)
        if rest is not None and sum(widths[:head]) <= room + EPSILON:
            return [(0, head), *((a + head, b + head) for a, b in rest)]
    lines = _balanced(chars, widths, room, count) or natural
    if len(chars) <= 4 and any(end - start == 1 for start, end in lines):
        return [(k, k + 1) for k in range(len(chars))]
    return lines


def _balanced(chars: Sequence[str], widths: Sequence[float], room: float, count: int) -> list[tuple[int, int]] | None:
    """Lines of even length: the narrowest measure that still needs no more than `count` lines
    (None when even the full measure needs more). From an even share of the text, the measure
    widens each time by the least that lets some line take its next character."""
    if not chars or len(break_units(chars, widths, [room])) > count:
        return None
    width = min(room, max(max(widths), sum(widths) / count))
    while True:
        lines = break_units(chars, widths, [width])
        if len(lines) <= count:
            return lines
        longer = [sum(widths[a:b]) + widths[b] - width for a, b in lines[:-1]]
        width = min(room, width + min([w for w in longer if w > EPSILON], default=room - width))


# ------------------------------------------------------------------------------------------ the story


class _Story:
    """The layout's blocks as boxes, with where pages may break between them."""

    def __init__(self, layout: Layout, fonts: _Fonts) -> None:
        self.fonts = fonts
        self.boxes: list[_Box] = []
        self._pending_gap = 0.0
        self._heading_lines = 0  # lines still to keep with the heading above them
        blocks = list(layout.blocks)
        for block in blocks:
            if isinstance(block, Paragraph) and block.style == "title":
                self._title(block.text)
            elif isinstance(block, Paragraph):
                self._paragraph(block)
            elif isinstance(block, Table):
                self._table(block)
            else:
                self._signature(block)

    def _add(self, box: _Box) -> None:
        box.gap = max(box.gap, self._pending_gap)
        self._pending_gap = 0.0
        if self.boxes and self._heading_lines > 0:
            self.boxes[-1].keep = HOLD
            if box.line is not None or box.table is not None:
                self._heading_lines -= 1
        self.boxes.append(box)

    def _title(self, title: str) -> None:
        font = self.fonts.names["title"]
        middle = _Fonts.middle(font) * TITLE_PT
        for text in title_lines(title, font):
            units = self.fonts.units(text, font, TITLE_PT, latin=False)
            runs, right = _line_runs(units, 0, len(text), 0.0, TEXT_WIDTH, justify=False)
            shift = (TEXT_WIDTH - right) / 2
            line = _TextLine([_Run(r.x + shift, r.font, r.size, r.text, r.space) for r in runs],
                             TITLE_LEADING_PT / 2 + middle)
            self._add(_Box(TITLE_LEADING_PT, keep=HOLD, line=line))
        self.boxes[-1].keep = FREE
        self._pending_gap = TITLE_GAP

    def _paragraph(self, block: Paragraph) -> None:
        names = self.fonts.names
        units = _Units(BODY_PT)
        if block.style == "heading1":
            base = names["hei"]
            self.fonts.units(" ".join(block.text.split()), base, BODY_PT, latin=False, grid=True, into=units)
        elif block.style == "heading2":
            base = names["kai"]
            self.fonts.units(" ".join(block.text.split()), base, BODY_PT, grid=True, into=units)
        else:
            base = names["fang"]
            if block.lead:  # a run-in level-2 heading: the heading part in 楷体, the body after it
                self.fonts.units(" ".join(block.lead.split()), names["kai"], BODY_PT, grid=True, into=units)
                if block.text[:1].isspace() or block.lead[-1:].isspace():
                    self.fonts.units(" ", base, BODY_PT, grid=True, into=units)
            self.fonts.units(" ".join(block.text.split()), base, BODY_PT, grid=True, into=units)
        if not units.chars:
            return
        middle = _Fonts.middle(base) * BODY_PT
        lines = break_units(units.chars, units.widths, [TEXT_WIDTH - INDENT, TEXT_WIDTH])
        boxes = []
        for number, (start, end) in enumerate(lines):
            x = INDENT if number == 0 else 0.0
            runs, _ = _line_runs(units, start, end, x, TEXT_WIDTH - x, justify=number < len(lines) - 1)
            boxes.append(_Box(LINE_PITCH_PT, grid=True, line=_TextLine(runs, LINE_PITCH_PT / 2 + middle)))
        if len(boxes) > 1:  # no line alone at the foot or the head of a page
            boxes[0].keep = KEEP
            boxes[-2].keep = KEEP
        heading = block.style in ("heading1", "heading2")
        for box in boxes:
            self._add(box)
        if heading:
            self.boxes[-1].keep = HOLD
            self._heading_lines = HEADING_KEEP_LINES

    def _table(self, table: Table) -> None:
        typeset = _TableSet(table, self.fonts)
        groups = {end for _, end in table.groups}
        # A table that fits on a page (with the heading kept with it) is not broken: it moves whole to
        # the next page when the rest of this one is too short. A longer one breaks between groups.
        held = 0.0
        for box in reversed(self.boxes):
            if box.keep != HOLD or box.line is None:
                break
            held += box.gap + box.height
        whole = held + sum(typeset.heights) <= TEXT_HEIGHT + EPSILON
        first = self._first_group_end(table)
        for row in range(table.rows):
            if row + 1 == table.rows:
                keep = FREE
            elif row + 1 < first or (row + 1 not in groups and table.groups):
                keep = HOLD  # the header rows with the first group; never inside a group
            elif whole:
                keep = KEEP
            else:
                keep = FREE
            self._add(_Box(typeset.heights[row], keep=keep, table=typeset, row=row))
        self._pending_gap = TABLE_GAP

    @staticmethod
    def _first_group_end(table: Table) -> int:
        """The row after the header rows and the first group under them."""
        for start, end in table.groups:
            if start >= table.header_rows:
                return end
        return table.header_rows + 1

    def _signature(self, block: SignatureBlock) -> None:
        """Organ over date as GB/T 9704 sets a sealed document: the date ends four characters from the
        right margin (右空四字) and the organ is centred over it; an organ too long for that moves the
        axis left so that it still ends half a character inside the margin. Below room for the seal;
        kept on one page with the text above."""
        fang = self.fonts.names["fang"]
        middle = _Fonts.middle(fang) * BODY_PT
        right = TEXT_WIDTH - SIGNATURE_RIGHT_CHARS * CHAR_PITCH_PT
        organ = " ".join(block.organ.split())
        lines: list[tuple[_Units, list[tuple[int, int]]]] = []
        if organ:
            units = self.fonts.units(organ, fang, BODY_PT, grid=True)
            breaks = _balanced(units.chars, units.widths, right, len(break_units(units.chars, units.widths, [right])))
            lines.append((units, breaks or [(0, len(organ))]))
        date = " ".join(block.date.split())
        units = self._blank_date(fang) if not date else self.fonts.units(date, fang, BODY_PT, grid=True)
        lines.append((units, [(0, len(units.chars))]))
        date_width = sum(units.widths)
        organ_width = max((sum(u.widths[a:b]) for u, spans in lines[:-1] for a, b in spans), default=0.0)
        centre = min(right - date_width / 2, TEXT_WIDTH - CHAR_PITCH_PT / 2 - organ_width / 2)
        # The text above (its last two lines, and through them any heading) stays with the signature.
        for box in self.boxes[-HEADING_KEEP_LINES:]:
            box.keep = HOLD
        self._add(_Box(SEAL_ROOM, keep=HOLD, grid=True))
        for units, spans in lines:
            for start, end in spans:
                width = sum(units.widths[start:end])
                runs, _ = _line_runs(units, start, end, centre - width / 2, width, justify=False)
                self._add(_Box(LINE_PITCH_PT, keep=HOLD, grid=True, line=_TextLine(runs, LINE_PITCH_PT / 2 + middle)))
        self.boxes[-1].keep = FREE

    def _blank_date(self, font: str) -> _Units:
        """年 月 日 with blanks to write the date in by hand: each as wide as the digits it takes
        (2026, 12, 31) and half a character more. The blanks are spaces, so the text reads 年 月 日."""
        units = _Units(BODY_PT)
        digits_font = self.fonts.latin or font
        for digits, word in (("2026", "年"), ("12", "月"), ("31", "日")):
            self.fonts.units(" ", font, BODY_PT, latin=False, into=units)
            units.widths[-1] = float(stringWidth(digits, digits_font, BODY_PT)) + CHAR_PITCH_PT / 2
            self.fonts.units(word, font, BODY_PT, grid=True, into=units)
        return units


# ------------------------------------------------------------------------------------------ pages


class _Page:
    """Boxes placed on a page: each with its top below the top of the text block."""

    __slots__ = ("header", "placed")

    def __init__(self) -> None:
        self.header: _TableSet | None = None  # header rows repeated at the top of the page
        self.placed: list[tuple[_Box, float]] = []


def _continues_table(box: _Box) -> bool:
    return box.table is not None and box.row >= box.table.table.header_rows > 0


def _header_height(box: _Box) -> float:
    assert box.table is not None
    return sum(box.table.heights[: box.table.table.header_rows])


def _place(boxes: Sequence[_Box], first: int, end: int) -> tuple[_Page, int]:
    """Boxes first… on one page, up to `end` at most: the page and the index of the first box that
    did not fit (the caller chooses where the page breaks)."""
    page = _Page()
    used = 0.0
    if _continues_table(boxes[first]):
        page.header = boxes[first].table
        used = _header_height(boxes[first])
    k = first
    while k < end:
        box = boxes[k]
        top = used if k == first else used + box.gap
        if box.grid:
            top = math.ceil(top / LINE_PITCH_PT - EPSILON) * LINE_PITCH_PT
        if top + box.height > TEXT_HEIGHT + EPSILON and k > first:
            break
        page.placed.append((box, top))
        used = top + box.height
        k += 1
    return page, k


def _paginate(boxes: Sequence[_Box]) -> list[_Page]:
    pages: list[_Page] = []
    first = 0
    while first < len(boxes):
        page, stop = _place(boxes, first, len(boxes))
        if stop < len(boxes):
            # The page is full before box `stop`: break at the last place allowed, the freest first.
            for level in (FREE, KEEP, HOLD):
                allowed = [k for k in range(first + 1, stop + 1) if boxes[k - 1].keep <= level]
                if allowed:
                    stop = allowed[-1]
                    break
            page, stop = _place(boxes, first, stop)
        pages.append(page)
        first = stop
    return pages


# ------------------------------------------------------------------------------------------ drawing


class _Painter:
    """The text of a page as one text object, written as PDF operators the way reportlab's ttfonts
    module describes for its subset fonts (splitString, getSubsetInternalName): each piece placed
    where the typesetting put it, font and spacing set only where they change."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.doc = canvas._doc
        self.ops: list[str] = []
        self.font: tuple[str, float] | None = None
        self.space = 0.0

    def begin(self) -> None:
        self.ops = ["BT"]
        self.font = None
        self.space = 0.0

    def end(self) -> None:
        if self.space:  # character spacing outlives the text object: the page number is drawn without
            self.ops.append("0 Tc")
        self.ops.append("ET")
        self.canvas.addLiteral("\n".join(self.ops))

    def runs(self, runs: Iterable[_Run], x: float, y: float) -> None:
        ops, doc = self.ops, self.doc
        baseline = _num(y)
        for run in runs:
            font = getFont(run.font)
            widths = _char_widths(run.font, run.size)
            at = x + run.x
            start = 0
            # A new string wherever the font's subset changes, each placed anew: readers built on
            # pdfminer leave out the spacing after the last character of a string.
            for subset, codes in font.splitString(run.text, doc):
                name = font.getSubsetInternalName(subset, doc)
                if self.font != (name, run.size):
                    ops.append(f"{name} {_num(run.size)} Tf")
                    self.font = (name, run.size)
                if len(codes) > 1 and abs(run.space - self.space) > EPSILON:
                    ops.append(f"{run.space:.5f} Tc")
                    self.space = run.space
                ops.append(f"1 0 0 1 {_num(at)} {baseline} Tm ({escapePDF(codes)}) Tj")
                piece = run.text[start : start + len(codes)]
                at += sum(widths[ch] for ch in piece) + run.space * len(piece)
                start += len(codes)


def _draw_table(painter: _Painter, typeset: _TableSet, rows: Sequence[int], tops: Mapping[int, float],
                rules: set[tuple[float, float, float, float]], shades: list[tuple[float, float, float, float]]) -> None:
    """Rows of a table on one page (tops: each row's top, in page coordinates)."""
    heights = typeset.heights
    shown = set(rows)
    for c in typeset.cells:
        cell = c.cell
        spanned = [r for r in range(cell.row, cell.row + cell.rowspan) if r in shown]
        if not spanned:
            continue
        x0 = MARGIN_LEFT + typeset.xs[cell.col]
        x1 = MARGIN_LEFT + typeset.xs[cell.col + cell.colspan]
        top = tops[spanned[0]]
        bottom = tops[spanned[-1]] - heights[spanned[-1]]
        if cell.shaded:
            shades.append((x0, bottom, x1 - x0, top - bottom))
        for a, b, c2, d in ((x0, top, x1, top), (x0, bottom, x1, bottom), (x0, top, x0, bottom), (x1, top, x1, bottom)):
            rules.add((round(a, 3), round(b, 3), round(c2, 3), round(d, 3)))
        if c.runs and cell.row in shown:  # the text, in the middle of the cell
            block = len(c.runs) * c.leading
            y = (top + bottom) / 2 + block / 2
            for line in c.runs:
                painter.runs(line, x0, y - c.leading / 2 - c.middle)
                y -= c.leading


def _num(value: float) -> str:
    """A coordinate in the page's content, to a thousandth of a point."""
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _draw_page(canvas: Canvas, painter: _Painter, page: _Page, number: int, names: Mapping[str, str],
               draft: bool) -> None:
    if draft:
        # Drawn before the page's text, so the text stays legible on top of it.
        canvas.saveState()
        canvas.setFillGray(WATERMARK_GREY)
        canvas.setFont(names["hei"], 140)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -50, "草稿")
        canvas.restoreState()
    frame_top = PAGE_HEIGHT - MARGIN_TOP
    rules: set[tuple[float, float, float, float]] = set()
    shades: list[tuple[float, float, float, float]] = []
    painter.begin()
    # Text goes into the page in reading order (a reader taking the text in the order it is drawn
    # must not find a table's cells inside the paragraph that goes on after it).
    part: tuple[_TableSet, list[int], dict[int, float]] | None = None
    if page.header is not None:
        y = frame_top
        part = (page.header, [], {})
        for r in range(page.header.table.header_rows):
            part[1].append(r)
            part[2][r] = y
            y -= page.header.heights[r]
    for box, placed_top in page.placed:
        top = frame_top - placed_top
        if part is not None and box.table is not part[0]:
            _draw_table(painter, *part, rules, shades)
            part = None
        if box.line is not None:
            painter.runs(box.line.runs, MARGIN_LEFT, top - box.line.baseline)
        elif box.table is not None:
            if part is None:
                part = (box.table, [], {})
            part[1].append(box.row)
            part[2][box.row] = top
    if part is not None:
        _draw_table(painter, *part, rules, shades)
    if shades:
        canvas.saveState()
        canvas.setFillGray(SHADE_GREY)
        for x, y, w, h in shades:
            canvas.rect(x, y, w, h, stroke=0, fill=1)
        canvas.restoreState()
    painter.end()
    if rules:  # one path of all the table rules of the page
        path = " ".join(f"{_num(a)} {_num(b)} m {_num(c)} {_num(d)} l" for a, b, c, d in sorted(rules))
        canvas.addLiteral(f"q {_num(RULE_WIDTH)} w 0 G {path} S Q")
    text = page_number_text(number)
    canvas.setFont(names["song"], PAGE_NUMBER_PT)
    # The dash of "— 1 —" sits about 0.4 em above the baseline: its top is 7 mm below the text block.
    y = MARGIN_BOTTOM - 7 * MM - 0.4 * PAGE_NUMBER_PT
    if number % 2:
        canvas.drawRightString(PAGE_WIDTH - MARGIN_RIGHT - PAGE_NUMBER_PT, y, text)
    else:
        canvas.drawString(MARGIN_LEFT + PAGE_NUMBER_PT, y, text)


# ------------------------------------------------------------------------------------------ public


def title_lines(title: str, font: str, size: float = TITLE_PT, width: float = TEXT_WIDTH) -> list[str]:
    """The title in lines (see core.linebreak.title_lines), measured in the title's font."""
    return linebreak.title_lines(title, lambda text: float(stringWidth(text, font, size)), width)


def page_number_text(number: int) -> str:
    return f"— {number} —"


def render_pdf(layout: Layout, fonts: FontSet | None = None, *, invariant: bool = False) -> bytes:
    """The layout as PDF bytes, dated now, with the title and the signing organ as its author.
    `invariant`: fixed date and file identifier, so the same layout and fonts give the same bytes
    (for tests that compare files). Raises FontError (Chinese message) when no Chinese TrueType
    font is installed."""
    names = register(fonts if fonts is not None else find_fonts())
    typeset = _Fonts(names)
    pages = _paginate(_Story(layout, typeset).boxes)
    organ = next((b.organ for b in layout.blocks if isinstance(b, SignatureBlock)), "")
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=1 if invariant else 0,
        pageCompression=1,
        # Without it the canvas names Helvetica in every page, a font that is never embedded.
        initialFontName=names["fang"],
        initialFontSize=BODY_PT,
    )
    canvas.setTitle(layout.title)
    canvas.setAuthor(organ)
    canvas.setSubject(SUBJECT)
    canvas.setCreator(APP_NAME)
    canvas.setProducer(APP_NAME)
    painter = _Painter(canvas)
    for number, page in enumerate(pages, start=1):
        _draw_page(canvas, painter, page, number, names, layout.draft)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def write_pdf(
    report: Report,
    path: str | os.PathLike[str],
    *,
    blank_as_zero: bool = True,
    draft: bool = False,
    fonts: FontSet | None = None,
) -> None:
    """Write the report as PDF atomically: on any failure the target is left as it was."""
    layout = build_layout(report, blank_as_zero=blank_as_zero, draft=draft)
    write_atomic(path, render_pdf(layout, fonts))

