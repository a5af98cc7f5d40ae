"""DOCX export read back with python-docx: grids, merges, values, fonts, page, footers, watermark, signature."""

from __future__ import annotations

import io
import os
import re
import zipfile
from functools import cache
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from core.nextyear import new_report
from core.report import Report
from core.reportfile import read_report_file
from exports.docx_export import render_docx, write_docx
from exports.layout import Layout, SignatureBlock, build_layout
from exports.layout import Paragraph as LayoutParagraph
from exports.layout import Table as LayoutTable
from tests.conftest import SAMPLES_DIR

SAMPLES = SAMPLES_DIR
SAMPLE_FILES = {
    "seed": "seed-2020-tiexi.json",
    "pingtan2019": "real/2019_pingtan.json",
    "pingtan2022": "real/2022_pingtan.json",
}
AGENCY = "某某市某某区人民政府办公室"
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
LATIN = "Times New Roman"
ASCII_ALNUM = re.compile(r"[0-9A-Za-z]")


# ---------------------------------------------------------------- report builders and rendering


def _sample(key: str) -> Report:
    return read_report_file(SAMPLES / SAMPLE_FILES[key])


def _numbered(year: int) -> tuple[Report, dict[str, int]]:
    """A report whose input cells hold 1..N in template order, so each value names its cell."""
    report = new_report(AGENCY, year)
    report.texts["s1"] = "（一）主动公开\n（二）依申请公开。本年共收到申请3件。\n正文第三段，含数字2025和Latin字母。"
    report.texts["s5"] = "存在的问题是培训不足。"
    report.texts["s6"] = "本年度未收取信息处理费。"
    report.signature.date = f"{year + 1}-01-20"
    values = {}
    for number, cell in enumerate(report.template.input_cells, start=1):
        report.set_cell(cell.id, number)
        values[cell.id] = number
    return report, values


@cache
def _rendered(key: str, blank_as_zero: bool = True, draft: bool = False) -> tuple[Layout, bytes]:
    """Layout and DOCX bytes, rendered once per module run: keys are sample names or numbered/blank years."""
    if key.startswith("numbered"):
        report = _numbered(int(key.removeprefix("numbered")))[0]
    elif key.startswith("blank"):
        report = new_report(AGENCY, int(key.removeprefix("blank")))
    else:
        report = _sample(key)
    layout = build_layout(report, blank_as_zero=blank_as_zero, draft=draft)
    return layout, render_docx(layout)


def _open(data: bytes) -> DocxDocument:
    return Document(io.BytesIO(data))


def _grid(table: DocxTable) -> list[list[_Cell]]:
    """Every grid position's cell, as table.cell(r, c) gives it (a merged cell appears at each position
    it covers, always with the same tc), read row by row because table.cell() rescans the whole table."""
    grid = [list(row.cells) for row in table.rows]
    assert all(len(line) == len(table.columns) for line in grid), "rows must fill the grid"
    assert grid[-1][-1].text == table.cell(len(grid) - 1, len(grid[0]) - 1).text
    return grid


def _part_xml(data: bytes, prefix: str) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [package.read(n).decode("utf-8") for n in package.namelist() if n.startswith(prefix)]


def _east_asia(run_element: BaseOxmlElement) -> str | None:
    rfonts = run_element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


# ---------------------------------------------------------------- grids, merges, values

