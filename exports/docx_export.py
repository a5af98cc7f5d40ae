"""DOCX export: the printed layout as a Word document typeset the way government offices do (GB/T 9704 habits)."""

from __future__ import annotations

import io
import os
from copy import deepcopy
from functools import lru_cache

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import _Footer, _Header
from docx.shared import Length, Mm, Pt, Twips
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from core.report import Report
from core.reportfile import write_atomic
from exports.layout import Layout, Paragraph, SignatureBlock, Table, build_layout

LATIN = "Times New Roman"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"

BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
TABLE_SIZE = 10.5  # 5号
PAGE_NUMBER_SIZE = 14.0  # 4号
LINE_PITCH = Pt(28.95)  # fixed line spacing: 22 lines in the 225 mm text block
INDENT_2_CHARS = Pt(2 * BODY_SIZE)
SIGNATURE_RIGHT_INDENT = Pt(4 * BODY_SIZE)
BLANK_DATE = "    年  月  日"
WATERMARK_TEXT = "草稿"

TEXT_WIDTH_MM = 156  # 210 − 28 − 26
TEXT_WIDTH_TWIPS = round(TEXT_WIDTH_MM / 25.4 * 1440)
# Tight cell padding: 15 columns of ~10 mm in 四 would otherwise hold one character per line.
CELL_PADDING_TWIPS = 57  # 1 mm

# Eastern font of each paragraph style of the layout; size is 3号 for all but the title.
STYLE_FONTS = {"title": XIAOBIAOSONG, "heading1": HEITI, "heading2": KAITI, "body": FANGSONG, "note": FANGSONG}
OUTLINE_LEVELS = {"heading1": 0, "heading2": 1}
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")
PPR_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")

_TABLE_BORDERS = (
    f"<w:tblBorders {nsdecls('w')}>"
    + "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)
_TABLE_CELL_MARGINS = (
    f"<w:tblCellMar {nsdecls('w')}>"
    '<w:top w:w="0" w:type="dxa"/>'
    f'<w:left w:w="{CELL_PADDING_TWIPS}" w:type="dxa"/>'
    '<w:bottom w:w="0" w:type="dxa"/>'
    f'<w:right w:w="{CELL_PADDING_TWIPS}" w:type="dxa"/>'
    "</w:tblCellMar>"
)

VML_NAMESPACES = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:w10="urn:schemas-microsoft-com:office:word"'
)
# Word's own text watermark (设计 → 水印): a VML WordArt shape behind the text, anchored in the
# header so it shows on every page; LibreOffice imports it as its watermark too.
_WATERMARK = (
    f"<w:p {nsdecls('w')} {VML_NAMESPACES}>"
    '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr>'
    "<w:r><w:rPr><w:noProof/></w:rPr><w:pict>"
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"'
    ' path="m@7,l@8,m@5,21600l@6,21600e">'
    "<v:formulas>"
    '<v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>'
    '<v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>'
    '<v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>'
    '<v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>'
    '<v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/>'
    "</v:formulas>"
    '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"'
    ' o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/>'
    '<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
    '<v:shape id="PowerPlusWaterMarkObject{number}" o:spid="_x0000_s{spid}" type="#_x0000_t136"'
    ' style="position:absolute;margin-left:0;margin-top:0;width:400pt;height:200pt;rotation:315;'
    "z-index:-251654144;mso-wrap-edited:f;mso-position-horizontal:center;"
    'mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin"'
    ' o:allowincell="f" fillcolor="#d9d9d9" stroked="f">'
    '<v:fill opacity=".5"/>'
    f'<v:textpath style="font-family:&quot;{HEITI}&quot;;font-size:1pt" string="{WATERMARK_TEXT}"/>'
    '<w10:wrap anchorx="margin" anchory="margin"/>'
    "</v:shape>"
    "</w:pict></w:r></w:p>"
)


