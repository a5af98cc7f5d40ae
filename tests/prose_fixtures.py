"""Reports laid out as offices publish them, for reading their prose: a PDF as a published report prints
(title on two lines, a preamble with the contact, headings 一…六 in their printed forms, paragraphs
wrapped at the margin, the three tables, 六 on 信息处理费, signature and date), a Word document typed by
hand (run-in and numbered headings) and a page saved from a government portal. The texts are those of
real published reports (tests/data): 平潭综合实验区 2022 and 四平市铁西区 2020."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase.pdfmetrics import stringWidth

from core.report import Contact, Report
from core.reportfile import read_report_file
from exports.layout import Table, build_layout
from tests.conftest import PINGTAN_NAMES, SAMPLES_DIR, SEED_NAME
from tests.docx_fixtures import Fill, fill_from_report, write_official_docx
from tests.pdf_fixtures import Drawing, Style

HEADINGS = {
    "s1": "一、总体情况",
    "s2": "二、主动公开政府信息情况",
    "s3": "三、收到和处理政府信息公开申请情况",
    "s4": "四、政府信息公开行政复议、行政诉讼情况",
    "s5": "五、存在的主要问题及改进情况",
    "s6": "六、其他需要报告的事项",
}
FEE_NONE = "本年度未收取信息处理费。"
FEE_CHARGED = "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费2笔，共计300元。"


@dataclass
class Printed:
    """A report's prose as a file prints it, paragraph by paragraph, and what reading must give back.
    `headings` are the headings as printed (a run-in heading carries the first sentence of its text:
    then the section's first paragraph is the part after the heading)."""

    report: Report  # the numbers printed in the tables, and the texts expected back
    title_lines: tuple[str, ...]
    preamble: tuple[str, ...]
    s1: tuple[str, ...]
    s5: tuple[str, ...]
    s6: tuple[str, ...]
    signature: tuple[str, str]
    headings: dict[str, str] = field(default_factory=lambda: dict(HEADINGS))
    s2_note: tuple[str, ...] = ()

    def heading_lines(self, key: str) -> list[str]:
        """A heading as printed: "" for none, lines apart ("六、\\n其他需要报告的事项": the number and
        the words as two paragraphs, as Word's automatic numbering may leave them in a text layer)."""
        return [line for line in self.headings.get(key, "").split("\n") if line]

    def texts(self, key: str) -> tuple[str, ...]:
        return {"s1": self.s1, "s5": self.s5, "s6": self.s6}[key]

    def expected(self, key: str) -> str:
        """A text section as reading must return it: paragraphs joined by line breaks, a run-in
        heading's sentence first."""
        heading = self.heading_lines(key)[-1] if self.heading_lines(key) else ""
        paragraphs = list(self.texts(key))
        runin = run_in_text(heading)
        if runin:
            paragraphs.insert(0, runin)
        return "\n".join(paragraphs)


def run_in_text(heading: str) -> str:
    """What follows a run-in heading ("一、总体情况。2022年，……" → "2022年，……")."""
    for mark in ("。", "：", ":"):
        head, found, rest = heading.partition(mark)
        if found and len(head) <= 20:
            return rest.strip()
    return ""


def pingtan_2022(*, fee: str = "2022年，无收取信息处理费情况。") -> Printed:
    """平潭综合实验区's 2022 report (2021 format): a preamble that prints the address, postcode and
    phone; 一 in paragraphs with （一）… sub-headings on lines of their own; 五 in two paragraphs."""
    report = read_report_file(SAMPLES_DIR / PINGTAN_NAMES[1])
    s1 = tuple(p for p in report.text("s1").split(" ") if p.strip())
    s5 = tuple(p for p in report.text("s5").split(" ") if p.strip())
    report.texts["s1"] = "\n".join(s1)
    report.texts["s5"] = "\n".join(s5)
    report.texts["s6"] = fee
    report.title = "平潭综合实验区2022年政府信息公开工作年度报告"
    # What its preamble prints (the transcription in tests/data left the contact out).
    report.contact = Contact("平潭综合实验区金井湾商务营运中心7号楼14层", "350400", "0591-23165385", "")
    return Printed(
        report=report,
        title_lines=("平潭综合实验区2022年", "政府信息公开工作年度报告"),
        preamble=(report.preamble,),
        s1=s1,
        s5=s5,
        s6=(fee,),
        signature=("平潭综合实验区管理委员会办公室", "2023年1月18日"),
    )


def tiexi_2020() -> Printed:
    """四平市铁西区人民政府's 2020 report (2019 format), as its office typed it: 一's sub-topics
    numbered （一）, 2., 3., …, a note under 二, 五 headed by its longer form."""
    report = read_report_file(SAMPLES_DIR / SEED_NAME)
    headings = dict(HEADINGS, s5="五、政府信息公开工作存在的主要问题及改进情况")
    return Printed(
        report=report,
        title_lines=("四平市铁西区人民政府", "2020年政府信息公开工作年度报告"),
        preamble=(report.preamble,),
        s1=tuple(report.text("s1").splitlines()),
        s5=tuple(report.text("s5").splitlines()),
        s6=tuple(report.text("s6").splitlines()),
        signature=("四平市铁西区人民政府办公室", "2021年1月25日"),
        headings=headings,
        s2_note=tuple(report.text("s2_note").splitlines()),
    )


# --- PDF -------------------------------------------------------------------------------------------


@dataclass
class PdfShape:
    """How a published PDF sets the prose. heading_indent: headings indented two characters (GB/T 9704)
    or flush left; number_gap: Word's automatic numbering sets "一、" and the heading apart with a tab
    stop (two runs with a gap, no space character); signature_gap: blank lines above the signature."""

    heading_indent: int = 2
    number_gap: float = 0.0
    title_size: float = 22.0
    style: Style = field(
        default_factory=lambda: Style(
            top=37 * 72 / 25.4,
            bottom=35 * 72 / 25.4,
            left=28 * 72 / 25.4,
            right=26 * 72 / 25.4,
            title_size=22.0,
            body_size=16.0,
            leading=29.0,
            cell_size=10.5,
            page_label=lambda n: f"— {n} —",
        )
    )


class _Published(Drawing):
    def heading(self, text: str, shape: PdfShape) -> None:
        """A level-1 heading; with a number gap, the number and the words as two runs apart."""
        size = self.style.body_size
        number, sep, words = text.partition("、")
        if not shape.number_gap or not sep or len(number) != 1:
            self.paragraph(text, indent=shape.heading_indent)
            return
        if self.y - self.style.leading < self.style.bottom:
            self.new_page()
        self.y -= self.style.leading
        x = self.style.left + shape.heading_indent * size
        self.canvas.setFont(self.font, size)
        self.canvas.drawString(x, self.y, number + sep)
        x += stringWidth(number + sep, self.font, size) + shape.number_gap
        self.canvas.drawString(x, self.y, words)


def write_published_pdf(printed: Printed, path: Path, font: str, shape: PdfShape | None = None) -> Path:
    """The report as a published PDF: title lines centred, then preamble, headings, paragraphs with a
    first-line indent of two characters wrapped at the right margin, the tables of 二, 三 and 四 (from
    our layout, as ruled grids), the note under 二, and the signature right-aligned."""
    shape = shape or PdfShape()
    drawing = _Published(path, font, shape.style)
    tables: dict[str, Table] = {t.id: t for t in build_layout(printed.report, blank_as_zero=True).tables}
    for line in printed.title_lines:
        drawing.paragraph(line, size=shape.title_size, align="center", indent=0)
    drawing.y -= shape.style.leading
    for p in printed.preamble:
        drawing.paragraph(p)
    for sid in ("s1", "s2", "s3", "s4", "s5", "s6"):
        for line in printed.heading_lines(sid):
            drawing.heading(line, shape)
        if sid in tables:
            drawing.table(tables[sid])
            if sid == "s2":
                for p in printed.s2_note:
                    drawing.paragraph(p)
        else:
            for p in printed.texts(sid):
                drawing.paragraph(p)
    drawing.y -= 2 * shape.style.leading
    organ, when = printed.signature
    drawing.paragraph(organ, align="right", indent=0)
    drawing.paragraph(when, align="right", indent=0)
    drawing.save()
    return path


# --- DOCX ------------------------------------------------------------------------------------------


def write_typed_docx(printed: Printed, path: Path, *, headings: dict[str, str] | None = None) -> Path:
    """The report typed into Word: the official tables filled in, headings as given (run-in, numbered
    "一．", "第一部分", …), one Word paragraph per printed paragraph."""
    fill: Fill = fill_from_report(printed.report)
    fill.title_lines = printed.title_lines
    fill.preamble = printed.preamble
    fill.headings = dict(headings or printed.headings)
    fill.texts = {"s1": printed.s1, "s5": printed.s5, "s6": printed.s6}
    fill.s2_note = "\n".join(printed.s2_note)
    fill.signature = printed.signature
    return write_official_docx(fill, path)


# --- HTML ------------------------------------------------------------------------------------------

_PORTAL_HEAD = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_政府信息公开年报_某某市人民政府门户网站</title></head>
<body>
<div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; 政府信息公开年报</div>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">发布时间：2023-01-20 09:30 浏览次数：1234 来源：本网</div>
<div class="TRS_Editor">
"""
_PORTAL_FOOT = """</div>
<div class="share">分享到：微信 微博</div>
</div>
<div class="footer">主办单位：某某市人民政府办公室 网站标识码：3501000001 ICP备案号：闽ICP备00000000号</div>
</body></html>
"""


def _p(text: str, style: str = 'class="MsoNormal" style="text-indent:32.0pt"') -> str:
    return (
        f'<p {style}><span style="font-family:仿宋_GB2312;font-size:16.0pt">{html.escape(text)}</span><o:p></o:p></p>\n'
    )


def _heading_html(text: str) -> str:
    return (
        '<p class="MsoNormal" style="text-indent:32.0pt"><b><span style="font-family:黑体;font-size:16.0pt">'
        f"{html.escape(text)}</span></b><o:p></o:p></p>\n"
    )


def _table_html(table: Table) -> str:
    rows: list[str] = []
    for r in range(table.rows):
        cells = sorted((c for c in table.cells if c.row == r), key=lambda c: c.col)
        tds = "".join(
            f'<td rowspan="{c.rowspan}" colspan="{c.colspan}" width="60" style="width:45.0pt">'
            f'<p class="MsoNormal" align="center"><span>{html.escape(c.text)}</span><o:p></o:p></p></td>'
            for c in cells
        )
        rows.append(f"<tr>{tds}</tr>")
    return '<table class="MsoNormalTable" border="1" cellspacing="0">' + "".join(rows) + "</table>\n"


def write_portal_html(printed: Printed, path: Path, *, headings: dict[str, str] | None = None) -> Path:
    """The report as a portal page saved from the browser: navigation, breadcrumbs, the article's own
    title and 发布时间 line, then the body as Word pastes it (MsoNormal paragraphs and tables), then a
    share line and the site footer."""
    heads = dict(headings or printed.headings)
    tables = {t.id: t for t in build_layout(printed.report, blank_as_zero=True).tables}
    title = "".join(printed.title_lines)
    out = [_PORTAL_HEAD.format(title=html.escape(title))]
    out.extend(_p(p) for p in printed.preamble)
    for sid in ("s1", "s2", "s3", "s4", "s5", "s6"):
        out.extend(_heading_html(line) for line in heads.get(sid, "").split("\n") if line)
        if sid in tables:
            out.append(_table_html(tables[sid]))
            out.extend(_p(p) for p in (printed.s2_note if sid == "s2" else ()))
        else:
            out.extend(_p(p) for p in printed.texts(sid))
    organ, when = printed.signature
    out.append(_p(organ, 'class="MsoNormal" align="right" style="text-align:right"'))
    out.append(_p(when, 'class="MsoNormal" align="right" style="text-align:right"'))
    out.append(_PORTAL_FOOT)
    path.write_text("".join(out), encoding="utf-8")
    return path
