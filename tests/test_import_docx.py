"""Reading DOCX reports: our own exports back exactly, the official template filled by clerks, broken files."""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from core.checks import ERROR, Finding, validate
from core.nextyear import new_report
from core.numbers import BLANK, Parsed
from core.report import Report
from core.reportfile import ReportFileError, read_report_file
from core.template import load_template
from exports.docx_export import write_docx
from exports.layout import blank_total
from reading.document import ImportResult
from reading.docx_reader import ENCRYPTED_OR_DOC, extract_docx
from reading.formats import read_with_log
from tests.conftest import SAMPLES_DIR, full_report
from tests.docx_fixtures import Fill, cells_of, fill_from_report, numbered_cells, with_sums, write_official_docx

MAIN = Path(__file__).resolve().parents[1] / "main.py"
SAMPLES = {
    "seed": "seed-2020-tiexi.json",
    "pingtan2019": "real/2019_pingtan.json",
    "pingtan2022": "real/2022_pingtan.json",
}
AGENCY = "某某市某某区人民政府办公室"


def _read(path: Path) -> ImportResult:
    return read_with_log(path)


def _lines(text: str) -> str:
    """A text as the exports print it: one paragraph per line, without surrounding spaces."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _errors(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in findings if f.severity == ERROR]


def _as_exported(report: Report) -> Report:
    """The report an export shows: its totals are printed as sums, not as a file once printed them."""
    exported = copy.copy(report)
    exported.printed = {}
    return exported


def _numbered(template_id: str) -> Report:
    """A report whose every input cell holds its own number, so a misplaced value cannot go unseen."""
    year = 2024 if template_id == "2021" else 2020
    report = new_report(AGENCY, year, template_id=template_id)
    report.texts["s1"] = "（一）主动公开。本年主动公开文件3件。\n（二）依申请公开\n正文第三段，含数字2025和Latin字母。"
    report.texts["s2_note"] = f"{year}年本部门政府信息公开发布总数量（非新闻类、消息类）：65条"
    report.texts["s5"] = "存在的问题是培训不足。\n下一步将加强培训。"
    report.texts["s6"] = "本年度未收取信息处理费。"
    report.signature.date = f"{year + 1}-01-20"
    for cell_id, value in numbered_cells(template_id, start=11).items():
        report.set_cell(cell_id, value)
    if template_id == "2021":
        report.set_cell("s2.fees.amount", "12.3456")
    else:
        report.set_cell("s2.procurement.amount", "75394432.52元")
        report.set_cell("s2.licensing.change", -2)
    return report


def _original(key: str) -> Report:
    if key.startswith("numbered"):
        return _numbered(key.removeprefix("numbered"))
    if key == "full2021":
        return full_report("2021")
    return read_report_file(SAMPLES_DIR / SAMPLES[key])


# --- (1) our own exports read back exactly --------------------------------------------------------


@pytest.mark.parametrize("key", ["seed", "pingtan2019", "pingtan2022", "numbered2021", "numbered2019", "full2021"])
def test_our_docx_export_reads_back_exactly(key: str, tmp_path: Path) -> None:
    original = _original(key)
    path = tmp_path / f"{key}.docx"
    # Blank cells print blank (the samples have blanks; printed as 0 they would read back as 0).
    write_docx(original, path, blank_as_zero=False, draft=key == "numbered2019")
    result = _read(path)
    report = result.report

    assert result.log == []
    assert (report.template_id, report.agency, report.year) == (original.template_id, original.agency, original.year)
    assert report.title == (original.title or original.default_title())
    assert report.inputs == original.inputs
    for key_ in ("s1", "s2_note", "s5", "s6"):
        assert report.text(key_) == _lines(original.text(key_)), key_
    assert report.preamble == _lines(original.preamble)
    assert report.signature.date == original.signature.date
    assert report.signature.organ == (original.signature.organ or original.agency)
    totals = original.totals()
    assert set(report.printed) == {c.id for c in original.template.computed_cells}
    # A total of blank cells prints blank beside them (blanks print blank here): it reads back blank.
    assert all(report.printed[c].number == (None if blank_total(original, c) else totals[c]) for c in report.printed)
    assert _errors(validate(report)) == _errors(validate(_as_exported(original)))
    assert report.foreign_cells == {}


def test_our_export_with_blanks_printed_as_zero_reads_zeros(tmp_path: Path) -> None:
    original = read_report_file(SAMPLES_DIR / SAMPLES["seed"])
    path = tmp_path / "seed-zeros.docx"
    write_docx(original, path, blank_as_zero=True)
    report = _read(path).report
    blank_inputs = [c.id for c in original.template.input_cells if c.id not in original.inputs]
    assert blank_inputs and all(report.inputs[c] == Parsed(0, "0") for c in blank_inputs)
    assert all(report.inputs[c] == p for c, p in original.inputs.items())


def test_the_contact_is_read_from_the_preamble(tmp_path: Path) -> None:
    original = read_report_file(SAMPLES_DIR / SAMPLES["seed"])
    path = tmp_path / "seed.docx"
    write_docx(original, path, blank_as_zero=False)
    assert _read(path).report.contact == original.contact


# --- (2) the official template filled by hand -----------------------------------------------------

CLERK_LABELS_2021 = {
    # A line break and a stray space in a label; punctuation and 其它/其他 differences.
    "一、本年新收政府信息公开申请数量": "一、本年新收政府信息\n公开申请数量 ",
    "2.其他法律行政法规禁止公开": "2.其它法律、行政法规禁止公开",
    "2.重复申请": "2．重复申请",
    "本年制发件数": "本年制发\n件数",
    "行政规范性文件": "行政规范性 文件",
    # Typos and a shortened label: read by meaning, and logged.
    "4.保护第三方合法权益": "4.保护第三方合法权利",
    "5.属于三类内部事务信息": "5.属于三类内部事物信息",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "（二）部分公开",
}
CLERK_CELLS_2021 = {
    "s2.regulations.issued": ("１２", Parsed(12, "12")),
    "s2.regulations.repealed": ("1,234", Parsed(1234, "1234")),
    "s2.regulations.in_force": ("5件", Parsed(5, "5")),
    "s2.normative_docs.issued": ("/", BLANK),
    "s2.normative_docs.repealed": ("-", BLANK),
    "s2.normative_docs.in_force": ("", BLANK),
    "s2.licensing.decisions": ("—", BLANK),
    "s2.fees.amount": ("12.5万元", Parsed(Decimal("12.5"), "12.5万元", "万元")),
    "s3.granted.natural": ("３件", Parsed(3, "3")),
    "s3.granted.commercial": ("见附件", Parsed(None, "见附件", None, "「见附件」不是数字")),
    "s3.partially_granted.natural": ("无", BLANK),
}


def _clerk_fill_2021() -> tuple[Fill, dict[str, int]]:
    values = numbered_cells("2021", start=1)
    cells = with_sums("2021", values)
    for cell_id, (text, _) in CLERK_CELLS_2021.items():
        cells[cell_id] = text
    fill = Fill(
        cells=cells,
        labels=CLERK_LABELS_2021,
        title_lines=("某某区人民政府", "２０２４年政府信息公开工作年度报告"),
        s2_note="2024年本部门政府信息公开发布总数量：65条",
        headings={"s5": "五、政府信息公开工作存在的主要问题及改进情况"},
        signature=("某某区人民政府", "二〇二五年一月二十日"),
    )
    return fill, values


def test_a_2021_report_filled_by_hand_reads_cell_for_cell(tmp_path: Path) -> None:
    fill, values = _clerk_fill_2021()
    result = _read(write_official_docx(fill, tmp_path / "手填2021.docx"))
    report = result.report
    assert (report.template_id, report.agency, report.year) == ("2021", "某某区人民政府", 2024)
    assert report.title == "某某区人民政府２０２４年政府信息公开工作年度报告"
    template = load_template("2021")
    for cell in template.input_cells:
        if cell.id in CLERK_CELLS_2021:
            assert report.value(cell.id) == CLERK_CELLS_2021[cell.id][1], cell.id
        else:
            assert report.value(cell.id) == Parsed(values[cell.id], str(values[cell.id])), cell.id
    sums = Report(template_id="2021", agency="x", year=2024)
    for cell_id, value in values.items():
        sums.set_cell(cell_id, value)
    assert {c: p.number for c, p in report.printed.items()} == sums.totals()
    assert report.text("s2_note") == "2024年本部门政府信息公开发布总数量：65条"
    assert report.text("s5") == "存在的主要问题是培训不足。"
    assert report.text("s6") == "本年度未收取信息处理费。"
    assert (report.signature.organ, report.signature.date) == ("某某区人民政府", "2025-01-20")

    log = result.log
    third_party = "「4.保护第三方合法权利」按「三、本年度办理结果 · （三）不予公开 · 4.保护第三方合法权益」读入"
    assert any(third_party in x for x in log)
    assert any("「5.属于三类内部事物信息」按" in x and "5.属于三类内部事务信息」读入" in x for x in log)
    assert any("「（二）部分公开」按" in x for x in log)
    assert any("「见附件」不是有效的数字，按原文读入" in x and "「（一）予以公开」行「商业企业」列" in x for x in log)
    # Differences of spaces, line breaks, punctuation and 其它/其他 are not uncertain: not logged.
    assert not any("其它" in x or "重复申请" in x or "本年新收" in x or "件数" in x for x in log)
    assert len(log) == 4, log


def test_what_a_clerk_typed_wrong_is_reported_by_the_checks(tmp_path: Path) -> None:
    fill, _ = _clerk_fill_2021()
    report = _read(write_official_docx(fill, tmp_path / "手填2021.docx")).report
    findings = validate(report)
    invalid = [f for f in findings if f.rule == "VALUE-INVALID"]
    assert [f.cells for f in invalid] == [("s3.granted.commercial",)]
    # The printed totals of the rows the clerk changed no longer add up: reported, as printed.
    row_totals = {f.cells[0] for f in findings if f.rule == "S3-ROW-TOTAL"}
    assert row_totals == {"s3.granted.total", "s3.partially_granted.total"}


def _clerk_fill_2019() -> tuple[Fill, dict[str, object]]:
    values = numbered_cells("2019", start=1)
    cells = with_sums("2019", values)
    cells.update(
        {
            "s2.licensing.change": "-2",
            "s2.other_services.change": "－3",
            "s2.penalty.change": "+4",
            "s2.procurement.amount": "75,394,432.52元",
            "s2.fees.prev_items": "",
        }
    )
    fill = Fill(
        template_id="2019",
        title_lines=("四平市铁西区人民政府2020年政府信息公开工作年度报告",),
        cells=cells,
        labels={
            "本年新制作数量": "本年新\n制作数量",
            "本年新公开数量": "本年新\n公开数量",
            "其他对外管理服务事项": "其它对外管理服务事项",
            "3.危及“三安全一稳定”": "3.危及\"三安全一稳定\"",
            "1.本机关不掌握相关政府信息": "1.本机关不掌握相关 政府信息",
        },
        s2_note="2020年本行政区域（或本部门）政府信息公开发布总数量（非新闻类、消息类）：65条",
        s2_note_in_table=True,
        headings={"s6": "六、其他需要报告的事项：无。"},
        texts={"s1": ("（一）主动公开方面。……",), "s5": ("问题。",)},
        signature=("四平市铁西区人民政府办公室", "2021年1月15日"),
    )
    expected: dict[str, object] = dict(values)
    expected.update(
        {
            "s2.licensing.change": -2,
            "s2.other_services.change": -3,
            "s2.penalty.change": 4,
            "s2.procurement.amount": Decimal("75394432.52"),
            "s2.fees.prev_items": None,
        }
    )
    return fill, expected


def test_a_2019_report_filled_by_hand_reads_cell_for_cell(tmp_path: Path) -> None:
    fill, expected = _clerk_fill_2019()
    result = _read(write_official_docx(fill, tmp_path / "手填2019.docx"))
    report = result.report
    # The title names the government; the office that signs it made the report.
    assert (report.template_id, report.agency, report.year) == ("2019", "四平市铁西区人民政府办公室", 2020)
    for cell in load_template("2019").input_cells:
        assert report.value(cell.id).number == expected[cell.id], cell.id
    assert report.value("s2.procurement.amount").unit == "元"
    assert report.text("s2_note") == fill.s2_note
    assert report.text("s6") == "无。"
    assert report.text("s5") == "问题。"
    assert (report.signature.organ, report.signature.date) == ("四平市铁西区人民政府办公室", "2021-01-15")
    assert result.log == [f"二、主动公开：表格中的一行文字「{fill.s2_note[:30]}…」作为表格下的说明读入"]
    assert not [f for f in validate(report) if f.rule in ("TEMPLATE-YEAR", "VALUE-INVALID")]


def test_a_2021_report_printing_six_as_one_row_is_read_and_flagged(tmp_path: Path) -> None:
    values = numbered_cells("2021", start=1)
    template = load_template("2021")
    for row_id in ("other_no_correction", "other_unpaid_fee", "other_else"):
        for col in template.s3.applicant_columns:
            values.pop(f"s3.{row_id}.{col.id}")
    one_row = {"natural": 5, "commercial": 0, "research": 0, "social": 1, "legal": 0, "other_org": 2}
    for col, value in one_row.items():
        values[f"s3.other_else.{col}"] = value  # only to print the totals of the file consistently
    cells = with_sums("2021", values)
    fill = Fill(
        cells=cells,
        six_as_one_row=True,
        six_one_row_cells={**{c: str(v) for c, v in one_row.items()}, "total": "8"},
    )
    result = _read(write_official_docx(fill, tmp_path / "六一行.docx"))
    report = result.report
    assert report.template_id == "2021"
    assert {c: report.value(f"s3.other_else.{c}").number for c in one_row} == one_row
    assert report.printed["s3.other_else.total"] == Parsed(8, "8")
    assert not any(k.startswith(("s3.other_no_correction.", "s3.other_unpaid_fee.")) for k in report.inputs)
    assert report.foreign_cells == {**{f"s3.other.{c}": v for c, v in one_row.items()}, "s3.other.total": 8}
    assert any("「（六）其他处理」按2019版（试行）格式只印了一行" in x and "「3.其他」读入" in x for x in result.log)
    findings = validate(report)
    # The file's own arithmetic still checks: its （七）总计 equals the sum of its rows.
    assert not [f for f in findings if f.rule in ("S3-RESULTS-TOTAL", "S3-ROW-TOTAL")]
    assert any(f.rule == "TEMPLATE-YEAR" and "两版格式混用" in f.message for f in findings)


def test_a_table_broken_at_a_page_end_is_read_as_one(tmp_path: Path) -> None:
    values = numbered_cells("2021", start=1)
    fill = Fill(cells=with_sums("2021", values), split_s3_after=14)
    result = _read(write_official_docx(fill, tmp_path / "分页.docx"))
    assert all(result.report.value(c).number == v for c, v in values.items())
    assert result.log == []


def test_labels_of_the_header_rows_are_matched_by_meaning(tmp_path: Path) -> None:
    values = numbered_cells("2021", start=1)
    fill = Fill(
        cells=with_sums("2021", values),
        labels={"法律服务机构": "法律服务\n机构", "结果维持": "结果\n维持", "复议后起诉": "复议后 起诉"},
    )
    report = _read(write_official_docx(fill, tmp_path / "表头.docx")).report
    assert all(report.value(c).number == v for c, v in values.items())


# --- (3) broken inputs ----------------------------------------------------------------------------


def _good_docx() -> bytes:
    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("某某区人民政府2024年政府信息公开工作年度报告")
    document.save(buffer)
    return buffer.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_member(data: bytes, name: str, content: bytes | None) -> bytes:
    """A copy of a zip with one member replaced (or removed when content is None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {i.filename: source.read(i) for i in source.infolist() if i.filename != name}
    if content is not None:
        files[name] = content
    return _zip(files)


def _ole(stream_name: str) -> bytes:
    """The start of an OLE compound file holding a stream of this name (what encrypted OOXML and old
    .doc files are)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + stream_name.encode("utf-16-le") + b"\0" * 512


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


BROKEN = {
    "empty": (lambda: b"", "文件是空的"),
    "text": (lambda: "这不是Word文档".encode(), "不是有效的 Word 文档（.docx）"),
    "truncated": (lambda: _good_docx()[: len(_good_docx()) // 2], "文件不完整或已损坏"),
    "zip-without-document": (lambda: _zip({"readme.txt": b"hello"}), "没有 word/document.xml"),
    "no-content-types": (
        lambda: _with_member(_good_docx(), "[Content_Types].xml", None),
        "缺少必要的部分",
    ),
    "bad-xml": (lambda: _with_member(_good_docx(), "word/document.xml", b"<w:document"), "XML 格式错误"),
    "encrypted": (lambda: _ole("EncryptedPackage"), "文件已加密"),
    "doc-renamed": (lambda: _ole("WordDocument"), "旧版 Word 文档（.doc）"),
    "ole-other": (lambda: _ole("Something"), ENCRYPTED_OR_DOC),
    "xlsx-renamed": (_xlsx, "这是 Excel 工作簿"),
    "html-renamed": (lambda: "<html><body>年度报告</body></html>".encode(), "网页"),
    "rtf-renamed": (lambda: b"{\\rtf1\\ansi hello}", "RTF"),
    "not-a-report": (_good_docx, None),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_gives_a_one_line_chinese_reason(case: str, tmp_path: Path) -> None:
    make, expected = BROKEN[case]
    path = tmp_path / f"{case}.docx"
    path.write_bytes(make())
    if case == "not-a-report":  # a title alone is not enough to be a report's reading, but it is read
        result = _read(path)
        assert result.report.agency == "某某区人民政府"
        assert any("没有找到「三、收到和处理政府信息公开申请情况」的表格" in x for x in result.log)
        return
    with pytest.raises(ReportFileError) as caught:
        _read(path)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and re.search(r"[\u4e00-\u9fff]", message)


def test_a_document_without_title_or_request_table_is_not_a_report(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("会议纪要")
    document.add_paragraph("一、总体情况")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    path = tmp_path / "纪要.docx"
    document.save(str(path))
    with pytest.raises(ReportFileError, match=r"^不是政府信息公开工作年度报告："):
        _read(path)


def test_a_report_framed_in_a_one_cell_table_is_read_from_inside_it(tmp_path: Path) -> None:
    inner = tmp_path / "inner.docx"
    write_docx(full_report("2021"), inner)
    document = Document(str(inner))
    body = document.element.body
    frame = document.add_table(rows=1, cols=1)
    cell = frame.cell(0, 0)._tc
    for child in list(body):
        if child.tag.endswith(("}p", "}tbl")) and child is not frame._tbl:
            cell.append(child)
    path = tmp_path / "framed.docx"
    document.save(str(path))
    result = _read(path)
    assert result.report.inputs == full_report("2021").inputs
    assert result.report.text("s5") == full_report("2021").text("s5")


def test_extract_keeps_merged_cells_once_with_their_spans(tmp_path: Path) -> None:
    document = Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "竖"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "横"
    table.cell(1, 1).text = "a"
    table.cell(1, 2).paragraphs[0].text = "第一行"
    table.cell(1, 2).add_paragraph("第二行")
    table.cell(2, 1).merge(table.cell(2, 2))
    path = tmp_path / "merged.docx"
    document.save(str(path))
    extracted = extract_docx(path)
    assert extracted.tables[0].rows == [["竖", "横"], ["a", "第一行\n第二行"], [""]]
    assert extracted.tables[0].spans == [[(3, 1), (1, 2)], [(1, 1), (1, 1)], [(1, 2)]]
    assert extracted.source == "docx"


# --- (4) the seed, with its printed blank totals, and the command line ----------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MAIN), *args], capture_output=True, text=True, encoding="utf-8", timeout=120
    )


@pytest.fixture
def seed_docx(tmp_path: Path) -> Path:
    seed = read_report_file(SAMPLES_DIR / SAMPLES["seed"])
    return write_official_docx(fill_from_report(seed, s2_note_in_table=True, signature=()), tmp_path / "铁西区.docx")


def test_the_seed_as_a_docx_with_its_blank_totals_gives_exactly_its_errors(seed_docx: Path, tmp_path: Path) -> None:
    seed = read_report_file(SAMPLES_DIR / SAMPLES["seed"])
    report = _read(seed_docx).report
    assert report.inputs == seed.inputs and report.printed == seed.printed
    assert cells_of(report) == cells_of(seed)
    done = _run("check", "--json", "--db", str(tmp_path / "db.sqlite3"), str(seed_docx))
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)[0]["findings"]
    errors = [(f["rule"], f["message"]) for f in findings if f["severity"] == ERROR]
    assert errors == _errors(validate(seed))
    assert sorted(rule for rule, _ in errors) == ["S3-BALANCE", "S3-BALANCE", "S3-RESULTS-TOTAL", "S3-RESULTS-TOTAL"]
    assert all("「自然人」列" in m or "「总计」列" in m for _, m in errors)


def test_a_report_leaving_every_row_total_blank_is_reported_once_per_blank(tmp_path: Path) -> None:
    """Shaped like a real 2019 report: the clerk left every row's 总计 blank but printed the
    （七）总计 row in full, and every column balances (72 carried over, 805 handled, 877 in all).
    Each blank 总计 is reported once, by S3-ROW-TOTAL; nothing the real numbers do not support
    (no S3-BALANCE "0 + 72 ≠ 877", no S3-RESULTS-TOTAL "805 ≠ 0") cascades from them."""
    report = full_report("2019", 2019, carried_over=12, carried_forward=12)
    cells = cells_of(report)
    assert cells["s3.carried_over.total"] == "72"
    blanked = [f"s3.{r.id}.total" for r in report.template.s3.rows if r.id != "total_processed"]
    for cell_id in blanked:
        cells[cell_id] = ""
    path = write_official_docx(fill_from_report(report, cells=cells), tmp_path / "总计空白.docx")
    read = _read(path).report
    assert all(read.printed[c].is_blank for c in blanked)
    findings = validate(read)
    assert [f.rule for f in findings if f.rule in ("S3-BALANCE", "S3-RESULTS-TOTAL")] == []
    row_totals = [f for f in findings if f.rule == "S3-ROW-TOTAL"]
    nonzero = [c for c in blanked if read.totals()[c] != 0]
    assert sorted(f.cells[0] for f in row_totals) == sorted(nonzero) and len(nonzero) > 10
    assert all("总计印为 空白" in f.message for f in row_totals)
    blank_cell = [f for f in findings if f.rule == "BLANK-CELL"]
    assert not set(nonzero) & {c for f in blank_cell for c in f.cells}  # not reported a second time


def test_check_import_and_export_accept_a_docx(seed_docx: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    good = tmp_path / "完整.docx"
    write_docx(full_report("2021"), good)
    done = _run("check", "--db", db, str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "某某区人民政府" in done.stdout

    done = _run("import", "--db", db, str(seed_docx))
    assert done.returncode == 0, done.stderr
    assert "已导入 四平市铁西区人民政府 2020 年度报告" in done.stdout

    out = tmp_path / "铁西区.json"
    done = _run("export", "--db", db, str(seed_docx), "--to", str(out))
    assert done.returncode == 0, done.stderr
    exported = read_report_file(out)
    seed = read_report_file(SAMPLES_DIR / SAMPLES["seed"])
    assert exported.inputs == seed.inputs and exported.printed == seed.printed


def test_check_of_a_broken_docx_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(_good_docx()[:300])
    done = _run("check", "--db", str(tmp_path / "db.sqlite3"), str(bad))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{bad}：无法读取：文件不完整或已损坏")
    db = str(tmp_path / "db.sqlite3")
    before = _run("list", "--db", db).stdout
    done = _run("import", "--db", db, str(bad))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert _run("list", "--db", db).stdout == before  # nothing stored
