"""PDF reader: tables rebuilt from positioned text (every cell once, with its span, in the right column),
paragraphs, page furniture left out, tables joined across pages; broken files refused in one line;
our own exports and PDFs drawn in other layouts read back."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
import pytest
from reportlab.pdfgen.canvas import Canvas

from core.checks import validate
from core.report import Report
from core.reportfile import ReportFileError, dumps, read_report_file
from exports.fonts import FontSet, register
from exports.layout import Layout, build_layout
from exports.pdf_export import write_pdf
from reading.formats import read_with_log
from reading.pdf_reader import ENCRYPTED, SCANNED, TRUNCATED, UNMAPPED, _clean, _join, _normal_char, extract_pdf
from reading.scan import NO_TEXT, OCR_MISSING, ocr_available
from tests.conftest import SAMPLE_NAMES, SAMPLES_DIR, libreoffice_to_pdf, require_tool
from tests.pdf_fixtures import (
    Style,
    distinct_report,
    draw_columns,
    draw_report,
    encrypted_copy,
    expected_paragraphs,
    expected_rows,
    extracted_rows,
    garbage_pdf_bytes,
    image_only_pdf,
    squeeze,
    unmapped_font_pdf,
)

ROOT = Path(__file__).resolve().parents[1]
OFFICE_DIR = SAMPLES_DIR / "office"  # PDFs LibreOffice printed from our DOCX exports


@pytest.fixture(scope="module")
def font(fonts: FontSet) -> str:
    return register(fonts)["song"]


@dataclass
class Case:
    report: Report
    layout: Layout
    pdf: Path


def _sample(name: str) -> Report:
    return read_report_file(SAMPLES_DIR / name)


EXPORTS = {
    "seed-2019": lambda: _sample(SAMPLE_NAMES[0]),
    "pingtan-2019": lambda: _sample(SAMPLE_NAMES[1]),
    "pingtan-2021": lambda: _sample(SAMPLE_NAMES[2]),
    "distinct-2021": lambda: distinct_report("2021"),
    "distinct-2019": lambda: distinct_report("2019"),
}


@pytest.fixture(scope="module")
def exported(fonts: FontSet, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Our own PDF export of each report (blanks printed blank, so they read back blank), and one with
    the 草稿 watermark across every page."""
    folder = tmp_path_factory.mktemp("exports")
    cases: dict[str, Case] = {}
    for name, make in EXPORTS.items():
        report = make()
        path = folder / f"{name}.pdf"
        write_pdf(report, path, blank_as_zero=False, fonts=fonts)
        cases[name] = Case(report, build_layout(report, blank_as_zero=False), path)
    report = distinct_report("2021")
    write_pdf(report, folder / "draft.pdf", draft=True, fonts=fonts)
    cases["distinct-2021-draft"] = Case(report, build_layout(report, draft=True), folder / "draft.pdf")
    return cases


