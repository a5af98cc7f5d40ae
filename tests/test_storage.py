"""Local database: round trip, revisions and restore, atomicity, migrations, refusal of foreign files."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlite_utils import Database

from core import storage
from core.checks import Finding, validate
from core.edits import CellEdit, FieldEdit
from core.nextyear import new_report
from core.numbers import parse_value
from core.report import Report
from core.reportfile import dumps, loads, read_report_file, report_to_json
from core.storage import AgencyProfile, ReportIsFinal, StorageError, Store
from core.template import CellKind
from tests.conftest import SAMPLES_DIR

SAMPLES = SAMPLES_DIR


@pytest.fixture
def store_seed() -> bool:
    """The `store` of these tests starts empty."""
    return False


def test_new_database_holds_the_seed_report(tmp_path: Path) -> None:
    s = Store(tmp_path / "db.sqlite3")
    summaries = s.list_reports()
    assert [(r.agency, r.year, r.template) for r in summaries] == [
        ("四平市铁西区人民政府办公室", 2020, "2019")
    ]
    assert summaries[0].errors == 4
    s.close()
    # Opening again does not add a second copy.
    again = Store(tmp_path / "db.sqlite3")
    assert len(again.list_reports()) == 1
    again.close()


def test_database_uses_wal(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("name", ["seed-2020-tiexi.json", "real/2019_pingtan.json", "real/2022_pingtan.json"])
def test_report_round_trip(store: Store, name: str) -> None:
    report = read_report_file(SAMPLES / name)
    report_id = store.add_report(report)
    loaded = store.load(report_id)
    assert report_to_json(loaded) == report_to_json(report)
    assert validate(loaded) == validate(report)


def test_kept_numbers_stay_numbers_in_the_database(store: Store) -> None:
    """What a file holds beyond the template (an unknown key, a cell of the other template) comes
    back from the database as it was read: 1E+16 and 0.10 as numbers, not as their text."""
    text = (
        '{"format": "gov-disclosure-annual-report", "format_version": 1, "template": "2021", '
        '"agency": "x", "year": 2022, "x_score": [0.10, 1e16, NaN], '
        '"cells": {"s2.procurement.amount": 1.5e300, "s9.custom": -0.0}}'
    )
    report = loads(text)
    loaded = store.load(store.add_report(report))
    assert report_to_json(loaded) == report_to_json(report)
    assert dumps(loaded) == dumps(report)
    assert '"x_score": [\n  0.10,\n  1E+16,\n  "NaN"\n ]' in dumps(loaded)


def test_cell_edits_are_stored_and_listed_as_revisions(store: Store) -> None:
    report_id = store.add_report(new_report("测试区人民政府办公室", 2025))
    store.set_cell(report_id, "s3.new.natural", "１２")
    store.set_cell(report_id, "s3.new.natural", "12")  # no-op: same value, no revision
    store.set_text(report_id, "s5", "问题与改进")
    store.set_cell(report_id, "s2.fees.amount", "3.25万元")
    loaded = store.load(report_id)
    assert loaded.value("s3.new.natural").number == 12
    assert loaded.text("s5") == "问题与改进"
    assert loaded.value("s2.fees.amount").text == "3.25万元"
    revisions = store.revisions(report_id)
    assert [r.label for r in revisions] == ["创建报告", "修改单元格", "修改文字", "修改单元格"]
    assert revisions[1].changes == (("cell:s3.new.natural", None, "12"),)


def test_invalid_text_is_kept_not_lost(store: Store) -> None:
    report_id = store.add_report(new_report("测试区", 2025))
    parsed = store.set_cell(report_id, "s3.new.natural", "十二")
    assert parsed.error is not None
    loaded = store.load(report_id)
    assert loaded.value("s3.new.natural").text == "十二"
    assert any(f.rule == "VALUE-INVALID" for f in validate(loaded))


def test_restore_brings_back_an_earlier_state_as_a_new_revision(store: Store) -> None:
    report_id = store.add_report(new_report("测试区", 2025))
    store.set_cell(report_id, "s3.new.natural", 5)
    checkpoint = store.revisions(report_id)[-1].batch
    store.set_cell(report_id, "s3.new.natural", 7)
    store.set_cell(report_id, "s3.new.commercial", 2)
    store.set_text(report_id, "s1", "改动")
    changed = store.restore(report_id, checkpoint)
    assert changed == 3
    loaded = store.load(report_id)
    assert loaded.value("s3.new.natural").number == 5
    assert loaded.value("s3.new.commercial").is_blank
    assert loaded.text("s1") == new_report("测试区", 2025).text("s1")
    assert store.revisions(report_id)[-1].label == f"恢复到第 {checkpoint} 版"


def _count(cell_id: str, text: str) -> CellEdit:
    return CellEdit(cell_id, parse_value(text, CellKind.COUNT))


def test_paste_is_one_transaction_and_one_revision(store: Store) -> None:
    report_id = store.add_report(new_report("测试区", 2025))
    before = len(store.revisions(report_id))
    store.apply(
        report_id,
        [_count("s3.new.natural", "1"), _count("s3.new.commercial", "2")],
        label="粘贴",
    )
    assert len(store.revisions(report_id)) == before + 1
    with pytest.raises(StorageError):
        store.apply(
            report_id,
            [_count("s3.granted.natural", "3"), _count("s3.new.total", "9")],  # computed
            label="粘贴",
        )
    loaded = store.load(report_id)
    assert loaded.value("s3.granted.natural").is_blank  # nothing of the refused batch stored
    assert len(store.revisions(report_id)) == before + 1


def test_a_crash_mid_change_leaves_nothing_half_written(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    report_id = store.add_report(new_report("测试区", 2025))

    def boom(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "_record", boom)
    with pytest.raises(StorageError, match="磁盘空间已满"):
        store.set_cell(report_id, "s3.new.natural", 4)
    monkeypatch.undo()
    assert store.load(report_id).value("s3.new.natural").is_blank


def test_final_report_is_read_only_until_reopened(store: Store) -> None:
    report_id = store.add_report(new_report("测试区", 2025))
    store.set_status(report_id, "final")
    with pytest.raises(ReportIsFinal):
        store.set_cell(report_id, "s3.new.natural", 1)
    store.set_status(report_id, "draft")
    store.set_cell(report_id, "s3.new.natural", 1)
    assert [r.label for r in store.revisions(report_id)][-3:] == ["定稿", "撤销定稿", "修改单元格"]


def test_delete_is_recoverable(store: Store) -> None:
    report_id = store.add_report(new_report("测试区", 2025))
    store.delete(report_id)
    assert store.list_reports() == []
    assert [r.id for r in store.list_reports(deleted=True)] == [report_id]
    assert store.find("测试区", 2025) is None
    store.undelete(report_id)
    assert [r.id for r in store.list_reports()] == [report_id]


def test_previous_year_report_feeds_cross_year_checks(store: Store) -> None:
    last = new_report("测试区", 2024)
    last.set_cell("s3.carried_forward.natural", 3)
    store.add_report(last)
    this = new_report("测试区", 2025)
    this.set_cell("s3.carried_over.natural", 1)
    previous = store.previous_report("测试区", 2025)
    assert previous is not None
    assert any(f.rule == "CARRY-OVER" for f in validate(this, previous))
    this_id = store.add_report(this)
    summary = next(s for s in store.list_reports() if s.id == this_id)
    assert summary.warnings >= 1


def test_agency_profile(store: Store) -> None:
    profile = AgencyProfile("测试区", address="某路1号", phone="0000-1234567", zero_print="blank")
    store.save_agency_profile(profile)
    assert store.agency_profile("测试区") == profile
    with pytest.raises(StorageError):
        store.save_agency_profile(AgencyProfile("测试区", zero_print="maybe"))


def _old_database(path: Path, version: int) -> Path:
    """A database an earlier version of the program left: schema `version`, one report of 2020."""
    db = Database(path)
    with db.atomic():
        for step in range(1, version + 1):
            storage.MIGRATIONS[step](db)
        db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", [str(version)])
        db.execute("INSERT INTO meta (key, value) VALUES ('seeded', 'False')")
        db.execute("INSERT INTO agencies (name) VALUES ('旧机关')")
        db.execute(
            "INSERT INTO reports (agency_id, year, template, created_at, updated_at) "
            "VALUES (1, 2020, '2019', 'x', 'x')"
        )
        db.execute("INSERT INTO cells (report_id, cell_id, printed, text) VALUES (1, 's3.new.natural', 0, '9')")
    db.close()
    return path


def test_migration_from_version_1_keeps_data(tmp_path: Path) -> None:
    s = Store(_old_database(tmp_path / "old.sqlite3", 1))
    assert s.schema_version == storage.SCHEMA_VERSION
    report = s.load(1)
    assert report.value("s3.new.natural").number == 9
    assert s.agency_profile("旧机关").zero_print == "zero"
    s.delete(1)  # uses the column version 2 added
    s.close()


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Store(path, seed=False).close()
    db = Database(path)
    with db.atomic():
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="更新版本"):
        Store(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 50, b"SQLite format 3\x00" + b"\xff" * 4000],
)
def test_a_file_that_is_not_a_database_is_reported_not_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StorageError, match="不是本程序的数据库"):
        Store(path)
    assert path.read_bytes() == content


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    db = Database(path)
    db["customers"].insert({"name": "x"})
    db.close()
    with pytest.raises(StorageError, match="其他程序"):
        Store(path)
    assert Database(path).table_names() == ["customers"]


def test_typing_in_one_text_coalesces_into_one_revision(store: Store) -> None:
    report_id = store.add_report(new_report("测试区", 2025))
    before = len(store.revisions(report_id))
    for text in ["问", "问题", "问题一"]:
        store.apply(report_id, [FieldEdit("s5", text)], label="修改文字", coalesce_seconds=60)
    store.apply(report_id, [FieldEdit("s6", "无。")], label="修改文字", coalesce_seconds=60)
    store.apply(report_id, [FieldEdit("s5", "问题一二")], label="修改文字", coalesce_seconds=60)
    revisions = store.revisions(report_id)
    assert len(revisions) == before + 3
    assert revisions[before].changes == (("text:s5", None, "问题一"),)
    assert store.load(report_id).text("s5") == "问题一二"
    store.restore(report_id, revisions[before].batch)
    assert store.load(report_id).text("s5") == "问题一"


# ---- the counts of findings the reports list shows ------------------------------------------


def _checks_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which reports the store checks from now on (agency and year of each)."""
    checked: list[str] = []
    real = storage.validate

    def counting(report: Report, previous: Report | None = None) -> list[Finding]:
        checked.append(f"{report.agency} {report.year}")
        return real(report, previous)

    monkeypatch.setattr(storage, "validate", counting)
    return checked


