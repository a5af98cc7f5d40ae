"""DOCX export read back with python-docx: grids, merges, values, fonts, page, footers, watermark, signature."""

from __future__ import annotations

import io
import itertools
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, Twips
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from core.nextyear import new_report
from core.report import Report
from core.reportfile import read_report_file
from exports.docx_export import (
    _TableLayout,
    _title_lines,
    label_lines,
    latin_width,
    number_size,
    render_docx,
    signature_axis_pt,
    write_docx,
)
from exports.layout import CELL_LEADING_PT, CELL_VPADDING_PT, Layout, SignatureBlock, build_layout
from exports.layout import Paragraph as LayoutParagraph
from exports.layout import Table as LayoutTable
from tests.conftest import SAMPLES_DIR, libreoffice_to_pdf, require_tool

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


class _Text:
    """A Word cell as the tests read it: `.text` without the line breaks (w:br) the export sets in a
    label ("（三）" / "不予公开"), `.lines` with them, `._tc` and `.paragraphs` as python-docx's."""

    def __init__(self, cell: _Cell) -> None:
        self.cell = cell
        self._tc = cell._tc
        self.lines = cell.text.split("\n")
        self.text = cell.text.replace("\n", "")
        self.paragraphs = cell.paragraphs
        self.vertical_alignment = cell.vertical_alignment


def _grid(table: DocxTable) -> list[list[_Text]]:
    """Every grid position's cell, as table.cell(r, c) gives it (a merged cell appears at each position
    it covers, always with the same tc), read row by row because table.cell() rescans the whole table."""
    grid = [[_Text(cell) for cell in row.cells] for row in table.rows]
    assert all(len(line) == len(table.columns) for line in grid), "rows must fill the grid"
    assert grid[-1][-1].cell.text == table.cell(len(grid) - 1, len(grid[0]) - 1).text
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
            assert top_left.text == cell.text.replace("\n", ""), (spec.id, cell)
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


def _span(grid: list[list[_Text]], row: int, col: int) -> tuple[int, int, int, int]:
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
            # At least one line of 5号 and its padding: the row the PDF draws (12.6 + 2 × 1 pt).
            height = tr_pr.find(qn("w:trHeight"))
            assert height is not None and height.get(qn("w:hRule")) == "atLeast"
            assert int(height.get(qn("w:val"))) == round((CELL_LEADING_PT + 2 * CELL_VPADDING_PT) * 20)
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
            assert paragraph.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
            assert paragraph.paragraph_format.line_spacing == Pt(CELL_LEADING_PT)
        # Every paragraph of the table, the empty ones Word keeps in merged-away cells included: off the
        # body's grid, no indent, 12.6 pt apart, and a 5号 mark so an empty one is no taller than a line.
        for p in word_table._tbl.iter(qn("w:p")):
            ppr = p.find(qn("w:pPr"))
            assert ppr is not None
            spacing, indent = ppr.find(qn("w:spacing")), ppr.find(qn("w:ind"))
            assert spacing is not None and spacing.get(qn("w:line")) == str(round(CELL_LEADING_PT * 20))
            assert spacing.get(qn("w:lineRule")) == "exact"
            assert indent is not None and indent.get(qn("w:firstLine")) == "0"
            assert ppr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
            assert ppr.find(f"{qn('w:rPr')}/{qn('w:sz')}").get(qn("w:val")) == "21"
    assert [len(document.tables[i].rows) for i in range(3)] == [14, 28, 4]
    borders = document.tables[1]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {b.get(qn("w:val")) for b in borders} == {"single"} and len(borders) == 6


@pytest.mark.parametrize("key", ["pingtan2022", "numbered2020"])
def test_every_table_cell_is_songti_regular_with_latin_digits(key: str) -> None:
    """宋体 for headers, labels and numbers alike, never bold (the PDF and HTML do the same)."""
    _, data = _rendered(key)
    document = _open(data)
    runs = 0
    for table in document.tables:
        for r in table._tbl.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            assert rpr is not None
            assert _east_asia(r) == "宋体"
            rfonts = rpr.find(qn("w:rFonts"))
            assert rfonts.get(qn("w:ascii")) == LATIN and rfonts.get(qn("w:hAnsi")) == LATIN
            assert rpr.find(qn("w:b")) is None and rpr.find(qn("w:bCs")) is None
            runs += 1
    assert runs > 200


