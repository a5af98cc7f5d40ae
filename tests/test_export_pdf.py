"""PDF export: read the output back (pdfplumber for every character's place and font, pypdf, pdffonts)
and check words, numbers, places, the standard page's grid, justification, pagination, fonts, metadata."""

from __future__ import annotations

import dataclasses
import datetime
import io
import itertools
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from core.linebreak import break_units, can_break
from core.nextyear import new_report
from core.report import Report
from core.reportfile import read_report_file
from exports import pdf_export
from exports.fonts import FontError, FontFile, FontSet, probe, register
from exports.layout import (
    BODY_PT,
    CELL_PADDING_PT,
    CELL_PT,
    CHAR_PITCH_PT,
    CHARS_PER_LINE,
    HEADING_KEEP_LINES,
    LINE_PITCH_PT,
    LINES_PER_PAGE,
    PAGE_NUMBER_PT,
    SIGNATURE_RIGHT_CHARS,
    TITLE_LEADING_PT,
    TITLE_PT,
    GridCell,
    Layout,
    Paragraph,
    SignatureBlock,
    Table,
    build_layout,
)
from exports.pdf_export import (
    INDENT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    render_pdf,
    title_lines,
    write_pdf,
)
from tests.conftest import SAMPLES_DIR, libreoffice_to_pdf

SAMPLE_NAMES = ("seed-2020-tiexi.json", "real/2019_pingtan.json", "real/2022_pingtan.json")
SIX_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
CLOSING = "，。、；：？！）》」』”’〉】〕"
OPENING = "（《「『“‘〈【〔"
MM = 72 / 25.4
RIGHT = MARGIN_LEFT + TEXT_WIDTH  # the right margin
FILLER = "政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def names(fonts: FontSet) -> dict[str, str]:
    return register(fonts)


def sample(name: str) -> Report:
    path = SAMPLES_DIR / name
    assert path.is_file(), f"sample not found at {path}"
    return read_report_file(path)


def distinctive_report(year: int) -> tuple[Report, dict[str, str]]:
    """A new report whose every input cell holds its own number (1001, 1002, …): each number can
    appear in exactly one place, and the sums (≥ 4004) collide with none of them."""
    report = new_report("某某市某某区人民政府办公室", year)
    values = {}
    for number, cell in enumerate(report.template.input_cells, start=1001):
        report.set_cell(cell.id, number)
        values[cell.id] = str(number)
    report.texts["s1"] = "（一）主动公开。本机关主动公开政府信息。\n（二）依申请公开\n依法办理申请。"
    report.texts["s5"] = "存在的主要问题是公开内容不够具体。"
    report.texts["s6"] = "本年度未收取信息处理费。"
    report.signature.date = f"{year + 1}-01-20"
    return report, values


# --- reading the PDF back: every character with its place and font


@dataclass(frozen=True)
class Char:
    page: int  # 1-based
    text: str
    x0: float
    x1: float
    baseline: float  # from the bottom of the page, as drawn
    size: float
    font: str  # the BaseFont, subset tag removed

    @property
    def face(self) -> str:
        """WenQuanYiZenHei-0 → WenQuanYiZenHei: the face, whichever of its subsets."""
        return self.font.rsplit("-", 1)[0] if self.font.rsplit("-", 1)[-1].isdigit() else self.font


@dataclass
class Line:
    """Characters on one baseline of a page (a row of a table, or a piece of it: see `segments`)."""

    chars: list[Char]

    @property
    def page(self) -> int:
        return self.chars[0].page

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def y(self) -> float:
        return self.chars[0].baseline

    @property
    def faces(self) -> set[str]:
        return {c.face for c in self.chars}


def chars_of(data: bytes) -> list[Char]:
    """The printed characters (spaces and the 草稿 watermark left out), page by page."""
    out: list[Char] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for c in page.chars:
                if not c["text"].strip() or not c["upright"] or c["size"] > 60:
                    continue
                font = c["fontname"].split("+", 1)[-1]
                size = round(c["size"], 2)
                out.append(Char(number, c["text"], c["x0"], c["x1"], c["matrix"][5], size, font))
    return out


def rows_of(data: bytes) -> list[Line]:
    """Characters grouped by page and baseline, top to bottom, each left to right."""
    groups: dict[tuple[int, float], list[Char]] = {}
    for c in chars_of(data):
        groups.setdefault((c.page, round(c.baseline, 1)), []).append(c)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], -item[0][1]))
    return [Line(sorted(chars, key=lambda c: c.x0)) for _, chars in ordered]


def segments(rows: Sequence[Line], gap: float = 2.5) -> list[Line]:
    """Rows cut where characters stand apart: the texts of the cells of a table row, one by one."""
    out: list[Line] = []
    for row in rows:
        current = [row.chars[0]]
        for before, after in itertools.pairwise(row.chars):
            if after.x0 - before.x1 > gap:
                out.append(Line(current))
                current = []
            current.append(after)
        out.append(Line(current))
    return out


def full_text(data: bytes) -> str:
    """The document's text without whitespace and page numbers, so a paragraph that goes on
    over a page reads as one."""
    text = "".join(re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"—\d+—", "", text)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def column_edges(table: Table) -> list[float]:
    total = sum(table.widths)
    edges = [MARGIN_LEFT]
    for width in table.widths:
        edges.append(edges[-1] + TEXT_WIDTH * width / total)
    return edges


def face_name(fontname: str) -> str:
    return str(pdfmetrics.getFont(fontname).face.name.decode("latin-1"))


def is_page_number(line: Line) -> bool:
    return bool(re.fullmatch(r"—\d+—", line.text))


