"""HTML reader: our own exports, a saved portal page and broken files, extracted and read back as reports."""

from __future__ import annotations

import html
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.checks import ERROR, validate
from core.nextyear import new_report
from core.numbers import parse_value
from core.report import Report
from core.reportfile import ReportFileError, read_report_file
from core.template import CellKind
from exports.html_export import DRAFT_TEXT, write_html
from exports.layout import GridCell, Layout, Paragraph, SignatureBlock, Table, blank_total, build_layout
from reading.document import ExtractedDocument, ExtractedTable
from reading.formats import read_with_log
from reading.html_reader import TRUNCATED, extract_html, normalise
from tests.conftest import SAMPLES_DIR

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("seed-2020-tiexi.json", "real/2019_pingtan.json", "real/2022_pingtan.json")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# --- helpers ------------------------------------------------------------------------------------


def sample(name: str) -> Report:
    path = SAMPLES_DIR / name
    assert path.is_file(), f"sample not found at {path}"
    return read_report_file(path)


def distinctive_report(template_id: str) -> Report:
    """Every input cell holds its own number (signed cells some negative, money with decimals and a
    unit), a two-line title, run-in and stand-alone sub-headings and a note under 二."""
    year = 2022 if template_id == "2021" else 2020
    report = new_report("某某市某某区人民政府办公室", year, template_id=template_id)
    for n, cell in enumerate(report.template.input_cells):
        number = 1001 + 7 * n
        value: object = number
        if cell.kind is CellKind.SIGNED and n % 2:
            value = -number
        elif cell.kind is CellKind.MONEY:
            value = f"{number}.{n % 9 + 1}5" + ("元" if template_id == "2019" else "")
        report.set_cell(cell.id, value)
    report.title = f"某某市某某区人民政府办公室\n{year}年政府信息公开工作年度报告"
    report.texts["s1"] = (
        f"（一）主动公开。{year}年本机关主动公开政府信息1234条。\n（二）依申请公开\n依法办理政府信息公开申请，答复及时。"
    )
    report.texts["s2_note"] = f"{year}年本部门政府信息公开发布总数量（非新闻类、消息类）：65条"
    report.texts["s5"] = "存在的主要问题是公开内容不够具体。\n下一步将加强培训，提高工作水平。"
    report.texts["s6"] = "本年度未收取信息处理费。"
    report.signature.date = f"{year + 1}-01-20"
    return report


REPORTS = {
    **{name: (lambda name=name: sample(name)) for name in SAMPLES},
    "distinctive-2021": lambda: distinctive_report("2021"),
    "distinctive-2019": lambda: distinctive_report("2019"),
}


def write(tmp_path: Path, content: str | bytes, name: str = "page.html") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def extract_text(tmp_path: Path, content: str | bytes) -> ExtractedDocument:
    return extract_html(write(tmp_path, content))


def placed(table: ExtractedTable) -> dict[tuple[int, int], tuple[str, int, int]]:
    """Each cell at the grid position a browser gives it (first free slot of its row), with its spans;
    asserts that no two cells overlap."""
    assert len(table.rows) == len(table.spans)
    taken: set[tuple[int, int]] = set()
    out: dict[tuple[int, int], tuple[str, int, int]] = {}
    for r, (texts, spans) in enumerate(zip(table.rows, table.spans, strict=True)):
        assert len(texts) == len(spans)
        c = 0
        for text, (rowspan, colspan) in zip(texts, spans, strict=True):
            while (r, c) in taken:
                c += 1
            out[(r, c)] = (text, rowspan, colspan)
            for dr in range(rowspan):
                for dc in range(colspan):
                    assert (r + dr, c + dc) not in taken, f"cells overlap at {(r + dr, c + dc)}"
                    taken.add((r + dr, c + dc))
            c += colspan
    return out


def assert_table_matches_layout(extracted: ExtractedTable, table: Table, text_of: dict[GridCell, str]) -> None:
    """Every cell of the layout at its place with its spans and text; anything else is an empty filler."""
    assert len(extracted.rows) == table.rows
    grid = placed(extracted)
    starts = {(c.row, c.col): c for c in table.cells}
    for (row, col), cell in starts.items():
        assert grid.get((row, col)) == (text_of[cell], cell.rowspan, cell.colspan), (table.id, row, col)
    for position, (text, rowspan, colspan) in grid.items():
        if position not in starts:
            assert (text, rowspan, colspan) == ("", 1, 1)
            assert table.cell_at(*position) is None


