"""PDF export: read the output back (pypdf, pdffonts) and check words, numbers, places, fonts and pages."""

from __future__ import annotations

import io
import itertools
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph as StockParagraph
from reportlab.platypus.paragraph import cjkU, makeCJKParaLine

from core.linebreak import break_units, can_break
from core.nextyear import new_report
from core.report import Report
from core.reportfile import read_report_file
from exports import pdf_export
from exports.fonts import FontError, FontFile, FontSet, probe, register
from exports.layout import GridCell, Layout, Paragraph, SignatureBlock, Table, build_layout
from exports.pdf_export import (
    BODY_LEADING,
    BODY_SIZE,
    CELL_PADDING,
    CELL_SIZE,
    INDENT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    PAGE_HEIGHT,
    PAGE_NUMBER_SIZE,
    PAGE_WIDTH,
    TEXT_WIDTH,
    TITLE_LEADING,
    TITLE_SIZE,
    CJKParagraph,
    render_pdf,
    title_lines,
    write_pdf,
)
from tests.conftest import SAMPLES_DIR

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


@dataclass
class Line:
    """One line of text as drawn: where it starts, its text and the fonts of its pieces."""

    page: int  # 1-based
    x: float
    y: float
    pieces: list[tuple[str, str]] = field(default_factory=list)  # (text, BaseFont)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.pieces).strip()


def lines_of(data: bytes) -> list[Line]:
    """Every drawn line in drawing order. pypdf reports the start of a line with each of its pieces
    (a line is cut into pieces where reportlab switches font subsets)."""
    out: list[Line] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
        current: list[Line] = []

        def visit(
            text: str, cm: Any, tm: Any, font: Any, size: Any, number: int = number, current: list[Line] = current
        ) -> None:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            base = str(font.get("/BaseFont", "")) if font else ""
            if current and abs(current[-1].x - x) < 0.05 and abs(current[-1].y - y) < 0.05:
                current[-1].pieces.append((text, base))
            elif text.strip():
                current.append(Line(number, x, y, [(text, base)]))

        page.extract_text(visitor_text=visit)
        out.extend(line for line in current if line.text)
    return out


def full_text(data: bytes) -> str:
    """The document's text without whitespace and page numbers, so a paragraph that goes on
    over a page reads as one."""
    text = "".join(re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"—\d+—", "", text)


def column_edges(table: Table) -> list[float]:
    total = sum(table.widths)
    edges = [MARGIN_LEFT]
    for width in table.widths:
        edges.append(edges[-1] + TEXT_WIDTH * width / total)
    return edges


def face_name(fontname: str) -> str:
    return str(pdfmetrics.getFont(fontname).face.name.decode("latin-1"))


def base_face(base_font: str) -> str:
    """/AAAAAB+WenQuanYiZenHei-0 → WenQuanYiZenHei (subset tag and subset number removed)."""
    return base_font.lstrip("/").split("+", 1)[-1].rsplit("-", 1)[0]


# --- numbers in their places