def body_rows(data: bytes) -> list[Line]:
    """The lines of text set in 3号 (body, headings, signature), page numbers left out."""
    return [r for r in rows_of(data) if abs(r.chars[0].size - BODY_PT) < 0.1 and not is_page_number(r)]


def layout_of(*blocks: Paragraph | Table | SignatureBlock) -> Layout:
    return Layout("测试", (Paragraph("title", "测试"), *blocks), draft=False)


def cjk_text(count: int, offset: int = 0) -> str:
    return "".join(FILLER[(offset + i) % len(FILLER)] for i in range(count))


# --- numbers in their places


@pytest.mark.parametrize("year", [2022, 2020])
def test_every_input_number_lands_in_its_cell(fonts: FontSet, year: int) -> None:
    report, values = distinctive_report(year)
    layout = build_layout(report)
    lines = segments(rows_of(render_pdf(layout, fonts)))
    row_place: dict[tuple[str, int], tuple[int, float]] = {}
    for table in layout.tables:
        edges = column_edges(table)
        for cell in (c for c in table.cells if c.cell_id in values):
            assert cell.cell_id is not None and cell.text == values[cell.cell_id]
            found = [line for line in lines if line.text == cell.text]
            assert len(found) == 1, f"{cell.cell_id} = {cell.text} printed {len(found)} times"
            line = found[0]
            left, right = edges[cell.col], edges[cell.col + cell.colspan]
            assert abs((line.x0 + line.x1) / 2 - (left + right) / 2) < 1, f"{cell.cell_id} not centred in its column"
            place = row_place.setdefault((table.id, cell.row), (line.page, line.y))
            assert place[0] == line.page and abs(place[1] - line.y) < 0.1, f"{cell.cell_id} not on its row"
        # Rows go down the page in layout order.
        places = [row_place[(table.id, r)] for r in range(table.rows) if (table.id, r) in row_place]
        assert places == sorted(places, key=lambda p: (p[0], -p[1]))
        # Computed cells (sums from the data) stand in their own column on their row.
        for cell in (c for c in table.cells if c.computed):
            left, right = edges[cell.col], edges[cell.col + cell.colspan]
            hits = [ln for ln in lines if ln.text == cell.text and left <= ln.x0 <= right]
            if (table.id, cell.row) in row_place:
                page, y = row_place[(table.id, cell.row)]
                hits = [ln for ln in hits if ln.page == page and abs(ln.y - y) < 0.1]
            assert hits, f"{cell.cell_id} = {cell.text} not found in its column"


def test_label_cells_are_aligned_as_the_layout_says(fonts: FontSet, names: dict[str, str]) -> None:
    report, _ = distinctive_report(2022)
    layout = build_layout(report)
    lines = segments(rows_of(render_pdf(layout, fonts)))
    s3 = next(t for t in layout.tables if t.id == "s3")
    edges = column_edges(s3)
    checked = 0
    for cell in s3.cells:
        left, right = edges[cell.col], edges[cell.col + cell.colspan]
        width = stringWidth(cell.text, names["song"], CELL_PT)
        if cell.cell_id or width > right - left - 2 * CELL_PADDING_PT:  # one-line labels only
            continue
        line = next(ln for ln in lines if ln.text == cell.text)
        if cell.align == "left":
            assert line.x0 == pytest.approx(left + CELL_PADDING_PT, abs=0.5), cell.text
        else:
            assert (line.x0 + line.x1) / 2 == pytest.approx((left + right) / 2, abs=1), cell.text
        assert {c.size for c in line.chars} == {CELL_PT}
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_numbers_all_appear_in_table_order(fonts: FontSet, name: str) -> None:
    layout = build_layout(sample(name))
    texts = [line.text for line in segments(rows_of(render_pdf(layout, fonts)))]
    for table in layout.tables:
        expected = [c.text for c in sorted(table.cells, key=lambda c: (c.row, c.col)) if c.cell_id and c.text]
        assert expected
        position = 0
        for text in texts:
            if position < len(expected) and text == expected[position]:
                position += 1
        missing = expected[position] if position < len(expected) else None
        assert position == len(expected), f"{table.id}: {missing!r} (cell {position}) missing or out of order"


def test_blank_cells_print_zero_or_nothing(fonts: FontSet) -> None:
    report = new_report("某某县人民政府办公室", 2023)
    zeros = {}
    for blank_as_zero in (True, False):
        data = render_pdf(build_layout(report, blank_as_zero=blank_as_zero), fonts)
        zeros[blank_as_zero] = sum(1 for line in segments(rows_of(data)) if line.text == "0")
    # With blanks left blank, the totals of blank cells are blank too: nothing prints 0.
    assert (zeros[True], zeros[False]) == (len(report.template.cells), 0)


def test_numbers_are_never_broken_and_keep_their_size(fonts: FontSet) -> None:
    """三's narrow columns hold six digits and 四's five, in 5号 type on one line; a number wider
    than any cell is set smaller (the last resort) but still on one line."""
    report = new_report("某某县人民政府办公室", 2023)
    template = report.template
    for i, cell in enumerate(template.input_cells):
        if cell.id.startswith("s3."):
            report.set_cell(cell.id, 100000 + 7 * i)
        elif cell.id.startswith("s4."):
            report.set_cell(cell.id, 10000 + 7 * i)
    report.set_cell("s4.review.upheld", 1234567)  # wider than any cell of 四: set smaller
    layout = build_layout(report, blank_as_zero=False)
    rows = rows_of(render_pdf(layout, fonts))
    checked = 0
    for table in layout.tables:
        edges = column_edges(table)
        for cell in table.cells:
            if not cell.cell_id or not cell.text:
                continue
            left, right = edges[cell.col], edges[cell.col + cell.colspan]
            # What each line of text has between the cell's rules: the number whole, on one line.
            pieces = [Line([c for c in r.chars if left < (c.x0 + c.x1) / 2 < right]) for r in rows]
            found = [p for p in pieces if p.chars and p.text in cell.text]
            assert [p.text for p in found] == [cell.text], f"{cell.cell_id} = {cell.text} is not one line"
            line = found[0]
            assert left < line.x0 and line.x1 < right + 0.5, cell.cell_id
            if len(cell.text) > {"s3": 6, "s4": 5}.get(table.id, 12):
                assert max(c.size for c in line.chars) < CELL_PT, cell.cell_id
            elif table.id in ("s3", "s4"):
                assert {c.size for c in line.chars} == {CELL_PT}, f"{cell.cell_id} shrunk"
                checked += 1
    assert checked >= 7 * 20 + 13


