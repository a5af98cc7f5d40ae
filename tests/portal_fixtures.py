"""Report pages as saved from government portals ("网页，全部"), built from a report for the HTML reader's tests.

Real annual-report pages are 200-370 KB of HTML: about 85 KB is the site around the report (menus, the
breadcrumb "当前位置：首页 > 政务公开 > …", an information table 索引号…, a "发布时间…浏览次数" bar,
"分享到" and 【打印】【关闭】 buttons, related links, a sidebar listing the other years' annual reports,
a footer with 网站标识码, ICP备案, 主办单位 and 联系我们), the portal's style sheet and scripts; the
report itself is what Word's "save as web page" or the CMS editor made of the clerk's Word file:
MsoNormal paragraphs, a span with 仿宋_GB2312 or 黑体 around every run of text, <o:p></o:p> in every
cell, widths in pt, mso- styles, conditional comments <!--[if gte mso 9]> and list numbers in
<![if !supportLists]>.

Three shapes of portal:

    trs           a current provincial-style portal: <div> layout, the CMS title as <h1> above a
                  <div class="TRS_Editor"> holding the Word document (with its own title), UTF-8
    layout-table  an old county portal built of <table>s: the sidebar, the title, the 发布日期 bar and
                  the report each in a cell of nested layout tables, the report's tables inside a cell;
                  GBK declared as gb2312
    br-lines      a portal whose editor put the report into a few <p> with <br> between its lines
                  (the tables as Word made them), lists of links with dates, GBK

Each page comes with the site's own texts (`navigation`), none of which may end up in the report.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from core.report import Report
from exports.layout import GridCell, Layout, Paragraph, SignatureBlock, Table, build_layout

SHAPES = ("trs", "layout-table", "br-lines")
MM_TO_PT = 72 / 25.4

SITE = "某某县人民政府"
DOMAIN = "www.moumou.gov.cn"

MENUS: dict[str, tuple[str, ...]] = {
    "首页": (),
    "走进某某": ("某某概况", "历史沿革", "行政区划", "自然地理", "人口民族", "经济发展", "社会事业", "旅游资源"),
    "政务公开": (
        "政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "机构职能", "领导信息",
        "政策文件", "政策解读", "规划计划", "财政预决算", "人事信息", "重点领域信息公开", "建议提案办理",
        "统计信息", "应急管理", "审计信息",
    ),
    "政务服务": ("个人办事", "法人办事", "部门服务", "便民服务", "办事指南", "网上办事大厅", "好差评"),
    "互动交流": ("县长信箱", "咨询投诉", "在线访谈", "征集调查", "常见问题", "留言选登"),
    "专题专栏": ("优化营商环境", "乡村振兴", "安全生产", "民生实事", "疫情防控", "扫黑除恶", "文明创建"),
}
DEPARTMENTS = (
    "县发展和改革局", "县教育局", "县科技局", "县工业和信息化局", "县公安局", "县民政局", "县司法局", "县财政局",
    "县人力资源和社会保障局", "县自然资源局", "县生态环境局", "县住房和城乡建设局", "县交通运输局", "县水利局",
    "县农业农村局", "县商务局", "县文化体育和旅游局", "县卫生健康委员会", "县退役军人事务局", "县应急管理局",
    "县审计局", "县市场监督管理局", "县统计局", "县医疗保障局", "县林业局", "县信访局", "县行政服务中心",
)
OTHER_SITES = (
    "中国政府网", "国家发展和改革委员会", "教育部", "科学技术部", "工业和信息化部", "公安部", "民政部", "司法部",
    "财政部", "人力资源和社会保障部", "自然资源部", "生态环境部", "住房和城乡建设部", "交通运输部", "水利部",
    "农业农村部", "商务部", "文化和旅游部", "国家卫生健康委员会", "审计署", "国家市场监督管理总局",
    "省人民政府", "市人民政府", "邻县人民政府",
)


@dataclass(frozen=True)
class PortalPage:
    shape: str
    content: bytes  # the saved file
    encoding: str
    navigation: tuple[str, ...]  # each line of the site around the report, as a browser shows it


# --- the report as Word's "save as web page" makes it ------------------------------------------------


SPAN = "<span style='font-size:{size};font-family:{font};mso-hansi-font-family:宋体;mso-bidi-font-family:宋体;{extra}'>"
END_RUN = "<span lang=EN-US><o:p></o:p></span></span>"
_NUMBER_RUN = re.compile(r"([0-9.,\-]+)")


def _runs(text: str, font: str = "仿宋_GB2312", size: str = "16.0pt") -> str:
    """Text as Word writes a paragraph's runs: a span per run, numbers in Times New Roman spans of
    their own, the text split into runs where a clerk's edits split it."""
    out: list[str] = []
    for part in _NUMBER_RUN.split(text):
        if not part:
            continue
        if _NUMBER_RUN.fullmatch(part):
            out.append(
                f"<span lang=EN-US style='font-size:{size};font-family:\"Times New Roman\";"
                f"mso-fareast-font-family:{font}'>{html.escape(part)}</span>"
            )
            continue
        middle = len(part) // 2 if len(part) > 12 else len(part)
        for piece in (part[:middle], part[middle:]):
            if piece:
                out.append(SPAN.format(size=size, font=font, extra="color:black") + html.escape(piece) + "</span>")
    return "".join(out)


