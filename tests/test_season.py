"""Review seasons (core/season.py): units, received files, the board, history and review status."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from core.checks import Finding
from core.deadline import KIND_DEPARTMENT, KIND_GOVERNMENT
from core.fileio import ReportFileError
from core.report import Report
from core.season import (
    DRAFT,
    FINAL,
    REVIEW_PASSED,
    REVIEW_PENDING,
    REVIEW_RETURNED,
    UNSIGNED,
    Season,
    SeasonError,
    UnitEntry,
    file_digest,
    final_state,
    normalise_name,
    parse_date,
    parse_unit_lines,
)
from core.storage import AgencyProfile, Store
from reading.season_import import import_files
from tests.conftest import full_report

DATA = Path(__file__).parent / "data"
OFFICE = DATA / "office"
REAL = DATA / "real"
YEAR = 2023  # the office files are 某某县市场监督管理局's report of 2023
MARKET = "某某县市场监督管理局"
EDUCATION = "某某县教育局"
GOVERNMENT = "某某县人民政府"


def unit_file(folder: Path, agency: str, *, year: int = YEAR, new: int | None = None, signed: str = "",
              name: str | None = None, status: str | None = None) -> Path:
    """The real report of 平潭 (2022) as another unit's file: its agency, year and signature rewritten."""
    data = json.loads((REAL / "2022_pingtan.json").read_text("utf-8"))
    data["agency"] = agency
    data["year"] = year
    data["signature"] = {"organ": agency if signed else "", "date": signed}
    if new is not None:
        data["cells"]["s3.new.natural"] = new
        data["cells"].pop("s3.new.total", None)
    if status is not None:
        data["status"] = status
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{agency}{year}年报.json")
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def season(store: Store) -> Season:
    made = Season.create(store, "2023年度年报审核", YEAR)
    made.add_units(parse_unit_lines(f"单位名称\t类别\t截止日期\n{MARKET}\t部门\n{EDUCATION}\n{GOVERNMENT}\t人民政府\n"))
    return made


def row_of(season: Season, name: str):  # type: ignore[no-untyped-def]
    return next(r for r in season.board() if r.name == name)


def test_units_pasted_from_excel_get_kind_and_due_date(store: Store) -> None:
    store.save_agency_profile(AgencyProfile("某某县应急管理局", kind=KIND_GOVERNMENT))  # set in the profile
    season = Season.create(store, "2025年度年报审核", 2025)
    entries = parse_unit_lines(
        "单位\t类别\t截止日期\n某某县财政局\t部门\t2026/2/10\n"
        "某某县人民政府\t\t\n某某县应急管理局\n\n  某某镇人民政府 \t政府\t2026年3月20日\n"
    )
    added, existing = season.add_units(entries)
    assert added == ["某某县财政局", "某某县人民政府", "某某县应急管理局", "某某镇人民政府"] and existing == []
    units = {u.name: u for u in season.units()}
    assert units["某某县财政局"].due == date(2026, 2, 10) and units["某某县财政局"].kind == KIND_DEPARTMENT
    assert units["某某县人民政府"].kind == KIND_GOVERNMENT and units["某某县人民政府"].due == date(2026, 3, 31)
    assert units["某某县应急管理局"].kind == KIND_GOVERNMENT  # from the agency's profile, not its name
    assert units["某某镇人民政府"].due == date(2026, 3, 20)
    assert [u.name for u in season.units()] == added  # in the order pasted
    # Pasted again with a new date: no second unit, the date is taken.
    added, existing = season.add_units(parse_unit_lines("某某县财政局\t部门\t2026-01-31"))
    assert added == [] and existing == ["某某县财政局"]
    assert {u.name: u for u in season.units()}["某某县财政局"].due == date(2026, 1, 31)


def test_bad_pasted_lines_name_the_line_and_add_nothing(store: Store) -> None:
    season = Season.create(store, "审核", 2025)
    with pytest.raises(SeasonError, match="第 3 行：类别「局」应为「部门」或「人民政府」"):
        parse_unit_lines("甲局\n乙局\t部门\n丙局\t局\n")
    with pytest.raises(SeasonError, match="第 1 行：日期「2026-02-30」无法识别"):
        parse_unit_lines("甲局\t部门\t2026-02-30")
    assert season.units() == []
    assert parse_date("２０２６－０１－３１") == date(2026, 1, 31)
    assert parse_date("2026/1/31 0:00:00") == parse_date("2026年1月31日") == date(2026, 1, 31)


