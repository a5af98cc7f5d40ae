"""The command line as report-json.md specifies it: subcommands, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.reportfile import read_report_file, report_to_json
from tests.conftest import SAMPLES_DIR, place_font

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = SAMPLES_DIR
SEED = SAMPLES / "seed-2020-tiexi.json"
PINGTAN = [SAMPLES / "real" / "2019_pingtan.json", SAMPLES / "real" / "2022_pingtan.json"]


def run(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_check_seed_reports_balance_errors(tmp_path: Path) -> None:
    result = run("check", SEED, "--json", data_dir=tmp_path)
    assert result.returncode == 1, result.stderr
    (entry,) = json.loads(result.stdout)
    assert entry["template"] == "2019" and entry["year"] == 2020
    errors = {(f["rule"], f["cells"][0]) for f in entry["findings"] if f["severity"] == "error"}
    assert errors == {
        ("S3-BALANCE", "s3.new.natural"),
        ("S3-BALANCE", "s3.new.total"),
        ("S3-RESULTS-TOTAL", "s3.total_processed.natural"),
        ("S3-RESULTS-TOTAL", "s3.total_processed.total"),
    }


def test_check_text_output_names_rules_in_chinese(tmp_path: Path) -> None:
    result = run("check", SEED, data_dir=tmp_path)
    assert result.returncode == 1
    assert "S3-BALANCE" in result.stdout and "「自然人」列" in result.stdout
    assert "[错误]" in result.stdout


def test_check_pingtan_samples_pass(tmp_path: Path) -> None:
    result = run("check", *PINGTAN, "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stdout
    entries = json.loads(result.stdout)
    assert [e["year"] for e in entries] == [2019, 2022]
    assert all(f["severity"] != "error" for e in entries for f in e["findings"])


def test_check_unreadable_file_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run("check", SEED, bad, data_dir=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.json" in lines[0] and "JSON" in lines[0]


def test_check_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    other = tmp_path / "report.xyz"
    other.write_text("x", encoding="utf-8")
    result = run("check", tmp_path / "nope.json", other, data_dir=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    assert "文件不存在" in result.stderr and "不支持" in result.stderr


def test_check_uses_previous_year_from_the_same_batch(tmp_path: Path) -> None:
    last = read_report_file(PINGTAN[1])
    data = report_to_json(last)
    data["year"] = 2023
    data["cells"]["s3.carried_over.natural"] = 5  # last year carried forward 0
    this = tmp_path / "2023.json"
    this.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run("check", PINGTAN[1], this, "--json", data_dir=tmp_path)
    findings = json.loads(result.stdout)[1]["findings"]
    assert any(f["rule"] == "CARRY-OVER" and f["cells"] == ["s3.carried_over.natural"] for f in findings)


def test_import_list_export_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "test.sqlite3"
    result = run("--db", db, "import", PINGTAN[1], data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    again = run("import", PINGTAN[1], "--db", db, data_dir=tmp_path)
    assert again.returncode == 1 and "已有" in again.stderr
    listing = run("list", "--db", db, data_dir=tmp_path)
    assert listing.returncode == 0
    assert "平潭综合实验区" in listing.stdout and "四平市铁西区" in listing.stdout  # seed is there
    report_id = next(
        line.split("\t")[0] for line in listing.stdout.splitlines() if "平潭" in line
    )
    out = tmp_path / "out.json"
    exported = run("export", report_id, "--to", out, "--db", db, data_dir=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert report_to_json(read_report_file(out)) == report_to_json(read_report_file(PINGTAN[1]))


def test_export_file_to_json_and_refuses_unknown_suffix(tmp_path: Path) -> None:
    out = tmp_path / "seed.json"
    assert run("export", SEED, "--to", out, data_dir=tmp_path).returncode == 0
    assert report_to_json(read_report_file(out)) == report_to_json(read_report_file(SEED))
    bad = run("export", SEED, "--to", tmp_path / "seed.xls", data_dir=tmp_path)
    assert bad.returncode == 2 and "支持的格式" in bad.stderr
    missing_dir = run("export", SEED, "--to", tmp_path / "no" / "x.json", data_dir=tmp_path)
    assert missing_dir.returncode == 2 and "不存在" in missing_dir.stderr


def test_import_replace_moves_the_stored_report_aside(tmp_path: Path) -> None:
    db = tmp_path / "test.sqlite3"
    assert run("import", PINGTAN[1], "--db", db, data_dir=tmp_path).returncode == 0
    replaced = run("import", PINGTAN[1], "--replace", "--db", db, data_dir=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    assert "已导入" in replaced.stdout
    listing = run("list", "--db", db, data_dir=tmp_path).stdout
    assert sum("平潭" in line for line in listing.splitlines()) == 1


def test_new_blank_report_and_what_it_needs(tmp_path: Path) -> None:
    db = tmp_path / "test.sqlite3"
    missing = run("new", "--agency", "某某区人民政府办公室", "--db", db, data_dir=tmp_path)
    assert missing.returncode == 2 and "--year" in missing.stderr
    assert not db.exists()  # wrong arguments open no database
    created = run("new", "--agency", "某某区人民政府办公室", "--year", "2024", "--db", db, data_dir=tmp_path)
    assert created.returncode == 0 and "2021版格式" in created.stdout
    again = run("new", "--agency", "某某区人民政府办公室", "--year", "2024", "--db", db, data_dir=tmp_path)
    assert again.returncode == 1 and "已有" in again.stderr and "编号" in again.stderr


def test_new_from_last_year_carries_over(tmp_path: Path) -> None:
    db = tmp_path / "test.sqlite3"
    run("import", PINGTAN[1], "--db", db, data_dir=tmp_path)
    listing = run("list", "--db", db, data_dir=tmp_path).stdout
    report_id = next(line.split("\t")[0] for line in listing.splitlines() if "平潭" in line)
    created = run("new", "--from", report_id, "--db", db, data_dir=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "2023" in created.stdout
    twice = run("new", "--from", report_id, "--db", db, data_dir=tmp_path)
    assert twice.returncode == 1


@pytest.mark.parametrize("content", [b"garbage" * 100, b""])
def test_broken_database_is_a_message_not_a_traceback(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "broken.sqlite3"
    db.write_bytes(content)
    result = run("list", "--db", db, data_dir=tmp_path)
    assert_no_traceback(result)
    if content:
        assert result.returncode == 2 and "不是本程序的数据库" in result.stderr
        assert db.read_bytes() == content
    else:  # an empty file is a new database
        assert result.returncode == 0


def test_default_database_lives_in_the_data_folder(tmp_path: Path) -> None:
    result = run("list", data_dir=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "reports.sqlite3").exists()


def test_bad_arguments_give_a_chinese_message(tmp_path: Path) -> None:
    result = run("check", data_dir=tmp_path)
    assert result.returncode == 2
    assert "参数有误" in result.stderr
    assert_no_traceback(result)


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run("--help", data_dir=tmp_path)
    assert result.returncode == 0
    assert "check" in result.stdout and "export" in result.stdout


def test_version_says_the_pyproject_version(tmp_path: Path) -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = run("--version", data_dir=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"政府信息公开年报助手 {version}\n", "")


def test_no_arguments_without_a_display_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    result = run(data_dir=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "图形显示" in lines[0]


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".html"])
def test_export_documents_by_suffix(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"report{suffix}"
    result = run("export", PINGTAN[1], "--to", out, "--draft", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert len(data) > 1000
    assert data.startswith({".docx": b"PK", ".pdf": b"%PDF", ".html": b"<!DOCTYPE html>"}[suffix])
    assert oct(out.stat().st_mode & 0o077) != "0o0"  # readable by colleagues, like any new file
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert result.stdout == f"已导出：{out}\n"
    if suffix != ".pdf":
        assert result.stderr == ""  # only a PDF has fonts to speak of


@pytest.mark.needs_tool("cjk_font")
def test_export_pdf_names_the_substituted_fonts_on_stderr(tmp_path: Path) -> None:
    from exports.fonts import find_fonts

    out = tmp_path / "report.pdf"
    result = run("export", PINGTAN[1], "--to", out, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"已导出：{out}\n"  # what scripts read stays one line
    notice = find_fonts().notice()  # this machine's fonts, as the command found them
    assert result.stderr == (f"{notice}\n" if notice else "")


@pytest.mark.needs_tool("cjk_font")
def test_export_pdf_with_only_a_sans_says_so_and_still_succeeds(
    tmp_path: Path, one_face: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import exports.fonts
    import main

    folder = tmp_path / "fonts"
    place_font(one_face, folder / "wqy-zenhei.ttc")  # the only font: a sans, as on the reviewer's Linux
    monkeypatch.setattr(exports.fonts, "default_font_dirs", lambda: [folder])
    out = tmp_path / "report.pdf"
    assert main.run(["export", str(PINGTAN[1]), "--to", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"已导出：{out}\n"
    assert out.read_bytes().startswith(b"%PDF")
    notice = exports.fonts.find_fonts(search_dirs=[folder]).notice()
    assert notice and captured.err == f"{notice}\n"
    assert "正文（仿宋）" in notice and "暂用黑体" in notice and "都用黑体印出" in notice
    assert "`main.py fonts --set title 字体文件`" in notice
    if sys.platform.startswith("linux"):
        assert "sudo apt install fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-liberation" in notice
    # `fonts` shows the same, after the mapping.
    assert main.run(["fonts"]) == 0
    shown = capsys.readouterr().out
    assert shown.endswith(f"\n\n{notice}\n")
    assert "正文（仿宋）（未找到，代用黑体）：" in shown


def test_export_html_fragment_and_blank_rule(tmp_path: Path) -> None:
    out = tmp_path / "fragment.html"
    result = run("export", SEED, "--to", out, "--fragment", "--blanks", "blank", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<div") and "<html" not in text


def test_export_over_a_target_that_is_a_folder_keeps_it(tmp_path: Path) -> None:
    target = tmp_path / "busy.docx"
    target.mkdir()  # stands in for a target that cannot be replaced (e.g. open in another program)
    result = run("export", SEED, "--to", target, data_dir=tmp_path)
    assert result.returncode == 2
    assert "无法写入" in result.stderr
    assert_no_traceback(result)
    assert target.is_dir()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_fonts_mapping_can_be_shown_changed_and_refused(tmp_path: Path) -> None:
    shown = run("fonts", data_dir=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "正文（仿宋）" in shown.stdout
    assert "数字和西文（Times New Roman）" in shown.stdout
    bad = run("fonts", "--set", "kai", tmp_path / "missing.ttf", data_dir=tmp_path)
    assert bad.returncode == 2
    assert "字体文件不存在" in bad.stderr
    assert not (tmp_path / "settings.json").exists()  # a bad choice is not saved
    song = next(line for line in shown.stdout.splitlines() if line.startswith("表格、页码（宋体）"))
    font = song.split("  ")[-1].strip().split("#")[0]
    good = run("fonts", "--set", "kai", font, data_dir=tmp_path)
    assert good.returncode == 0, good.stderr
    assert json.loads((tmp_path / "settings.json").read_text("utf-8"))["pdf_fonts"]["kai"].endswith(Path(font).name)
    assert run("fonts", "--reset", data_dir=tmp_path).returncode == 0
    assert json.loads((tmp_path / "settings.json").read_text("utf-8"))["pdf_fonts"] == {}


@pytest.mark.needs_tool("cjk_font")
def test_fonts_latin_can_be_set_like_the_other_roles(tmp_path: Path) -> None:
    import reportlab

    vera = Path(reportlab.__file__).resolve().parent / "fonts" / "Vera.ttf"  # TrueType, Latin only
    result = run("fonts", "--set", "latin", vera, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "settings.json").read_text("utf-8"))["pdf_fonts"] == {"latin": str(vera)}
    assert f"数字和西文（Times New Roman）：Bitstream Vera Sans  {vera}" in result.stdout.splitlines()
    unknown = run("fonts", "--set", "bold", vera, data_dir=tmp_path)
    assert unknown.returncode == 2 and "latin" in unknown.stderr


def test_check_shows_what_reading_a_published_file_was_unsure_of(tmp_path: Path) -> None:
    from tests.docx_fixtures import Fill, numbered_cells, with_sums, write_official_docx

    fill = Fill(
        cells=with_sums("2021", numbered_cells("2021")),
        labels={"4.保护第三方合法权益": "4.保护第三方合法权利"},  # a typo: read by meaning, logged
        title_lines=("某某区人民政府", "2024年政府信息公开工作年度报告"),
    )
    path = write_official_docx(fill, tmp_path / "hand.docx")
    text = run("check", path, data_dir=tmp_path)
    assert text.returncode in (0, 1), text.stderr
    as_json = json.loads(run("check", path, "--json", data_dir=tmp_path).stdout)
    log = as_json[0]["import_log"]
    assert log, "a hand-filled file with typos leaves lines in the import log"
    assert all(f"[读取] {line}" in text.stdout for line in log)


def test_a_reader_that_stops_listening_is_not_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`main.py fonts | head`: once the pipe closes, writing fails with BrokenPipeError; the program stops
    quietly with status 0 instead of reporting 程序内部错误 and writing crash.log."""
    import io

    import main

    class ClosedPipe(io.StringIO):
        def write(self, _text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "argv", ["main.py", "--db", str(tmp_path / "db.sqlite3"), "list"])
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main.main() == 0
    assert "程序内部错误" not in capsys.readouterr().err
    assert not (tmp_path / "crash.log").exists()
