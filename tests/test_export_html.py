"""HTML export: parsed back into a browser-like grid, the tables reproduce the layout and the official geometry."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.nextyear import new_report
from core.report import Report
from core.reportfile import read_report_file
from core.template import Template
from exports.html_export import render_html, write_html
from exports.layout import Layout, Paragraph, SignatureBlock, Table, build_layout
from tests.conftest import SAMPLES_DIR

SAMPLES = {
    "seed": "seed-2020-tiexi.json",
    "pingtan-2019": "real/2019_pingtan.json",
    "pingtan-2022": "real/2022_pingtan.json",
}
VOID = frozenset({"meta", "col", "br", "img", "link", "input", "hr"})
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org")


# --- a small browser-like reader --------------------------------------------------------------


@dataclass
class HtmlCell:
    tag: str
    rowspan: int
    colspan: int
    style: str
    group: str  # thead or tbody
    text: str = ""
    row: int = -1  # grid position, assigned the way a browser assigns it
    col: int = -1


@dataclass
class HtmlTable:
    col_widths: list[str] = field(default_factory=list)
    rows: list[list[HtmlCell]] = field(default_factory=list)
    row_groups: list[str] = field(default_factory=list)
    style: str = ""
    cells: list[HtmlCell] = field(default_factory=list)
    grid: dict[tuple[int, int], HtmlCell] = field(default_factory=dict)
    overlaps: list[tuple[int, int]] = field(default_factory=list)
    height: int = 0
    width: int = 0

    def at(self, row: int, col: int) -> HtmlCell:
        return self.grid[(row, col)]

    def starting_at(self, row: int, col: int) -> HtmlCell:
        cell = self.grid[(row, col)]
        assert (cell.row, cell.col) == (row, col), f"no cell starts at ({row}, {col}): covered by {cell}"
        return cell

    def holes(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.height) for c in range(self.width) if (r, c) not in self.grid]

    def layout_grid(self) -> None:
        """Assign grid slots as the HTML table algorithm does: each cell takes the first free slot
        of its row; a rowspan never reaches past the end of its row group (<thead>/<tbody>)."""
        group_end: list[int] = []
        for i, group in enumerate(self.row_groups):
            end = i + 1
            while end < len(self.row_groups) and self.row_groups[end] == group:
                end += 1
            group_end.append(end)
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in self.grid:
                    c += 1
                cell.row, cell.col = r, c
                rowspan = min(cell.rowspan, group_end[r] - r)
                for dr in range(rowspan):
                    for dc in range(cell.colspan):
                        if (r + dr, c + dc) in self.grid:
                            self.overlaps.append((r + dr, c + dc))
                        else:
                            self.grid[(r + dr, c + dc)] = cell
                c += cell.colspan
                self.cells.append(cell)
        self.height = len(self.rows)
        self.width = max((c for _, c in self.grid), default=-1) + 1


@dataclass
class HtmlParagraph:
    style: str
    text: str
    spans: list[tuple[str, str]] = field(default_factory=list)  # (style, text)


class Reader(HTMLParser):
    """Elements, paragraphs and tables of an exported document, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: list[HtmlParagraph | HtmlTable] = []
        self.stack: list[str] = []
        self.title = ""
        self.doctype = ""
        self._table: HtmlTable | None = None
        self._cell: HtmlCell | None = None
        self._group = "tbody"
        self._paragraph: HtmlParagraph | None = None
        self._span: list[str] | None = None
        self._span_style = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.elements.append((tag, a))
        style = a.get("style") or ""
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "table":
            self._table = HtmlTable(style=style)
            self.blocks.append(self._table)
        elif tag == "col" and self._table is not None:
            m = re.search(r"width:\s*([\d.]+%)", style)
            self._table.col_widths.append(m.group(1) if m else "")
        elif tag in ("thead", "tbody"):
            self._group = tag
        elif tag == "tr" and self._table is not None:
            self._table.rows.append([])
            self._table.row_groups.append(self._group)
        elif tag in ("td", "th") and self._table is not None:
            self._cell = HtmlCell(tag, int(a.get("rowspan") or 1), int(a.get("colspan") or 1), style, self._group)
            self._table.rows[-1].append(self._cell)
        elif tag == "p":
            self._paragraph = HtmlParagraph(style, "")
            self.blocks.append(self._paragraph)
        elif tag == "span":
            self._span = []
            self._span_style = style

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> does not close <{self.stack[-1:]}>"
        self.stack.pop()
        if tag == "table" and self._table is not None:
            self._table.layout_grid()
            self._table = None
            self._group = "tbody"
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "thead":
            self._group = "tbody"
        elif tag == "p":
            self._paragraph = None
        elif tag == "span" and self._span is not None and self._paragraph is not None:
            self._paragraph.spans.append((self._span_style, "".join(self._span)))
            self._span = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.text += data
        elif self._paragraph is not None:
            self._paragraph.text += data
            if self._span is not None:
                self._span.append(data)
        elif self.stack and self.stack[-1] == "title":
            self.title += data
        elif data.strip():
            raise AssertionError(f"text outside any paragraph or cell: {data!r}")

    @property
    def tables(self) -> list[HtmlTable]:
        return [b for b in self.blocks if isinstance(b, HtmlTable)]

    @property
    def paragraphs(self) -> list[HtmlParagraph]:
        return [b for b in self.blocks if isinstance(b, HtmlParagraph)]


