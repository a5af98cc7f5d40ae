"""Backups of the database: made with the online backup API, checked before they take their name, kept
10 recent plus one a day for 30 days, made at open, hourly while editing and before risky operations,
and restored without losing what they replace."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core import backup
from core.backup import BackupError, list_backups, make_backup, restore_backup
from core.operations import store_report
from core.reportfile import json_text, report_to_json
from core.storage import MIGRATIONS, DatabaseDamaged, Store
from tests.conftest import full_report


def dump(store: Store) -> dict[int, str]:
    """Every report (cells, printed totals, texts) by id, as JSON text: what a restore must bring back."""
    return {s.id: json_text(report_to_json(store.load(s.id))) for s in store.list_reports()}


def filled(path: Path) -> Store:
    """A database with the example, two full reports and some edits."""
    store = Store(path)
    first = store.add_report(full_report("2021"))
    store.add_report(full_report("2019"))
    store.set_cell(first, "s2.fees.amount", "3.5")
    store.set_text(first, "s5", "备份之前写下的一段话。")
    return store


def test_a_backup_is_a_checked_self_contained_copy(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    expected = dump(store)
    made = store.backup()
    assert made.path.parent == tmp_path / "backups"
    assert made.path.name.startswith("reports-") and made.path.name.endswith("-manual.sqlite3")
    assert made.reports == 3 and made.seq == store.commit_seq
    assert not [p for p in made.path.parent.iterdir() if p.name.endswith(".tmp")]
    # The copy needs no -wal: opened on its own, it holds every report.
    assert not Path(f"{made.path}-wal").exists()
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(made.path, copy)
    assert dump(Store(copy, backups=False)) == expected
    (info,) = list_backups(path)
    assert (info.path, info.reports, info.reason_label, info.size) == (made.path, 3, "手动", made.path.stat().st_size)
    store.close()


def test_backups_are_kept_ten_recent_and_one_a_day_for_thirty_days(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    Store(path).close()
    folder = tmp_path / "backups"
    folder.mkdir(exist_ok=True)
    now = datetime(2026, 12, 3, 12, 0, 0)
    names = []
    for hours in range(0, 24 * 40, 6):  # four a day for 40 days
        taken = now - timedelta(hours=hours)
        name = f"reports-{taken:%Y%m%d-%H%M%S}-auto.sqlite3"
        (folder / name).write_bytes(b"x")
        names.append((taken, name))
    (folder / ".reports-20261203-115959-auto.sqlite3.tmp").write_bytes(b"half")  # a copy never finished
    (folder / "other-20200101-000000-auto.sqlite3").write_bytes(b"another database's")
    backup.prune(path, now)
    left = {p.name for p in folder.iterdir()}
    recent = {name for _, name in names[:10]}
    daily = {max((t, n) for t, n in names if t.date() == day)[1]
             for day in {t.date() for t, _ in names if now - t <= timedelta(days=30)}}
    assert left == recent | daily | {"other-20200101-000000-auto.sqlite3"}
    assert len(daily) == 31 and len(left) < len(names)


def test_an_hourly_backup_while_editing_and_one_at_open_only_after_changes(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = Store(path)
    report_id = store.list_reports()[0].id
    store.set_cell(report_id, "s3.new.natural", 1)
    assert list_backups(path) == []  # a new database is first backed up an hour into editing
    store._last_backup = time.time() - 3601  # the last backup is an hour old
    store.set_cell(report_id, "s3.new.natural", 2)
    (auto,) = list_backups(path)
    assert auto.reason == "auto" and auto.seq == store.commit_seq
    store.set_cell(report_id, "s3.new.natural", 3)  # within the hour: no other
    assert len(list_backups(path)) == 1
    store.close()
    Store(path).close()  # changed since the hourly backup: one at open
    assert [b.reason for b in list_backups(path)] == ["open", "auto"]
    Store(path).close()  # unchanged since: none
    assert len(list_backups(path)) == 2


def test_a_backup_before_replacing_on_import_and_before_migrating(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = Store(path)
    report = full_report("2021")
    first = store_report(store, report, replace=False).id
    assert list_backups(path) == []
    store_report(store, report, replace=True)
    (before,) = list_backups(path)
    assert before.reason == "replace" and before.reports == 2  # the replaced report is still in it
    store.close()

    old = tmp_path / "old.sqlite3"  # a database of schema version 2
    conn = sqlite3.connect(old)
    from sqlite_utils import Database

    db = Database(conn)
    for step in (1, 2):
        MIGRATIONS[step](db)
    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '2'), ('seeded', 'True')")
    conn.commit()
    conn.close()
    Store(old).close()
    reasons = [b.reason for b in list_backups(old)]
    assert reasons[-1] == "migrate" and first


def test_restore_brings_every_report_back_and_keeps_the_current_file_aside(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    expected = dump(store)
    made = store.backup()
    report_id = next(iter(expected))
    store.set_cell(report_id, "s3.new.natural", 99)
    store.delete(report_id)
    later = dump(store)
    store.close()
    result = restore_backup(path, made.path)
    assert result.reports == 3 and result.backup.path == made.path
    # The replaced database was whole: it was backed up first and kept aside as well.
    assert result.safety_backup is not None and result.safety_backup.reason == "restore"
    assert result.kept_aside is not None and result.kept_aside.name.startswith("reports.sqlite3.replaced-")
    again = Store(path)
    assert dump(again) == expected
    again.close()
    assert dump(Store(result.kept_aside, backups=False)) == later
    assert dump(Store(result.safety_backup.path.rename(tmp_path / "s.sqlite3"), backups=False)) == later


def test_a_damaged_database_is_never_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    filled(path).close()
    data = bytearray(path.read_bytes())
    data[4096 * 3: 4096 * 3 + 200] = b"\0" * 200  # a b-tree page's header gone
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(path)
    with pytest.raises(DatabaseDamaged):
        make_backup(conn, path, "manual")
    conn.close()
    assert list(list_backups(path)) == []
    assert not [p for p in (tmp_path / "backups").iterdir()]


@pytest.fixture
def small_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies are written to a 'disk' that holds two pages: SQLite reports it full (SQLITE_FULL)."""
    real = backup._copy_target

    def full(path: Path) -> sqlite3.Connection:
        conn = real(path)
        conn.execute("PRAGMA max_page_count = 2")
        return conn

    monkeypatch.setattr(backup, "_copy_target", full)