# --- the standard page: 28 characters a line, justified


def test_full_lines_hold_28_characters_on_the_grid(fonts: FontSet) -> None:
    text = cjk_text(26 + 28 + 28 + 10)
    rows = body_rows(render_pdf(layout_of(Paragraph("body", text)), fonts))
    assert [len(r.text) for r in rows] == [26, 28, 28, 10]
    assert "".join(r.text for r in rows) == text
    for number, row in enumerate(rows):
        first = MARGIN_LEFT + (INDENT if number == 0 else 0)
        for k, c in enumerate(row.chars):
            assert c.x0 == pytest.approx(first + k * CHAR_PITCH_PT, abs=0.01), (number, k)
    assert rows[1].chars[-1].x0 + CHAR_PITCH_PT == pytest.approx(RIGHT, abs=0.01)
    # 22 lines fill a page: line after line one pitch apart.
    long = render_pdf(layout_of(Paragraph("body", cjk_text(28 * 60))), fonts)
    pages = body_rows(long)
    second = [r for r in pages if r.page == 2]
    assert len(second) == LINES_PER_PAGE
    steps = {round(a.y - b.y, 2) for a, b in itertools.pairwise(second)}
    assert steps == {round(LINE_PITCH_PT, 2)}


def paragraph_lines(rows: Sequence[Line]) -> Iterator[tuple[Line, bool]]:
    """Body lines with whether each is the last of its paragraph (the next line is indented, or
    stands elsewhere: a heading, a table, a signature)."""
    for row, after in itertools.pairwise([*rows, None]):
        last = after is None or abs(after.x0 - MARGIN_LEFT) > 0.5
        yield row, last


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_body_lines_end_at_the_right_margin(fonts: FontSet, name: str) -> None:
    """Justified: every line but a paragraph's last ends within 1 mm of the right margin."""
    rows = [r for r in body_rows(render_pdf(build_layout(sample(name)), fonts)) if r.x0 < MARGIN_LEFT + INDENT + 1]
    full = [row for row, last in paragraph_lines(rows) if not last]
    assert len(full) > 20
    ragged = [(row.page, row.text, round(RIGHT - row.x1, 2)) for row in full if abs(row.x1 - RIGHT) > MM]
    assert ragged == []


def test_latin_words_are_not_pulled_apart(fonts: FontSet) -> None:
    text = (
        "本机关2022年共收到申请12.5万件，网址www.example.gov.cn，电话0591-87654321，"
        "邮箱gongkai@example.gov.cn，全年主动公开政府信息1234条，其中Excel表格36份。" * 3
    )
    rows = body_rows(render_pdf(layout_of(Paragraph("body", text)), fonts))
    words = 0
    for row in rows:
        for before, after in itertools.pairwise(row.chars):
            if re.fullmatch(r"[!-~]", before.text) and re.fullmatch(r"[!-~]", after.text):
                assert after.x0 == pytest.approx(before.x1, abs=0.01), (row.text, before.text, after.text)
                words += 1
    assert words > 100
    assert "".join(r.text for r in rows) == text


def test_a_line_that_would_gape_is_not_justified(fonts: FontSet) -> None:
    """A long web address pushed to the next line leaves a hole no spacing should fill."""
    address = "https://www.example.gov.cn/xxgk/zfxxgkndbg/2022/index.html"
    text = cjk_text(8) + address + "。"
    rows = body_rows(render_pdf(layout_of(Paragraph("body", text)), fonts))
    assert [r.text for r in rows] == [cjk_text(8), address + "。"]
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(rows[0].chars)]
    assert max(gaps) < pdf_export.MAX_STRETCH


# --- the document


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pages_are_a4_and_every_font_is_embedded(fonts: FontSet, name: str) -> None:
    reader = PdfReader(io.BytesIO(render_pdf(build_layout(sample(name)), fonts)))
    assert len(reader.pages) >= 2
    seen = 0
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(595.28, abs=1)
        assert float(box.height) == pytest.approx(841.89, abs=1)
        for font in page_fonts(page["/Resources"]):
            seen += 1
            assert font["/BaseFont"] != "/Helvetica"
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded as TrueType"
    assert seen >= len(reader.pages)


def page_fonts(resources: Any) -> Iterator[Any]:
    resources = resources.get_object()
    for font in resources.get("/Font", {}).values():
        yield font.get_object()
    for xobject in resources.get("/XObject", {}).values():
        xobject = xobject.get_object()
        if "/Resources" in xobject:
            yield from page_fonts(xobject["/Resources"])


@pytest.mark.needs_tool("pdffonts")
def test_pdffonts_reports_every_font_embedded(fonts: FontSet, tmp_path: Path) -> None:
    target = tmp_path / "报告.pdf"
    write_pdf(sample("real/2022_pingtan.json"), target, fonts=fonts)
    result = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True, timeout=60)
    rows = result.stdout.splitlines()[2:]
    assert rows, result.stdout
    for row in rows:
        parts = row.split()
        assert parts[-5] == "yes", row  # the emb column
        assert "TrueType" in row, row