@lru_cache(maxsize=32)
def _rpr_template(east_asia: str, size: float, latin: str) -> BaseOxmlElement:
    half_points = round(size * 2)
    # hint=eastAsia: quotes, dashes and ellipses shared by both scripts take the Chinese font.
    xml = (
        f"<w:rPr {nsdecls('w')}>"
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}" w:hint="eastAsia"/>'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        "</w:rPr>"
    )
    element: BaseOxmlElement = parse_xml(xml)
    return element


@lru_cache(maxsize=4)
def _table_ppr_template(align: str) -> BaseOxmlElement:
    """Table paragraphs: single spacing, no indent (the Normal style's body pitch and indent would
    apply otherwise), and a 5号 paragraph mark, so that the empty paragraph Word keeps in each
    continuation cell of a vertical merge does not make its row taller. One cached element copied
    into each cell is much faster than python-docx's paragraph-format API."""
    jc = "left" if align == "left" else "center"
    half_points = round(TABLE_SIZE * 2)
    element: BaseOxmlElement = parse_xml(
        f"<w:pPr {nsdecls('w')}>"
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        f'<w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="{jc}"/>'
        f'<w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{FANGSONG}" w:cs="{LATIN}"/>'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
        "</w:pPr>"
    )
    return element


def _add_run(paragraph: DocxParagraph, text: str, east_asia: str, size: float, *, latin: str = LATIN) -> None:
    """A run whose Latin letters and digits use `latin` and whose Chinese uses `east_asia`."""
    run = paragraph.add_run(text)
    run._r.insert(0, deepcopy(_rpr_template(east_asia, size, latin)))


def _format(
    paragraph: DocxParagraph,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_line: Length | int = INDENT_2_CHARS,
    exact_line: Length | None = LINE_PITCH,
    left: Length | int = 0,
    right: Length | int = 0,
    keep_with_next: bool = False,
) -> None:
    """Direct paragraph formatting, so the layout survives a paste into an office's own template."""
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = first_line
    fmt.left_indent = left
    fmt.right_indent = right
    fmt.space_before = 0
    fmt.space_after = 0
    if exact_line is None:
        fmt.line_spacing = 1.0
    else:
        fmt.line_spacing = exact_line
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if keep_with_next:
        fmt.keep_with_next = True


def _set_outline_level(paragraph: DocxParagraph, level: int) -> None:
    """Outline level, so headings show in Word's navigation pane without Word's themed heading styles."""
    outline = OxmlElement("w:outlineLvl", attrs={qn("w:val"): str(level)})
    paragraph._p.get_or_add_pPr().insert_element_before(outline, *PPR_AFTER_OUTLINE)


def _strip_theme_fonts(rfonts: BaseOxmlElement) -> None:
    for attribute in THEME_FONT_ATTRIBUTES:
        rfonts.attrib.pop(qn(attribute), None)