@pytest.mark.parametrize("key", ["pingtan2022", "numbered2020"])
def test_caption_rows_of_section_two_are_left_aligned_on_grey(key: str) -> None:
    layout, data = _rendered(key)
    spec = layout.tables[0]
    grid = _grid(_open(data).tables[0])
    captions = [c for c in spec.cells if c.shaded]
    assert captions and all(c.colspan == spec.columns for c in captions)
    for cell in spec.cells:
        word_cell = grid[cell.row][cell.col]
        shd = word_cell._tc.tcPr.find(qn("w:shd"))
        if cell.shaded:
            assert shd is not None and shd.get(qn("w:fill")) == "D9D9D9", cell
            assert word_cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
        else:
            assert shd is None, cell


# ---------------------------------------------------------------- text, fonts, page


def test_paragraphs_follow_the_layout_in_order() -> None:
    layout, data = _rendered("numbered2025")
    document = _open(data)
    printed = [p.text for p in document.paragraphs if p.text.strip()]
    wanted = []
    for block in layout.blocks:
        if isinstance(block, LayoutParagraph):
            wanted.append("\n".join(_title_lines(block.text)) if block.style == "title" else block.lead + block.text)
        elif isinstance(block, SignatureBlock):
            wanted.extend([block.organ, block.date])
    assert printed == wanted


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("平潭综合实验区2022年政府信息公开工作年度报告", ["平潭综合实验区", "2022年政府信息公开工作年度报告"]),
        ("某某市某某区人民政府办公室2024年政府信息公开工作年度报告",
         ["某某市某某区人民政府办公室", "2024年政府信息公开工作年度报告"]),
        # An organ longer than a 2号 line (20 characters) in balanced lines, the year line whole.
        ("中华人民共和国某某部某某司某某局某某处某某科某某办公室2024年政府信息公开工作年度报告",
         ["中华人民共和国某某部某某司某", "某局某某处某某科某某办公室", "2024年政府信息公开工作年度报告"]),
        ("某局2024年度报告", ["某局2024年度报告"]),
        ("某某县人民政府\n2024年政府信息公开工作年度报告", ["某某县人民政府", "2024年政府信息公开工作年度报告"]),
    ],
)
def test_title_is_set_in_whole_lines(title: str, lines: list[str]) -> None:
    """The organ, then the year line whole (the old export let Word break "…工作年 / 度报告"): explicit
    breaks in one centred 2号 paragraph, off the body's grid, 35 pt apart, one line of space after."""
    report = new_report(AGENCY, 2024)
    report.title = title
    document = _open(render_docx(build_layout(report)))
    paragraph = document.paragraphs[0]
    assert paragraph.text.split("\n") == lines
    assert len(list(paragraph._p.iter(qn("w:br")))) == len(lines) - 1
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(35)
    assert fmt.space_after == Twips(579) and fmt.keep_together
    assert paragraph._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    for line in lines:  # 20 characters of 2号 to the 156 mm line
        assert sum(0.5 if ch <= "~" else 1 for ch in line) * 22 <= 156 / 25.4 * 72


def test_fonts_sizes_and_spacing_of_each_paragraph_style() -> None:
    layout, data = _rendered("numbered2025")
    document = _open(data)
    by_text = {p.text: p for p in document.paragraphs}

    title = document.paragraphs[0]
    assert title.text.replace("\n", "") == layout.title
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
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert fmt.first_line_indent == Twips(630)  # two characters of 15.75 pt
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert fmt.line_spacing == Twips(579)
        assert fmt.space_before == 0 and fmt.space_after == 0
        # 3号 condensed by 0.25 pt: 28 characters of 15.75 pt fill the 156 mm line.
        for run in paragraph.runs:
            assert run._r.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"

    # Every run of the body and tables names the Chinese font; digits and Latin are Times New Roman.
    for run_element in document.element.body.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run_element.iter(qn("w:t")))
        rfonts = run_element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), text
        if ASCII_ALNUM.search(text):
            assert rfonts.get(qn("w:ascii")) == LATIN and rfonts.get(qn("w:hAnsi")) == LATIN, text


def test_line_grid_of_22_lines_and_28_characters() -> None:
    """22 lines of 579 twips fill the 225 mm block (a 23rd does not fit, a 22nd is not pushed off);
    3号 condensed to 15.75 pt sets 28 characters in the 156 mm line, 26 after the indent, 27 never."""
    document = _open(_rendered("seed")[1])
    sect_pr = document.sections[0]._sectPr
    grids = sect_pr.findall(qn("w:docGrid"))
    assert len(grids) == 1
    assert grids[0].get(qn("w:type")) == "lines" and grids[0].get(qn("w:linePitch")) == "579"
    page = document.sections[0]
    height = page.page_height.twips - page.top_margin.twips - page.bottom_margin.twips
    width = page.page_width.twips - page.left_margin.twips - page.right_margin.twips
    assert 22 * 579 <= height < 23 * 579
    advance = 320 - 5
    assert 28 * advance <= width < 29 * advance
    assert 630 + 26 * advance <= width < 630 + 27 * advance
    normal = document.styles["Normal"].element.rPr
    assert normal.find(qn("w:spacing")).get(qn("w:val")) == "-5"


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
    assert normal.paragraph_format.first_line_indent == Twips(630)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.widow_control is True