def _word_paragraph(block: Paragraph, *, list_numbers: bool) -> str:
    """One paragraph of the report in Word's markup."""
    style = "style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;mso-line-height-rule:exactly'"
    if block.style == "title":
        lines = block.text.splitlines()
        return "\n".join(
            "<p class=MsoNormal align=center style='text-align:center;line-height:33.0pt;mso-line-height-rule:"
            f"exactly'>{SPAN.format(size='22.0pt', font='方正小标宋简体', extra='')}{html.escape(line)}"
            f"{END_RUN}</p>"
            for line in lines
        )
    if block.style == "heading1":
        number, _, words = block.text.partition("、")
        if list_numbers:
            # Word's automatic list numbering saved for browsers: the number in a conditional block.
            return (
                "<p class=MsoListParagraph style='margin-left:32.0pt;text-indent:-32.0pt;line-height:28.0pt;"
                "mso-list:l0 level1 lfo1'><![if !supportLists]><span lang=EN-US style='font-size:16.0pt;"
                f"font-family:黑体;mso-fareast-font-family:黑体'><span style='mso-list:Ignore'>{number}、"
                "<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;</span></span></span>"
                f"<![endif]><b>{SPAN.format(size='16.0pt', font='黑体', extra='')}{html.escape(words)}{END_RUN}</b></p>"
            )
        return f"<p class=MsoNormal {style}><b>{SPAN.format(size='16.0pt', font='黑体', extra='')}" \
               f"{html.escape(block.text)}{END_RUN}</b></p>"
    if block.style == "heading2":
        body = _runs(block.text, font="楷体_GB2312")
        return f"<p class=MsoNormal {style}>{body}<span lang=EN-US><o:p></o:p></span></p>"
    lead = f"<b>{_runs(block.lead, font='楷体_GB2312')}</b>" if block.lead else ""
    return f"<p class=MsoNormal {style}>{lead}{_runs(block.text)}<span lang=EN-US><o:p></o:p></span></p>"


def _word_cell(cell: GridCell, width_pt: float) -> str:
    attrs = (
        f" width={round(width_pt * 96 / 72)} valign=center style='width:{width_pt:.1f}pt;"
        "border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext .5pt;"
        "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;height:19.85pt'"
    )
    if cell.rowspan > 1:
        attrs += f" rowspan={cell.rowspan}"
    if cell.colspan > 1:
        attrs += f" colspan={cell.colspan}"
    align = "center" if cell.align == "center" else "left"
    lines = cell.text.splitlines() or [""]
    paragraphs = []
    for line in lines:
        if line.strip():
            body = _runs(line, size="10.5pt") + "<span lang=EN-US><o:p></o:p></span>"
        else:
            body = "<span lang=EN-US style='font-size:10.5pt'><o:p>&nbsp;</o:p></span>"
        paragraphs.append(
            f"<p class=MsoNormal align={align} style='text-align:{align};mso-pagination:widow-orphan'>{body}</p>"
        )
    return f"<td{attrs}>{''.join(paragraphs)}</td>"