def test_invariant_output_gives_the_same_bytes(fonts: FontSet) -> None:
    layout = build_layout(sample("real/2022_pingtan.json"))
    first = render_pdf(layout, fonts, invariant=True)
    render_pdf(build_layout(sample("seed-2020-tiexi.json")), fonts, invariant=True)  # another one in between
    assert render_pdf(layout, fonts, invariant=True) == first


def test_metadata_dated_now_with_title_and_author(fonts: FontSet, tmp_path: Path) -> None:
    report = sample("real/2022_pingtan.json")
    report.signature.organ = "平潭综合实验区管委会办公室"
    target = tmp_path / "报告.pdf"
    before = datetime.datetime.now().astimezone()
    write_pdf(report, target, fonts=fonts)
    after = datetime.datetime.now().astimezone()
    meta = PdfReader(target).metadata
    assert meta is not None
    created = meta.creation_date
    assert created is not None
    if created.tzinfo is None:
        created = created.replace(tzinfo=before.tzinfo)
    assert before - datetime.timedelta(seconds=2) <= created <= after + datetime.timedelta(seconds=2)
    assert meta.title == "平潭综合实验区2022年政府信息公开工作年度报告"
    assert meta.author == "平潭综合实验区管委会办公室"
    assert meta.creator == meta.producer == "政府信息公开年报助手"
    fixed = PdfReader(io.BytesIO(render_pdf(build_layout(report), fonts, invariant=True))).metadata
    assert fixed is not None and fixed.creation_date is not None and fixed.creation_date.year == 2000


def test_draft_marks_every_page(fonts: FontSet) -> None:
    report = sample("seed-2020-tiexi.json")
    draft = PdfReader(io.BytesIO(render_pdf(build_layout(report, draft=True), fonts)))
    final = PdfReader(io.BytesIO(render_pdf(build_layout(report), fonts)))
    assert len(draft.pages) == len(final.pages)
    for page in draft.pages:
        assert "草稿" in page.extract_text()
    for page in final.pages:
        assert "草稿" not in page.extract_text()


def test_page_numbers_outside_the_text_block_alternating_sides(fonts: FontSet, names: dict[str, str]) -> None:
    data = render_pdf(build_layout(sample("real/2019_pingtan.json")), fonts)
    pages = page_count(data)
    assert pages >= 3
    rows = rows_of(data)
    for number in range(1, pages + 1):
        found = [r for r in rows if r.text == f"—{number}—"]
        assert len(found) == 1, number
        line = found[0]
        assert line.page == number
        # 7 mm below the text block: the dash's top, about 0.4 em above the baseline.
        assert line.y + 0.4 * PAGE_NUMBER_PT == pytest.approx(MARGIN_BOTTOM - 7 * MM, abs=0.5)
        width = stringWidth(f"— {number} —", names["song"], PAGE_NUMBER_PT)
        if number % 2:
            assert line.x1 == pytest.approx(PAGE_WIDTH - MARGIN_RIGHT - PAGE_NUMBER_PT, abs=0.5)
        else:
            assert line.x0 == pytest.approx(MARGIN_LEFT + PAGE_NUMBER_PT, abs=0.5)
        assert line.x1 - line.x0 == pytest.approx(width, abs=0.5)  # no spacing left over from the text


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_title_and_six_headings_appear(fonts: FontSet, name: str) -> None:
    layout = build_layout(sample(name))
    text = full_text(render_pdf(layout, fonts))
    assert re.sub(r"\s+", "", layout.title) in text
    for heading in SIX_HEADINGS:
        assert heading in text
    for block in layout.blocks:
        if isinstance(block, Paragraph):
            assert re.sub(r"\s+", "", block.lead + block.text) in text


def test_title_is_centred_and_body_indented(fonts: FontSet) -> None:
    report, _ = distinctive_report(2022)
    report.title = "某某区2022年报告"
    rows = rows_of(render_pdf(build_layout(report), fonts))
    title = next(r for r in rows if r.text == "某某区2022年报告")
    assert (title.x0 + title.x1) / 2 == pytest.approx(MARGIN_LEFT + TEXT_WIDTH / 2, abs=1)
    assert {c.size for c in title.chars} == {TITLE_PT}
    heading = next(r for r in rows if r.text == "一、总体情况")
    assert heading.x0 == pytest.approx(MARGIN_LEFT + 2 * CHAR_PITCH_PT, abs=0.01)


def test_long_title_breaks_after_the_organ_and_stays_centred(fonts: FontSet) -> None:
    layout = build_layout(sample("real/2022_pingtan.json"))
    assert layout.title == "平潭综合实验区2022年政府信息公开工作年度报告"
    rows = [r for r in rows_of(render_pdf(layout, fonts)) if r.page == 1]
    organ = next(r for r in rows if r.text == "平潭综合实验区")
    rest = next(r for r in rows if r.text == "2022年政府信息公开工作年度报告")
    assert organ.y - rest.y == pytest.approx(TITLE_LEADING_PT, abs=0.1)
    for line in (organ, rest):
        assert (line.x0 + line.x1) / 2 == pytest.approx(MARGIN_LEFT + TEXT_WIDTH / 2, abs=1)


def test_title_without_a_year_is_broken_into_even_lines(names: dict[str, str]) -> None:
    title = "某某省某某市某某县某某乡镇人民政府办公室和某某局某某中心关于政府信息公开工作的年度报告"
    lines = title_lines(title, names["title"])
    assert "".join(lines) == title
    assert len(lines) == 3
    assert max(map(len, lines)) - min(map(len, lines)) <= 2
    assert title_lines("短标题", names["title"]) == ["短标题"]
    organ = "某某省某某市某某县某某乡镇人民政府办公室和某某局某某中心"
    assert title_lines(organ + "2024年政府信息公开工作年度报告", names["title"])[-1] == "2024年政府信息公开工作年度报告"