def expected_paragraphs(layout: Layout, *, fragment: bool = False) -> tuple[list[str], list[int]]:
    """The paragraphs a reader of the page sees, and how many come before each table (a fragment has no
    title, an undated report no date line)."""
    paragraphs: list[str] = [DRAFT_TEXT] if layout.draft else []
    positions: list[int] = []
    for block in layout.blocks:
        if isinstance(block, Table):
            positions.append(len(paragraphs))
        elif isinstance(block, SignatureBlock):
            paragraphs += [normalise(block.organ), normalise(block.date)]
        elif block.style == "title":
            if not fragment:
                paragraphs += [normalise(line) for line in block.text.splitlines()]
        else:
            paragraphs.append(normalise(block.lead + block.text))
    positions = [len([p for p in paragraphs[:n] if p]) for n in positions]
    return [p for p in paragraphs if p], positions


def assert_one_line_reason(exc: pytest.ExceptionInfo[ReportFileError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message and _CJK.search(message), message
    return message


# --- our own exports --------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(REPORTS))
@pytest.mark.parametrize("fragment", [False, True], ids=["page", "fragment"])
def test_own_export_extracts_tables_and_paragraphs(tmp_path: Path, key: str, fragment: bool) -> None:
    report = REPORTS[key]()
    path = tmp_path / "report.html"
    write_html(report, path, fragment=fragment)
    doc = extract_html(path)
    layout = build_layout(report)

    assert doc.source == "html"
    assert len(doc.tables) == len(layout.tables) == 3
    for extracted, table in zip(doc.tables, layout.tables, strict=True):
        assert_table_matches_layout(extracted, table, {c: normalise(c.text) for c in table.cells})
    paragraphs, positions = expected_paragraphs(layout, fragment=fragment)
    assert doc.paragraphs == paragraphs
    assert doc.table_positions == positions  # (so the <title> in <head> was not read as a paragraph)


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_distinctive_numbers_in_their_cells(tmp_path: Path, template_id: str) -> None:
    report = distinctive_report(template_id)
    path = tmp_path / "report.html"
    write_html(report, path)
    doc = extract_html(path)
    totals = report.totals()
    template = report.template
    seen: set[str] = set()
    for extracted, table in zip(doc.tables, build_layout(report).tables, strict=True):
        grid = placed(extracted)
        for cell in table.cells:
            if cell.cell_id is None:
                continue
            definition = template.cell(cell.cell_id)
            text = grid[(cell.row, cell.col)][0]
            if definition.computed:
                assert parse_value(text, definition.kind).number == totals[cell.cell_id], cell.cell_id
            else:
                assert text == report.value(cell.cell_id).text, cell.cell_id
            seen.add(cell.cell_id)
    assert seen == {c.id for c in template.cells}
    # The two-line title is two paragraphs; the heading of 二 comes right before its table.
    assert doc.paragraphs[:2] == report.title.splitlines()
    assert doc.paragraphs[doc.table_positions[0] - 1] == template.section("s2").heading
    assert doc.paragraphs[doc.table_positions[0]] == report.texts["s2_note"]
    assert doc.paragraphs[doc.table_positions[1] - 1] == template.section("s3").heading
    assert doc.paragraphs[doc.table_positions[2] - 1] == template.section("s4").heading


def test_blank_cells_exported_empty_are_read_as_empty_texts(tmp_path: Path) -> None:
    report = new_report("某某县人民政府办公室", 2022)
    path = tmp_path / "blank.html"
    write_html(report, path, blank_as_zero=False, draft=True)
    doc = extract_html(path)
    layout = build_layout(report, blank_as_zero=False)
    for extracted, table in zip(doc.tables, layout.tables, strict=True):
        grid = placed(extracted)
        for cell in table.cells:
            if cell.cell_id is not None and not cell.computed:
                assert grid[(cell.row, cell.col)][0] == ""
    assert doc.paragraphs[0] == DRAFT_TEXT


# --- a report page saved from a government portal ---------------------------------------------

PORTAL_BLANK = "s3.denied_inquiry.research"  # a blank cell (Word leaves &nbsp; in it)
PORTAL_DASH = "s4.suit_direct.other"  # a cell with "-"
PORTAL_FULLWIDTH = "s3.new.natural"  # digits typed full-width


def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))


def _broken(label: str) -> tuple[str, str]:
    """A long label as clerks break it over two lines."""
    middle = len(label) // 2
    return label[:middle], label[middle:]


def portal_report() -> Report:
    report = distinctive_report("2021")
    report.title = "某某市某某区人民政府办公室2022年政府信息公开工作年度报告"
    report.inputs.pop(PORTAL_BLANK)
    report.inputs.pop(PORTAL_DASH)
    return report