# w:pPr's children in the schema's order (ECMA-376 CT_PPrBase, then the rest of CT_PPr).
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
    "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
    "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)


def test_punctuation_may_hang_in_word_and_never_hangs_in_libreoffice() -> None:
    """w:overflowPunct on, in the defaults, the Normal style and every paragraph of the text: Word hangs
    a mark past a full line as it does by default; LibreOffice, whose DOCX import reads the element the
    other way round, carries the line's last character over with it, as the PDF does, instead of
    hanging the mark and losing it (see exports.docx_export.OVERFLOW_PUNCT)."""
    document = _open(_rendered("pingtan2022")[1])
    styles = document.styles.element
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    normal = document.styles["Normal"].element.pPr
    paragraphs = [p._p.pPr for p in document.paragraphs]
    footers = [p._p.pPr for s in document.sections for f in (s.footer, s.even_page_footer) for p in f.paragraphs]
    for ppr in (defaults, normal, *paragraphs, *footers):
        assert ppr is not None
        marks = ppr.findall(qn("w:overflowPunct"))
        assert len(marks) == 1, ppr.xml
        assert marks[0].get(qn("w:val")) in (None, "1", "true", "on"), ppr.xml
        names = [child.tag.rsplit("}", 1)[1] for child in ppr]
        assert names == sorted(names, key=PPR_ORDER.index), names


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


# ---------------------------------------------------------------- font table, metadata, package

FONT_NAMES = {"Times New Roman", "仿宋_GB2312", "楷体_GB2312", "黑体", "方正小标宋简体", "宋体"}


def _font_table(data: bytes) -> dict[str, dict[str, str]]:
    root = etree.fromstring(_part_xml(data, "word/fontTable.xml")[0].encode("utf-8"))
    out: dict[str, dict[str, str]] = {}
    for font in root.findall(qn("w:font")):
        out[font.get(qn("w:name"))] = {
            child.tag.split("}")[1]: child.get(qn("w:val")) or "" for child in font
        }
    return out


def _used_fonts(data: bytes) -> set[str]:
    used: set[str] = set()
    for xml in _part_xml(data, "word/"):
        for rfonts in re.findall(r"<w:rFonts [^>]*>", xml):
            for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
                used.update(re.findall(rf'w:{attribute}="([^"]+)"', rfonts))
    return used


@pytest.mark.parametrize("draft", [False, True])
def test_font_table_names_each_face_used_and_its_stand_in(draft: bool) -> None:
    """The faces the document uses and nothing else (python-docx's table named Cambria, Calibri and
    ＭＳ 明朝 and none of the Chinese faces): GB2312 charset, panose, family, pitch, and the system face
    Word takes where the _GB2312 faces are not installed."""
    _, data = _rendered("seed", draft=draft)
    table = _font_table(data)
    assert set(table) == FONT_NAMES == _used_fonts(data) | {"黑体"}
    alt = {name: entry.get("altName") for name, entry in table.items()}
    assert alt == {"Times New Roman": None, "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "黑体": "SimHei",
                   "方正小标宋简体": "宋体", "宋体": "SimSun"}
    for name, entry in table.items():
        assert re.fullmatch(r"[0-9A-F]{20}", entry["panose1"]), name
        assert entry["charset"] == ("00" if name == "Times New Roman" else "86"), name
        assert entry["family"] in ("roman", "modern", "auto") and entry["pitch"] in ("fixed", "variable"), name
    assert table["Times New Roman"]["family"] == "roman"


def test_metadata_are_true() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    data = render_docx(build_layout(_numbered(2025)[0]))
    after = datetime.now(UTC)
    props = _open(data).core_properties
    assert props.author == props.last_modified_by == AGENCY
    assert props.title == f"{AGENCY}2025年政府信息公开工作年度报告"
    assert props.revision == 1
    for stamp in (props.created, props.modified):
        assert stamp is not None
        assert before <= stamp.replace(tzinfo=UTC) <= after
    assert props.comments == "" and "python-docx" not in _part_xml(data, "docProps/core.xml")[0]
    app = _part_xml(data, "docProps/app.xml")[0]
    assert "<Application>政府信息公开年报助手</Application>" in app
    assert f"<Company>{AGENCY}</Company>" in app
    assert "Microsoft" not in app and "Macintosh" not in app and "<Pages>" not in app


