"""The structure of a report's prose, as pure functions of its paragraphs and tables: headings in their
printed forms, the preamble, 一, 五 and 六 by where they stand, the contact the preamble prints."""

from __future__ import annotations

import pytest

from core.report import Contact
from core.template import default_template
from reading.document import ExtractedDocument, ExtractedTable
from reading.state import ReadState
from reading.structure import (
    Heading,
    Section,
    TablePlace,
    contact_of,
    find_headings,
    lay_out,
    read_contact,
    unglue_headings,
)

SECTIONS = [Section(s.id, s.heading, s.short) for s in default_template().sections]
PREAMBLE = (
    "本报告根据《中华人民共和国政府信息公开条例》编制。如对本报告有疑问，请与区政府办公室联系（电话：0591-1234567）。"
)
ONE = ["（一）主动公开。全年主动公开政府信息120条。", "（二）依申请公开。收到申请5件。"]
FIVE = ["存在的主要问题是公开内容不够具体。", "下一步将加强培训。"]
SIX = ["本年度未收取信息处理费。"]


def document(headings: dict[str, list[str]]) -> tuple[list[str], list[TablePlace]]:
    """Title, preamble, the six sections (tables for 二, 三, 四) and a signature; headings[sid] are the
    heading's lines as printed ([] for none)."""
    paragraphs = ["某某区人民政府2024年政府信息公开工作年度报告", PREAMBLE]
    tables: list[TablePlace] = []
    for s in SECTIONS:
        paragraphs.extend(headings.get(s.id, [s.heading]))
        if s.id in ("s2", "s3", "s4"):
            tables.append(TablePlace(len(paragraphs), s.id))
        else:
            paragraphs.extend({"s1": ONE, "s5": FIVE, "s6": SIX}[s.id])
    paragraphs += ["某某区人民政府办公室", "2025年1月20日"]
    return paragraphs, tables


def read(headings: dict[str, list[str]]) -> tuple[dict[str, Heading], list[str], dict[str, list[str]], list[str]]:
    paragraphs, tables = document(headings)
    found = find_headings(paragraphs, SECTIONS, tables, start=1)
    prose = lay_out(paragraphs, tables, SECTIONS, found, 1, len(paragraphs) - 2, lambda i: f"第 {i + 1} 段")
    return found, prose.preamble, prose.texts, prose.notes


@pytest.mark.parametrize(
    "form",
    [
        {},
        {s.id: [s.heading.replace("、", "．", 1)] for s in SECTIONS},
        {s.id: [f"第{s.heading[0]}部分  {s.heading[2:]}"] for s in SECTIONS},
        {s.id: [f"{s.heading[0]} 、{s.heading[2:]}"] for s in SECTIONS},
        {"s1": ["一、", "总体情况"], "s6": ["六、", "其他需要报告的事项"]},
        {"s1": ["总体情况"], "s5": ["存在的主要问题及改进情况"], "s6": ["其他需要报告的事项"]},
        {"s6": ["、", "其他需要报告的事项"]},
        {"s5": ["五、政府信息公开工作存在的主要问题及改进情况"]},
    ],
    ids=[
        "official",
        "full-width stop",
        "parts",
        "space before the mark",
        "number apart",
        "no numbers",
        "mark left",
        "longer",
    ],
)
def test_every_printed_form_of_the_headings_anchors_its_section(form: dict[str, list[str]]) -> None:
    found, preamble, texts, notes = read(form)
    assert set(found) == {s.id for s in SECTIONS}
    assert not any(h.doubtful for h in found.values())
    assert (preamble, texts["s1"], texts["s5"], texts["s6"]) == ([PREAMBLE], ONE, FIVE, SIX)
    assert notes == []


def test_a_run_in_heading_keeps_its_sentence() -> None:
    found, _, texts, _ = read({"s1": ["一、总体情况。" + ONE[0]], "s6": ["六、其他需要报告的事项：" + SIX[0]]})
    assert found["s1"].remainder == ONE[0]
    assert texts["s1"] == [ONE[0], *ONE] and texts["s6"] == SIX * 2


def test_sub_headings_and_numbered_items_inside_a_section_are_no_headings() -> None:
    paragraphs, tables = document({})
    i = paragraphs.index(ONE[0])
    paragraphs[i + 1 : i + 1] = ["（二）二、依申请公开情况。依法办理申请。", "二、依申请公开情况。依法办理。"]
    found = find_headings(paragraphs, SECTIONS, [TablePlace(t.position + 2, t.kind) for t in tables], start=1)
    assert found["s2"].printed == "二、主动公开政府信息情况"


