"""PDF fixtures for the PDF reader's tests, drawn with reportlab into tmp_path: reports in layouts other
than our own export (other sizes, page numbers, running headers, tables split the way Word splits
them, tables without ruling lines), broken files, and what each should read back as."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from core.report import Report
from core.template import CellKind, load_template
from exports.layout import Layout, Paragraph, SignatureBlock, Table

Row = list[tuple[str, tuple[int, int]]]  # (text, (rowspan, colspan)) of the cells starting in a row


def squeeze(text: str) -> str:
    return "".join(text.split())


def expected_rows(table: Table) -> list[Row]:
    """A layout table as the reader must give it back: each cell once, in its first row, with its span."""
    rows: list[Row] = []
    for r in range(table.rows):
        cells = sorted((c for c in table.cells if c.row == r), key=lambda c: c.col)
        rows.append([(squeeze(c.text), (c.rowspan, c.colspan)) for c in cells])
    return rows


def extracted_rows(rows: Sequence[Sequence[str]], spans: Sequence[Sequence[tuple[int, int]]]) -> list[Row]:
    return [[(squeeze(t), s) for t, s in zip(r, sp, strict=True)] for r, sp in zip(rows, spans, strict=True)]


def expected_paragraphs(layout: Layout) -> tuple[list[str], list[int]]:
    """The paragraphs a reader must find in a rendering of `layout` (whitespace removed), and the
    number of paragraphs before each table."""
    paragraphs: list[str] = []
    positions: list[int] = []
    for block in layout.blocks:
        if isinstance(block, Paragraph):
            paragraphs.append(squeeze(block.lead + block.text))
        elif isinstance(block, Table):
            positions.append(len(paragraphs))
        else:
            paragraphs.append(squeeze(block.organ))
            paragraphs.append(squeeze(block.date) or "年月日")  # a blank date prints 年 月 日
    return paragraphs, positions


def distinct_report(template_id: str) -> Report:
    """A report with a different number in every input cell (a mix-up of two cells always shows), long
    enough numbers for the narrow columns, signed changes, money with decimals, and texts with
    run-in headings, a note under 二, an e-mail and phone number in the preamble."""
    template = load_template(template_id)
    year = 2023 if template_id == "2021" else 2020
    report = Report(template_id=template_id, agency="某某县市场监督管理局", year=year)
    report.title = report.default_title()
    report.preamble = (
        "本报告根据《中华人民共和国政府信息公开条例》编制。如对本报告有疑问，请联系本局办公室"
        "（电话：0591-87654321，邮箱：gongkai@example.gov.cn）。"
    )
    report.texts = {
        "s1": "（一）主动公开。全年主动公开政府信息1234条。\n（二）依申请公开。依法办理申请。\n"
        "（三）政府信息管理\n加强信息发布审核。",
        "s2_note": "本年度本部门政府信息公开发布总数量（非新闻类、消息类）：321条",
        "s5": "存在的主要问题是公开内容不够具体。\n下一步将加强培训，提高公开质量。",
        "s6": "本年度未收取信息处理费。",
    }
    for i, cell in enumerate(template.input_cells):
        if cell.kind is CellKind.MONEY:
            report.set_cell(cell.id, Decimal(f"{1000 + 37 * i}.{(i * 7) % 100:02d}"))
        elif cell.kind is CellKind.SIGNED:
            report.set_cell(cell.id, -(3 + i) if i % 2 else 5 + i)
        else:
            report.set_cell(cell.id, 11 + 23 * i + (1000 if i % 5 == 0 else 0))
    report.signature.organ = report.agency
    report.signature.date = f"{year + 1}-01-25"
    return report


def _wrap(text: str, font: str, size: float, widths: Callable[[int], float]) -> list[str]:
    """Lines of at most widths(n) points, broken between any two characters (as a naive writer does)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and stringWidth(line + ch, font, size) > widths(len(lines)):
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


@dataclass
class Style:
    """A layout unlike our export's: other page size, margins, type sizes and page furniture."""

    page: tuple[float, float] = A4
    top: float = 60.0
    bottom: float = 70.0
    left: float = 70.0
    right: float = 60.0
    title_size: float = 18.0
    body_size: float = 12.0
    leading: float = 21.0
    cell_size: float = 9.0
    page_label: Callable[[int], str] = lambda n: f"- {n} -"
    running_header: str = ""
    ruled: bool = True