ALL_KEYS = ["seed", "pingtan2019", "pingtan2022", "numbered2025", "numbered2020"]


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_grid_cell_is_one_word_cell_with_its_text(key: str) -> None:
    layout, data = _rendered(key)
    document = _open(data)
    assert len(document.tables) == len(layout.tables) == 3
    for spec, word_table in zip(layout.tables, document.tables, strict=True):
        assert (len(word_table.rows), len(word_table.columns)) == (spec.rows, spec.columns), spec.id
        grid = _grid(word_table)
        seen: set[tuple[int, int]] = set()
        for cell in spec.cells:
            top_left = grid[cell.row][cell.col]
            assert top_left.text == cell.text, (spec.id, cell)
            covered = {(r, c) for r in range(cell.row, cell.row + cell.rowspan)
                       for c in range(cell.col, cell.col + cell.colspan)}
            for r, c in covered:
                assert grid[r][c]._tc is top_left._tc, (spec.id, cell, r, c)
            # The merge stops where the spec says: the neighbours right and below are other cells.
            if cell.col + cell.colspan < spec.columns:
                assert grid[cell.row][cell.col + cell.colspan]._tc is not top_left._tc
            if cell.row + cell.rowspan < spec.rows:
                assert grid[cell.row + cell.rowspan][cell.col]._tc is not top_left._tc
            assert not covered & seen, (spec.id, cell)
            seen |= covered
        assert len(seen) == spec.rows * spec.columns, f"{spec.id}: the layout leaves grid positions empty"
        distinct = {id(grid[r][c]._tc) for r in range(spec.rows) for c in range(spec.columns)}
        assert len(distinct) == len(spec.cells), spec.id


@pytest.mark.parametrize(("year", "rows"), [(2025, 28), (2020, 26)])
def test_values_land_in_their_cells_and_totals_come_from_the_data(year: int, rows: int) -> None:
    report, values = _numbered(year)
    layout, data = _rendered(f"numbered{year}")
    template = report.template
    s3 = template.s3
    applicant = [c.id for c in s3.applicant_columns]
    expected: dict[str, str] = {cell_id: str(number) for cell_id, number in values.items()}
    for row in s3.rows:
        if row.role != "results_total":
            expected[f"s3.{row.id}.total"] = str(sum(values[f"s3.{row.id}.{c}"] for c in applicant))
    outcome = [r.id for r in s3.outcome_rows]
    for col in applicant:
        expected[f"s3.total_processed.{col}"] = str(sum(values[f"s3.{r}.{col}"] for r in outcome))
    expected["s3.total_processed.total"] = str(sum(values[f"s3.{r}.{c}"] for r in outcome for c in applicant))
    for group in ("review", "suit_direct", "suit_after_review"):
        parts = ("upheld", "corrected", "other", "pending")
        expected[f"s4.{group}.total"] = str(sum(values[f"s4.{group}.{p}"] for p in parts))
    assert set(expected) == {c.id for c in template.cells}

    document = _open(data)
    placed = set()
    for spec, word_table in zip(layout.tables, document.tables, strict=True):
        grid = _grid(word_table)
        for cell in spec.cells:
            if cell.cell_id is not None:
                assert grid[cell.row][cell.col].text == expected[cell.cell_id], cell
                placed.add(cell.cell_id)
    assert placed == set(expected), "every report cell is printed exactly where the layout puts it"

    s3_table = document.tables[1]
    assert (len(s3_table.rows), len(s3_table.columns)) == (rows, 10)
    # Spot checks straight from the spec's row and column order.
    assert s3_table.cell(3, 3).text == str(values["s3.new.natural"])
    assert s3_table.cell(rows - 1, 8).text == str(values["s3.carried_forward.other_org"])
    assert s3_table.cell(rows - 2, 9).text == expected["s3.total_processed.total"]
    assert document.tables[2].cell(3, 14).text == expected["s4.suit_after_review.total"]


def _span(grid: list[list[_Cell]], row: int, col: int) -> tuple[int, int, int, int]:
    """(first row, last row, first col, last col) of the merged cell at (row, col)."""
    tc = grid[row][col]._tc
    positions = [(r, c) for r, line in enumerate(grid) for c, cell in enumerate(line) if cell._tc is tc]
    return (min(p[0] for p in positions), max(p[0] for p in positions),
            min(p[1] for p in positions), max(p[1] for p in positions))