def _word_table(table: Table) -> str:
    widths = [w * MM_TO_PT for w in table.widths]
    rows: dict[int, list[GridCell]] = {}
    for cell in table.cells:
        rows.setdefault(cell.row, []).append(cell)
    total = sum(widths)
    out = [
        "<div align=center>",
        f"<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width={round(total * 96 / 72)} "
        f"style='width:{total:.1f}pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
        "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>",
    ]
    for r in range(table.rows):
        out.append(f" <tr style='mso-yfti-irow:{r};height:19.85pt'>")
        for cell in sorted(rows.get(r, []), key=lambda c: c.col):
            width = sum(widths[cell.col : cell.col + cell.colspan])
            out.append("  " + _word_cell(cell, width))
        out.append(" </tr>")
    out.append(" <![if !supportMisalignedColumns]>")
    out.append(" <tr height=0>" + "".join(f"<td width={round(w * 96 / 72)} style='border:none'></td>" for w in widths)
               + "</tr>")
    out.append(" <![endif]>")
    out.append("</table>")
    out.append("</div>")
    return "\n".join(out)


WORD_STYLES = """<!--[if gte mso 9]><xml>
 <o:DocumentProperties><o:Author>Administrator</o:Author><o:Pages>6</o:Pages><o:Words>3400</o:Words>
 </o:DocumentProperties></xml><![endif]--><!--[if gte mso 9]><xml>
 <w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom><w:TrackMoves>false</w:TrackMoves>
  <w:PunctuationKerning/><w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
  <w:DisplayHorizontalDrawingGridEvery>0</w:DisplayHorizontalDrawingGridEvery>
  <w:Compatibility><w:SpaceForUL/><w:BalanceSingleByteDoubleByteWidth/><w:DoNotLeaveBackslashAlone/>
  <w:ULTrailSpace/><w:DoNotExpandShiftReturn/><w:UseFELayout/></w:Compatibility>
 </w:WordDocument></xml><![endif]--><!--[if gte mso 9]><xml>
 <w:LatentStyles DefLockedState="false" DefUnhideWhenUsed="false" LatentStyleCount="371">
{latent}
 </w:LatentStyles></xml><![endif]-->
<style>
<!--
 /* Font Definitions */
{fonts}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{mso-style-unhide:no;mso-style-qformat:yes;mso-style-parent:"";margin:0cm;margin-bottom:.0001pt;
	text-align:justify;text-justify:inter-ideograph;mso-pagination:none;font-size:10.5pt;mso-bidi-font-size:11.0pt;
	font-family:"Calibri",sans-serif;mso-ascii-font-family:Calibri;mso-fareast-font-family:宋体;mso-hansi-font-family:Calibri;
	mso-bidi-font-family:"Times New Roman";mso-font-kerning:1.0pt;}}
 p.MsoListParagraph {{mso-style-priority:34;mso-style-qformat:yes;margin:0cm;text-indent:21.0pt;
	mso-char-indent-count:2.0;font-size:10.5pt;font-family:"Calibri",sans-serif;}}
 @page WordSection1 {{size:595.3pt 841.9pt;margin:104.9pt 73.7pt 99.2pt 79.4pt;mso-header-margin:42.55pt;
	mso-footer-margin:49.6pt;mso-page-numbers:1;mso-paper-source:0;layout-grid:15.6pt;}}
 div.WordSection1 {{page:WordSection1;}}
 @list l0 {{mso-list-id:1224415823;mso-list-type:hybrid;mso-list-template-ids:-1839287590 1722530746;}}
 @list l0:level1 {{mso-level-number-format:chinese-counting;mso-level-text:%1、;mso-level-tab-stop:none;
	mso-level-number-position:left;margin-left:32.0pt;text-indent:-32.0pt;}}
-->
</style>
<!--[if gte mso 10]>
<style>
 table.MsoNormalTable {{mso-style-name:普通表格;mso-tstyle-rowband-size:0;mso-tstyle-colband-size:0;
	mso-style-noshow:yes;mso-style-priority:99;mso-style-parent:"";mso-padding-alt:0cm 5.4pt 0cm 5.4pt;
	mso-para-margin:0cm;
	mso-para-margin-bottom:.0001pt;mso-pagination:widow-orphan;font-size:10.5pt;font-family:"Calibri",sans-serif;}}
</style>
<![endif]-->"""
WORD_FONTS = (
    "宋体", "黑体", "仿宋_GB2312", "楷体_GB2312", "方正小标宋简体", "Cambria Math", "Calibri", "Times New Roman",
)
LATENT_NAMES = (
    "Normal", "heading 1", "heading 2", "heading 3", "heading 4", "heading 5", "heading 6", "heading 7", "heading 8",
    "heading 9", "index 1", "toc 1", "toc 2", "toc 3", "Normal Indent", "footnote text", "annotation text", "header",
    "footer", "caption", "Title", "Default Paragraph Font", "Body Text", "Subtitle", "Strong", "Emphasis", "Table Grid",
    "List Paragraph", "Quote", "Intense Quote", "Light Shading", "Light List", "Medium Shading 1", "Medium Grid 1",
)