def _portal_cell(cell: GridCell, header_rows: int, printed: str) -> tuple[str, str]:
    """One <td> in the markup Word's "save as web page" and portal editors produce, and the text the
    reader should give for it."""
    attrs = " width=64 valign=middle style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'"
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan} "' if cell.row < header_rows else f" rowspan={cell.rowspan}"
    if cell.colspan > 1:
        attrs += f" colspan='{cell.colspan}'"
    span = "<span style='font-size:10.5pt;font-family:宋体'>"
    end = "<span lang=EN-US><o:p></o:p></span></span>"
    if cell.cell_id is None and len(cell.text) >= 8:
        first, second = _broken(cell.text)
        if cell.row < header_rows:  # a column heading broken with <br>
            inner = f"<p class=MsoNormal align=center>{span}{html.escape(first)}<br>{html.escape(second)}{end}</p>"
        else:  # a row label typed as two paragraphs in the cell
            inner = f"<p class=MsoNormal>{span}{html.escape(first)}{end}</p><p class=MsoNormal>{span}{second}{end}</p>"
        return f"<td{attrs}>{inner}</td>", f"{first}\n{second}"
    if cell.cell_id == PORTAL_BLANK:
        return f"<td{attrs}><p class=MsoNormal align=center>{span}<o:p>&nbsp;</o:p></span></p></td>", ""
    text = printed
    if cell.cell_id == PORTAL_DASH:
        text = "-"
    elif cell.cell_id == PORTAL_FULLWIDTH or cell.cell_id == "s2.fees.amount":
        text = _fullwidth(text)
    markup = html.escape(text)
    if cell.cell_id is not None and cell.row % 3 == 0:  # some numbers with stray &nbsp; around them
        markup = f"&nbsp;{markup}&nbsp;"
    inner = f"<p class=MsoNormal align=center style='text-align:center'>{span}{markup}{end}</p>"
    return f"<td{attrs}>{inner}</td>", text


def _portal_table(table: Table, expected: dict[GridCell, str]) -> str:
    rows: dict[int, list[GridCell]] = {}
    for cell in table.cells:
        rows.setdefault(cell.row, []).append(cell)
    header_rows = max(table.header_rows, 1)
    lines = [
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=604"
        " style='border-collapse:collapse;border:none'>"
    ]
    for row in range(table.rows):
        cells = sorted(rows.get(row, []), key=lambda c: c.col)
        lines.append(" <tr style='height:20.0pt'>")
        for cell in cells:
            markup, text = _portal_cell(cell, header_rows, normalise(cell.text))
            expected[cell] = text
            lines.append("  " + markup)
        lines.append(" </tr>")
    # Word's invisible row that fixes the column widths.
    lines.append(" <![if !supportMisalignedColumns]>")
    lines.append(" <tr height=0>" + "<td width=40 style='border:none'></td>" * table.columns + "</tr>")
    lines.append(" <![endif]>")
    lines.append("</table>")
    return "\n".join(lines)


def _portal_paragraph(block: Paragraph) -> str:
    fangsong = "<span style='font-size:16.0pt;font-family:仿宋_GB2312'>"
    if block.style == "heading1":
        return f"<p style='text-indent:32.0pt'><strong><span style='font-family:黑体'>{block.text}</span></strong></p>"
    if block.style == "heading2":
        return f"<p style='text-indent:32.0pt'><span style='font-family:楷体_GB2312'>{block.text}</span></p>"
    text = html.escape(block.text)
    half = len(text) // 2
    body = f"{fangsong}{text[:half]}</span>{fangsong}{text[half:]}</span>"
    if block.lead:
        body = f"<span style='font-family:楷体_GB2312'>{block.lead}</span>" + body
    return f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>&nbsp;&nbsp;&nbsp; {body}</p>"


def portal_page(report: Report) -> tuple[bytes, dict[GridCell, str], Layout]:
    """The report as a page saved from a county portal: GBK bytes declared gb2312, the whole page in a
    layout table, navigation, the title in a <div>, an information table, the report in a TRS_Editor
    <div> with Word-style markup, scripts, a hidden block and a footer."""
    layout = build_layout(report, blank_as_zero=False)
    expected: dict[GridCell, str] = {}
    body: list[str] = []
    for block in layout.blocks:
        if isinstance(block, Table):
            body.append(_portal_table(block, expected))
        elif isinstance(block, SignatureBlock):
            body.append(f"<p align=right style='text-align:right'>{block.organ}</p>")
            body.append(f"<p align=right style='text-align:right'>{block.date}</p>")
        elif block.style != "title":
            body.append(_portal_paragraph(block))
    content = "\n".join(body)
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="gb2312">
<title>{layout.title}_某某区人民政府</title>
<link href="../images/style.css" rel="stylesheet" type="text/css">
<style type="text/css">.TRS_Editor P {{ margin-top: 0; font-size: 16px }} td {{ font-size: 12px }}</style>
<script type="text/javascript">
var menu = "<table><tr><td>菜单</td></tr></table>"; if (a < b && b > c) {{ x(); }}
</script>
</head>
<body>
<!-- 页头 -->
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td colspan="2">
  <div class="top"><img src="../images/logo.png" alt="某某区人民政府门户网站"></div>
  <div class="nav">您当前的位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/zwgk/">政务公开</a>&nbsp;&gt;&nbsp;
    <a>年度报告</a></div>
  <select onchange="window.open(this.value)"><option>国务院部门网站</option><option>省政府网站</option></select>