def read(markup: str) -> Reader:
    reader = Reader()
    reader.feed(markup)
    reader.close()
    assert reader.stack == [], f"unclosed elements: {reader.stack}"
    return reader


# --- reports ----------------------------------------------------------------------------------


def sample(key: str) -> Report:
    path = SAMPLES_DIR / SAMPLES[key]
    assert path.is_file(), f"sample not found: {path}"
    return read_report_file(path)


def numbered_report(year: int) -> tuple[Report, dict[str, int]]:
    """A new report whose input cells hold 1..N in template order, so each number names its cell."""
    report = new_report("某某县人民政府办公室", year)
    values = {}
    for n, cell in enumerate(report.template.input_cells, start=1):
        report.set_cell(cell.id, n)
        values[cell.id] = n
    return report, values


def every_report(key: str) -> Report:
    if key.startswith("numbered-"):
        return numbered_report(int(key.removeprefix("numbered-")))[0]
    return sample(key)


REPORT_KEYS = (*SAMPLES, "numbered-2022", "numbered-2020")


def table_by_id(layout: Layout, reader: Reader, table_id: str) -> tuple[Table, HtmlTable]:
    index = [t.id for t in layout.tables].index(table_id)
    return layout.tables[index], reader.tables[index]


def style_of(style: str) -> dict[str, str]:
    out = {}
    for part in style.split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip()] = value.strip()
    return out


# --- the tables reproduce the layout ----------------------------------------------------------


@pytest.mark.parametrize("key", REPORT_KEYS)
@pytest.mark.parametrize("fragment", [False, True])
def test_tables_lay_out_on_the_layout_grid(key: str, fragment: bool) -> None:
    layout = build_layout(every_report(key))
    reader = read(render_html(layout, fragment=fragment))
    assert len(reader.tables) == len(layout.tables) == 3
    for table, parsed in zip(layout.tables, reader.tables, strict=True):
        assert (parsed.height, parsed.width) == (table.rows, table.columns), table.id
        assert parsed.overlaps == [], f"{table.id}: cells overlap at {parsed.overlaps}"
        assert parsed.holes() == [], f"{table.id}: holes at {parsed.holes()}"
        # Every layout cell exactly once: as many <td>/<th> as grid cells, each where the layout puts it.
        assert len(parsed.cells) == len(table.cells), table.id
        for cell in table.cells:
            got = parsed.starting_at(cell.row, cell.col)
            assert (got.rowspan, got.colspan) == (cell.rowspan, cell.colspan), (table.id, cell)
            assert got.text == cell.text.replace("\n", ""), (table.id, cell)
            assert got.tag == ("th" if cell.header else "td"), (table.id, cell)
        # Header rows in <thead> (they repeat when printed), the rest in <tbody>.
        assert parsed.row_groups == ["thead"] * table.header_rows + ["tbody"] * (table.rows - table.header_rows)
        total = sum(table.widths)
        expected = [f"{w / total * 100:.2f}".rstrip("0").rstrip(".") + "%" for w in table.widths]
        assert parsed.col_widths == expected, table.id


