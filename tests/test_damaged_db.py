"""A damaged database: a damaged page, random bytes in a page, 0 bytes, a lost or damaged -wal, a
read-only folder and a full disk. Each gets one clear Chinese sentence, the file is never written
into, and restoring from a backup brings every report back."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core import backup
from core.backup import list_backups, newest_good_backup, restore_backup
from core.storage import DatabaseDamaged, StorageError, Store
from tests.test_backup import _chattr, dump, filled

ROOT = Path(__file__).resolve().parents[1]
PAGE = 4096


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def page_holding(path: Path, text: str) -> int:
    """The number (from 0) of the page whose bytes hold `text`."""
    at = path.read_bytes().find(text.encode("utf-8"))
    assert at > 0, f"{text} is not in the file"
    return at // PAGE


def damage(path: Path) -> str:
    """Zeroes the page holding the paragraph written before the backup; returns the damaged file's digest."""
    data = bytearray(path.read_bytes())
    page = page_holding(path, "备份之前写下的一段话")
    data[page * PAGE: (page + 1) * PAGE] = b"\0" * PAGE
    path.write_bytes(bytes(data))
    return digest(path)


def spoil(path: Path, text: str, spoiled: bytes) -> None:
    """Writes `spoiled` (bytes that are not UTF-8) over the start of the first `text` in the file."""
    data = path.read_bytes()
    at = data.find(text.encode("utf-8"))
    path.write_bytes(data[:at] + spoiled + data[at + len(spoiled):])


def leaf_pages(path: Path) -> list[int]:
    """The pages (from 0) holding rows of the reports, cells and texts tables."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE name IN ('cells', 'texts', 'reports') AND pagetype = 'leaf'"
        ).fetchall()
    except sqlite3.OperationalError:  # an SQLite built without dbstat: the texts table's root (a leaf)
        rows = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'texts'").fetchall()
    finally:
        conn.close()
    return sorted(int(row[0]) - 1 for row in rows)


def checkpointed(path: Path) -> tuple[dict[int, str], backup.BackupInfo]:
    """A closed database of several reports (everything in the main file) and a backup of it."""
    store = filled(path)
    expected = dump(store)
    made = store.backup()
    store.close()
    return expected, made


def assert_restores(path: Path, expected: dict[int, str]) -> Path:
    """Restoring the newest good backup brings back exactly `expected`; returns where the old file went."""
    good = newest_good_backup(path)
    assert good is not None
    result = restore_backup(path, good.path)
    store = Store(path)
    assert dump(store) == expected
    store.close()
    assert result.kept_aside is not None
    return result.kept_aside


def test_a_damaged_page_is_one_sentence_the_file_untouched_and_a_backup_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    expected, made = checkpointed(path)
    before = damage(path)
    with pytest.raises(DatabaseDamaged) as caught:
        Store(path)
    message = str(caught.value)
    assert caught.value.kind == "damaged" and not caught.value.can_keep
    assert "已损坏" in message and "没有再写入" in message and made.describe() in message
    assert "\n" not in message and "Traceback" not in message
    assert digest(path) == before
    assert [b.path for b in list_backups(path)] == [made.path]  # the damaged file was not backed up
    aside = assert_restores(path, expected)
    assert aside.name.startswith("reports.sqlite3.damaged-") and digest(aside) == before


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_in_a_page_are_found_at_open(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "reports.sqlite3"
    expected, _made = checkpointed(path)
    rng = random.Random(seed)
    page = rng.choice(leaf_pages(path))
    data = bytearray(path.read_bytes())
    start = page * PAGE + PAGE - 512  # the end of a page: where its first rows are
    data[start: start + 512] = rng.randbytes(512)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match="已损坏"):
        Store(path)
    assert_restores(path, expected)


def test_text_no_longer_utf8_is_damage_not_a_decode_error(tmp_path: Path) -> None:
    """The issue's `Could not decode to UTF-8 column 'cell_id'`: quick_check finds nothing, reading finds it."""
    path = tmp_path / "reports.sqlite3"
    expected, _made = checkpointed(path)
    spoil(path, "s3.new.natural", b"\xff\xfe\xfd")
    with pytest.raises(DatabaseDamaged, match="文字已损坏"):
        Store(path)
    assert_restores(path, expected)