def test_board_early_late_missing_and_new_unit(season: Season, tmp_path: Path) -> None:
    market = import_files(season, [OFFICE / "office-2021.docx"], received=date(2024, 1, 20))
    late = season.add_file(*_read(unit_file(tmp_path, EDUCATION, signed="2024-02-01")), received=date(2024, 2, 3))
    stranger = import_files(season, [unit_file(tmp_path, "某某县 卫生健康局", new=40)], received=date(2024, 1, 31))
    assert market[0].outcome == "added" and "已收到：某某县市场监督管理局" in market[0].message
    assert late.outcome == "added"
    assert stranger[0].unit_created and "不在单位名单中，已新建这个单位" in stranger[0].message

    today = date(2024, 4, 5)
    rows = {r.name: r for r in season.board()}
    assert list(rows) == [MARKET, EDUCATION, GOVERNMENT, "某某县 卫生健康局"]
    assert rows[MARKET].timing_text(today) == "提前 11 天" and rows[MARKET].days_late(today) == -11
    assert rows[MARKET].template_name and rows[MARKET].final == FINAL and rows[MARKET].file_name == "office-2021.docx"
    assert rows[EDUCATION].timing_text(today) == "逾期 3 天" and rows[EDUCATION].late(today)
    assert rows[GOVERNMENT].timing_text(today) == "未交，已逾期 5 天" and not rows[GOVERNMENT].has_file
    assert rows[GOVERNMENT].timing_text(date(2024, 3, 1)) == "未交，还有 30 天"
    assert rows["某某县 卫生健康局"].timing_text(today) == "截止当天"
    assert rows["某某县 卫生健康局"].kind == KIND_DEPARTMENT and rows["某某县 卫生健康局"].final == UNSIGNED
    assert rows["某某县 卫生健康局"].new_total is not None


def _read(path: Path) -> tuple[Path, Report, tuple[Finding, ...], tuple[str, ...]]:
    from reading.batch import read_and_check

    check = read_and_check(path, path.name, {})
    assert check.report is not None
    return path, check.report, check.findings, check.log


def test_agency_matched_after_normalising_and_by_containment(season: Season) -> None:
    assert season.match_unit(" 某某县 市场监督管理局") is not None
    assert season.match_unit("某某县市场监督管理局") == season.match_unit("某某县市场监督管理局（盖章）")
    assert normalise_name("ＡＢＣ　１２") == "ABC12"
    season.add_units(["某某县"])  # contained in every name: the longest match wins
    assert season.match_unit("某某县教育局（本级）").name == EDUCATION  # type: ignore[union-attr]
    assert season.match_unit("另一个县教育局") is None


def test_new_file_replaces_current_and_history_keeps_both(season: Season, tmp_path: Path) -> None:
    first = unit_file(tmp_path / "a", EDUCATION, new=10, signed="2024-01-10")
    second = unit_file(tmp_path / "b", EDUCATION, new=25, signed="2024-01-28")
    import_files(season, [first], received=date(2024, 1, 11))
    unit = season.match_unit(EDUCATION)
    assert unit is not None
    season.set_review(unit.id, REVIEW_RETURNED, "表三不平衡，请修改")
    (result,) = import_files(season, [second], received=date(2024, 1, 29))
    assert result.outcome == "replaced" and "替换了 2024年1月11日收到的版本" in result.message

    row = row_of(season, EDUCATION)
    assert row.path == str(second.absolute()) and row.received == date(2024, 1, 29) and row.versions == 2
    assert row.review == REVIEW_PENDING and row.note == "表三不平衡，请修改"  # a new version is to be reviewed again
    history = season.history(unit.id)
    assert [h.path for h in history] == [str(second.absolute()), str(first.absolute())]
    assert history[0].replaced_at is None and history[1].replaced_at is not None
    old = season.report(history[1].id)
    assert old is not None and old.number("s3.new.natural") == 10
    current = season.report(history[0].id)
    assert current is not None and current.number("s3.new.natural") == 25


def test_same_file_twice_is_added_once(season: Season, tmp_path: Path) -> None:
    path = unit_file(tmp_path, EDUCATION)
    import_files(season, [path], received=date(2024, 1, 5))
    copy = tmp_path / "copy" / "重发.json"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    (again,) = import_files(season, [copy])
    assert again.outcome == "duplicate" and again.file_id is None
    assert "与 2024年1月5日收到的某某县教育局的" in again.message and "没有重复添加" in again.message
    assert row_of(season, EDUCATION).versions == 1


