"""Report pages saved from government portals: the report's own body is read (title, preamble, 一 to 六,
tables, signature) and the site around it (menus, breadcrumb, information bar and table, share and print
buttons, related links, other years' reports in the sidebar, footer) ends up nowhere in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.report import Report
from exports.layout import Paragraph, SignatureBlock, Table, build_layout
from reading.formats import read_with_log
from reading.html_reader import extract_html, extract_report_html
from tests.docx_fixtures import cells_of
from tests.pdf_fixtures import distinct_report
from tests.portal_fixtures import SHAPES, PortalPage, portal_page

TEMPLATES = ("2021", "2019")


def source(template_id: str) -> Report:
    report = distinct_report(template_id)
    if template_id == "2019":  # a title broken after the agency's name, as many are
        report.title = f"{report.agency}\n{report.year}年政府信息公开工作年度报告"
    return report


def saved(tmp_path: Path, page: PortalPage) -> Path:
    path = tmp_path / f"{page.shape}.html"
    path.write_bytes(page.content)
    return path


def printed_lines(report: Report) -> set[str]:
    """Every line the report itself prints (a portal's information table repeats its title and agency)."""
    lines: set[str] = set()
    for block in build_layout(report, blank_as_zero=False).blocks:
        if isinstance(block, Paragraph):
            lines.update(block.text.splitlines())
            lines.add("".join(block.text.split()))
            lines.add(block.lead + block.text)
        elif isinstance(block, SignatureBlock):
            lines.update((block.organ, block.date))
        elif isinstance(block, Table):
            lines.update(cell.text for cell in block.cells)
    return lines


def site_lines(report: Report, page: PortalPage) -> list[str]:
    """The lines of the site around the report that the report does not print itself."""
    own = printed_lines(report)
    return [line for line in page.navigation if line not in own]


@pytest.fixture(scope="module", params=[(t, s) for t in TEMPLATES for s in SHAPES], ids=lambda p: f"{p[0]}-{p[1]}")
def case(request: pytest.FixtureRequest) -> tuple[Report, PortalPage]:
    template_id, shape = request.param
    report = source(template_id)
    return report, portal_page(report, shape)


# --- the fixtures are shaped like real pages --------------------------------------------------------


def test_pages_are_shaped_like_real_saved_portal_pages(case: tuple[Report, PortalPage]) -> None:
    report, page = case
    assert 200 * 1024 <= len(page.content) <= 370 * 1024
    text = page.content.decode(page.encoding)
    for word_markup in ("class=MsoNormal", "<o:p></o:p>", "font-family:仿宋_GB2312", "mso-", "<!--[if gte mso 9]>",
                        "width:", "pt;"):
        assert word_markup in text, word_markup
    lines = site_lines(report, page)
    assert len(lines) >= 30
    site = "\n".join(lines)
    for portal_text in ("位置：首页 >", "网站标识码", "ICP备", "主办单位", "联系我们"):
        assert portal_text in site, portal_text
    assert "发布时间" in site or "发布日期" in site
    # Other years' annual reports are listed around the report.
    others = [line for line in lines if "政府信息公开工作年度报告" in line and str(report.year) not in line]
    assert len(others) >= 3


# --- read: the report, and nothing of the site -------------------------------------------------------


def test_the_report_is_read_as_it_was_written(tmp_path: Path, case: tuple[Report, PortalPage]) -> None:
    report, page = case
    result = read_with_log(saved(tmp_path, page))
    read = result.report
    assert cells_of(read) == cells_of(report)
    # The year and agency are the report's, not those of the other years' reports beside it.
    assert (read.year, read.agency, read.template_id) == (report.year, report.agency, report.template_id)
    assert "".join(read.title.split()) == "".join(report.title.split())
    assert read.preamble == report.preamble
    for key in ("s1", "s2_note", "s5", "s6"):
        assert read.text(key) == report.text(key), key
    assert (read.signature.organ, read.signature.date) == (report.signature.organ, report.signature.date)
    assert not any("标题" in line or "无法确定" in line or "不是报告的统计表" in line for line in result.log)


def test_no_line_of_the_site_is_among_the_report_texts(tmp_path: Path, case: tuple[Report, PortalPage]) -> None:
    report, page = case
    read = read_with_log(saved(tmp_path, page)).report
    written = "\n".join([report.title, report.preamble, *report.texts.values(), report.signature.organ])
    texts = [read.title, read.preamble, *read.texts.values(), read.signature.organ]
    # A menu item may be a word of the report ("政府信息公开"): only what the report does not say counts.
    foreign = [line for line in site_lines(report, page) if line not in written]
    assert len(foreign) >= 30
    for line in foreign:
        for text in texts:
            assert line not in text, (line, text[:80])


def test_the_extracted_body_runs_from_the_title_to_the_date(tmp_path: Path, case: tuple[Report, PortalPage]) -> None:
    report, page = case
    path = saved(tmp_path, page)
    body = extract_report_html(path)
    whole = extract_html(path)
    lines = site_lines(report, page)
    assert not set(lines) & set(body.paragraphs)
    assert set(lines) & set(whole.paragraphs)  # the page itself has them
    title = "".join(report.title.split())
    assert "".join(body.paragraphs)[: len(title)] == title  # the title first, on one line or broken in two
    assert body.paragraphs.index(report.preamble) <= 2
    assert body.paragraphs[-1] == report.signature.date_chinese
    assert len(body.tables) == 3  # the report's 二, 三 and 四; a portal's 索引号 table is not among them
    assert len(whole.tables) >= 3


# --- what decides: hand-made pages ----------------------------------------------------------------


TABLE_二 = (
    "<table border=1><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>1</td></tr>"
    "<tr><td>行政规范性文件</td><td>2</td></tr></table>"
)


def _body(tmp_path: Path, markup: str) -> list[str]:
    path = tmp_path / "page.html"
    path.write_text(f"<html><body>{markup}</body></html>", encoding="utf-8")
    return extract_report_html(path).paragraphs


def test_portal_lines_and_lists_of_links_inside_the_report_part_are_left_out(tmp_path: Path) -> None:
    # A CMS that puts its information bar, buttons and related links into the same <div> as the report.
    paragraphs = _body(tmp_path, (
        "<div class=article><p>某某局2023年政府信息公开工作年度报告</p>"
        "<p>发布时间：2024-01-20 浏览次数：356</p><p>字号：<a>大</a> <a>中</a> <a>小</a></p>"
        "<p>本报告根据条例编制。</p><p>一、总体情况</p><p>本局主动公开信息。</p>"
        f"<p>二、主动公开政府信息情况</p>{TABLE_二}<p>五、存在的主要问题及改进情况</p><p>培训不足。</p>"
        "<p>六、其他需要报告的事项</p><p>无。</p><p>某某局</p><p>2024年1月20日</p>"
        "<p>【<a>打印本页</a>】【<a>关闭窗口</a>】</p><p>分享到：<a>微信</a></p>"
        "<ul><li><a>某某局2022年政府信息公开工作年度报告</a></li></ul></div>"
    ))
    assert paragraphs == [
        "某某局2023年政府信息公开工作年度报告", "本报告根据条例编制。", "一、总体情况", "本局主动公开信息。",
        "二、主动公开政府信息情况", "五、存在的主要问题及改进情况", "培训不足。", "六、其他需要报告的事项", "无。",
        "某某局", "2024年1月20日",
    ]


def test_without_a_date_line_the_links_after_the_report_are_left_out(tmp_path: Path) -> None:
    # Signed on one line, so no date line ends the report; the CMS lists related articles in its <div>.
    paragraphs = _body(tmp_path, (
        "<div class=content><p>某某局2023年政府信息公开工作年度报告</p><p>一、总体情况</p><p>正文。</p>"
        f"<p>二、主动公开政府信息情况</p>{TABLE_二}<p>六、其他需要报告的事项</p><p>无。</p>"
        "<p>某某局 2024年1月20日</p><p>相关文章：</p><ul>"
        "<li>· <a>某某局2022年政府信息公开工作年度报告</a> 2023-01-18</li>"
        "<li>· <a>某某局2021年政府信息公开工作年度报告</a> [2022-01-20]</li></ul>"
        "<p>【<a>打印</a>】 | 【<a>关闭</a>】</p></div>"
    ))
    assert paragraphs == [
        "某某局2023年政府信息公开工作年度报告", "一、总体情况", "正文。", "二、主动公开政府信息情况",
        "六、其他需要报告的事项", "无。", "某某局 2024年1月20日",
    ]


def test_the_title_is_the_last_one_above_the_report_and_never_a_link_or_breadcrumb(tmp_path: Path) -> None:
    paragraphs = _body(tmp_path, (
        "<div class=side><p>某某局2024年政府信息公开工作年度报告</p>"  # plain text in a sidebar, before the title
        "<p><a>某某局2021年政府信息公开工作年度报告</a></p></div>"
        "<div class=crumb>当前位置：<a>首页</a> > 某某局2023年政府信息公开工作年度报告</div>"
        "<h1>某某局2023年政府信息公开工作年度报告</h1>"
        f"<div class=content><p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p>{TABLE_二}</div>"
    ))
    assert paragraphs == ["某某局2023年政府信息公开工作年度报告", "一、总体情况", "正文。", "二、主动公开政府信息情况"]


def test_a_page_without_the_report_s_headings_or_tables_is_given_whole(tmp_path: Path) -> None:
    markup = "<div><p>导航</p><p>某某局2023年政府信息公开工作年度报告</p><p>一、总体情况</p><p>正文。</p></div>"
    assert _body(tmp_path, markup) == ["导航", "某某局2023年政府信息公开工作年度报告", "一、总体情况", "正文。"]