</td></tr>
<tr>
<td width="200" valign="top">
  <ul class="menu"><li><a href="zn/">政府信息公开指南</a></li><li><a href="zd/">政府信息公开制度</a></li></ul>
</td>
<td width="800" valign="top">
  <table class="xxgk" width="100%" border="1">
   <tr><td>索引号：</td><td>11220302/2023-00012</td><td>发布机构：</td><td>某某区人民政府办公室</td></tr>
   <tr><td>发布日期：</td><td>2023-01-18</td><td>文号：</td><td></td></tr>
  </table>
  <div class="title" style="font-size:22px;font-weight:bold;text-align:center">{layout.title}</div>
  <div class="info">发布时间：2023-01-18&nbsp;&nbsp;&nbsp;来源：区政府办公室&nbsp;&nbsp;浏览次数：
    <span id="hits"><script>document.write(hits)</script></span></div>
  <div class="TRS_Editor" id="zoom">
{content}
  </div>
  <div style="display:none" class="share">分享到微信 分享到微博</div>
  <div class="print">【<a href="javascript:window.print()">打印本页</a>】
    【<a href="javascript:window.close()">关闭窗口</a>】</div>
</td>
</tr>
<tr><td colspan="2"><div class="foot">版权所有：某某区人民政府&nbsp;&nbsp;网站标识码：2203020001<br>
  主办单位：某某区人民政府办公室</div></td></tr>