def test_damage_found_while_working_stops_every_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "reports.sqlite3"
    checkpointed(path)
    spoil(path, "四平市铁西区", b"\xff\xfe")
    monkeypatch.setattr(backup, "problem", lambda _conn: None)  # damage the check at open did not see
    store = Store(path, backups=False)
    before = digest(path)
    with pytest.raises(DatabaseDamaged):
        store.load(1)  # the example report, whose agency's name is damaged
    assert store.damaged is not None
    with pytest.raises(DatabaseDamaged):
        store.set_text(1, "s5", "不能写进损坏的文件")
    with pytest.raises(DatabaseDamaged):
        store.backup()
    store.close()
    assert digest(path) == before


def test_a_database_truncated_to_0_bytes_is_damage_not_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    expected, made = checkpointed(path)
    path.write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="0 字节") as caught:
        Store(path)
    assert caught.value.kind == "empty" and made.describe() in str(caught.value)
    assert path.stat().st_size == 0  # not re-created with the example report
    assert_restores(path, expected)


def test_0_bytes_with_only_a_save_mark_is_damage_too_and_without_either_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    Store(path, backups=False).close()
    path.write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="0 字节"):
        Store(path, backups=False)
    fresh = tmp_path / "new.sqlite3"
    fresh.write_bytes(b"")
    store = Store(fresh)
    assert len(store.list_reports()) == 1  # the example report
    store.close()


