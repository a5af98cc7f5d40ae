"""Strings and structures at the boundary (core/cleantext.py, core/reportfile.py, core/edits.py,
reading/limits.py): what no export could write is refused, replaced or removed where it comes in, so
check, import and export never crash on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli import run as run_cli
from core.cleantext import REPLACEMENT, replace_unwanted, unwanted_character
from core.edits import InvalidEdit, cell_edit, field_edit
from core.reportfile import ReportFileError, loads, read_report_file
from exports import ExportOptions, export_report
from reading.document import ExtractedDocument, ExtractedTable, ImportResult
from reading.limits import bound_fields, clean_document
from tests.conftest import SAMPLES_DIR

PINGTAN = SAMPLES_DIR / "real" / "2022_pingtan.json"


def base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PINGTAN.read_text(encoding="utf-8"))
    return data


def cli(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = run_cli([str(a) for a in args], start_app=lambda _db: 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, err


def test_a_number_beyond_decimal_is_kept_as_an_invalid_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = base()
    data["cells"]["s3.new.natural"] = "@"
    text = json.dumps(data, ensure_ascii=False).replace('"@"', "1e-99999999999999999999")
    report = loads(text)
    value = report.value("s3.new.natural")
    assert value.error is not None and value.text == "1e-99999999999999999999"
    source = tmp_path / "r.json"
    source.write_text(text, encoding="utf-8")
    status, _ = cli("--db", tmp_path / "db", "check", source, capsys=capsys)
    assert status == 1  # VALUE-INVALID, an error finding, not a crash
    status, _ = cli("--db", tmp_path / "db", "export", source, "--to", tmp_path / "back.json", capsys=capsys)
    assert status == 0
    assert "1e-99999999999999999999" in (tmp_path / "back.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(agency=d["agency"] + "\ud800"), ["agency", "代理项"]),
        (lambda d: d["sections"].update(s1="正文\udfff"), ["sections.s1", "代理项"]),
        (lambda d: d.update(agency="某\x00机关"), ["agency", "控制字符"]),
        (lambda d: d["cells"].update({"s3.new.natural": "1\x07"}), ["s3.new.natural", "控制字符"]),
        (lambda d: d.update({"\ud800key": 1}), ["代理项"]),
        (lambda d: d.update(title="标" * 256), ["标题过长", "256"]),
        (lambda d: d.update(agency="机" * 201), ["机关名称过长"]),
    ],
)
def test_strings_no_export_can_write_refuse_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, words: list[str]
) -> None:
    data = base()
    change(data)
    source = tmp_path / "r.json"
    source.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    with pytest.raises(ReportFileError) as info:
        read_report_file(source)
    message = str(info.value)
    assert "\n" not in message and all(w in message for w in words), message
    for command in (["check", source], ["import", source], ["export", source, "--to", tmp_path / "x.docx"]):
        status, err = cli("--db", tmp_path / "db", *command, capsys=capsys)
        assert status == 2 and "无法读取" in err
    assert not (tmp_path / "x.docx").exists()


def test_deep_nesting_is_refused_before_it_is_written_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = base()
    deep: list[Any] = []
    inner = deep
    for _ in range(900):
        inner.append([])
        inner = inner[0]
    data["extension"] = deep
    source = tmp_path / "deep.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    for target in ("x.json", "x.pdf"):
        status, err = cli("--db", tmp_path / "db", "export", source, "--to", tmp_path / target, capsys=capsys)
        assert status == 2 and "嵌套" in err
    data["extension"] = {"a": {"b": {"c": [1, 2, {"d": "kept"}]}}}  # modest nesting is kept
    source.write_text(json.dumps(data), encoding="utf-8")
    assert read_report_file(source).extra["extension"]["a"]["b"]["c"][2] == {"d": "kept"}


def test_a_stored_report_with_bad_strings_still_exports(tmp_path: Path) -> None:
    report = read_report_file(PINGTAN)
    report.agency = "某\x00机关\ud800"
    report.title = "很长的标题" * 60  # 300 characters: more than a DOCX core property holds
    report.texts["s1"] = "正文\x0c第二页\r\n下一段"
    for suffix in (".docx", ".html", ".json"):
        export_report(report, tmp_path / f"r{suffix}", ExportOptions(draft=True))
    again = read_report_file(tmp_path / "r.json")
    assert again.agency == f"某机关{REPLACEMENT}"
    assert again.text("s1") == "正文第二页\n下一段"


def test_typed_text_loses_control_characters_and_over_long_text_is_refused() -> None:
    assert field_edit("title", "标题\x00\x1b").text == "标题"
    assert field_edit("s1", "一\r\n二\t三").text == "一\n二\t三"
    with pytest.raises(InvalidEdit, match="标题过长"):
        field_edit("title", "标" * 201)
    report = read_report_file(PINGTAN)
    assert cell_edit(report.template, "s3.new.natural", "12\x00").value.text == "12"


def test_what_a_reader_extracted_is_cleaned_and_bounded() -> None:
    document = ExtractedDocument(
        ["第一段\x00", "代理\ud800项"], [ExtractedTable(rows=[["单元\x1f格", "1"]], spans=[[(1, 1), (1, 1)]])]
    )
    clean_document(document)
    assert document.paragraphs == ["第一段", f"代理{REPLACEMENT}项"]
    assert document.tables[0].rows == [["单元格", "1"]]
    report = read_report_file(PINGTAN)
    report.title = "题" * 500
    result = bound_fields(ImportResult(report))
    assert len(result.report.title) == 200
    assert any("标题过长" in line for line in result.log)


def test_unwanted_characters_are_described_by_position() -> None:
    assert unwanted_character("正常的文字\n\t") is None
    assert unwanted_character("ab\x00") == "第 3 个字符是不可见的控制字符（U+0000）"
    assert replace_unwanted("a\u0085b\ufffe") == "ab"
