"""Pure helpers of the app: spreadsheet clipboard text, paste planning, the summary sentence of 一."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.checks import validate
from core.clipboard import (
    TOTALS_MISMATCH,
    clipboard_block,
    normalise_label,
    parse_html_table,
    parse_tsv,
    plan_paste,
    to_tsv,
    total_mismatches,
)
from core.nextyear import new_report
from core.report import Report
from core.reportfile import read_report_file
from core.summary import summary_sentence
from core.template import CellDef, load_template
from exports.layout import build_layout
from tests.conftest import SAMPLES_DIR

SAMPLES = SAMPLES_DIR


def test_parse_excel_clipboard() -> None:
    corner = '"（本列数据的勾稽关系为：\n第一项加第二项之和，等于第三项加第四项之和）"'
    assert EXCEL_S3.startswith(corner + "\t\t\t申请人情况\t") and EXCEL_S3.endswith("\t9\r\n")
    assert parse_tsv(EXCEL_S3) == parse_tsv(WPS_S3) == EXCEL_S3_ROWS
    assert parse_tsv("1\t2\r\n3\t4\r\n") == [["1", "2"], ["3", "4"]]
    assert parse_tsv("１２\t\t３\n") == [["１２", "", "３"]]
    assert parse_tsv('"a\tb"\t"say ""hi"""\n') == [["a\tb", 'say "hi"']]
    assert parse_tsv("5") == [["5"]]
    assert parse_tsv("") == []


@given(st.lists(st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"])), min_size=1, max_size=4),
                min_size=1, max_size=4))
def test_tsv_round_trip(rows: list[list[str]]) -> None:
    text = to_tsv(rows)
    normalised = [[c.replace("\r\n", "\n").replace("\r", "\n") for c in r] for r in rows]
    assert parse_tsv(text) == normalised


def _s3_grid() -> list[list[object]]:
    template = load_template("2021")
    return [[template.cell(f"s3.{r.id}.{c.id}") for c in template.s3.columns] for r in template.s3.rows]


def test_paste_block_sets_cells_in_order() -> None:
    plan = plan_paste(_s3_grid(), 0, 0, [["1", "２"], ["1,000", ""]])  # type: ignore[arg-type]
    assert plan.refusal == ""
    assert plan.changes == (
        ("s3.new.natural", "1"), ("s3.new.commercial", "2"),
        ("s3.carried_over.natural", "1000"), ("s3.carried_over.commercial", None),
    )


@pytest.mark.parametrize(
    ("top", "left", "block", "reason"),
    [
        (0, 0, [["1", "x"]], "不是数字"),
        (0, 0, [["-1"]], "负数"),
        (0, 5, [["1", "x"]], "不是数字"),  # a total that is not a number: out of line, not a total
        (24, 0, [["1"], ["2"]], "超出"),
        (0, 0, [], "没有"),
    ],
)
def test_paste_refused_whole(top: int, left: int, block: list[list[str]], reason: str) -> None:
    plan = plan_paste(_s3_grid(), top, left, block)  # type: ignore[arg-type]
    assert plan.changes == ()
    assert reason in plan.refusal


def test_paste_onto_a_label_is_refused() -> None:
    grid = [[None, *row] for row in _s3_grid()]
    assert "行名称" in plan_paste(grid, 0, 0, [["1", "2"]]).refusal  # type: ignore[arg-type]


def test_summary_sentence_states_the_tables_and_passes_the_text_check() -> None:
    report = read_report_file(SAMPLES / "real" / "2022_pingtan.json")
    sentence = summary_sentence(report)
    assert "本年新收政府信息公开申请74件" in sentence
    assert "上年结转1件" in sentence and "办结75件" in sentence
    assert "予以公开21件" in sentence and "其他处理4件" in sentence
    assert "行政复议2件" in sentence and "行政诉讼1件" in sentence
    report.texts["s1"] = sentence
    assert not [f for f in validate(report) if f.rule == "TEXT-TABLE"]
    report.set_cell("s3.new.natural", 70)  # the text now contradicts the table
    assert [f for f in validate(report) if f.rule == "TEXT-TABLE"]


