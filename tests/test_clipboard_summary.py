"""Pure helpers of the app: spreadsheet clipboard text, paste planning, the summary sentence of 一."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.checks import validate
from core.clipboard import parse_tsv, plan_paste, to_tsv
from core.nextyear import new_report
from core.reportfile import read_report_file
from core.summary import summary_sentence
from core.template import load_template
from tests.conftest import SAMPLES_DIR

SAMPLES = SAMPLES_DIR


def test_parse_excel_clipboard() -> None:
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
        (0, 5, [["1", "2"]], "自动计算"),
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
