"""Reading and checking a batch of files (reading/batch.py) and the table writer (exports/table.py),
without Qt: what the 文件检查 window and `main.py check` share."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from core.checks import validate
from core.report import Report
from core.reportfile import write_report_file
from exports.table import Sheet, csv_bytes, write_table, xlsx_bytes
from reading import batch as batch_module
from reading.batch import (
    DETAIL_HEADERS,
    SUMMARY_HEADERS,
    BatchCheck,
    FileCheck,
    check_files,
    collect_files,
    detail_rows,
    summary_rows,
)
from tests.conftest import SAMPLES_DIR, full_report, previous_report


def carry_over_pair() -> tuple[Report, Report]:
    """This year's report and last year's of the same agency, whose carry-over does not follow on."""
    this_year = full_report("2021", 2022)
    last_year = previous_report(this_year)
    last_year.set_cell("s3.carried_forward.natural", 7)
    assert any(f.rule == "CARRY-OVER" for f in validate(this_year, last_year))
    assert not any(f.rule == "CARRY-OVER" for f in validate(this_year))
    return this_year, last_year


def rules(check: FileCheck) -> list[str]:
    return [f.rule for f in check.findings]


# --- which files -------------------------------------------------------------------------------


def test_collect_files_searches_subfolders_and_skips_what_is_not_a_report(tmp_path: Path) -> None:
    root = tmp_path / "各单位报告"
    (root / "区县" / "平潭").mkdir(parents=True)
    for name in ("铁西区.json", "区县/平潭2022.docx", "区县/平潭/平潭2019.pdf", "区县/损坏.html"):
        (root / name).write_text("x", "utf-8")
    (root / "说明.txt").write_text("不是报告", "utf-8")
    (root / "~$铁西区.docx").write_bytes(b"owner file of an open Word document")
    (root / ".隐藏.json").write_text("{}", "utf-8")
    single = tmp_path / "单独.json"
    single.write_text("{}", "utf-8")
    found = collect_files([root, single])
    # A folder's own files first, then each subfolder's, in name order; a file given keeps its name.
    assert [name for _path, name in found] == [
        "铁西区.json", "区县/平潭2022.docx", "区县/损坏.html", "区县/平潭/平潭2019.pdf", "单独.json",
    ]
    # Files already checked, or found twice, are left out.
    again = collect_files([root, root / "区县"], skip={(root / "铁西区.json").resolve()})
    assert [name for _path, name in again] == ["区县/平潭2022.docx", "区县/损坏.html", "区县/平潭/平潭2019.pdf"]
    assert collect_files([root], cancelled=lambda: True) == []


# --- reading and checking ----------------------------------------------------------------------


def test_unreadable_files_give_one_line_reasons(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{这不是 JSON", "utf-8")
    checks = check_files([(broken, "broken.json"), (tmp_path / "nope.pdf", "nope.pdf")])
    assert [c.readable for c in checks] == [False, False]
    assert checks[0].status.startswith("无法读取：不是有效的 JSON") and "\n" not in checks[0].status
    assert checks[1].error == "文件不存在"
    assert checks[0].cells() == ("broken.json", "", "", "", "", "", checks[0].status)


def test_a_reader_crash_is_one_row_or_propagates_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_reader(path: Path) -> None:
        raise KeyError("cells")

    monkeypatch.setattr(batch_module, "read_with_log", broken_reader)
    (check,) = check_files([(tmp_path / "a.json", "a.json")])
    assert check.error == "读取时出现意外错误（KeyError）" and check.crashed
    assert "reading" in caplog.text
    with pytest.raises(KeyError):
        check_files([(tmp_path / "a.json", "a.json")], contain_crashes=False)


def test_one_crashing_file_does_not_stop_the_command_line_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import run as run_cli

    real_reader = batch_module.read_with_log

    def reader(path: Path) -> object:
        if path.name == "crash.json":
            raise TypeError("a reader defect")
        return real_reader(path)

    monkeypatch.setattr(batch_module, "read_with_log", reader)
    monkeypatch.setenv("GOV_REPORT_DATA_DIR", str(tmp_path))
    good = SAMPLES_DIR / "real" / "2022_pingtan.json"
    crash = tmp_path / "crash.json"
    crash.write_bytes(good.read_bytes())
    status = run_cli(["--db", str(tmp_path / "db"), "check", str(crash), str(good)], start_app=lambda _db: 0)
    out, err = capsys.readouterr()
    assert status == 3  # a defect, said after every file was checked
    assert "平潭综合实验区 2022 年度报告" in out  # the file after the crash was still checked
    assert err.count("\n") == 1 and "读取时出现意外错误（TypeError）" in err and "crash.log" in err
    assert "Traceback" not in out + err
    assert "a reader defect" in (tmp_path / "crash.log").read_text(encoding="utf-8")


def test_last_year_later_in_the_batch_rechecks_the_earlier_file(tmp_path: Path) -> None:
    this_year, last_year = carry_over_pair()
    write_report_file(this_year, tmp_path / "2022.json")
    write_report_file(last_year, tmp_path / "2021.json")
    batch = BatchCheck()
    first, again = batch.add(tmp_path / "2022.json", "2022.json")
    assert again == [] and not first.with_previous and "CARRY-OVER" not in rules(first)
    second, again = batch.add(tmp_path / "2021.json", "2021.json")
    assert [c.name for c in again] == ["2022.json"] and again[0].with_previous
    assert "CARRY-OVER" in rules(again[0])
    assert [c.name for c in batch.checks] == ["2022.json", "2021.json"]
    assert batch.checks[0] == again[0] and batch.checks[1] == second
    # Either order gives the same findings.
    reverse = check_files([(tmp_path / "2021.json", "2021.json"), (tmp_path / "2022.json", "2022.json")])
    assert reverse[1].findings == again[0].findings


def test_earlier_checks_count_as_part_of_the_batch(tmp_path: Path) -> None:
    this_year, last_year = carry_over_pair()
    write_report_file(this_year, tmp_path / "2022.json")
    earlier = FileCheck(tmp_path / "2021.json", "2021.json", last_year, tuple(validate(last_year)))
    check, again = BatchCheck([earlier]).add(tmp_path / "2022.json", "2022.json")
    assert check.with_previous and "CARRY-OVER" in rules(check) and again == []


def test_earlier_checks_waiting_for_last_year_are_checked_again_when_it_comes(tmp_path: Path) -> None:
    this_year, last_year = carry_over_pair()
    write_report_file(last_year, tmp_path / "2021.json")
    waiting = FileCheck(tmp_path / "2022.json", "2022.json", this_year, tuple(validate(this_year)))
    batch = BatchCheck([waiting])
    _, again = batch.add(tmp_path / "2021.json", "2021.json")
    assert [c.name for c in again] == ["2022.json"] and "CARRY-OVER" in rules(again[0])
    _, again = batch.add(tmp_path / "2021.json", "2021 副本.json")  # the same year again: nothing to redo
    assert again == []


def test_a_lookup_finds_last_year_outside_the_batch_and_the_batch_comes_first(tmp_path: Path) -> None:
    this_year, last_year = carry_over_pair()
    write_report_file(this_year, tmp_path / "2022.json")
    asked: list[tuple[str, int]] = []

    def lookup(agency: str, year: int) -> Report | None:
        asked.append((agency, year))
        return last_year

    (check,) = check_files([(tmp_path / "2022.json", "2022.json")], previous=lookup)
    assert asked == [(this_year.agency, 2022)]
    assert "CARRY-OVER" in rules(check) and not check.with_previous
    # Last year's report in the batch (which follows on) is preferred to the lookup's.
    write_report_file(previous_report(this_year), tmp_path / "2021.json")
    checks = check_files([(tmp_path / "2022.json", "a"), (tmp_path / "2021.json", "b")], previous=lookup)
    assert checks[0].with_previous and "CARRY-OVER" not in rules(checks[0])


def test_the_same_file_given_twice_is_checked_twice(tmp_path: Path) -> None:
    seed = SAMPLES_DIR / "seed-2020-tiexi.json"
    checks = check_files([(seed, "x"), (seed, "x")])
    assert len(checks) == 2 and checks[0].findings == checks[1].findings


# --- the findings table ------------------------------------------------------------------------


def test_summary_and_detail_rows(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    seed = SAMPLES_DIR / "seed-2020-tiexi.json"
    checks = check_files([(seed, "铁西区.json"), (broken, "broken.json")])
    summary = summary_rows(checks)
    assert all(len(row) == len(SUMMARY_HEADERS) for row in summary)
    agency = "四平市铁西区人民政府办公室"
    assert summary[0] == ["铁西区.json", agency, "2020", "2019版（试行）", 4, 1, "已检查", str(seed)]
    detail = detail_rows(checks)
    assert all(len(row) == len(DETAIL_HEADERS) for row in detail)
    assert [r[2] for r in detail] == ["错误"] * 4 + ["提示", "无法读取"]
    assert all(r[4] for r in detail if r[1] == "S3-BALANCE")  # the cells it names


def test_table_writer_writes_sheets_as_xlsx_and_the_first_as_csv(tmp_path: Path) -> None:
    sheets = [
        Sheet("汇总", ("文件", "错误"), [["甲.json", 3], ["乙.json", 0]], (40, 8)),
        Sheet("明细", ("文件", "说明"), [["甲.json", "收支\x07不平衡"]]),
    ]
    written = write_table(tmp_path / "表.xlsx", sheets)
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["汇总", "明细"]
    rows = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert rows == [["文件", "错误"], ["甲.json", 3], ["乙.json", 0]]
    assert book["汇总"].column_dimensions["A"].width == 40 and book["汇总"].freeze_panes == "A2"
    assert book["汇总"]["A1"].font.bold
    assert book["明细"]["B2"].value == "收支不平衡"  # a control character would break the file
    csv_path = write_table(tmp_path / "表.CSV", sheets)
    assert csv_path.read_bytes() == csv_bytes(sheets[0])
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [["文件", "错误"], ["甲.json", "3"], ["乙.json", "0"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["表.CSV", "表.xlsx"]  # no temporary files left


def test_text_is_never_a_spreadsheet_formula(tmp_path: Path) -> None:
    text = '=HYPERLINK("http://example.com")'
    sheet = Sheet("汇总", ("机关",), [[text], ["+1"], ["@SUM(A1)"], ["-"]])
    book = openpyxl.load_workbook(write_table(tmp_path / "t.xlsx", [sheet]))
    cell = book["汇总"]["A2"]
    assert cell.data_type == "s" and cell.value == text
    rows = list(csv.reader(csv_bytes(sheet).decode("utf-8-sig").splitlines()))
    assert [r[0] for r in rows[1:]] == ["'" + text, "'+1", "'@SUM(A1)", "-"]
    assert xlsx_bytes([sheet]).startswith(b"PK")


def test_a_table_that_cannot_be_written_keeps_the_old_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_table(tmp_path / "没有这个文件夹" / "x.xlsx", [Sheet("汇总", ("a",), [])])
    target = tmp_path / "x.csv"
    target.mkdir()  # stands in for a target that cannot be replaced
    with pytest.raises(OSError):  # noqa: PT011 (the platform decides which OSError)
        write_table(target, [Sheet("汇总", ("a",), [])])
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["x.csv"]