def test_unreadable_file_is_kept_with_its_reason(season: Season, tmp_path: Path) -> None:
    good = unit_file(tmp_path, EDUCATION, signed="2024-01-20")
    import_files(season, [good], received=date(2024, 1, 21))
    broken = tmp_path / f"{MARKET}2023年报.docx"
    broken.write_bytes(b"PK\x03\x04 not really a Word file")
    nameless = tmp_path / "scan.pdf"
    nameless.write_bytes(b"%PDF-1.4 broken")
    results = import_files(season, [broken, nameless], received=date(2024, 1, 25))
    assert [r.outcome for r in results] == ["added", "added"]
    assert "无法读取" in results[0].message and f"已记在{MARKET}名下" in results[0].message
    assert "未能确定是哪个单位的" in results[1].message
    rows = {r.name: r for r in season.board()}
    assert rows[MARKET].error and rows[MARKET].problem and rows[MARKET].template == ""
    loose = rows["（未识别）scan.pdf"]
    assert loose.unit_id is None and loose.error and loose.received == date(2024, 1, 25)
    # Nothing else lost: the good file is still there, whole.
    assert rows[EDUCATION].error == "" and season.report(rows[EDUCATION].file_id or 0) is not None
    # The unrecognised file can be put under a unit.
    season.assign_file(loose.file_id or 0, rows[GOVERNMENT].unit_id or 0)
    rows = {r.name: r for r in season.board()}
    assert rows[GOVERNMENT].file_name == "scan.pdf" and "（未识别）scan.pdf" not in rows


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_in_a_folder_is_refused_not_waited_on(season: Season, tmp_path: Path) -> None:
    """A FIFO named like a report must not block the season's reading (its content hash read it first)."""
    import os
    import threading

    folder = tmp_path / "收文"
    folder.mkdir()
    os.mkfifo(folder / f"{MARKET}2023年报.docx")
    refused: list[str] = []

    def digest() -> None:  # in a thread: a blocked read must fail the test, not hang the run
        try:
            file_digest(folder / f"{MARKET}2023年报.docx")
        except ReportFileError as exc:
            refused.append(str(exc))

    worker = threading.Thread(target=digest, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "reading a named pipe blocked"
    assert refused == ["这是一个命名管道，不是普通文件"]
    (result,) = import_files(season, [folder])
    assert result.outcome == "unreadable" and "命名管道" in result.message


def test_file_of_another_year_is_kept_and_flagged(season: Season, tmp_path: Path) -> None:
    (result,) = import_files(season, [unit_file(tmp_path, EDUCATION, year=2022)], received=date(2024, 1, 3))
    assert result.wrong_year and "年度不符：文件是 2022 年度，本次审核是 2023 年度" in result.message
    row = row_of(season, EDUCATION)
    assert row.wrong_year and row.problem and row.year == 2022


def test_final_state_from_signature_or_file_status(tmp_path: Path) -> None:
    report = full_report(year=2023)
    assert final_state(report) == FINAL
    report.signature.date = ""
    assert final_state(report) == UNSIGNED
    report.extra["status"] = "final"
    assert final_state(report) == FINAL
    report.signature.date = "2024-01-02"
    report.extra["status"] = "draft"
    assert final_state(report) == DRAFT


def test_review_status_and_note_survive_reopening(db_path: Path, tmp_path: Path) -> None:
    store = Store(db_path)
    season = Season.create(store, "2023年度年报审核", YEAR)
    season.add_units([UnitEntry(EDUCATION), UnitEntry(GOVERNMENT, KIND_GOVERNMENT, date(2024, 3, 15))])
    units = {u.name: u.id for u in season.units()}
    season.set_review([units[EDUCATION], units[GOVERNMENT]], REVIEW_PASSED)
    season.set_review(units[GOVERNMENT], REVIEW_RETURNED, "缺少落款日期")
    season.set_note(units[EDUCATION], "已电话确认")
    with pytest.raises(SeasonError):
        season.set_review(units[EDUCATION], "maybe")
    store.close()

    again = Store(db_path)
    (info,) = Season.all(again)
    reopened = Season(again, info.id)
    rows = {r.name: r for r in reopened.board()}
    assert (rows[EDUCATION].review, rows[EDUCATION].note) == (REVIEW_PASSED, "已电话确认")
    assert (rows[GOVERNMENT].review, rows[GOVERNMENT].note) == (REVIEW_RETURNED, "缺少落款日期")
    assert rows[GOVERNMENT].due == date(2024, 3, 15)
    again.close()


def test_seasons_created_renamed_deleted(store: Store, tmp_path: Path) -> None:
    first = Season.create(store, "2023年度年报审核", 2023)
    Season.create(store, "2024年度年报审核", 2024)
    with pytest.raises(SeasonError, match="已有名为"):
        Season.create(store, " 2023年度年报审核 ", 2023)
    with pytest.raises(SeasonError, match="不能为空"):
        first.rename("  ")
    first.rename("2023年度年报审核（复核）")
    assert [s.name for s in Season.all(store)] == ["2024年度年报审核", "2023年度年报审核（复核）"]
    import_files(first, [unit_file(tmp_path, EDUCATION)])
    first.delete()
    assert [s.name for s in Season.all(store)] == ["2024年度年报审核"]
    assert store.db.execute("SELECT COUNT(*) FROM season_files").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM season_units").fetchone()[0] == 0


def test_units_changed_and_deleted(season: Season, tmp_path: Path) -> None:
    education = season.match_unit(EDUCATION)
    assert education is not None
    season.update_unit(education.id, kind=KIND_GOVERNMENT)  # the default due date follows the kind
    assert season.unit(education.id).due == date(2024, 3, 31)
    season.update_unit(education.id, due=date(2024, 2, 15), name="某某县教育体育局")
    assert season.unit(education.id).due == date(2024, 2, 15)
    season.update_unit(education.id, kind=KIND_DEPARTMENT)  # a date set by hand stays
    assert season.unit(education.id).due == date(2024, 2, 15)
    with pytest.raises(SeasonError, match="已有名为"):
        season.update_unit(education.id, name=MARKET)
    import_files(season, [unit_file(tmp_path, "某某县教育体育局")])
    season.delete_units([education.id])
    assert [r.name for r in season.board()] == [MARKET, GOVERNMENT]
    assert season.store.db.execute("SELECT COUNT(*) FROM season_files").fetchone()[0] == 0


def test_previous_reports_from_the_store_and_other_seasons(store: Store, season: Season, tmp_path: Path) -> None:
    earlier = Season.create(store, "2022年度年报审核", 2022)
    import_files(earlier, [unit_file(tmp_path / "old", EDUCATION, year=2022, new=7)])
    store.add_report(full_report(year=2021, agency=EDUCATION))
    store.add_report(full_report(year=2022, agency="另一个机关"))
    import_files(season, [unit_file(tmp_path, EDUCATION, new=9)])
    unit = season.match_unit(EDUCATION)
    assert unit is not None
    previous = season.previous_reports(unit.id)
    assert [(r.agency, r.year) for r in previous] == [(EDUCATION, 2021), (EDUCATION, 2022)]
    assert previous[1].number("s3.new.natural") == 7
    lookup = season.previous_lookup()
    assert set(lookup) == {(EDUCATION, 2022), ("另一个机关", 2022)}


def test_files_checked_against_last_years_report_in_the_store(store: Store, season: Season, tmp_path: Path) -> None:
    this_year = full_report(year=YEAR, agency=EDUCATION, carried_over=5)
    last_year = full_report(year=YEAR - 1, agency=EDUCATION, carried_forward=9)  # does not carry over
    store.add_report(last_year)
    path = tmp_path / "教育局.json"
    from core.reportfile import write_report_file

    write_report_file(this_year, path)
    import_files(season, [path])
    row = row_of(season, EDUCATION)
    rules = {f.rule for f in season.findings(row.file_id or 0)}
    assert "CARRY-OVER" in rules and row.errors + row.warnings == len(season.findings(row.file_id or 0))


def test_unit_reports_for_region_totals(season: Season, tmp_path: Path) -> None:
    import_files(season, [OFFICE / "office-2021.json", unit_file(tmp_path, EDUCATION)])
    ids = [u.id for u in season.units()]
    units = season.unit_reports(ids)  # the government has no file yet
    assert [(u.name, u.report.agency) for u in units] == [(MARKET, MARKET), (EDUCATION, EDUCATION)]
    assert units[0].file.endswith("office-2021.json") and units[0].errors == row_of(season, MARKET).errors


def test_last_years_file_received_in_this_season_is_used_for_the_check(season: Season, tmp_path: Path) -> None:
    from core.reportfile import write_report_file

    last_year = tmp_path / "old.json"
    write_report_file(full_report(year=YEAR - 1, agency=EDUCATION, carried_forward=9), last_year)
    this_year = tmp_path / "new.json"
    write_report_file(full_report(year=YEAR, agency=EDUCATION, carried_over=5), this_year)
    import_files(season, [last_year])  # sent by mistake, kept and flagged
    assert row_of(season, EDUCATION).wrong_year
    import_files(season, [this_year])
    row = row_of(season, EDUCATION)
    assert not row.wrong_year and "CARRY-OVER" in {f.rule for f in season.findings(row.file_id or 0)}