@pytest.mark.parametrize(
    ("key", "template_id"), [("seed", "2019"), ("pingtan-2019", "2019"), ("pingtan-2022", "2021"),
                             ("numbered-2022", "2021"), ("numbered-2020", "2019")],
)
def test_official_geometry(key: str, template_id: str) -> None:
    report = every_report(key)
    assert report.template_id == template_id
    template: Template = report.template
    layout = build_layout(report)
    reader = read(render_html(layout))

    _, s3 = table_by_id(layout, reader, "s3")
    assert (s3.height, s3.width) == ((28, 10) if template_id == "2021" else (26, 10))
    corner = s3.starting_at(0, 0)
    assert (corner.rowspan, corner.colspan) == (3, 3) and "勾稽关系" in corner.text
    applicants = s3.starting_at(0, 3)
    assert (applicants.text, applicants.colspan, applicants.rowspan) == ("申请人情况", 7, 1)
    assert (s3.starting_at(1, 3).text, s3.starting_at(1, 3).rowspan) == ("自然人", 2)
    assert (s3.starting_at(1, 4).text, s3.starting_at(1, 4).colspan) == ("法人或其他组织", 5)
    assert (s3.starting_at(1, 9).text, s3.starting_at(1, 9).rowspan) == ("总计", 2)
    organisations = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert [s3.starting_at(2, c).text for c in range(4, 9)] == organisations
    # 三、本年度办理结果 covers every outcome row and （七）总计, and nothing else.
    row_ids = [r.id for r in template.s3.rows]
    first, last = 3 + row_ids.index("granted"), 3 + row_ids.index("total_processed")
    results = s3.starting_at(first, 0)
    assert results.text == "三、本年度办理结果"
    assert results.rowspan == last - first + 1 == len(template.s3.outcome_rows) + 1
    assert s3.at(last + 1, 0).text == "四、结转下年度继续办理"
    denied = s3.starting_at(3 + row_ids.index("denied_state_secret"), 1)
    assert (denied.text, denied.rowspan) == ("（三）不予公开", 8)
    assert s3.starting_at(last, 1).text == "（七）总计"

    _, s4 = table_by_id(layout, reader, "s4")
    assert (s4.height, s4.width) == (4, 15)
    assert (s4.starting_at(0, 0).text, s4.starting_at(0, 0).colspan) == ("行政复议", 5)
    assert (s4.starting_at(0, 5).text, s4.starting_at(0, 5).colspan) == ("行政诉讼", 10)
    assert (s4.starting_at(1, 5).text, s4.starting_at(1, 5).colspan) == ("未经复议直接起诉", 5)
    assert (s4.starting_at(1, 10).text, s4.starting_at(1, 10).colspan) == ("复议后起诉", 5)
    assert [s4.at(3, c).tag for c in range(15)] == ["td"] * 15

    _, s2 = table_by_id(layout, reader, "s2")
    assert (s2.height, s2.width) == (sum(2 + len(b.rows) for b in template.s2.blocks), 4)
    captions = [c for c in s2.cells if c.colspan == 4]
    assert [c.text for c in captions] == [b.caption for b in template.s2.blocks]


# --- every value in its cell ------------------------------------------------------------------