def test_a_full_disk_fails_the_backup_with_a_message_and_leaves_nothing(tmp_path: Path, small_disk: None) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    with pytest.raises(BackupError, match="磁盘空间已满"):
        store.backup()
    assert list(list_backups(path)) == []
    assert not list((tmp_path / "backups").iterdir())  # no half-written copy
    # The automatic backup fails quietly: the edit is saved, the reason kept for the app to show.
    store._last_backup = 0
    report_id = store.list_reports()[0].id
    store.set_cell(report_id, "s3.new.natural", 5)
    assert store.load(report_id).inputs["s3.new.natural"].text == "5"
    assert store.backup_problem is not None and "磁盘空间已满" in store.backup_problem
    store.close()


def test_a_full_disk_fails_a_restore_and_the_database_stays(tmp_path: Path, small_disk: None) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    expected = dump(store)
    store.close()
    source = tmp_path / "elsewhere.sqlite3"
    shutil.copy(path, source)
    with pytest.raises(BackupError, match="磁盘空间已满"):
        restore_backup(path, source)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("reports", ".reports"))) == [
        "reports.sqlite3", "reports.sqlite3-saved"
    ]
    assert dump(Store(path)) == expected


def _chattr(path: Path, flag: str) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def immutable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder nobody (root included) may add files to: chattr +i where the file system allows it,
    else, for an ordinary user, a folder without write permission, else (root on a file system without
    chattr) a folder whose files cannot be created, as on a read-only file system (EROFS)."""
    folder = tmp_path / "backups"
    folder.mkdir()
    if _chattr(folder, "+i"):
        yield folder
        _chattr(folder, "-i")
        return
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return

    def read_only_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file).parent == folder:
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return open(file, *args, **kwargs)

    monkeypatch.setattr(backup, "open", read_only_open, raising=False)
    yield folder


def test_a_read_only_backups_folder_is_a_message_and_saving_goes_on(tmp_path: Path, immutable_folder: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    with pytest.raises(BackupError, match="只读"):
        store.backup()
    store._last_backup = 0
    report_id = store.list_reports()[0].id
    store.set_cell(report_id, "s3.new.natural", 6)
    assert store.load(report_id).inputs["s3.new.natural"].text == "6"
    assert store.backup_problem is not None and "只读" in store.backup_problem
    store.close()


def test_a_file_in_place_of_the_backups_folder_is_a_message(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    (tmp_path / "backups").write_text("not a folder")
    with pytest.raises(BackupError, match="同名的文件"):
        store.backup()
    store.close()


def test_a_backup_that_is_damaged_is_not_restored(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    expected = dump(store)
    made = store.backup()
    store.close()
    data = bytearray(made.path.read_bytes())
    data[4096 * 2: 4096 * 2 + 100] = b"\xff" * 100
    made.path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="已损坏"):
        restore_backup(path, made.path)
    assert backup.newest_good_backup(path) is None
    assert dump(Store(path)) == expected


def test_a_database_in_use_elsewhere_is_not_restored_under_it(tmp_path: Path) -> None:
    """On Linux a file can be renamed while open: the window would go on saving into the file kept aside."""
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    made = store.backup()
    store.set_text(1, "s5", "窗口里刚保存的")
    with pytest.raises(BackupError, match="正被程序窗口或其他命令使用"):
        restore_backup(path, made.path)
    store.set_text(1, "s5", "还能继续保存")
    assert store.load(1).texts["s5"] == "还能继续保存"
    store.close()
    assert not list(tmp_path.glob("reports.sqlite3.*"))