@pytest.mark.parametrize("year", [2022, 2020])
def test_every_input_number_lands_in_its_cell(fonts: FontSet, names: dict[str, str], year: int) -> None:
    report, values = distinctive_report(year)
    layout = build_layout(report)
    lines = lines_of(render_pdf(layout, fonts))
    row_place: dict[tuple[str, int], tuple[int, float]] = {}
    for table in layout.tables:
        edges = column_edges(table)
        for cell in (c for c in table.cells if c.cell_id in values):
            assert cell.cell_id is not None and cell.text == values[cell.cell_id]
            found = [line for line in lines if line.text == cell.text]
            assert len(found) == 1, f"{cell.cell_id} = {cell.text} printed {len(found)} times"
            line = found[0]
            left, right = edges[cell.col], edges[cell.col + cell.colspan]
            centre = line.x + stringWidth(cell.text, names["song"], CELL_SIZE) / 2
            assert abs(centre - (left + right) / 2) < 1, f"{cell.cell_id} not centred in its column"
            place = row_place.setdefault((table.id, cell.row), (line.page, line.y))
            assert place[0] == line.page and abs(place[1] - line.y) < 0.1, f"{cell.cell_id} not on its row"
        # Rows go down the page in layout order.
        places = [row_place[(table.id, r)] for r in range(table.rows) if (table.id, r) in row_place]
        assert places == sorted(places, key=lambda p: (p[0], -p[1]))
        # Computed cells (sums from the data) stand in their own column on their row.
        for cell in (c for c in table.cells if c.computed):
            left, right = edges[cell.col], edges[cell.col + cell.colspan]
            hits = [ln for ln in lines if ln.text == cell.text and left <= ln.x <= right]
            if (table.id, cell.row) in row_place:
                page, y = row_place[(table.id, cell.row)]
                hits = [ln for ln in hits if ln.page == page and abs(ln.y - y) < 0.1]
            assert hits, f"{cell.cell_id} = {cell.text} not found in its column"


def test_label_cells_are_aligned_as_the_layout_says(fonts: FontSet, names: dict[str, str]) -> None:
    report, _ = distinctive_report(2022)
    layout = build_layout(report)
    lines = lines_of(render_pdf(layout, fonts))
    s3 = next(t for t in layout.tables if t.id == "s3")
    edges = column_edges(s3)
    checked = 0
    for cell in s3.cells:
        left, right = edges[cell.col], edges[cell.col + cell.colspan]
        width = stringWidth(cell.text, names["song"], CELL_SIZE)
        if cell.cell_id or width > right - left - 2 * CELL_PADDING:  # one-line labels only
            continue
        line = next(ln for ln in lines if ln.text == cell.text)
        if cell.align == "left":
            assert line.x == pytest.approx(left + CELL_PADDING, abs=0.5), cell.text
        else:
            assert line.x + width / 2 == pytest.approx((left + right) / 2, abs=1), cell.text
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_numbers_all_appear_in_table_order(fonts: FontSet, name: str) -> None:
    layout = build_layout(sample(name))
    texts = [line.text for line in lines_of(render_pdf(layout, fonts))]
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
        zeros[blank_as_zero] = sum(1 for line in lines_of(data) if line.text == "0")
    # With blanks left blank, the totals of blank cells are blank too: nothing prints 0.
    assert (zeros[True], zeros[False]) == (len(report.template.cells), 0)


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


def test_same_layout_gives_the_same_bytes(fonts: FontSet) -> None:
    layout = build_layout(sample("real/2022_pingtan.json"))
    first = render_pdf(layout, fonts)
    render_pdf(build_layout(sample("seed-2020-tiexi.json")), fonts)  # another document in between
    assert render_pdf(layout, fonts) == first


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
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert pages >= 3
    lines = lines_of(data)
    for number in range(1, pages + 1):
        text = f"— {number} —"
        found = [ln for ln in lines if ln.text == text]
        assert len(found) == 1, text
        line = found[0]
        assert line.page == number
        # 7 mm below the text block: the dash's top, about 0.4 em above the baseline.
        assert line.y + 0.4 * PAGE_NUMBER_SIZE == pytest.approx(MARGIN_BOTTOM - 7 * MM, abs=0.5)
        width = stringWidth(text, names["song"], PAGE_NUMBER_SIZE)
        if number % 2:
            assert line.x + width == pytest.approx(PAGE_WIDTH - MARGIN_RIGHT - PAGE_NUMBER_SIZE, abs=0.5)
        else:
            assert line.x == pytest.approx(MARGIN_LEFT + PAGE_NUMBER_SIZE, abs=0.5)


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