@pytest.fixture(scope="module")
def drawn(font: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Reports drawn in another layout: smaller type, other margins, a running header, page numbers
    "- 2 -" or "第 2 页", 三 broken over pages inside its merged labels with the header repeated (as Word
    prints it); and the same reports with no ruling lines at all."""
    folder = tmp_path_factory.mktemp("drawn")
    cases: dict[str, Case] = {}
    styles = {
        "2021": Style(running_header="某某县市场监督管理局政府信息公开工作年度报告", page_label=lambda n: f"- {n} -"),
        "2019": Style(page_label=lambda n: f"第 {n} 页", body_size=13, leading=24, cell_size=9.5),
    }
    for template_id, style in styles.items():
        report = distinct_report(template_id)
        layout = build_layout(report)
        path = folder / f"drawn-{template_id}.pdf"
        draw_report(path, layout, font, style, break_before={"s3": [14]})
        cases[f"drawn-{template_id}"] = Case(report, layout, path)
        path = folder / f"unruled-{template_id}.pdf"
        draw_report(path, layout, font, Style(ruled=False))
        cases[f"unruled-{template_id}"] = Case(report, layout, path)
    return cases


def _assert_extracted_as_laid_out(case: Case) -> None:
    doc = extract_pdf(case.pdf)
    paragraphs, positions = expected_paragraphs(case.layout)
    assert doc.source == "pdf"
    assert [squeeze(p) for p in doc.paragraphs] == paragraphs
    assert doc.table_positions == positions
    assert len(doc.tables) == len(case.layout.tables) == 3
    for table, laid_out in zip(doc.tables, case.layout.tables, strict=True):
        assert extracted_rows(table.rows, table.spans) == expected_rows(laid_out), laid_out.id
    s3 = doc.tables[1]
    width = sum(colspan for _, colspan in s3.spans[3])
    assert (len(s3.rows), width) == ((28, 10) if case.report.template_id == "2021" else (26, 10))


# ------------------------------------------------------------------------------------------ extraction


@pytest.mark.parametrize("name", [*EXPORTS, "distinct-2021-draft"])
def test_our_exports_extract_cell_for_cell(exported: dict[str, Case], name: str) -> None:
    _assert_extracted_as_laid_out(exported[name])


@pytest.mark.parametrize("name", ["drawn-2021", "drawn-2019"])
def test_other_layout_with_split_table_extracts_cell_for_cell(drawn: dict[str, Case], name: str) -> None:
    case = drawn[name]
    with pdfplumber.open(case.pdf) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    # The fixture is what it claims: 三's header printed on more than one page, page numbers, header lines.
    assert sum("申请人情况" in text for text in pages) >= 2
    label = "- 2 -" if name.endswith("2021") else "第 2 页"
    assert label in pages[1]
    _assert_extracted_as_laid_out(case)


def test_table_without_ruling_lines_keeps_numbers_in_their_columns(font: str, tmp_path: Path) -> None:
    path = tmp_path / "columns.pdf"
    draw_columns(
        path, font, "二、主动公开政府信息情况（本表没有表格线）。",
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        [
            ["规章", "3", "", "15"],
            ["行政规范性文件", "", "7", "1,204"],
            [("其他对外管理", "服务事项"), "12", "", ""],
            ["行政许可", "0", "22", "5"],
        ],
        "以上数字截至2023年12月31日。",
        widths=[150, 100, 100, 100],
    )
    doc = extract_pdf(path)
    assert doc.paragraphs == ["二、主动公开政府信息情况（本表没有表格线）。", "以上数字截至2023年12月31日。"]
    assert doc.table_positions == [1]
    (table,) = doc.tables
    assert table.rows == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "3", "", "15"],
        ["行政规范性文件", "", "7", "1,204"],
        ["其他对外管理服务事项", "12", "", ""],
        ["行政许可", "0", "22", "5"],
    ]
    assert all(span == (1, 1) for row in table.spans for span in row)


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_report_without_ruling_lines_keeps_numbers_in_their_columns(drawn: dict[str, Case], template_id: str) -> None:
    case = drawn[f"unruled-{template_id}"]
    doc = extract_pdf(case.pdf)
    assert [squeeze(p) for p in doc.paragraphs] == expected_paragraphs(case.layout)[0]
    s2, s3, s4 = case.layout.tables

    def numbers(row: list[str], count: int) -> list[str]:
        return [squeeze(text) for text in row[-count:]]

    rows = [row for table in doc.tables for row in table.rows]
    # 四: the fifteen numbers in their fifteen columns.
    assert numbers(rows[-1], 15) == [text for text, _ in expected_rows(s4)[-1]]
    # 三: every row's seven numbers, in the order of the columns (a label may take the rows around it).
    wanted = [[text for text, _ in row[-7:]] for row in expected_rows(s3)[3:]]
    found = [numbers(row, 7) for row in rows]
    missing = [row for row in wanted if row not in found]
    assert missing == []
    # 二: the first block's numbers under their three headings.
    for row in expected_rows(s2)[2:4]:
        assert [text for text, _ in row] in [[squeeze(t) for t in r] for r in rows]


def test_spacing_and_odd_code_points_are_normalised() -> None:
    assert _clean("政 府  信息 公开 2023 年 Excel  表格") == "政府信息公开2023年Excel表格"
    assert _clean("see  www.gov.cn  now") == "see www.gov.cn now"
    assert _join("本年新", "制作数量") == "本年新制作数量"
    assert _join("1535", "0") == "15350"
    assert _join("open", "data") == "open data"
    assert _normal_char("⼀⼆\u3000") == "一二 "  # Kangxi radicals as the ideographs they look like


def test_owner_password_only_reads_like_an_open_pdf(exported: dict[str, Case], tmp_path: Path) -> None:
    """Many portals publish PDFs that forbid editing but open without a password: those are read."""
    locked = tmp_path / "locked.pdf"
    encrypted_copy(exported["pingtan-2021"].pdf, locked, user_password="")
    assert extract_pdf(locked) == extract_pdf(exported["pingtan-2021"].pdf)


@pytest.fixture(scope="module")
def office_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Our DOCX exports printed to PDF by this machine's LibreOffice, as a clerk's office suite would:
    its own line breaking, fonts and table drawing, a merged cell broken by the page."""
    require_tool("soffice")
    from exports.docx_export import write_docx

    folder = tmp_path_factory.mktemp("office")
    cases: dict[str, Case] = {}
    for name, report in (("office-2021", distinct_report("2021")), ("office-2019", distinct_report("2019"))):
        write_docx(report, folder / f"{name}.docx", blank_as_zero=False)
        cases[name] = Case(report, build_layout(report, blank_as_zero=False), folder / f"{name}.pdf")
    result = libreoffice_to_pdf((folder / f"{name}.docx" for name in cases), folder, folder / "profile")
    missing = [name for name, case in cases.items() if not case.pdf.is_file()]
    assert not missing, f"LibreOffice did not convert {missing}: {result.stdout}{result.stderr}"
    return cases


def _office_fixture(name: str) -> Case:
    """A PDF LibreOffice printed from our DOCX export, kept in tests/data/office with the report file
    it was made from (scripts/make_office_fixtures.py makes them again)."""
    report = read_report_file(OFFICE_DIR / f"{name.removesuffix('-s2break')}.json")
    return Case(report, build_layout(report, blank_as_zero=False), OFFICE_DIR / f"{name}.pdf")


# office-<template>: 三 cut by the page inside its merged labels; -s2break: the margin made larger so
# that 二 breaks between a block's header row and its row (what Noto CJK's line heights do).
OFFICE_FIXTURES = ["office-2021", "office-2019", "office-2021-s2break", "office-2019-s2break"]


def _plumbed_tables(path: Path) -> list[list[list[list[str | None]]]]:
    """Each page's tables as pdfplumber (pdfminer, not our reader) finds them: an independent look."""
    with pdfplumber.open(path) as pdf:
        return [[table.extract() for table in page.find_tables()] for page in pdf.pages]


@pytest.mark.parametrize("name", ["office-2021", "office-2019"])
def test_kept_office_pdf_cuts_a_merged_label_at_the_page_break(name: str) -> None:
    """The fixture is what it claims: 三 goes on at the head of a page with the rest of its merged
    "三、本年度办理结果" cell, printed empty under the repeated header."""
    pages = _plumbed_tables(OFFICE_DIR / f"{name}.pdf")
    continued = [
        tables[0] for tables in pages[1:]
        if tables and (tables[0][0][0] or "").startswith("（本列数据") and "申请人情况" not in str(tables[0][3])
    ]
    assert any(rows[3][0] == "" for rows in continued), [rows[3] for rows in continued]


@pytest.mark.parametrize("name", ["office-2021-s2break", "office-2019-s2break"])
def test_kept_office_pdf_breaks_s2_between_a_header_row_and_its_row(name: str) -> None:
    pages = _plumbed_tables(OFFICE_DIR / f"{name}.pdf")
    breaks = [
        (before[-1][-1][0], after[0][0][0])
        for before, after in itertools.pairwise(pages)
        if before and after
    ]
    assert any(last == "信息内容" and first and first != "信息内容" for last, first in breaks), breaks


@pytest.mark.needs_tool("soffice")
@pytest.mark.parametrize("name", ["office-2021", "office-2019"])
def test_pdf_printed_by_an_office_suite_extracts_cell_for_cell(office_pdfs: dict[str, Case], name: str) -> None:
    _assert_extracted_as_laid_out(office_pdfs[name])


@pytest.mark.parametrize("name", OFFICE_FIXTURES)
def test_kept_office_pdf_extracts_cell_for_cell(name: str) -> None:
    """LibreOffice 7.4's prints: the rest of a cut merged cell joins it; where 二 breaks between a
    block's header row (信息内容 …) and its row, the two labels stay two rows, and the row's numbers
    (政府集中采购 1471 1777.47 in the case the issue tells of) stay in it."""
    _assert_extracted_as_laid_out(_office_fixture(name))


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_kept_office_pdfs_are_made_from_the_reports_the_builder_gives(template_id: str) -> None:
    """The report builder is deterministic, and the kept PDFs were made from what it gives now (else
    run scripts/make_office_fixtures.py again)."""
    assert dumps(distinct_report(template_id)) == dumps(distinct_report(template_id))
    kept = (OFFICE_DIR / f"office-{template_id}.json").read_text(encoding="utf-8")
    assert kept == dumps(distinct_report(template_id)), "run scripts/make_office_fixtures.py"


@pytest.mark.parametrize("breaks", [[17], [7, 17], [3, 11]])
def test_page_break_between_two_one_row_labels_keeps_them_two_rows(
    font: str, tmp_path: Path, breaks: list[int]
) -> None:
    """二 broken by the page between a block's header row and its row (信息内容 / 政府集中采购) or
    between two rows (行政许可 / 其他对外管理服务事项): neither label is taken as the rest of the other."""
    report = distinct_report("2019")
    layout = build_layout(report)
    path = tmp_path / "broken-s2.pdf"
    draw_report(path, layout, font, Style(), break_before={"s2": breaks})
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= len(breaks) + 2
    _assert_extracted_as_laid_out(Case(report, layout, path))


# ---------------------------------------------------------------------------------------- broken files


def _broken(kind: str, source: Path, folder: Path) -> Path:
    path = folder / f"{kind}.pdf"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(os.urandom(2048))
    elif kind == "docx":
        path.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    elif kind == "damaged":
        path.write_bytes(garbage_pdf_bytes())
    elif kind == "truncated":
        data = source.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "encrypted":
        encrypted_copy(source, path, user_password="secret")
    elif kind == "scanned":
        image_only_pdf(path)
    elif kind == "unmapped":
        path.write_bytes(unmapped_font_pdf())
    return path


BROKEN = {
    "empty": "文件是空的",
    "garbage": "不是 PDF 文件",
    "docx": "不是 PDF 文件（内容是压缩包或 Word 文档，请检查文件扩展名）",
    "damaged": "PDF 文件已损坏，无法读取",
    "truncated": TRUNCATED,
    "encrypted": ENCRYPTED,
    "scanned": SCANNED,
    "unmapped": UNMAPPED,
}


@pytest.mark.parametrize(("kind", "message"), BROKEN.items())
def test_broken_file_is_refused_in_one_line(exported: dict[str, Case], tmp_path: Path, kind: str, message: str) -> None:
    path = _broken(kind, exported["seed-2019"].pdf, tmp_path)
    with pytest.raises(ReportFileError) as caught:
        extract_pdf(path)
    assert str(caught.value) == message
    assert "\n" not in message


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError, match=r"^文件不存在$"):
        extract_pdf(tmp_path / "nowhere.pdf")


