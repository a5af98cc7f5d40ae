"""Prose read by the document's structure: the headings 一…六 in their printed forms anchor the sections,
the text between the title and 一 is the preamble (its contact read from it), text after the last table
belongs to 五 and text after 六 to 六, up to the signature; the checks then see what the file says; the
import log says where text came from when anything was uncertain. Published PDFs, typed Word files and
saved portal pages, with the texts of real published reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document

from core.checks import validate
from core.report import Contact
from exports.fonts import FontSet, register
from reading.document import ImportResult
from reading.formats import read_with_log
from tests.prose_fixtures import (
    FEE_CHARGED,
    HEADINGS,
    PdfShape,
    Printed,
    pingtan_2022,
    tiexi_2020,
    write_portal_html,
    write_published_pdf,
    write_typed_docx,
)

MAIN = Path(__file__).resolve().parents[1] / "main.py"
PROSE_RULES = ("TEXT-TABLE", "SECTION-EMPTY", "FEE-NOT-REPORTED")


@pytest.fixture(scope="module")
def font(fonts: FontSet) -> str:
    return register(fonts)["song"]


Writer = Callable[[Printed, Path], Path]


@pytest.fixture(params=["pdf", "pdf-word-numbering", "docx", "html"])
def write(request: pytest.FixtureRequest, tmp_path: Path) -> Writer:
    """Each way a report is published; the PDF also as Word's automatic numbering prints it (the number
    and the heading as two runs apart, flush left)."""
    kind = request.param

    def writer(printed: Printed, name: Path) -> Path:
        target = tmp_path / name
        if kind == "pdf":
            return write_published_pdf(printed, target.with_suffix(".pdf"), request.getfixturevalue("font"))
        if kind == "pdf-word-numbering":
            shape = PdfShape(heading_indent=0, number_gap=18.0)
            return write_published_pdf(printed, target.with_suffix(".pdf"), request.getfixturevalue("font"), shape)
        if kind == "docx":
            return write_typed_docx(printed, target.with_suffix(".docx"))
        return write_portal_html(printed, target.with_suffix(".html"))

    return writer


def squeezed(text: str) -> str:
    """A text without white space inside its lines (a PDF may set a space between two words as a gap)."""
    return "\n".join("".join(line.split()) for line in text.splitlines() if line.strip())


def prose_findings(result: ImportResult) -> list[str]:
    return sorted(f"{f.rule} {f.message}" for f in validate(result.report) if f.rule in PROSE_RULES)


_CJK_GAP = re.compile(r"[\u4e00-\u9fff，。、；：（）“”《》]\s+[\u4e00-\u9fff，。、；：（）“”《》]")


def assert_no_new_gaps(found: str, printed: str) -> None:
    """Lines joined without a space between Chinese characters (a gap the file printed may stay)."""
    assert [g for g in _CJK_GAP.findall(found) if g not in printed] == []


def assert_sections(result: ImportResult, printed: Printed) -> None:
    report = result.report
    everything = "\n".join([*printed.preamble, *(printed.expected(k) for k in ("s1", "s5", "s6"))])
    for text in (report.preamble, report.text("s1"), report.text("s5"), report.text("s6")):
        assert_no_new_gaps(text, everything)
    assert squeezed(report.preamble) == squeezed("\n".join(printed.preamble))
    for key in ("s1", "s5", "s6"):
        assert squeezed(report.text(key)) == squeezed(printed.expected(key)), key
    assert squeezed(report.text("s2_note")) == squeezed("\n".join(printed.s2_note))


# --- every section carries its own text --------------------------------------------------------------


@pytest.mark.parametrize("make", [pingtan_2022, tiexi_2020], ids=["pingtan-2022", "tiexi-2020"])
def test_a_published_report_reads_into_its_sections(make: Callable[[], Printed], write: Writer) -> None:
    printed = make()
    result = read_with_log(write(printed, Path("report")))
    assert_sections(result, printed)
    assert result.report.contact == printed.report.contact
    assert result.report.signature.organ == printed.signature[0]
    # The checks see what the file says: nothing is empty, 六 reports the fee, the text agrees with the tables.
    assert prose_findings(result) == []


FORMS = {
    "numbered with a full-width stop": {k: f"{v[0]}．{v[2:]}" for k, v in HEADINGS.items()},
    "as parts": {k: f"第{v[0]}部分  {v[2:]}" for k, v in HEADINGS.items()},
    "longer words": dict(
        HEADINGS, s1="一、政府信息公开工作总体情况", s5="五、政府信息公开工作存在的主要问题及改进情况"
    ),
    "number apart from the words": dict(HEADINGS, s1="一、\n总体情况", s6="六、\n其他需要报告的事项"),
    "number lost, its mark left": dict(HEADINGS, s6="、\n其他需要报告的事项"),
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_headings_in_their_printed_forms_anchor_the_sections(form: str, write: Writer) -> None:
    printed = replace(pingtan_2022(), headings=FORMS[form])
    result = read_with_log(write(printed, Path("report")))
    assert_sections(result, printed)
    assert prose_findings(result) == []


def test_run_in_headings_keep_their_first_sentence(write: Writer) -> None:
    base = pingtan_2022()
    printed = replace(
        base,
        headings=dict(
            HEADINGS,
            s1="一、总体情况。" + base.s1[0],
            s5="五、存在的主要问题及改进情况：" + base.s5[0],
            s6="六、其他需要报告的事项：" + base.s6[0],
        ),
        s1=base.s1[1:],
        s5=base.s5[1:],
        s6=(),
    )
    result = read_with_log(write(printed, Path("report")))
    assert_sections(result, printed)
    assert prose_findings(result) == []


def test_a_date_under_the_title_is_neither_title_nor_preamble(write: Writer) -> None:
    base = pingtan_2022()
    printed = replace(base, title_lines=(*base.title_lines, "（2023年1月）"))
    result = read_with_log(write(printed, Path("report")))
    assert (result.report.title, result.report.agency, result.report.year) == (
        base.report.title,
        "平潭综合实验区管理委员会办公室",  # the signature names the office that makes the report
        2022,
    )
    assert_sections(result, printed)


def test_six_in_several_items_and_a_preamble_in_two_paragraphs(write: Writer) -> None:
    base = pingtan_2022()
    cut = base.preamble[0].index("对本报告如有疑问")
    six = (
        "（一）信息处理费收取情况",
        "本年度未收取信息处理费。",
        "（二）人大代表建议和政协委员提案办理情况",
        "全年承办人大代表建议12件、政协委员提案8件，均已按时办结。",
    )
    printed = replace(base, preamble=(base.preamble[0][:cut], base.preamble[0][cut:]), s6=six)
    result = read_with_log(write(printed, Path("report")))
    assert_sections(result, printed)
    assert result.report.contact == base.report.contact
    assert prose_findings(result) == []


# --- where a heading is missing -----------------------------------------------------------------------


def test_without_the_heading_of_six_its_fee_sentence_is_six_not_five(write: Writer) -> None:
    printed = replace(pingtan_2022(), headings=dict(HEADINGS, s6=""))
    result = read_with_log(write(printed, Path("report")))
    report = result.report
    assert squeezed(report.text("s5")) == squeezed(printed.expected("s5"))
    assert squeezed(report.text("s6")) == squeezed(printed.expected("s6"))
    assert prose_findings(result) == []
    assert "没有找到「六、其他需要报告的事项」的标题" in result.log
    assert any("作为六读入" in line for line in result.log), result.log


def test_without_the_heading_of_one_the_preamble_and_one_keep_their_own_text(write: Writer) -> None:
    printed = replace(pingtan_2022(), headings=dict(HEADINGS, s1=""))
    result = read_with_log(write(printed, Path("report")))
    assert squeezed(result.report.preamble) == squeezed("\n".join(printed.preamble))
    assert squeezed(result.report.text("s1")) == squeezed(printed.expected("s1"))
    assert result.report.contact.phone == "0591-23165385"
    assert "没有找到「一、总体情况」的标题" in result.log
    assert any("作为一读入" in line for line in result.log), result.log


def test_without_the_heading_of_five_the_text_after_the_last_table_is_five(write: Writer) -> None:
    printed = replace(pingtan_2022(), headings=dict(HEADINGS, s5=""))
    result = read_with_log(write(printed, Path("report")))
    assert_sections(result, printed)
    assert "没有找到「五、存在的主要问题及改进情况」的标题" in result.log
    assert any("作为五读入" in line for line in result.log), result.log


# --- the fee, and the text against the tables ---------------------------------------------------------


def test_six_on_the_fee_is_read_whether_a_fee_was_charged_or_not(write: Writer) -> None:
    for n, fee in enumerate(("本年度未收取信息处理费。", FEE_CHARGED)):
        printed = pingtan_2022(fee=fee)
        result = read_with_log(write(printed, Path(f"fee{n}")))
        assert result.report.text("s6") == fee
        assert not [f for f in validate(result.report) if f.rule == "FEE-NOT-REPORTED"]


def test_a_report_silent_on_the_fee_is_flagged() -> None:
    """The other side of the check (no file needed): six that says nothing of the fee."""
    report = pingtan_2022(fee="无。").report
    assert [f.rule for f in validate(report) if f.rule == "FEE-NOT-REPORTED"] == ["FEE-NOT-REPORTED"]


def test_text_that_contradicts_the_tables_is_found_in_an_imported_report(write: Writer) -> None:
    base = pingtan_2022()
    totals = base.report.totals()
    said = totals["s3.new.total"] + totals["s3.carried_over.total"]  # 收到 counts both, as this office does
    wrong = tuple(p.replace(f"收到政府信息公开申请{said}件", "收到政府信息公开申请99件") for p in base.s1)
    assert wrong != base.s1
    result = read_with_log(write(replace(base, s1=wrong), Path("report")))
    found = [f for f in validate(result.report) if f.rule == "TEXT-TABLE"]
    assert len(found) == 1 and "99件" in found[0].message and found[0].message.startswith("一")


def test_check_on_the_command_line_reports_the_contradiction_in_an_imported_file(tmp_path: Path) -> None:
    """`main.py check` runs the same checks on a file read as on a report typed in."""
    base = pingtan_2022()
    wrong = tuple(p.replace("行政复议案件2件", "行政复议案件7件") for p in base.s1)
    assert wrong != base.s1
    path = write_typed_docx(replace(base, s1=wrong), tmp_path / "平潭.docx")
    done = subprocess.run(
        [sys.executable, str(MAIN), "check", str(path), "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    findings = json.loads(done.stdout)[0]["findings"]
    text_table = [f for f in findings if f["rule"] == "TEXT-TABLE"]
    assert len(text_table) == 1 and "行政复议案件7件" in text_table[0]["message"], findings
    assert not [f for f in findings if f["rule"] in ("SECTION-EMPTY", "FEE-NOT-REPORTED")]


# --- contact from the preamble --------------------------------------------------------------------------

CONTACTS = {
    "semicolons": (
        "如对本报告有疑问，请与平潭综合实验区管委会办公室联系（地址：福建省平潭综合实验区金井湾商务营运中心7号楼；"
        "邮编：350400；电话：0591-23165385；电子邮箱：ptgk@pingtan.gov.cn）。",
        Contact("福建省平潭综合实验区金井湾商务营运中心7号楼", "350400", "0591-23165385", "ptgk@pingtan.gov.cn"),
    ),
    "words without colons": (
        "联系地址为四平市铁西区海丰大街2118号，邮政编码136000，联系电话0434－3273010，邮箱txzwgk@126.com。",
        Contact("四平市铁西区海丰大街2118号", "136000", "0434-3273010", "txzwgk@126.com"),
    ),
    "phone in brackets and a fax": (
        "地址：某某市人民路1号（市政务服务中心3楼），邮编：100000，电话：（010）12345678，传真：010-87654321，"
        "E-mail：gk@example.cn。",
        Contact("某某市人民路1号（市政务服务中心3楼）", "100000", "（010）12345678", "gk@example.cn"),
    ),
}


@pytest.mark.parametrize("case", CONTACTS, ids=list(CONTACTS))
def test_the_contact_is_read_wherever_the_preamble_prints_it(case: str, tmp_path: Path) -> None:
    sentence, contact = CONTACTS[case]
    base = pingtan_2022()
    preamble = ("本报告根据《中华人民共和国政府信息公开条例》编制，统计期限为2022年1月1日至12月31日。" + sentence,)
    printed = replace(base, preamble=preamble)
    result = read_with_log(write_typed_docx(printed, tmp_path / "report.docx"))
    assert result.report.contact == contact


def test_a_contact_detail_named_but_not_read_is_logged_with_where_the_preamble_stands(tmp_path: Path) -> None:
    base = pingtan_2022()  # address, postcode and phone, and no e-mail: that is not logged
    sentence = "如对本报告有疑问，请联系（电话：0591-23165385；邮箱：ptgk（at）pingtan.gov.cn）。"
    printed = replace(base, preamble=(base.preamble[0], sentence))
    path = write_typed_docx(printed, tmp_path / "report.docx")
    result = read_with_log(path)
    assert result.report.contact == replace(base.report.contact, email="")
    preamble_at = _docx_paragraph_number(path, printed.preamble[0])
    assert [line for line in result.log if "前言" in line] == [
        f"前言写有电子邮箱，但没有读出（第 {preamble_at} 段起），请在联系方式中填写"
    ]
    clean = read_with_log(write_typed_docx(base, tmp_path / "clean.docx"))
    assert not [line for line in clean.log if "前言" in line]


# --- where text came from, in the import log ------------------------------------------------------------


def _docx_paragraph_number(path: Path, starts: str) -> int:
    """The number of the first paragraph with text starting so, counting paragraphs with text."""
    filled = [p.text for p in Document(str(path)).paragraphs if p.text.strip()]
    return next(n for n, text in enumerate(filled, start=1) if text.strip().startswith(starts[:12]))


def test_the_log_says_which_paragraph_a_doubtful_section_came_from_in_a_docx(tmp_path: Path) -> None:
    printed = replace(pingtan_2022(), headings=dict(HEADINGS, s1="一、2022年度政务公开工作概述", s6=""))
    path = write_typed_docx(printed, tmp_path / "report.docx")
    log = read_with_log(path).log
    heading_at = _docx_paragraph_number(path, "一、2022年度政务公开工作概述")
    fee_at = _docx_paragraph_number(path, printed.s6[0])
    assert f"「一、总体情况」的标题按「一、2022年度政务公开工作概述」读入（第 {heading_at} 段）" in log
    assert any("作为六读入" in line and f"第 {fee_at} 段" in line for line in log), log


def test_the_log_says_which_page_and_line_a_doubtful_section_came_from_in_a_pdf(font: str, tmp_path: Path) -> None:
    printed = replace(pingtan_2022(), headings=dict(HEADINGS, s6=""))
    log = read_with_log(write_published_pdf(printed, tmp_path / "report.pdf", font)).log
    six = [line for line in log if "作为六读入" in line]
    assert six and re.search(r"第 \d+ 页第 \d+ 行", six[0]), log


def test_a_clean_report_logs_nothing_about_its_prose(write: Writer) -> None:
    printed = tiexi_2020()
    log = read_with_log(write(printed, Path("report"))).log
    assert not [line for line in log if re.search(r"标题|作为.读入|前言|联系", line)], log