class Drawing:
    """A report drawn line by line and cell by cell on a reportlab canvas."""

    def __init__(self, path: Path, font: str, style: Style) -> None:
        self.canvas = Canvas(str(path), pagesize=style.page, invariant=1)
        self.font = font
        self.style = style
        self.width = style.page[0] - style.left - style.right
        self.page = 1
        self.y = style.page[1] - style.top
        self._decorate()

    def _decorate(self) -> None:
        s = self.style
        c = self.canvas
        c.setFont(self.font, 10.5)
        if s.running_header:
            c.drawCentredString(s.page[0] / 2, s.page[1] - s.top / 2, s.running_header)
            c.line(s.left, s.page[1] - s.top / 2 - 4, s.page[0] - s.right, s.page[1] - s.top / 2 - 4)
        if s.page_label(self.page):
            c.drawCentredString(s.page[0] / 2, s.bottom / 2, s.page_label(self.page))

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.y = self.style.page[1] - self.style.top
        self._decorate()

    def paragraph(self, text: str, *, size: float | None = None, align: str = "left", indent: int = 2) -> None:
        s = self.style
        size = size or s.body_size
        lead = indent * size if align == "left" else 0.0
        lines = _wrap(text, self.font, size, lambda n: self.width - (lead if n == 0 else 0))
        leading = s.leading * size / s.body_size
        for n, line in enumerate(lines):
            if self.y - leading < s.bottom:
                self.new_page()
            self.y -= leading
            self.canvas.setFont(self.font, size)
            if align == "center":
                self.canvas.drawCentredString(s.left + self.width / 2, self.y, line)
            elif align == "right":
                self.canvas.drawRightString(s.left + self.width - 2 * size, self.y, line)
            else:
                self.canvas.drawString(s.left + (lead if n == 0 else 0), self.y, line)

    def table(self, table: Table, *, break_before: Sequence[int] = ()) -> None:
        """A table with every merge, its header rows repeated on each page. A page break may fall
        inside a merged cell (Word does that): the cell's text stays on the first page and the rest of
        the cell continues empty on the next, as Word prints it."""
        s = self.style
        size = s.cell_size
        leading = size * 1.25
        pad = 3.0
        total = sum(table.widths)
        xs = [s.left]
        for w in table.widths:
            xs.append(xs[-1] + self.width * w / total)

        def lines_of(cell_text: str, col: int, colspan: int) -> list[str]:
            room = xs[col + colspan] - xs[col] - 2 * pad
            return _wrap(cell_text, self.font, size, lambda n: room)

        heights = [leading + 2 * pad] * table.rows
        for cell in table.cells:
            if cell.rowspan == 1:
                need = len(lines_of(cell.text, cell.col, cell.colspan)) * leading + 2 * pad
                heights[cell.row] = max(heights[cell.row], need)
        self.y -= 6
        if self.y - sum(heights[: table.header_rows + 1]) < s.bottom:
            self.new_page()  # not even the header and one row fit: the table starts on the next page
        placed: dict[int, tuple[int, float]] = {}  # row -> (page, top y)
        parts: list[list[int]] = [[]]
        r = 0
        while r < table.rows:
            needs_break = self.y - heights[r] < s.bottom or (r in break_before and parts[-1])
            if needs_break and r >= table.header_rows and any(p >= table.header_rows for p in parts[-1]):
                # Word makes a row taller rather than break a merged cell before its text: break earlier then.
                start = r
                for cell in table.cells:
                    if cell.row < start < cell.row + cell.rowspan and cell.text:
                        room = sum(heights[cell.row : start])
                        if len(lines_of(cell.text, cell.col, cell.colspan)) * leading + 2 * pad > room:
                            start = cell.row
                if start > min(p for p in parts[-1] if p >= table.header_rows):
                    parts[-1] = [p for p in parts[-1] if p < start]
                    r = start
                self._draw_part(table, parts[-1], placed, xs, lines_of, leading, heights)
                self.new_page()
                parts.append([])
                for h in range(table.header_rows):
                    placed[h] = (self.page, self.y)
                    parts[-1].append(h)
                    self.y -= heights[h]
            placed[r] = (self.page, self.y)
            parts[-1].append(r)
            self.y -= heights[r]
            r += 1
        self._draw_part(table, parts[-1], placed, xs, lines_of, leading, heights)
        self.y -= 6

    def _draw_part(
        self,
        table: Table,
        rows: list[int],
        placed: dict[int, tuple[int, float]],
        xs: list[float],
        lines_of: Callable[[str, int, int], list[str]],
        leading: float,
        heights: list[float],
    ) -> None:
        c = self.canvas
        shown = set(rows)
        for cell in table.cells:
            visible = [r for r in range(cell.row, cell.row + cell.rowspan) if r in shown]
            if not visible:
                continue
            top = placed[visible[0]][1]
            bottom = placed[visible[-1]][1] - heights[visible[-1]]
            x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
            if self.style.ruled:
                c.setLineWidth(0.5)
                c.rect(x0, bottom, x1 - x0, top - bottom)
            if cell.row not in shown:
                continue  # the rest of a merged cell broken by the page: drawn empty
            lines = lines_of(cell.text, cell.col, cell.colspan)
            c.setFont(self.font, self.style.cell_size)
            middle = (top + bottom) / 2
            y = middle + len(lines) * leading / 2 - leading + 0.25 * self.style.cell_size
            for line in lines:
                if cell.align == "left":
                    c.drawString(x0 + 3, y, line)
                else:
                    c.drawCentredString((x0 + x1) / 2, y, line)
                y -= leading

    def save(self) -> None:
        self.canvas.save()