def test_summary_sentence_of_a_2019_report_counts_other_as_one_row() -> None:
    report = new_report("某区", 2020)
    report.set_cell("s3.other.natural", 3)
    assert "其他处理3件" in summary_sentence(report)


# --- the official shape as Excel and WPS copy it (issue 12, item 4) ---------------------------------

# 三 of a 2021 report as a clerk copies it from last year's spreadsheet, labels and headers included.
# Excel: merged cells come as the text at their top-left and empty cells after it, a cell with a line
# break (Alt+Enter) in double quotes, CRLF after every line; the figures as formatted in the sheet
# (1,234 with a separator, a full-width ３ typed with a Chinese input method, empty cells).
EXCEL_S3_ROWS = [
    ["（本列数据的勾稽关系为：\n第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况", *[""] * 6],
    ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
    ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ["一、本年新收政府信息公开申请数量", "", "", "1,234", "３", "", "", "", "", "1,237"],
    ["二、上年结转政府信息公开申请数量", "", "", "5", "0", "0", "0", "0", "0", "5"],
    ["三、本年度办理结果", "（一）予以公开", "", "1,000", "2", "0", "0", "0", "0", "1,002"],
    ["", "（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）", "", "100", "1", "0", "0", "0", "0", "101"],
    ["", "（三）不予公开", "1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "2.其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "3.危及“三安全一稳定”", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "4.保护第三方合法权益", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "5.属于三类内部事务信息", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "6.属于四类过程性信息", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "7.属于行政执法案卷", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "8.属于行政查询事项", "0", "0", "0", "0", "0", "0", "0"],
    ["", "（四）无法提供", "1.本机关不掌握相关政府信息", "120", "0", "0", "0", "0", "0", "120"],
    ["", "", "2.没有现成信息需要另行制作", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "3.补正后申请内容仍不明确", "0", "0", "0", "0", "0", "0", "0"],
    ["", "（五）不予处理", "1.信访举报投诉类申请", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "2.重复申请", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "3.要求提供公开出版物", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "4.无正当理由大量反复申请", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "5.要求行政机关确认或重新出具已获取信息", "0", "0", "0", "0", "0", "0", "0"],
    ["", "（六）其他处理",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
     "0", "0", "0", "0", "0", "0", "0"],
    ["", "", "3.其他", "10", "", "", "", "", "", "10"],
    ["", "（七）总计", "", "1,230", "3", "0", "0", "0", "0", "1,233"],
    ["四、结转下年度继续办理", "", "", "9", "0", "0", "0", "0", "0", "9"],
]


def excel_cell(text: str) -> str:
    """A cell as Excel writes it to the clipboard: in double quotes when it holds a line break."""
    return '"' + text.replace('"', '""') + '"' if "\n" in text else text


EXCEL_S3 = "".join("\t".join(excel_cell(c) for c in row) + "\r\n" for row in EXCEL_S3_ROWS)
# WPS 表格 on Linux: LF line ends and no line break after the last line.
WPS_S3 = "\n".join("\t".join(excel_cell(c) for c in row) for row in EXCEL_S3_ROWS)
EXPECTED_S3 = {
    "s3.new.natural": "1234", "s3.new.commercial": "3", "s3.new.research": None,
    "s3.carried_over.natural": "5", "s3.granted.natural": "1000", "s3.granted.commercial": "2",
    "s3.partially_granted.natural": "100", "s3.partially_granted.commercial": "1",
    "s3.unable_not_held.natural": "120", "s3.other_else.natural": "10", "s3.other_else.commercial": None,
    "s3.carried_forward.natural": "9", "s3.carried_forward.other_org": "0",
}


def official(report: Report, table_id: str) -> tuple[list[list[CellDef | None]], list[list[str]]]:
    """A table's grid as the app lays it out: the cell at each position, and the label or header there."""
    (table,) = [t for t in build_layout(report, blank_as_zero=False).tables if t.id == table_id]
    grid: list[list[CellDef | None]] = [[None] * table.columns for _ in range(table.rows)]
    labels = [[""] * table.columns for _ in range(table.rows)]
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                if cell.cell_id is None:
                    labels[r][c] = cell.text
                else:
                    grid[r][c] = report.template.cell(cell.cell_id)
    return grid, labels


