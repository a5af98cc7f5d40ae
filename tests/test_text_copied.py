"""TEXT-COPIED: a prose section (一, 五, 六) at least 80 % the same as the same unit's section last year,
by the character-trigram similarity of core.textsim, with sections under 100 characters exempt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.checks import COPIED_MIN_CHARACTERS, COPIED_SIMILARITY, Finding, validate
from core.report import Report
from core.reportfile import read_report_file
from core.storage import Store
from core.template import load_template
from core.textsim import counted_characters, normalised, similarity
from tests.conftest import full_report, has_chinese, previous_report

DATA = Path(__file__).parent / "data"
S5 = "五、存在的主要问题及改进情况"

# Last year's 五 and this year's copy of it with the years and figures brought up to date.
PROBLEMS_2023 = (
    "2023年，我局政府信息公开工作取得了一定成效，但仍存在一些不足：一是主动公开的深度和广度有待拓展，"
    "部分重点领域信息更新不够及时，全年更新专栏信息仅126条；二是政策解读形式较为单一，图解、视频等"
    "多样化解读仅占15%；三是工作人员业务能力有待提升，全年仅组织培训2次。\n"
    "2024年，我局将从以下方面加以改进：加强重点领域信息公开，丰富政策解读形式，定期组织业务培训，"
    "切实提升政府信息公开工作的质量和实效。"
)
PROBLEMS_2024_COPIED = (
    "2024年，我局政府信息公开工作取得了一定成效，但仍存在一些不足：一是主动公开的深度和广度有待拓展，"
    "部分重点领域信息更新不够及时，全年更新专栏信息仅143条；二是政策解读形式较为单一，图解、视频等"
    "多样化解读仅占18.5%；三是工作人员业务能力有待提升，全年仅组织培训3次。\n"
    "2025年，我局将从以下方面加以改进：加强重点领域信息公开，丰富政策解读形式，定期组织业务培训，"
    "切实提升政府信息公开工作的质量和实效。"
)
# The same subject written anew: what a unit that did its work writes the next year.
PROBLEMS_2024_REWRITTEN = (
    "对照上级考核要求，本年度工作中仍有短板：一是基层公开目录与上级标准目录衔接不够紧密，"
    "乡镇（街道）栏目设置不统一，个别站点存在空栏目；二是依申请公开答复文书的说理性不足，"
    "引用法律条款不够准确，被申请人质疑的情况时有发生；三是政务新媒体与门户网站发布不同步。\n"
    "针对上述问题，明年将对照标准目录逐一梳理基层栏目，年底前完成清理整合；编制答复文书范本，"
    "建立法律顾问审核把关制度；实行网站与新媒体信息“一次采集、多端发布”，确保口径一致。"
)
FEE = "本年度未收取信息处理费。"


def of(findings: list[Finding], rule: str = "TEXT-COPIED") -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def share_in(message: str) -> int:
    (share,) = re.findall(r"(\d+)% 相同", message)
    return int(share)


def pair(last_s5: str, this_s5: str) -> tuple[Report, Report]:
    this = full_report("2021", 2024)
    last = previous_report(this)
    last.texts["s5"], this.texts["s5"] = last_s5, this_s5
    return last, this


def test_the_prose_is_long_enough_to_be_checked() -> None:
    for text in (PROBLEMS_2023, PROBLEMS_2024_COPIED, PROBLEMS_2024_REWRITTEN):
        assert counted_characters(text) >= 150


def test_a_copied_section_with_years_and_figures_updated_fires() -> None:
    last, this = pair(PROBLEMS_2023, PROBLEMS_2024_COPIED)
    (finding,) = of(validate(this, last))
    assert finding.severity == "warning"
    assert finding.section == "s5"
    assert finding.message.startswith(f"{S5}：与 2023 年度报告的同一部分")
    assert "可能照抄上年内容" in finding.message and has_chinese(finding.message)
    assert share_in(finding.message) >= 80
    # the years and figures changed, nothing else: as far as the measure goes the two are one text
    assert share_in(finding.message) == 100


def test_a_rewritten_section_on_the_same_subject_does_not_fire() -> None:
    last, this = pair(PROBLEMS_2023, PROBLEMS_2024_REWRITTEN)
    assert of(validate(this, last)) == []
    assert similarity(PROBLEMS_2024_REWRITTEN, PROBLEMS_2023) < COPIED_SIMILARITY


def test_a_short_fee_sentence_the_same_every_year_does_not_fire() -> None:
    last, this = pair(PROBLEMS_2023, PROBLEMS_2024_REWRITTEN)
    last.texts["s6"] = this.texts["s6"] = FEE
    assert counted_characters(FEE) < COPIED_MIN_CHARACTERS
    assert of(validate(this, last)) == []


def test_no_previous_report_no_finding() -> None:
    _, this = pair(PROBLEMS_2023, PROBLEMS_2023)
    assert of(validate(this)) == []
    assert of(validate(this, None)) == []


@pytest.mark.parametrize("key", ["s1", "s5", "s6"])
def test_each_prose_section_is_checked_and_named(key: str) -> None:
    this = full_report("2021", 2024)
    last = previous_report(this)
    last.texts[key] = this.texts[key] = PROBLEMS_2023 + ("" if key != "s6" else FEE)
    (finding,) = of(validate(this, last))
    heading = load_template("2021").section(key).heading
    assert finding.section == key
    assert finding.message.startswith(f"{heading}：")


def test_the_limit_counts_characters_other_than_whitespace_in_both_years() -> None:
    exactly = "政务公开" * (COPIED_MIN_CHARACTERS // 4)
    assert counted_characters(exactly) == COPIED_MIN_CHARACTERS
    spaced = " \n".join(exactly[:-1])  # one character short, however much whitespace
    last, this = pair(exactly, exactly)
    assert len(of(validate(this, last))) == 1
    last, this = pair(spaced, spaced)
    assert of(validate(this, last)) == []
    # a long text this year against a short one last year is not a copy of it, nor the other way round
    last, this = pair(exactly[:-1], exactly + exactly)
    assert of(validate(this, last)) == []
    last, this = pair(exactly + exactly, exactly[:-1])
    assert of(validate(this, last)) == []


def test_line_breaks_and_punctuation_do_not_make_a_copy_look_rewritten() -> None:
    reflowed = PROBLEMS_2023.replace("，", "、").replace("；", "。\n").replace("：", "\n")
    assert similarity(reflowed, PROBLEMS_2023) == 1.0
    last, this = pair(PROBLEMS_2023, reflowed)
    assert share_in(of(validate(this, last))[0].message) == 100


def test_a_copy_with_some_added_or_cut_still_fires_and_one_mostly_new_does_not() -> None:
    half_new = PROBLEMS_2024_REWRITTEN[: len(PROBLEMS_2023) // 3]
    last, this = pair(PROBLEMS_2023, PROBLEMS_2023 + half_new)
    (finding,) = of(validate(this, last))
    assert 80 <= share_in(finding.message) < 100
    cut = PROBLEMS_2023[: len(PROBLEMS_2023) * 3 // 4]
    last, this = pair(PROBLEMS_2023, cut)
    assert len(of(validate(this, last))) == 1
    last, this = pair(PROBLEMS_2023, PROBLEMS_2023 + PROBLEMS_2024_REWRITTEN)  # as much new as old
    assert of(validate(this, last)) == []


def test_similarity_properties() -> None:
    assert similarity(PROBLEMS_2023, PROBLEMS_2023) == 1.0
    assert similarity("甲乙丙丁戊己", "庚辛壬癸子丑") == 0.0
    a, b = PROBLEMS_2023, PROBLEMS_2024_REWRITTEN
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 < similarity(a, a + b) < 1.0
    # numbers, ASCII or full-width, with or without decimals, are one symbol
    assert normalised("2024年收到１２件，占3.5%。") == normalised("2025年收到7件，占10%。") == "#年收到#件占#"
    # a phrase said twice is not the phrase said once (multisets)
    assert similarity("加强培训" * 10, "加强培训") < 0.5
    with pytest.raises(ValueError, match="n must"):
        similarity(a, b, 0)


def test_both_templates_apply_the_rule() -> None:
    for template_id in ("2019", "2021"):
        assert load_template(template_id).applies("TEXT-COPIED")
    old = full_report("2019", 2019)
    old.texts["s5"] = PROBLEMS_2023
    new = full_report("2019", 2020)
    new.texts["s5"] = PROBLEMS_2024_COPIED
    assert len(of(validate(new, old))) == 1


# --- real reports --------------------------------------------------------------------------------


def real(name: str) -> Report:
    return read_report_file(DATA / "real" / name)


def test_real_reports_of_one_unit_written_anew_do_not_fire() -> None:
    # 平潭综合实验区 2019 and 2022: their 一 and 五 score 0.09 and 0.08 (core/textsim.py); 六 are short.
    earlier, later = real("2019_pingtan.json"), real("2022_pingtan.json")
    assert of(validate(later, earlier)) == []
    for key in ("s1", "s5"):
        assert min(counted_characters(later.text(key)), counted_characters(earlier.text(key))) >= 100
        assert similarity(later.text(key), earlier.text(key)) < COPIED_SIMILARITY


@pytest.mark.parametrize("key", ["s1", "s5"])
def test_a_real_section_copied_into_next_year_fires(key: str) -> None:
    earlier = real("2019_pingtan.json")
    later = real("2022_pingtan.json")
    later.year = 2020
    later.template_id = "2019"  # 2020 reports use the 2019 format (no TEMPLATE-YEAR noise either way)
    later.texts[key] = earlier.text(key).replace("2019年", "2020年").replace("2020年", "2021年", 1)
    (finding,) = of(validate(later, earlier))
    assert finding.section == key
    assert share_in(finding.message) == 100


# --- in the clerk's editor -----------------------------------------------------------------------


def test_the_editor_shows_text_copied_when_last_years_report_is_stored(qtbot: QtBot, db_path: Path) -> None:
    from PySide6.QtCore import Qt

    from ui.main_window import MainWindow

    store = Store(db_path, seed=False)
    this = full_report("2021", 2024, agency="某某县教育局")
    last = previous_report(this)
    last.texts["s5"], this.texts["s5"] = PROBLEMS_2023, PROBLEMS_2024_COPIED
    store.add_report(last)
    this_id = store.add_report(this)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.open_report(this_id)
    editor, session = window.editor, window.session
    assert editor is not None and session is not None

    def shown() -> list[Finding]:
        items = editor.findings.finding_items("warning")
        return [f for i in items if (f := i.data(Qt.ItemDataRole.UserRole)).rule == "TEXT-COPIED"]

    (finding,) = shown()
    assert finding.message.startswith(f"{S5}：与 2023 年度报告的同一部分 100% 相同")
    # rewriting the section takes the warning away
    assert session.edit_text("s5", PROBLEMS_2024_REWRITTEN)
    qtbot.waitUntil(lambda: shown() == [])
    store.close()
