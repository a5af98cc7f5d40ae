"""Local rule packs: the format, refusing broken packs, the rules on prose, the active packs, the counts
the reports list keeps, and `main.py check --rules`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import rulepack
from core.checks import WARNING, validate
from core.paths import data_dir
from core.reportfile import read_report_file
from core.rulepack import (
    Figure,
    RulePack,
    RulePackError,
    active_packs,
    counted_chars,
    find_figure,
    headings,
    install,
    install_text,
    installed_packs,
    pack_problems,
    parse_pack,
    part_span,
    read_pack,
    remove,
    rulepacks_dir,
)
from core.storage import Store
from tests.conftest import SAMPLES_DIR, full_report

ROOT = Path(__file__).resolve().parents[1]
PINGTAN_2022 = SAMPLES_DIR / "real" / "2022_pingtan.json"


@pytest.fixture(autouse=True)
def _no_run_packs() -> Iterator[None]:
    rulepack.clear_run_packs()
    yield
    rulepack.clear_run_packs()


def pack_data(**changes: Any) -> dict[str, Any]:
    """A small pack of every kind but pattern, for the 2022 reports `full_report` makes."""
    data: dict[str, Any] = {
        "format": "gov-report-rule-pack",
        "format_version": 1,
        "name": "测试市编制要求",
        "source": "测试市政务公开办公室",
        "rules": [
            {"id": "LOCAL-S1-LENGTH", "section": "s1", "max_chars": 60, "message": "总体情况不超过60字"},
            {"id": "LOCAL-S1-PARTS", "section": "s1", "required_headings": ["主动公开", "依申请公开", "监督保障"]},
            {
                "id": "LOCAL-S1-FIGURES",
                "section": "s1",
                "required_figures": [
                    {"name": "主动公开政府信息条数", "within": "主动公开", "near": ["主动公开"], "unit": "条"}
                ],
            },
        ],
    }
    data.update(changes)
    return data


def write_pack(data: dict[str, Any] | str, name: str = "test.json", folder: Path | None = None) -> Path:
    folder = rulepacks_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def local(findings: list[Any]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in findings if f.rule.startswith("LOCAL-")]


# --- the rules on a report -------------------------------------------------------------------------


def test_pack_adds_warnings_and_fixing_the_text_removes_them() -> None:
    report = full_report()
    # FULL_TEXTS' 一 has （一）主动公开 and （二）依申请公开, no 监督保障 and no figure: 47 characters.
    write_pack(pack_data())
    found = [f for f in validate(report) if f.rule.startswith("LOCAL-")]
    assert [(f.rule, f.severity, f.section) for f in found] == [
        ("LOCAL-S1-PARTS", WARNING, "s1"),
        ("LOCAL-S1-FIGURES", WARNING, "s1"),
    ]
    assert found[0].message == (
        "一、总体情况 缺少本地要求的小标题“监督保障”，已有小标题：主动公开、依申请公开（测试市编制要求）"
    )
    assert found[1].message.startswith("一、总体情况“主动公开”部分未写明主动公开政府信息条数")
    # The part the figure is missing from is what the editor selects: （一） up to （二）.
    start, end = found[1].span or (0, 0)
    assert report.text("s1")[start:end].startswith("（一）主动公开。") and report.text("s1")[end:].startswith("（二）")

    report.texts["s1"] = (
        "（一）主动公开。本年度主动公开政府信息1,234条，其中政策文件56条，各类规划、计划和统计数据等信息也按时公开。\n"
        "（二）依申请公开。依法办理申请。\n（三）监督保障。加强考核。"
    )
    assert counted_chars(report.text("s1")) > 60
    n = counted_chars(report.text("s1"))
    assert local(validate(report)) == [
        ("LOCAL-S1-LENGTH", f"一、总体情况 {n} 字，超过本地要求的 60 字（测试市编制要求：总体情况不超过60字）")
    ]
    report.texts["s1"] = "（一）主动公开。主动公开政府信息1234条。\n（二）依申请公开。\n（三）监督保障。加强考核。"
    assert local(validate(report)) == []


def test_removing_the_pack_removes_its_warnings() -> None:
    report = full_report()
    path = write_pack(pack_data())
    assert local(validate(report))
    (pack,) = installed_packs()
    moved = remove(pack)
    assert not path.exists() and moved.is_file() and moved.parent == data_dir() / rulepack.REMOVED_FOLDER
    assert local(validate(report)) == []


def test_packs_parameter_overrides_the_active_packs() -> None:
    report = full_report()
    pack = parse_pack(json.dumps(pack_data(applies_to_years=[2030])), "given.json")
    assert local(validate(report)) == []  # nothing installed
    assert [r for r, _ in local(validate(report, packs=[pack]))] == ["LOCAL-S1-PARTS", "LOCAL-S1-FIGURES"]
    write_pack(pack_data())
    assert local(validate(report, packs=())) == []


def test_local_findings_come_after_the_official_ones() -> None:
    report = full_report()
    report.texts["s6"] = ""  # SECTION-EMPTY and FEE-NOT-REPORTED: official warnings
    report.set_cell("s3.new.natural", 999)  # S3-BALANCE: an error
    write_pack(pack_data())
    rules = [f.rule for f in validate(report)]
    first_local = rules.index("LOCAL-S1-PARTS")
    assert rules[0] == "S3-BALANCE" and all(r.startswith("LOCAL-") for r in rules[first_local:])
    assert "FEE-NOT-REPORTED" in rules[:first_local]


def test_applies_to_years() -> None:
    write_pack(pack_data(applies_to_years=[2025]), "y2025.json")
    fee = {"id": "LOCAL-S6-FEE", "section": "s6", "required_phrases": ["信息处理费收费标准"]}
    write_pack(pack_data(name="每年都用的要求", rules=[fee]), "every.json")
    assert [p.name for p in active_packs(2025)] == ["每年都用的要求", "测试市编制要求"]
    assert [p.name for p in active_packs(2024)] == ["每年都用的要求"]
    assert {r for r, _ in local(validate(full_report(year=2025)))} == {
        "LOCAL-S1-PARTS", "LOCAL-S1-FIGURES", "LOCAL-S6-FEE"
    }
    assert {r for r, _ in local(validate(full_report(year=2024)))} == {"LOCAL-S6-FEE"}


def test_other_kinds_min_chars_phrases_pattern_preamble_and_all() -> None:
    report = full_report()
    write_pack(
        pack_data(
            rules=[
                {"id": "LOCAL-S5-MIN", "section": "s5", "min_chars": 100},
                {"id": "LOCAL-PRE-BASIS", "section": "preamble",
                 "required_phrases": ["《中华人民共和国政府信息公开条例》"]},
                {"id": "LOCAL-ALL-HOTLINE", "section": "all", "required_phrases": ["12345"]},
                {"id": "LOCAL-S6-FEE", "section": "s6", "pattern": r"处理费[^。]{0,10}[0-9]+(?:\.[0-9]+)?元",
                 "message": "写明收取信息处理费的金额"},
            ]
        )
    )
    found = {f.rule: f for f in validate(report) if f.rule.startswith("LOCAL-")}
    # FULL_TEXTS' 五 is 26 characters; the preamble names the 条例; nothing says 12345; 六 says no fee was charged.
    assert set(found) == {"LOCAL-S5-MIN", "LOCAL-ALL-HOTLINE", "LOCAL-S6-FEE"}
    n = counted_chars(report.text("s5"))
    assert found["LOCAL-S5-MIN"].message.startswith(f"五、存在的主要问题及改进情况 {n} 字，少于本地要求的 100 字")
    assert found["LOCAL-ALL-HOTLINE"].message.startswith("全文 未写到本地要求的“12345”")
    assert found["LOCAL-S6-FEE"].message == (
        "六、其他需要报告的事项 未见本地要求的内容（测试市编制要求：写明收取信息处理费的金额）"
    )
    report.preamble = "本报告由某某区政府办公室编制。"
    report.contact.phone = "12345"  # a contact detail is not prose
    report.texts["s6"] = "本年度收取信息处理费 120.5元。"
    found = {f.rule: f for f in validate(report) if f.rule.startswith("LOCAL-")}
    assert set(found) == {"LOCAL-S5-MIN", "LOCAL-PRE-BASIS", "LOCAL-ALL-HOTLINE"}
    assert found["LOCAL-PRE-BASIS"].section == "cover"
    report.texts["s5"] = "热线 12345 受理" + "改进措施。" * 30
    assert {f.rule for f in validate(report) if f.rule.startswith("LOCAL-")} == {"LOCAL-PRE-BASIS"}


def test_characters_are_counted_without_whitespace() -> None:
    assert counted_chars("（一）主动公开。\n 2022年 ABC\u3000。") == len("（一）主动公开。2022年ABC。")


# --- headings, parts and figures in prose -------------------------------------------------------------


def test_headings_of_every_ordinal_style_and_lines() -> None:
    text = (
        "一、主动公开情况\n本年度主动公开政府信息120条。(1)规范性文件。1.加强解读 2、做好回应\n"
        "二、依申请公开\n一是畅通渠道。第（一）项不是标题。\n"
        "监督保障方面：加强考核。\n（３）全角数字"
    )
    # “（３）” with a full-width digit is a heading too; “一是” and “第（一）项” are not.
    found = [(h.title, h.style) for h in headings(text, ["监督保障"])]
    assert found == [
        ("主动公开情况", "cn"),
        ("规范性文件", "paren-num"),
        ("加强解读", "num"),
        ("做好回应", "num"),
        ("依申请公开", "cn"),
        ("监督保障方面", "line"),
        ("全角数字", "paren-num"),
    ]
    assert headings("1.5亿元的项目") == []


def test_a_part_runs_to_the_next_heading_of_its_style() -> None:
    text = "（一）主动公开方面 一、不算 1.文件 2.规划 （二）依申请公开方面 受理申请"
    heads = headings(text)
    span = part_span(text, heads, "主动公开")
    assert span is not None and text[span[0] : span[1]] == "（一）主动公开方面 一、不算 1.文件 2.规划 "
    assert part_span(text, heads, "监督保障") is None
    # 铁西区's real 2020 一 numbers its parts （一） 2. 3. 4. 5.: 主动公开's part ends where the next part
    # the pack names (依申请公开) begins, whatever its ordinal.
    seed = read_report_file(SAMPLES_DIR / "seed-2020-tiexi.json").text("s1")
    span = part_span(seed, headings(seed), "主动公开", ["主动公开", "依申请公开", "监督保障"])
    assert span is not None and seed[span[0] :].startswith("（一）主动公开方面")
    assert seed[span[1] :].startswith("2. 依申请公开方面")
    assert part_span(seed, headings(seed), "主动公开") == (0, len(seed))  # by the ordinals alone: to the end
    # A heading that begins with the name is the part, before one that only contains it.
    text = "（1）推进其他应主动公开的信息公开 （一）主动公开 发布信息20条"
    span = part_span(text, headings(text), "主动公开")
    assert span is not None and text[span[0] :].startswith("（一）主动公开")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("全年主动公开政府信息14,571条。", "14,571条"),
        ("主动公开各类信息1.2万条。", "1.2万条"),
        ("主动公开政府信息一千二百余条。", "一千二百余条"),
        ("共发布信息300 条，均为主动公开。", "300 条"),
        ("主动公开政府信息14571件。", None),  # another unit
        ("主动公开工作扎实推进。全年共发布信息300条。", None),  # another sentence
        ("主动公开" + "的" * 40 + "信息300条。", None),  # too far
        ("主动公开政府信息万条。", None),  # no number
    ],
)
def test_figure_in_prose(text: str, found: str | None) -> None:
    figure = Figure("主动公开条数", ("主动公开",), ("条",))
    where = find_figure(text, figure)
    assert (text[where[0] : where[1]] if where else None) == found


# --- broken packs ------------------------------------------------------------------------------------


def _rule(**keys: Any) -> dict[str, Any]:
    return {"id": "LOCAL-X", "section": "s1", **keys}


BROKEN: list[tuple[str, dict[str, Any] | str, str]] = [
    ("json", '{"format": "gov-report-rule-pack", "rules": [', "无法使用：不是有效的 JSON（第 1 行"),
    ("not-object", "[1, 2]", "最外层应为 JSON 对象"),
    ("format", pack_data(format="gov-report"), "不是规则包"),
    ("newer", pack_data(format_version=2), "由更新的版本制作"),
    ("pack-key", pack_data(author="某人"), "规则包有未知的键「author」"),
    ("name", pack_data(name=""), "“name”（规则包名称）应为非空的文字"),
    ("years", pack_data(applies_to_years=["2025"]), "“applies_to_years”中的年度应为 2000 到 2,100 之间的整数"),
    ("no-rules", pack_data(rules=[]), "“rules”应为非空的规则列表"),
    ("rule-key", pack_data(rules=[_rule(max_chars=10, maxchars=5)]), "规则「LOCAL-X」有未知的键「maxchars」"),
    ("id", pack_data(rules=[_rule(id="S1-LENGTH", max_chars=10)]), "规则「S1-LENGTH」的编号应以 LOCAL- 开头"),
    ("no-id", pack_data(rules=[{"section": "s1", "max_chars": 10}]), "第 1 条规则缺少“id”"),
    ("section", pack_data(rules=[_rule(section="s3", max_chars=10)]),
     "规则「LOCAL-X」的“section”应为 s1、s5、s6、preamble、all 之一"),
    ("no-kind", pack_data(rules=[_rule(message="只有说明")]), "规则「LOCAL-X」应有且只有一种要求"),
    ("two-kinds", pack_data(rules=[_rule(max_chars=10, min_chars=5)]), "却有 2 种（max_chars、min_chars）"),
    ("limit", pack_data(rules=[_rule(max_chars="1000")]), "规则「LOCAL-X」的“max_chars”应为 1 到"),
    ("bool", pack_data(rules=[_rule(min_chars=True)]), "规则「LOCAL-X」的“min_chars”应为 1 到"),
    ("regex", pack_data(rules=[_rule(pattern="([0-9]+", message="写明数字")]), "规则「LOCAL-X」的正则表达式有误"),
    ("message", pack_data(rules=[_rule(pattern="[0-9]+条")]), "规则「LOCAL-X」的“message”应为非空的文字"),
    ("dup", pack_data(rules=[_rule(max_chars=10), _rule(min_chars=5)]), "规则「LOCAL-X」的编号在本规则包中重复"),
    ("figure-key",
     pack_data(rules=[_rule(required_figures=[{"name": "条数", "near": ["公开"], "unit": "条", "range": 5}])]),
     "规则「LOCAL-X」的数字要求有未知的键「range」"),
    ("figure-unit", pack_data(rules=[_rule(required_figures=[{"name": "条数", "near": ["公开"]}])]),
     "规则「LOCAL-X」的数字要求「条数」缺少“unit”"),
    ("heading", pack_data(rules=[_rule(required_headings=[{"title": "主动公开", "also": ["公开"]}])]),
     "规则「LOCAL-X」的小标题有未知的键「also」"),
    ("phrases", pack_data(rules=[_rule(required_phrases=[""])]), "规则「LOCAL-X」的“required_phrases”应为非空的文字"),
    ("section-list", pack_data(rules=[_rule(section=["s1"], max_chars=10)]), "规则「LOCAL-X」的“section”应为"),
    ("line-break", pack_data(rules=[_rule(required_phrases=["第一行\n第二行"])]),
     "规则「LOCAL-X」的“required_phrases”应为一行文字，不能含换行等控制字符"),
]


@pytest.mark.parametrize(("case", "data", "reason"), BROKEN, ids=[c for c, _, _ in BROKEN])
def test_broken_pack_is_refused_with_its_reason(case: str, data: dict[str, Any] | str, reason: str) -> None:
    good = write_pack(pack_data(name="好的规则包"), "a-good.json")
    write_pack(data, f"{case}.json")
    (problem,) = pack_problems()
    assert problem.startswith(f"规则包「{case}.json」无法使用：") and reason in problem, problem
    assert "\n" not in problem
    # The app goes on with the packs that can be used.
    assert [p.file_name for p in installed_packs()] == [good.name]
    assert {r for r, _ in local(validate(full_report()))} == {"LOCAL-S1-PARTS", "LOCAL-S1-FIGURES"}


def _mutations() -> Any:
    """The example pack with one value anywhere in it replaced by any JSON value."""
    base = json.loads(rulepack.example_text())
    paths: list[list[Any]] = []

    def walk(value: Any, path: list[Any]) -> None:
        paths.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            walk(item, [*path, key])

    walk(base, [])
    leaf = st.none() | st.booleans() | st.integers(-5, 3000) | st.floats(allow_nan=False) | st.text(max_size=5)
    values = st.recursive(leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
                          max_leaves=8)

    def mutate(path: list[Any], value: Any) -> Any:
        data = json.loads(json.dumps(base))
        if not path:
            return value
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return data

    return st.builds(mutate, st.sampled_from(paths), values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_mutations(), text=st.text(max_size=120), file_name=st.text(max_size=6))
def test_any_pack_is_used_or_refused_in_one_line(data: Any, text: str, file_name: str) -> None:
    try:
        pack = parse_pack(json.dumps(data), f"{file_name}.json")
    except RulePackError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        assert refused.startswith("规则包「") and "\n" not in refused and "\r" not in refused
        return
    for found in rulepack.run_packs({"s1": text, "s5": text, "s6": text, "preamble": text}, [pack]):
        assert "\n" not in found.message and found.rule.startswith("LOCAL-")


def test_an_id_used_by_another_pack_is_refused() -> None:
    write_pack(pack_data(), "a.json")
    write_pack(pack_data(name="另一个规则包"), "b.json")
    assert pack_problems() == ("规则包「b.json」无法使用：规则「LOCAL-S1-LENGTH」的编号已由规则包「a.json」使用",)
    assert [p.file_name for p in installed_packs()] == ["a.json"]


def test_unreadable_pack_files() -> None:
    write_pack("", "empty.json")
    (rulepacks_dir() / "latin1.json").write_bytes('{"name": "某市"}'.encode("gb18030"))
    (rulepacks_dir() / "folder.json").mkdir()
    problems = pack_problems()
    assert any(p.startswith("规则包「empty.json」无法使用：不是有效的 JSON") for p in problems)
    assert "规则包「latin1.json」无法使用：不是 UTF-8 编码的文本文件" in problems
    assert any(p.startswith("规则包「folder.json」无法读取：") for p in problems)
    with pytest.raises(RulePackError, match="无法读取：文件不存在"):
        read_pack(rulepacks_dir() / "nope.json")


def test_the_folder_is_read_again_when_a_file_changes() -> None:
    path = write_pack(pack_data())
    assert [r.id for r in installed_packs()[0].rules] == ["LOCAL-S1-LENGTH", "LOCAL-S1-PARTS", "LOCAL-S1-FIGURES"]
    before = rulepack.installed_fingerprint()
    assert installed_packs() is installed_packs()  # unchanged: not read again
    write_pack(pack_data(rules=pack_data()["rules"][:1]))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert [r.id for r in installed_packs()[0].rules] == ["LOCAL-S1-LENGTH"]
    assert rulepack.installed_fingerprint() != before


# --- installing -----------------------------------------------------------------------------------


def test_install_copies_the_pack_and_replaces_one_of_the_same_name(tmp_path: Path) -> None:
    source = write_pack(pack_data(), "城市要求.json", tmp_path)
    pack = install(source)
    assert pack.path == rulepacks_dir() / "城市要求.json" and pack.path.read_bytes() == source.read_bytes()
    newer = write_pack(pack_data(rules=pack_data()["rules"][:1]), "城市要求-新版.json", tmp_path)
    replaced = install(newer)
    assert replaced.path == pack.path  # the same name: the same file, now the new version
    assert [len(p.rules) for p in installed_packs()] == [1]
    clash = write_pack(pack_data(name="别的规则包"), "clash.json", tmp_path)
    with pytest.raises(RulePackError, match=r"「clash\.json」无法使用：规则「LOCAL-S1-LENGTH」的编号已由"):
        install(clash)
    broken = write_pack(pack_data(rules=[_rule(pattern="(")]), "broken.json", tmp_path)
    with pytest.raises(RulePackError, match=r"broken\.json"):
        install(broken)
    assert [p.file_name for p in installed_packs()] == ["城市要求.json"]


def test_install_into_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    source = write_pack(pack_data(), "p.json", tmp_path)
    rulepacks_dir().parent.mkdir(parents=True, exist_ok=True)
    rulepacks_dir().write_text("不是文件夹", "utf-8")  # the folder's name taken by a file
    with pytest.raises(RulePackError, match=r"「p\.json」无法保存到数据文件夹："):
        install(source)


# --- the example pack on real prose ------------------------------------------------------------------


def example() -> RulePack:
    return parse_pack(rulepack.example_text(), rulepack.EXAMPLE_FILE)


def test_example_pack_is_valid_and_reads_as_the_notice() -> None:
    pack = example()
    assert "示例" in pack.name and pack.years == (2025,)
    length, parts, figures = pack.rules
    assert (length.id, length.requirement()) == ("LOCAL-S1-LENGTH", "一、总体情况 不超过 1,000 字")
    assert [h.title for h in parts.headings] == [
        "主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"
    ]
    assert [f.units for f in figures.figures] == [("条",), ("篇", "次", "条", "期"), ("个",)]
    install_text(rulepack.example_text(), rulepack.EXAMPLE_FILE)
    assert active_packs(2025) == (pack,) and active_packs(2022) == ()


def test_example_pack_on_pingtan_2022() -> None:
    """平潭综合实验区's real 2022 一: its five parts run on in one paragraph as “（一）主动公开方面 …
    （二）依申请公开方面 … （三）政府信息管理方面 … （四）信息公开平台建设方面 … （五）监督保障方面 …”.
    The example pack (for 2025, given here explicitly) finds: 一 is 2,025 characters, over 1,000;
    every part is there (信息公开平台建设 is accepted for 政府信息公开平台建设); 主动公开 states
    “主动公开政府信息14571条” and 平台建设 “33个政务新媒体”, but 一 never mentions 解读 (the report speaks
    of 政策解读 only in 五), so the interpretations figure is missing."""
    report = read_report_file(PINGTAN_2022)
    s1 = report.text("s1")
    found = local(validate(report, packs=[example()]))
    assert [rule for rule, _ in found] == ["LOCAL-S1-LENGTH", "LOCAL-S1-FIGURES"]
    assert counted_chars(s1) == 2025
    assert found[0][1].startswith(
        "一、总体情况 2,025 字，超过本地要求的 1,000 字（某市2025年度政府信息公开工作年度报告编制要求（示例）"
    )
    assert found[1][1].startswith("一、总体情况 未写明政策解读数量：未见“解读”附近以篇/次/条/期计的数字")
    assert "解读" not in s1 and "解读" in report.text("s5")
    assert "主动公开政府信息14571条" in s1 and "33个政务新媒体" in s1
    titles = [h.title for h in headings(s1)]
    assert titles == ["主动公开方面", "依申请公开方面", "政府信息管理方面", "信息公开平台建设方面", "监督保障方面"]
    # Without 信息公开平台建设 accepted, the fourth part would be missing: the pack's wording decides.
    strict = json.loads(rulepack.example_text())
    strict["rules"][1]["required_headings"][3] = "政府信息公开平台建设"
    found = local(validate(report, packs=[parse_pack(json.dumps(strict), "strict.json")]))
    (missing,) = [m for rule, m in found if rule == "LOCAL-S1-PARTS"]
    assert missing.startswith(
        "一、总体情况 缺少本地要求的小标题“政府信息公开平台建设”，已有小标题：主动公开方面、依申请公开方面、"
        "政府信息管理方面、信息公开平台建设方面、监督保障方面（"
    )
    # Installed, the pack applies to 2025 reports only.
    install_text(rulepack.example_text(), rulepack.EXAMPLE_FILE)
    assert local(validate(report)) == []
    report.year = 2025
    assert [rule for rule, _ in local(validate(report))] == ["LOCAL-S1-LENGTH", "LOCAL-S1-FIGURES"]


def test_example_pack_on_tiexi_2020() -> None:
    """四平市铁西区's real 2020 一 (the example report): 702 characters, its parts numbered （一） 2. 3. 4. 5.,
    all five found (4. 平台建设方面 is accepted). The pack asks for 主动公开 in 条, but the part counts in
    件 (“主动公开政府规章0件、规范性文件1件、各类文件40件”), and the only 解读 (“做好《条例》的解读”) has no
    number: two figures missing. The platforms figure is found in 4.: “为1个乡、5个街道、20家部门开设账号”
    (a number of 个 near 平台/账号, which the declarative rule cannot tell from a count of platforms)."""
    report = read_report_file(SAMPLES_DIR / "seed-2020-tiexi.json")
    s1 = report.text("s1")
    found = local(validate(report, packs=[example()]))
    assert counted_chars(s1) == 702
    assert [m.split("：")[0] for _, m in found] == [
        "一、总体情况“主动公开”部分未写明主动公开政府信息条数", "一、总体情况 未写明政策解读数量"
    ]
    assert "各类文件40件" in s1 and "做好《条例》的解读，" in s1 and "为1个乡" in s1


# --- the reports list's counts ----------------------------------------------------------------------


@pytest.fixture
def store_seed() -> bool:
    return False


def test_reports_list_counts_change_with_the_packs(store: Store) -> None:
    report_id = store.add_report(full_report())
    (summary,) = store.list_reports()
    assert (summary.id, summary.errors, summary.warnings) == (report_id, 0, 0)
    write_pack(pack_data())
    (summary,) = store.list_reports()
    assert (summary.errors, summary.warnings) == (0, 2)
    (pack,) = installed_packs()
    remove(pack)
    (summary,) = store.list_reports()
    assert summary.warnings == 0


# --- the command line --------------------------------------------------------------------------------


def run(*args: str | Path, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(data), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60,
    )


def test_check_rules_adds_a_pack_for_the_run(tmp_path: Path) -> None:
    length = {"id": "LOCAL-S1-LENGTH", "section": "s1", "max_chars": 1000}
    pack = write_pack(pack_data(rules=[length]), "p.json", tmp_path)
    plain = run("check", PINGTAN_2022, "--json", data=tmp_path / "data")
    assert plain.returncode == 0 and "LOCAL-" not in plain.stdout
    result = run("check", PINGTAN_2022, "--rules", pack, "--json", data=tmp_path / "data")
    assert result.returncode == 0, result.stderr  # warnings only
    (entry,) = json.loads(result.stdout)
    (finding,) = [f for f in entry["findings"] if f["rule"].startswith("LOCAL-")]
    assert finding == {
        "rule": "LOCAL-S1-LENGTH", "severity": "warning", "cells": [],
        "message": "一、总体情况 2,025 字，超过本地要求的 1,000 字（测试市编制要求）",
    }
    text = run("check", PINGTAN_2022, "--rules", pack, data=tmp_path / "data")
    assert "[提示] LOCAL-S1-LENGTH 一、总体情况 2,025 字" in text.stdout


def test_check_applies_the_installed_packs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_pack(pack_data(), "installed.json", data / "rulepacks")
    write_pack(pack_data(rules=[_rule(pattern="(", message="写明")]), "broken.json", data / "rulepacks")
    result = run("check", PINGTAN_2022, "--json", data=data)
    (entry,) = json.loads(result.stdout)
    rules = [f["rule"] for f in entry["findings"] if f["rule"].startswith("LOCAL-")]
    # The real 一 is long, and its parts are headed 主动公开方面… with 14571条 in it; 监督保障 is there too.
    assert rules == ["LOCAL-S1-LENGTH"]
    assert "（未使用：规则包「broken.json」无法使用：规则「LOCAL-X」的正则表达式有误" in result.stderr
    # A run's pack of the same name replaces the installed one for that run.
    same = write_pack(pack_data(rules=[{"id": "LOCAL-S6-X", "section": "s6", "required_phrases": ["测试短语"]}]),
                      "same.json", tmp_path)
    (entry,) = json.loads(run("check", PINGTAN_2022, "--rules", same, "--json", data=data).stdout)
    assert [f["rule"] for f in entry["findings"] if f["rule"].startswith("LOCAL-")] == ["LOCAL-S6-X"]


def test_check_rules_refuses_a_broken_pack(tmp_path: Path) -> None:
    broken = write_pack(pack_data(rules=[_rule(pattern="([0-9]+", message="写明数字")]), "坏.json", tmp_path)
    result = run("check", PINGTAN_2022, "--rules", broken, data=tmp_path / "data")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("规则包「坏.json」无法使用：规则「LOCAL-X」的正则表达式有误")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    missing = run("check", PINGTAN_2022, "--rules", tmp_path / "无.json", data=tmp_path / "data")
    assert missing.returncode == 2 and missing.stderr.strip() == "规则包「无.json」无法读取：文件不存在"
    clash_a = write_pack(pack_data(name="甲"), "a.json", tmp_path)
    clash_b = write_pack(pack_data(name="乙"), "b.json", tmp_path)
    clash = run("check", PINGTAN_2022, "--rules", clash_a, "--rules", clash_b, data=tmp_path / "data")
    assert clash.returncode == 2
    assert "「b.json」无法使用：规则「LOCAL-S1-LENGTH」的编号已由规则包「a.json」使用" in clash.stderr


def test_check_rules_says_when_a_file_is_not_of_the_packs_years(tmp_path: Path) -> None:
    example = tmp_path / "example.json"
    example.write_text(rulepack.example_text(), "utf-8")
    result = run("check", PINGTAN_2022, "--rules", example, "--json", data=tmp_path / "data")
    assert result.returncode == 0
    (entry,) = json.loads(result.stdout)
    assert not [f for f in entry["findings"] if f["rule"].startswith("LOCAL-")]
    assert f"（规则包「example.json」适用于 2025 年度，未用于 {PINGTAN_2022}）" in result.stderr
