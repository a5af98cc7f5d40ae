"""DOCX export: the printed layout as a Word document typeset the way government offices do (GB/T 9704
habits), so that Word, WPS and LibreOffice set it alike: a document grid of 22 lines of 28 characters,
the title in whole lines, tables of fixed columns that move whole to the next page when they fit on
one and otherwise break only between their row groups, a font table that says what each Chinese face
is and which system face stands in for it, and metadata that tell who wrote the document and when."""

from __future__ import annotations

import io
import math
import os
import re
from copy import deepcopy
from datetime import UTC, datetime
from functools import lru_cache
from html import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import _Footer, _Header
from docx.shared import Length, Mm, Twips
from docx.text.paragraph import Paragraph as DocxParagraph

from core.linebreak import break_units, full_width_measure, title_lines
from core.report import Report
from core.reportfile import write_atomic
from exports.layout import (
    BODY_PT,
    CELL_LEADING_PT,
    CELL_PADDING_PT,
    CELL_PT,
    CELL_VPADDING_PT,
    CHAR_PITCH_PT,
    LINE_PITCH_PT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    MM,
    PAGE_HEIGHT_MM,
    PAGE_NUMBER_PT,
    PAGE_WIDTH_MM,
    SIGNATURE_RIGHT_CHARS,
    TEXT_HEIGHT_MM,
    TEXT_WIDTH_MM,
    TITLE_LEADING_PT,
    TITLE_PT,
    GridCell,
    Layout,
    Paragraph,
    SignatureBlock,
    Table,
    build_layout,
)

APPLICATION = "政府信息公开年报助手"
LATIN = "Times New Roman"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
WATERMARK_TEXT = "草稿"

# --- measures in Word's units, from the layout's ----------------------------------------------------
# Twips (1/20 pt) are rounded down wherever a sum must fit: 22 lines of 579 twips fill the 225 mm block
# (12,756 twips) without a 23rd line being squeezed out of them or a 22nd pushed off.
LINE_TWIPS = math.floor(LINE_PITCH_PT * 20)  # 579: the exact line pitch and the grid's line pitch
# 28 characters of 3号 to the 156 mm line: each character 0.25 pt narrower than its 16 pt (w:spacing, in
# twips), 15.75 pt × 28 = 441 pt. A character grid (docGrid linesAndChars with a negative charSpace)
# would say the same to Word, but LibreOffice sets every 3号 character two cells of such a grid wide
# (14 to a line); condensed spacing on a line grid gives 28 in Word, WPS and LibreOffice alike.
CHAR_SPACING_TWIPS = math.floor((CHAR_PITCH_PT - BODY_PT) * 20)  # −5
BODY_ADVANCE_PT = BODY_PT + CHAR_SPACING_TWIPS / 20  # 15.75
INDENT_TWIPS = round(2 * BODY_ADVANCE_PT * 20)  # 首行缩进两字: 630
# A mark that falls just past a full line (the 29th character, "建设，") hangs in the margin in Word, whose
# default (允许标点溢出边界, w:overflowPunct omitted or on) this is. LibreOffice 7.4 hangs it too when
# the element is omitted, and then drops it from justified lines, print and text layer alike, as the
# exact room left on the line happens to fall (25 twips lose it, 15 and 35 keep it). Its DOCX import
# reads the element the other way round (ParaIsHangingPunctuation = val is 0), so writing it on keeps
# Word's hanging and turns LibreOffice's off: there the last character goes over with the mark, as in
# our PDF (core.linebreak), and no character is lost.
OVERFLOW_PUNCT = "<w:overflowPunct/>"
TITLE_TWIPS = round(TITLE_LEADING_PT * 20)
LINE, INDENT = Twips(LINE_TWIPS), Twips(INDENT_TWIPS)
TEXT_WIDTH_TWIPS = round(TEXT_WIDTH_MM / 25.4 * 1440)
TEXT_WIDTH_PT = TEXT_WIDTH_MM * MM
TEXT_HEIGHT_PT = TEXT_HEIGHT_MM * MM
CELL_HALF_POINTS = round(CELL_PT * 2)
CELL_LINE_TWIPS = round(CELL_LEADING_PT * 20)  # 12.6 pt, exactly: rows are as tall as the PDF's
CELL_PADDING_TWIPS = round(CELL_PADDING_PT * 20)  # 1.5 pt left and right of a cell's text
CELL_VPADDING_TWIPS = round(CELL_VPADDING_PT * 20)  # 1 pt above and below it, as in the PDF
ROW_MIN_TWIPS = CELL_LINE_TWIPS + 2 * CELL_VPADDING_TWIPS  # one line of 5号 and its padding
SHADING = "D9D9D9"  # the grey of 二's caption rows, as in the circulating template
# What a line of a label may be wider than measured and still fit (Word's and the estimate's widths differ).
FIT_SLACK_PT = 1.0
# A table counts as fitting on a page when its estimated height with its heading leaves at least this
# much of the page free: Word and LibreOffice break a "keep with next" chain longer than a page anywhere,
# so a table that only nearly fits keeps its row groups instead. The estimate comes within a point of
# what LibreOffice lays out (2022's 三: 599.7 pt estimated, 600 pt laid out); half a row is margin.
FIT_MARGIN_PT = 6.0
# 年 月 日 with room to write 2026, 12 and 31 by hand (ideographic spaces, one character each).
BLANK_DATE = "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"