def _word_styles() -> str:
    latent = "\n".join(
        f'  <w:LsdException Locked="false" Priority="{9 + n % 60}" QFormat="true" '
        f'Name="{name}{"" if k == 0 else f" Accent {k}"}"/>'
        for n, name in enumerate(LATENT_NAMES)
        for k in range(4)
    )
    fonts = "\n".join(
        f' @font-face\n\t{{font-family:"{name}";panose-1:2 1 6 0 3 1 1 1 1 1;mso-font-charset:134;'
        f"mso-generic-font-family:auto;mso-font-pitch:variable;mso-font-signature:3 680460288 22 0 262145 0;}}"
        for name in WORD_FONTS
    )
    return WORD_STYLES.format(latent=latent, fonts=fonts)


def word_body(layout: Layout, *, title: bool, list_numbers: bool = False) -> str:
    """The report as the Word document a CMS editor receives: WordSection1 with its styles."""
    out = [_word_styles(), "<div class=WordSection1 style='layout-grid:15.6pt'>"]
    for block in layout.blocks:
        if isinstance(block, Table):
            out.append(_word_table(block))
        elif isinstance(block, SignatureBlock):
            for line in (block.organ, block.date):
                out.append(
                    "<p class=MsoNormal align=right style='text-align:right;margin-right:64.0pt;line-height:28.0pt'>"
                    f"{_runs(line)}<span lang=EN-US><o:p></o:p></span></p>"
                )
        elif block.style != "title" or title:
            out.append(_word_paragraph(block, list_numbers=list_numbers))
        if isinstance(block, Paragraph) and block.style == "title":
            out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")  # an empty line
    out.append("</div>")
    return "\n".join(out)


def br_body(layout: Layout) -> str:
    """The report put into a few <p> with <br> between its lines (the tables between them as Word made
    them): the editor's idea of a paragraph is a section."""
    out: list[str] = [_word_styles()]  # pasted from Word, the editor kept Word's styles
    lines: list[str] = []

    def close() -> None:
        if lines:
            out.append("<p style='line-height:2em'>" + "<br />\n".join(lines) + "</p>")
            lines.clear()

    indent = "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;"
    for block in layout.blocks:
        if isinstance(block, Table):
            close()
            out.append(_word_table(block))
        elif isinstance(block, SignatureBlock):
            close()
            out.append(f"<p style='text-align:right'>{html.escape(block.organ)}<br>{html.escape(block.date)}</p>")
        elif block.style == "title":
            out.append("<p style='text-align:center'><strong><span style='font-size:22px'>"
                       + "<br>".join(html.escape(line) for line in block.text.splitlines()) + "</span></strong></p>")
        elif block.style == "heading1":
            close()
            lines.append(f"{indent}<strong>{html.escape(block.text)}</strong>")
        elif block.lead:
            lines.append(f"{indent}<strong>{html.escape(block.lead)}</strong>{html.escape(block.text)}")
        else:
            lines.append(f"{indent}{html.escape(block.text)}")
    close()
    return "\n".join(out)