@pytest.mark.parametrize("year", [2022, 2020])
def test_distinctive_numbers_land_in_their_cells(year: int) -> None:
    report, values = numbered_report(year)
    template = report.template
    reader = read(render_html(build_layout(report)))
    s2, s3, s4 = reader.tables
    texts = [c.text for t in reader.tables for c in t.cells if c.tag == "td"]

    # 三: row i of the template is grid row 3 + i, column j is grid column 3 + j; the row's own label
    # stands in the last label column of that row.
    for i, row in enumerate(template.s3.rows):
        assert s3.at(3 + i, 2).text == row.label
        for j, col in enumerate(template.s3.columns):
            cell_id = f"s3.{row.id}.{col.id}"
            if cell_id in values:
                assert s3.at(3 + i, 3 + j).text == str(values[cell_id]), cell_id
                assert texts.count(str(values[cell_id])) >= 1
    for i, row in enumerate(template.s3.rows):
        shown = [int(s3.at(3 + i, 3 + j).text) for j in range(6)]
        assert int(s3.at(3 + i, 9).text) == sum(shown), f"总计 of {row.id}"
    outcome = [3 + i for i, r in enumerate(template.s3.rows) if r.role == "outcome"]
    total_row = 3 + [r.id for r in template.s3.rows].index("total_processed")
    for j, col in enumerate(APPLICANTS):
        expected = sum(values[f"s3.{r.id}.{col}"] for r in template.s3.outcome_rows)
        assert int(s3.at(total_row, 3 + j).text) == expected == sum(int(s3.at(r, 3 + j).text) for r in outcome)

    # 四: group g, column k at grid column 5g + k under its own heading.
    for g, group in enumerate(template.s4.groups):
        for k, col in enumerate(template.s4.columns):
            assert s4.at(2, 5 * g + k).text == col.label
            cell_id = f"s4.{group.id}.{col.id}"
            if cell_id in values:
                assert s4.at(3, 5 * g + k).text == str(values[cell_id]), cell_id
        parts = [values[f"s4.{group.id}.{c.id}"] for c in template.s4.columns if not c.computed]
        assert s4.at(3, 5 * g + 4).text == str(sum(parts))

    # 二: block by block, a caption row, a header row, then the data rows under their header labels.
    row = 0
    for block in template.s2.blocks:
        assert s2.at(row, 0).text == block.caption
        header_row = row + 1
        row += 2
        for data_row in block.rows:
            assert s2.at(row, 0).text == data_row.label
            col = 1
            for c in data_row.cells:
                assert s2.starting_at(row, col).text == str(values[c.cell.id]), c.cell.id
                assert s2.starting_at(row, col).colspan == c.span
                assert s2.at(header_row, col).tag == "th"
                col += c.span
            row += 1
    assert row == s2.height


def test_blank_cells_print_zero_or_nothing() -> None:
    report = new_report("某某县人民政府办公室", 2022)
    for blank_as_zero, shown in ((True, "0"), (False, "")):
        layout = build_layout(report, blank_as_zero=blank_as_zero)
        reader = read(render_html(layout))
        for table, parsed in zip(layout.tables, reader.tables, strict=True):
            for cell in table.cells:
                if cell.cell_id is None:
                    continue
                got = parsed.starting_at(cell.row, cell.col).text
                # An empty report's totals add up blank cells: 0 with zeros, blank with blanks.
                assert got == shown, (cell.cell_id, blank_as_zero)


# --- page, fragment, styling ------------------------------------------------------------------