# Eastern font of each paragraph style of the layout; size is 3号 for all but the title.
STYLE_FONTS = {"title": XIAOBIAOSONG, "heading1": HEITI, "heading2": KAITI, "body": FANGSONG, "note": FANGSONG}
OUTLINE_LEVELS = {"heading1": 0, "heading2": 1}
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")
# Children of w:pPr that come after w:snapToGrid, and after w:outlineLvl (the schema's order).
PPR_AFTER_SNAP = (
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)
PPR_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
PPR_AFTER_OVERFLOW = (
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    *PPR_AFTER_SNAP,
)
PPR_AFTER_KEEP_LINES = ("w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr", *PPR_AFTER_SNAP)

# The font table Word reads to find (or stand in for) each face: the Chinese faces in GB2312
# (charset 86) with the system face that has their shapes (w:altName): 仿宋 for 仿宋_GB2312 and 楷体
# for 楷体_GB2312, which Windows has had since Vista, 宋体 for the title's 方正小标宋简体.
# name -> (altName, panose1, charset, family, pitch)
FONT_TABLE: dict[str, tuple[str, str, str, str, str]] = {
    LATIN: ("", "02020603050405020304", "00", "roman", "variable"),
    SONGTI: ("SimSun", "02010600030101010101", "86", "auto", "variable"),
    HEITI: ("SimHei", "02010609060101010101", "86", "modern", "fixed"),
    FANGSONG: ("仿宋", "02010609030101010101", "86", "modern", "fixed"),
    KAITI: ("楷体", "02010609030101010101", "86", "modern", "fixed"),
    XIAOBIAOSONG: (SONGTI, "02010600030101010101", "86", "auto", "variable"),
}