def test_package_holds_no_leftovers_of_the_template() -> None:
    for key, draft in (("seed", False), ("pingtan2022", True)):
        _, data = _rendered(key, draft=draft)
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            rels = {n: package.read(n).decode("utf-8") for n in names if n.endswith(".rels")}
            content_types = package.read("[Content_Types].xml").decode("utf-8")
            settings = package.read("word/settings.xml").decode("utf-8")
            styles = package.read("word/styles.xml").decode("utf-8")
        expected = {
            "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml",
            "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml",
            "word/webSettings.xml", "word/fontTable.xml", "word/footer1.xml", "word/footer2.xml",
        }
        if draft:
            expected |= {"word/header1.xml", "word/header2.xml"}
        assert names == expected, key
        for leftover in ("thumbnail", "customXml", "stylesWithEffects", "theme", "numbering", "jpeg"):
            assert leftover not in content_types and all(leftover not in r for r in rels.values()), leftover
        # Every relationship points at a part that is there.
        for source, xml in rels.items():
            folder = source.replace("_rels/", "").removesuffix(".rels").rpartition("/")[0]
            for target in re.findall(r'Target="([^"]+)"', xml):
                path = target.lstrip("/") if target.startswith("/") else "/".join(filter(None, [folder, target]))
                assert path in names, (source, target)
        assert "savePreviewPicture" not in settings and "w:rsids" not in settings and "w14:docId" not in settings
        # A new document, not one Word 2013 and later open in 兼容模式 (the template's Word 2010 mode).
        assert re.search(r'w:name="compatibilityMode"[^>]*w:val="15"', settings), settings
        # Only the styles in use and the defaults, not Word 2010's 160 with their theme fonts.
        style_ids = set(re.findall(r'w:styleId="([^"]+)"', styles))
        assert {"Normal", "Footer"} <= style_ids and len(style_ids) <= 10, style_ids
        assert "Theme" not in styles


# ---------------------------------------------------------------- tables: widths, numbers, labels, keeps


def test_tables_have_fixed_columns_of_the_layout_widths() -> None:
    layout, data = _rendered("pingtan2022")
    for spec, table in zip(layout.tables, _open(data).tables, strict=True):
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
        assert sum(grid) == round(156 / 25.4 * 1440)
        assert all(abs(w - mm / 25.4 * 1440) <= 1 for w, mm in zip(grid, spec.widths, strict=True)), spec.id
        margins = tbl_pr.find(qn("w:tblCellMar"))
        assert {m.tag.split("}")[1]: m.get(qn("w:w")) for m in margins} == {
            "top": "20", "left": "30", "bottom": "20", "right": "30"}
        # Each cell as wide as the columns it spans.
        for row in table._tbl.tr_lst:
            for tc in row.tc_lst:
                assert int(tc.tcPr.tcW.get(qn("w:w"))) == sum(grid[tc.grid_offset : tc.grid_offset + tc.grid_span])


@pytest.mark.parametrize(("text", "size"), [("12345", 10.5), ("123456", 9.0), ("99999", 10.5), ("1234567", 8.0)])
def test_numbers_fit_their_cells_in_smaller_type_only_when_they_must(text: str, size: float) -> None:
    """三's 11 mm columns hold five digits of 5号 Times New Roman (26.25 pt in 28.2 pt); six take 9 pt."""
    room = 11 / 25.4 * 72 - 3
    assert number_size(text, room) == size
    assert latin_width(text, size) <= room
    assert size == 10.5 or latin_width(text, size + 0.5) > room


def test_number_cells_never_wrap_and_big_numbers_shrink() -> None:
    report = new_report(AGENCY, 2024)
    report.set_cell("s3.new.natural", 12345)
    report.set_cell("s3.new.commercial", 123456)
    report.set_cell("s4.review.upheld", 12345)
    layout = build_layout(report)
    document = _open(render_docx(layout))
    sizes: dict[str, float] = {}
    for spec, table in zip(layout.tables, document.tables, strict=True):
        grid = _grid(table)
        for cell in spec.cells:
            tc = grid[cell.row][cell.col]._tc
            assert (tc.tcPr.find(qn("w:noWrap")) is not None) == (cell.cell_id is not None), cell
            if cell.cell_id and cell.text:
                run = tc.find(f"{qn('w:p')}/{qn('w:r')}")
                sizes[cell.cell_id] = int(run.find(f"{qn('w:rPr')}/{qn('w:sz')}").get(qn("w:val"))) / 2
    assert sizes["s3.new.natural"] == 10.5  # five digits in 三's 11 mm
    assert sizes["s3.new.commercial"] == 9.0  # six
    assert sizes["s4.review.upheld"] == 10.5  # five in 四's 10.4 mm
    assert sizes["s3.new.total"] == 9.0  # 135,802 (the row's total)