# --- the signature


@pytest.mark.parametrize(
    ("organ", "iso", "date"),
    [
        ("某某市某某区人民政府办公室", "2026-01-20", "2026年1月20日"),
        ("某某县人民政府", "2026-12-20", "2026年12月20日"),
        ("某某局", "2026-01-02", "2026年1月2日"),
        ("某某省某某市某某区人民政府办公室政务公开科", "2026-01-02", "2026年1月2日"),
    ],
)
def test_signature_four_characters_in_organ_centred_over_the_date(
    fonts: FontSet, organ: str, iso: str, date: str
) -> None:
    """右空四字 (GB/T 9704, sealed documents): the date ends four characters from the right margin and
    the organ is centred over it, unless the organ is too long for that: then it ends half a character
    inside the margin, the date still centred under it. Below room for the seal, on the text's page."""
    report, _ = distinctive_report(2025)
    report.signature.organ = organ
    report.signature.date = iso
    rows = rows_of(render_pdf(build_layout(report), fonts))
    organ_line = [r for r in rows if r.text == organ][-1]  # the signature's, after any mention in the text
    date_line = next(r for r in rows if r.text == date)
    last_text = next(r for r in rows if r.text == "本年度未收取信息处理费。")
    assert organ_line.page == date_line.page == last_text.page
    edge = RIGHT - SIGNATURE_RIGHT_CHARS * CHAR_PITCH_PT
    axis = (date_line.x0 + date_line.x1) / 2
    assert (organ_line.x0 + organ_line.x1) / 2 == pytest.approx(axis, abs=0.5)
    if edge + (organ_line.x1 - organ_line.x0 - (date_line.x1 - date_line.x0)) / 2 <= RIGHT - CHAR_PITCH_PT / 2:
        assert date_line.x1 == pytest.approx(edge, abs=0.5)
    else:  # the organ is too long to centre over a date four characters in
        assert organ_line.x1 == pytest.approx(RIGHT - CHAR_PITCH_PT / 2, abs=0.5)
        assert date_line.x1 < edge
    assert date_line.y < organ_line.y < last_text.y
    assert organ_line.y - date_line.y == pytest.approx(LINE_PITCH_PT, abs=0.01)
    assert last_text.y - organ_line.y >= 2 * LINE_PITCH_PT  # room for the seal


def test_undated_signature_leaves_room_to_write_the_date(fonts: FontSet, names: dict[str, str]) -> None:
    """年 月 日 with blanks as wide as the digits written in by hand (2026, 12, 31) and more."""
    report, _ = distinctive_report(2025)
    report.signature.date = ""
    layout = build_layout(report)
    assert isinstance(layout.blocks[-1], SignatureBlock) and layout.blocks[-1].date == ""
    rows = rows_of(render_pdf(layout, fonts))
    (date,) = [r for r in rows if r.text == "年月日"]
    organ = next(r for r in rows if r.text == "某某市某某区人民政府办公室" and r.x0 > PAGE_WIDTH / 3)
    year, month, day = date.chars
    digits = names.get("latin", names["fang"])
    centre = (organ.x0 + organ.x1) / 2
    start = 2 * centre - (day.x0 + CHAR_PITCH_PT)  # the date line is centred under the organ
    assert start < year.x0 and year.x0 - start > stringWidth("2026", digits, BODY_PT) + 2
    assert month.x0 - year.x1 > stringWidth("12", digits, BODY_PT) + 2
    assert day.x0 - month.x1 > stringWidth("31", digits, BODY_PT) + 2
    assert day.x1 == pytest.approx(RIGHT - SIGNATURE_RIGHT_CHARS * CHAR_PITCH_PT, abs=0.5)


# --- fonts


def _two_fonts_of_a_collection(fonts: FontSet) -> tuple[FontFile, FontFile]:
    """Two different fonts of one of the system's collections (.ttc), as the cjk_font_collection tool
    promises."""
    for role in ("hei", "song", "fang"):
        font = fonts.font(role)
        if font.path.suffix.lower() == ".ttc":
            try:
                return font, probe(font.path, 1 - min(font.index, 1))
            except FontError:
                continue
    raise AssertionError("no collection with a second usable font")


@pytest.mark.needs_tool("cjk_font_collection")
def test_fonts_follow_their_roles(fonts: FontSet) -> None:
    """Headings in 黑体, run-in level-2 headings in 楷体 with the body in 仿宋, every table cell (labels
    too) and page numbers in 宋体: told apart here by giving the roles two fonts of one collection."""
    collection, other = _two_fonts_of_a_collection(fonts)
    mixed = FontSet(song=other, hei=collection, kai=other, fang=collection, title=other)
    names = register(mixed)
    a, b = face_name(names["fang"]), face_name(names["kai"])
    assert a != b
    report, values = distinctive_report(2022)
    rows = rows_of(render_pdf(build_layout(report), mixed))
    cells = segments(rows)
    assert next(r for r in rows if r.text == "2022年政府信息公开工作年度报告").faces == {b}  # title
    assert next(r for r in rows if r.text == "一、总体情况").faces == {a}  # hei
    assert next(r for r in rows if r.text == "（二）依申请公开").faces == {b}  # kai
    runin = next(r for r in rows if r.text.startswith("（一）主动公开。"))
    assert "".join(c.text for c in runin.chars if c.face == b) == "（一）主动公开。"
    assert "".join(c.text for c in runin.chars if c.face == a) == "本机关主动公开政府信息。"
    assert next(r for r in rows if r.text == "依法办理申请。").faces == {a}  # fang
    assert next(c for c in cells if c.text == values["s3.new.natural"]).faces == {b}  # song
    assert next(c for c in cells if c.text == "申请人情况").faces == {b}  # a header cell: 宋体 too
    assert next(c for c in cells if c.text == "（一）予以公开").faces == {b}  # a label cell
    assert next(r for r in rows if r.text == "—1—").faces == {b}