# The numbering a label may stand on a line of its own after: （三） or 三、 (not "3.", which keeps its first words).
NUMBERING = re.compile(r"^(?:（[一二三四五六七八九十]{1,3}）|[一二三四五六七八九十]{1,3}、)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_TABLE_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)
_TABLE_CELL_MARGINS = (
    "<w:tblCellMar>"
    f'<w:top w:w="{CELL_VPADDING_TWIPS}" w:type="dxa"/>'
    f'<w:left w:w="{CELL_PADDING_TWIPS}" w:type="dxa"/>'
    f'<w:bottom w:w="{CELL_VPADDING_TWIPS}" w:type="dxa"/>'
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
    '<w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
    '<w:ind w:firstLine="0"/></w:pPr>'
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


# --- runs and paragraphs ---------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text as XML allows it (a control character typed into a field would make the file unreadable)."""
    return _CONTROL.sub("", text)


def _rpr_xml(east_asia: str, size: float, latin: str = LATIN, namespaces: str = "") -> str:
    half_points = round(size * 2)
    # 3号 text 0.25 pt condensed, 28 to a line; any other size at its natural spacing (said outright,
    # as the Normal style's 3号 condenses).
    spacing = CHAR_SPACING_TWIPS if size == BODY_PT else 0
    # hint=eastAsia: quotes, dashes and ellipses shared by both scripts take the Chinese font.
    return (
        f"<w:rPr{namespaces}>"
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}" w:hint="eastAsia"/>'
        f'<w:spacing w:val="{spacing}"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        "</w:rPr>"
    )


@lru_cache(maxsize=32)
def _rpr_template(east_asia: str, size: float, latin: str) -> BaseOxmlElement:
    element: BaseOxmlElement = parse_xml(_rpr_xml(east_asia, size, latin, f" {nsdecls('w')}"))
    return element


def _runs_xml(lines: list[str], east_asia: str, size: float, namespaces: str = "") -> str:
    """One run of `lines` with a line break (w:br) between them."""
    if not any(lines):
        return ""
    parts = [f'<w:t xml:space="preserve">{escape(_clean(line), quote=False)}</w:t>' for line in lines]
    return f"<w:r{namespaces}>{_rpr_xml(east_asia, size)}{'<w:br/>'.join(parts)}</w:r>"


def _add_run(paragraph: DocxParagraph, text: str, east_asia: str, size: float, *, latin: str = LATIN) -> None:
    """A run whose Latin letters and digits use `latin` and whose Chinese uses `east_asia`."""
    run = paragraph.add_run(_clean(text))
    run._r.insert(0, deepcopy(_rpr_template(east_asia, size, latin)))


def _add_lines(paragraph: DocxParagraph, lines: list[str], east_asia: str, size: float) -> None:
    """Lines in one paragraph, each after a line break: the paragraph stays one (Word numbers, selects
    and reads it as one) and the lines are where the typesetter put them."""
    xml = _runs_xml(lines, east_asia, size, f" {nsdecls('w')}")
    if xml:
        paragraph._p.append(parse_xml(xml))


def _pPr_flag(paragraph: DocxParagraph, tag: str, successors: tuple[str, ...], value: str | None = None) -> None:
    attrs = {} if value is None else {qn("w:val"): value}
    paragraph._p.get_or_add_pPr().insert_element_before(OxmlElement(tag, attrs=attrs), *successors)


def _off_grid(paragraph: DocxParagraph) -> None:
    """Set in its own type size and leading, not on the 3号 grid (the title, page numbers)."""
    _pPr_flag(paragraph, "w:snapToGrid", PPR_AFTER_SNAP, "0")


def _format(
    paragraph: DocxParagraph,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_line: Length | int = INDENT,
    exact_line: Length | None = LINE,
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
    if paragraph._p.get_or_add_pPr().find(qn("w:overflowPunct")) is None:
        _pPr_flag(paragraph, "w:overflowPunct", PPR_AFTER_OVERFLOW)  # see OVERFLOW_PUNCT


def _set_outline_level(paragraph: DocxParagraph, level: int) -> None:
    """Outline level, so headings show in Word's navigation pane without Word's themed heading styles."""
    _pPr_flag(paragraph, "w:outlineLvl", PPR_AFTER_OUTLINE, str(level))


def _strip_theme_fonts(rfonts: BaseOxmlElement) -> None:
    for attribute in THEME_FONT_ATTRIBUTES:
        rfonts.attrib.pop(qn(attribute), None)


def _title_lines(text: str) -> list[str]:
    """The title as published reports set it: the organ, then "2024年政府信息公开工作年度报告" on a line of
    its own (lines the user broke stay broken). Word draws the title at its own size, off the grid, so
    a 2号 line holds 20 characters of the 156 mm measure."""
    measure = full_width_measure(TITLE_PT)
    lines: list[str] = []
    for part in text.splitlines():
        if part.strip():
            lines.extend(title_lines(part.strip(), measure, TEXT_WIDTH_PT))
    return lines or [text]


# --- the document ----------------------------------------------------------------------------------------


def _setup_document(document: DocxDocument) -> None:
    """Page, margins, the 22 × 28 grid, defaults without theme fonts, odd/even footers."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(15)
    # The page number's line sits about 7 mm below the text block (whose bottom is 35 mm up).
    section.footer_distance = Mm(22)
    section.gutter = 0
    sect_pr = section._sectPr
    for grid in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(grid)
    # 22 lines a page on the 579-twip pitch (页面设置 → 文档网格 shows 22 行); 28 characters a line come
    # from the body's condensed spacing (see CHAR_SPACING_TWIPS).
    grid_attrs = {"w:type": "lines", "w:linePitch": str(LINE_TWIPS)}
    sect_pr.append(OxmlElement("w:docGrid", attrs={qn(k): v for k, v in grid_attrs.items()}))

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
            f'<w:sz w:val="{round(BODY_PT * 2)}"/><w:szCs w:val="{round(BODY_PT * 2)}"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault>"
        )
    )
    defaults.append(
        parse_xml(
            f"<w:pPrDefault {nsdecls('w')}><w:pPr>"
            f"<w:widowControl/>{OVERFLOW_PUNCT}"
            '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault>"
        )
    )

    normal = document.styles["Normal"]
    normal_rpr = normal.element.get_or_add_rPr()
    for child in list(normal_rpr):
        normal_rpr.remove(child)
    for child in _rpr_template(FANGSONG, BODY_PT, LATIN):
        normal_rpr.append(deepcopy(child))
    normal_format = normal.paragraph_format
    normal_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal_format.first_line_indent = Twips(INDENT_TWIPS)
    normal_format.space_before = 0
    normal_format.space_after = 0
    normal_format.line_spacing = Twips(LINE_TWIPS)
    normal_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal_format.widow_control = True  # no line of a paragraph alone at the foot or head of a page
    normal.element.get_or_add_pPr().insert_element_before(OxmlElement("w:overflowPunct"), *PPR_AFTER_OVERFLOW)

    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    theme_lang = settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    # A new document in the current format: python-docx's template says Word 2010 (14), which Word 2013
    # and later open as 兼容模式 and LibreOffice ignores.
    for setting in settings.element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


def _add_paragraph(document: DocxDocument, block: Paragraph, *, keep_with_next: bool = False) -> None:
    paragraph = document.add_paragraph()
    if block.style == "title":
        # 2号 lines 35 pt apart, whole lines (see _title_lines); one blank line of the grid follows.
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=0, exact_line=Twips(TITLE_TWIPS))
        paragraph.paragraph_format.space_after = Twips(LINE_TWIPS)
        paragraph.paragraph_format.keep_together = True
        _off_grid(paragraph)
        _add_lines(paragraph, _title_lines(block.text), XIAOBIAOSONG, TITLE_PT)
        return
    heading = block.style in OUTLINE_LEVELS
    # A heading stays with what follows it: with widow control, with its first two lines.
    _format(paragraph, keep_with_next=heading or keep_with_next)
    if heading:
        _set_outline_level(paragraph, OUTLINE_LEVELS[block.style])
    if block.lead:
        _add_run(paragraph, block.lead, KAITI, BODY_PT)
    _add_run(paragraph, block.text, STYLE_FONTS.get(block.style, FANGSONG), BODY_PT)


# --- tables ----------------------------------------------------------------------------------------------


def _column_twips(widths: tuple[float, ...]) -> list[int]:
    """The layout's column widths (mm) in twips that add up to the text width exactly (largest remainder)."""
    total = sum(widths)
    raw = [w * TEXT_WIDTH_TWIPS / total for w in widths]
    out = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in by_remainder[: TEXT_WIDTH_TWIPS - sum(out)]:
        out[i] += 1
    return out


def latin_width(text: str, size: float) -> float:
    """The width of a number or other short text in 5号: Times New Roman's digits are half an em, its
    point and comma a quarter; Chinese (and anything else wide) one em."""
    width = 0.0
    for ch in text:
        if "0" <= ch <= "9" or ch in "+$#*_":
            width += 0.5
        elif ch in ".,:;'!|":
            width += 0.25
        elif ch in "-()[]/ ":
            width += 0.333
        elif ch == "%":
            width += 0.833
        elif ch <= "~":
            width += 0.722 if ch.isupper() else 0.5
        else:
            width += 1.0
    return width * size


def number_size(text: str, room_pt: float) -> float:
    """The type size a number is set in: 5号, or as much smaller (by half points) as it takes to
    hold the number on one line of its cell. Only six digits in 三's 11 mm columns need it."""
    size = CELL_PT
    while size > 5.0 and latin_width(text, size) > room_pt:
        size -= 0.5
    return size


def _balanced(text: str, measure_width: float) -> list[str]:
    """Lines of even length (the narrowest measure that needs no more lines), by the 禁则 rules."""
    measure = full_width_measure(CELL_PT)
    widths = [measure(ch) for ch in text]
    count = len(break_units(text, widths, [measure_width]))
    low, high = measure_width / count, measure_width
    for _ in range(30):
        middle = (low + high) / 2
        if len(break_units(text, widths, [middle])) <= count:
            high = middle
        else:
            low = middle
    return [text[start:end].strip() for start, end in break_units(text, widths, [high])]


def label_lines(text: str, room_pt: float) -> list[str]:
    """A label's lines in a cell `room_pt` wide, decided here so that Word, WPS and LibreOffice break it
    alike: one line when it fits; "（三）" / "不予公开" when the numbering and the rest each fit; else
    lines of even length; never a last line of one character ("不予公" / "开"): a label too narrow for
    that ("自然人" in 11 mm) stands one character to a line."""
    measure = full_width_measure(CELL_PT)
    out: list[str] = []
    for part in text.splitlines() or [""]:
        part = part.strip()
        if measure(part) <= room_pt:
            out.append(part)
            continue
        numbering = NUMBERING.match(part)
        rest = part[numbering.end() :] if numbering else ""
        if numbering and measure(numbering.group()) <= room_pt and measure(rest) <= room_pt:
            out.extend((numbering.group(), rest))
            continue
        lines = _balanced(part, room_pt)
        if len(lines) > 1 and len(lines[-1]) == 1 and measure(part[0]) <= room_pt:
            lines = [ch for ch in part if not ch.isspace()]
        out.extend(lines)
    return out


class _TableLayout:
    """What each cell of a layout table prints in Word: its lines, type size, and the height the rows
    take, worked out once."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.twips = _column_twips(table.widths)
        self.lines: dict[GridCell, list[str]] = {}
        self.sizes: dict[GridCell, float] = {}
        for cell in table.cells:
            room = self._room(cell)
            if cell.cell_id is not None and "\n" not in cell.text:
                self.lines[cell] = [cell.text]
                self.sizes[cell] = number_size(cell.text, room)
            else:
                self.lines[cell] = label_lines(cell.text, room - FIT_SLACK_PT)
                self.sizes[cell] = CELL_PT

    def width(self, cell: GridCell) -> int:
        return sum(self.twips[cell.col : cell.col + cell.colspan])

    def _room(self, cell: GridCell) -> float:
        return (self.width(cell) - 2 * CELL_PADDING_TWIPS) / 20

    def height_pt(self) -> float:
        """The table's height as Word lays it out: each row as tall as its tallest one-row cell (at least
        one line), a merged cell's surplus given to its last row, plus the rules."""
        rows = [ROW_MIN_TWIPS / 20] * self.table.rows
        merged: list[tuple[GridCell, float]] = []
        for cell, lines in self.lines.items():
            needed = len(lines) * CELL_LEADING_PT + 2 * CELL_VPADDING_PT
            if cell.rowspan == 1:
                rows[cell.row] = max(rows[cell.row], needed)
            else:
                merged.append((cell, needed))
        for cell, needed in sorted(merged, key=lambda m: m[0].rowspan):
            last = cell.row + cell.rowspan - 1
            rows[last] += max(0.0, needed - sum(rows[cell.row : last + 1]))
        return sum(rows) + 0.5 * (self.table.rows + 1)

    def keep_rows(self) -> set[int]:
        """Rows whose paragraphs keep with the next row. A table that fits on a page keeps every row
        with the next, so Word moves it whole to the next page when it starts too low; a longer one
        keeps its header rows with the first group and each group together, so a page breaks only
        between groups, never inside a merged label."""
        table = self.table
        if self.height_pt() + LINE_TWIPS / 20 <= TEXT_HEIGHT_PT - FIT_MARGIN_PT:
            return set(range(table.rows - 1))
        keep = set(range(table.header_rows))
        for first, end in table.groups:
            keep.update(range(first, end - 1))
        return keep


def _cell_paragraph(align: str, keep: bool, content: str) -> str:
    jc = "left" if align == "left" else "center"
    # Off the 3号 grid: 5号 type at its own pitch, on the exact 12.6 pt leading the PDF uses.
    return (
        "<w:p><w:pPr>"
        + ("<w:keepNext/>" if keep else "")
        + '<w:snapToGrid w:val="0"/>'
        f'<w:spacing w:before="0" w:after="0" w:line="{CELL_LINE_TWIPS}" w:lineRule="exact"/>'
        f'<w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="{jc}"/>'
        # A 5号 paragraph mark, so the empty paragraph of a merged-away cell is no taller than a line.
        f"{_rpr_xml(SONGTI, CELL_PT)}"
        f"</w:pPr>{content}</w:p>"
    )


def _table_xml(table: Table) -> str:
    """One Word table with the layout's exact grid: every GridCell is one (merged) Word cell; fixed
    columns of the layout's widths; 宋体 for every cell (digits in Times New Roman)."""
    shape = _TableLayout(table)
    keep = shape.keep_rows()
    at: dict[tuple[int, int], GridCell] = {}
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                at[(r, c)] = cell
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in shape.twips)
    rows: list[str] = []
    for r in range(table.rows):
        row_keep = r in keep
        tr_pr = (
            "<w:trPr><w:cantSplit/>"
            f'<w:trHeight w:val="{ROW_MIN_TWIPS}" w:hRule="atLeast"/>'
            + ("<w:tblHeader/>" if r < table.header_rows else "")
            + "</w:trPr>"
        )
        cells: list[str] = []
        c = 0
        while c < table.columns:
            found = at.get((r, c))
            if found is None:  # a grid position the layout leaves empty
                cells.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{shape.twips[c]}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                    f"{_cell_paragraph('center', row_keep, '')}</w:tc>"
                )
                c += 1
                continue
            cell = found
            tc_pr = f'<w:tcPr><w:tcW w:w="{shape.width(cell)}" w:type="dxa"/>'
            if cell.colspan > 1:
                tc_pr += f'<w:gridSpan w:val="{cell.colspan}"/>'
            if cell.rowspan > 1:
                tc_pr += '<w:vMerge w:val="restart"/>' if r == cell.row else "<w:vMerge/>"
            if cell.shaded:
                tc_pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{SHADING}"/>'
            if cell.cell_id is not None:
                tc_pr += "<w:noWrap/>"  # a number is one word: never "123" / "45"
            tc_pr += '<w:vAlign w:val="center"/></w:tcPr>'
            content = _runs_xml(shape.lines[cell], SONGTI, shape.sizes[cell]) if r == cell.row else ""
            cells.append(f"<w:tc>{tc_pr}{_cell_paragraph(cell.align, row_keep, content)}</w:tc>")
            c += cell.colspan
        rows.append(f"<w:tr>{tr_pr}{''.join(cells)}</w:tr>")
    return (
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        f'<w:tblW w:w="{sum(shape.twips)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'{_TABLE_BORDERS}<w:tblLayout w:type="fixed"/>{_TABLE_CELL_MARGINS}'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
        ' w:noHBand="0" w:noVBand="0"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


def _add_table(document: DocxDocument, table: Table) -> None:
    body = document.element.body
    body.insert_element_before(parse_xml(_table_xml(table)), "w:sectPr")


# --- signature, page numbers, watermark --------------------------------------------------------------------


def _body_width(text: str) -> float:
    """Width of a 3号 line as set here: Chinese one character (15.75 pt), digits and Latin half an em,
    each 0.25 pt condensed."""
    condensed = CHAR_SPACING_TWIPS / 20
    return sum(BODY_PT / 2 + condensed if ch <= "~" else BODY_ADVANCE_PT for ch in text)


def signature_axis_pt(organ: str, date: str) -> float:
    """Distance from the right margin of the axis the organ and the date are centred on: the date ends
    four characters in from the margin (右空四字) and the organ stands centred over it; an organ too
    long for that moves the axis left so it still ends inside the margin."""
    date_axis = SIGNATURE_RIGHT_CHARS * BODY_ADVANCE_PT + _body_width(date) / 2
    return max(date_axis, _body_width(organ) / 2 + BODY_ADVANCE_PT / 2)


def _add_signature(document: DocxDocument, block: SignatureBlock) -> None:
    """Organ over date, below two empty lines left for the seal."""
    for _ in range(2):
        _format(document.add_paragraph(), keep_with_next=True)
    date = block.date or BLANK_DATE
    axis = signature_axis_pt(block.organ, date)
    # Centred between a left indent and the right margin, so the line's middle falls on the axis.
    left = Twips(max(0, round(TEXT_WIDTH_TWIPS - 2 * axis * 20)))
    organ = document.add_paragraph()
    _format(organ, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=0, left=left, keep_with_next=True)
    _add_run(organ, block.organ, FANGSONG, BODY_PT)
    dated = document.add_paragraph()
    _format(dated, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=0, left=left)
    _add_run(dated, date, FANGSONG, BODY_PT)


def _field_run(paragraph: DocxParagraph, kind: str) -> None:
    run = paragraph.add_run()
    run._r.insert(0, deepcopy(_rpr_template(SONGTI, PAGE_NUMBER_PT, SONGTI)))
    run._r.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): kind}))