@pytest.mark.parametrize(("key", "rows"), [("pingtan2022", 28), ("seed", 26)])
def test_request_matrix_merges_as_in_the_official_table(key: str, rows: int) -> None:
    document = _open(_rendered(key)[1])
    grid = _grid(document.tables[1])
    assert (len(grid), len(grid[0])) == (rows, 10)
    assert grid[0][0].text == CORNER and _span(grid, 0, 0) == (0, 2, 0, 2)
    assert grid[0][3].text == "申请人情况" and _span(grid, 0, 3) == (0, 0, 3, 9)
    assert grid[1][3].text == "自然人" and _span(grid, 1, 3) == (1, 2, 3, 3)
    assert grid[1][4].text == "法人或其他组织" and _span(grid, 1, 4) == (1, 1, 4, 8)
    assert grid[1][9].text == "总计" and _span(grid, 1, 9) == (1, 2, 9, 9)
    assert [grid[2][c].text for c in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert grid[3][0].text == "一、本年新收政府信息公开申请数量" and _span(grid, 3, 0) == (3, 3, 0, 2)
    assert grid[4][0].text == "二、上年结转政府信息公开申请数量" and _span(grid, 4, 0) == (4, 4, 0, 2)
    # 三、本年度办理结果 covers every outcome row and （七）总计, down to the row before 四、.
    assert grid[5][0].text == "三、本年度办理结果" and _span(grid, 5, 0) == (5, rows - 2, 0, 0)
    assert grid[5][1].text == "（一）予以公开" and _span(grid, 5, 1) == (5, 5, 1, 2)
    assert grid[7][1].text == "（三）不予公开" and _span(grid, 7, 1) == (7, 14, 1, 1)
    assert grid[15][1].text == "（四）无法提供" and _span(grid, 15, 1) == (15, 17, 1, 1)
    assert grid[18][1].text == "（五）不予处理" and _span(grid, 18, 1) == (18, 22, 1, 1)
    other_rows = 3 if rows == 28 else 1
    assert grid[23][1].text == "（六）其他处理"
    assert _span(grid, 23, 1) == ((23, 25, 1, 1) if other_rows == 3 else (23, 23, 1, 2))
    assert grid[rows - 2][1].text == "（七）总计" and _span(grid, rows - 2, 1) == (rows - 2, rows - 2, 1, 2)
    assert grid[rows - 1][0].text == "四、结转下年度继续办理" and _span(grid, rows - 1, 0) == (rows - 1, rows - 1, 0, 2)


@pytest.mark.parametrize("key", ["pingtan2022", "seed"])
def test_review_and_litigation_table_merges(key: str) -> None:
    document = _open(_rendered(key)[1])
    grid = _grid(document.tables[2])
    assert (len(grid), len(grid[0])) == (4, 15)
    assert grid[0][0].text == "行政复议" and _span(grid, 0, 0) == (0, 0, 0, 4)
    assert grid[0][5].text == "行政诉讼" and _span(grid, 0, 5) == (0, 0, 5, 14)
    assert grid[1][0].text == "结果维持" and _span(grid, 1, 0) == (1, 2, 0, 0)
    assert grid[1][4].text == "总计" and _span(grid, 1, 4) == (1, 2, 4, 4)
    assert grid[1][5].text == "未经复议直接起诉" and _span(grid, 1, 5) == (1, 1, 5, 9)
    assert grid[1][10].text == "复议后起诉" and _span(grid, 1, 10) == (1, 1, 10, 14)
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert [grid[2][c].text for c in range(5, 15)] == labels * 2
    assert all(_span(grid, 3, c) == (3, 3, c, c) for c in range(15)), "one row of 15 single cells"


def test_proactive_disclosure_table_merges_2021() -> None:
    document = _open(_rendered("pingtan2022")[1])
    grid = _grid(document.tables[0])
    assert (len(grid), len(grid[0])) == (14, 4)
    captions = {0: "第二十条第（一）项", 4: "第二十条第（五）项", 7: "第二十条第（六）项", 11: "第二十条第（八）项"}
    for row, caption in captions.items():
        assert grid[row][0].text == caption and _span(grid, row, 0) == (row, row, 0, 3)
    assert [grid[1][c].text for c in range(4)] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert grid[5][1].text == "本年处理决定数量" and _span(grid, 5, 1) == (5, 5, 1, 3)
    assert grid[6][0].text == "行政许可" and grid[6][1].text == "10690" and _span(grid, 6, 1) == (6, 6, 1, 3)
    assert grid[12][1].text == "本年收费金额（单位：万元）" and grid[13][1].text == "9116.36"


def test_proactive_disclosure_table_2019_has_five_blocks() -> None:
    document = _open(_rendered("numbered2020")[1])
    grid = _grid(document.tables[0])
    captions = [line[0].text for line in grid if line[0]._tc is line[-1]._tc]
    assert captions == [f"第二十条第（{n}）项" for n in ("一", "五", "六", "八", "九")]
    assert len(grid[0]) == 4


def test_blank_cells_print_zero_or_stay_empty() -> None:
    zero_layout, zero_data = _rendered("blank2025", blank_as_zero=True)
    _, empty_data = _rendered("blank2025", blank_as_zero=False)
    zero_doc, empty_doc = _open(zero_data), _open(empty_data)
    checked = 0
    for spec, zero_table, empty_table in zip(zero_layout.tables, zero_doc.tables, empty_doc.tables, strict=True):
        zero_grid, empty_grid = _grid(zero_table), _grid(empty_table)
        for cell in spec.cells:
            if cell.cell_id is None:
                continue
            assert zero_grid[cell.row][cell.col].text == "0"
            # Blank cells print empty, and so do totals of blank cells.
            assert empty_grid[cell.row][cell.col].text == ""
            checked += 1
    assert checked == 200


# ---------------------------------------------------------------- table formatting


def test_header_rows_repeat_rows_never_split_and_cells_are_aligned() -> None:
    layout, data = _rendered("pingtan2022")
    document = _open(data)
    for spec, word_table in zip(layout.tables, document.tables, strict=True):
        for index, row in enumerate(word_table.rows):
            tr_pr = row._tr.trPr
            assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
            assert (tr_pr.find(qn("w:tblHeader")) is not None) == (index < spec.header_rows), (spec.id, index)
        widths = [column.width for column in word_table.columns]
        assert abs(sum(w.mm for w in widths) - 156) < 0.2
        expected = [w / sum(spec.widths) * 156 for w in spec.widths]
        assert all(abs(w.mm - e) < 0.1 for w, e in zip(widths, expected, strict=True)), spec.id
        grid = _grid(word_table)
        for cell in spec.cells:
            word_cell = grid[cell.row][cell.col]
            paragraph = word_cell.paragraphs[0]
            assert word_cell.vertical_alignment == WD_CELL_VERTICAL_ALIGNMENT.CENTER
            want = WD_ALIGN_PARAGRAPH.LEFT if cell.align == "left" else WD_ALIGN_PARAGRAPH.CENTER
            assert paragraph.alignment == want, cell
            assert paragraph.paragraph_format.first_line_indent == 0
            assert paragraph.paragraph_format.line_spacing == 1.0
            for run in paragraph.runs:
                assert run.font.size == Pt(10.5)
                assert run.font.name == LATIN
                assert _east_asia(run._r) == ("黑体" if cell.header else "仿宋_GB2312")
        # Every paragraph of the table, the empty ones Word keeps in merged-away cells included.
        for p in word_table._tbl.iter(qn("w:p")):
            spacing = p.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
            indent = p.find(f"{qn('w:pPr')}/{qn('w:ind')}")
            assert spacing is not None and spacing.get(qn("w:line")) == "240"
            assert spacing.get(qn("w:lineRule")) == "auto"
            assert indent is not None and indent.get(qn("w:firstLine")) == "0"
    assert [len(document.tables[i].rows) for i in range(3)] == [14, 28, 4]
    borders = document.tables[1]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {b.get(qn("w:val")) for b in borders} == {"single"} and len(borders) == 6


# ---------------------------------------------------------------- text, fonts, page


def test_paragraphs_follow_the_layout_in_order() -> None:
    layout, data = _rendered("numbered2025")
    document = _open(data)
    printed = [p.text for p in document.paragraphs if p.text.strip()]
    wanted = []
    for block in layout.blocks:
        if isinstance(block, LayoutParagraph):
            wanted.append(block.lead + block.text)
        elif isinstance(block, SignatureBlock):
            wanted.extend([block.organ, block.date])
    assert printed == wanted


def test_fonts_sizes_and_spacing_of_each_paragraph_style() -> None:
    layout, data = _rendered("numbered2025")
    document = _open(data)
    by_text = {p.text: p for p in document.paragraphs}

    title = by_text[layout.title]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert [(_east_asia(r._r), r.font.size, r.font.name) for r in title.runs] == [("方正小标宋简体", Pt(22), LATIN)]

    heading1 = by_text["一、总体情况"]
    assert [(_east_asia(r._r), r.font.size) for r in heading1.runs] == [("黑体", Pt(16))]
    assert heading1.paragraph_format.keep_with_next is True

    heading2 = by_text["（一）主动公开"]
    assert [(_east_asia(r._r), r.font.size) for r in heading2.runs] == [("楷体_GB2312", Pt(16))]

    runin = by_text["（二）依申请公开。本年共收到申请3件。"]
    assert [(r.text, _east_asia(r._r)) for r in runin.runs] == [
        ("（二）依申请公开。", "楷体_GB2312"), ("本年共收到申请3件。", "仿宋_GB2312")
    ]

    body = by_text["正文第三段，含数字2025和Latin字母。"]
    assert [(_east_asia(r._r), r.font.name, r.font.size) for r in body.runs] == [("仿宋_GB2312", LATIN, Pt(16))]
    for paragraph in (heading1, heading2, runin, body):
        fmt = paragraph.paragraph_format
        assert fmt.first_line_indent == Pt(32)
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert fmt.line_spacing is not None and abs(fmt.line_spacing.pt - 28.95) < 0.05
        assert fmt.space_before == 0 and fmt.space_after == 0

    # Every run of the body and tables names the Chinese font; digits and Latin are Times New Roman.
    for run_element in document.element.body.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run_element.iter(qn("w:t")))
        rfonts = run_element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), text
        if ASCII_ALNUM.search(text):
            assert rfonts.get(qn("w:ascii")) == LATIN and rfonts.get(qn("w:hAnsi")) == LATIN, text