# --- the site around it -----------------------------------------------------------------------------


def _link(text: str, path: str) -> str:
    return f'<a href="http://{DOMAIN}/{path}/" target="_blank" title="{html.escape(text)}">{html.escape(text)}</a>'


def _menus() -> str:
    out = ['<div class="main-nav"><ul class="nav-list">']
    for n, (menu, items) in enumerate(MENUS.items()):
        out.append(f'<li class="nav-item nav-{n}">{_link(menu, f"m{n}")}')
        if items:
            out.append('<div class="sub-nav"><ul>')
            out.extend(f"<li>{_link(item, f'm{n}/s{k}')}</li>" for k, item in enumerate(items))
            out.append("</ul></div>")
        out.append("</li>")
    out.append("</ul></div>")
    return "\n".join(out)


def _other_reports(agency: str, year: int) -> list[tuple[str, str]]:
    """Other years' annual reports as a sidebar lists them: (title, publication date)."""
    return [
        (f"{agency}{other}年政府信息公开工作年度报告", f"{other + 1}-01-{18 + other % 7:02d}")
        for other in range(year + 1, year - 5, -1)
        if other != year
    ]


def _footer() -> str:
    groups = {"国务院部门网站": OTHER_SITES[:21], "省市政府网站": OTHER_SITES[21:], "县直部门网站": DEPARTMENTS}
    out = ['<div class="footer"><div class="links">']
    for name, sites in groups.items():
        # A portal's "links" drop-down: the options are not text a reader sees.
        out.append(f'<select onchange="window.open(this.value)"><option>{name}</option>'
                   + "".join(f'<option value="http://{DOMAIN}/l/{k}">{s}</option>' for k, s in enumerate(sites))
                   + "</select>")
    out.append("</div>")
    out.append('<div class="copyright">')
    out.append("<p>主办单位：某某县人民政府办公室&nbsp;&nbsp;承办单位：某某县大数据中心</p>")
    out.append(f'<p>{_link("联系我们", "lxwm")} | {_link("网站地图", "wzdt")} | {_link("隐私声明", "ysm")}</p>')
    out.append('<p>网站标识码：3501220001&nbsp;&nbsp;<a href="https://beian.miit.gov.cn">闽ICP备05012345号-1</a>'
               '&nbsp;&nbsp;<img src="/images/ga.png">闽公网安备 35012202000123号</p>')
    out.append("<p>联系电话：0591-22334455&nbsp;&nbsp;地址：某某县某某路1号</p>")
    out.append('<p><a href="https://bszs.conac.cn"><img src="/images/dzjg.png" alt="党政机关"></a>'
               '<a href="http://pucha.kaipuyun.cn"><img src="/images/jiucuo.png" alt="政府网站找错"></a></p>')
    out.append("</div></div>")
    return "\n".join(out)


def _portal_css() -> str:
    """A portal's style sheet, inline as many CMS templates leave it (a third of a saved page)."""
    rules = []
    for n in range(420):
        rules.append(
            f".mod-{n} .item-{n % 17} a:hover, .col-{n} .list li span.date-{n % 9} "
            f"{{ color: #{(n * 2654435761) % 0xFFFFFF:06x}; margin: {n % 7}px {n % 11}px; "
            f"font-size: {12 + n % 6}px; line-height: {20 + n % 10}px; }}"
        )
    return "<style type=\"text/css\">\n" + "\n".join(rules) + "\n</style>"