@pytest.mark.parametrize("kind", ["encrypted", "scanned", "unmapped"])
def test_check_command_names_the_reason_in_one_line(
    exported: dict[str, Case], tmp_path: Path, kind: str
) -> None:
    path = _broken(kind, exported["seed-2019"].pdf, tmp_path)
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "check", str(path)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    # A scan goes on to OCR (reading/scan.py): these pages are stripes without a word on them.
    expected = BROKEN[kind] if kind != "scanned" else (NO_TEXT if ocr_available() else OCR_MISSING)
    assert str(path) in line and expected in line


# ------------------------------------------------------------------------------ read back as a report


def _errors(report: Report) -> list[tuple[str, tuple[str, ...], str]]:
    return sorted((f.rule, tuple(f.cells), f.message) for f in validate(report) if f.severity == "error")


def _assert_reads_back(case: Case) -> None:
    original = case.report
    result = read_with_log(case.pdf)
    report = result.report
    title = original.title or original.default_title()
    assert (report.template_id, report.title, report.year) == (original.template_id, title, original.year)
    if title == original.default_title():
        assert report.agency == original.agency
    else:  # the seed's title names the government, its signature the office: either is what it printed
        assert report.agency in (original.agency, title.split(str(original.year))[0])
    assert report.inputs == original.inputs
    # The export prints the sums in the total cells: they come back as printed, never as inputs.
    totals = original.totals()
    assert set(report.printed) == set(totals)
    # A total of blank cells prints blank beside them when blanks print blank: it reads back blank.
    shown = {c.cell_id: c.text for table in case.layout.tables for c in table.cells if c.cell_id}
    expected = {c: (None if shown[c] == "" else n) for c, n in totals.items()}
    assert {cell_id: parsed.number for cell_id, parsed in report.printed.items()} == expected
    for key in ("s1", "s2_note", "s5", "s6"):
        assert squeeze(report.text(key)) == squeeze(original.text(key)), key
    # The same errors as the original, as exported: with the sums in its total cells (the seed's file
    # keeps the blanks its publisher printed there, which the export does not reproduce).
    assert _errors(report) == _errors(replace(original, printed={}))