</table>
<script src="../js/stat.js"></script>
</body>
</html>
"""
    return page.encode("gbk"), expected, layout


def test_portal_page_extraction(tmp_path: Path) -> None:
    report = portal_report()
    content, expected, layout = portal_page(report)
    assert b'charset="gb2312"' in content
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    doc = extract_text(tmp_path, content)

    # The information table, then the report's three tables, each complete in spite of the layout table.
    assert len(doc.tables) == 4
    info, *tables = doc.tables
    assert info.rows == [["索引号：", "11220302/2023-00012", "发布机构：", "某某区人民政府办公室"],
                         ["发布日期：", "2023-01-18", "文号：", ""]]
    for extracted, table in zip(tables, layout.tables, strict=True):
        assert_table_matches_layout(extracted, table, expected)
    s3 = placed(tables[1])
    corner = layout.tables[1].cells[0]
    assert s3[(0, 0)][1:] == (corner.rowspan, corner.colspan) == (3, 3)
    fullwidth = _fullwidth(str(report.number(PORTAL_FULLWIDTH)))
    assert fullwidth.startswith("１") and fullwidth in [text for text, _, _ in s3.values()]
    assert len(tables[1].rows) == layout.tables[1].rows  # Word's spacer row is gone

    paragraphs = doc.paragraphs
    template = report.template
    assert paragraphs.count(report.title) == 1  # the <div> title; the <title> in <head> is not text
    for section in template.sections:
        assert section.heading in paragraphs
    # Each report table right under its heading (二's note comes after its table).
    assert paragraphs[doc.table_positions[1] - 1] == template.section("s2").heading
    assert paragraphs[doc.table_positions[1]] == report.texts["s2_note"]
    assert paragraphs[doc.table_positions[2] - 1] == template.section("s3").heading
    assert paragraphs[doc.table_positions[3] - 1] == template.section("s4").heading
    # Paragraphs in several <span>s with &nbsp; indents read as one clean line.
    assert normalise(report.preamble) in paragraphs
    assert "（一）主动公开。2022年本机关主动公开政府信息1234条。" in paragraphs
    assert "存在的主要问题是公开内容不够具体。" in paragraphs
    assert not any("\xa0" in p or p != p.strip() for p in paragraphs)
    # Navigation is kept as paragraphs; scripts, styles, menus of a <select> and hidden blocks are not.
    assert "您当前的位置：首页 > 政务公开 > 年度报告" in paragraphs
    text = "\n".join(paragraphs)
    for absent in ("菜单", "var menu", "document.write", "国务院部门网站", "分享到微信", "margin-top"):
        assert absent not in text
    assert paragraphs[-2:] == ["版权所有：某某区人民政府 网站标识码：2203020001", "主办单位：某某区人民政府办公室"]


# --- the walk: layout tables, cells, skipped content ------------------------------------------


def test_layout_tables_give_paragraphs_and_keep_inner_data_tables(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path,
        """<html><body><table width=1000><tr><td>导航</td><td>首页</td></tr>
        <tr><td colspan=2><table><tr><td><div>标题</div><p>正文一</p>
          <table border=1><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>
          <p>正文二</p>
          <table border=1><tr><th>c</th><th>d</th></tr></table>
        </td></tr></table></td></tr>
        <tr><td>页脚</td><td>版权</td></tr></table></body></html>""",
    )
    assert doc.paragraphs == ["导航", "首页", "标题", "正文一", "正文二", "页脚", "版权"]
    assert [t.rows for t in doc.tables] == [[["a", "b"], ["1", "2"]], [["c", "d"]]]
    assert doc.table_positions == [4, 5]


def test_one_column_tables_and_text_boxes_are_paragraphs(tmp_path: Path) -> None:
    long_paragraph = "本机关认真贯彻落实政府信息公开条例。" * 10
    doc = extract_text(
        tmp_path,
        f"""<table><tr><td>某某区2022年政府信息公开工作年度报告</td></tr><tr><td>发布日期：2023-01-18</td></tr></table>
        <table><tr><td>左栏</td><td><p>{long_paragraph}</p><p>{long_paragraph}</p><p>第三段。</p></td></tr></table>
        <table><tr><td colspan=2>第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td></tr></table>""",
    )
    assert doc.paragraphs == [
        "某某区2022年政府信息公开工作年度报告",
        "发布日期：2023-01-18",
        "左栏",
        long_paragraph,
        long_paragraph,
        "第三段。",
    ]
    assert [t.rows for t in doc.tables] == [[["第二十条第（一）项"], ["信息内容", "本年制发件数"]]]
    assert doc.tables[0].spans == [[(1, 2)], [(1, 1), (1, 1)]]
    assert doc.table_positions == [6]


def test_spans_read_as_browsers_read_them(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path,
        """<table>
        <tr><td rowspan="2 ">a</td><td colspan="2px">b</td><td rowspan="x" colspan="0">c</td><td rowspan=0>z</td></tr>
        <tr><td colspan=" 3 ">d</td><td rowspan="9">e</td></tr>
        <tr><td>f</td><td colspan="99999999999">g</td></tr>
        </table>""",
    )
    (table,) = doc.tables
    assert table.rows == [["a", "b", "c", "z"], ["d", "e"], ["f", "g"]]
    assert table.spans == [[(2, 1), (1, 2), (1, 1), (3, 1)], [(1, 3), (2, 1)], [(1, 1), (1, 1000)]]


def test_cell_texts(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path,
        """<table>
        <tr><td><p><span style="font-size:12pt">１２</span></p></td><td>本年新<br>制作数量</td>
            <td><p>（四）无法</p><p>提供</p></td><td>&nbsp;</td><td> - </td><td>3<span>5</span>件</td>
            <th><b>总</b>  计</th><td><div>a</div>b<div>c</div></td></tr>
        </table>""",
    )
    assert doc.tables[0].rows == [["１２", "本年新\n制作数量", "（四）无法\n提供", "", "-", "35件", "总 计", "a\nb\nc"]]
    assert doc.paragraphs == []


def test_block_elements_and_line_breaks_make_paragraphs(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path,
        """<div>直接文字<p>段落<br>第二行</p>尾巴</div><h1>一级</h1><h6>六级</h6>
        <ul><li>甲</li><li>乙<ol><li>丙</li></ol></li></ul><pre>第一行