def _fill_page_number(footer: _Footer, *, odd: bool) -> None:
    """`— N —` in 4号宋体 (digits too, as GB/T 9704 asks), one character in from the outer edge."""
    paragraph = footer.paragraphs[0]
    indent = Twips(round(PAGE_NUMBER_PT * 20))
    if odd:
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.RIGHT, first_line=0, exact_line=None, right=indent)
    else:
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT, first_line=0, exact_line=None, left=indent)
    _off_grid(paragraph)
    _add_run(paragraph, "— ", SONGTI, PAGE_NUMBER_PT, latin=SONGTI)
    _field_run(paragraph, "begin")
    instruction = paragraph.add_run()
    instruction._r.insert(0, deepcopy(_rpr_template(SONGTI, PAGE_NUMBER_PT, SONGTI)))
    instr_text = OxmlElement("w:instrText")
    instr_text.set(qn("xml:space"), "preserve")
    instr_text.text = " PAGE "
    instruction._r.append(instr_text)
    _field_run(paragraph, "separate")
    _add_run(paragraph, "1", SONGTI, PAGE_NUMBER_PT, latin=SONGTI)
    _field_run(paragraph, "end")
    _add_run(paragraph, " —", SONGTI, PAGE_NUMBER_PT, latin=SONGTI)


