"""The report as a PDF (reportlab platypus) in the official typesetting, with embedded TrueType fonts."""

from __future__ import annotations

import io
import os
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, KeepTogether, PageTemplate, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

from core import linebreak
from core.linebreak import break_units
from core.report import Report
from core.reportfile import write_atomic
from exports.fonts import FontSet, find_fonts, has_glyph, register
from exports.layout import Layout, Paragraph, SignatureBlock, Table, build_layout

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 37 * mm
MARGIN_BOTTOM = 35 * mm
MARGIN_LEFT = 28 * mm
MARGIN_RIGHT = 26 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 225 mm

BODY_SIZE = 16.0  # 3号
BODY_LEADING = 28.95  # fixed line spacing of 22 lines a page
TITLE_SIZE = 22.0  # 2号
TITLE_LEADING = 35.0
CELL_SIZE = 10.5  # 5号
CELL_LEADING = 12.6
PAGE_NUMBER_SIZE = 14.0  # 4号
INDENT = 2 * BODY_SIZE  # two characters
CELL_PADDING = 1.5

def _escape(text: str) -> str:
    """xml.sax.saxutils.escape, without the import of urllib that module brings with it."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


class _CharWidths(dict[str, float]):
    """Widths of single characters in one font and size, measured once (as reportlab's cjkU does)."""

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


class _Run(str):
    """Characters of one frag on one line: makeCJKParaLine reads only the text and `.frag`."""

    frag: Any


def _run(text: str, frag: Any) -> _Run:
    run = _Run(text)
    run.frag = frag
    return run


class _Units:
    """A paragraph's frags as units of line breaking (characters; an empty frag is one empty unit),
    their widths, and the span of units each frag covers."""

    def __init__(self, frags: Sequence[Any]) -> None:
        units: list[str] = []
        widths: list[float] = []
        self.starts: list[int] = []
        self.spans: list[tuple[int, str, Any, bool]] = []  # (first unit, text, frag, one run per unit)
        for frag in frags:
            text = frag.text if isinstance(frag.text, str) else frag.text.decode("utf-8")
            start = len(units)
            # Frags that reportlab never merges with a neighbour (images, line breaks) keep a unit per character.
            special = hasattr(frag, "cbDefn") or "lineBreak" in frag.__dict__
            if special:
                for unit in [cjkU(ch, frag, "utf-8") for ch in text] if text else [cjkU(text, frag, "utf-8")]:
                    units.append(str(unit))
                    widths.append(float(unit.width))
            elif text:
                units.extend(text)
                widths.extend(map(_char_widths(frag.fontName, frag.fontSize).__getitem__, text))
            else:
                units.append("")
                widths.append(0.0)
            self.starts.append(start)
            self.spans.append((start, text, frag, special))
        self.units = units
        self.widths = widths

    def runs(self, start: int, end: int) -> list[_Run]:
        """Units start…end as runs of one frag each: the same line as one unit per character makes."""
        runs: list[_Run] = []
        k = bisect_right(self.starts, start) - 1
        while k < len(self.spans):
            first, text, frag, special = self.spans[k]
            if first >= end:
                break
            a = max(first, start)
            b = min(first + max(len(text), 1), end)
            if special:
                runs.extend(_run(self.units[i], frag) for i in range(a, b))
            else:
                runs.append(_run(text[a - first : b - first], frag))
            k += 1
        return runs


class CJKParagraph(RLParagraph):  # type: ignore[misc]
    """A reportlab Paragraph whose CJK line breaking keeps the Chinese 禁则 (reportlab's own only lets
    one closing mark hang into the margin and ignores opening marks at the end of a line)."""

    _units: _Units | None = None
    _breaks: dict[tuple[float, ...], list[tuple[int, int]]] | None = None

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara  # the second part of a split keeps the lines already made
        auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        calc_bounds = auto_leading not in ("", "off")
        # A paragraph is wrapped several times (a table measures its cells, KeepTogether and the frame
        # measure again): the units and the breaks for given widths are worked out once.
        units = self._units
        if units is None or self._breaks is None:
            units = self._units = _Units(self.frags)
            self._breaks = {}
        key = tuple(maxWidths)
        breaks = self._breaks.get(key)
        if breaks is None:
            breaks = self._breaks[key] = break_units(units.units, units.widths, maxWidths)
        widths = units.widths
        lines: list[Any] = []
        for start, end in breaks:
            max_width = maxWidths[min(len(lines), len(maxWidths) - 1)]
            used = sum(widths[start:end])
            runs = units.runs(start, end)
            lines.append(makeCJKParaLine(runs, max_width, used, max_width - used, False, calc_bounds))
        return ParaLines(kind=1, lines=lines)


class _Styles:
    """Paragraph styles of the official typesetting, built for one set of registered fonts."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        common: dict[str, Any] = {"wordWrap": "CJK", "allowOrphans": 0, "allowWidows": 0}
        self.title = ParagraphStyle(
            "title", fontName=names["title"], fontSize=TITLE_SIZE, leading=TITLE_LEADING,
            alignment=TA_CENTER, spaceAfter=BODY_LEADING, **common,
        )
        self.title_line = self.title.clone("title_line", spaceAfter=0, keepWithNext=1)
        body: dict[str, Any] = {"fontSize": BODY_SIZE, "leading": BODY_LEADING, "firstLineIndent": INDENT, **common}
        self.body = ParagraphStyle("body", fontName=names["fang"], alignment=TA_LEFT, **body)
        self.heading1 = ParagraphStyle("heading1", fontName=names["hei"], **body)
        self.heading2 = ParagraphStyle("heading2", fontName=names["kai"], **body)
        self.signature = ParagraphStyle(
            "signature", fontName=names["fang"], fontSize=BODY_SIZE, leading=BODY_LEADING,
            alignment=TA_RIGHT, rightIndent=INDENT, wordWrap="CJK",
        )
        cell: dict[str, Any] = {"fontName": names["song"], "fontSize": CELL_SIZE, "leading": CELL_LEADING, **common}
        self.cell_center = ParagraphStyle("cell_center", alignment=TA_CENTER, **cell)
        self.cell_left = ParagraphStyle("cell_left", alignment=TA_LEFT, **cell)
        self._others = list(dict.fromkeys(names.values()))

    def markup(self, text: str, font: str) -> str:
        """Text as paragraph markup. A character the font lacks is set in another font of the set that
        has it, so a rare character in a name prints instead of an empty box."""
        if all(ch.isspace() or has_glyph(font, ch) for ch in set(text)):
            return _escape(text)  # the usual case, in one run
        out: list[str] = []
        run: list[str] = []
        run_font = font
        for ch in text:
            ch_font = font
            if not ch.isspace() and not has_glyph(font, ch):
                ch_font = next((f for f in self._others if has_glyph(f, ch)), font)
            if ch_font != run_font and run:
                out.append(self._run("".join(run), run_font, font))
                run = []
            run_font = ch_font
            run.append(ch)
        if run:
            out.append(self._run("".join(run), run_font, font))
        return "".join(out)

    @staticmethod
    def _run(text: str, run_font: str, font: str) -> str:
        escaped = _escape(text)
        return escaped if run_font == font else f'<font name="{run_font}">{escaped}</font>'


def title_lines(title: str, font: str, size: float = TITLE_SIZE, width: float = TEXT_WIDTH) -> list[str]:
    """The title in lines (see core.linebreak.title_lines), measured in the title's font."""
    return linebreak.title_lines(title, lambda text: float(stringWidth(text, font, size)), width)


def _title(block: Paragraph, styles: _Styles) -> list[Any]:
    font = styles.names["title"]
    lines = title_lines(block.text, font)
    last = len(lines) - 1
    return [
        CJKParagraph(styles.markup(line, font), styles.title if i == last else styles.title_line)
        for i, line in enumerate(lines)
    ]


def _paragraph(block: Paragraph, styles: _Styles) -> RLParagraph:
    names = styles.names
    if block.style == "heading1":
        return CJKParagraph(styles.markup(block.text, names["hei"]), styles.heading1)
    if block.style == "heading2":
        return CJKParagraph(styles.markup(block.text, names["kai"]), styles.heading2)
    text = styles.markup(block.text, names["fang"])
    if block.lead:
        # A run-in level-2 heading: only the heading part in 楷体, the body follows on the same line.
        text = f'<font name="{names["kai"]}">{styles.markup(block.lead, names["kai"])}</font>{text}'
    return CJKParagraph(text, styles.body)


def _fitting_style(style: ParagraphStyle, text: str, room: float) -> ParagraphStyle:
    """The cell style, in smaller type when a number is wider than its cell: a number is never
    broken over two lines (a five-digit total in a narrow column of 三)."""
    width = float(stringWidth(text, style.fontName, style.fontSize))
    if width <= room:
        return style
    size = max(5.0, int(10 * style.fontSize * room / width) / 10)
    smaller: ParagraphStyle = style.clone(f"{style.name}-{size}", fontSize=size, leading=size * 1.2)
    return smaller


def _one_line(text: str, font: str, size: float, room: float) -> bool:
    """Whether a cell's text prints as the plain string it is: one line (as the line breaking would
    set it), no whitespace that a paragraph would collapse, every character in the cell font."""
    if not text or text != " ".join(text.split()):
        return False
    if not all(has_glyph(font, ch) for ch in set(text)):
        return False
    widths = list(map(_char_widths(font, size).__getitem__, text))
    return len(break_units(text, widths, [room])) == 1


def _table(table: Table, styles: _Styles) -> RLTable:
    song = styles.names["song"]
    data: list[list[Any]] = [[""] * table.columns for _ in range(table.rows)]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        # Cells of one line are plain strings set in the table's font (Helvetica by default, which
        # would be named in the PDF and never embedded); longer ones are Paragraphs in the same font.
        ("FONT", (0, 0), (-1, -1), song, CELL_SIZE, CELL_LEADING),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING + 1),  # room for descenders
    ]
    total = sum(table.widths)
    widths = [TEXT_WIDTH * w / total for w in table.widths]
    for cell in table.cells:
        style = styles.cell_left if cell.align == "left" else styles.cell_center
        room = sum(widths[cell.col : cell.col + cell.colspan]) - 2 * CELL_PADDING
        if cell.cell_id is not None:
            style = _fitting_style(style, cell.text, room)
        place = (cell.col, cell.row)
        if _one_line(cell.text, song, style.fontSize, room):
            # A string is drawn where the one-line paragraph would be (same font, size, leading,
            # alignment and middle of the row) at a fraction of the cost.
            data[cell.row][cell.col] = cell.text
            if style.fontSize != CELL_SIZE:
                commands.append(("FONT", place, place, song, style.fontSize, style.leading))
            if cell.align == "left":
                commands.append(("ALIGN", place, place, "LEFT"))
        else:
            data[cell.row][cell.col] = CJKParagraph(styles.markup(cell.text, song), style)
        if cell.rowspan > 1 or cell.colspan > 1:
            commands.append(("SPAN", place, (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1)))
    grid = RLTable(data, colWidths=widths, repeatRows=table.header_rows, style=commands, hAlign="CENTER")
    # Spacing on the table itself, so that it stays inside the KeepTogether with its heading.
    grid.spaceBefore = 0  # the heading's leading already leaves room above
    grid.spaceAfter = 10
    return grid


