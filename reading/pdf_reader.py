"""Reading a published report from a PDF with a text layer: paragraphs and tables rebuilt from positioned text."""

from __future__ import annotations

import ctypes
import itertools
import math
import os
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from core.fileio import read_regular
from core.linebreak import CANNOT_END, CANNOT_START
from core.pdfium_lock import PDFIUM_LOCK
from core.reportfile import ReportFileError
from reading import limits
from reading.document import CellSource, ExtractedDocument, ExtractedTable
from reading.pdf_rules import Rules, find_tables, rules_from_segments

ENCRYPTED = "PDF 已加密，请先解除密码保护再导入"
SCANNED = "这是扫描件（只有图片、没有文字层），无法读取；请使用原始的 Word 文件或带文字的 PDF"
DAMAGED = "PDF 文件已损坏，无法读取"
TRUNCATED = "PDF 文件不完整（可能下载或复制时中断），无法读取"
UNMAPPED = "PDF 中的文字无法提取（字体没有文字编码），请使用原始的 Word 文件或带文字的 PDF"

# Characters that never start a line (a line breaker moves the character before them down too).
_HEADING1 = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_NUMBERED = re.compile(r"^\s*(（[一二三四五六七八九十]{1,3}）|[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[.．、])")
_DASHES = r"[-—–－―─~～·\s]"
_PAGE_NUMBER = (
    re.compile(rf"{_DASHES}*\d{{1,4}}{_DASHES}*"),  # 3, - 3 -, — 3 —
    re.compile(r"第\s*\d{1,4}\s*页(\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"),  # 第3页, 第3页 共8页
    re.compile(r"共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"),
    re.compile(r"\d{1,4}\s*[/／]\s*\d{1,4}"),  # 3/8
    re.compile(r"(?i)page\s*\d{1,4}(\s*of\s*\d{1,4})?"),
)
_DIGITS = re.compile(r"\d+")
_CJK_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_LABEL = re.compile(r"[元万件个项条宗起无\s\d.,，．\-－+/／—]")


class _Char:
    """One character and its box; its middle (cx, cy) decides its line and its cell. A plain class
    with slots: a report has thousands of characters and this is made and read for each."""

    __slots__ = ("bottom", "cx", "cy", "score", "size", "text", "top", "x0", "x1")

    def __init__(
        self, text: str, x0: float, x1: float, top: float, bottom: float, size: float, score: float = 1.0
    ) -> None:
        self.text = text
        self.score = score  # how sure OCR was of it (1 for a text layer)
        self.x0 = x0
        self.x1 = x1
        self.top = top
        self.bottom = bottom
        self.size = size
        self.cx = (x0 + x1) / 2
        self.cy = (top + bottom) / 2


_X0 = attrgetter("x0")
_X1 = attrgetter("x1")
_TOP = attrgetter("top")
_BOTTOM = attrgetter("bottom")
_SIZE = attrgetter("size")
_READING_ORDER = attrgetter("cy", "x0")


class _Line:
    """Characters on one baseline, left to right (whitespace dropped: spacing is read from positions)."""

    def __init__(self, chars: list[_Char], page: int) -> None:
        self.chars = sorted(chars, key=_X0)
        self.page = page
        self.x0: float = self.chars[0].x0
        self.x1: float = max(map(_X1, chars))
        self.top: float = min(map(_TOP, chars))
        self.bottom: float = max(map(_BOTTOM, chars))
        self.size: float = _median(list(map(_SIZE, chars)))
        self.text = _chars_text(self.chars)
        self._segments: list[list[_Char]] | None = None

    @property
    def segments(self) -> list[list[_Char]]:
        """Runs of characters separated by gaps wider than half a character or so: the cells of a
        table row drawn without ruling lines."""
        if self._segments is None:
            runs: list[list[_Char]] = [[self.chars[0]]]
            for prev, ch in itertools.pairwise(self.chars):
                if ch.x0 - prev.x1 > 0.6 * min(prev.size, ch.size):
                    runs.append([ch])
                else:
                    runs[-1].append(ch)
            self._segments = runs
        return self._segments


@dataclass
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    # The cell's top (bottom) border is not drawn where the table starts (ends) on its page: what a
    # cell cut by the page break looks like when the printer leaves the break open.
    open_top: bool = False
    open_bottom: bool = False
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, top, x1, bottom on its page
    score: float = 1.0  # the least sure character in it (OCR; 1 for a text layer)
    page: int = -1  # the page it stands on (0-based; -1 when not known)


@dataclass
class _Grid:
    """A table with the geometry needed to join its parts across pages."""

    page: int
    top: float
    xs: list[float]  # column boundaries, left to right
    rows: int
    cells: list[_Cell]

    def row_cells(self, row: int) -> list[_Cell]:
        return sorted((c for c in self.cells if c.row == row), key=lambda c: c.col)

    def extracted(self) -> ExtractedTable:
        rows = [self.row_cells(r) for r in range(self.rows)]
        return ExtractedTable(
            rows=[[c.text for c in row] for row in rows],
            spans=[[(c.rowspan, c.colspan) for c in row] for row in rows],
            sources=[[CellSource(c.page, c.box, c.score) for c in row] for row in rows],
        )


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)
    grids: list[_Grid] = field(default_factory=list)
    chars: int = 0
    unmapped: int = 0  # glyphs without text
    image_cover: float = 0.0  # share of the page covered by images
    rules: Rules = field(default_factory=lambda: Rules([], []))


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _is_wide(ch: str) -> bool:
    """CJK characters and full-width punctuation: no space is ever wanted next to them."""
    return ch >= "\u2000" and not ch.isspace()