SCRIPTS = """<script type="text/javascript" src="/js/jquery-1.11.3.min.js"></script>
<script type="text/javascript">
var _hmt = _hmt || []; (function() { var hm = document.createElement("script");
hm.src = "https://hm.example.com/hm.js?0123456789abcdef"; var s = document.getElementsByTagName("script")[0];
s.parentNode.insertBefore(hm, s); })();
function doZoom(size) { document.getElementById('zoom').style.fontSize = size + 'px'; }
var nav = '<ul><li><a href="/">首页</a></li></ul>'; if (a < b && b > c) { show(nav); }
</script>"""


SERVICES = (
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励", "行政裁决",
    "其他行政权力", "公共服务", "便民服务",
)


def _service_box() -> str:
    """A box of the portal's service categories, a grid of links: words of the report's own tables
    (行政许可, 行政处罚, 行政强制) in a table of three and more rows."""
    rows = [SERVICES[i : i + 3] for i in range(0, len(SERVICES), 3)]
    return (
        '<div class="service-box"><div class="box-title">政务服务事项</div><table class="grid" width="100%">'
        + "".join("<tr>" + "".join(f"<td>{_link(name, f'fw/{name}')}</td>" for name in row) + "</tr>" for row in rows)
        + "</table></div>"
    )


def _info_table(title: str, agency: str, year: int) -> str:
    return (
        '<table class="xxgk-info" width="100%" border="0" cellspacing="1" cellpadding="3">'
        f"<tr><td>索引号：</td><td>11350122MB0123456X/{year + 1}-00012</td><td>主题分类：</td><td>其他</td></tr>"
        f"<tr><td>发布机构：</td><td>{agency}</td><td>成文日期：</td><td>{year + 1}-01-20</td></tr>"
        f"<tr><td>名称：</td><td colspan=3>{html.escape(title)}</td></tr>"
        "<tr><td>文号：</td><td></td><td>发布日期：</td><td>" + f"{year + 1}-01-20</td></tr></table>"
    )


class _Text(HTMLParser):
    """The lines of text a browser shows for a piece of markup, found independently of the reader:
    scripts, styles and drop-down options left out, a new line at every block element."""

    BLOCKS = frozenset({"p", "div", "li", "ul", "td", "tr", "table", "br", "h1", "h3", "h4", "select"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "select"):
            self.skipping += 1
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "select"):
            self.skipping -= 1
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.lines[-1] += data


def _texts_of(markup: str) -> list[str]:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in parser.lines)
    return [line for line in lines if line]


# --- the pages ----------------------------------------------------------------------------------------


def _title(layout: Layout) -> str:
    return "".join(layout.title.split())