def _blank_date(font: str) -> str:
    """年 月 日 with blanks as wide as the digits to be written in by hand. No-break spaces, since
    a paragraph collapses ordinary and ideographic spaces (reportlab draws U+00A0 with the space
    glyph when a font has none of its own, so it never prints a box)."""
    space = float(stringWidth("\u00a0", font, BODY_SIZE)) or BODY_SIZE / 4

    def blank(digits: str) -> str:
        return "\u00a0" * max(2, round(float(stringWidth(digits, font, BODY_SIZE)) / space))

    return f"{blank('2026')}年{blank('12')}月{blank('20')}日"


def _signature(block: SignatureBlock, styles: _Styles, before: list[Any]) -> KeepTogether:
    """Organ and date, right-aligned below room for the seal, kept on one page with the paragraph
    before them so the signature never stands alone on the last page."""
    date = block.date.strip() or _blank_date(styles.names["fang"])
    parts: list[Any] = list(before)
    parts.append(Spacer(1, 2 * BODY_LEADING))
    if block.organ.strip():
        parts.append(CJKParagraph(styles.markup(block.organ.strip(), styles.names["fang"]), styles.signature))
    parts.append(CJKParagraph(styles.markup(date, styles.names["fang"]), styles.signature))
    return KeepTogether(parts)