def _add_watermark(header: _Header, number: int) -> None:
    paragraph = header.paragraphs[0]
    paragraph._p.addprevious(parse_xml(_WATERMARK.format(number=number, spid=1024 + number)))
    # The header's own empty paragraph would otherwise inherit the body's pitch and indent.
    _format(paragraph, first_line=0, exact_line=None)
    _off_grid(paragraph)


# --- the package: font table, metadata, no leftovers of python-docx's template ------------------------------

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>{application}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<Company>{company}</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def _xml_parts(document: DocxDocument) -> list[BaseOxmlElement]:
    """The root elements of the document, its headers and footers, and its styles."""
    part = document.part
    roots: list[BaseOxmlElement] = [document.element, document.styles.element]
    for rel in part.rels.values():
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER):
            roots.append(rel.target_part.element)
    return roots


def _fonts_used(document: DocxDocument) -> list[str]:
    names: set[str] = set()
    for root in _xml_parts(document):
        for rfonts in root.iter(qn("w:rFonts")):
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                value = rfonts.get(qn(attribute))
                if value:
                    names.add(value)
        for element in root.iter():
            style = element.get("style") if isinstance(element.tag, str) and element.tag.endswith("}textpath") else None
            if style and HEITI in style:
                names.add(HEITI)  # the watermark's WordArt
    order = list(FONT_TABLE)
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def font_table_xml(names: list[str]) -> bytes:
    """word/fontTable.xml naming each face the document uses, and what Word may use in its place."""
    entries: list[str] = []
    for name in names:
        alt, panose, charset, family, pitch = FONT_TABLE.get(name, ("", "", "", "auto", "variable"))
        entry = f'<w:font w:name="{escape(name)}">'
        if alt:
            entry += f'<w:altName w:val="{escape(alt)}"/>'
        if panose:
            entry += f'<w:panose1 w:val="{panose}"/>'
        if charset:
            entry += f'<w:charset w:val="{charset}"/>'
        entry += f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        entries.append(entry)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<w:fonts {nsdecls('w')}>{''.join(entries)}</w:fonts>"
    ).encode()


