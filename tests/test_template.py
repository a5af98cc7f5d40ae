"""The template data (resources/templates/*.json) checked against report-format.md and itself."""

from __future__ import annotations

from collections import Counter

import pytest

from core.template import (
    CellKind,
    Template,
    all_cell_ids,
    default_template,
    load_template,
    template_for_year,
    template_ids,
)
from tests.conftest import APPLICANT_COLUMNS, S3_COLUMNS

BOTH = pytest.mark.parametrize("template_id", ["2021", "2019"])

# ---- the spec, spelled out (report-format.md) -------------------------------------------

SECTION_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
S1_SUBHEADINGS = (
    "（一）主动公开",
    "（二）依申请公开",
    "（三）政府信息管理",
    "（四）政府信息公开平台建设",
    "（五）监督保障",
)

# (caption, header [(label, span)], rows [(row label, [cell id, ...])])
S2_SPEC = {
    "2021": [
        (
            "第二十条第（一）项",
            [("信息内容", 1), ("本年制发件数", 1), ("本年废止件数", 1), ("现行有效件数", 1)],
            [
                ("规章", ["s2.regulations.issued", "s2.regulations.repealed", "s2.regulations.in_force"]),
                (
                    "行政规范性文件",
                    [
                        "s2.normative_docs.issued",
                        "s2.normative_docs.repealed",
                        "s2.normative_docs.in_force",
                    ],
                ),
            ],
        ),
        (
            "第二十条第（五）项",
            [("信息内容", 1), ("本年处理决定数量", 3)],
            [("行政许可", ["s2.licensing.decisions"])],
        ),
        (
            "第二十条第（六）项",
            [("信息内容", 1), ("本年处理决定数量", 3)],
            [("行政处罚", ["s2.penalty.decisions"]), ("行政强制", ["s2.coercion.decisions"])],
        ),
        (
            "第二十条第（八）项",
            [("信息内容", 1), ("本年收费金额（单位：万元）", 3)],
            [("行政事业性收费", ["s2.fees.amount"])],
        ),
    ],
    "2019": [
        (
            "第二十条第（一）项",
            [("信息内容", 1), ("本年新制作数量", 1), ("本年新公开数量", 1), ("对外公开总数量", 1)],
            [
                (
                    "规章",
                    [
                        "s2.regulations.new_made",
                        "s2.regulations.new_published",
                        "s2.regulations.total_published",
                    ],
                ),
                (
                    "规范性文件",
                    [
                        "s2.normative_docs.new_made",
                        "s2.normative_docs.new_published",
                        "s2.normative_docs.total_published",
                    ],
                ),
            ],
        ),
        (
            "第二十条第（五）项",
            [("信息内容", 1), ("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)],
            [
                ("行政许可", ["s2.licensing.prev_items", "s2.licensing.change", "s2.licensing.decisions"]),
                (
                    "其他对外管理服务事项",
                    [
                        "s2.other_services.prev_items",
                        "s2.other_services.change",
                        "s2.other_services.decisions",
                    ],
                ),
            ],
        ),
        (
            "第二十条第（六）项",
            [("信息内容", 1), ("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)],
            [
                ("行政处罚", ["s2.penalty.prev_items", "s2.penalty.change", "s2.penalty.decisions"]),
                ("行政强制", ["s2.coercion.prev_items", "s2.coercion.change", "s2.coercion.decisions"]),
            ],
        ),
        (
            "第二十条第（八）项",
            [("信息内容", 1), ("上一年项目数量", 1), ("本年增/减", 2)],
            [("行政事业性收费", ["s2.fees.prev_items", "s2.fees.change"])],
        ),
        (
            "第二十条第（九）项",
            [("信息内容", 1), ("采购项目数量", 1), ("采购总金额", 2)],
            [("政府集中采购", ["s2.procurement.items", "s2.procurement.amount"])],
        ),
    ],
}

S3_TOP_LEFT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
S3_COLUMN_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

_R3 = "三、本年度办理结果"
_DENY = "（三）不予公开"
_UNABLE = "（四）无法提供"
_REJECT = "（五）不予处理"
_OTHER = "（六）其他处理"
_S3_HEAD_ROWS = [
    ("new", ("一、本年新收政府信息公开申请数量",)),
    ("carried_over", ("二、上年结转政府信息公开申请数量",)),
    ("granted", (_R3, "（一）予以公开")),
    ("partially_granted", (_R3, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")),
    ("denied_state_secret", (_R3, _DENY, "1.属于国家秘密")),
    ("denied_prohibited_by_law", (_R3, _DENY, "2.其他法律行政法规禁止公开")),
    ("denied_three_safeties", (_R3, _DENY, "3.危及“三安全一稳定”")),
    ("denied_third_party", (_R3, _DENY, "4.保护第三方合法权益")),
    ("denied_internal_affairs", (_R3, _DENY, "5.属于三类内部事务信息")),
    ("denied_process_info", (_R3, _DENY, "6.属于四类过程性信息")),
    ("denied_enforcement_file", (_R3, _DENY, "7.属于行政执法案卷")),
    ("denied_inquiry", (_R3, _DENY, "8.属于行政查询事项")),
    ("unable_not_held", (_R3, _UNABLE, "1.本机关不掌握相关政府信息")),
    ("unable_needs_creation", (_R3, _UNABLE, "2.没有现成信息需要另行制作")),
    ("unable_unclear", (_R3, _UNABLE, "3.补正后申请内容仍不明确")),
    ("rejected_complaint", (_R3, _REJECT, "1.信访举报投诉类申请")),
    ("rejected_repeat", (_R3, _REJECT, "2.重复申请")),
    ("rejected_publication", (_R3, _REJECT, "3.要求提供公开出版物")),
    ("rejected_excessive", (_R3, _REJECT, "4.无正当理由大量反复申请")),
    ("rejected_confirmation", (_R3, _REJECT, "5.要求行政机关确认或重新出具已获取信息")),
]
_S3_TAIL_ROWS = [
    ("total_processed", (_R3, "（七）总计")),
    ("carried_forward", ("四、结转下年度继续办理",)),
]
S3_ROWS = {
    "2021": [
        *_S3_HEAD_ROWS,
        (
            "other_no_correction",
            (_R3, _OTHER, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ),
        (
            "other_unpaid_fee",
            (_R3, _OTHER, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ),
        ("other_else", (_R3, _OTHER, "3.其他")),
        *_S3_TAIL_ROWS,
    ],
    "2019": [*_S3_HEAD_ROWS, ("other", (_R3, _OTHER)), *_S3_TAIL_ROWS],
}
S4_GROUPS = ("review", "suit_direct", "suit_after_review")
S4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
S4_COLUMN_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def _grid_cover(cells, rows: int, cols: int) -> Counter[tuple[int, int]]:
    """How often each grid position is covered by the (row, col, rowspan, colspan) cells."""
    cover: Counter[tuple[int, int]] = Counter()
    for c in cells:
        assert c.rowspan >= 1
        assert c.colspan >= 1
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                assert 0 <= r < rows, f"{c} leaves the grid"
                assert 0 <= k < cols, f"{c} leaves the grid"
                cover[(r, k)] += 1
    return cover


def _assert_tiles(cells, rows: int, cols: int) -> None:
    cover = _grid_cover(cells, rows, cols)
    missing = [(r, k) for r in range(rows) for k in range(cols) if cover[(r, k)] == 0]
    twice = [pos for pos, n in cover.items() if n > 1]
    assert not missing, f"positions not covered: {missing}"
    assert not twice, f"positions covered more than once: {twice}"


# ---- loading -----------------------------------------------------------------------------


def test_template_ids_and_default() -> None:
    assert template_ids() == ("2021", "2019")  # newest format first
    assert default_template().id == "2021"


@BOTH
def test_template_loads(template_id: str) -> None:
    t = load_template(template_id)
    assert isinstance(t, Template)
    assert t.id == template_id
    assert load_template(template_id) is t  # cached: one definition shared by everyone


def test_template_documents_and_years() -> None:
    t21, t19 = load_template("2021"), load_template("2019")
    assert t21.document == "国办公开办函〔2021〕30号"
    assert t19.document == "国办公开办函〔2019〕60号"
    assert (t21.year_from, t21.year_to) == (2021, None)
    assert (t19.year_from, t19.year_to) == (2019, 2020)


@pytest.mark.parametrize("bad", ["2020", "", "2021 ", "2019.json", "../2021"])
def test_unknown_template_id_is_key_error(bad: str) -> None:
    with pytest.raises(KeyError):
        load_template(bad)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2019, "2019"), (2020, "2019"), (2021, "2021"), (2022, "2021"), (2030, "2021")],
)
def test_template_for_year(year: int, expected: str) -> None:
    assert template_for_year(year).id == expected
    assert template_for_year(year).suits_year(year)


@pytest.mark.parametrize(("year", "expected"), [(2010, "2019"), (2018, "2019")])
def test_years_before_every_format_take_the_oldest(year: int, expected: str) -> None:
    assert template_for_year(year).id == expected


@pytest.mark.parametrize(
    ("template_id", "year", "suits"),
    [
        ("2021", 2020, False),
        ("2021", 2021, True),
        ("2021", 2100, True),
        ("2019", 2018, False),
        ("2019", 2019, True),
        ("2019", 2020, True),
        ("2019", 2021, False),
    ],
)
def test_suits_year(template_id: str, year: int, suits: bool) -> None:
    assert load_template(template_id).suits_year(year) is suits


@BOTH
def test_title_pattern(template_id: str) -> None:
    t = load_template(template_id)
    assert t.title_for("某某区人民政府", 2025) == "某某区人民政府2025年政府信息公开工作年度报告"


# ---- sections ----------------------------------------------------------------------------


@BOTH
def test_section_headings(template_id: str) -> None:
    t = load_template(template_id)
    assert [s.id for s in t.sections] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert tuple(s.heading for s in t.sections) == SECTION_HEADINGS
    kinds = {s.id: s.kind for s in t.sections}
    assert kinds == {"s1": "text", "s2": "table", "s3": "table", "s4": "table", "s5": "text", "s6": "text"}
    assert t.section("s1").subheadings == S1_SUBHEADINGS
    assert t.section("s2").note_key == "s2_note"
    for s in t.sections:
        assert s.short, f"{s.id} has no short form for messages"
    with pytest.raises(KeyError):
        t.section("s7")


# ---- cells as a whole --------------------------------------------------------------------


@BOTH
def test_cell_ids_unique(template_id: str) -> None:
    t = load_template(template_id)
    ids = [c.id for c in t.cells]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes
    for c in t.cells:
        assert c.id == f"{c.section}.{c.row_id}.{c.col_id}"
        assert t.cell(c.id) is c
        assert t.has_cell(c.id)
    assert not t.has_cell("s3.nope.natural")
    with pytest.raises(KeyError):
        t.cell("s3.nope.natural")


@BOTH
def test_cells_in_reading_order(template_id: str) -> None:
    t = load_template(template_id)
    sections = [c.section for c in t.cells]
    assert sections == sorted(sections), "cells should run 二 → 三 → 四"
    assert [c.id for c in t.cells if c.section == "s2"] == [
        cid for _, _, rows in S2_SPEC[template_id] for _, ids in rows for cid in ids
    ]


@pytest.mark.parametrize(("template_id", "rows", "cells"), [("2021", 25, 175), ("2019", 23, 161)])
def test_s3_matrix_size(template_id: str, rows: int, cells: int) -> None:
    t = load_template(template_id)
    assert len(t.s3.rows) == rows
    assert len(t.s3.columns) == 7
    s3_cells = [c for c in t.cells if c.section == "s3"]
    assert len(s3_cells) == cells
    assert {c.id for c in s3_cells} == {
        f"s3.{row}.{col}" for row, _ in S3_ROWS[template_id] for col in S3_COLUMNS
    }


@BOTH
def test_s4_cells(template_id: str) -> None:
    t = load_template(template_id)
    assert [c.id for c in t.cells if c.section == "s4"] == [
        f"s4.{g}.{col}" for g in S4_GROUPS for col in S4_COLUMNS
    ]


@BOTH
def test_computed_cells_exactly(template_id: str) -> None:
    t = load_template(template_id)
    expected = (
        {f"s3.{row}.total" for row, _ in S3_ROWS[template_id]}
        | {f"s3.total_processed.{col}" for col in S3_COLUMNS}
        | {f"s4.{g}.total" for g in S4_GROUPS}
    )
    assert {c.id for c in t.computed_cells} == expected
    assert {c.id for c in t.cells if c.computed} == expected
    assert set(t.input_cells).isdisjoint(t.computed_cells)
    assert len(t.input_cells) + len(t.computed_cells) == len(t.cells)
    assert all(c.section != "s2" for c in t.computed_cells)


def test_cell_kinds_2021() -> None:
    t = load_template("2021")
    fees = t.cell("s2.fees.amount")
    assert fees.kind is CellKind.MONEY
    assert fees.unit == "万元"
    others = [c for c in t.cells if c.id != "s2.fees.amount"]
    assert {c.kind for c in others} == {CellKind.COUNT}
    assert all(c.unit is None for c in others)


def test_cell_kinds_2019() -> None:
    t = load_template("2019")
    procurement = t.cell("s2.procurement.amount")
    assert procurement.kind is CellKind.MONEY
    assert procurement.unit is None  # no unit in the header: the cell carries the user's unit
    signed = {c.id for c in t.cells if c.kind is CellKind.SIGNED}
    assert signed == {
        f"s2.{row}.change"
        for row in ("licensing", "other_services", "penalty", "coercion", "fees")
    }
    counts = {c.id for c in t.cells if c.kind is CellKind.COUNT}
    assert counts == {c.id for c in t.cells} - signed - {"s2.procurement.amount"}


def test_all_cell_ids() -> None:
    ids = all_cell_ids()
    assert set(ids) == {"2021", "2019"}
    for tid, cell_ids in ids.items():
        assert cell_ids == tuple(c.id for c in load_template(tid).cells)
    only_2021 = set(ids["2021"]) - set(ids["2019"])
    only_2019 = set(ids["2019"]) - set(ids["2021"])
    assert "s2.regulations.issued" in only_2021
    assert "s3.other_else.natural" in only_2021
    assert "s2.regulations.new_made" in only_2019
    assert "s3.other.total" in only_2019
    assert "s3.new.natural" not in only_2021 | only_2019


# ---- section 二 --------------------------------------------------------------------------


@BOTH
def test_s2_blocks_as_in_spec(template_id: str) -> None:
    t = load_template(template_id)
    assert t.s2.columns == 4
    spec = S2_SPEC[template_id]
    assert [b.caption for b in t.s2.blocks] == [caption for caption, _, _ in spec]
    for block, (caption, header, rows) in zip(t.s2.blocks, spec, strict=True):
        assert [(h.label, h.span) for h in block.header] == header, caption
        assert [r.label for r in block.rows] == [label for label, _ in rows], caption
        for row, (_, ids) in zip(block.rows, rows, strict=True):
            assert [c.cell.id for c in row.cells] == ids


@BOTH
def test_s2_spans_fill_the_four_columns(template_id: str) -> None:
    t = load_template(template_id)
    for block in t.s2.blocks:
        assert sum(h.span for h in block.header) == t.s2.columns, block.caption
        assert block.header[0].field is None  # 信息内容 is the label column
        fields = [h.field for h in block.header[1:]]
        for row in block.rows:
            assert 1 + sum(c.span for c in row.cells) == t.s2.columns, row.id
            # each data cell sits under the header cell of its field, with the same span
            assert [c.cell.col_id for c in row.cells] == fields
            assert [c.span for c in row.cells] == [h.span for h in block.header[1:]]


@BOTH
def test_s2_cell_labels(template_id: str) -> None:
    t = load_template(template_id)
    for block in t.s2.blocks:
        labels = {h.field: h.label for h in block.header if h.field}
        for row in block.rows:
            for c in row.cells:
                assert c.cell.section == "s2"
                assert c.cell.row_label == row.label
                assert c.cell.col_label == labels[c.cell.col_id]
                assert c.cell.place == f"「{row.label}」行「{labels[c.cell.col_id]}」列"


# ---- section 三 --------------------------------------------------------------------------


@BOTH
def test_s3_rows_as_in_spec(template_id: str) -> None:
    t = load_template(template_id)
    assert [(r.id, r.path) for r in t.s3.rows] == S3_ROWS[template_id]
    for r in t.s3.rows:
        assert r.label == r.path[-1]
        assert r.short
        assert t.s3.row(r.id) is r
    with pytest.raises(KeyError):
        t.s3.row("nope")


@BOTH
def test_s3_row_roles(template_id: str) -> None:
    t = load_template(template_id)
    roles = {r.id: r.role for r in t.s3.rows}
    assert roles.pop("new") == "input"
    assert roles.pop("carried_over") == "input"
    assert roles.pop("carried_forward") == "input"
    assert roles.pop("total_processed") == "results_total"
    assert set(roles.values()) == {"outcome"}
    assert [r.id for r in t.s3.outcome_rows] == list(roles)


@BOTH
def test_s3_columns_as_in_spec(template_id: str) -> None:
    t = load_template(template_id)
    assert tuple(c.id for c in t.s3.columns) == S3_COLUMNS
    assert tuple(c.label for c in t.s3.columns) == S3_COLUMN_LABELS
    assert tuple(c.id for c in t.s3.applicant_columns) == APPLICANT_COLUMNS
    assert [c.id for c in t.s3.columns if c.computed] == ["total"]
    groups = {c.id: c.group for c in t.s3.columns}
    assert groups["natural"] is None
    assert groups["total"] is None
    assert {groups[c] for c in APPLICANT_COLUMNS[1:]} == {"法人或其他组织"}
    assert t.s3.column("legal").label == "法律服务机构"
    with pytest.raises(KeyError):
        t.s3.column("legal_person")  # there is no 法人 subtotal column


@BOTH
def test_s3_cell_labels(template_id: str) -> None:
    t = load_template(template_id)
    cell = t.cell("s3.denied_state_secret.research")
    assert cell.row_label == "1.属于国家秘密"
    assert cell.col_label == "科研机构"
    assert cell.kind is CellKind.COUNT
    assert t.cell("s3.carried_forward.total").row_label == "四、结转下年度继续办理"


@BOTH
def test_s3_header_as_in_spec(template_id: str) -> None:
    t = load_template(template_id)
    header = {(h.row, h.col, h.rowspan, h.colspan): h.label for h in t.s3.header}
    assert header == {
        (0, 0, 3, 3): S3_TOP_LEFT,
        (0, 3, 1, 7): "申请人情况",
        (1, 3, 2, 1): "自然人",
        (1, 4, 1, 5): "法人或其他组织",
        (1, 9, 2, 1): "总计",
        (2, 4, 1, 1): "商业企业",
        (2, 5, 1, 1): "科研机构",
        (2, 6, 1, 1): "社会公益组织",
        (2, 7, 1, 1): "法律服务机构",
        (2, 8, 1, 1): "其他",
    }


@BOTH
def test_s3_header_tiles_3_by_10(template_id: str) -> None:
    t = load_template(template_id)
    assert t.s3.label_columns == 3
    _assert_tiles(t.s3.header, 3, 3 + 7)


@BOTH
def test_s3_header_columns_line_up_with_data_columns(template_id: str) -> None:
    t = load_template(template_id)
    bottom = {}  # grid column -> label of the lowest header cell over it
    for h in sorted(t.s3.header, key=lambda h: h.row):
        if h.row + h.rowspan == 3:
            for k in range(h.col, h.col + h.colspan):
                bottom[k] = h.label
    assert [bottom[3 + i] for i in range(7)] == [c.label for c in t.s3.columns]


@BOTH
def test_s3_label_cells_tile_the_label_grid(template_id: str) -> None:
    t = load_template(template_id)
    _assert_tiles(t.s3.label_cells, len(t.s3.rows), t.s3.label_columns)


@BOTH
def test_s3_label_cells_merge_groups(template_id: str) -> None:
    t = load_template(template_id)
    rows = [r.id for r in t.s3.rows]
    cells = {(c.row, c.col): c for c in t.s3.label_cells}

    def at(row_id: str, col: int):
        return cells[(rows.index(row_id), col)]

    n_outcomes = len(t.s3.outcome_rows)
    top = at("granted", 0)
    assert top.label == "三、本年度办理结果"
    assert (top.rowspan, top.colspan) == (n_outcomes + 1, 1)  # outcome rows and （七）总计
    assert (at("new", 0).rowspan, at("new", 0).colspan) == (1, 3)
    assert (at("carried_forward", 0).label, at("carried_forward", 0).colspan) == (
        "四、结转下年度继续办理",
        3,
    )
    denied = at("denied_state_secret", 1)
    assert (denied.label, denied.rowspan, denied.colspan) == ("（三）不予公开", 8, 1)
    assert (at("unable_not_held", 1).label, at("unable_not_held", 1).rowspan) == ("（四）无法提供", 3)
    assert (at("rejected_complaint", 1).label, at("rejected_complaint", 1).rowspan) == (
        "（五）不予处理",
        5,
    )
    granted = at("granted", 1)
    assert (granted.label, granted.rowspan, granted.colspan) == ("（一）予以公开", 1, 2)
    total = at("total_processed", 1)
    assert (total.label, total.rowspan, total.colspan) == ("（七）总计", 1, 2)
    if template_id == "2021":
        other = at("other_no_correction", 1)
        assert (other.label, other.rowspan, other.colspan) == ("（六）其他处理", 3, 1)
    else:
        other = at("other", 1)
        assert (other.label, other.rowspan, other.colspan) == ("（六）其他处理", 1, 2)
    # every label of every path appears, and nothing else
    labels = Counter(c.label for c in t.s3.label_cells)
    expected = {label for _, path in S3_ROWS[template_id] for label in path}
    assert set(labels) == expected


# ---- section 四 --------------------------------------------------------------------------


@BOTH
def test_s4_as_in_spec(template_id: str) -> None:
    t = load_template(template_id)
    assert [g.id for g in t.s4.groups] == list(S4_GROUPS)
    assert [g.full_label for g in t.s4.groups] == [
        "行政复议",
        "行政诉讼·未经复议直接起诉",
        "行政诉讼·复议后起诉",
    ]
    assert tuple(c.id for c in t.s4.columns) == S4_COLUMNS
    assert tuple(c.label for c in t.s4.columns) == S4_COLUMN_LABELS
    assert [c.id for c in t.s4.columns if c.computed] == ["total"]


@BOTH
def test_s4_header_as_in_spec(template_id: str) -> None:
    t = load_template(template_id)
    header = {(h.row, h.col, h.rowspan, h.colspan): h.label for h in t.s4.header}
    expected = {(0, 0, 1, 5): "行政复议", (0, 5, 1, 10): "行政诉讼"}
    expected |= {(1, i, 2, 1): label for i, label in enumerate(S4_COLUMN_LABELS)}
    expected |= {(1, 5, 1, 5): "未经复议直接起诉", (1, 10, 1, 5): "复议后起诉"}
    expected |= {(2, 5 + i, 1, 1): label for i, label in enumerate(S4_COLUMN_LABELS)}
    expected |= {(2, 10 + i, 1, 1): label for i, label in enumerate(S4_COLUMN_LABELS)}
    assert header == expected


@BOTH
def test_s4_header_tiles_3_by_15(template_id: str) -> None:
    _assert_tiles(load_template(template_id).s4.header, 3, 15)


def test_tiling_helper_catches_overlap_and_gaps() -> None:
    from core.template import HeaderCell

    good = [HeaderCell(0, 0, 1, 2, "a"), HeaderCell(0, 2, 1, 1, "b")]
    _assert_tiles(good, 1, 3)
    with pytest.raises(AssertionError):
        _assert_tiles([HeaderCell(0, 0, 1, 2, "a")], 1, 3)
    with pytest.raises(AssertionError):
        _assert_tiles([*good, HeaderCell(0, 1, 1, 1, "c")], 1, 3)


def test_templates_share_s3_header_s4_and_sections() -> None:
    t21, t19 = load_template("2021"), load_template("2019")
    assert t21.s3.header == t19.s3.header
    assert t21.s3.columns == t19.s3.columns
    assert t21.s4 == t19.s4
    assert t21.sections == t19.sections


# ---- behaviour the data declares ---------------------------------------------------------


@BOTH
def test_every_computed_cell_has_a_sum_and_only_those(template_id: str) -> None:
    t = load_template(template_id)
    assert {s.cell for s in t.sums} == {c.id for c in t.computed_cells}
    assert {s.cell for s in t.derivation} == {c.id for c in t.computed_cells}
    done: set[str] = set()
    for s in t.derivation:  # parts before wholes
        assert all(not t.cell(p).computed or p in done for p in s.parts), s.cell
        done.add(s.cell)


@BOTH
def test_sums_as_in_spec(template_id: str) -> None:
    t = load_template(template_id)
    outcome = [r.id for r in t.s3.outcome_rows]
    by_rule = {rule: {s.cell: s for s in t.sums_for(rule)} for rule in ("S3-ROW-TOTAL", "S3-RESULTS-TOTAL", "S4-TOTAL")}
    assert set(by_rule["S3-ROW-TOTAL"]) == {f"s3.{r.id}.total" for r in t.s3.rows}
    assert by_rule["S3-ROW-TOTAL"]["s3.new.total"].parts == tuple(f"s3.new.{c}" for c in APPLICANT_COLUMNS)
    assert set(by_rule["S3-RESULTS-TOTAL"]) == {f"s3.total_processed.{c}" for c in S3_COLUMNS}
    assert by_rule["S3-RESULTS-TOTAL"]["s3.total_processed.legal"].parts == tuple(f"s3.{r}.legal" for r in outcome)
    assert set(by_rule["S4-TOTAL"]) == {f"s4.{g}.total" for g in S4_GROUPS}
    # The corner is summed both ways; the （七）总计 row's sum comes first (it reports a blank corner).
    corner = [s.rule for s in t.sums if s.cell == "s3.total_processed.total"]
    assert corner == ["S3-RESULTS-TOTAL", "S3-ROW-TOTAL"]


def test_rules_each_template_applies() -> None:
    from core.checks import RULE_IDS

    assert load_template("2021").rules == RULE_IDS
    assert set(RULE_IDS) - set(load_template("2019").rules) == {"S2-IN-FORCE", "FEE-NOT-REPORTED"}
    in_force = load_template("2021").s2.in_force
    assert in_force is not None and in_force.rows == ("regulations", "normative_docs")
    assert load_template("2019").s2.in_force is None


@BOTH
def test_balance_and_carry_over_declared(template_id: str) -> None:
    t = load_template(template_id)
    assert t.s3.balance is not None
    assert (t.s3.balance.left, t.s3.balance.right) == (("new", "carried_over"), ("total_processed", "carried_forward"))
    assert t.s3.carry_over is not None
    assert (t.s3.carry_over.row, t.s3.carry_over.from_previous) == ("carried_over", "carried_forward")


def test_rows_of_2019_and_2021_correspond() -> None:
    from core.template import row_correspondences

    t21, t19 = load_template("2021"), load_template("2019")
    (both_ways,) = row_correspondences(t21, t19)
    assert row_correspondences(t19, t21) == (both_ways,)
    assert both_ways.single is t19 and both_ways.row == "other"
    assert both_ways.split is t21
    assert both_ways.rows == ("other_no_correction", "other_unpaid_fee", "other_else")
    assert both_ways.into == "other_else"
    # Every other row has the same id in both: the same row.
    shared = {r.id for r in t21.s3.rows} & {r.id for r in t19.s3.rows}
    assert {r.id for r in t21.s3.rows} - shared == set(both_ways.rows)
    assert {r.id for r in t19.s3.rows} - shared == {"other"}


SUMMABLE_S2 = {
    "2021": (
        "s2.regulations.issued", "s2.regulations.repealed", "s2.regulations.in_force",
        "s2.normative_docs.issued", "s2.normative_docs.repealed", "s2.normative_docs.in_force",
        "s2.licensing.decisions", "s2.penalty.decisions", "s2.coercion.decisions", "s2.fees.amount",
    ),
    "2019": (
        "s2.regulations.new_made", "s2.regulations.new_published", "s2.regulations.total_published",
        "s2.normative_docs.new_made", "s2.normative_docs.new_published", "s2.normative_docs.total_published",
        "s2.licensing.decisions", "s2.other_services.decisions", "s2.penalty.decisions", "s2.coercion.decisions",
        "s2.procurement.items", "s2.procurement.amount",
    ),
}


@BOTH
def test_summable_cells_are_marked_in_the_data(template_id: str) -> None:
    # Documents, decisions and money add up over a region's units; a unit's list of items
    # (上一年项目数量, 本年增/减) does not. Every cell of 三 and 四 adds up.
    t = load_template(template_id)
    assert tuple(c.id for c in t.cells if c.section == "s2" and c.summable) == SUMMABLE_S2[template_id]
    assert all(c.summable for c in t.cells if c.section in ("s3", "s4"))