def _is_heading_block(block: Paragraph | Table | SignatureBlock) -> bool:
    return isinstance(block, Paragraph) and block.style in ("heading1", "heading2")


def _is_heading(flowable: Any) -> bool:
    return isinstance(flowable, CJKParagraph) and flowable.style.name in ("heading1", "heading2")


def _take_last_paragraph(story: list[Any]) -> list[Any]:
    """The last paragraph of the story (with its heading, when it follows one), taken out of it."""
    if not story or not isinstance(story[-1], CJKParagraph):
        return []
    taken = [story.pop()]
    if story and _is_heading(story[-1]):
        taken.insert(0, story.pop())
    return taken


def _flowables(layout: Layout, styles: _Styles) -> list[Any]:
    story: list[Any] = []
    blocks = list(layout.blocks)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        i += 1
        if isinstance(block, Paragraph) and block.style == "title":
            story.extend(_title(block, styles))
        elif isinstance(block, Paragraph):
            flowable = _paragraph(block, styles)
            if _is_heading_block(block):
                if isinstance(following, Table):
                    # A heading goes with its table: both move to the next page when the table fits
                    # on a page but not in what is left of this one.
                    story.append(KeepTogether([flowable, _table(following, styles)]))
                    i += 1
                    continue
                # A heading never ends a page: it needs room for itself, any headings right after it
                # (一、总体情况 then （一）主动公开) and two lines of text.
                headings = 1
                while headings < len(blocks) - i + 1 and _is_heading_block(blocks[i - 1 + headings]):
                    headings += 1
                story.append(CondPageBreak((headings + 2) * BODY_LEADING))
            story.append(flowable)
        elif isinstance(block, Table):
            story.append(_table(block, styles))
        else:
            story.append(_signature(block, styles, _take_last_paragraph(story)))
    return story