def test_reports_list_checks_only_what_changed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    last = new_report("测试区", 2024)
    last.set_cell("s3.carried_forward.natural", 3)
    last_id = store.add_report(last)
    this_id = store.add_report(new_report("测试区", 2025))
    other_id = store.add_report(new_report("别的区", 2025))
    first = {s.id: (s.errors, s.warnings) for s in store.list_reports()}
    checked = _checks_counted(monkeypatch)
    assert {s.id: (s.errors, s.warnings) for s in store.list_reports()} == first
    assert checked == []  # nothing changed: nothing checked again

    store.set_cell(this_id, "s3.carried_over.natural", 3)  # now it carries last year's over
    listed = {s.id: s for s in store.list_reports()}
    assert checked == ["测试区 2025"]
    assert listed[this_id].warnings == first[this_id][1] - 1  # the CARRY-OVER warning is gone

    checked.clear()
    store.set_cell(last_id, "s3.carried_forward.natural", 4)  # last year's changed: this year's is stale
    listed = {s.id: s for s in store.list_reports()}
    assert sorted(checked) == ["测试区 2024", "测试区 2025"]
    assert listed[this_id].warnings == first[this_id][1]
    assert other_id in listed

    checked.clear()
    store.delete(last_id)  # no last year's report any more: checked without it
    store.list_reports()
    assert checked == ["测试区 2025"]