@pytest.mark.parametrize("key", REPORT_KEYS)
def test_page_and_fragment(key: str) -> None:
    report = every_report(key)
    layout = build_layout(report)
    page = render_html(layout)
    fragment = render_html(layout, fragment=True)

    assert page.startswith("<!DOCTYPE html>")
    page_reader = read(page)
    assert page_reader.doctype.lower() == "doctype html"
    tags = [t for t, _ in page_reader.elements]
    assert tags[0] == "html" and page_reader.elements[0][1].get("lang") == "zh-CN"
    assert ("meta", {"charset": "utf-8"}) in page_reader.elements
    assert page_reader.title == layout.title
    assert tags.count("head") == tags.count("body") == 1

    assert fragment.startswith("<div") and fragment.rstrip().endswith("</div>")
    frag_reader = read(fragment)
    frag_tags = [t for t, _ in frag_reader.elements]
    for forbidden in ("html", "head", "body", "style", "script", "title", "meta", "link"):
        assert forbidden not in frag_tags
        assert f"<{forbidden}" not in fragment
    assert "class=" not in fragment and "class=" not in page
    assert frag_tags.count("div") == 1

    # The same tables and paragraphs in both, but the title: the portal's article shows it as a field of
    # its own above the pasted text, so the fragment leaves it out.
    def shape(reader: Reader) -> list[object]:
        out: list[object] = []
        for block in reader.blocks:
            if isinstance(block, HtmlTable):
                out.append([(c.row, c.col, c.rowspan, c.colspan, c.tag, c.text, c.style) for c in block.cells])
            else:
                out.append((block.style, block.text))
        return out

    page_shape = shape(page_reader)
    assert page_shape[0] == (page_reader.paragraphs[0].style, layout.title)
    assert shape(frag_reader) == page_shape[1:]
    assert all(p.text != layout.title for p in frag_reader.paragraphs)