def page_number_text(number: int) -> str:
    return f"— {number} —"


def _page_decorator(names: Mapping[str, str], draft: bool) -> Callable[[Any, Any], None]:
    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if draft:
            # Drawn before the page's text, so the text stays legible on top of it.
            canvas.setFillColor(colors.Color(0.82, 0.82, 0.82))
            canvas.setFont(names["hei"], 140)
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -50, "草稿")
            canvas.restoreState()
            canvas.saveState()
        number = canvas.getPageNumber()
        text = page_number_text(number)
        canvas.setFont(names["song"], PAGE_NUMBER_SIZE)
        # The dash of "— 1 —" sits about 0.4 em above the baseline: its top is 7 mm below the text block.
        y = MARGIN_BOTTOM - 7 * mm - 0.4 * PAGE_NUMBER_SIZE
        if number % 2:
            canvas.drawRightString(PAGE_WIDTH - MARGIN_RIGHT - PAGE_NUMBER_SIZE, y, text)
        else:
            canvas.drawString(MARGIN_LEFT + PAGE_NUMBER_SIZE, y, text)
        canvas.restoreState()

    return on_page


def render_pdf(layout: Layout, fonts: FontSet | None = None) -> bytes:
    """The layout as PDF bytes; the same layout and fonts always give the same bytes.
    Raises FontError (Chinese message) when no Chinese TrueType font is installed."""
    names = register(fonts if fonts is not None else find_fonts())
    styles = _Styles(names)
    organ = next((b.organ for b in layout.blocks if isinstance(b, SignatureBlock)), "")
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=layout.title,
        author=organ,
        subject="政府信息公开工作年度报告",
        creator="政府信息公开年报助手",
        producer="政府信息公开年报助手",
        invariant=1,
        # Without it the canvas names Helvetica in every page, a font that is never embedded.
        initialFontName=names["fang"],
        initialFontSize=BODY_SIZE,
    )
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, TEXT_WIDTH, TEXT_HEIGHT, 0, 0, 0, 0, id="text")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_decorator(names, layout.draft))])
    doc.build(_flowables(layout, styles))
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