def draw_report(
    path: Path, layout: Layout, font: str, style: Style, *, break_before: dict[str, Sequence[int]] | None = None
) -> None:
    """The layout of a report drawn in `style`: title, paragraphs with a first-line indent of two
    characters, headings, the three tables and the signature."""
    drawing = Drawing(path, font, style)
    for block in layout.blocks:
        if isinstance(block, Table):
            drawing.table(block, break_before=(break_before or {}).get(block.id, ()))
        elif isinstance(block, SignatureBlock):
            drawing.y -= 2 * style.leading
            drawing.paragraph(block.organ, align="right", indent=0)
            drawing.paragraph(block.date or "    年  月  日", align="right", indent=0)
        elif block.style == "title":
            drawing.paragraph(block.text, size=style.title_size, align="center", indent=0)
            drawing.y -= style.leading
        else:
            drawing.paragraph(block.lead + block.text)
    drawing.save()


def draw_columns(
    path: Path,
    font: str,
    before: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str | tuple[str, ...]]],
    after: str,
    *,
    widths: Sequence[float],
    size: float = 10.0,
) -> None:
    """A table without ruling lines: cells set in columns (labels left, numbers right-aligned), a
    label may take two lines with its numbers set in the middle of them; a paragraph above and below."""
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    left, y = 72.0, A4[1] - 90
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    canvas.setFont(font, 12)
    canvas.drawString(left + 24, y, before)
    y -= 30
    canvas.setFont(font, size)
    for i, text in enumerate(header):
        canvas.drawCentredString((xs[i] + xs[i + 1]) / 2, y, text)
    y -= size * 2
    for row in rows:
        tall = max(len(cell) if isinstance(cell, tuple) else 1 for cell in row)
        for i, cell in enumerate(row):
            lines = cell if isinstance(cell, tuple) else (cell,)
            line_y = y - (tall - len(lines)) * size * 1.3 / 2
            for line in lines:
                if i == 0:
                    canvas.drawString(xs[i] + 2, line_y, line)
                else:
                    canvas.drawRightString(xs[i + 1] - 6, line_y, line)
                line_y -= size * 1.3
        y -= size * 1.3 * tall + size * 0.9
    canvas.setFont(font, 12)
    canvas.drawString(left + 24, y - 20, after)
    canvas.save()


def image_only_pdf(path: Path) -> None:
    """A 'scanned' report: each page one picture, no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (620, 877), 255)
    pen = ImageDraw.Draw(image)
    for y in range(80, 800, 24):
        pen.line((60, y, 560, y), fill=0, width=6)
    png = io.BytesIO()
    image.save(png, format="PNG")
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    from reportlab.lib.utils import ImageReader

    for _ in range(2):
        canvas.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, A4[0], A4[1])
        canvas.showPage()
    canvas.save()


def encrypted_copy(source: Path, target: Path, *, user_password: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    with target.open("wb") as handle:
        writer.write(handle)


def garbage_pdf_bytes() -> bytes:
    """Starts like a PDF and ends like one, with nothing readable in between."""
    return b"%PDF-1.7\n" + zlib.compress(b"not a pdf object " * 50) + b"\n%%EOF\n"


def unmapped_font_pdf() -> bytes:
    """A page of text in a font without a map to Unicode (glyph numbers only, no ToUnicode): the text
    layer is there but says nothing; pdfminer also logs about the font's missing metrics."""
    shown = "".join(
        f"BT /F1 14 Tf 72 {760 - 24 * i} Td <{''.join(f'{0x100 + i * 7 + k:04X}' for k in range(20))}> Tj ET\n"
        for i in range(25)
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NoUnicode /Encoding /Identity-H /DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoUnicode"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(shown) + shown + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