def test_title_is_centred_and_body_indented(fonts: FontSet, names: dict[str, str]) -> None:
    report, _ = distinctive_report(2022)
    report.title = "某某区2022年报告"
    layout = build_layout(report)
    lines = lines_of(render_pdf(layout, fonts))
    title = next(ln for ln in lines if ln.text == "某某区2022年报告")
    width = stringWidth(title.text, names["title"], 22)
    assert title.x + width / 2 == pytest.approx(MARGIN_LEFT + TEXT_WIDTH / 2, abs=1)
    heading = next(ln for ln in lines if ln.text == "一、总体情况")
    assert heading.x == pytest.approx(MARGIN_LEFT + INDENT, abs=0.5)


def test_long_title_breaks_after_the_organ_and_stays_centred(fonts: FontSet, names: dict[str, str]) -> None:
    layout = build_layout(sample("real/2022_pingtan.json"))
    assert layout.title == "平潭综合实验区2022年政府信息公开工作年度报告"
    lines = [ln for ln in lines_of(render_pdf(layout, fonts)) if ln.page == 1]
    organ = next(ln for ln in lines if ln.text == "平潭综合实验区")
    rest = next(ln for ln in lines if ln.text == "2022年政府信息公开工作年度报告")
    assert organ.y - rest.y == pytest.approx(TITLE_LEADING, abs=0.1)
    for line in (organ, rest):
        width = stringWidth(line.text, names["title"], TITLE_SIZE)
        assert line.x + width / 2 == pytest.approx(MARGIN_LEFT + TEXT_WIDTH / 2, abs=1)


def test_title_without_a_year_is_broken_into_even_lines(names: dict[str, str]) -> None:
    title = "某某省某某市某某县某某乡镇人民政府办公室和某某局某某中心关于政府信息公开工作的年度报告"
    lines = title_lines(title, names["title"])
    assert "".join(lines) == title
    assert len(lines) == 3
    assert max(map(len, lines)) - min(map(len, lines)) <= 2
    assert title_lines("短标题", names["title"]) == ["短标题"]
    organ = "某某省某某市某某县某某乡镇人民政府办公室和某某局某某中心"
    assert title_lines(organ + "2024年政府信息公开工作年度报告", names["title"])[-1] == "2024年政府信息公开工作年度报告"


def test_signature_right_aligned_below_room_for_the_seal(fonts: FontSet, names: dict[str, str]) -> None:
    report, _ = distinctive_report(2025)
    lines = lines_of(render_pdf(build_layout(report), fonts))
    organ = next(ln for ln in lines if ln.text == "某某市某某区人民政府办公室" and ln.x > PAGE_WIDTH / 3)
    date = next(ln for ln in lines if ln.text == "2026年1月20日")
    last_text = next(ln for ln in lines if ln.text == "本年度未收取信息处理费。")
    assert organ.page == date.page == last_text.page
    right_edge = MARGIN_LEFT + TEXT_WIDTH - INDENT  # right-aligned, two characters in
    assert organ.x + stringWidth(organ.text, names["fang"], BODY_SIZE) == pytest.approx(right_edge, abs=0.5)
    assert date.x + stringWidth(date.text, names["fang"], BODY_SIZE) == pytest.approx(right_edge, abs=0.5)
    assert date.y < organ.y < last_text.y
    assert last_text.y - organ.y >= 2 * BODY_LEADING  # room for the seal