def _setup_document(document: DocxDocument, layout: Layout) -> None:
    """Page, margins, defaults without theme fonts, odd/even footers, core properties."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.header_distance = Mm(15)
    # The page number's line sits about 7 mm below the text block (whose bottom is 35 mm up).
    section.footer_distance = Mm(22)
    section.gutter = 0

    styles = document.styles.element
    for rfonts in styles.iter(qn("w:rFonts")):
        _strip_theme_fonts(rfonts)
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    for child in list(defaults):
        defaults.remove(child)
    defaults.append(
        parse_xml(
            f"<w:rPrDefault {nsdecls('w')}><w:rPr>"
            f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{FANGSONG}" w:cs="{LATIN}"/>'
            f'<w:sz w:val="{round(BODY_SIZE * 2)}"/><w:szCs w:val="{round(BODY_SIZE * 2)}"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault>"
        )
    )
    defaults.append(
        parse_xml(
            f"<w:pPrDefault {nsdecls('w')}><w:pPr>"
            '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault>"
        )
    )

    normal = document.styles["Normal"]
    normal_rpr = normal.element.get_or_add_rPr()
    for child in list(normal_rpr):
        normal_rpr.remove(child)
    for child in _rpr_template(FANGSONG, BODY_SIZE, LATIN):
        normal_rpr.append(deepcopy(child))
    normal_format = normal.paragraph_format
    normal_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal_format.first_line_indent = INDENT_2_CHARS
    normal_format.space_before = 0
    normal_format.space_after = 0
    normal_format.line_spacing = LINE_PITCH
    normal_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY

    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    theme_lang = settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")

    props = document.core_properties
    props.title = layout.title
    props.subject = "政府信息公开工作年度报告"
    organ = next((b.organ for b in layout.blocks if isinstance(b, SignatureBlock)), "")
    props.author = organ
    props.last_modified_by = organ
    props.comments = ""
    props.keywords = "政府信息公开"


def _add_paragraph(document: DocxDocument, block: Paragraph) -> None:
    paragraph = document.add_paragraph()
    if block.style == "title":
        # A title of two lines needs more than the body pitch; one blank line follows it.
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=0, exact_line=Pt(35))
        paragraph.paragraph_format.space_after = LINE_PITCH
        _add_run(paragraph, block.text, XIAOBIAOSONG, TITLE_SIZE)
        return
    heading = block.style in OUTLINE_LEVELS
    _format(paragraph, keep_with_next=heading)
    if heading:
        _set_outline_level(paragraph, OUTLINE_LEVELS[block.style])
    if block.lead:
        _add_run(paragraph, block.lead, KAITI, BODY_SIZE)
    _add_run(paragraph, block.text, STYLE_FONTS.get(block.style, FANGSONG), BODY_SIZE)


def _column_twips(widths: tuple[float, ...]) -> list[int]:
    """Relative widths in twips that add up to the text width exactly (largest remainder)."""
    total = sum(widths)
    raw = [w * TEXT_WIDTH_TWIPS / total for w in widths]
    out = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in by_remainder[: TEXT_WIDTH_TWIPS - sum(out)]:
        out[i] += 1
    return out


def _add_table(document: DocxDocument, table: Table) -> None:
    """One Word table with the layout's exact grid: every GridCell is one (merged) Word cell."""
    word_table = document.add_table(rows=table.rows, cols=table.columns)
    word_table.alignment = WD_TABLE_ALIGNMENT.CENTER
    word_table.autofit = False
    tbl_pr = word_table._tbl.tblPr
    tbl_width = tbl_pr.find(qn("w:tblW"))
    if tbl_width is not None:
        tbl_width.set(qn("w:type"), "dxa")
        tbl_width.set(qn("w:w"), str(TEXT_WIDTH_TWIPS))
    tbl_pr.insert_element_before(parse_xml(_TABLE_BORDERS), "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    tbl_pr.insert_element_before(parse_xml(_TABLE_CELL_MARGINS), "w:tblLook")

    twips = _column_twips(table.widths)
    for column, width in zip(word_table.columns, twips, strict=True):
        column.width = Twips(width)

    # The grid's cells before any merge: merging mutates the rows, so look every cell up first.
    grid: list[tuple[_Cell, ...]] = []
    for index, row in enumerate(word_table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index < table.header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        cells = row.cells
        for cell, width in zip(cells, twips, strict=True):
            cell.width = Twips(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            cell._tc.p_lst[0].insert(0, deepcopy(_table_ppr_template("center")))
        grid.append(cells)

    for grid_cell in table.cells:
        top_left = grid[grid_cell.row][grid_cell.col]
        paragraph = top_left.paragraphs[0]
        if grid_cell.align == "left":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if grid_cell.text:
            _add_run(paragraph, grid_cell.text, HEITI if grid_cell.header else FANGSONG, TABLE_SIZE)
        if grid_cell.rowspan > 1 or grid_cell.colspan > 1:
            bottom_right = grid[grid_cell.row + grid_cell.rowspan - 1][grid_cell.col + grid_cell.colspan - 1]
            top_left.merge(bottom_right)


def _add_signature(document: DocxDocument, block: SignatureBlock) -> None:
    """Organ and date right-aligned four characters in, below two empty lines left for the seal."""
    for _ in range(2):
        _format(document.add_paragraph(), keep_with_next=True)
    organ = document.add_paragraph()
    _format(organ, align=WD_ALIGN_PARAGRAPH.RIGHT, first_line=0, right=SIGNATURE_RIGHT_INDENT, keep_with_next=True)
    _add_run(organ, block.organ, FANGSONG, BODY_SIZE)
    date = document.add_paragraph()
    _format(date, align=WD_ALIGN_PARAGRAPH.RIGHT, first_line=0, right=SIGNATURE_RIGHT_INDENT)
    if block.date:
        _add_run(date, block.date, FANGSONG, BODY_SIZE)
    else:
        # Spaces in the Chinese font (half an em each) leave room to write the date by hand.
        _add_run(date, BLANK_DATE, FANGSONG, BODY_SIZE, latin=FANGSONG)


def _field_run(paragraph: DocxParagraph, kind: str) -> None:
    run = paragraph.add_run()
    run._r.insert(0, deepcopy(_rpr_template(SONGTI, PAGE_NUMBER_SIZE, SONGTI)))
    run._r.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): kind}))