def _normal_char(text: str) -> str:
    """Kangxi radicals and compatibility ideographs (what some fonts map their glyphs to) as the
    ordinary characters they look like; no-break and odd spaces as spaces."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if 0x2E80 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF:
            out.append(unicodedata.normalize("NFKC", ch))
        elif ch in "\u00a0\u3000\u2002\u2003\u2009":
            out.append(" ")
        elif ch in "\u200b\u200c\u200d\ufeff\u00ad":
            continue
        else:
            out.append(ch)
    return "".join(out)


def _chars_text(chars: Sequence[_Char]) -> str:
    """The text of one line: a space only between Latin letters or digits that stand apart."""
    out: list[str] = []
    prev: _Char | None = None
    for ch in chars:
        apart = prev is not None and ch.x0 - prev.x1 > 0.15 * min(prev.size, ch.size)
        if apart and prev is not None and not _is_wide(prev.text[-1]) and not _is_wide(ch.text[0]):
            out.append(" ")
        out.append(ch.text)
        prev = ch
    return "".join(out)


def _join(before: str, after: str) -> str:
    """Two lines of one paragraph or cell: CJK joins without a space, a number broken over two lines
    joins as one, Latin words keep a space between them."""
    if not before or not after:
        return before + after
    a, b = before[-1], after[0]
    if _is_wide(a) or _is_wide(b) or a == "-" or (a.isdigit() and (b.isdigit() or b in ".,")):
        return before + after
    return before + " " + after


def _clean(text: str) -> str:
    """Whitespace collapsed; none next to a CJK character."""
    text = " ".join(text.split())
    return re.sub(r"(?<=[^\x00-\u1fff]) | (?=[^\x00-\u1fff])", "", text)


def _is_label(text: str) -> bool:
    """A cell that names a row (Chinese words beyond a unit or 无), not one that holds a number."""
    return bool(_CJK_IDEOGRAPH.search(_NOT_LABEL.sub("", text)))


def _group_lines(chars: Sequence[_Char], page: int) -> list[_Line]:
    """Characters grouped into lines by their vertical middle, top to bottom."""
    lines: list[list[_Char]] = []
    ref = 0.0
    ref_size = 0.0
    for ch in sorted(chars, key=_READING_ORDER):
        if lines and abs(ch.cy - ref) <= 0.35 * min(ch.size, ref_size):
            lines[-1].append(ch)
        else:
            lines.append([ch])
            ref, ref_size = ch.cy, ch.size
    return [_Line(group, page) for group in lines]


def _lines_text(lines: Sequence[_Line]) -> str:
    text = ""
    for line in lines:
        text = _join(text, line.text)
    return _clean(text)


# ---------------------------------------------------------------------------------------------- pages


def _is_watermark(text: str, size: float, matrix: tuple[float, float, float, float]) -> bool:
    """Large or slanted characters drawn across the page (草稿, 样稿), not part of the text."""
    a, b, c, d = matrix
    slanted = abs(b) > 0.05 * abs(a) + 0.01 or abs(c) > 0.05 * abs(d) + 0.01
    upright_90 = abs(a) < 0.01 and abs(d) < 0.01  # vertical text set in a narrow cell
    if slanted and not upright_90:
        return size >= 20 or text in ("草", "稿")
    return size >= 60 or (size >= 30 and text in ("草", "稿"))


def _cluster(values: Sequence[float], tolerance: float = 2.0) -> list[float]:
    """Sorted values with those closer than `tolerance` taken as one."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _index(bounds: Sequence[float], value: float) -> int:
    """The index of the boundary nearest to `value`."""
    i = bisect_right(bounds, value)
    if i == 0:
        return 0
    if i == len(bounds):
        return i - 1
    return i if bounds[i] - value < value - bounds[i - 1] else i - 1


def _ruled_grid(
    bboxes: Sequence[tuple[float, float, float, float]], chars: Sequence[_Char], page: int, rules: Rules
) -> _Grid:
    """A table from its cells (rectangles between ruling lines): each cell once, with its span over
    the grid that all cell edges make, the text of the characters inside it, and whether its border
    is drawn where the table starts and ends on the page."""
    xs = _cluster([b[0] for b in bboxes] + [b[2] for b in bboxes])
    ys = _cluster([b[1] for b in bboxes] + [b[3] for b in bboxes])
    cells: list[_Cell] = []
    owner: dict[tuple[int, int], int] = {}
    for x0, top, x1, bottom in bboxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0 or any((r, c) in owner for r in range(r0, r1) for c in range(c0, c1)):
            continue
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner[(r, c)] = len(cells)
        open_top = r0 == 0 and not rules.is_drawn(ys[0], xs[c0], xs[c1])
        open_bottom = r1 == len(ys) - 1 and not rules.is_drawn(ys[-1], xs[c0], xs[c1])
        box = (xs[c0], ys[r0], xs[c1], ys[r1])
        cells.append(_Cell(r0, c0, r1 - r0, c1 - c0, "", open_top, open_bottom, box, page=page))
    inside: dict[int, list[_Char]] = {}
    for ch in chars:
        if not (xs[0] <= ch.cx <= xs[-1] and ys[0] <= ch.cy <= ys[-1]):
            continue
        c = min(bisect_right(xs, ch.cx) - 1, len(xs) - 2)
        r = min(bisect_right(ys, ch.cy) - 1, len(ys) - 2)
        index = owner.get((r, c))
        if index is not None:
            inside.setdefault(index, []).append(ch)
    for index, cell_chars in inside.items():
        cells[index].text = _lines_text(_group_lines(cell_chars, page))
        cells[index].score = min(ch.score for ch in cell_chars)
    return _Grid(page, ys[0], xs, len(ys) - 1, cells)


