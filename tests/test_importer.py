"""reading.assembly.assemble on hand-made extracted documents: labels by meaning, numbers as printed, texts, the log."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.checks import ERROR, validate
from core.numbers import BLANK, Parsed
from core.report import Contact, Report
from core.reportfile import ReportFileError
from core.template import load_template
from exports.layout import Paragraph as LayoutParagraph
from exports.layout import SignatureBlock, build_layout
from exports.layout import Table as LayoutTable
from reading.assembly import assemble
from reading.document import ExtractedDocument, ExtractedTable, ImportResult
from tests.conftest import full_report


@dataclass
class Doc:
    """An extracted document built from our printed layout, with each cell's place known so tests can
    retype labels and values the way a clerk or a reader would leave them."""

    paragraphs: list[str]
    tables: list[ExtractedTable]
    positions: list[int]
    where: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # cell id → table, row, index

    def extracted(self) -> ExtractedDocument:
        paragraphs, tables = copy.deepcopy(self.paragraphs), copy.deepcopy(self.tables)
        return ExtractedDocument(paragraphs, tables, list(self.positions), "test")

    def read(self) -> ImportResult:
        return assemble(self.extracted())

    def cell(self, cell_id: str, text: str) -> None:
        t, r, i = self.where[cell_id]
        self.tables[t].rows[r][i] = text

    def cells(self) -> Iterator[tuple[int, int, int, str]]:
        for t, table in enumerate(self.tables):
            for r, row in enumerate(table.rows):
                for i, text in enumerate(row):
                    yield t, r, i, text

    def relabel(self, old: str, new: str) -> None:
        """Retype every table cell reading `old`."""
        hits = [(t, r, i) for t, r, i, text in self.cells() if text == old]
        assert hits, old
        for t, r, i in hits:
            self.tables[t].rows[r][i] = new

    def replace_paragraph(self, old: str, new: str | list[str]) -> None:
        index = self.paragraphs.index(old)
        lines = [new] if isinstance(new, str) else new
        self.paragraphs[index : index + 1] = lines
        shift = len(lines) - 1
        self.positions = [p + shift if p > index else p for p in self.positions]

    def insert_row(self, table: int, before: int, texts: list[str], spans: list[tuple[int, int]] | None) -> None:
        t = self.tables[table]
        t.rows.insert(before, texts)
        if spans is not None:
            t.spans.insert(before, spans)
        self.where = {k: (tt, r + 1 if tt == table and r >= before else r, i) for k, (tt, r, i) in self.where.items()}

    def drop_spans(self) -> None:
        """As a reader that cannot see merges would leave the tables: cells in order, no spans."""
        for t in self.tables:
            t.spans = []


def doc_of(report: Report, *, blank_as_zero: bool = False) -> Doc:
    layout = build_layout(report, blank_as_zero=blank_as_zero)
    doc = Doc([], [], [])
    for block in layout.blocks:
        if isinstance(block, LayoutParagraph):
            doc.paragraphs.append(block.lead + block.text)
        elif isinstance(block, LayoutTable):
            doc.positions.append(len(doc.paragraphs))
            rows: list[list[str]] = []
            spans: list[list[tuple[int, int]]] = []
            for r in range(block.rows):
                starting = sorted((c for c in block.cells if c.row == r), key=lambda c: c.col)
                for c in starting:
                    if c.cell_id:
                        doc.where[c.cell_id] = (len(doc.tables), r, len(rows[r]) if len(rows) > r else 0)
                    if len(rows) <= r:
                        rows.append([])
                        spans.append([])
                    rows[r].append(c.text)
                    spans[r].append((c.rowspan, c.colspan))
            doc.tables.append(ExtractedTable(rows, spans))
        elif isinstance(block, SignatureBlock):
            doc.paragraphs.append(block.organ)
            if block.date:
                doc.paragraphs.append(block.date)
    return doc


def _report(template_id: str = "2021") -> Report:
    report = full_report(template_id)
    report.preamble = (
        "本报告根据条例编制。如有疑问请联系（地址：某某市人民路1号，邮编：100000，电话：010-12345678，"
        "邮箱：gk@example.cn）。"
    )
    report.contact = Contact("某某市人民路1号", "100000", "010-12345678", "gk@example.cn")
    return report


APPLICANTS = [c.id for c in load_template("2021").s3.applicant_columns]
OUTCOMES = load_template("2021").s3.outcome_rows
SIX_ROWS = ("other_no_correction", "other_unpaid_fee", "other_else")
BALANCE_ROWS = ("new", "carried_over", "total_processed", "carried_forward")


def _errors(report: Report) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.rule, f.cells) for f in validate(report) if f.severity == ERROR]


# --- the baseline ---------------------------------------------------------------------------------


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_a_report_in_our_layout_assembles_exactly(template_id: str) -> None:
    original = _report(template_id)
    result = doc_of(original).read()
    report = result.report
    assert result.log == []
    assert (report.template_id, report.agency, report.year, report.title) == (
        original.template_id, original.agency, original.year, original.title,
    )
    assert report.inputs == original.inputs
    assert report.texts == original.texts
    assert report.preamble == original.preamble and report.contact == original.contact
    assert report.signature == original.signature
    totals = original.totals()
    assert {c: p.number for c, p in report.printed.items()} == totals
    assert validate(report) == validate(original)


def test_tables_read_without_spans_are_aligned_on_the_right() -> None:
    original = _report("2019")
    doc = doc_of(original)
    doc.drop_spans()
    result = doc.read()
    assert result.report.inputs == original.inputs
    assert {c: p.number for c, p in result.report.printed.items()} == original.totals()


# --- labels by meaning ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "typed", "row_id"),
    [
        ("4.保护第三方合法权益", "4.保护第三方合法权利", "denied_third_party"),
        ("2.其他法律行政法规禁止公开", "2.其他法律法规禁止公开的", "denied_prohibited_by_law"),
        ("1.本机关不掌握相关政府信息", "1.本机关不掌握相关信息", "unable_not_held"),
        ("2.重复申请", "2.重复申清", "rejected_repeat"),
        ("四、结转下年度继续办理", "四、结转下年度办理", "carried_forward"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（二）部分公开", "partially_granted"),
    ],
)
def test_a_label_with_a_typo_or_shortened_is_read_by_meaning_and_logged(label: str, typed: str, row_id: str) -> None:
    original = _report()
    doc = doc_of(original)
    doc.relabel(label, typed)
    result = doc.read()
    assert result.report.inputs == original.inputs
    assert {c: p.number for c, p in result.report.printed.items()} == original.totals()
    row = load_template("2021").s3.row(row_id)
    assert [x for x in result.log if typed in x] == [
        f"三、收到和处理申请：第 2 个表格第 {3 + list(load_template('2021').s3.rows).index(row) + 1} 行"
        f"「{typed}」按「{' · '.join(row.path)}」读入"
    ]


def test_spaces_line_breaks_punctuation_and_variants_are_not_uncertain() -> None:
    original = _report()
    doc = doc_of(original)
    doc.relabel("一、本年新收政府信息公开申请数量", "一、本年新收政府\n信息公开申请数量")
    doc.relabel("2.其他法律行政法规禁止公开", " 2．其它法律、行政法规禁止公开 ")
    doc.relabel("3.危及“三安全一稳定”", "3.危及\"三安全一稳定\"")
    doc.relabel("（三）不予公开", "(三) 不予公开")
    doc.relabel("本年制发件数", "本年制发\n件数")
    doc.relabel("行政规范性文件", "行政规范性　文件")
    doc.relabel("（七）总计", "（七）合计")
    result = doc.read()
    assert result.log == []
    assert result.report.inputs == original.inputs


def test_a_label_that_means_nothing_in_the_table_is_not_guessed() -> None:
    original = _report()
    doc = doc_of(original)
    doc.relabel("3.要求提供公开出版物", "3.其他情形")
    result = doc.read()
    assert not any(k.startswith("s3.rejected_publication.") for k in result.report.inputs)
    assert "s3.rejected_publication.total" not in result.report.printed
    assert any("「3.其他情形」不是表中的项目，其数字未读入" in x for x in result.log)
    assert "三、收到和处理申请：表格中没有 「3.要求提供公开出版物」，按空白读入" in result.log


def test_two_rows_never_go_to_one_template_row() -> None:
    original = _report()
    doc = doc_of(original)
    doc.relabel("5.要求行政机关确认或重新出具已获取信息", "6.其他")  # a row the clerk invented under （五）
    result = doc.read()
    # The real 3.其他 under （六） fits better: it keeps its numbers, the invented row is logged.
    for col in APPLICANTS:
        assert result.report.value(f"s3.other_else.{col}") == original.value(f"s3.other_else.{col}")
    assert any("「6.其他」与另一行都是「3.其他」，只读入更相符的一行" in x for x in result.log)


# --- groups ---------------------------------------------------------------------------------------


def test_a_group_label_in_the_same_cell_as_the_first_row_label_sets_the_group() -> None:
    original = _report()
    doc = doc_of(original)
    t, r, _ = doc.where["s3.denied_state_secret.natural"]
    row = doc.tables[t].rows[r]
    spans = doc.tables[t].spans[r]
    # "（三）不予公开" (merged down over 8 rows) and "1.属于国家秘密" typed into one cell.
    index = row.index("（三）不予公开")
    row[index : index + 2] = ["（三）不予公开 1.属于国家秘密"]
    spans[index : index + 2] = [(1, 2)]
    for r2 in range(r + 1, r + 8):
        doc.tables[t].spans[r2][0] = (1, 2)
    result = doc.read()
    assert result.report.inputs == original.inputs
    assert result.log == []


def test_group_headings_on_rows_of_their_own_are_no_data() -> None:
    """A reader of a published page may give the group labels as rows of their own (no numbers)."""
    original = _report()
    doc = doc_of(original)
    doc.drop_spans()
    t, r, _ = doc.where["s3.unable_not_held.natural"]
    doc.insert_row(t, r, ["（四）无法提供", *[""] * 7], None)
    result = doc.read()
    assert result.report.inputs == original.inputs
    assert result.log == []


def test_a_subtotal_row_of_a_group_is_logged_not_read() -> None:
    original = _report()
    doc = doc_of(original)
    doc.drop_spans()
    t, r, _ = doc.where["s3.denied_state_secret.natural"]
    doc.insert_row(t, r, ["（三）不予公开", "9", "9", "9", "9", "9", "9", "54"], None)
    result = doc.read()
    assert result.report.inputs == original.inputs
    assert _errors(result.report) == []
    assert any("「（三）不予公开」是小计，未读入（按其下各行读入）" in x for x in result.log)


def test_a_lost_group_label_does_not_stop_the_rows_from_being_read() -> None:
    original = _report()
    doc = doc_of(original)
    doc.relabel("（四）无法提供", "")
    result = doc.read()
    assert result.report.inputs == original.inputs


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell_id", "typed", "expected"),
    [
        ("s3.new.natural", "１２", Parsed(12, "12")),
        ("s3.new.natural", "1,234", Parsed(1234, "1234")),
        ("s3.new.natural", "7件", Parsed(7, "7")),
        ("s3.new.natural", " 8 ", Parsed(8, "8")),
        ("s3.new.natural", "/", BLANK),
        ("s3.new.natural", "-", BLANK),
        ("s3.new.natural", "—", BLANK),
        ("s3.new.natural", "", BLANK),
        ("s3.new.natural", "无", BLANK),
        ("s2.fees.amount", "12.5万元", Parsed(Decimal("12.5"), "12.5万元", "万元")),
        ("s2.fees.amount", "０.５", Parsed(Decimal("0.5"), "0.5")),
        ("s4.review.upheld", "３", Parsed(3, "3")),
        ("s3.new.natural", "见附件", Parsed(None, "见附件", None, "「见附件」不是数字")),
        ("s3.new.natural", "2.5", Parsed(None, "2.5", None, "件数「2.5」必须是整数")),
        ("s3.new.natural", "3万元", Parsed(None, "3万元", None, "「3万元」带有金额单位，这里应填件数")),
        ("s3.new.natural", "1\n2", Parsed(None, "1\n2", None, "「1 2」一个单元格中有几行数字")),
    ],
)
def test_a_value_is_read_as_printed(cell_id: str, typed: str, expected: Parsed) -> None:
    doc = doc_of(_report())
    doc.cell(cell_id, typed)
    result = doc.read()
    assert result.report.value(cell_id) == expected
    if expected.error:
        assert any(f"「{' '.join(typed.split())}」不是有效的数字，按原文读入" in x for x in result.log)
        assert [f.cells for f in validate(result.report) if f.rule == "VALUE-INVALID"] == [(cell_id,)]
    else:
        assert result.log == []


def test_printed_totals_are_kept_as_printed_and_every_wrong_one_is_reported() -> None:
    original = _report()
    doc = doc_of(original)
    doc.cell("s3.new.total", "99")  # wrong
    doc.cell("s3.total_processed.legal", "")  # printed blank
    doc.cell("s4.review.total", "3")  # wrong: 1 + 2 + 0 + 1 = 4
    doc.cell("s3.granted.total", "abc")  # not a number
    report = doc.read().report
    assert report.printed["s3.new.total"] == Parsed(99, "99")
    assert report.printed["s3.total_processed.legal"] is BLANK
    assert report.printed["s4.review.total"] == Parsed(3, "3")
    assert report.printed["s3.granted.total"].error is not None
    assert report.inputs == original.inputs  # a total never goes into the inputs
    assert sorted(_errors(report)) == sorted(
        [
            # 总计 column: the printed 99 does not balance (the outcome rows are always added up).
            ("S3-BALANCE", tuple(f"s3.{r}.total" for r in BALANCE_ROWS)),
            ("S3-ROW-TOTAL", ("s3.new.total", *(f"s3.new.{c}" for c in APPLICANTS))),
            # 法律服务机构's （七）总计 printed blank is reported once, here; the （七）总计 row's own 总计
            # counts it as what its parts add up to, so no second finding cascades from the blank.
            ("S3-RESULTS-TOTAL", ("s3.total_processed.legal", *(f"s3.{r.id}.legal" for r in OUTCOMES))),
            ("S4-TOTAL", tuple(f"s4.review.{c}" for c in ("total", "upheld", "corrected", "other", "pending"))),
            ("VALUE-INVALID", ("s3.granted.total",)),
        ]
    )


def test_a_row_with_too_few_value_cells_is_left_blank_and_logged() -> None:
    original = _report()
    doc = doc_of(original)
    doc.drop_spans()
    t, r, _ = doc.where["s3.granted.natural"]
    doc.tables[t].rows[r] = ["（一）予以公开", "1", "2", "3"]
    result = doc.read()
    assert not any(k.startswith("s3.granted.") for k in result.report.inputs)
    assert (
        "三、收到和处理申请：第 2 个表格第 6 行「（一）予以公开」只有 3 个数字单元格（应为 7 个），"
        "无法确定各自属于哪一列，未读入"
    ) in result.log


def test_without_spans_a_value_cell_holding_words_does_not_shift_the_row() -> None:
    original = _report()
    doc = doc_of(original)
    doc.drop_spans()
    doc.cell("s3.granted.commercial", "见附件")
    report = doc.read().report
    assert report.value("s3.granted.commercial").error is not None
    for col in APPLICANTS[:1] + APPLICANTS[2:]:
        assert report.value(f"s3.granted.{col}") == original.value(f"s3.granted.{col}")


def test_a_merged_cell_across_value_columns_is_not_guessed() -> None:
    original = _report()
    doc = doc_of(original)
    t, r, i = doc.where["s3.carried_over.natural"]
    doc.tables[t].rows[r][i : i + 2] = ["5"]
    doc.tables[t].spans[r][i : i + 2] = [(1, 2)]
    result = doc.read()
    assert "s3.carried_over.natural" not in result.report.inputs
    assert "s3.carried_over.commercial" not in result.report.inputs
    assert result.report.value("s3.carried_over.research") == original.value("s3.carried_over.research")
    assert any("「自然人」、「商业企业」列是一个合并的单元格" in x for x in result.log)


def test_s4_columns_are_read_by_their_header_words() -> None:
    original = _report()
    doc = doc_of(original)
    t, r, i = doc.where["s4.review.upheld"]
    header = doc.tables[t].rows[1]
    header[0], header[1] = header[1], header[0]  # 结果纠正 printed before 结果维持
    values = doc.tables[t].rows[r]
    values[i], values[i + 1] = values[i + 1], values[i]
    result = doc.read()
    assert result.report.inputs == original.inputs


# --- texts ----------------------------------------------------------------------------------------


def test_a_note_under_the_table_of_s2_is_kept_with_it() -> None:
    original = _report()
    original.texts["s2_note"] = "2022年本部门政府信息公开发布总数量（非新闻类、消息类）：65条"
    result = doc_of(original).read()
    assert result.report.text("s2_note") == original.text("s2_note")
    assert result.log == []


def test_a_note_row_inside_the_table_of_s2_is_read_as_its_note() -> None:
    doc = doc_of(_report())
    note = "2022年本部门政府信息公开发布总数量：65条"
    t = next(i for i, table in enumerate(doc.tables) if "规章" in str(table.rows))
    doc.tables[t].rows.append([note])
    doc.tables[t].spans.append([(1, 4)])
    result = doc.read()
    assert result.report.text("s2_note") == note
    assert result.log == [f"二、主动公开：表格中的一行文字「{note}」作为表格下的说明读入"]


@pytest.mark.parametrize(
    ("lines", "agency", "year"),
    [
        (["某某区人民政府", "2022年政府信息公开工作年度报告"], "某某区人民政府", 2022),
        (["某某区人民政府2022年度政府信息公开工作年度报告"], "某某区人民政府", 2022),
        (["某某区人民政府", "２０２２年度政府信息公开年度报告"], "某某区人民政府", 2022),
        (["某某区人民政府政府信息公开工作年度报告（2022年度）"], "某某区人民政府", 2022),
        (["附件", "某某区人民政府2022年", "政府信息公开工作年度报告"], "某某区人民政府", 2022),
        (["2022年度某某区人民政府政府信息公开工作年度报告"], "某某区人民政府", 2022),
        (["关于某某区人民政府2022年政府信息公开工作年度报告"], "某某区人民政府", 2022),
    ],
)
def test_the_title_is_read_even_over_two_lines(lines: list[str], agency: str, year: int) -> None:
    original = _report()
    original.agency = "某某区人民政府"
    original.signature.organ = ""
    original.title = original.default_title()
    doc = doc_of(original)
    doc.replace_paragraph(original.title, lines)
    report = doc.read().report
    assert (report.agency, report.year) == (agency, year)
    assert report.title == "".join(lines[-2:] if lines[0] == "附件" else lines)
    assert report.preamble == original.preamble


def test_headings_are_matched_by_meaning_and_a_run_in_heading_keeps_its_text() -> None:
    original = _report()
    doc = doc_of(original)
    doc.replace_paragraph("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况")
    doc.replace_paragraph(
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
    )
    doc.replace_paragraph("一、总体情况", "一 、总体情况")
    doc.paragraphs.remove("六、其他需要报告的事项")
    doc.replace_paragraph("本年度未收取信息处理费。", "六、其他需要报告的事项：本年度未收取信息处理费。")
    result = doc.read()
    assert result.report.texts == original.texts
    assert result.log == []


def test_a_numbered_line_inside_the_text_is_not_taken_for_a_heading() -> None:
    original = _report()
    original.texts["s1"] = "一、主动公开情况。本年主动公开政府信息。\n二、依申请公开情况。依法办理申请。"
    result = doc_of(original).read()
    assert result.report.text("s1") == original.text("s1")


def test_a_missing_heading_is_logged() -> None:
    doc = doc_of(_report())
    doc.paragraphs.remove("五、存在的主要问题及改进情况")
    result = doc.read()
    assert "没有找到「五、存在的主要问题及改进情况」的标题" in result.log
    assert result.report.text("s5") == "存在的主要问题是公开内容不够具体。下一步将加强培训。"
    assert any("四的表格后的文字作为五读入" in x for x in result.log)


@pytest.mark.parametrize(
    ("lines", "organ", "when"),
    [
        (["某某区人民政府办公室", "2023年1月20日"], "某某区人民政府办公室", "2023-01-20"),
        (["某某区人民政府办公室", "２０２３年１月２０日"], "某某区人民政府办公室", "2023-01-20"),
        (["某某区人民政府办公室", "二〇二三年一月二十日"], "某某区人民政府办公室", "2023-01-20"),
        (["某某区人民政府办公室", "    年  月  日"], "某某区人民政府办公室", ""),
        (["某某区人民政府办公室  2023年1月20日"], "某某区人民政府办公室", "2023-01-20"),
        (["2023年1月20日"], "", "2023-01-20"),
        (["某某区人民政府办公室", "2023年1月20日", "（此件公开发布）"], "某某区人民政府办公室", "2023-01-20"),
    ],
)
def test_the_signature_is_read_and_not_part_of_six(lines: list[str], organ: str, when: str) -> None:
    original = _report()
    doc = doc_of(original)
    assert doc.paragraphs[-2:] == [original.signature.organ, "2023年1月20日"]
    doc.paragraphs[-2:] = lines
    report = doc.read().report
    assert (report.signature.organ, report.signature.date) == (organ, when)
    assert report.text("s6") == original.text("s6")


def test_a_page_with_a_menu_and_an_info_table_before_the_title_and_a_footer_after_the_signature() -> None:
    original = _report()
    doc = doc_of(original)
    menu = ["您当前的位置：首页 > 政务公开 > 年度报告", "政府信息公开指南", "政府信息公开制度"]
    doc.paragraphs[0:0] = menu
    doc.positions = [p + len(menu) for p in doc.positions]
    doc.tables.insert(0, ExtractedTable([["索引号：", "11220302/2023-00012"], ["发布机构：", "某某区人民政府办公室"]]))
    doc.positions.insert(0, len(menu))
    doc.paragraphs += ["【打印本页】【关闭窗口】", "版权所有：某某区人民政府"]
    result = doc.read()
    report = result.report
    assert (report.agency, report.title) == (original.agency, original.title)
    assert report.texts == original.texts and report.signature == original.signature
    assert result.log == [
        "落款后的文字「【打印本页】【关闭窗口】」未读入",
        "落款后的文字「版权所有：某某区人民政府」未读入",
        "第 1 个表格不是报告的统计表，未读入",
    ]


def test_a_table_in_the_text_that_is_not_one_of_ours_is_logged() -> None:
    original = _report()
    doc = doc_of(original)
    index = doc.paragraphs.index("一、总体情况") + 1
    doc.tables.insert(0, ExtractedTable([["指标", "数量"], ["网站发布", "100"]], [[(1, 1)] * 2] * 2))
    doc.positions.insert(0, index + 1)
    result = doc.read()
    assert result.report.inputs == original.inputs
    assert "第 1 个表格不是报告的统计表，未读入" in result.log


# --- templates ------------------------------------------------------------------------------------


def test_the_template_comes_from_the_tables_not_the_year() -> None:
    old = _report("2019")
    old.year = 2022
    old.title = old.default_title()
    new = _report("2021")
    new.year = 2020
    new.title = new.default_title()
    for original, template_id in ((old, "2019"), (new, "2021")):
        result = doc_of(original).read()
        assert result.report.template_id == template_id
        assert result.report.inputs == original.inputs
        assert [f.rule for f in validate(result.report) if f.rule == "TEMPLATE-YEAR"] == ["TEMPLATE-YEAR"]


def test_mixed_signals_go_by_the_majority_and_are_logged() -> None:
    original = _report("2021")
    doc = doc_of(original)
    doc.relabel("本年制发件数", "本年新制作数量")  # one 2019 header word in a 2021 table
    result = doc.read()
    assert result.report.template_id == "2021"
    mix = [x for x in result.log if x.startswith("表格混用两版格式")]
    assert len(mix) == 1 and "按多数采用2021版格式读入" in mix[0] and "「本年新制作数量」" in mix[0]
    # Its numbers belong to the 2019 template: kept aside, so that TEMPLATE-YEAR reports the mix.
    assert result.report.foreign_cells == {
        "s2.regulations.new_made": original.value("s2.regulations.issued").number,
        "s2.normative_docs.new_made": original.value("s2.normative_docs.issued").number,
    }
    assert any(f.rule == "TEMPLATE-YEAR" and "两版格式混用" in f.message for f in validate(result.report))


def test_a_2019_report_printing_the_three_rows_of_six_reads_their_sum() -> None:
    source = _report("2021")
    source.year = 2020
    source.title = source.default_title()
    doc = doc_of(source)
    # Make the rest of the tables 2019: its 二 and the years say so, only （六） is printed the 2021 way.
    old = doc_of(_report("2019"))
    s2_index = next(i for i, t in enumerate(old.tables) if "规章" in str(t.rows))
    doc.tables[s2_index] = old.tables[s2_index]
    result = doc.read()
    report = result.report
    assert report.template_id == "2019"
    for col in APPLICANTS:
        expected = sum(int(source.number(f"s3.{r}.{col}")) for r in SIX_ROWS)
        assert report.value(f"s3.other.{col}").number == expected
    assert any("按2021版格式分 3 行印出，按各行之和读入" in x for x in result.log)
    assert not [f for f in validate(report) if f.rule in ("S3-ROW-TOTAL", "S3-RESULTS-TOTAL", "S3-BALANCE")]
    assert any(f.rule == "TEMPLATE-YEAR" and "两版格式混用" in f.message for f in validate(report))


def test_a_2021_report_printing_six_as_one_row_keeps_its_arithmetic_checkable() -> None:
    original = _report("2021")
    doc = doc_of(original)
    t, r, _ = doc.where["s3.other_no_correction.natural"]
    sums = [
        sum(int(original.number(f"s3.{row}.{col}")) for row in SIX_ROWS) for col in APPLICANTS
    ]
    table = doc.tables[t]
    del table.rows[r : r + 3], table.spans[r : r + 3]
    table.rows.insert(r, ["（六）其他处理", *map(str, sums), str(sum(sums))])
    table.spans.insert(r, [(1, 2)] + [(1, 1)] * 7)
    # 三、本年度办理结果 now reaches three rows less far down.
    for row_spans, texts in zip(table.spans, table.rows, strict=True):
        if texts and texts[0] == "三、本年度办理结果":
            row_spans[0] = (row_spans[0][0] - 2, 1)
    result = doc.read()
    report = result.report
    assert report.template_id == "2021"
    assert [report.value(f"s3.other_else.{c.id}").number for c in load_template("2021").s3.applicant_columns] == sums
    assert not [f for f in validate(report) if f.rule in ("S3-RESULTS-TOTAL", "S3-ROW-TOTAL", "S3-BALANCE")]
    assert any(f.rule == "TEMPLATE-YEAR" and "两版格式混用" in f.message for f in validate(report))
    assert any(x.startswith("三、收到和处理申请：「（六）其他处理」按2019版（试行）格式只印了一行") for x in result.log)


# --- not a report ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        ExtractedDocument([], []),
        ExtractedDocument(["会议纪要", "一、总体情况", "今天开会。"], []),
        ExtractedDocument(["通知"], [ExtractedTable([["姓名", "电话"], ["张三", "123"]])], [1]),
    ],
)
def test_a_document_without_title_and_request_table_is_not_a_report(doc: ExtractedDocument) -> None:
    with pytest.raises(ReportFileError, match=r"^不是政府信息公开工作年度报告：") as caught:
        assemble(doc)
    assert "\n" not in str(caught.value)


def test_a_request_table_without_a_title_is_read_and_the_gaps_logged() -> None:
    original = _report()
    doc = doc_of(original)
    del doc.paragraphs[0]
    doc.positions = [p - 1 for p in doc.positions]
    result = doc.read()
    assert result.report.inputs == original.inputs
    assert result.report.agency == original.signature.organ
    assert "没有找到报告标题（“××××年政府信息公开工作年度报告”）" in result.log


# --- never a traceback ----------------------------------------------------------------------------

_WORDS = [
    "某某区人民政府2024年政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项", "2025年1月20日", "二〇二五年十三月四十日", "（三）不予公开", "1.属于国家秘密",
    "（六）其他处理", "3.其他", "（七）总计", "三、本年度办理结果", "第二十条第（一）项", "信息内容", "本年制发件数",
    "本年新制作数量", "规章", "行政许可", "自然人", "总计", "结果维持", "行政复议", "复议后起诉", "勾稽", "",
    " ", "0", "１２", "-3", "1,2,3", "12.5万元", "见附件", "1\n2", "（", "1.", "一、", "地址：", "电话：",
]


@st.composite
def _documents(draw: st.DrawFn) -> ExtractedDocument:
    text = st.one_of(st.sampled_from(_WORDS), st.text(max_size=12))
    paragraphs = draw(st.lists(text, max_size=12))
    tables = []
    for _ in range(draw(st.integers(0, 4))):
        rows = draw(st.lists(st.lists(text, max_size=12), max_size=12))
        if draw(st.booleans()):
            span = st.tuples(st.integers(-1, 30), st.integers(-1, 30))
            spans = [[draw(span) for _ in row] for row in rows]
        else:
            spans = []
        tables.append(ExtractedTable(rows, spans))
    positions = draw(st.lists(st.integers(-2, 20), min_size=len(tables), max_size=len(tables)))
    return ExtractedDocument(paragraphs, tables, positions, "fuzz")


@settings(max_examples=120, deadline=None)
@given(_documents())
def test_assemble_never_fails_but_with_a_one_line_reason(doc: ExtractedDocument) -> None:
    result: ImportResult | str
    try:
        result = assemble(doc)
    except ReportFileError as exc:
        result = str(exc)
    if isinstance(result, str):
        assert result.startswith("不是政府信息公开工作年度报告") and "\n" not in result
    else:
        assert all("\n" not in line for line in result.log)
        validate(result.report)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_assemble_survives_a_real_report_with_cells_retyped_at_random(data: st.DataObject) -> None:
    doc = doc_of(_report(data.draw(st.sampled_from(["2021", "2019"]))))
    for t, r, i, _ in data.draw(st.lists(st.sampled_from(list(doc.cells())), max_size=15)):
        doc.tables[t].rows[r][i] = data.draw(st.one_of(st.sampled_from(_WORDS), st.text(max_size=8)))
    result = doc.read()
    assert all("\n" not in line for line in result.log)
    validate(result.report)