def computed_after(report: Report, changes: tuple[tuple[str, str | None], ...]) -> dict[str, object]:
    for cell_id, text in changes:
        report.set_cell(cell_id, text)
    return dict(report.totals())


@pytest.mark.parametrize("clipboard", [EXCEL_S3, WPS_S3], ids=["excel", "wps"])
@pytest.mark.parametrize("at", [(0, 0), (3, 3), (9, 5)], ids=["corner", "first-number", "elsewhere"])
def test_the_official_shape_with_labels_headers_and_totals_is_pasted(clipboard: str, at: tuple[int, int]) -> None:
    """Pasted on its corner, on the first number cell, or anywhere else: the labels say where it goes."""
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    plan = plan_paste(grid, *at, parse_tsv(clipboard), labels)
    assert plan.refusal == ""
    changes = dict(plan.changes)
    assert len(changes) == 24 * 6  # every input cell of the matrix, none of the 总计 column or （七） row
    assert {c: changes[c] for c in EXPECTED_S3} == EXPECTED_S3
    assert {cell.id for cell, _ in plan.totals} == {c.id for c in report.template.computed_cells if c.section == "s3"}
    assert plan.area == (0, 0, 27, 9)
    assert plan.recognised >= 30 and plan.skipped == plan.recognised  # every label and header is the table's
    assert total_mismatches(plan, computed_after(report, plan.changes)) == []  # type: ignore[arg-type]


def test_a_pasted_total_that_differs_is_reported_not_refused() -> None:
    rows = [list(r) for r in EXCEL_S3_ROWS]
    rows[26][3] = "1,231"  # （七）总计·自然人: one more than its column adds up to
    rows[5][9] = "１００３"  # （一）予以公开·总计
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    plan = plan_paste(grid, 0, 0, parse_tsv(to_tsv(rows)), labels)
    assert plan.refusal == "" and dict(plan.changes)["s3.granted.natural"] == "1000"
    assert total_mismatches(plan, computed_after(report, plan.changes)) == [  # type: ignore[arg-type]
        "（一）予以公开·总计 粘贴 1003，计算 1002",
        "（七）总计·自然人 粘贴 1231，计算 1230",
    ]
    assert TOTALS_MISMATCH == "粘贴的总计与计算不符："


def test_numbers_with_totals_but_no_labels_paste_at_the_current_cell() -> None:
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    block = [row[3:] for row in EXCEL_S3_ROWS[3:]]  # the numbers and totals only
    plan = plan_paste(grid, 3, 3, block, labels)
    assert plan.refusal == "" and plan.skipped == 0 and len(plan.totals) == 25 + 6
    assert dict(plan.changes)["s3.carried_forward.natural"] == "9"
    # Two rows from 予以公开 on, with the row total: the total compares with the whole row, pasted or not.
    report.set_cell("s3.granted.legal", 4)
    plan = plan_paste(grid, 5, 3, [["1", "2", "", "", "", "", "3"], ["0", "0", "0", "0", "0", "0", "0"]], labels)
    assert plan.refusal == "" and "s3.granted.legal" in dict(plan.changes)
    assert total_mismatches(plan, computed_after(report, plan.changes)) == []  # type: ignore[arg-type]


def test_rows_with_their_labels_go_where_the_first_number_is_put() -> None:
    """Part of the matrix with its label columns (the group label merged from above comes as empty),
    pasted on the first number cell it is meant for."""
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    block = parse_tsv(to_tsv([r[:10] for r in EXCEL_S3_ROWS[10:13]]))  # 4.保护第三方… to 6.属于四类过程性信息
    at = grid_position(grid, "s3.denied_third_party.natural")
    plan = plan_paste(grid, *at, block, labels)
    assert plan.refusal == "" and plan.recognised == 3
    assert [c for c, _ in plan.changes][:2] == ["s3.denied_third_party.natural", "s3.denied_third_party.commercial"]
    # Put one row too low, the labels no longer agree with the table: refused, nothing is pasted.
    plan = plan_paste(grid, at[0] + 1, at[1], block, labels)
    assert plan.changes == () and "没有对齐" in plan.refusal and "4.保护第三方合法权益" in plan.refusal