def _plain(function: Any, restype: Any, *argtypes: Any) -> Any:
    """The same PDFium function, called with plain addresses and numbers: ctypes passes those faster
    than pypdfium2's typed pointers (about 1.2 us a call instead of 1.7), which counts in a loop over
    thousands of characters. The binding's own function type keeps its calling convention."""
    plain = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
    plain.restype = restype
    plain.argtypes = argtypes
    return plain


_P, _I = ctypes.c_void_p, ctypes.c_int
_TEXT_OBJECT_OF = _plain(pdfium_c.FPDFText_GetTextObject, _P, _P, _I)
_UNMAPPED = _plain(pdfium_c.FPDFText_HasUnicodeMapError, _I, _P, _I)
_MATRIX_OF = _plain(pdfium_c.FPDFText_GetMatrix, _I, _P, _I, _P)
_SIZE_OF = _plain(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, _P, _I)
_BOX_OF = _plain(pdfium_c.FPDFText_GetLooseCharBox, _I, _P, _I, _P)
_UNICODE_OF = _plain(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, _P, _I)
_SEGMENT_OF = _plain(pdfium_c.FPDFPath_GetPathSegment, _P, _P, _I)
_POINT_OF = _plain(pdfium_c.FPDFPathSegment_GetPoint, _I, _P, _P, _P)
_SEGMENT_TYPE = _plain(pdfium_c.FPDFPathSegment_GetType, _I, _P)
_CLOSES = _plain(pdfium_c.FPDFPathSegment_GetClose, _I, _P)


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _then(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix that applies `inner`, then `outer` (PDF's [a b c d e f] convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _matrix_of(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


class _Drawing:
    """What a page draws besides text: the straight pieces of its paths and the area its images cover,
    in PDF user space (y upwards), forms opened. A page of more pieces than any report draws is refused
    as soon as they are counted (reading/limits.py), before they are read one by one."""

    def __init__(self, page: int) -> None:
        self.page = page  # 1-based, for the refusal
        self.counted = 0
        self.segments: list[tuple[float, float, float, float]] = []
        self.images: list[tuple[float, float, float, float]] = []  # x0, y0, x1, y1
        self._x = ctypes.c_float()
        self._y = ctypes.c_float()

    def walk(self, objects: Sequence[Any], outer: Matrix, depth: int = 0) -> None:
        for obj in objects:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                self._path(obj, _then(_matrix_of(obj), outer))
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                a, b, c, d, e, f = _then(_matrix_of(obj), outer)
                xs = (e, a + e, c + e, a + c + e)
                ys = (f, b + f, d + f, b + d + f)
                self.images.append((min(xs), min(ys), max(xs), max(ys)))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                inner = [pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(max(count, 0))]
                self.walk(inner, _then(_matrix_of(obj), outer), depth + 1)

    def _path(self, obj: Any, m: Matrix) -> None:
        a, b, c, d, e, f = m
        x, y = self._x, self._y
        start: tuple[float, float] | None = None
        here: tuple[float, float] | None = None
        count = max(pdfium_c.FPDFPath_CountSegments(obj), 0)
        self.counted += count
        limits.check_pdf_page(self.page, 0, self.counted)
        segment_of, point_of, type_of, closes = _SEGMENT_OF, _POINT_OF, _SEGMENT_TYPE, _CLOSES
        line_to, move_to = pdfium_c.FPDF_SEGMENT_LINETO, pdfium_c.FPDF_SEGMENT_MOVETO
        add = self.segments.append
        path, x_at, y_at = ctypes.cast(obj, ctypes.c_void_p).value, ctypes.addressof(x), ctypes.addressof(y)
        for i in range(count):
            segment = segment_of(path, i)
            point_of(segment, x_at, y_at)
            px, py = x.value, y.value
            point = (a * px + c * py + e, b * px + d * py + f)
            kind = type_of(segment)
            if kind == line_to and here is not None:
                add((*here, *point))
            elif kind == move_to:
                start = point
            here = point
            if closes(segment) and start is not None:
                add((*point, *start))
                here = start


def _read_page(page: pdfium.PdfPage, number: int) -> _Page:
    left, bottom, right, top = page.get_mediabox()
    width, height = right - left, top - bottom
    out = _Page(number, width, height)
    textpage = page.get_textpage()
    try:
        limits.check_pdf_page(number + 1, pdfium_c.FPDFText_CountChars(textpage.raw))
        chars = _page_chars(textpage.raw, left, top, out)
    finally:
        textpage.close()
    out.chars = len(chars)
    drawing = _Drawing(number + 1)
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    drawing.walk([pdfium_c.FPDFPage_GetObject(page.raw, i) for i in range(max(count, 0))], _IDENTITY)
    covered = 0.0
    for x0, y0, x1, y1 in drawing.images:
        w = max(0.0, min(x1 - left, width) - max(x0 - left, 0.0))
        h = max(0.0, min(top - y0, height) - max(top - y1, 0.0))
        covered += w * h
    out.image_cover = covered / (width * height) if width * height > 0 else 0.0
    if not chars:
        return out
    rules = rules_from_segments((x0 - left, top - y0, x1 - left, top - y1) for x0, y0, x1, y1 in drawing.segments)
    _lay_out(out, chars, rules)
    return out


def _lay_out(page: _Page, chars: Sequence[_Char], rules: Rules) -> None:
    """The page's tables (from its ruling lines) and its lines of text outside them. Shared with the
    scan reader (reading/scan.py), whose characters and rules come from the page image."""
    page.rules = rules
    boxes: list[tuple[float, float, float, float]] = []
    for cells in find_tables(rules):
        x0, y0 = min(c[0] for c in cells), min(c[1] for c in cells)
        x1, y1 = max(c[2] for c in cells), max(c[3] for c in cells)
        boxes.append((x0 - 1, y0 - 1, x1 + 1, y1 + 1))
        page.grids.append(_ruled_grid(cells, chars, page.number, rules))
    outside = [
        c for c in chars if not any(b[0] <= c.cx <= b[2] and b[1] <= c.cy <= b[3] for b in boxes)
    ]
    page.lines = _group_lines(outside, page.number)


_SKIPPED_CODES = frozenset((0x20, 0x0D, 0x0A, 0x09, 0x0C, 0xFFFE, 0xFFFF))


def _page_codes(textpage: Any, count: int) -> list[int] | None:
    """The code points of the page's characters from one call, or None when they cannot be lined up
    with the characters one for one (a character beyond the BMP takes two UTF-16 units)."""
    if count <= 0:
        return []
    buffer = ctypes.create_string_buffer(2 * (count + 1))
    units = pdfium_c.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    data = buffer.raw[: 2 * max(units - 1, 0)]
    if units - 1 != count:
        return None
    codes = list(memoryview(data).cast("H"))
    return None if any(0xD800 <= c < 0xE000 for c in codes) else codes


def _page_chars(textpage: Any, left: float, top: float, page: _Page) -> list[_Char]:
    """The page's characters (whitespace, watermarks and exact duplicates left out; a glyph without
    text counted in `page.unmapped`), in top-down coordinates. A character spans its advance width
    and, upright, one em from its font's descent below the baseline. Size and slant are asked once
    for each text object (one font, one size, one matrix): most characters cost three C calls."""
    chars: list[_Char] = []
    seen: set[tuple[str, int, int]] = set()
    box = pdfium_c.FS_RECTF()
    m = pdfium_c.FS_MATRIX()
    tp, box_at, m_at = ctypes.cast(textpage, ctypes.c_void_p).value, ctypes.addressof(box), ctypes.addressof(m)
    text_object_of, unmapped, box_of = _TEXT_OBJECT_OF, _UNMAPPED, _BOX_OF
    hypot = math.hypot
    append, remember = chars.append, seen.add
    count = pdfium_c.FPDFText_CountChars(textpage)
    codes = _page_codes(textpage, count)
    current: int | None = None
    size = 1.0
    matrix = (1.0, 0.0, 0.0, 1.0)
    upright = may_be_watermark = False
    for i in range(count):
        code = codes[i] if codes is not None else _UNICODE_OF(tp, i)
        if code in _SKIPPED_CODES:  # spaces, line ends PDFium puts in, nothing at all
            continue
        if unmapped(tp, i) == 1:
            page.unmapped += 1
            continue
        if not 0 < code < 0x110000 or 0xD800 <= code < 0xE000:
            continue
        # Most characters need no normalising: Latin, digits, punctuation, CJK ideographs.
        text = chr(code) if 0x20 < code < 0x2000 or 0x3001 <= code < 0xD800 else _normal_char(chr(code)).strip()
        if not text:
            continue
        obj = text_object_of(tp, i)
        if obj is None or obj != current:
            current = obj
            _MATRIX_OF(tp, i, m_at)
            size = _SIZE_OF(tp, i) * hypot(m.c, m.d) or 1.0
            matrix = (m.a, m.b, m.c, m.d)
            upright = abs(m.b) < 0.01 * abs(m.a) and abs(m.c) < 0.01 * abs(m.d)
            may_be_watermark = size >= 20 or bool(m.b) or bool(m.c)
        if may_be_watermark and _is_watermark(text, size, matrix):
            continue
        box_of(tp, i, box_at)
        if upright:
            # One em up from the bottom of the font's box (its descent below the baseline), as
            # pdfminer measured characters: the font's own ascent may be anything.
            char_bottom = top - box.bottom
            char_top = char_bottom - size
        else:
            char_top, char_bottom = top - box.top, top - box.bottom
        x0, x1 = box.left - left, box.right - left
        # The same character drawn twice in one place (an imitation of bold): once. PDFium itself
        # already drops a text object repeated at a small offset.
        key = (text, round(x0), round(char_top))
        if key in seen:
            continue
        remember(key)
        append(_Char(text, x0, x1, char_top, char_bottom, size))
    return chars


class ScannedPdf(ReportFileError):
    """The PDF's pages are pictures without text: a scan, for reading/scan.py (OCR) when installed."""


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    data = read_regular(path, limits.FILE_BYTES[".pdf"])
    if not data.strip():
        raise ReportFileError("文件是空的")
    head = data[:1024]
    if b"%PDF-" not in head:
        if head.startswith(b"PK\x03\x04"):
            raise ReportFileError("不是 PDF 文件（内容是压缩包或 Word 文档，请检查文件扩展名）")
        if b"<html" in head.lower() or b"<!doctype" in head.lower():
            raise ReportFileError("不是 PDF 文件（内容是网页，请检查文件扩展名）")
        raise ReportFileError("不是 PDF 文件")
    if b"%%EOF" not in data[-8192:]:  # every complete PDF ends with it (followed by a few bytes at most)
        raise ReportFileError(TRUNCATED)
    return data


def _read_pages(data: bytes) -> list[_Page]:
    with PDFIUM_LOCK:  # PDFium is never called from two threads at once
        return _read_pages_locked(data)


def _read_pages_locked(data: bytes) -> list[_Page]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise ReportFileError(ENCRYPTED) from None
        raise ReportFileError(DAMAGED) from None
    try:
        count = len(pdf)
        limits.check_pdf_pages(count)
        pages: list[_Page] = []
        total = 0
        for i in range(count):
            page = pdf[i]
            try:
                pages.append(_read_page(page, i))
            finally:
                page.close()
            total += pages[-1].chars
            limits.check_pdf_total(total)
        return pages
    except pdfium.PdfiumError:
        raise ReportFileError(DAMAGED) from None
    except MemoryError:
        raise ReportFileError("PDF 文件过大或已损坏，无法读取") from None
    finally:
        pdf.close()


# ------------------------------------------------------------------------ page numbers, headers, footers


def _is_page_number(line: _Line, page: _Page, neighbour: _Line | None) -> bool:
    """A page number above or below the text: — 3 —, - 3 -, 第3页, 3/8; a bare number only when it
    stands apart from the nearest line (not the end of a number broken in a table without lines)."""
    if page.height * 0.25 < line.top and line.bottom < page.height * 0.75:
        return False
    text = line.text.strip()
    if text.isdigit() and neighbour is not None:
        gap = line.top - neighbour.bottom if neighbour.top < line.top else neighbour.top - line.bottom
        if gap < 0.8 * line.size:
            return False
    return any(p.fullmatch(text) for p in _PAGE_NUMBER)


def _drop_page_furniture(pages: list[_Page]) -> None:
    """Page numbers (— 3 —, - 3 -, 第3页) and running headers and footers repeated on the pages."""
    for page in pages:
        for _ in range(2):
            lines = page.lines
            if lines and _is_page_number(lines[-1], page, lines[-2] if len(lines) > 1 else None):
                lines.pop()
            if lines and _is_page_number(lines[0], page, lines[1] if len(lines) > 1 else None):
                lines.pop(0)
    if len(pages) < 2:
        return
    # Running headers and footers: the same text (page numbers in it aside) at the same height among
    # the first or last lines of most pages.
    places: dict[str, list[tuple[int, _Line]]] = {}
    for index, page in enumerate(pages):
        for line in _ends(page):
            places.setdefault(_DIGITS.sub("#", line.text.replace(" ", "")), []).append((index, line))
    needed = len(pages) if len(pages) <= 3 else max(2, int(0.6 * len(pages) + 0.5))
    drop: set[int] = set()
    for found in places.values():
        middle = _median([line.top for _, line in found])
        same = [(index, line) for index, line in found if abs(line.top - middle) <= 3]
        if len({index for index, _ in same}) >= needed:
            drop.update(id(line) for _, line in same)
    if drop:
        for page in pages:
            page.lines = [line for line in page.lines if id(line) not in drop]


def _ends(page: _Page) -> list[_Line]:
    """The first two and last two lines of a page, where running headers and footers stand."""
    lines = page.lines
    return lines[:2] + lines[max(2, len(lines) - 2):]


# -------------------------------------------------------------------------- tables without ruling lines


def _text_tables(page: _Page, body_size: float) -> None:
    """Runs of lines whose text stands in columns (cells apart by more than a character), read as
    tables: column boundaries from the gaps that run down the whole table, each cell placed by its x
    position (a blank cell stays blank; numbers never slide into the column of the blank)."""
    lines = page.lines
    used: set[int] = set()
    i = 0
    while i < len(lines):
        if len(lines[i].segments) < 2:
            i += 1
            continue
        start, end = _table_run(lines, i, body_size)
        group = lines[start:end]
        counts = [len(line.segments) for line in group]
        if sum(1 for c in counts if c >= 2) >= 3 and max(counts) >= 3:
            grid = _text_grid(group, page.number)
            if grid is not None:
                page.grids.append(grid)
                used.update(id(line) for line in group)
        i = end
    if used:
        page.lines = [line for line in lines if id(line) not in used]


def _table_run(lines: Sequence[_Line], first: int, body_size: float) -> tuple[int, int]:
    """The lines around `first` (a line of several cells) that make one table: lines of several cells
    set in the same size close below each other, with the lines of one cell among them (a label in two
    lines) and, when the table is set smaller than the text, the captions above it."""
    size = lines[first].size
    smaller = size < body_size - 0.5  # tables are usually set smaller than the text around them
    width = lines[first].x1 - lines[first].x0

    def near(j: int, gap: float = 1.5) -> bool:  # line j is set like the table, close below line j - 1
        return abs(lines[j].size - size) <= 0.6 and lines[j].top - lines[j - 1].bottom <= gap * size

    def one_cell(j: int, width: float) -> bool:  # a line of one cell that may belong to the table
        return len(lines[j].segments) < 2 and (smaller or lines[j].x1 - lines[j].x0 < 0.45 * width)

    start = first
    while smaller and start > 0 and one_cell(start - 1, width) and near(start):
        if abs(lines[start - 1].size - size) > 0.6:
            break
        start -= 1  # a caption or header of one cell above
    end = first + 1
    while end < len(lines) and near(end):
        if len(lines[end].segments) >= 2:
            width = max(width, lines[end].x1 - lines[end].x0)
            end += 1
            continue
        ahead = end
        while ahead < len(lines) and ahead - end < 3 and near(ahead) and one_cell(ahead, width):
            ahead += 1
        if end < ahead < len(lines) and len(lines[ahead].segments) >= 2 and near(ahead):
            end = ahead + 1
        elif one_cell(end, width) and near(end, 0.6):  # the rest of a label in the last row
            end += 1
        else:
            break
    return start, end


def _text_grid(lines: Sequence[_Line], page: int) -> _Grid | None:
    size = _median([line.size for line in lines])
    rows = _text_rows(lines, size)
    bounds = _text_columns([line.segments for line in lines], [row.segments for row in rows], size)
    columns = len(bounds) - 1
    if columns < 2:
        return None
    cells: list[_Cell] = []
    for r, row in enumerate(rows):
        parts: dict[int, tuple[int, list[_Char]]] = {}
        for seg in row.segments:
            first, span = _columns_of(seg, bounds)
            old_span, pieces = parts.get(first, (span, []))
            parts[first] = (max(old_span, span), pieces + seg)
        groups: list[tuple[int, int, list[_Char]]] = []  # first column, columns covered, characters
        for first, (span, pieces) in sorted(parts.items()):
            if groups and first < groups[-1][0] + groups[-1][1]:  # overlaps a wider cell on its left
                g_first, g_span, g_chars = groups[-1]
                groups[-1] = (g_first, max(g_span, first + span - g_first), g_chars + pieces)
            else:
                groups.append((first, span, pieces))
        col = 0
        for first, span, pieces in groups:
            cells.extend(_Cell(r, c, 1, 1, "") for c in range(col, first))
            span = min(span, columns - first)
            cells.append(_Cell(r, first, 1, span, _lines_text(_group_lines(pieces, page))))
            col = first + span
        cells.extend(_Cell(r, c, 1, 1, "") for c in range(col, columns))
    return _Grid(page, min(line.top for line in lines), bounds, len(rows), cells)


@dataclass
class _TextRow:
    segments: list[list[_Char]]
    top: float
    bottom: float

    @property
    def has_value(self) -> bool:
        return any(_VALUE.fullmatch("".join(ch.text for ch in seg)) for seg in self.segments)


_VALUE = re.compile(r"[-－+]?[\d０-９][\d０-９,，.．]*(万元|元|件|个|项|条)?|[-－—/／]|无")


def _text_rows(lines: Sequence[_Line], size: float) -> list[_TextRow]:
    """Rows of a table without ruling lines: lines whose heights overlap are one row (numbers set in
    the middle of a label of two lines); a line of label text alone, close above or below a row of
    numbers, is the rest of that row's label."""
    rows: list[_TextRow] = []
    low = high = 0.0
    for line in sorted(lines, key=lambda item: item.top):
        margin = 0.1 * (line.bottom - line.top)
        a, b = line.top + margin, line.bottom - margin
        if rows and a < high and b > low:
            rows[-1].segments.extend(line.segments)
            rows[-1].bottom = max(rows[-1].bottom, line.bottom)
            low, high = min(low, a), max(high, b)
        else:
            rows.append(_TextRow(list(line.segments), line.top, line.bottom))
            low, high = a, b
    merged: list[_TextRow] = []
    pending: _TextRow | None = None  # a label line waiting for the row of numbers below it
    for index, row in enumerate(rows):
        if pending is not None:
            row.segments[:0] = pending.segments
            row.top = pending.top
            pending = None
        fragment = len(row.segments) == 1 and not row.has_value
        if fragment:
            above = merged[-1] if merged else None
            below = rows[index + 1] if index + 1 < len(rows) else None
            gap_above = row.top - above.bottom if above is not None and above.has_value else None
            gap_below = below.top - row.bottom if below is not None and below.has_value else None
            if gap_above is not None and gap_above < 0.6 * size and (gap_below is None or gap_above <= gap_below):
                assert above is not None
                above.segments.extend(row.segments)
                above.bottom = row.bottom
                continue
            if gap_below is not None and gap_below < 0.6 * size:
                pending = row
                continue
        merged.append(row)
    return merged


def _text_columns(
    lines: Sequence[Sequence[Sequence[_Char]]], rows: Sequence[Sequence[Sequence[_Char]]], size: float
) -> list[float]:
    """Column boundaries of a table without ruling lines. Candidates are the gaps that run down the
    rows of several cells (a few cells may cross them: a wide number, a header over several columns);
    two neighbouring candidates are one column unless some row has a cell ending in the left one and
    another starting in the right one (a header centred above right-aligned numbers is not a column)."""
    runs = [segs for segs in lines if len(segs) >= 2]
    left = min(seg[0].x0 for segs in lines for seg in segs)
    right = max(seg[-1].x1 for segs in lines for seg in segs)
    allowed = int(0.2 * len(runs))
    edges = sorted({left, right, *(x for segs in runs for seg in segs for x in (seg[0].x0, seg[-1].x1))})
    bounds = [left]
    gap: list[tuple[float, float, int]] = []  # the elementary intervals of the gap being walked
    for a, b in [*itertools.pairwise(edges), (right, right)]:
        middle = (a + b) / 2
        covered = sum(1 for segs in runs if any(seg[0].x0 < middle < seg[-1].x1 for seg in segs))
        if covered <= allowed and b < right:
            gap.append((a, b, covered))
            continue
        if gap and gap[0][0] > left and gap[-1][1] - gap[0][0] >= 0.5 * size:
            # The boundary goes where the fewest cells cross it: in the middle of the widest such stretch.
            least = min(c for _, _, c in gap)
            stretches: list[list[float]] = []
            for x0, x1, c in gap:
                if c != least:
                    continue
                if stretches and abs(stretches[-1][1] - x0) < 1e-6:
                    stretches[-1][1] = x1
                else:
                    stretches.append([x0, x1])
            x0, x1 = max(stretches, key=lambda st: st[1] - st[0])
            bounds.append((x0 + x1) / 2)
        gap = []
    bounds.append(right)
    placed = [[_columns_of(seg, bounds) for seg in segs] for segs in rows]
    kept = [bounds[0]]
    start = 0
    for j in range(1, len(bounds) - 1):  # the boundary between candidates j - 1 and j
        apart = any(
            any(start <= f + n - 1 < j for f, n in cells) and any(f == j for f, _ in cells) for cells in placed
        )
        if apart:
            kept.append(bounds[j])
            start = j
    kept.append(bounds[-1])
    return kept


def _columns_of(seg: Sequence[_Char], bounds: Sequence[float]) -> tuple[int, int]:
    """The first column a run of text stands in and how many columns it covers."""
    x0, x1 = seg[0].x0, seg[-1].x1
    columns = len(bounds) - 1
    # A column counts when a good part of the text stands in it (not an end poking over the boundary).
    least = 0.3 * (x1 - x0)
    hit = [c for c in range(columns) if min(x1, bounds[c + 1]) - max(x0, bounds[c]) > least]
    if not hit:
        middle = (x0 + x1) / 2
        hit = [min(range(columns), key=lambda c: abs((bounds[c] + bounds[c + 1]) / 2 - middle))]
    return hit[0], hit[-1] - hit[0] + 1


# ------------------------------------------------------------------------------- document assembly


def _join_grids(first: _Grid, second: _Grid) -> bool:
    """Append `second` (the continuation on the next page) to `first` when the columns match; the
    header rows repeated at the top of the continuation are dropped. False when it is another table."""
    if abs(first.xs[0] - second.xs[0]) > 3 or abs(first.xs[-1] - second.xs[-1]) > 3:
        return False
    # A part may lack a column boundary the other has (no cell on that page ends there): then it is
    # put on the finer grid. Parts whose boundaries differ both ways are different tables.
    merged = _cluster([*first.xs, *second.xs], 3.0)
    if len(merged) not in (len(first.xs), len(second.xs)):
        return False
    for grid in (first, second):
        index = [_index(merged, x) for x in grid.xs]
        for cell in grid.cells:
            end = index[cell.col + cell.colspan]
            cell.col = index[cell.col]
            cell.colspan = end - cell.col
        grid.xs = merged

    def signature(grid: _Grid, row: int) -> list[tuple[int, int, int, str]]:
        return [(c.col, c.rowspan, c.colspan, re.sub(r"\s", "", c.text)) for c in grid.row_cells(row)]

    repeated = 0
    while (
        repeated < min(first.rows, second.rows)
        and signature(first, repeated) == signature(second, repeated)
        and signature(second, repeated)
    ):
        repeated += 1
    while repeated and any(c.row < repeated < c.row + c.rowspan for c in second.cells):
        repeated -= 1
    # Which cells at the head of this page go on from a cell at the foot of the last: decided by the
    # ruling lines. A cell is cut when its bottom border is missing at the foot of the page and its
    # top border at the head of the next (or its top is the repeated header's bottom rule).
    reaching = {(c.col, c.colspan): c for c in first.cells if c.row + c.rowspan == first.rows}
    top_row = second.row_cells(repeated)
    pairs = [(reaching.get((c.col, c.colspan)), c) for c in top_row]
    cut = {
        id(cell)
        for above, cell in pairs
        if above is not None and above.open_bottom and (cell.open_top or repeated > 0)
    }
    same_row = bool(top_row) and (all(id(cell) in cut for _, cell in pairs) or _split_row(pairs))
    continued: set[int] = set()
    for above, cell in pairs:
        if above is None:
            continue
        # A printer that closes the break (LibreOffice does, so does Word for a merged cell) leaves
        # the rest of a merged label empty at the head of the page: taking it in loses no text.
        # Two labels printed whole on either side of a closed break are two rows, such as a block's
        # header row (信息内容 …) at the foot of a page and its first row (政府集中采购 …) on the next.
        if same_row or id(cell) in cut or (not cell.text and _is_label(above.text)):
            above.text = _clean(_join(above.text, cell.text))
            above.score = min(above.score, cell.score)
            above.rowspan += cell.rowspan - (1 if same_row else 0)
            above.open_bottom = cell.open_bottom
            continued.add(id(cell))
    offset = first.rows - repeated - (1 if same_row else 0)
    for cell in second.cells:
        if cell.row >= repeated and id(cell) not in continued:
            cell.row += offset
            first.cells.append(cell)
    first.rows += second.rows - repeated - (1 if same_row else 0)
    first.page = second.page
    return True


def _split_row(pairs: Sequence[tuple[_Cell | None, _Cell]]) -> bool:
    """Whether the first row on a page is the rest of the last row of the page before, split by the
    page break with its borders closed: every cell stands under one of that row's, the row's numbers
    are all above the break (at least one), and what text goes on continues a label there."""
    if not pairs or any(above is None for above, _ in pairs):
        return False
    if any(cell.text and not _is_label(cell.text) for _, cell in pairs):
        return False
    if not any(above is not None and above.text and not _is_label(above.text) for above, _ in pairs):
        return False  # a header row above (信息内容 | 采购项目数量 …), not the first part of a row
    return all(
        above is not None and (not cell.text or _goes_on(above.text, cell.text)) for above, cell in pairs
    )


def _goes_on(before: str, after: str) -> bool:
    """Whether label text at the top of a page is the rest of the label above the page break: text
    that does not start a numbered item of its own (（五）, 2., 四、)."""
    return _is_label(before) and _is_label(after) and not _NUMBERED.match(after)


def _body_metrics(lines: Sequence[_Line]) -> tuple[float, float, float, float]:
    """Body text size, left and right edges of the text block, and the usual distance of two lines."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += len(line.chars)
    size = sizes.most_common(1)[0][0]
    body = [line for line in lines if abs(line.size - size) <= 0.6]
    starts = Counter(round(line.x0) for line in body)
    common = [x for x, n in starts.items() if n >= max(2, 0.05 * len(body))]
    left = float(min(common)) if common else min(line.x0 for line in body)
    ends = sorted(line.x1 for line in body if abs(line.x0 - left) <= 1.5)
    if len(ends) < 3:
        ends = sorted(line.x1 for line in body)
    right = ends[min(len(ends) - 1, int(0.9 * len(ends)))]
    steps = [
        b.top - a.top
        for a, b in itertools.pairwise(body)
        if a.page == b.page and 0.9 * size <= b.top - a.top <= 3 * size
    ]
    pitch = _median(steps) if steps else 1.8 * size
    return size, left, right, pitch


def _first_unit_width(line: _Line) -> float:
    """Width of what a line breaker could not have split off the start of a line: a Latin word or
    number, or one character, after any opening mark and with the closing marks that follow it
    (“（www.example.gov.cn）” moves to the next line whole)."""
    chars = line.chars
    start = 1 if chars[0].text in CANNOT_END and len(chars) > 1 else 0
    end = start + 1
    if not _is_wide(chars[start].text[0]):
        while end < len(chars) and not _is_wide(chars[end].text[0]) and chars[end].x0 - chars[end - 1].x1 < 1:
            end += 1
    while end < len(chars) and chars[end].text in CANNOT_START:
        end += 1
    return chars[end - 1].x1 - chars[0].x0


def _paragraphs(items: list[_Line | _Grid], lines: Sequence[_Line]) -> ExtractedDocument:
    """Lines joined into paragraphs (a line-wrapped paragraph is one, without spaces between CJK
    characters), tables between them, and where each paragraph starts: "第 2 页第 5 行", counting the
    lines of text on the page (page numbers, running heads and tables not counted)."""
    paragraphs: list[str] = []
    places: list[str] = []
    tables: list[ExtractedTable] = []
    positions: list[int] = []
    size, left, right, pitch = _body_metrics(lines) if lines else (12.0, 0.0, 0.0, 20.0)
    number: dict[int, int] = {}
    for _, page_lines in itertools.groupby(lines, key=lambda line: line.page):
        number.update((id(line), n) for n, line in enumerate(page_lines, 1))
    current: list[_Line] = []

    def flush() -> None:
        if current:
            text = _lines_text(current)
            if text:
                paragraphs.append(text)
                first = current[0]
                places.append(f"第 {first.page + 1} 页第 {number.get(id(first), 1)} 行")
            current.clear()

    def centred(line: _Line) -> bool:  # a line of the title (one filling the width counts too)
        return abs((line.x0 + line.x1) / 2 - (left + right) / 2) < 2 * line.size

    for item in items:
        if isinstance(item, _Grid):
            flush()
            positions.append(len(paragraphs))
            tables.append(item.extracted())
            continue
        line = item
        prev = current[-1] if current else None
        new = prev is None
        if prev is not None:
            big = line.size > size + 1.5 and prev.size > size + 1.5
            if big and centred(line) and centred(prev) and abs(line.size - prev.size) <= 1:
                new = line.page != prev.page or line.top - prev.bottom > 1.2 * line.size  # a title of two lines
            else:
                new = (
                    abs(line.size - prev.size) > 1.5
                    or line.x0 > left + 0.8 * line.size  # first-line indent, centred or right-aligned
                    or right - prev.x1 > _first_unit_width(line) + 0.5 * line.size  # previous line ended early
                    or (line.page == prev.page and line.top - prev.top > 1.7 * max(pitch, 1.0))
                    or bool(_HEADING1.match(line.text) and right - line.x1 > 2 * line.size)
                    or bool(_HEADING1.match(prev.text) and right - prev.x1 > 2 * prev.size)
                )
        if new:
            flush()
        current.append(line)
    flush()
    return ExtractedDocument(
        paragraphs=paragraphs, tables=tables, table_positions=positions, source="pdf", places=places
    )


def extract_pdf(path: str | os.PathLike[str]) -> ExtractedDocument:
    """Paragraphs and tables of a PDF with a text layer, in reading order. Tables come from ruling
    lines (or, without them, from text standing in columns), each cell once with its span; a table
    continued on the next page is one table, its repeated header rows dropped. Page numbers, running
    headers and footers and a 草稿 watermark are left out. ReportFileError (one line in Chinese) for a
    file that is not a readable PDF: damaged, truncated, encrypted, or scanned pages without text."""
    pages = _read_pages(_read_bytes(path))
    if not pages:
        raise ReportFileError("PDF 中没有页面")
    total = sum(p.chars for p in pages)
    if sum(p.unmapped for p in pages) > total:
        raise ReportFileError(UNMAPPED)
    # Scanned pages: a picture over most of the page and no more than a stamp or page number in text.
    scanned = sum(1 for p in pages if p.chars < 20 and p.image_cover >= 0.5)
    if total == 0 or scanned * 2 >= len(pages):
        raise ScannedPdf(SCANNED)
    return _document(pages)


def _document(pages: list[_Page]) -> ExtractedDocument:
    """The document the pages make: page furniture dropped, tables without ruling lines found, a table
    continued over a page break joined, lines joined into paragraphs."""
    _drop_page_furniture(pages)
    # The size of the text around tables: lines of one run of text (rows of a table have several).
    plain = [line for page in pages for line in page.lines if len(line.segments) == 1]
    body_size = _body_metrics(plain)[0] if plain else 12.0
    for page in pages:
        _text_tables(page, body_size)

    items: list[_Line | _Grid] = []
    previous_last: _Line | _Grid | None = None
    for page in pages:
        ordered: list[_Line | _Grid] = sorted([*page.lines, *page.grids], key=lambda item: item.top)
        for index, item in enumerate(ordered):
            if (
                index == 0
                and isinstance(item, _Grid)
                and isinstance(previous_last, _Grid)
                and items
                and items[-1] is previous_last
                and previous_last.page == page.number - 1
                and _join_grids(previous_last, item)
            ):
                continue
            items.append(item)
        if ordered:
            last = items[-1]
            previous_last = last if isinstance(last, _Grid) and last.page == page.number else None
        else:
            previous_last = None
    body_lines = [line for page in pages for line in page.lines]
    return _paragraphs(items, body_lines)