def test_defaults_and_normal_style_name_fonts_without_theme() -> None:
    document = _open(_rendered("seed")[1])
    styles = document.styles.element
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    normal = document.styles["Normal"]
    normal_fonts = normal.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    theme = {qn(a) for a in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")}
    for rfonts in (defaults, normal_fonts):
        assert rfonts is not None
        assert rfonts.get(qn("w:ascii")) == LATIN and rfonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
        assert not theme & set(rfonts.attrib)
    # No style anywhere falls back to the theme's (Latin or Japanese) fonts.
    for rfonts in styles.iter(qn("w:rFonts")):
        assert not theme & set(rfonts.attrib), rfonts.attrib
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.first_line_indent == Pt(32)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY


def test_page_is_a4_with_official_margins() -> None:
    section = _open(_rendered("pingtan2019")[1]).sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                section.left_margin, section.right_margin]
    assert all(m is not None for m in measured)
    assert [round(m.mm, 1) for m in measured if m is not None] == [210, 297, 37, 35, 28, 26]


def test_footers_number_pages_on_alternating_sides() -> None:
    document = _open(_rendered("pingtan2019")[1])
    assert document.settings.odd_and_even_pages_header_footer is True
    section = document.sections[0]
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    for paragraph in (odd, even):
        instructions = [t.text for t in paragraph._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instructions] == ["PAGE"]
        kinds = [f.get(qn("w:fldCharType")) for f in paragraph._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert paragraph.text == "— 1 —"
        assert {(_east_asia(r._r), r.font.size) for r in paragraph.runs} == {("宋体", Pt(14))}
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and odd.paragraph_format.right_indent == Pt(14)
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and even.paragraph_format.left_indent == Pt(14)


def test_draft_adds_a_watermark_to_every_page_header() -> None:
    _, draft = _rendered("seed", draft=True)
    headers = _part_xml(draft, "word/header")
    assert len(headers) == 2  # default (odd) and even pages
    for xml in headers:
        assert re.search(r'<v:textpath [^>]*string="草稿"', xml)
        assert "rotation:315" in xml and "z-index:-" in xml  # diagonal, behind the text
    section = _open(draft).sections[0]
    assert not section.header.is_linked_to_previous and not section.even_page_header.is_linked_to_previous

    _, final = _rendered("seed")
    assert not any("草稿" in xml for xml in _part_xml(final, "word/header"))
    assert not any("textpath" in xml for xml in _part_xml(final, "word/"))


# ---------------------------------------------------------------- signature and writing


def _signature_after_section_six(document: DocxDocument) -> list[tuple[str, DocxParagraph]]:
    paragraphs = document.paragraphs
    six = next(i for i, p in enumerate(paragraphs) if p.text == "六、其他需要报告的事项")
    return [(p.text, p) for p in paragraphs[six + 1:]]


def test_signature_follows_section_six_with_room_for_the_seal() -> None:
    document = _open(_rendered("numbered2025")[1])
    after = _signature_after_section_six(document)
    texts = [t for t, _ in after]
    assert texts[-2:] == [AGENCY, "2026年1月20日"]
    assert texts[-4:-2] == ["", ""], "two empty lines above the organ leave room for the seal"
    assert texts[0] == "本年度未收取信息处理费。"
    for _, paragraph in after[-2:]:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert paragraph.paragraph_format.right_indent == Pt(64)


def test_undated_signature_prints_a_line_to_date_by_hand() -> None:
    document = _open(_rendered("blank2025")[1])
    texts = [t for t, _ in _signature_after_section_six(document)]
    assert texts[-2:] == [AGENCY, "    年  月  日"]


def test_write_docx_writes_a_readable_file(tmp_path: Path) -> None:
    report, _ = _numbered(2025)
    target = tmp_path / "年报.docx"
    write_docx(report, target, blank_as_zero=False, draft=True)
    document = Document(str(target))
    assert document.paragraphs[0].text == report.title
    assert any("草稿" in xml for xml in _part_xml(target.read_bytes(), "word/header"))
    assert [p.name for p in tmp_path.iterdir()] == ["年报.docx"]


def test_write_docx_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"previous version")

    def refuse(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_docx(_sample("pingtan2022"), target)
    assert target.read_bytes() == b"previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"], "no temporary file left behind"


def test_money_and_signed_values_print_as_given() -> None:
    report = new_report(AGENCY, 2020)
    report.set_cell("s2.licensing.change", -2)
    report.set_cell("s2.procurement.amount", "75394432.52元")
    layout = build_layout(report)
    document = _open(render_docx(layout))
    table = document.tables[0]
    spec: LayoutTable = layout.tables[0]
    grid = _grid(table)
    texts = {c.cell_id: grid[c.row][c.col].text for c in spec.cells if c.cell_id}
    assert texts["s2.licensing.change"] == "-2"
    assert texts["s2.procurement.amount"] == "75394432.52元"