def test_undated_signature_leaves_blanks_for_the_date(fonts: FontSet) -> None:
    report, _ = distinctive_report(2025)
    report.signature.date = ""
    layout = build_layout(report)
    assert isinstance(layout.blocks[-1], SignatureBlock) and layout.blocks[-1].date == ""
    lines = lines_of(render_pdf(layout, fonts))
    date = [ln for ln in lines if re.fullmatch(r"年\s+月\s+日", ln.text)]
    assert len(date) == 1
    assert date[0].x > PAGE_WIDTH / 2


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
    """Headings in 黑体, run-in level-2 headings in 楷体 with the body in 仿宋, tables and page numbers
    in 宋体: told apart here by giving the roles two different fonts of one collection."""
    collection, other = _two_fonts_of_a_collection(fonts)
    mixed = FontSet(song=other, hei=collection, kai=other, fang=collection, title=other)
    names = register(mixed)
    a, b = face_name(names["fang"]), face_name(names["kai"])
    assert a != b
    report, values = distinctive_report(2022)
    lines = lines_of(render_pdf(build_layout(report), mixed))

    def faces(line: Line) -> set[str]:
        return {base_face(f) for t, f in line.pieces if t.strip()}

    assert faces(next(ln for ln in lines if ln.text == "2022年政府信息公开工作年度报告")) == {b}  # title
    assert faces(next(ln for ln in lines if ln.text == "一、总体情况")) == {a}  # hei
    assert faces(next(ln for ln in lines if ln.text == "（二）依申请公开")) == {b}  # kai
    runin = next(ln for ln in lines if ln.text.startswith("（一）主动公开。"))
    lead = "".join(t for t, f in runin.pieces if base_face(f) == b)
    rest = "".join(t for t, f in runin.pieces if base_face(f) == a)
    assert lead.strip() == "（一）主动公开。"
    assert rest.strip() == "本机关主动公开政府信息。"
    assert faces(next(ln for ln in lines if ln.text == "依法办理申请。")) == {a}  # fang
    assert faces(next(ln for ln in lines if ln.text == values["s3.new.natural"])) == {b}  # song
    assert faces(next(ln for ln in lines if ln.text == "— 1 —")) == {b}


def test_character_missing_from_a_font_is_set_in_another(fonts: FontSet, monkeypatch: pytest.MonkeyPatch) -> None:
    names = register(fonts)
    styles = pdf_export._Styles({**names, "kai": "GDAR-test-other"})
    monkeypatch.setattr(
        pdf_export, "has_glyph", lambda font, ch: not (ch == "䶮" and font != "GDAR-test-other")
    )
    assert styles.markup("刘䶮<a&b>", names["fang"]) == '刘<font name="GDAR-test-other">䶮</font>&lt;a&amp;b&gt;'


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
FILLER = "政府信息公开工作年度报告"
# (piece, where a knife would cut it): a closing mark that would start a line, an opening mark
# that would end one, a number and a dash that would be torn apart.
TRAPS = [("，政府", 0), ("。政府", 0), ("。”政府", 0), ("；政府", 0), ("（政府）", 1), ("“政府”", 1),
         ("《条例》", 1), ("2022年", 2), ("——政府", 1)]