def grid_position(grid: list[list[CellDef | None]], cell_id: str) -> tuple[int, int]:
    return next((r, c) for r, row in enumerate(grid) for c, cell in enumerate(row) if cell and cell.id == cell_id)


def test_a_number_on_a_label_or_a_text_on_a_number_is_refused() -> None:
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    plan = plan_paste(grid, 5, 2, [["7", "1"]], labels)  # one column too far left
    assert plan.changes == () and "没有对齐" in plan.refusal
    plan = plan_paste(grid, 0, 0, [["1", "2"]], labels)
    assert plan.changes == () and "行名称" in plan.refusal
    plan = plan_paste(grid, 5, 3, [["1", "予以公开"]], labels)  # a label where a number goes
    assert plan.changes == () and "不是数字" in plan.refusal


def test_a_title_line_and_unit_above_the_table_are_left_out() -> None:
    """What a sheet often has above the table: its title and a unit. Texts the table does not have are
    skipped; they fall outside the grid when the block is put where its labels are."""
    rows = [["三、收到和处理政府信息公开申请情况", *[""] * 9], ["单位：件", *[""] * 9], *EXCEL_S3_ROWS]
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    plan = plan_paste(grid, 3, 3, parse_tsv(to_tsv(rows)), labels)
    assert plan.refusal == "" and dict(plan.changes)["s3.new.natural"] == "1234"


def test_merged_number_cells_of_two_take_one_value() -> None:
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s2")
    at = grid_position(grid, "s2.licensing.decisions")
    assert plan_paste(grid, *at, [["12", "", ""]], labels).changes == (("s2.licensing.decisions", "12"),)
    assert "合并单元格" in plan_paste(grid, *at, [["12", "13", ""]], labels).refusal
    # 二 as copied whole, captions and headers included, pasted on its first cell.
    lines = [
        ["第二十条第（一）项", "", "", ""], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "3"], ["行政规范性文件", "12", "1", "40"],
        ["第二十条第（五）项", "", "", ""], ["信息内容", "本年处理决定数量", "", ""], ["行政许可", "1,500", "", ""],
    ]
    plan = plan_paste(grid, 0, 0, lines, labels)
    assert plan.refusal == ""
    assert dict(plan.changes) == {
        "s2.regulations.issued": "0", "s2.regulations.repealed": "0", "s2.regulations.in_force": "3",
        "s2.normative_docs.issued": "12", "s2.normative_docs.repealed": "1", "s2.normative_docs.in_force": "40",
        "s2.licensing.decisions": "1500",
    }


def test_labels_compare_without_width_spaces_or_line_breaks() -> None:
    assert normalise_label(" (二)部分公开\n（区分处理的） ") == normalise_label("（二）部分公开（区分处理的）")
    assert normalise_label("1．属于　国家秘密") == normalise_label("1.属于国家秘密")


# The top of 三 on another office's web page, selected in Chrome and copied: the HTML keeps the merges
# (and the rowspan of the whole outcome group, though only two of its rows were selected); the text
# leaves every merged position out, so its rows are ragged and out of line.
CHROME_S3_HTML = (
    '<html><body>\r\n<!--StartFragment--><table border="1" cellspacing="0" style="border-collapse:collapse">'
    "<tbody>"
    '<tr><td rowspan="3" colspan="3" style="width:180pt"><p>（本列数据的勾稽关系为：第一项加第二项之和，</p>'
    '<p>等于第三项加第四项之和）</p></td><td colspan="7">申请人情况</td></tr>'
    '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
    "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"
    '<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>71</td><td>3</td><td>0</td><td>0</td><td>0</td>'
    "<td>0</td><td>74</td></tr>"
    '<tr><td colspan="3">二、上年结转政府信息公开申请数量</td><td>1</td><td>&nbsp;</td><td>0</td><td>0</td>'
    "<td>0</td><td>0</td><td>1</td></tr>"
    '<tr><td rowspan="23">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>2 1</td><td>0</td>'
    "<td>0</td><td>0</td><td>0</td><td>0</td><td>21</td></tr>"
    '<tr><td colspan="2">（二）部分公开<br>（区分处理的，只计这一情形，不计其他情形）</td><td>８</td><td>1</td>'
    "<td>0</td><td>0</td><td>0</td><td>0</td><td>9</td></tr>"
    "</tbody></table><!--EndFragment-->\r\n</body></html>"
)
CHROME_S3_TEXT = (
    "（本列数据的勾稽关系为：第一项加第二项之和，\n\n等于第三项加第四项之和）\t申请人情况\n"
    "自然人\t法人或其他组织\t总计\n"
    "商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\n"
    "一、本年新收政府信息公开申请数量\t71\t3\t0\t0\t0\t0\t74\n"
    "二、上年结转政府信息公开申请数量\t1\t \t0\t0\t0\t0\t1\n"
    "三、本年度办理结果\t（一）予以公开\t2 1\t0\t0\t0\t0\t0\t21\n"
    "（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）\t８\t1\t0\t0\t0\t0\t9"
)