def test_a_sub_topic_without_its_number_is_no_heading_of_two() -> None:
    paragraphs, tables = document({"s2": []})
    i = paragraphs.index(ONE[0])
    paragraphs[i:i] = ["主动公开"]  # （一） kept apart by Word's numbering
    tables = [TablePlace(t.position + 1, t.kind) for t in tables]
    found = find_headings(paragraphs, SECTIONS, tables, start=1)
    assert "s2" not in found
    prose = lay_out(paragraphs, tables, SECTIONS, found, 1, len(paragraphs) - 2)
    assert prose.texts["s1"] == ["主动公开", *ONE]


def test_a_numbered_heading_in_other_words_is_taken_where_it_belongs_and_logged() -> None:
    found, preamble, texts, notes = read({"s1": ["一、2024年度政务公开工作概述"]})
    assert found["s1"].doubtful and texts["s1"] == ONE and preamble == [PREAMBLE]
    assert notes == ["「一、总体情况」的标题按「一、2024年度政务公开工作概述」读入（第 3 段）"]


def test_a_numbered_heading_in_other_words_before_a_table_is_its_section_only_there() -> None:
    found, _, _, notes = read({"s3": ["三、依申请公开情况"]})
    assert found["s3"].doubtful and notes == [
        "「三、收到和处理政府信息公开申请情况」的标题按「三、依申请公开情况」读入（第 7 段）"
    ]
    # The same words as a numbered point inside 一, far from 三's table, are no heading.
    paragraphs, tables = document({"s3": []})
    i = paragraphs.index(ONE[1])
    paragraphs.insert(i, "三、依申请公开情况")
    tables = [TablePlace(t.position + 1, t.kind) for t in tables]
    assert "s3" not in find_headings(paragraphs, SECTIONS, tables, start=1)


def test_without_the_heading_of_one_the_preamble_is_what_reads_as_a_preamble() -> None:
    found, preamble, texts, notes = read({"s1": []})
    assert "s1" not in found and preamble == [PREAMBLE] and texts["s1"] == ONE
    assert notes == ["没有找到「一、总体情况」的标题", "前言后的文字作为一读入（第 3 段起）"]


def test_without_the_heading_of_five_text_after_the_last_table_is_five() -> None:
    _, _, texts, notes = read({"s5": []})
    assert texts["s5"] == FIVE and texts["s6"] == SIX
    assert "四的表格后的文字作为五读入（第 9 段起）" in notes


def test_without_the_heading_of_six_its_fee_sentence_leaves_five() -> None:
    _, _, texts, notes = read({"s6": []})
    assert texts["s5"] == FIVE and texts["s6"] == SIX
    assert notes == [
        "没有找到「六、其他需要报告的事项」的标题",
        "五末尾说明信息处理费或其他事项的文字作为六读入（第 12 段）",
    ]


def test_without_five_and_six_headings_both_are_still_told_apart() -> None:
    _, _, texts, _ = read({"s5": [], "s6": []})
    assert texts["s5"] == FIVE and texts["s6"] == SIX


def test_a_five_that_speaks_of_nothing_for_six_keeps_its_text() -> None:
    paragraphs, tables = document({"s6": []})
    paragraphs.remove(SIX[0])
    found = find_headings(paragraphs, SECTIONS, tables, start=1)
    prose = lay_out(paragraphs, tables, SECTIONS, found, 1, len(paragraphs) - 2)
    assert prose.texts["s5"] == FIVE and prose.texts["s6"] == []


def test_the_note_under_two_and_text_around_the_other_tables() -> None:
    paragraphs, tables = document({})
    two = next(t.position for t in tables if t.kind == "s2")
    paragraphs[two:two] = ["单位：件"]
    paragraphs.insert(two + 1, "2024年本部门政府信息公开发布总数量：65条")
    tables = [TablePlace(t.position + (1 if t.kind == "s2" else 2), t.kind) for t in tables]
    found = find_headings(paragraphs, SECTIONS, tables, start=1)
    prose = lay_out(paragraphs, tables, SECTIONS, found, 1, len(paragraphs) - 2)
    assert prose.texts["s2_note"] == ["2024年本部门政府信息公开发布总数量：65条"] and prose.notes == []


def test_text_before_a_table_that_is_no_caption_is_logged_with_its_place() -> None:
    paragraphs, tables = document({})
    three = next(t.position for t in tables if t.kind == "s3")
    paragraphs.insert(three, "本年度依申请公开情况如下表：")
    tables = [TablePlace(t.position + (1 if t.kind != "s2" else 0), t.kind) for t in tables]
    found = find_headings(paragraphs, SECTIONS, tables, start=1)
    prose = lay_out(paragraphs, tables, SECTIONS, found, 1, len(paragraphs) - 2, lambda i: f"第 {i + 1} 段")
    assert prose.notes == ["三、收到和处理申请：表格前的文字「本年度依申请公开情况如下表：」未读入（第 8 段）"]