def _trs(report: Report, layout: Layout) -> tuple[str, list[str]]:
    title = _title(layout)
    reports = _other_reports(report.agency, report.year)
    crumb = (f'<div class="crumb">当前位置：{_link("首页", "")} &gt; {_link("政务公开", "zwgk")} &gt; '
             f'{_link("法定主动公开内容", "zwgk/fdzdgk")} &gt; {_link("政府信息公开年报", "zwgk/nb")}</div>')
    sidebar = ['<div class="left-col"><div class="col-title">政府信息公开</div><ul>']
    sidebar += [f"<li>{_link(item, f'zwgk/{k}')}</li>" for k, item in enumerate(MENUS["政务公开"])]
    sidebar += ['</ul><div class="col-title">政府信息公开年报</div><ul class="nb-list">']
    sidebar += [f"<li>{_link(t, f'nb/{d}')}</li>" for t, d in reports]
    sidebar += ["</ul></div>"]
    info = (f'<div class="article-info"><span>发布时间：{report.year + 1}-01-20 09:30</span>'
            f'<span>来源：{report.agency}</span><span>浏览次数：<em id="hits"><script>document.write(hits)</script>'
            '</em></span><span>字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            '<a href="javascript:doZoom(14)">小</a></span></div>')
    after = (
        '<div class="share">分享到：<a class="wx">微信</a><a class="wb">微博</a><a class="qq">QQ空间</a></div>'
        '<div class="print">【<a href="javascript:window.print()">打印本页</a>】'
        '【<a href="javascript:window.close()">关闭窗口</a>】</div>'
        '<div class="related"><div class="col-title">相关链接</div><ul>'
        + "".join(f"<li>{_link(t, f'nb/r{d}')}<span>{d}</span></li>" for t, d in reports)
        + "</ul></div>"
    )
    footer = _footer()
    top = ('<div class="top-bar"><span>今天是：<script>showDate()</script></span>'
           '<a href="/wza">无障碍</a> | <a href="/zlb">长者模式</a> | <a href="/login">登录</a> | '
           '<a href="/reg">注册</a></div>'
           '<div class="header"><img src="/images/logo.png" alt="某某县人民政府"><div class="search">'
           '<input type="text" placeholder="请输入关键字"><a href="/search">搜索</a></div></div>')
    info_table = _info_table(title, report.agency, report.year)
    site = [top, _menus(), crumb, "\n".join(sidebar), info_table, info, _service_box(), after, footer]
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="SiteName" content="{SITE}"><meta name="ArticleTitle" content="{html.escape(title)}">
<title>{html.escape(title)}_政府信息公开年报_{SITE}</title>
<link rel="stylesheet" href="/css/common.css">
{_portal_css()}
{SCRIPTS}
</head>
<body>
{top}
{_menus()}
<div class="container">
{crumb}
<div class="main clearfix">
{"".join(sidebar)}
<div class="right-col"><div class="article">
{info_table}
<h1 class="article-title">{html.escape(title)}</h1>
{info}
{_service_box()}
<div class="TRS_Editor" id="zoom"><div class="Custom_UnionStyle">
{word_body(layout, title=True, list_numbers=True)}
</div></div>
{after}
</div></div>
</div>
</div>
{footer}
<script src="/js/stat.js"></script>
</body>
</html>
"""
    return page, site


def _layout_table(report: Report, layout: Layout) -> tuple[str, list[str]]:
    title = _title(layout)
    menu = ("<table width=1002 border=0 cellspacing=0 cellpadding=0 align=center><tr>"
            + "".join(f'<td class="menu" align=center>{_link(m, f"m{n}")}</td>' for n, m in enumerate(MENUS))
            + "</tr></table>")
    reports = _other_reports(report.agency, report.year)
    sidebar = (
        "<table width=210 border=0 cellspacing=0 cellpadding=0><tr><td class=lm_title>政府信息公开年报</td></tr>"
        + "".join(f"<tr><td class=lm_item>·{_link(t, f'nb/{d}')}</td></tr>" for t, d in reports)
        + "</table>"
        # A list of "hot" articles written with onclick instead of links: plain text to a reader.
        + "<table width=210 border=0><tr><td class=lm_title>热点信息</td></tr>"
        + "".join(f"<tr><td onclick=\"location.href='/rd/{d}'\">{t}</td></tr>" for t, d in reports[:2])
        + "</table>"
        + "<table width=210 border=0><tr><td class=lm_title>信息公开目录</td></tr>"
        + "".join(f"<tr><td>{_link(item, f'ml/{k}')}</td></tr>" for k, item in enumerate(MENUS["政务公开"]))
        + "</table>"
    )
    crumb = (f"<table width=100% border=0><tr><td class=crumb>您现在的位置：{_link('首页', '')} &gt;&gt; "
             f"{_link('信息公开', 'xxgk')} &gt;&gt; {_link('年度报告', 'xxgk/nb')}</td></tr></table>")
    info = (f"发布日期：{report.year + 1}-01-15&nbsp;&nbsp;&nbsp;&nbsp;来源：{report.agency}&nbsp;&nbsp;&nbsp;&nbsp;"
            '点击数：<span id=count>1024</span>&nbsp;&nbsp;&nbsp;&nbsp;【字体：<a href="#">大</a> <a href="#">中</a> '
            '<a href="#">小</a>】')
    prints = ('【<a href="javascript:window.print()">打印本页</a>】&nbsp;'
              '【<a href="javascript:window.close()">关闭窗口</a>】')
    neighbours = (f"<table width=96% align=center><tr><td>上一篇：{_link(reports[0][0], 'prev')}</td></tr>"
                  f"<tr><td>下一篇：{_link('关于公布2024年度行政许可事项清单的通知', 'next')}</td></tr></table>")
    footer = _footer()
    footer_table = f"<table width=1002 align=center border=0><tr><td class=foot>{footer}</td></tr></table>"
    site = [menu, sidebar, crumb, info, prints, neighbours, footer_table]
    page = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{html.escape(title)}</title>
{_portal_css()}
{SCRIPTS}
</head>
<body leftmargin=0 topmargin=0>
<table width=1002 border=0 cellspacing=0 cellpadding=0 align=center>
<tr><td><img src="/images/banner.jpg" width=1002 height=160></td></tr>
<tr><td>{menu}</td></tr>
</table>
<table width=1002 border=0 cellspacing=0 cellpadding=0 align=center>
<tr>
<td width=210 valign=top bgcolor=#F2F7FC>{sidebar}</td>
<td width=10></td>
<td width=782 valign=top>
{crumb}
<table width=96% border=0 cellspacing=0 cellpadding=0 align=center>
<tr><td height=50 align=center class=title><font size=5 color=#990000><b>{html.escape(title)}</b></font></td></tr>
<tr><td align=center class=info height=30>{info}</td></tr>
<tr><td height=1 bgcolor=#CCCCCC></td></tr>
<tr><td class=content style="padding:20px">
{word_body(layout, title=False)}
</td></tr>
<tr><td align=right>{prints}</td></tr>
</table>
{neighbours}
</td>
</tr>
</table>
{footer_table}
</body>
</html>
"""
    return page, site


def _br_lines(report: Report, layout: Layout) -> tuple[str, list[str]]:
    reports = _other_reports(report.agency, report.year)
    lists = (
        '<div class="side"><h3>政府信息公开年报</h3><ul>'
        + "".join(f"<li>{_link(t, f'nb/{d}')}<span class=date>{d}</span></li>" for t, d in reports)
        + "</ul><h3>部门导航</h3><ul>"
        + "".join(f"<li>{_link(d, f'bm/{k}')}</li>" for k, d in enumerate(DEPARTMENTS))
        + "</ul></div>"
    )
    crumb = (f'<div class="position">您当前的位置：{_link("首页", "")} > {_link("政务公开", "zwgk")} > '
             f'{_link("政府信息公开年报", "zwgk/nb")} > 正文</div>')
    info = (f'<div class="info"><span>信息来源：{report.agency}</span><span>发布时间：{report.year + 1}-01-20</span>'
            '<span>阅读次数：<b id="read">356</b></span><span><a href="javascript:window.print()">【打印】</a>'
            '<a href="javascript:window.close()">【关闭】</a></span></div>')
    after = ('<div class="bdshare">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">新浪微博</a></div>'
             '<div class="attach">相关附件：<a href="/files/nb.pdf">' + html.escape(_title(layout)) + '.pdf</a></div>')
    footer = _footer()
    site = [_menus(), lists, crumb, info, after, footer]
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>{html.escape(_title(layout))}</title>
{_portal_css()}
{SCRIPTS}
</head>
<body>
<div class="head"><div class="logo"><img src="/images/logo.png" /></div></div>
{_menus()}
<div class="wrap">
{lists}
<div class="main">
{crumb}
<div class="article">
{info}
<div class="content" id="zoom">
{br_body(layout)}
</div>
{after}
</div>
</div>
</div>
{footer}
</body>
</html>
"""
    return page, site


BUILDERS = {"trs": (_trs, "utf-8"), "layout-table": (_layout_table, "gbk"), "br-lines": (_br_lines, "gbk")}


def portal_page(report: Report, shape: str) -> PortalPage:
    """The report as a page of a portal of the given shape (one of SHAPES), saved from the browser."""
    layout = build_layout(report, blank_as_zero=False)
    builder, encoding = BUILDERS[shape]
    page, site = builder(report, layout)
    navigation = tuple(dict.fromkeys(line for markup in site for line in _texts_of(markup)))
    return PortalPage(shape, page.encode(encoding), encoding, navigation)