def _fill_page_number(footer: _Footer, *, odd: bool) -> None:
    """`— N —` in 4号宋体 (digits too, as GB/T 9704 asks), one character in from the outer edge."""
    paragraph = footer.paragraphs[0]
    if odd:
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.RIGHT, first_line=0, exact_line=None, right=Pt(PAGE_NUMBER_SIZE))
    else:
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT, first_line=0, exact_line=None, left=Pt(PAGE_NUMBER_SIZE))
    _add_run(paragraph, "— ", SONGTI, PAGE_NUMBER_SIZE, latin=SONGTI)
    _field_run(paragraph, "begin")
    instruction = paragraph.add_run()
    instruction._r.insert(0, deepcopy(_rpr_template(SONGTI, PAGE_NUMBER_SIZE, SONGTI)))
    instr_text = OxmlElement("w:instrText")
    instr_text.set(qn("xml:space"), "preserve")
    instr_text.text = " PAGE "
    instruction._r.append(instr_text)
    _field_run(paragraph, "separate")
    _add_run(paragraph, "1", SONGTI, PAGE_NUMBER_SIZE, latin=SONGTI)
    _field_run(paragraph, "end")
    _add_run(paragraph, " —", SONGTI, PAGE_NUMBER_SIZE, latin=SONGTI)


def _add_watermark(header: _Header, number: int) -> None:
    paragraph = header.paragraphs[0]
    paragraph._p.addprevious(parse_xml(_WATERMARK.format(number=number, spid=1024 + number)))
    # The header's own empty paragraph would otherwise inherit the body's 28.95 pt pitch and indent.
    _format(paragraph, first_line=0, exact_line=None)


def render_docx(layout: Layout) -> bytes:
    """The layout as a .docx file's bytes."""
    document = Document()
    _setup_document(document, layout)
    for block in layout.blocks:
        if isinstance(block, Paragraph):
            _add_paragraph(document, block)
        elif isinstance(block, Table):
            _add_table(document, block)
        else:
            _add_signature(document, block)
    section = document.sections[0]
    _fill_page_number(section.footer, odd=True)
    _fill_page_number(section.even_page_footer, odd=False)
    if layout.draft:
        _add_watermark(section.header, 1)
        _add_watermark(section.even_page_header, 2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(
    report: Report, path: str | os.PathLike[str], *, blank_as_zero: bool = True, draft: bool = False
) -> None:
    """Export the report as a .docx file; the target is replaced atomically or left untouched."""
    layout = build_layout(report, blank_as_zero=blank_as_zero, draft=draft)
    write_atomic(path, render_docx(layout))