def _label_cases() -> list[tuple[str, str, float]]:
    cases = []
    for year in (2024, 2020):
        for table in build_layout(new_report(AGENCY, year)).tables:
            twips = [round(w / 25.4 * 1440) for w in table.widths]
            for cell in table.cells:
                if cell.cell_id is None:
                    room = (sum(twips[cell.col : cell.col + cell.colspan]) - 60) / 20
                    cases.append((f"{year}-{table.id}", cell.text, room))
    return cases


def test_labels_break_into_lines_that_fit_without_a_lone_character() -> None:
    seen = set()
    for case, text, room in _label_cases():
        lines = label_lines(text, room - 1)
        assert "".join(lines) == text.replace(" ", ""), (case, text)
        assert all(sum(0.5 if ch <= "~" else 1 for ch in line) * 10.5 <= room for line in lines), (case, lines)
        if len(lines) > 1 and not all(len(line) == 1 for line in lines):
            assert len(lines[-1]) > 1, (case, lines)  # never "不予公" / "开"
        seen.add((text, tuple(lines)))
    assert ("（三）不予公开", ("（三）", "不予公开")) in seen
    assert ("（四）无法提供", ("（四）", "无法提供")) in seen
    assert ("三、本年度办理结果", ("三、本", "年度办", "理结果")) in seen
    assert ("自然人", ("自", "然", "人")) in seen  # three characters in 11 mm: one to a line
    assert ("一、本年新收政府信息公开申请数量", ("一、本年新收政府信息公开申请数量",)) in seen


def test_label_lines_are_explicit_breaks_in_the_cell() -> None:
    document = _open(_rendered("pingtan2022")[1])
    grid = _grid(document.tables[1])
    assert grid[7][1].lines == ["（三）", "不予公开"]
    assert grid[5][0].lines == ["三、本", "年度办", "理结果"]
    assert grid[5][1].lines == ["（一）予以公开"]


def _keeps(table: DocxTable) -> list[bool]:
    """For each row, whether its paragraphs (all of them, merged-away cells' too) keep with the next."""
    out = []
    for row in table._tbl.tr_lst:
        flags = {p.pPr.find(qn("w:keepNext")) is not None for p in row.iter(qn("w:p"))}
        assert len(flags) == 1, "every paragraph of a row keeps alike"
        out.append(flags.pop())
    return out


def test_a_table_that_fits_on_a_page_keeps_every_row_with_the_next() -> None:
    """二, 四 and 三 of both templates fit on a page (2021's 三 with its heading just so): every row but
    the last keeps with the next, so Word moves the table whole (with its heading, which keeps with it)
    rather than leave rows at the foot of a page."""
    for key in ("pingtan2022", "pingtan2019"):
        layout, data = _rendered(key)
        document = _open(data)
        for spec, table in zip(layout.tables, document.tables, strict=True):
            assert _keeps(table) == [True] * (spec.rows - 1) + [False], (key, spec.id)
        titles = ("二、主动公开政府信息情况", "四、政府信息公开行政复议、行政诉讼情况")
        headings = [p for p in document.paragraphs if p.text in titles]
        assert len(headings) == 2 and all(p.paragraph_format.keep_with_next for p in headings)