def test_a_copy_without_its_wal_says_how_many_saves_were_lost(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    store.backup()
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    at_checkpoint = dump(store)
    report_id = next(iter(at_checkpoint))
    for n in range(3):
        store.set_cell(report_id, "s3.new.natural", n + 10)
    complete = dump(store)
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("reports.sqlite3", "reports.sqlite3-saved"):  # as a copy that skipped the -wal
        shutil.copy(tmp_path / name, copy / name)
    shutil.copytree(tmp_path / "backups", copy / "backups")
    store.backup()  # a backup holding the three saves, which the copy does not have
    later = tmp_path / "later"
    shutil.copytree(copy, later, ignore=shutil.ignore_patterns("backups"))
    shutil.copytree(tmp_path / "backups", later / "backups")
    store.close()

    lost = copy / "reports.sqlite3"
    with pytest.raises(DatabaseDamaged) as caught:
        Store(lost)
    message = str(caught.value)
    assert caught.value.kind == "lost" and caught.value.can_keep
    assert "最近 3 次保存已丢失" in message and "备份中也没有这些保存" in message
    kept = Store(lost, accept_loss=True)  # the user keeps the older database as it is
    assert dump(kept) == at_checkpoint
    kept.close()
    Store(lost).close()  # accepted once: not asked again

    # With the newer backup beside it, the sentence says it holds every lost save; restoring gets them.
    with pytest.raises(DatabaseDamaged, match="含有全部这些保存，可以用它恢复"):
        Store(later / "reports.sqlite3")
    assert_restores(later / "reports.sqlite3", complete)


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from core.storage import Store
    store = Store({path!r})
    report_id = store.list_reports()[0].id
    for n in range({edits}):
        store.set_cell(report_id, "s3.new.natural", n + 1)
        print(n + 1, flush=True)
    import time
    time.sleep(60)
    """
)


def test_a_writer_killed_and_its_wal_lost_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    expected, made = checkpointed(path)
    with subprocess.Popen(
        [sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(path), edits=20)],
        stdout=subprocess.PIPE, text=True,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "20":
                break
        child.send_signal(signal.SIGKILL)
        child.wait()
    wal = path.with_name("reports.sqlite3-wal")
    assert wal.stat().st_size > 0  # the 20 saves are in the -wal only
    wal.unlink()
    with pytest.raises(DatabaseDamaged) as caught:
        Store(path)
    assert caught.value.kind == "lost" and "最近 20 次保存已丢失" in str(caught.value)
    # The newest backup (made when the writer opened the database) predates the 20 saves: said so.
    assert "备份中也没有这些保存" in str(caught.value)
    aside = assert_restores(path, expected)
    assert aside.name.startswith("reports.sqlite3.damaged-") or aside.name.startswith("reports.sqlite3.replaced-")
    assert made.path.exists()


def test_a_damaged_wal_loses_the_saves_after_the_damage_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report_id = store.list_reports()[0].id
    for n in range(10):
        store.set_cell(report_id, "s3.new.natural", n + 1)
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("reports.sqlite3", "reports.sqlite3-wal", "reports.sqlite3-saved"):
        shutil.copy(tmp_path / name, copy / name)
    store.close()
    wal = copy / "reports.sqlite3-wal"
    data = bytearray(wal.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 64] = bytes(64)
    wal.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match="次保存已丢失") as caught:
        Store(copy / "reports.sqlite3")
    assert caught.value.kind == "lost"


def test_a_read_only_folder_is_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "reports.sqlite3"
    expected, _made = checkpointed(path)
    before = digest(path)
    if _chattr(folder, "+i"):  # read-only even for root
        try:
            with pytest.raises(StorageError, match="只读") as caught:
                Store(path)
            assert "unable" not in str(caught.value)
        finally:
            _chattr(folder, "-i")
        assert digest(path) == before
    # Where the data folder cannot be made (its parent is a file): a message, nothing written.
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    with pytest.raises(StorageError, match="无法创建数据文件夹"):
        Store(blocked / "reports.sqlite3")
    assert dump(Store(path)) == expected


def test_a_full_disk_refuses_the_edit_keeps_the_report_and_damages_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    store = filled(path)
    before = dump(store)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk holds not one page more
    report_id = next(iter(before))
    with pytest.raises(StorageError, match="磁盘空间已满"):
        store.set_text(report_id, "s5", "很长的一段话。" * 4000)
    assert dump(store) == before and store.damaged is None
    store.db.execute(f"PRAGMA max_page_count = {pages * 100}")  # space again: saving goes on
    store.set_text(report_id, "s5", "有空间了。")
    assert store.load(report_id).texts["s5"] == "有空间了。"
    store.close()
    assert backup.problem(sqlite3.connect(path)) is None


# --- the command line -------------------------------------------------------------------------------


def run(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOV_REPORT_DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60,
    )


def test_the_command_line_refuses_a_damaged_database_and_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    expected, made = checkpointed(path)
    before = damage(path)
    sample = ROOT / "tests" / "data" / "real" / "2022_pingtan.json"
    for args in (["list"], ["export", "1", "--to", tmp_path / "out.json"], ["import", sample], ["backup"]):
        result = run(*args, "--db", path, data_dir=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "已损坏" in result.stderr and "main.py restore" in result.stderr, args
        assert "Traceback" not in result.stderr and "程序内部错误" not in result.stderr
        assert digest(path) == before, args  # import wrote nothing into the damaged file
    assert not (tmp_path / "out.json").exists()

    listed = run("restore", "--list", "--db", path, data_dir=tmp_path)
    assert listed.returncode == 0 and str(made.path) in listed.stdout and "\t3\t" in listed.stdout
    restored = run("restore", "--db", path, data_dir=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "3 份报告" in restored.stdout and ".damaged-" in restored.stdout
    assert dump(Store(path, backups=False)) == expected
    shown = run("list", "--db", path, data_dir=tmp_path)
    assert shown.returncode == 0 and shown.stdout.count("\n") == 4  # a header and three reports


def test_backup_now_and_restore_by_number_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    filled(path).close()
    made = run("backup", "--db", path, data_dir=tmp_path)
    assert made.returncode == 0 and "已备份到" in made.stdout and "3 份报告" in made.stdout
    again = run("backup", "--db", path, data_dir=tmp_path)
    assert again.returncode == 0
    assert len(list_backups(path)) == 2
    bad = run("restore", "9", "--db", path, data_dir=tmp_path)
    assert bad.returncode == 2 and "没有编号为 9 的备份" in bad.stderr
    by_number = run("restore", "2", "--db", path, data_dir=tmp_path)
    assert by_number.returncode == 0 and ".replaced-" in by_number.stdout and "恢复前另作了备份" in by_number.stdout
    empty = tmp_path / "empty"
    none = run("restore", "--db", empty / "reports.sqlite3", data_dir=tmp_path)
    assert none.returncode == 2 and "没有可用的备份" in none.stderr


def test_lost_saves_on_the_command_line_can_be_kept_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    filled(path).close()
    mark = path.with_name("reports.sqlite3-saved")
    mark.write_text(f"{int(mark.read_text()) + 2:020d}\n")  # two saves the database does not have
    listed = run("list", "--db", path, data_dir=tmp_path)
    assert listed.returncode == 2 and "最近 2 次保存已丢失" in listed.stderr and "--keep-current" in listed.stderr
    kept = run("restore", "--keep-current", "--db", path, data_dir=tmp_path)
    assert kept.returncode == 0 and "继续使用现有的数据库" in kept.stdout
    assert run("list", "--db", path, data_dir=tmp_path).returncode == 0