第二行</pre><span>行内</span><a href="#">链接</a><b>加粗</b>""",
    )
    assert doc.paragraphs == [
        "直接文字", "段落", "第二行", "尾巴", "一级", "六级", "甲", "乙", "丙", "第一行", "第二行", "行内链接加粗",
    ]


def test_whitespace_is_normalised(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path,
        "<p>　　首行&nbsp;&nbsp;缩进</p><p>中文\n   文字</p><p>word\n  word</p><p>2022年\n 1月</p>"
        "<p>零&#8203;宽&#xFEFF;字符</p><p>a&nbsp;&nbsp;&nbsp;b\tc</p><p>&#12288;&#12288;全角空格</p><p>&nbsp;</p>",
    )
    assert doc.paragraphs == ["首行 缩进", "中文文字", "word word", "2022年1月", "零宽字符", "a b c", "全角空格"]


def test_skipped_content(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path,
        """<html><head><title>页面标题</title><meta charset="utf-8"><style>p { color: red }</style>
        <script>var s = "<p>脚本</p>";</script></head><body>
        <noscript>请启用脚本</noscript><p>可见<!-- 注释 --></p>
        <select><option>选项一</option><option>选项二</option></select><textarea>输入框</textarea>
        <div style="display: none"><p>隐藏</p><div>嵌套隐藏</div></div><div hidden>也隐藏</div>
        <span style="DISPLAY:NONE">隐藏行内</span><template><p>模板</p></template>
        <p><![if !supportLists]>1.<![endif]>列表项</p><svg><text>图形</text></svg>
        <p>结束</p></body></html>""",
    )
    assert doc.paragraphs == ["可见", "1.列表项", "结束"]


def test_an_unclosed_hidden_block_does_not_hide_the_rest(tmp_path: Path) -> None:
    doc = extract_text(tmp_path, "<html><body><p>前</p><div style='display:none'><p>隐</p><p>后</p></body></html>")
    assert doc.paragraphs == ["前", "隐", "后"]


def test_caption_and_stray_text_come_before_their_table(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path, "<p>前文</p><table><caption>表一</caption>游离<tr><td>x</td><td>y</td></tr></table><p>后文</p>"
    )
    assert doc.paragraphs == ["前文", "表一", "游离", "后文"]
    assert doc.table_positions == [3]


def test_spacer_tables_and_rows_are_dropped(tmp_path: Path) -> None:
    doc = extract_text(
        tmp_path,
        """<table><tr><td><img src="x.gif"></td><td>&nbsp;</td></tr></table>
        <table><tr><td>a</td><td>b</td></tr><tr height=0><td></td><td></td></tr></table>
        <table><tr><td>c</td><td>d</td></tr><tr><td></td><td></td></tr></table><p>文</p>""",
    )
    assert [t.rows for t in doc.tables] == [[["a", "b"]], [["c", "d"], ["", ""]]]
    assert doc.table_positions == [0, 0]


def test_implied_end_tags_in_tables(tmp_path: Path) -> None:
    doc = extract_text(tmp_path, "<table><tr><td>a<td>b<tr><th>c<td>d</table><p>后</p>")
    assert doc.tables[0].rows == [["a", "b"], ["c", "d"]]
    assert doc.paragraphs == ["后"]


def test_deep_nesting_is_read_without_recursion(tmp_path: Path) -> None:
    depth = 20_000  # 40,000 elements, within reading/limits.py's HTML_ELEMENTS; far past the recursion limit
    doc = extract_text(tmp_path, "<div><span>" * depth + "深处" + "</span></div>" * depth)
    assert doc.paragraphs == ["深处"]
    tables = "<table><tr><td>" * 3000 + "<table><tr><td>x</td><td>1</td></tr></table>" + "</td></tr></table>" * 3000
    doc = extract_text(tmp_path, tables)
    assert [t.rows for t in doc.tables] == [[["x", "1"]]]


# --- encodings ----------------------------------------------------------------------------------

BODY = "<p>政府信息公开工作年度报告</p>"


@pytest.mark.parametrize(
    ("content", "label"),
    [
        (f'<html><head><meta charset="gb2312"></head><body>{BODY}</body></html>'.encode("gbk"), "meta gb2312"),
        (
            f'<meta http-equiv="Content-Type" content="text/html; charset=GBK">{BODY}'.encode("gbk"),
            "http-equiv GBK",
        ),
        (BODY.encode("gbk"), "GBK without a declaration"),
        (f'<meta charset="utf-8">{BODY}'.encode("gbk"), "GBK declared UTF-8"),
        (f'<meta charset="gb2312">{BODY}'.encode(), "UTF-8 declared gb2312"),
        (f'<meta http-equiv=content-type content="text/html;charset=iso-8859-1">{BODY}'.encode("gbk"), "latin-1"),
        (b"\xef\xbb\xbf" + BODY.encode(), "UTF-8 BOM"),
        (b"\xff\xfe" + BODY.encode("utf-16-le"), "UTF-16 LE BOM"),
        (b"\xfe\xff" + BODY.encode("utf-16-be"), "UTF-16 BE BOM"),
        (f'<meta charset="x-gbk">{BODY}'.encode("gbk"), "x-gbk"),
    ],
)
def test_encodings(tmp_path: Path, content: bytes, label: str) -> None:
    assert extract_text(tmp_path, content).paragraphs == ["政府信息公开工作年度报告"], label


def test_other_declared_encodings_are_honoured(tmp_path: Path) -> None:
    doc = extract_text(tmp_path, '<meta charset="big5"><p>政府資訊公開年報</p>'.encode("big5"))
    assert doc.paragraphs == ["政府資訊公開年報"]


def test_gb18030_beyond_gbk(tmp_path: Path) -> None:
    text = "<p>𠀀字与報告</p>"
    doc = extract_text(tmp_path, f'<meta charset="gb2312">{text}'.encode("gb18030"))
    assert doc.paragraphs == ["𠀀字与報告"]


# --- broken files ---------------------------------------------------------------------------------


def _zip_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path.read_bytes()


def _noise(seed: int, size: int, *, nul: bool) -> bytes:
    data = random.Random(seed).randbytes(size)
    return data if nul else data.replace(b"\x00", b"\xff")


BROKEN = {
    "empty": (b"", "文件是空的"),
    "blank": (b" \r\n\t  ", "文件是空的"),
    "bom-only": (b"\xef\xbb\xbf\r\n", "文件是空的"),
    "binary": (_noise(1, 4096, nul=True), "二进制"),
    "noise": (_noise(2, 4096, nul=False), "编码"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), ".doc"),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(32), "图片"),
    "mht": (b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\r\n<html></html>", "MHT"),
    "text": ("这是一段普通文字，没有任何标签。\n第二行 a < b。".encode(), "没有 HTML 标签"),
    "text-gbk": ("这是一段普通文字，没有任何标签。".encode("gbk"), "没有 HTML 标签"),
    "json": (b'{"format": "gov-disclosure-annual-report"}', "没有 HTML 标签"),
    "bad-bytes": (b"<p>" + b"\x80\xff" * 10 + b"</p>", "编码"),
    "controls": (("<p>" + "\x01\x02\x03" * 300 + "</p>").encode(), "控制字符"),
    "no-text": (b"<html><head><title>t</title><script>x()</script></head><body><div> </div></body></html>", "没有文字"),
    "unclosed-div": (("<div><span>" * 20_000 + "x").encode(), TRUNCATED),
    "unclosed-comment": (b"<p>a</p>" + b"<!--" * 20_000, TRUNCATED),
    "unclosed-script": (b"<p>a</p><script>var a = 1;", TRUNCATED),
    "utf16-cut": (b"\xff\xfe" + "<p>文</p>".encode("utf-16-le") + b"\x00", TRUNCATED),
    "utf16-bad": (b"\xff\xfe" + "<p>文</p>".encode("utf-16-le")[:4] + b"\x00\xdc" + "</p>".encode("utf-16-le"), "编码"),
}


@pytest.mark.parametrize("key", list(BROKEN))
def test_broken_files_give_one_line_reasons(tmp_path: Path, key: str) -> None:
    content, reason = BROKEN[key]
    with pytest.raises(ReportFileError) as exc:
        extract_text(tmp_path, content)
    assert reason in assert_one_line_reason(exc)


def test_zip_is_not_a_page(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError) as exc:
        extract_text(tmp_path, _zip_bytes(tmp_path))
    assert "ZIP" in assert_one_line_reason(exc)


@pytest.mark.parametrize("fragment", [False, True], ids=["page", "fragment"])
def test_truncated_exports(tmp_path: Path, fragment: bool) -> None:
    source = tmp_path / "full.html"
    write_html(distinctive_report("2021"), source, fragment=fragment)
    content = source.read_bytes()
    cut_points = [len(content) // 10, len(content) // 2, len(content) * 9 // 10, len(content) - 12]
    table_end = content.index(b"</td>", len(content) // 2) + len(b"</td>")
    cut_points.append(table_end)  # cut right after a tag, inside a table
    multibyte = content.index("报告".encode(), len(content) // 3) + 1
    cut_points.append(multibyte)  # cut in the middle of a character
    for cut in cut_points:
        with pytest.raises(ReportFileError) as exc:
            extract_text(tmp_path, content[:cut])
        assert assert_one_line_reason(exc) == TRUNCATED, cut


def test_truncated_gbk_page(tmp_path: Path) -> None:
    content, _, _ = portal_page(portal_report())
    cut = content.index("报告".encode("gbk"), len(content) // 2) + 1
    with pytest.raises(ReportFileError) as exc:
        extract_text(tmp_path, content[:cut])
    assert assert_one_line_reason(exc) == TRUNCATED


def test_complete_page_with_markup_errors_is_read(tmp_path: Path) -> None:
    # Unclosed <div>s and <table>s inside a page that reaches </html> are markup errors, not truncation.
    doc = extract_text(tmp_path, "<html><body><div><div><p>正文</p><table><tr><td>a</td><td>b</td></body></html>")
    assert doc.paragraphs == ["正文"]
    assert doc.tables[0].rows == [["a", "b"]]


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError, match="文件不存在"):
        extract_html(tmp_path / "none.html")
    with pytest.raises(ReportFileError, match="文件夹"):
        extract_html(tmp_path)


# --- read back as reports (reading.assembly.assemble through reading.formats) ------------------------

def error_findings(report: Report) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.rule, f.cells) for f in validate(report) if f.severity == ERROR]


def assert_numbers_read_back(read: Report, original: Report) -> None:
    """Inputs as the original holds them (blank cells absent), every total cell printed with the sum,
    and the same errors from the checks."""
    assert read.template_id == original.template_id
    assert read.year == original.year
    shown = {cell_id: (v.number, v.unit, v.error) for cell_id, v in read.inputs.items()}
    assert shown == {cell_id: (v.number, v.unit, v.error) for cell_id, v in original.inputs.items() if not v.is_blank}
    totals = original.totals()
    for cell in original.template.computed_cells:
        assert cell.id in read.printed, cell.id
        # A total of blank cells prints blank beside them (the exports here leave blanks blank).
        expected = None if blank_total(original, cell.id) else totals[cell.id]
        assert read.printed[cell.id].number == expected, cell.id
    assert error_findings(read) == error_findings(original)


def assert_reads_back(read: Report, original: Report) -> None:
    assert_numbers_read_back(read, original)
    assert read.agency == original.agency
    # A title broken over two lines reads as one line.
    assert "".join(read.title.split()) == "".join((original.title or original.default_title()).split())
    for key in ("s1", "s2_note", "s5", "s6"):
        assert read.text(key) == original.text(key), key


def as_exported(report: Report) -> Report:
    """The report as an export prints it: total cells show the sums of the inputs, not what a file
    the report was read from once printed there."""
    report.printed.clear()
    return report


@pytest.mark.parametrize("key", list(REPORTS))
@pytest.mark.parametrize("fragment", [False, True], ids=["page", "fragment"])
def test_own_export_reads_back(tmp_path: Path, key: str, fragment: bool) -> None:
    original = as_exported(REPORTS[key]())
    path = tmp_path / "report.html"
    write_html(original, path, fragment=fragment, blank_as_zero=False)
    if fragment:
        # The fragment as the portal publishes it: the article's title (a field of its own in the CMS,
        # which the fragment leaves out) above the pasted text.
        title = html.escape(original.title or original.default_title())
        body = path.read_text(encoding="utf-8")
        path.write_text(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="article"><h1 class="article-title">{title}</h1>{body}</div></body></html>',
            encoding="utf-8",
        )
    result = read_with_log(path)
    assert_reads_back(result.report, original)
    assert result.log == []


def test_blanks_exported_as_zero_read_back_as_zero(tmp_path: Path) -> None:
    original = as_exported(sample(SAMPLES[0]))
    assert any(original.value(c.id).is_blank for c in original.template.input_cells)
    path = tmp_path / "report.htm"
    write_html(original, path)
    read = read_with_log(path).report
    for cell in original.template.input_cells:
        expected = original.value(cell.id).number
        assert read.value(cell.id).number == (0 if expected is None else expected), cell.id


def test_portal_page_numbers_read_back(tmp_path: Path) -> None:
    original = portal_report()
    content, _, _ = portal_page(original)
    result = read_with_log(write(tmp_path, content, "报告.html"))
    read = result.report
    assert_numbers_read_back(read, original)
    assert read.value(PORTAL_FULLWIDTH).number == original.number(PORTAL_FULLWIDTH)
    assert read.value(PORTAL_BLANK).is_blank and read.value(PORTAL_DASH).is_blank
    for key in ("s1", "s2_note", "s5"):
        assert read.text(key) == original.text(key), key


def test_portal_page_title_agency_and_closing_text(tmp_path: Path) -> None:
    original = portal_report()
    content, _, _ = portal_page(original)
    read = read_with_log(write(tmp_path, content, "报告.html")).report
    assert_reads_back(read, original)


def run_main(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120,
    )


def test_cli_check_reads_html_and_refuses_a_broken_one_in_one_line(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    write_html(sample(SAMPLES[2]), good)
    result = run_main("check", good, data_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    bad = tmp_path / "bad.html"
    bad.write_bytes(good.read_bytes()[:5000])
    result = run_main("check", bad, data_dir=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.html" in lines[0] and TRUNCATED in lines[0]