def test_a_longer_table_breaks_only_between_its_row_groups() -> None:
    """A 三 taller than a page with its heading (here: labels three times as long as the template's):
    the header rows keep with the first group, each group keeps together (三、本年度办理结果's 22 rows),
    and a page may break only after a group's last row."""
    layout, _ = _rendered("pingtan2022")
    three = layout.tables[1]
    longer = tuple(
        c._replace(text=c.text * 3) if c.col == 2 and c.row >= three.header_rows else c for c in three.cells
    )
    spec = three._replace(cells=longer)
    layout = layout._replace(blocks=tuple(spec if b is three else b for b in layout.blocks))
    data = render_docx(layout)
    assert spec.id == "s3" and _TableLayout(spec).height_pt() > 225 / 25.4 * 72
    keeps = _keeps(_open(data).tables[1])
    breaks_allowed = {row for row, keep in enumerate(keeps) if not keep}
    assert breaks_allowed == {end - 1 for _, end in spec.groups}
    assert (5, 27) in spec.groups and all(keeps[r] for r in range(spec.header_rows))


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
    # The last text, the empty lines and the organ keep with what follows: the signature never
    # stands alone at the head of a page.
    assert all(p.paragraph_format.keep_with_next for _, p in after[:-1])
    # Organ and date centred on one axis: the date ends four characters in from the margin (右空四字),
    # the organ stands over it.
    organ, date = after[-2][1], after[-1][1]
    for paragraph in (organ, date):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert paragraph.paragraph_format.first_line_indent == 0
        assert paragraph.paragraph_format.right_indent == 0
    assert organ.paragraph_format.left_indent == date.paragraph_format.left_indent
    axis = signature_axis_pt(AGENCY, "2026年1月20日")
    date_width = 3 * 15.75 + 7 * 7.75  # 年月日, and 2026, 1, 20 in Times New Roman
    assert abs(axis - (4 * 15.75 + date_width / 2)) < 0.01
    text_width = 156 / 25.4 * 72
    assert abs(date.paragraph_format.left_indent.pt - (text_width - 2 * axis)) < 0.1


def test_long_organ_moves_the_axis_to_stay_inside_the_margin() -> None:
    organ = "某某省某某市某某县某某镇人民政府某某办公室"  # 21 characters
    axis = signature_axis_pt(organ, "2026年1月20日")
    assert axis >= 21 * 15.75 / 2
    assert signature_axis_pt(AGENCY, "2026年1月20日") < axis


def test_undated_signature_leaves_room_to_date_it_by_hand() -> None:
    document = _open(_rendered("blank2025")[1])
    texts = [t for t, _ in _signature_after_section_six(document)]
    blank = "\u3000" * 4 + "年" + "\u3000" * 2 + "月" + "\u3000" * 2 + "日"
    assert texts[-2:] == [AGENCY, blank]
    # Room for 2026, 12 and 31 written by hand: at least as wide as the digits and a character more.
    assert blank.index("年") * 15.75 >= 4 * 8 + 15
    assert (blank.index("月") - blank.index("年") - 1) * 15.75 >= 2 * 8 + 15


def test_write_docx_writes_a_readable_file(tmp_path: Path) -> None:
    report, _ = _numbered(2025)
    target = tmp_path / "年报.docx"
    write_docx(report, target, blank_as_zero=False, draft=True)
    document = Document(str(target))
    assert document.paragraphs[0].text.replace("\n", "") == report.title
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


# ---------------------------------------------------------------- as LibreOffice sets it
# Our DOCX printed by LibreOffice, read back with pdfplumber: what a clerk's office suite makes of it.

TEXT_LEFT = 28 / 25.4 * 72
TEXT_RIGHT = (210 - 26) / 25.4 * 72
TEXT_TOP = 37 / 25.4 * 72
TEXT_BOTTOM = (297 - 35) / 25.4 * 72
GRID_TEXT = "政府信息公开工作依法依规推进"  # no punctuation: every full line holds exactly 28 characters


@dataclass
class _Line:
    baseline: float
    size: float
    x0: float
    x1: float
    text: str
    chars: list[dict[str, Any]]


def _page_lines(page: Any) -> list[_Line]:
    """The page's lines of text, top to bottom, characters joined by baseline (fonts differ in height)."""
    rows: dict[float, list[dict[str, Any]]] = {}
    for ch in page.chars:
        if ch["text"].strip():
            rows.setdefault(round(page.height - ch["matrix"][5], 0), []).append(ch)
    lines = []
    for baseline in sorted(rows):
        chars = sorted(rows[baseline], key=lambda c: c["x0"])
        exact = page.height - chars[0]["matrix"][5]
        lines.append(_Line(exact, max(c["size"] for c in chars), chars[0]["x0"], chars[-1]["x1"],
                           "".join(c["text"] for c in chars), chars))
    return lines


def _low_report(template_year: int, lines_before: int) -> Report:
    """A report whose 一 runs `lines_before` full lines, so 二 and 三 start at another height of the page."""
    report = new_report(AGENCY, template_year)
    report.texts["s1"] = (GRID_TEXT * 2)[:28] * lines_before if lines_before else "（一）主动公开"
    report.signature.date = f"{template_year + 1}-01-20"
    return report


def _numbers_report() -> Report:
    report = new_report(AGENCY, 2024)
    for i, cell in enumerate(report.template.input_cells):
        if cell.id.startswith("s3."):
            report.set_cell(cell.id, (12345, 123456, 99999, 1234)[i % 4])
        elif cell.id.startswith("s4."):
            report.set_cell(cell.id, (12345, 9999)[i % 2])
    return report