@pytest.mark.parametrize("name", [*EXPORTS, "distinct-2021-draft"])
def test_our_exports_read_back_exactly(exported: dict[str, Case], name: str) -> None:
    _assert_reads_back(exported[name])


@pytest.mark.parametrize("name", ["drawn-2021", "drawn-2019", "unruled-2019"])
def test_other_layouts_read_back_exactly(drawn: dict[str, Case], name: str) -> None:
    _assert_reads_back(drawn[name])


@pytest.mark.needs_tool("soffice")
@pytest.mark.parametrize("name", ["office-2021", "office-2019"])
def test_pdf_printed_by_an_office_suite_reads_back_exactly(office_pdfs: dict[str, Case], name: str) -> None:
    _assert_reads_back(office_pdfs[name])


@pytest.mark.parametrize("name", OFFICE_FIXTURES)
def test_kept_office_pdf_reads_back_exactly(name: str) -> None:
    _assert_reads_back(_office_fixture(name))


def test_what_cannot_be_placed_is_left_out_and_logged(drawn: dict[str, Case]) -> None:
    """Without ruling lines, 三's merged group labels run into the rows beside them: a row that cannot
    be told with confidence is not guessed. Every number that is read is right."""
    case = drawn["unruled-2021"]
    result = read_with_log(case.pdf)
    read = result.report.inputs
    assert read, "the tables were read"
    assert {k: v for k, v in read.items() if case.report.inputs.get(k) != v} == {}
    if len(read) < len(case.report.inputs):
        assert result.log