def _prune_styles(document: DocxDocument) -> None:
    """Only the styles the document uses (and those they are based on) and the defaults: python-docx's
    template brings 160 of Word 2010's, with its Japanese theme fonts."""
    styles = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    wanted = {sid for sid, s in by_id.items() if s.get(qn("w:default")) in ("1", "true")}
    for root in _xml_parts(document):
        if root is styles:
            continue
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            wanted.update(e.get(qn("w:val")) for e in root.iter(qn(tag)))
    queue = list(wanted)
    while queue:
        style = by_id.get(queue.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in wanted:
                wanted.add(ref.get(qn("w:val")))
                queue.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in wanted:
            styles.remove(style)


def _set_part_blob(part: Part, blob: bytes) -> None:
    part._blob = blob


def _finish_package(document: DocxDocument, layout: Layout) -> None:
    """True metadata, a real font table, and none of the template's leftovers (thumbnail, customXml,
    stylesWithEffects, theme, numbering, unused styles, its revision ids and preview setting)."""
    organ = next((b.organ for b in layout.blocks if isinstance(b, SignatureBlock)), "")
    now = datetime.now(UTC).replace(microsecond=0)
    props = document.core_properties
    props.title = layout.title
    props.subject = "政府信息公开工作年度报告"
    props.author = organ
    props.last_modified_by = organ
    props.comments = ""
    props.keywords = "政府信息公开"
    props.category = ""
    props.language = "zh-CN"
    props.created = now
    props.modified = now
    props.revision = 1

    package = document.part.package
    for rId, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rId]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            app = APP_XML.format(application=APPLICATION, company=escape(organ, quote=False))
            _set_part_blob(rel.target_part, app.encode("utf-8"))

    _prune_styles(document)
    part = document.part
    uses_numbering = any(True for root in _xml_parts(document) for _ in root.iter(qn("w:numPr")))
    for rId, rel in list(part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, STYLES_WITH_EFFECTS, RT.THEME) or (
            rel.reltype == RT.NUMBERING and not uses_numbering
        ):
            del part.rels[rId]
        elif rel.reltype == RT.FONT_TABLE:
            _set_part_blob(rel.target_part, font_table_xml(_fonts_used(document)))

    settings = document.settings.element
    for tag in ("w:savePreviewPicture", "w:rsids", "w:attachedTemplate"):
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    w14_doc_id = "{http://schemas.microsoft.com/office/word/2010/wordml}docId"
    for element in settings.findall(w14_doc_id):
        settings.remove(element)


def render_docx(layout: Layout) -> bytes:
    """The layout as a .docx file's bytes."""
    document = Document()
    _setup_document(document)
    blocks = layout.blocks
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            # The last paragraph before the signature goes with it to the next page, if it must go.
            _add_paragraph(document, block, keep_with_next=isinstance(following, SignatureBlock))
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
    _finish_package(document, layout)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(
    report: Report, path: str | os.PathLike[str], *, blank_as_zero: bool = True, draft: bool = False
) -> None:
    """Export the report as a .docx file; the target is replaced atomically or left untouched."""
    layout = build_layout(report, blank_as_zero=blank_as_zero, draft=draft)
    write_atomic(path, render_docx(layout))