@dataclass
class _Printed:
    report: Report
    layout: Layout
    pages: list[list[_Line]]

    def page_of(self, text: str, *, cells: bool = False) -> list[int]:
        """The pages with a line holding `text` (only lines of 5号 table text with `cells`)."""
        return [
            i for i, page in enumerate(self.pages)
            if any(text in line.text for line in page if not cells or line.size < 12)
        ]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, _Printed]:
    """Reports exported as DOCX and printed to PDF by LibreOffice in one run."""
    require_tool("soffice")
    grid = new_report(AGENCY, 2024)
    grid.texts["s5"] = GRID_TEXT * 130  # more than two pages of it
    reports: dict[str, Report] = {
        "grid": grid,
        "pingtan2022": _sample("pingtan2022"),
        "numbers": _numbers_report(),
        "undated": new_report(AGENCY, 2024),
        **{f"low2019-{n}": _low_report(2020, n) for n in range(0, 22, 3)},
        **{f"low2021-{n}": _low_report(2024, n) for n in range(0, 22, 4)},
    }
    folder = tmp_path_factory.mktemp("printed")
    for name, report in reports.items():
        write_docx(report, folder / f"{name}.docx")
    result = libreoffice_to_pdf((folder / f"{name}.docx" for name in reports), folder, folder / "profile", timeout=600)
    out: dict[str, _Printed] = {}
    for name, report in reports.items():
        pdf = folder / f"{name}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {name}: {result.stdout}{result.stderr}"
        with pdfplumber.open(pdf) as document:
            out[name] = _Printed(report, build_layout(report), [_page_lines(page) for page in document.pages])
    return out


@pytest.mark.needs_tool("soffice")
def test_libreoffice_sets_28_characters_a_line_and_22_lines_a_page(printed: dict[str, _Printed]) -> None:
    doc = printed["grid"]
    body = [line for page in doc.pages for line in page
            if abs(line.size - 16) < 0.5 and set(line.text) <= set(GRID_TEXT)]
    assert len(body) > 60
    first, *rest = body
    assert len(first.text) == 26 and abs(first.x0 - (TEXT_LEFT + 31.5)) < 2  # indented two characters
    full = rest[:-1]  # the paragraph's last line is shorter
    assert all(len(line.text) == 28 for line in full), [len(line.text) for line in full]
    assert all(abs(line.x0 - TEXT_LEFT) < 1.5 and abs(line.x1 - TEXT_RIGHT) < 2.5 for line in full)
    # A page full of the paragraph: 22 lines 28.95 pt apart, inside the 225 mm block.
    full_pages = [page for page in doc.pages if sum(set(line.text) <= set(GRID_TEXT) for line in page) == 22]
    assert full_pages
    for page in full_pages:
        lines = [line for line in page if abs(line.size - 16) < 0.5]
        assert len(lines) == 22
        pitches = {round(b.baseline - a.baseline, 1) for a, b in itertools.pairwise(lines)}
        assert pitches <= {28.9, 29.0}, pitches
        assert lines[0].baseline > TEXT_TOP and lines[-1].baseline < TEXT_BOTTOM


@pytest.mark.needs_tool("soffice")
def test_libreoffice_sets_the_title_in_whole_lines(printed: dict[str, _Printed]) -> None:
    doc = printed["pingtan2022"]
    title = [line.text for line in doc.pages[0] if line.size > 20]
    assert title == ["平潭综合实验区", "2022年政府信息公开工作年度报告"]


@pytest.mark.needs_tool("soffice")
def test_libreoffice_moves_a_table_that_fits_whole_to_the_next_page(printed: dict[str, _Printed]) -> None:
    """2019's 三 fits on a page: wherever it would start, heading, header and every row share a page;
    in some of the reports it starts too low and moves, leaving the rest of the page before it empty."""
    moved = 0
    for name, doc in printed.items():
        if not name.startswith("low2019"):
            continue
        heading = doc.page_of("三、收到和处理政府信息公开申请情况")
        labels = ("申请人情况", "一、本年新收政府信息公开申请数量", "（一）予以公开", "（七）总计",
                  "四、结转下年度继续办理")
        rows = {text: doc.page_of(text, cells=True) for text in labels}
        assert len(heading) == 1 and all(pages == heading for pages in rows.values()), (name, heading, rows)
        # 二 and 四 (small tables) likewise.
        for table_heading, last_row in (("二、主动公开政府信息情况", "政府集中采购"),
                                        ("四、政府信息公开行政复议、行政诉讼情况", "复议后起诉")):
            assert doc.page_of(table_heading) == doc.page_of(last_row, cells=True), (name, table_heading)
        page = heading[0]
        if page > 0:
            previous = doc.pages[page - 1]
            last = max(line.baseline for line in previous if line.size < 20 and line.baseline < TEXT_BOTTOM)
            room = TEXT_BOTTOM - last
            moved += room > 5 * 28.95
    assert moved, "no report had 三 start low enough to move"