def test_an_opening_mark_moves_to_the_next_line_with_the_latin_word_after_it() -> None:
    # What a line breaker cannot split off the start of a line decides whether the line before ended
    # early (a new paragraph) or only had no room for it: "（www.pingtan.gov.cn）" moves whole.
    from reading.pdf_reader import _Char, _first_unit_width, _Line

    def line(text: str) -> _Line:
        chars, x = [], 0.0
        for ch in text:
            width = 16.0 if ch >= "\u2000" else 8.0
            chars.append(_Char(ch, x, x + width, 0.0, 16.0, 16.0))
            x += width
        return _Line(chars, 1)

    assert _first_unit_width(line("（www.pingtan.gov.cn）的")) == 16 + 18 * 8 + 16
    assert _first_unit_width(line("（一）主动公开")) == 3 * 16
    assert _first_unit_width(line("2019年")) == 4 * 8
    assert _first_unit_width(line("公开。")) == 16


# --------------------------------------------------------------------- page joins by the ruling lines


def _row_cut_by_the_page(path: Path, font: str, *, open_break: bool) -> None:
    """二's rows near the foot of page 1; the third row split by the page break as Word splits a row:
    its label begun at the foot ("行政规范性"), the rest of the label and the row's numbers (set in the
    middle of the row) at the head of page 2. With `open_break` the break is left open (no bottom rule
    under the cut row, no top rule above its rest), else it is closed like every other row."""
    canvas = Canvas(str(path), pagesize=(595, 842), invariant=1)
    xs = [70.0, 250.0, 370.0, 490.0]

    def row(top: float, texts: list[str], *, rule_above: bool = True, rule_below: bool = True) -> None:
        bottom = top - 20
        canvas.setLineWidth(0.5)
        for y, drawn in ((top, rule_above), (bottom, rule_below)):
            if drawn:
                canvas.line(xs[0], y, xs[-1], y)
        for x in xs:
            canvas.line(x, top, x, bottom)
        canvas.setFont(font, 10.5)
        for x0, text in zip(xs, texts, strict=False):
            canvas.drawString(x0 + 4, bottom + 6, text)

    canvas.setFont(font, 16)
    canvas.drawString(70, 760, "二、主动公开政府信息情况")
    row(140, ["信息内容", "本年新制作数量", "对外公开总数量"])
    row(120, ["规章", "3", "15"])
    row(100, ["行政规范性", "", ""], rule_above=False, rule_below=not open_break)
    canvas.showPage()
    row(780, ["文件", "7", "1,204"], rule_above=not open_break, rule_below=False)
    row(760, ["行政许可", "0", "5"])
    canvas.setFont(font, 16)
    canvas.drawString(70, 700, "三、收到和处理政府信息公开申请情况")
    canvas.save()