def latin_font_file() -> FontFile:
    """A Latin TrueType serif of the system (Liberation Serif as scripts/setup.sh installs it)."""
    for folder in (Path("/usr/share/fonts"), Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"):
        for name in ("LiberationSerif-Regular.ttf", "times.ttf", "DejaVuSerif.ttf"):
            found = next(iter(folder.rglob(name)), None) if folder.is_dir() else None
            if found is not None:
                return FontFile(found, 0, name)
    raise AssertionError("no Latin TrueType font (apt install fonts-liberation)")


def test_latin_font_sets_digits_and_letters(fonts: FontSet) -> None:
    """With a Latin font in the set, digits and Latin letters of the text and of number cells are set
    in it; everything else stays in the Chinese fonts. Without one, all is in the Chinese fonts."""
    report, values = distinctive_report(2022)
    report.texts["s5"] = "本年度共处理Excel表格12份，第3季度完成。"
    layout = build_layout(report)
    latin = latin_font_file()
    with_latin = dataclasses.replace(fonts, latin=latin)
    latin_name = register(with_latin)["latin"]
    latin_face = face_name(latin_name)
    rows = rows_of(render_pdf(layout, with_latin))
    line = next(r for r in rows if r.text.startswith("本年度共处理Excel"))
    for c in line.chars:
        assert (c.face == latin_face) == bool(re.fullmatch(r"[0-9A-Za-z]", c.text)), c.text
    cell = next(c for c in segments(rows) if c.text == values["s3.new.natural"])
    assert cell.faces == {latin_face}
    without = dataclasses.replace(fonts, latin=None)
    plain = rows_of(render_pdf(layout, without))
    assert latin_face not in {c.face for r in plain for c in r.chars}


def test_character_missing_from_a_font_is_set_in_another(
    names: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts = pdf_export._Fonts({**names, "kai": "GDAR-test-other"})
    monkeypatch.setattr(pdf_export, "has_glyph", lambda font, ch: not (ch == "䶮" and font != "GDAR-test-other"))
    assert [fonts.font_for(ch, names["fang"], False) for ch in "刘䶮"] == [names["fang"], "GDAR-test-other"]
    assert fonts.font_for(" ", names["fang"], False) == names["fang"]


# --- 禁则


def test_can_break_keeps_marks_and_words_together() -> None:
    assert not can_break("政", "，")
    assert not can_break("政", "。")
    assert not can_break("”", "。")
    assert not can_break("（", "政")
    assert not can_break("“", "政")
    assert not can_break("2", "0")
    assert not can_break("—", "—")
    assert not can_break("…", "…")
    assert can_break("政", "府")
    assert can_break("。", "政")
    assert can_break("政", "（")
    assert can_break("年", "2")


def test_break_units_moves_offending_marks_with_a_neighbour() -> None:
    text = "一二三四，五六七八（九十一二三四。”五六"
    lines = break_units(list(text), [1.0] * len(text), [4.0])
    printed = [text[a:b] for a, b in lines]
    assert "".join(printed) == text
    for line in printed:
        assert line[0] not in CLOSING and line[-1] not in OPENING, printed
    assert all(len(line) <= 4 for line in printed)


WIDTHS = [TEXT_WIDTH - INDENT, TEXT_WIDTH]  # a body paragraph's first line is indented two characters
# (piece, where a knife would cut it): a closing mark that would start a line, an opening mark
# that would end one, a number and a dash that would be torn apart.
TRAPS = [("，政府", 0), ("。政府", 0), ("。”政府", 0), ("；政府", 0), ("（政府）", 1), ("“政府”", 1),
         ("《条例》", 1), ("2022年", 2), ("——政府", 1)]


def grid_width(text: str, font: str) -> float:
    """Width on the standard page's grid: full-width characters one pitch, ASCII as the font has it."""
    return sum(stringWidth(ch, font, BODY_PT) if ch <= "~" else CHAR_PITCH_PT for ch in text)


def naive_lines(text: str, font: str) -> list[str]:
    """Lines as a knife cutting between any two characters would make them (no 禁则)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        width = WIDTHS[min(len(lines), 1)]
        if current and grid_width(current + ch, font) > width + 1e-6:
            lines.append(current)
            current = ""
        current += ch
    return [*lines, current]


def trap_paragraph(font: str, line_no: int, piece: str, cut: int) -> str:
    """Plain lines up to `line_no`, then that line filled so that a knife cuts `piece` after its
    first `cut` characters."""
    text = ""
    for number in range(line_no + 1):
        width = WIDTHS[min(number, 1)]
        line = ""
        head = piece[:cut] if number == line_no else ""
        while grid_width(line + FILLER[len(line) % len(FILLER)] + head, font) <= width + 1e-6:
            line += FILLER[len(line) % len(FILLER)]
        text += line
    text += piece + "完成了。"
    lines = naive_lines(text, font)
    # The knife cuts inside the piece (or right before it, for a mark that must not start a line).
    at = len("".join(lines[: line_no + 1]))
    first = len(text) - len(piece + "完成了。")
    assert first + min(cut, 1) <= at < first + len(piece), (
        "the trap is not set: " + repr(lines[line_no : line_no + 2])
    )
    return text


def offending(lines: list[str]) -> list[str]:
    """Lines that start with a closing mark or end with an opening one."""
    return [ln for ln in lines if ln and (ln[0] in CLOSING or ln[-1] in OPENING)]


def torn(lines: list[str]) -> list[str]:
    """Consecutive lines of one paragraph that tear a number or a dash apart."""
    pairs = [b[-1:] + a[:1] for b, a in itertools.pairwise(lines)]
    return [pair for pair in pairs if pair.isdigit() or pair == "——"]


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(fonts: FontSet, names: dict[str, str]) -> None:
    font = names.get("latin", names["fang"])  # digits are measured in the font that sets them
    paragraphs = [trap_paragraph(font, line_no, piece, cut) for line_no in (0, 1) for piece, cut in TRAPS]
    for text in paragraphs:
        naive = naive_lines(text, font)
        assert offending(naive) or torn(naive), text  # a knife falls into the trap
    data = render_pdf(Layout("禁则", tuple(Paragraph("body", text) for text in paragraphs), draft=False), fonts)
    rows = body_rows(data)
    assert "".join(r.text for r in rows) == "".join(paragraphs)
    lines = [r.text for r in rows]
    assert not offending(lines), lines
    per_paragraph: list[list[str]] = [[]]
    for row, last in paragraph_lines(rows):
        per_paragraph[-1].append(row.text)
        if last:
            per_paragraph.append([])
    assert len(per_paragraph) == len(paragraphs) + 1
    assert not [pair for lines_ in per_paragraph for pair in torn(lines_)]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_samples_keep_the_line_breaking_rules(fonts: FontSet, name: str) -> None:
    lines = [r.text for r in body_rows(render_pdf(build_layout(sample(name)), fonts))]
    assert not offending(lines)


def test_labels_never_leave_a_character_alone(fonts: FontSet) -> None:
    """A wrapped label is set in even lines (不予公/开的, never 不予公开/的), the numbering （三） on a line
    of its own when that costs no line, a three-character label in a two-character column one a line."""
    labels = ["不予公开的", "（三）不予公开", "其他法律行政法规禁止公开", "要求行政机关确认或重新出具已获取信息"]
    cells = [GridCell(r, 0, 1, 1, text, header=True, align="left") for r, text in enumerate(labels)]
    cells.append(GridCell(0, 1, 1, 1, "自然人", header=True))
    cells.extend(GridCell(r, 2, 1, 1, str(r), cell_id=f"x.{r}") for r in range(len(labels)))
    widths = (16.0, 11.0, 156.0 - 27.0)  # four characters of 5号 a line, and two
    assert 4 * CELL_PT < 16 * MM - 2 * CELL_PADDING_PT < 5 * CELL_PT
    assert 2 * CELL_PT < 11 * MM - 2 * CELL_PADDING_PT < 3 * CELL_PT
    table = Table("t", len(labels), 3, 0, tuple(cells), widths, tuple((r, r + 1) for r in range(len(labels))))
    rows = [r for r in rows_of(render_pdf(layout_of(table), fonts)) if r.chars[0].size == CELL_PT]

    def column(left: float, right: float) -> list[str]:
        lines = ["".join(c.text for c in r.chars if left <= c.x0 and c.x1 <= right + 1) for r in rows]
        return [line for line in lines if line]

    first = column(MARGIN_LEFT, MARGIN_LEFT + 16 * MM)
    assert "".join(first) == "".join(labels)
    assert first[:4] == ["不予公", "开的", "（三）", "不予公开"]
    assert all(len(line) > 1 for line in first), first
    assert column(MARGIN_LEFT + 16 * MM, MARGIN_LEFT + 27 * MM) == ["自", "然", "人"]


# --- pages


def heading_texts(layout: Layout) -> set[str]:
    return {b.text for b in layout.blocks if isinstance(b, Paragraph) and b.style in ("heading1", "heading2")}


def last_rows(data: bytes) -> dict[int, Line]:
    """The lowest line of text on each page (page numbers left out)."""
    out: dict[int, Line] = {}
    for row in rows_of(data):
        if not is_page_number(row):
            out[row.page] = row
    return out


@pytest.mark.parametrize("filler_lines", range(14, 24))
def test_a_heading_keeps_two_lines_or_its_table_with_it(fonts: FontSet, filler_lines: int) -> None:
    """Wherever the text before it ends, a heading is never the last line of a page: at least two
    lines of what follows, or its table's header rows and first group, are on its page."""
    report, _ = distinctive_report(2022)
    report.preamble = cjk_text(26 + 28 * (filler_lines - 1))
    report.texts["s1"] = "（一）主动公开\n" + cjk_text(26 + 28 * 2) + "\n（二）依申请公开。" + cjk_text(80)
    layout = build_layout(report)
    data = render_pdf(layout, fonts)
    rows = [r for r in rows_of(data) if not is_page_number(r)]
    headings = heading_texts(layout)
    for index, row in enumerate(rows):
        if row.text not in headings:
            continue
        following = [r for r in rows[index + 1 :] if r.text not in headings][:HEADING_KEEP_LINES]
        assert all(r.page == row.page for r in following), (row.text, [r.text[:8] for r in following])
    assert all(r.text not in headings for r in last_rows(data).values())


def group_table(groups: int, rows_per_group: int = 3) -> Table:
    """A table of merged labels over `rows_per_group` rows each, under two header rows."""
    header = (
        GridCell(0, 0, 1, 3, "表头甲", header=True),
        GridCell(1, 0, 1, 2, "名称", header=True),
        GridCell(1, 2, 1, 1, "数量", header=True),
    )
    cells: list[GridCell] = list(header)
    spans: list[tuple[int, int]] = []
    for g in range(groups):
        first = 2 + g * rows_per_group
        cells.append(GridCell(first, 0, rows_per_group, 1, f"第{g}组", header=True, align="left"))
        for r in range(rows_per_group):
            cells.append(GridCell(first + r, 1, 1, 1, f"第{g}组第{r}行", header=True, align="left"))
            cells.append(GridCell(first + r, 2, 1, 1, str(5000 + g * 10 + r), cell_id=f"x.{g}.{r}"))
        spans.append((first, first + rows_per_group))
    return Table("t", 2 + groups * rows_per_group, 3, 2, tuple(cells), (40.0, 80.0, 36.0), tuple(spans))


def test_long_table_breaks_between_groups_and_repeats_its_header(fonts: FontSet) -> None:
    table = group_table(40)
    data = render_pdf(layout_of(Paragraph("body", cjk_text(200)), Paragraph("heading1", "二、表格"), table), fonts)
    pages = page_count(data)
    assert pages >= 3
    lines = segments(rows_of(data))
    for page in range(1, pages + 1):
        heads = [ln for ln in lines if ln.page == page and ln.text == "表头甲"]
        numbers = [ln for ln in lines if ln.page == page and re.fullmatch(r"5\d{3}", ln.text)]
        if numbers:
            assert len(heads) == 1 and heads[0].y > max(ln.y for ln in numbers), page
    for g in range(40):
        group = {f"第{g}组", *(f"第{g}组第{r}行" for r in range(3)), *(str(5000 + g * 10 + r) for r in range(3))}
        assert len({ln.page for ln in lines if ln.text in group}) == 1, g
    # The table starts right after the text on the first page: a table longer than a page is not
    # moved to a page of its own.
    first_numbers = [ln for ln in lines if ln.text == "5000"]
    assert first_numbers[0].page == 1


def test_table_that_fits_a_page_moves_whole_with_its_heading(fonts: FontSet) -> None:
    table = group_table(9)  # about a third of a page
    for filler in (14, 18, 20):
        blocks = (Paragraph("body", cjk_text(26 + 28 * (filler - 1))), Paragraph("heading1", "二、表格"), table)
        data = render_pdf(layout_of(*blocks), fonts)
        lines = segments(rows_of(data))
        table_pages = {ln.page for ln in lines if re.fullmatch(r"5\d{3}|表头甲|第\d+组.*", ln.text)}
        heading = next(ln for ln in lines if ln.text == "二、表格")
        assert table_pages == {heading.page}, filler
        assert len([ln for ln in lines if ln.text == "表头甲"]) == 1


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_section_3_is_on_one_page_when_it_fits(fonts: FontSet, name: str) -> None:
    layout = build_layout(sample(name))
    data = render_pdf(layout, fonts)
    s3 = next(t for t in layout.tables if t.id == "s3")
    lines = segments(rows_of(data))
    heading = next(ln for ln in lines if ln.text == "三、收到和处理政府信息公开申请情况")
    elsewhere = {c.text for t in layout.tables if t.id != "s3" for c in t.cells}  # 总计 is in 四 too
    labels = {c.text for c in s3.cells if not c.cell_id and 4 <= len(c.text) <= 12} - elsewhere
    pages = {ln.page for ln in lines if ln.text in labels and ln.chars[0].size == CELL_PT}
    assert pages == {heading.page}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_no_page_ends_with_a_heading(fonts: FontSet, name: str) -> None:
    layout = build_layout(sample(name))
    data = render_pdf(layout, fonts)
    headings = heading_texts(layout)
    for page, row in last_rows(data).items():
        assert row.text not in headings, page


def docx_pages(report: Report, folder: Path) -> int:
    from exports.docx_export import write_docx

    docx = folder / "r.docx"
    write_docx(report, docx)
    libreoffice_to_pdf([docx], folder, folder / "profile", check=True)
    return len(PdfReader(folder / "r.pdf").pages)


@pytest.mark.needs_tool("soffice")
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_no_more_pages_than_the_docx_printed_by_libreoffice(fonts: FontSet, name: str, tmp_path: Path) -> None:
    report = sample(name)
    ours = page_count(render_pdf(build_layout(report), fonts))
    assert ours <= docx_pages(report, tmp_path)


# --- files


def test_write_pdf_writes_a_pdf(fonts: FontSet, tmp_path: Path) -> None:
    target = tmp_path / "年报.pdf"
    write_pdf(sample("seed-2020-tiexi.json"), target, draft=True, fonts=fonts)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert "草稿" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert os.listdir(tmp_path) == ["年报.pdf"]


def test_write_pdf_is_atomic(fonts: FontSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "年报.pdf"
    target.write_bytes(b"old contents")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space left"):
        write_pdf(sample("seed-2020-tiexi.json"), target, fonts=fonts)
    assert target.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["年报.pdf"]


def test_without_fonts_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fonts() -> FontSet:
        raise FontError("未找到可嵌入 PDF 的中文字体")

    monkeypatch.setattr(pdf_export, "find_fonts", no_fonts)
    target = tmp_path / "年报.pdf"
    with pytest.raises(FontError, match="中文字体"):
        write_pdf(sample("seed-2020-tiexi.json"), target)
    assert os.listdir(tmp_path) == []


def test_page_geometry_constants() -> None:
    assert pytest.approx(156 * MM) == TEXT_WIDTH
    assert pytest.approx(225 * MM) == TEXT_HEIGHT == PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    assert pytest.approx(TEXT_WIDTH) == CHARS_PER_LINE * CHAR_PITCH_PT
    assert pytest.approx(TEXT_HEIGHT) == LINES_PER_PAGE * LINE_PITCH_PT