@pytest.mark.needs_tool("soffice")
def test_libreoffice_breaks_a_longer_table_only_between_row_groups(printed: dict[str, _Printed]) -> None:
    """2021's 三 is taller than a page with its heading: the 22 rows under 三、本年度办理结果 stay on one
    page with the header repeated above them; the heading never stays behind without rows."""
    for name, doc in printed.items():
        if not (name.startswith("low2021") or name == "pingtan2022"):
            continue
        group = {text: doc.page_of(text, cells=True) for text in ("（一）予以公开", "（三）", "不予公开", "（七）总计")}
        first = group["（一）予以公开"]
        assert len(first) == 1 and all(pages == first for pages in group.values()), (name, group)
        assert "申请人情况" in "".join(line.text for line in doc.pages[first[0]]), name
        heading = doc.page_of("三、收到和处理政府信息公开申请情况")
        assert doc.page_of("一、本年新收政府信息公开申请数量", cells=True) == heading, name
        # The merged label is whole on its page: 三、本 / 年度办 / 理结果.
        texts = [line.text for line in doc.pages[first[0]]]
        assert all(any(part in text for text in texts) for part in ("三、本", "年度办", "理结果")), name


@pytest.mark.needs_tool("soffice")
def test_libreoffice_keeps_every_number_on_one_line(printed: dict[str, _Printed]) -> None:
    doc = printed["numbers"]
    wanted: dict[str, int] = {}
    for table in doc.layout.tables:
        for cell in table.cells:
            if cell.cell_id is not None:
                wanted[cell.text] = wanted.get(cell.text, 0) + 1
    runs: dict[str, int] = {}
    for page in doc.pages:
        for line in page:
            run = ""
            last_x1 = None
            for ch in line.chars:
                adjacent = last_x1 is not None and ch["x0"] - last_x1 < 1.5
                if ch["text"].isdigit() and (adjacent or not run):
                    run += ch["text"]
                else:
                    if run:
                        runs[run] = runs.get(run, 0) + 1
                    run = ch["text"] if ch["text"].isdigit() else ""
                last_x1 = ch["x1"]
            if run:
                runs[run] = runs.get(run, 0) + 1
    for text, count in wanted.items():
        assert runs.get(text, 0) >= count, (text, count, runs.get(text))
    assert max(map(len, wanted)) >= 6


@pytest.mark.needs_tool("soffice")
def test_libreoffice_breaks_labels_after_their_numbering(printed: dict[str, _Printed]) -> None:
    doc = printed["pingtan2022"]
    texts = [line.text for page in doc.pages for line in page if line.size < 12]
    assert any("（三）" in text and "不予" not in text for text in texts)  # the numbering on its own line
    for label in ("不予公开", "无法提供", "不予处理", "其他处理"):
        assert any(label in text for text in texts), label
        assert not any(label[:-1] in text and label not in text for text in texts), label


@pytest.mark.needs_tool("soffice")
@pytest.mark.parametrize("key", ["pingtan2022", "undated"])
def test_libreoffice_centres_the_organ_over_a_date_four_characters_in(
    printed: dict[str, _Printed], key: str
) -> None:
    doc = printed[key]
    last = doc.pages[-1]
    organ_text = doc.layout.blocks[-1].organ if isinstance(doc.layout.blocks[-1], SignatureBlock) else ""
    index = next(i for i, line in enumerate(last) if line.text == organ_text)
    organ, date = last[index], last[index + 1]
    if doc.report.signature.date:
        assert date.text.endswith("日") and date.text[0].isdigit()
        left = date.x0
    else:
        assert date.text == "年月日"
        # The blank runs from four characters before 年 (room for 2026); 月 and 日 two characters after.
        year, month, day = date.chars
        assert month["x0"] - year["x1"] >= 2 * 15.75 - 1 and day["x0"] - month["x1"] >= 2 * 15.75 - 1
        left = year["x0"] - 4 * 15.75
    assert abs((TEXT_RIGHT - date.x1) - 4 * 15.75) < 3  # 右空四字
    assert abs((organ.x0 + organ.x1) / 2 - (left + date.x1) / 2) < 3  # the organ centred over the date
    assert organ.x1 <= TEXT_RIGHT + 0.5