def test_a_portal_article_information_line_is_no_preamble() -> None:
    paragraphs, tables = document({})
    paragraphs.insert(1, "发布时间：2025-01-20 浏览次数：123 字号：大 中 小")
    tables = [TablePlace(t.position + 1, t.kind) for t in tables]
    found = find_headings(paragraphs, SECTIONS, tables, start=1)
    assert lay_out(paragraphs, tables, SECTIONS, found, 1, len(paragraphs) - 2).preamble == [PREAMBLE]


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        (
            "（地址：福建省平潭综合实验区金井湾商务营运中心7号楼；邮编：350400；电话：0591-23165385）",
            Contact("福建省平潭综合实验区金井湾商务营运中心7号楼", "350400", "0591-23165385", ""),
        ),
        (
            "联系地址：平潭综合实验区北厝金井湾片区管委会大楼主楼14层；邮编：350400；电话：0591-23165250；电子邮箱：pzxxgkb@163.com。",
            Contact("平潭综合实验区北厝金井湾片区管委会大楼主楼14层", "350400", "0591-23165250", "pzxxgkb@163.com"),
        ),
        (
            "地址为某某市人民路１号（市民中心3楼）邮政编码１０００００，联系电话（010）12345678、12345679，传真：010-1，Email:a.b@c.cn",
            Contact("某某市人民路１号（市民中心3楼）", "100000", "（010）12345678、12345679", "a.b@c.cn"),
        ),
    ],
)
def test_the_contact_is_read_wherever_the_text_prints_it(text: str, contact: Contact) -> None:
    assert read_contact("本报告根据《条例》编制。如有疑问请联系" + text)[0] == contact


def test_a_contact_detail_named_but_not_read_is_logged_and_one_not_named_is_not() -> None:
    contact, notes = contact_of(["请联系（电话：0591-1234567，邮箱：gk（at）example.cn）。"], "第 2 段")
    assert contact == Contact("", "", "0591-1234567", "")
    assert notes == ["前言写有电子邮箱，但没有读出（第 2 段），请在联系方式中填写"]


HEADINGS = [s.heading for s in SECTIONS]


def test_a_heading_glued_to_the_paragraph_before_stands_apart_again() -> None:
    glued = [
        "下一步将加强培训，提高解读效果。第六部分其他需要报告的事项",
        "存在的问题。五、存在的主要问题及改进情况：一是培训不足。",
        "主要做法：一是加强培训。二、是完善制度。",  # a numbered point inside the text stays
        "提高解读效果。、",  # the mark of a lost number, the heading's words on the next line
        "其他需要报告的事项",
        "加强培训。六、",
        "其他需要报告的事项",
        "加强培训。、",  # a mark before a line that is no heading stays
        "本年度未收取信息处理费。",
    ]
    paragraphs, origin = unglue_headings(glued, HEADINGS)
    assert paragraphs == [
        "下一步将加强培训，提高解读效果。",
        "第六部分其他需要报告的事项",
        "存在的问题。",
        "五、存在的主要问题及改进情况：一是培训不足。",
        "主要做法：一是加强培训。二、是完善制度。",
        "提高解读效果。",
        "、",
        "其他需要报告的事项",
        "加强培训。",
        "六、",
        "其他需要报告的事项",
        "加强培训。、",
        "本年度未收取信息处理费。",
    ]
    assert origin == [0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 8]


def test_reading_splits_a_glued_heading_and_keeps_tables_and_places_in_step() -> None:
    doc = ExtractedDocument(
        paragraphs=["标题", "下一步将加强培训。六、其他需要报告的事项", "本年度未收取信息处理费。", "附表"],
        tables=[ExtractedTable([["a", "1"]])],
        table_positions=[3],
        source="pdf",
        places=["第 1 页第 1 行", "第 1 页第 2 行", "第 1 页第 4 行", "第 1 页第 5 行"],
    )
    state = ReadState(doc)
    assert state.paragraphs == [
        "标题",
        "下一步将加强培训。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
        "附表",
    ]
    assert state.positions == [4]  # the table still follows 本年度未收取信息处理费。
    assert [state.place(i) for i in range(5)] == [
        "第 1 页第 1 行",
        "第 1 页第 2 行",
        "第 1 页第 2 行",
        "第 1 页第 4 行",
        "第 1 页第 5 行",
    ]
    assert state.place(5) == "" and state.place(-1) == ""
