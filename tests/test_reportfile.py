"""Report files (report-json.md): faithful round trips, one-line reasons for bad files, atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import reportfile
from core.checks import validate
from core.numbers import parse_value
from core.report import TEXT_KEYS, Report
from core.reportfile import (
    FORMAT,
    FORMAT_VERSION,
    ReportFileError,
    dumps,
    json_text,
    loads,
    read_report_file,
    report_from_json,
    report_to_json,
    write_report_file,
)
from core.template import CellKind, load_template
from tests.conftest import SAMPLE_NAMES, full_report, has_chinese

ROOT = Path(__file__).resolve().parents[1]


def minimal(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "template": "2021",
        "agency": "某某区人民政府办公室",
        "year": 2025,
    }
    data.update(overrides)
    return data


def without(key: str) -> dict[str, object]:
    return {k: v for k, v in minimal().items() if k != key}


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def assert_one_line_chinese(error: ReportFileError) -> str:
    message = str(error)
    assert message
    assert "\n" not in message
    assert "\r" not in message
    assert has_chinese(message)
    assert "Traceback" not in message
    return message


# ---- the samples -------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_reads(samples_dir: Path, name: str) -> None:
    raw = json.loads((samples_dir / name).read_text("utf-8"))
    report = read_report_file(samples_dir / name)
    assert report.template_id == raw["template"]
    assert report.agency == raw["agency"]
    assert report.year == raw["year"]
    for key, text in raw["sections"].items():
        assert report.text(key) == text
    assert report.foreign_cells == {}
    assert report.extra == {}
    template = report.template
    for cell_id, value in raw["cells"].items():
        cell = template.cell(cell_id)
        if cell.computed:
            assert report.printed[cell_id] == parse_value(value, cell.kind)
        elif value is not None:
            assert report.value(cell_id) == parse_value(value, cell.kind)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_write_read_equal(samples_dir: Path, tmp_path: Path, name: str) -> None:
    report = read_report_file(samples_dir / name)
    out = tmp_path / "out.json"
    write_report_file(report, out)
    again = read_report_file(out)
    assert report_to_json(again) == report_to_json(report)
    assert again == report


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_write_read_write_byte_identical(samples_dir: Path, tmp_path: Path, name: str) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    write_report_file(read_report_file(samples_dir / name), first)
    write_report_file(read_report_file(first), second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_cells_written_as_read(samples_dir: Path, name: str) -> None:
    raw = json.loads((samples_dir / name).read_text("utf-8"))
    written = report_to_json(read_report_file(samples_dir / name))["cells"]
    for cell_id, value in raw["cells"].items():
        if isinstance(value, float):  # money written as a JSON number comes back as decimal text
            assert Decimal(written[cell_id]) == Decimal(repr(value))
        else:
            assert written[cell_id] == value, cell_id


def test_seed_keeps_printed_blank_totals(seed_path: Path) -> None:
    report = read_report_file(seed_path)
    assert report.printed["s3.total_processed.total"].is_blank
    assert report.printed["s3.unable_not_held.total"].number == 6
    cells = report_to_json(report)["cells"]
    assert cells["s3.total_processed.total"] is None  # written as the file printed it
    assert cells["s3.unable_not_held.total"] == 6
    # a total the seed did not print at all is written as the sum
    assert "s3.unable_not_held.natural" in cells
    assert cells["s3.unable_not_held.natural"] == 6


def test_procurement_amount_keeps_its_unit(samples_dir: Path) -> None:
    report = read_report_file(samples_dir / "real/2019_pingtan.json")
    parsed = report.value("s2.procurement.amount")
    assert parsed.number == Decimal("75394432.52")
    assert parsed.unit == "元"
    assert report_to_json(report)["cells"]["s2.procurement.amount"] == "75394432.52元"


# ---- typed reports -----------------------------------------------------------------------


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_full_report_round_trip(tmp_path: Path, template_id: str) -> None:
    report = full_report(template_id)
    path = tmp_path / "r.json"
    write_report_file(report, path)
    again = read_report_file(path)
    assert report_to_json(again) == report_to_json(report)
    assert again.inputs == report.inputs
    assert again.texts == report.texts
    assert again.signature == report.signature
    assert again.title == report.title
    # a typed report has no printed cells; written, its computed cells carry the sums
    assert report.printed == {}
    totals = report.totals()
    assert {cid: p.number for cid, p in again.printed.items()} == totals
    second = tmp_path / "r2.json"
    write_report_file(again, second)
    assert path.read_bytes() == second.read_bytes()


def test_written_file_shape(tmp_path: Path) -> None:
    report = full_report("2021")
    path = tmp_path / "r.json"
    write_report_file(report, path)
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == FORMAT
    assert data["format_version"] == FORMAT_VERSION
    assert data["template"] == "2021"
    assert data["year"] == report.year
    assert set(data["sections"]) == set(TEXT_KEYS)
    assert list(data["cells"]) == [c.id for c in load_template("2021").cells]
    assert data["cells"]["s2.fees.amount"] == "12.5"
    assert data["cells"]["s3.new.natural"] == report.number("s3.new.natural")
    assert isinstance(data["cells"]["s3.new.natural"], int)
    assert data["cells"]["s3.total_processed.total"] == report.totals()["s3.total_processed.total"]
    assert "某某区人民政府办公室" in path.read_text("utf-8")  # written as UTF-8, not \\u escapes
    assert path.read_bytes().endswith(b"\n")


def test_invalid_values_survive_a_round_trip() -> None:
    report = full_report()
    report.set_cell("s3.new.natural", "12a")
    report.set_cell("s2.fees.amount", "0.1234567")
    again = loads(dumps(report))
    assert again.value("s3.new.natural").text == "12a"
    assert again.value("s3.new.natural").error
    assert again.value("s2.fees.amount").text == "0.1234567"
    assert again.value("s2.fees.amount").error
    assert dumps(again) == dumps(report)


def test_blank_input_cells_are_null() -> None:
    report = Report("2021", "某机关", 2022)
    cells = report_to_json(report)["cells"]
    assert all(cells[c.id] is None for c in load_template("2021").input_cells)
    assert all(cells[c.id] == 0 for c in load_template("2021").computed_cells)


# ---- input conveniences of the format ------------------------------------------------------


def test_accepted_inputs() -> None:
    data = minimal(
        year=" 2025 ",
        cells={
            "s3.new.natural": "１２",
            "s3.new.commercial": "1,234",
            "s2.fees.amount": "12.5",
            "s2.licensing.decisions": 7.0,
            "s3.granted.natural": None,
        },
        title=None,
    )
    report = report_from_json(data)
    assert report.year == 2025
    assert report.number("s3.new.natural") == 12
    assert report.number("s3.new.commercial") == 1234
    assert report.value("s2.fees.amount").number == Decimal("12.5")
    assert report.number("s2.licensing.decisions") == 7
    assert "s3.granted.natural" not in report.inputs
    assert report.title == ""


def test_optional_keys_may_be_missing() -> None:
    report = report_from_json(minimal())
    assert report.texts == dict.fromkeys(TEXT_KEYS, "")
    assert report.inputs == {}
    assert report.printed == {}
    assert report.signature.organ == ""


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(minimal(), ensure_ascii=False).encode("utf-8"))
    assert read_report_file(path).agency == "某某区人民政府办公室"


def test_agency_is_stripped() -> None:
    assert report_from_json(minimal(agency="  某机关 ")).agency == "某机关"


def test_nested_cell_value_becomes_an_invalid_value() -> None:
    report = report_from_json(minimal(cells={"s3.new.natural": [1, 2], "s3.new.total": {"a": 1}}))
    assert report.value("s3.new.natural").error
    assert report.printed["s3.new.total"].error


# ---- unknown content is kept ---------------------------------------------------------------


def test_unknown_keys_kept_on_round_trip(tmp_path: Path) -> None:
    data = report_to_json(full_report("2021"))
    data["x_reviewer"] = {"name": "张三", "notes": ["核对", 2]}
    data["generator"] = "另一个程序 3.1"
    data["sections"]["s7"] = "附件：无"
    data["sections"]["x_memo"] = {"nested": True}
    data["cells"]["s9.custom.value"] = 5
    data["cells"]["s3.legal_person.natural"] = "3"
    path = write_json(tmp_path / "in.json", data)

    report = read_report_file(path)
    out = tmp_path / "out.json"
    write_report_file(report, out)
    written = json.loads(out.read_text("utf-8"))
    assert written["x_reviewer"] == data["x_reviewer"]
    assert written["generator"] == data["generator"]
    assert written["sections"]["s7"] == "附件：无"
    assert written["sections"]["x_memo"] == {"nested": True}
    assert written["cells"]["s9.custom.value"] == 5
    assert written["cells"]["s3.legal_person.natural"] == "3"
    assert written == data
    # and once more: stable
    out2 = tmp_path / "out2.json"
    write_report_file(read_report_file(out), out2)
    assert out.read_bytes() == out2.read_bytes()


def test_foreign_cells_kept_on_round_trip() -> None:
    data = report_to_json(full_report("2021"))
    data["cells"]["s2.regulations.new_made"] = 4
    data["cells"]["s3.other.natural"] = "２"
    report = report_from_json(data)
    assert report.foreign_cells == {"s2.regulations.new_made": 4, "s3.other.natural": "２"}
    assert "s2.regulations.new_made" not in report.inputs
    assert report_to_json(report) == data


def test_unknown_keys_do_not_leak_into_known_fields() -> None:
    report = report_from_json(minimal(sections={"s1": "正文", "s8": "别的"}, cells={"s9.a.b": 1}))
    assert report.text("s1") == "正文"
    assert "s8" not in report.texts
    assert report.inputs == {}
    assert report.extra == {"sections": {"s8": "别的"}, "cells": {"s9.a.b": 1}}


# ---- bad files ---------------------------------------------------------------------------


def _bad_json(path: Path, data: object) -> Path:
    return write_json(path, data)


BAD_CONTENTS: list[tuple[str, bytes, str]] = [
    ("empty", b"", "空"),
    ("whitespace", b"  \n\t ", "空"),
    ("not json", b"{\"format\": ", "JSON"),
    ("text", "这不是报告".encode(), "JSON"),
    ("json array", b"[1, 2, 3]", "对象"),
    ("json string", b"\"report\"", "对象"),
    ("json null", b"null", "对象"),
    ("wrong format", json.dumps(minimal(format="something-else")).encode(), "format"),
    ("no format", json.dumps(without("format")).encode(), "format"),
    ("no format_version", json.dumps(without("format_version")).encode(), "format_version"),
    ("format_version text", json.dumps(minimal(format_version="1")).encode(), "format_version"),
    ("newer format_version", json.dumps(minimal(format_version=FORMAT_VERSION + 1)).encode(), "升级"),
    ("missing agency", json.dumps(without("agency")).encode(), "agency"),
    ("blank agency", json.dumps(minimal(agency="  ")).encode(), "agency"),
    ("agency not text", json.dumps(minimal(agency=12)).encode(), "agency"),
    ("missing year", json.dumps(without("year")).encode(), "year"),
    ("year text", json.dumps(minimal(year="二〇二五")).encode(), "year"),
    ("year fraction", json.dumps(minimal(year=2025.5)).encode(), "year"),
    ("year bool", json.dumps(minimal(year=True)).encode(), "year"),
    ("year too early", json.dumps(minimal(year=1800)).encode(), "year"),
    ("year too late", json.dumps(minimal(year=30000)).encode(), "year"),
    ("unknown template", json.dumps(minimal(template="2020")).encode(), "template"),
    ("missing template", json.dumps(without("template")).encode(), "template"),
    ("sections not object", json.dumps(minimal(sections=["a"])).encode(), "sections"),
    ("cells not object", json.dumps(minimal(cells=[1, 2])).encode(), "cells"),
    ("text section not text", json.dumps(minimal(sections={"s1": 5})).encode(), "s1"),
    ("title not text", json.dumps(minimal(title=["x"])).encode(), "title"),
    ("binary garbage", bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0xFE, 0x80]), "UTF-8"),
    ("nul bytes", b"\x00\x00\x00\x00", "JSON"),
    ("non-utf8 (GBK)", json.dumps(minimal(agency="铁西区人民政府"), ensure_ascii=False).encode("gbk"), "UTF-8"),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, "JSON"),
]


@pytest.mark.parametrize(("content", "word"), [(c, w) for _, c, w in BAD_CONTENTS], ids=[n for n, _, _ in BAD_CONTENTS])
def test_bad_file(tmp_path: Path, content: bytes, word: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ReportFileError) as info:
        read_report_file(path)
    message = assert_one_line_chinese(info.value)
    assert word in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError) as info:
        read_report_file(tmp_path / "nope.json")
    assert "不存在" in assert_one_line_chinese(info.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError) as info:
        read_report_file(tmp_path)
    assert "文件夹" in assert_one_line_chinese(info.value)


@pytest.mark.parametrize(
    ("error", "word"),
    [(PermissionError(13, "Permission denied"), "权限"), (OSError(5, "Input/output error"), "磁盘")],
)
def test_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, word: str
) -> None:
    # simulated: CI runs as root, which can read a chmod 000 file
    path = write_json(tmp_path / "r.json", minimal())

    def refuse(*args: object) -> int:
        raise error

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ReportFileError) as info:
        read_report_file(path)
    message = assert_one_line_chinese(info.value)
    assert word in message
    assert "error" not in message  # the system's English text is not shown


def test_json_error_names_the_place() -> None:
    with pytest.raises(ReportFileError) as info:
        loads('{\n "format": }')
    message = assert_one_line_chinese(info.value)
    assert "第 2 行" in message


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_read_or_fail_cleanly(data: bytes) -> None:
    # no tmp_path fixture under @given: write through the module's own text entry point instead
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    try:
        loads(text)
    except ReportFileError as exc:
        assert_one_line_chinese(exc)


# Whatever a JSON file can hold: integers and floats of any size (exponent forms, negative zero, the
# smallest subnormal; json.dumps writes NaN and Infinity, which json.loads reads), and text with line
# breaks and control characters (not lone surrogates: a UTF-8 file cannot hold them).
json_floats = st.floats() | st.sampled_from([1e16, 1e22, 1.5e300, 5e-324, 1e-7, -0.0, 0.1, 1234567.891])
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.integers()
    | json_floats
    | st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=10)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
cell_keys = st.sampled_from(
    ["s3.new.natural", "s3.new.total", "s2.fees.amount", "s2.procurement.amount", "s2.regulations.new_made", "zz"]
)
cell_values = json_values | st.sampled_from(["１２", "1,234", "12.5万元", "-3", "abc", "0.123456", ""])
valid_heads = st.fixed_dictionaries(
    {
        "format": st.just(FORMAT),
        "format_version": st.sampled_from([0, 1]),
        "template": st.sampled_from(["2021", "2019", 2021]),
        "agency": st.sampled_from(["某机关", " 某机关 "]),
        "year": st.integers(1990, 2100) | st.sampled_from(["2021", " 2020 "]),
    }
)
optional_parts = st.fixed_dictionaries(
    {},
    optional={
        "title": json_values,
        "preamble": st.text(max_size=10),
        "sections": st.dictionaries(st.sampled_from([*TEXT_KEYS, "s7"]), st.text(max_size=10), max_size=3)
        | json_values,
        "cells": st.dictionaries(cell_keys, cell_values, max_size=5) | json_values,
        "signature": json_values,
        "contact": json_values,
        "extra_key": json_values,
    },
)
corruptions = st.dictionaries(
    st.sampled_from(["format", "format_version", "template", "agency", "year"]), json_values, max_size=2
)


@settings(max_examples=300, deadline=None)
@given(valid_heads, optional_parts, st.one_of(st.just({}), corruptions))
def test_any_json_object_reads_or_fails_cleanly(
    heads: dict[str, object], parts: dict[str, object], corrupt: dict[str, object]
) -> None:
    text = json.dumps({**heads, **parts, **corrupt}, ensure_ascii=False)
    try:
        report = loads(text)
    except ReportFileError as exc:
        assert_one_line_chinese(exc)
        return
    # whatever was read writes and reads back the same, and then stays byte-identical
    written = dumps(report)
    again = loads(written)
    assert report_to_json(again) == report_to_json(report)
    assert dumps(again) == written


# ---- regressions -------------------------------------------------------------------------------


def test_cell_holding_a_list_of_fractions_is_an_invalid_value() -> None:
    """Numbers with a fraction are read as Decimal: a list of them in a cell once crashed the reader
    (TypeError: Decimal is not JSON serializable) where it must be an invalid value like any text."""
    report = loads(json.dumps(minimal(cells={"s3.new.natural": [0.5, {"a": 1e-7}]})))
    value = report.value("s3.new.natural")
    assert (value.text, value.number) == ('[0.5, {"a": 1E-7}]', None)
    assert value.error and has_chinese(value.error)
    (finding,) = [f for f in validate(report) if f.rule == "VALUE-INVALID"]
    assert list(finding.cells) == ["s3.new.natural"] and finding.severity == "error"
    written = dumps(report)
    assert json.loads(written)["cells"]["s3.new.natural"] == '[0.5, {"a": 1E-7}]'
    assert dumps(loads(written)) == written


def test_check_command_reports_a_list_of_fractions_as_a_finding(tmp_path: Path) -> None:
    path = write_json(tmp_path / "r.json", minimal(agency="x", year=2022, cells={"s3.new.natural": [0.5]}))
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "check", str(path)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60,
    )
    assert "程序内部错误" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stderr  # errors found, not 3 (a crash)
    assert "VALUE-INVALID" in result.stdout and "「[0.5]」不是数字" in result.stdout


@pytest.mark.parametrize(
    "literal", ["1e16", "1E+16", "1.5e300", "5e-324", "-0.0", "0.10", "1.0000000000000000001", "12345678901234567890.5"]
)
@pytest.mark.parametrize("place", ["foreign cell", "unknown cell", "unknown key", "in a list"])
def test_numbers_with_a_fraction_or_exponent_round_trip_as_numbers(literal: str, place: str) -> None:
    """Kept content is written back as the same JSON number, never as text and never through a float:
    1e16 was written as the text "1E+16" and read back as that text."""
    cell = {"foreign cell": "s2.procurement.amount", "unknown cell": "s9.custom"}.get(place)
    marker = '"@@@"'
    data = minimal(cells={cell: "@@@"}) if cell else minimal(x=["@@@"] if place == "in a list" else "@@@")
    text = json.dumps(data).replace(marker, literal)
    report = loads(text)
    written = dumps(report)
    again = loads(written)
    assert report_to_json(again) == report_to_json(report)
    assert dumps(again) == written
    kept = json.loads(written, parse_float=Decimal)
    value = kept["cells"][cell] if cell else kept["x"][0] if place == "in a list" else kept["x"]
    assert value == Decimal(literal) and isinstance(value, Decimal)


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_read_as_words_and_written_as_json(word: str) -> None:
    """json.dumps writes them, but they are not JSON: read as text (an invalid value in a cell), and
    what is written back any JSON reader accepts."""
    text = json.dumps(minimal(cells={"s3.new.natural": "@@@"}, x="@@@")).replace('"@@@"', word)
    report = loads(text)
    assert report.value("s3.new.natural").error
    assert report.extra["x"] == word
    written = dumps(report)

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} written")

    assert json.loads(written, parse_constant=refuse)["cells"]["s3.new.natural"] == word
    assert dumps(loads(written)) == written
    # A float that is no number (kept by an older version in the database, say) is written as the word.
    assert json.loads(json_text([float(word)]), parse_constant=refuse) == [word]


def test_unknown_float_values_kept_as_numbers() -> None:
    data = minimal(x_score=1.5, sections={"s7": 0.5}, cells={"s9.custom.share": 2.25})
    written = json.loads(dumps(loads(json.dumps(data))))
    assert written["x_score"] == 1.5
    assert written["sections"]["s7"] == 0.5
    assert written["cells"]["s9.custom.share"] == 2.25


@pytest.mark.parametrize("field", ["template", "year"])
def test_reason_is_one_line_even_for_values_with_line_breaks(field: str) -> None:
    with pytest.raises(ReportFileError) as info:
        report_from_json(minimal(**{field: "20\n21"}))
    assert_one_line_chinese(info.value)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(minimal(year="²⁰²¹")),
        json.dumps(minimal(year="9" * 5000)),
        json.dumps(minimal()).replace('"year": 2025', '"year": ' + "9" * 5000),
    ],
    ids=["superscript year", "5000-digit year string", "5000-digit JSON integer"],
)
def test_unreadable_years_are_report_file_errors(text: str) -> None:
    with pytest.raises(ReportFileError):
        loads(text)


def test_money_with_trailing_zero_decimals_round_trips() -> None:
    report = report_from_json(minimal(cells={"s2.fees.amount": "100.00000"}))
    again = loads(dumps(report))
    assert report_to_json(again) == report_to_json(report)


# ---- atomic writes -----------------------------------------------------------------------


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("old", encoding="utf-8")
    write_report_file(full_report(), path)
    assert read_report_file(path).agency == "某某区人民政府办公室"
    assert _listing(tmp_path) == ["r.json"]


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    path = tmp_path / "r.json"
    original = dumps(full_report("2019")).encode("utf-8")
    path.write_bytes(original)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "replace":
        monkeypatch.setattr(reportfile.os, "replace", boom)
    elif failing == "fsync":
        monkeypatch.setattr(reportfile.os, "fsync", boom)
    else:
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, fd: int, mode: str) -> None:
                self._handle = real_fdopen(fd, mode)

            def __enter__(self) -> HalfWriter:
                return self

            def __exit__(self, *exc: object) -> None:
                self._handle.close()

            def write(self, data: bytes) -> int:
                self._handle.write(data[: len(data) // 2])
                self._handle.flush()
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(reportfile.os, "fdopen", HalfWriter)

    with pytest.raises(OSError, match="No space left"):
        write_report_file(full_report("2021"), path)
    assert path.read_bytes() == original
    assert _listing(tmp_path) == ["r.json"]


def test_failed_write_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(reportfile.os, "replace", boom)
    with pytest.raises(OSError, match="I/O error"):
        write_report_file(full_report(), tmp_path / "new.json")
    assert _listing(tmp_path) == []


def test_interrupted_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"old")

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(reportfile.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_report_file(full_report(), path)
    assert path.read_bytes() == b"old"
    assert _listing(tmp_path) == ["r.json"]


def test_write_into_missing_folder_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_report_file(full_report(), tmp_path / "no" / "such" / "r.json")
    assert _listing(tmp_path) == []


def test_write_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_report_file(full_report(), "r.json")
    assert _listing(tmp_path) == ["r.json"]
    assert read_report_file("r.json").year == 2022


def test_dumps_is_deterministic() -> None:
    assert dumps(full_report()) == dumps(full_report())


def test_money_kind_written_as_text_or_number() -> None:
    report = Report("2021", "某机关", 2022)
    report.set_cell("s2.fees.amount", 12)
    assert report_to_json(report)["cells"]["s2.fees.amount"] == 12
    report.set_cell("s2.fees.amount", "12.50")
    assert report_to_json(report)["cells"]["s2.fees.amount"] == "12.50"
    assert load_template("2021").cell("s2.fees.amount").kind is CellKind.MONEY


def test_huge_money_in_a_file_is_not_a_crash() -> None:
    text = json.dumps(minimal()).replace("}", ', "cells": {"s2.fees.amount": 1234567890123456789012345.123456}}')
    report = loads(text)
    assert report.value("s2.fees.amount").error