def test_a_cell_left_open_at_the_page_break_goes_on_on_the_next_page(font: str, tmp_path: Path) -> None:
    """Bottom rule missing at the foot of the page and top rule missing at the head of the next: the
    row was cut by the page, its parts are one row (the numbers under the break belong to it)."""
    path = tmp_path / "open.pdf"
    _row_cut_by_the_page(path, font, open_break=True)
    (table,) = extract_pdf(path).tables
    assert table.rows == [
        ["信息内容", "本年新制作数量", "对外公开总数量"],
        ["规章", "3", "15"],
        ["行政规范性文件", "7", "1,204"],
        ["行政许可", "0", "5"],
    ]


def test_rows_closed_at_the_page_break_stay_apart(font: str, tmp_path: Path) -> None:
    """The same text with the break ruled on both pages: two rows, each as printed; the label at the
    head of the page is not run into the one above because the text would read on."""
    path = tmp_path / "closed.pdf"
    _row_cut_by_the_page(path, font, open_break=False)
    (table,) = extract_pdf(path).tables
    assert table.rows[2:] == [["行政规范性", "", ""], ["文件", "7", "1,204"], ["行政许可", "0", "5"]]


# ------------------------------------------------------------------------------- where text stands


def test_each_paragraph_says_on_which_page_and_line_it_starts(font: str, tmp_path: Path) -> None:
    """Places count the lines of text on the page (page numbers left out); a paragraph wrapped over
    lines is one paragraph with no space where CJK lines meet."""
    path = tmp_path / "places.pdf"
    canvas = Canvas(str(path), pagesize=(595, 842), invariant=1)
    size, left = 12.0, 70.0
    full = 36  # characters on a full line

    def page_number(n: int) -> None:
        canvas.setFont(font, 10.5)
        canvas.drawCentredString(297, 40, f"- {n} -")

    canvas.setFont(font, 18)
    canvas.drawCentredString(297, 780, "某某县政府信息公开工作年度报告")
    lines = [
        (left + 2 * size, "本年度报告根据条例编制，全文包括总体情况、主动公开政府信息情况、收到和"[: full - 2]),
        (left, "处理政府信息公开申请情况、行政复议和行政诉讼情况、存在的主要问题及改进情况"[:full]),
        (left, "和其他需要报告的事项。"),
        (left + 2 * size, "一、总体情况"),
    ]
    y = 740.0
    canvas.setFont(font, size)
    for x, text in lines:
        canvas.drawString(x, y, text)
        y -= 24
    page_number(1)
    canvas.showPage()
    canvas.setFont(font, size)
    canvas.drawString(left + 2 * size, 780, "本年度主动公开政府信息一百条。")
    canvas.drawString(left + 2 * size, 756, "本年度未收取信息处理费。")
    page_number(2)
    canvas.save()
    doc = extract_pdf(path)
    assert doc.paragraphs == [
        "某某县政府信息公开工作年度报告",
        lines[0][1] + lines[1][1] + lines[2][1],
        "一、总体情况",
        "本年度主动公开政府信息一百条。",
        "本年度未收取信息处理费。",
    ]
    assert doc.places == ["第 1 页第 1 行", "第 1 页第 2 行", "第 1 页第 5 行", "第 2 页第 1 行", "第 2 页第 2 行"]
    assert doc.place(3) == "第 2 页第 1 行" and doc.place(9) == ""


@pytest.mark.parametrize("name", OFFICE_FIXTURES)
def test_every_paragraph_of_a_kept_office_pdf_has_a_place(name: str) -> None:
    doc = extract_pdf(OFFICE_DIR / f"{name}.pdf")
    assert len(doc.places) == len(doc.paragraphs)
    pages = [int(place.split()[1]) for place in doc.places]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] >= 3