def test_reports_list_counts_are_made_again_when_the_rules_change(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_report(new_report("测试区", 2025))
    store.list_reports()
    checked = _checks_counted(monkeypatch)
    monkeypatch.setattr(storage, "RULES_VERSION", storage.RULES_VERSION + 1)
    store.list_reports()
    assert checked == ["测试区 2025"]


def test_reports_list_counts_when_they_cannot_be_kept(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add_report(new_report("测试区", 2025))
    expected = [(s.id, s.errors, s.warnings) for s in store.list_reports()]
    store.db.execute("DELETE FROM findings_summary")
    store.db.conn.commit()

    @contextmanager
    def refused(**_options: object) -> Iterator[None]:
        raise StorageError("数据库是只读的，无法保存修改。")
        yield

    monkeypatch.setattr(store, "_write", refused)  # a read-only or busy database
    assert [(s.id, s.errors, s.warnings) for s in store.list_reports()] == expected


def test_migration_from_version_2_counts_findings_again(tmp_path: Path) -> None:
    s = Store(_old_database(tmp_path / "v2.sqlite3", 2))
    try:
        (summary,) = s.list_reports()
        assert summary.errors == 2  # 自然人 and 总计 columns do not balance: 9 new, nothing handled
        assert summary.title == "旧机关2020年政府信息公开工作年度报告"
    finally:
        s.close()