def naive_lines(text: str, font: str) -> list[str]:
    """Lines as a knife cutting between any two characters would make them (no 禁则)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        width = WIDTHS[min(len(lines), 1)]
        if current and stringWidth(current + ch, font, BODY_SIZE) > width + 1e-6:
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
        while stringWidth(line + FILLER[len(line) % len(FILLER)] + head, font, BODY_SIZE) <= width:
            line += FILLER[len(line) % len(FILLER)]
        text += line
    text += piece + "完成了。"
    lines = naive_lines(text, font)
    assert lines[line_no].endswith(piece[:cut] or FILLER[0:0]) and lines[line_no + 1].startswith(piece[cut:cut + 1]), (
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
    font = names["fang"]
    paragraphs = [trap_paragraph(font, line_no, piece, cut) for line_no in (0, 1) for piece, cut in TRAPS]
    style = ParagraphStyle("t", fontName=font, fontSize=BODY_SIZE, leading=BODY_LEADING, firstLineIndent=INDENT)
    stock_bad = 0
    for text in paragraphs:
        naive = naive_lines(text, font)
        assert offending(naive) or torn(naive), text  # a knife falls into the trap
        # reportlab's own CJK wrapping falls into most of them (why the exporter breaks lines itself).
        stock = StockParagraph(text, style.clone("stock", wordWrap="CJK"))
        stock.wrap(TEXT_WIDTH, 10_000)
        stock_lines = ["".join(line[1]) for line in stock.blPara.lines]
        stock_bad += bool(offending(stock_lines) or torn(stock_lines))
        ours = CJKParagraph(text, style.clone("ours", wordWrap="CJK"))
        ours.wrap(TEXT_WIDTH, 10_000)
        wrapped = ["".join(w.text for w in line.words) for line in ours.blPara.lines]
        assert not offending(wrapped) and not torn(wrapped), wrapped
        assert "".join(wrapped) == text
    assert stock_bad >= len(paragraphs) // 2

    # And in the PDF, read back line by line.
    blocks = (Paragraph("title", "禁则"), *(Paragraph("body", text) for text in paragraphs))
    lines = [ln.text for ln in lines_of(render_pdf(Layout("禁则", blocks, draft=False), fonts))]
    body = [ln for ln in lines if ln != "禁则" and not re.fullmatch(r"— \d+ —", ln)]
    assert "".join(body) == "".join(paragraphs)
    assert not offending(body), body


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_samples_keep_the_line_breaking_rules(fonts: FontSet, name: str) -> None:
    lines = [ln.text for ln in lines_of(render_pdf(build_layout(sample(name)), fonts))]
    assert not offending(lines)


# --- tables across pages


def test_long_table_repeats_its_header_rows_and_never_splits_a_row(fonts: FontSet) -> None:
    header = (
        GridCell(0, 0, 1, 2, "表头甲", header=True),
        GridCell(1, 0, 1, 1, "名称", header=True),
        GridCell(1, 1, 1, 1, "数量", header=True),
    )
    rows = 90
    body = tuple(
        cell
        for i in range(rows)
        for cell in (
            GridCell(2 + i, 0, 1, 1, f"第{i}行" + ("很长的说明文字" * 3 if i % 7 == 0 else ""), True, align="left"),
            GridCell(2 + i, 1, 1, 1, str(5000 + i), cell_id=f"x.{i}"),
        )
    )
    table = Table("t", 2 + rows, 2, 2, header + body, (3.0, 1.0))
    layout = Layout("长表", (Paragraph("title", "长表"), table), draft=False)
    data = render_pdf(layout, fonts)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert pages >= 2
    lines = lines_of(data)
    for page in range(1, pages + 1):
        on_page = [ln for ln in lines if ln.page == page and ln.text.isdigit() and len(ln.text) == 4]
        heads = [ln for ln in lines if ln.page == page and ln.text == "表头甲"]
        assert len(heads) == 1 and on_page, page
        assert heads[0].y > max(ln.y for ln in on_page)
    for i in range(rows):
        label = next(ln for ln in lines if ln.text.startswith(f"第{i}行"))
        number = next(ln for ln in lines if ln.text == str(5000 + i))
        assert label.page == number.page, i


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
    assert pytest.approx(225 * MM) == PAGE_HEIGHT - 37 * MM - MARGIN_BOTTOM


# --- the faster ways must print exactly what the plain ones print


def lines_one_unit_per_character(paragraph: CJKParagraph, widths: list[float]) -> list[Any]:
    """Lines as made from one unit per character (the exporter makes them from runs of a frag)."""
    units: list[Any] = []
    for frag in paragraph.frags:
        if frag.text:
            units.extend(cjkU(ch, frag, "utf-8") for ch in frag.text)
        else:
            units.append(cjkU(frag.text, frag, "utf-8"))
    unit_widths = [float(u.width) for u in units]
    lines: list[Any] = []
    for start, end in break_units(units, unit_widths, widths):
        width = widths[min(len(lines), len(widths) - 1)]
        used = sum(unit_widths[start:end])
        lines.append(makeCJKParaLine(units[start:end], width, used, width - used, False, False))
    return lines


def line_facts(line: Any) -> tuple[Any, ...]:
    words = [dict(vars(word)) for word in line.words]
    return (
        words, line.extraSpace, line.wordCount, line.fontSize, line.ascent, line.descent, line.maxWidth,
        line.currentWidth, line.lineBreak,
    )


def test_lines_from_runs_are_the_lines_from_single_characters(names: dict[str, str]) -> None:
    fang, kai = names["fang"], names["kai"]
    texts = [
        *(trap_paragraph(fang, line_no, piece, cut) for line_no in (0, 1) for piece, cut in TRAPS),
        f'<font name="{kai}">（一）主动公开。</font>本机关依法公开政府信息，' * 6,
        '前文<font size="12">小字，</font><font size="12">小字续</font>后文。' * 9,
        "第一行<br/>第二行很长" + "，政府信息公开" * 12 + "<br/><br/>末行",
        "网址 https://www.example.gov.cn/xxgk/zfxxgkndbg/2022/index_abcdefghijklmnop.html 可查。" * 2,
        "A" * 300,
        "a &amp; b &lt;c&gt; 全角\u3000空格  和  半角",
        "",
    ]
    style = ParagraphStyle("t", fontName=fang, fontSize=BODY_SIZE, leading=BODY_LEADING, wordWrap="CJK")
    for text in texts:
        paragraph = CJKParagraph(text, style)
        # Each measure twice (the second from the breaks kept), and back to the first.
        for widths in ([TEXT_WIDTH - INDENT, TEXT_WIDTH], [60.0], [TEXT_WIDTH - INDENT, TEXT_WIDTH], [TEXT_WIDTH]):
            ours = paragraph.breakLinesCJK(widths).lines
            plain = lines_one_unit_per_character(paragraph, widths)
            assert [line_facts(line) for line in ours] == [line_facts(line) for line in plain], text


def test_one_line_cells_print_where_their_paragraphs_would(fonts: FontSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cells of one line are drawn as strings, not Paragraphs: every piece of text lands on the
    same spot in the same font, on the same pages."""
    report, _ = distinctive_report(2022)
    report.set_cell("s3.new.natural", 123456789)  # shrunk to fit its column
    cells = (
        GridCell(0, 0, 1, 1, "左对齐的说明", header=True, align="left"),
        GridCell(0, 1, 1, 1, "a&b<c>"),
        GridCell(0, 2, 1, 1, "两个 词"),
        GridCell(0, 3, 1, 1, "123456789012", cell_id="x.wide"),
        GridCell(1, 0, 1, 1, " 前后有空格 "),
        GridCell(1, 1, 2, 1, "跨两行的格子"),
        GridCell(1, 2, 1, 1, "很长的说明文字，需要折成好几行才能放下" * 2, align="left"),
        GridCell(1, 3, 1, 1, ""),
        GridCell(2, 0, 1, 1, "12.5"),
        GridCell(2, 2, 1, 2, "多\n行"),
    )
    extra = Table("x", 3, 4, 1, cells, (1.0, 1.0, 1.4, 0.6))
    layout = build_layout(report)
    layout = Layout(layout.title, (*layout.blocks[:-1], extra, layout.blocks[-1]), draft=False)
    fast = render_pdf(layout, fonts)
    monkeypatch.setattr(pdf_export, "_one_line", lambda *args: False)  # every cell a Paragraph
    slow = render_pdf(layout, fonts)
    assert fast != slow  # the two ways were both taken
    fast_lines, slow_lines = lines_of(fast), lines_of(slow)
    assert len(fast_lines) == len(slow_lines) > 300
    assert len(PdfReader(io.BytesIO(fast)).pages) == len(PdfReader(io.BytesIO(slow)).pages)
    key = lambda line: (line.page, -round(line.y, 1), round(line.x, 1))  # noqa: E731
    for a, b in zip(sorted(fast_lines, key=key), sorted(slow_lines, key=key), strict=True):
        assert (a.page, a.text) == (b.page, b.text)
        assert a.x == pytest.approx(b.x, abs=0.01) and a.y == pytest.approx(b.y, abs=0.01), a.text
        assert {base_face(f) for _, f in a.pieces} == {base_face(f) for _, f in b.pieces}