def test_a_web_table_is_read_from_the_html_with_its_merges() -> None:
    table = parse_html_table(CHROME_S3_HTML)
    assert len(table) == 7 and all(len(row) == 10 for row in table)
    corner = "（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）"
    assert table[0][:4] == [corner, "", "", "申请人情况"]
    assert table[1] == ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert table[5][:4] == ["三、本年度办理结果", "（一）予以公开", "", "2 1"]
    assert table[6][:4] == ["", "（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）", "", "８"]
    assert clipboard_block(CHROME_S3_TEXT, CHROME_S3_HTML) == table  # the ragged text gives way
    assert clipboard_block(EXCEL_S3, "<table><tr><td>1</td></tr></table>") == EXCEL_S3_ROWS  # full rows win
    assert clipboard_block("1\t2\n", "<p>no table</p>") == [["1", "2"]]
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    plan = plan_paste(grid, 0, 0, table, labels)
    assert plan.refusal == ""
    changes = dict(plan.changes)
    assert changes["s3.new.natural"] == "71" and changes["s3.granted.natural"] == "21"
    assert changes["s3.partially_granted.natural"] == "8" and changes["s3.carried_over.commercial"] is None
    assert total_mismatches(plan, computed_after(report, plan.changes)) == []  # type: ignore[arg-type]
    # The ragged text alone is out of line with the table, and refused rather than pasted wrongly.
    assert plan_paste(grid, 0, 0, parse_tsv(CHROME_S3_TEXT), labels).refusal


def test_hostile_html_spans_stay_small() -> None:
    table = parse_html_table(
        '<table><tr><td rowspan="99999999" colspan="x">a</td><td colspan="500">b</td></tr></table>'
    )
    assert table == [["a", "b", *[""] * 99]]
    assert parse_html_table("<table><tr><td>1<table><tr><td>inner</td></tr></table></td><td>2</td></tr></table>") == [
        ["1", "2"]
    ]
    assert parse_html_table("<table></table>") == [] and parse_html_table("") == []


_PIECES = ["", "1", "１２", "1,234", "-1", "x", "总计", "自然人", "（七）总计", "一、本年新收政府信息公开申请数量", "/"]


@given(
    st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=11), min_size=1, max_size=30),
    st.integers(0, 27),
    st.integers(0, 9),
)
def test_any_block_is_placed_or_refused_never_half(block: list[list[str]], top: int, left: int) -> None:
    report = new_report("某区司法局", 2024)
    grid, labels = official(report, "s3")
    plan = plan_paste(grid, top, left, block, labels)
    assert bool(plan.refusal) != (plan.area is not None)
    if plan.refusal:
        assert plan.changes == () and plan.totals == ()
        return
    ids = [cell_id for cell_id, _ in plan.changes]
    assert len(ids) == len(set(ids))
    assert all(not report.template.cell(cell_id).computed for cell_id in ids)
    assert all(cell.computed for cell, _ in plan.totals)
    total_mismatches(plan, computed_after(report, plan.changes))  # type: ignore[arg-type]