def expected_sequence(layout: Layout, *, fragment: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for block in layout.blocks:
        if isinstance(block, Table):
            out.append(("table", block.id))
        elif isinstance(block, SignatureBlock):
            out.append(("signature", block.organ))
            if block.date:  # an undated report shows the organ only
                out.append(("signature", block.date))
        elif not (fragment and block.style == "title"):
            out.append((block.style, block.lead + block.text))
    return out


@pytest.mark.parametrize("key", REPORT_KEYS)
def test_blocks_in_order_with_inline_styles(key: str) -> None:
    layout = build_layout(every_report(key))
    reader = read(render_html(layout, fragment=True))

    got: list[tuple[str, str]] = []
    table_ids = iter(t.id for t in layout.tables)
    for block in reader.blocks:
        got.append(("table", next(table_ids)) if isinstance(block, HtmlTable) else ("", block.text))
    expected = expected_sequence(layout, fragment=True)
    assert len(got) == len(expected)
    for (kind, text), (exp_kind, exp_text) in zip(got, expected, strict=True):
        if exp_kind == "table":
            assert (kind, text) == (exp_kind, exp_text)
        else:
            assert text == exp_text

    # Everything styled inline on the element itself; nothing that an editor strips or fetches.
    for tag, attrs in reader.elements:
        assert "class" not in attrs and "id" not in attrs, tag
        assert not any(name in attrs for name in ("src", "href", "background")), tag
        assert tag not in ("style", "script", "link", "img", "font", "iframe", "object"), tag
        if tag in ("div", "p", "span", "table", "td", "th", "col"):
            assert attrs.get("style"), f"<{tag}> without inline style"
        assert "url(" not in (attrs.get("style") or "")
    table_styles = [style_of(a["style"] or "") for t, a in reader.elements if t == "table"]
    assert all(s["border-collapse"] == "collapse" and s["border"] == "1px solid #000" for s in table_styles)
    for parsed in reader.tables:
        for cell in parsed.cells:
            s = style_of(cell.style)
            assert s["border"] == "1px solid #000" and "padding" in s and s["vertical-align"] == "middle"
            assert "font-size" in s and "font-family" in s
            if cell.tag == "td":
                assert s["text-align"] == "center", cell  # numbers centred
            assert s["font-weight"] == "normal", cell  # 宋体 regular, headers and labels too
            assert "宋体" in s["font-family"], cell
    # The first cell alone in each column carries the column's width too (for editors that drop <colgroup>).
    for parsed in reader.tables:
        for col, width in enumerate(parsed.col_widths):
            alone = [c for c in parsed.cells if c.col == col and c.colspan == 1]
            assert alone and style_of(alone[0].style).get("width") == width

    styles = {p.text: style_of(p.style) for p in read(render_html(layout)).paragraphs}
    for block in layout.blocks:
        if not isinstance(block, Paragraph):
            continue
        s = styles[block.lead + block.text]
        if block.style == "title":
            assert s["text-align"] == "center" and s["font-size"] == "22pt"
        elif block.style == "heading1":
            assert "黑体" in s["font-family"] and "SimHei" in s["font-family"] and s["text-indent"] == "2em"
        elif block.style == "heading2":
            assert "楷体" in s["font-family"] and "KaiTi" in s["font-family"]
        else:
            assert "仿宋" in s["font-family"] and "FangSong" in s["font-family"] and s["text-indent"] == "2em"
            assert "line-height" in s and s["font-size"] == "16pt"
    signature = reader.paragraphs[-sum(kind == "signature" for kind, _ in expected):]
    assert signature and all(style_of(p.style)["text-align"] == "right" for p in signature)


@pytest.mark.parametrize("fragment", [False, True])
def test_undated_report_signs_with_the_organ_only(fragment: bool) -> None:
    """A web page has no blank "年 月 日" to fill in by hand: an undated report shows its organ alone."""
    report = new_report("某某县人民政府办公室", 2022)
    reader = read(render_html(build_layout(report), fragment=fragment))
    last = reader.paragraphs[-1]
    assert last.text == "某某县人民政府办公室"
    assert not any(set(p.text.replace("\u3000", "").replace(" ", "")) <= set("年月日") for p in reader.paragraphs)
    report.signature.date = "2023-01-20"
    dated = read(render_html(build_layout(report), fragment=fragment)).paragraphs
    assert [p.text for p in dated[-2:]] == ["某某县人民政府办公室", "2023年1月20日"]


def test_fragment_leaves_the_title_to_the_portal() -> None:
    layout = build_layout(sample("pingtan-2022"))
    fragment = render_html(layout, fragment=True)
    page = render_html(layout)
    assert layout.title not in fragment and "年度报告</p>" not in fragment
    assert read(page).paragraphs[0].text == layout.title and read(page).title == layout.title
    first = read(fragment).paragraphs[0]
    assert first.text == build_layout(sample("pingtan-2022")).blocks[1].text  # the preamble comes first


@pytest.mark.parametrize("key", ["pingtan-2022", "numbered-2020"])
def test_table_cells_are_regular_and_captions_left_on_grey(key: str) -> None:
    layout = build_layout(every_report(key))
    reader = read(render_html(layout, fragment=True))
    for table, parsed in zip(layout.tables, reader.tables, strict=True):
        for cell in table.cells:
            s = style_of(parsed.starting_at(cell.row, cell.col).style)
            assert s["font-weight"] == "normal", cell  # headers and labels as regular as the numbers
            if cell.shaded:
                assert s["text-align"] == "left" and s["background-color"] == "#d9d9d9", cell
            else:
                assert "background-color" not in s and "background" not in s, cell
    captions = [c for c in layout.tables[0].cells if c.shaded]
    assert captions and all(c.text.startswith("第二十条") for c in captions)


def test_run_in_heading_is_a_kaiti_span_before_its_text() -> None:
    report = new_report("某某县人民政府办公室", 2022)
    report.texts["s1"] = "（一）主动公开。本年主动公开信息100条。\n（二）依申请公开\n正文。"
    layout = build_layout(report)
    reader = read(render_html(layout, fragment=True))
    runin = next(p for p in reader.paragraphs if p.text.startswith("（一）主动公开。"))
    assert runin.text == "（一）主动公开。本年主动公开信息100条。"
    assert len(runin.spans) == 1
    span_style, span_text = runin.spans[0]
    assert span_text == "（一）主动公开。" and "楷体" in style_of(span_style)["font-family"]
    assert "仿宋" in style_of(runin.style)["font-family"]
    heading = next(p for p in reader.paragraphs if p.text == "（二）依申请公开")
    assert "楷体" in style_of(heading.style)["font-family"] and heading.spans == []


def test_special_characters_are_escaped() -> None:
    report = new_report("某某县<人民政府>办公室", 2022)
    nasty = '<script>alert("x")</script> & "引号" \'单\''
    report.title = f"标题{nasty}"
    report.preamble = f"前言{nasty}"
    report.texts["s5"] = f"问题{nasty}"
    report.signature.organ = "甲&乙<局>"
    report.set_cell("s3.new.natural", '<b>&"')  # invalid values print as typed
    report.set_cell("s3.new.commercial", "a\nb")
    layout = build_layout(report)
    for fragment in (False, True):
        markup = render_html(layout, fragment=fragment)
        assert "<script" not in markup and "<b>" not in markup and "<人民政府>" not in markup
        assert "&lt;script&gt;" in markup and "&amp;" in markup and "&quot;" in markup
        reader = read(markup)
        texts = [p.text for p in reader.paragraphs]
        assert (f"标题{nasty}" in texts) is not fragment
        assert f"前言{nasty}" in texts and f"问题{nasty}" in texts
        assert "甲&乙<局>" in texts
        s3 = reader.tables[1]
        assert s3.at(3, 3).text == '<b>&"'
        assert s3.at(3, 4).text == "a b"  # no newline inside a cell
        if not fragment:
            assert reader.title == f"标题{nasty}"
    for line in render_html(layout).splitlines():
        if re.search(r"<t[dh][ >]", line):
            assert line.startswith("<tr>") and line.endswith("</tr>")


@pytest.mark.parametrize("key", ["seed", "pingtan-2022"])
def test_draft_line_only_on_drafts(key: str) -> None:
    report = every_report(key)
    for fragment in (False, True):
        draft = read(render_html(build_layout(report, draft=True), fragment=fragment))
        first = draft.paragraphs[0]
        assert "草稿" in first.text
        s = style_of(first.style)
        assert s["text-align"] == "center" and s["font-weight"] == "bold" and s["color"] == "#c00"
        first_block = build_layout(report).blocks[0 if not fragment else 1]
        assert isinstance(first_block, Paragraph)
        assert draft.paragraphs[1].text == first_block.lead + first_block.text
        final = render_html(build_layout(report, draft=False), fragment=fragment)
        assert "草稿" not in final


# --- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fragment", [False, True])
def test_write_html_writes_utf8(tmp_path: Path, fragment: bool) -> None:
    report = sample("pingtan-2022")
    target = tmp_path / "报告.html"
    write_html(report, target, blank_as_zero=False, draft=True, fragment=fragment)
    text = target.read_bytes().decode("utf-8")
    assert text == render_html(build_layout(report, blank_as_zero=False, draft=True), fragment=fragment)
    assert ("<html" in text) is not fragment
    assert "草稿" in text and report.title in text
    assert [p.name for p in tmp_path.iterdir()] == ["报告.html"]


def test_write_html_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("earlier export", encoding="utf-8")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_html(sample("seed"), target)
    assert target.read_text(encoding="utf-8") == "earlier export"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    monkeypatch.undo()
    write_html(sample("seed"), target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_reader_catches_a_shifted_grid() -> None:
    # The checks above can fail: a cell dropped from a row shifts the row and leaves a hole.
    markup = render_html(build_layout(sample("pingtan-2022")), fragment=True)
    broken = re.sub(r"<th rowspan=\"3\" colspan=\"3\"[^>]*>[^<]*</th>", "", markup, count=1)
    assert broken != markup
    s3 = read(broken).tables[1]
    assert s3.starting_at(0, 0).text == "申请人情况"
    assert (1, 9) in s3.holes()
