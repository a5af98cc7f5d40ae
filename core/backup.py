"""Backups of the reports database, the check that finds a database damaged, and restoring a backup.

A backup is a copy made with SQLite's online backup API (a consistent copy while the database is in
use), turned into a self-contained file (no -wal), checked with `PRAGMA quick_check` and only then
given its name: a backup that exists under its name is whole. Backups live in a `backups` folder
beside the database, named ``<stem>-<YYYYmmdd-HHMMSS>[-n]-<reason><suffix>``; the last KEEP_RECENT
are kept, and beyond those the newest of each day for KEEP_DAYS days.

Restoring never overwrites anything: the restored copy is written beside the database under a
temporary name and checked, the current file (with its -wal, -shm and save mark) is moved aside as
``<name>.damaged-<time>`` (or ``.replaced-<time>`` when it was whole, after a backup of it), and the
copy is renamed into place. No connection to the database may be open while it is restored."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from core.errors import UserError

BACKUP_DIR_NAME = "backups"
KEEP_RECENT = 10
KEEP_DAYS = 30
AUTO_INTERVAL_SECONDS = 3600.0
_STAMP = "%Y%m%d-%H%M%S"
# Why a backup was made: the tag in its name and what the user reads.
REASONS = {
    "open": "打开时",
    "auto": "自动（每小时）",
    "manual": "手动",
    "restore": "恢复前",
    "replace": "导入替换前",
    "migrate": "升级数据结构前",
}
NOT_OURS = "它不是本程序的数据库文件，或文件开头已损坏"
_SIDE_FILES = ("-wal", "-shm", "-saved")  # what SQLite (and the save mark) keep beside a database


class BackupError(UserError):
    """A backup or restore that could not be made; str() is one Chinese sentence. Nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken: datetime
    reason: str  # a key of REASONS
    size: int
    reports: int | None  # reports not in the recycle bin; None when the copy cannot be read
    seq: int | None  # the database's commit count when the copy was made, when it kept one

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    @property
    def readable(self) -> bool:
        return self.reports is not None

    @property
    def size_text(self) -> str:
        """「850 KB」, 「1.2 MB」: the size as the backups list shows it."""
        size = self.size
        return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"

    def describe(self) -> str:
        """「2026-12-03 12:40 的备份（4 份报告）」."""
        count = f"{self.reports} 份报告" if self.reports is not None else "无法读取"
        return f"{self.taken:%Y-%m-%d %H:%M} 的备份（{count}）"


# --- the check ---------------------------------------------------------------------------------------


def problem(conn: sqlite3.Connection) -> str | None:
    """What is wrong with the database on `conn`, as a short Chinese phrase, or None when it is whole.
    `PRAGMA quick_check` finds damaged pages and indexes; it does not look at the values, so every
    text column is also read once, as bytes joined in SQL and decoded in one go, which finds bytes
    overwritten inside a page (text that is no longer UTF-8) at a fraction of reading every row."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            return "文件中有页面损坏"
        tables = [
            str(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        queries = []
        for table in tables:
            columns = [
                str(row[1]) for row in conn.execute(f'PRAGMA table_info("{table}")') if "TEXT" in str(row[2]).upper()
            ]
            if columns:
                joined = " || char(0) || ".join(f'coalesce("{c}", \'\')' for c in columns)
                queries.append(f'SELECT group_concat({joined}, char(0)) FROM "{table}"')
        factory = conn.text_factory
        conn.text_factory = bytes
        try:
            for query in queries:
                value = conn.execute(query).fetchone()[0]
                if isinstance(value, bytes):
                    value.decode("utf-8")
        finally:
            conn.text_factory = factory
    except UnicodeDecodeError:
        return "文件中有文字已损坏"
    except sqlite3.OperationalError as exc:
        if "decode" in str(exc).lower():
            return "文件中有文字已损坏"
        raise
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc).lower():
            return NOT_OURS
        return "文件中有页面损坏"
    return None


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether an error from SQLite means the file is damaged (not busy, full or read-only)."""
    text = str(exc).lower()
    return any(word in text for word in ("malformed", "corrupt", "not a database", "could not decode"))


# --- names and the folder -----------------------------------------------------------------------------


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIR_NAME


def _pattern(db_path: Path) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(db_path.stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?-([a-z]+){re.escape(db_path.suffix)}$"
    )


def _new_path(db_path: Path, reason: str, now: datetime) -> Path:
    folder = backups_dir(db_path)
    stamp = now.strftime(_STAMP)
    second = now.replace(microsecond=0)
    taken = {n for _path, time, n, _reason in _backup_files(db_path) if time == second}
    for n in range(1000):
        if n not in taken:  # numbered within the second whatever the reason, so the order is kept
            extra = f"-{n}" if n else ""
            return folder / f"{db_path.stem}-{stamp}{extra}-{reason}{db_path.suffix}"
    raise BackupError(f"备份文件夹「{folder}」中这一秒的备份过多")


def _backup_files(db_path: Path) -> list[tuple[Path, datetime, int, str]]:
    """(path, time, n, reason) of the backups of this database, newest first."""
    folder = backups_dir(db_path)
    pattern = _pattern(db_path)
    found = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None:
            continue
        try:
            taken = datetime.strptime(match.group(1), _STAMP)
        except ValueError:
            continue
        found.append((entry, taken, int(match.group(2) or 0), match.group(3)))
    found.sort(key=lambda item: (item[1], item[2]), reverse=True)
    return found


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that can neither change the file nor leave -wal/-shm files beside it."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def _counts(conn: sqlite3.Connection) -> tuple[int, int | None]:
    """(reports not in the recycle bin, commit count or None) of a database of this program."""
    try:
        reports = int(conn.execute("SELECT COUNT(*) FROM reports WHERE deleted_at IS NULL").fetchone()[0])
    except sqlite3.OperationalError:  # schema version 1 had no recycle bin
        reports = int(conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0])
    row = conn.execute("SELECT value FROM meta WHERE key = 'commit_seq'").fetchone()
    seq = int(row[0]) if row and str(row[0]).isdigit() else None
    return reports, seq


def list_backups(db_path: Path, *, limit: int | None = None) -> list[BackupInfo]:
    """The backups of the database at `db_path`, newest first (the `limit` newest), each with its
    number of reports."""
    out = []
    for path, taken, _n, reason in _backup_files(db_path)[:limit]:
        try:
            size = path.stat().st_size
        except OSError:
            continue
        reports: int | None
        seq: int | None
        try:
            with _read_only(path) as conn:
                reports, seq = _counts(conn)
        except sqlite3.Error:
            reports, seq = None, None
        out.append(BackupInfo(path, taken, reason, size, reports, seq))
    return out


def newest_backup_time(db_path: Path) -> datetime | None:
    files = _backup_files(db_path)
    return files[0][1] if files else None


def has_backups(db_path: Path) -> bool:
    return bool(_backup_files(db_path))


# --- making one ---------------------------------------------------------------------------------------


def _copy_target(path: Path) -> sqlite3.Connection:
    """The connection a copy is written through (tests make it run out of space)."""
    return sqlite3.connect(path)


def _copy(source: sqlite3.Connection, target: Path) -> tuple[str | None, int, int | None]:
    """Copy `source` into the new file `target`, self-contained (no -wal), and check the copy:
    (problem, reports, seq)."""
    conn = _copy_target(target)
    try:
        source.backup(conn)
        conn.execute("PRAGMA journal_mode=DELETE")
        found = problem(conn)
        reports, seq = _counts(conn) if found is None else (0, None)
        conn.commit()
    finally:
        conn.close()
    return found, reports, seq


def _space_or_access(exc: BaseException, where: Path) -> BackupError:
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if "full" in text or code == errno.ENOSPC:
        return BackupError(f"磁盘空间已满，无法在「{where}」写入备份；数据库本身没有改动。")
    read_only = "readonly" in text or "read-only" in text or code in (errno.EPERM, errno.EACCES, errno.EROFS)
    if isinstance(exc, PermissionError) or read_only:
        return BackupError(f"无法在「{where}」写入备份：文件夹是只读的；数据库本身没有改动。")
    if isinstance(exc, (FileExistsError, NotADirectoryError)) or code in (errno.EEXIST, errno.ENOTDIR):
        return BackupError(f"无法在「{where}」写入备份：同名的文件挡住了备份文件夹；数据库本身没有改动。")
    return BackupError(f"无法在「{where}」写入备份（{exc}）；数据库本身没有改动。")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def make_backup(source: sqlite3.Connection, db_path: Path, reason: str) -> BackupInfo:
    """Copy the database open on `source` (not inside a transaction) into the backups folder and
    prune old backups. Raises BackupError when the copy cannot be written (nothing is left behind),
    and DatabaseDamaged when the copy is not whole: a damaged database is never backed up."""
    from core.storage import DatabaseDamaged

    folder = backups_dir(db_path)
    try:
        folder.mkdir(exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a directory")
    except OSError as exc:
        raise _space_or_access(exc, folder) from None
    now = datetime.now()
    path = _new_path(db_path, reason, now)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with open(temporary, "xb"):  # an OS error here says plainly why the folder takes no file
            pass
        found, reports, seq = _copy(source, temporary)
        if found is not None:
            _remove(temporary)
            raise DatabaseDamaged.found(db_path, found)
        with open(temporary, "rb+") as handle:  # the copy is on disk before it takes its name
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except sqlite3.Error as exc:
        _remove(temporary)
        if is_damage(exc):
            raise DatabaseDamaged.found(db_path, "文件中有页面损坏") from None
        raise _space_or_access(exc, folder) from None
    except OSError as exc:
        _remove(temporary)
        raise _space_or_access(exc, folder) from None
    prune(db_path, now)
    return BackupInfo(path, now.replace(microsecond=0), reason, path.stat().st_size, reports, seq)


def prune(db_path: Path, now: datetime | None = None) -> list[Path]:
    """Delete backups beyond the KEEP_RECENT newest, keeping the newest of each of the last KEEP_DAYS
    days; also leftovers of copies that never finished. Returns what was deleted."""
    now = now or datetime.now()
    files = _backup_files(db_path)
    keep = {path for path, *_ in files[:KEEP_RECENT]}
    days: set[object] = set()
    for path, taken, _n, _reason in files:
        day = taken.date()
        if now - taken <= timedelta(days=KEEP_DAYS) and day not in days:
            days.add(day)
            keep.add(path)
    deleted = []
    for path, *_ in files:
        if path not in keep:
            _remove(path)
            deleted.append(path)
    pattern = _pattern(db_path)
    with contextlib.suppress(OSError):
        for entry in backups_dir(db_path).iterdir():
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and pattern.match(entry.name[1:-4]):
                _remove(entry)
    return deleted


# --- restoring ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    backup: BackupInfo
    reports: int
    kept_aside: Path | None  # where the file that was replaced went
    safety_backup: BackupInfo | None  # the backup made of it first, when it was whole


def _current_state(db_path: Path) -> str:
    """"missing", "whole" or "damaged" for the file at db_path (opened without changing it)."""
    try:
        if db_path.stat().st_size == 0:
            return "damaged"
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "damaged"
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return "damaged"
    try:
        return "whole" if problem(conn) is None else "damaged"
    except sqlite3.Error:
        return "damaged"
    finally:
        conn.close()


def _in_use(db_path: Path) -> bool:
    """Whether another connection (the app's window, another command) has the whole database at db_path
    open: leaving WAL mode needs the database alone, so it fails (locked) while anyone else has it."""
    conn = sqlite3.connect(db_path, timeout=0.5)
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        return str(mode).lower() == "wal"
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc).lower() or "busy" in str(exc).lower()
    finally:
        conn.close()


def _move_aside(db_path: Path, tag: str, stamp: str) -> Path:
    aside = db_path.with_name(f"{db_path.name}.{tag}-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = db_path.with_name(f"{db_path.name}.{tag}-{stamp}-{n}")
    os.replace(db_path, aside)
    for side in _SIDE_FILES:
        companion = db_path.with_name(db_path.name + side)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + side))
    return aside


def restore_backup(db_path: Path, backup: Path) -> Restored:
    """Put the backup at `backup` in place of the database at `db_path` (which must not be open).
    A whole current database is backed up first; the current file is kept aside either way."""
    infos = {info.path.resolve(): info for info in list_backups(db_path)}
    info = infos.get(backup.resolve())
    if info is None:
        try:
            with _read_only(backup) as conn:
                reports, seq = _counts(conn)
        except (sqlite3.Error, OSError):
            raise BackupError(f"「{backup}」不是本程序的备份，或已无法读取；没有恢复。") from None
        stat = backup.stat()
        info = BackupInfo(backup, datetime.fromtimestamp(stat.st_mtime), "manual", stat.st_size, reports, seq)
    temporary = db_path.with_name(f".{db_path.name}.restoring.tmp")
    _remove(temporary)
    try:
        with open(temporary, "xb"):
            pass
        with _read_only(backup) as source:
            found, reports, _seq = _copy(source, temporary)
    except sqlite3.Error as exc:
        _remove(temporary)
        if is_damage(exc):
            raise BackupError(f"备份「{backup.name}」已损坏，没有恢复；请选择另一个备份。") from None
        raise _space_or_access(exc, db_path.parent) from None
    except OSError as exc:
        _remove(temporary)
        raise _space_or_access(exc, db_path.parent) from None
    if found is not None:
        _remove(temporary)
        raise BackupError(f"备份「{backup.name}」已损坏（{found}），没有恢复；请选择另一个备份。")
    state = _current_state(db_path)
    safety = None
    try:
        if state == "whole" and _in_use(db_path):
            raise BackupError(f"数据库「{db_path}」正被程序窗口或其他命令使用；请先关闭它们再恢复。数据库没有改动。")
        if state == "whole":
            conn = sqlite3.connect(db_path)
            try:
                safety = make_backup(conn, db_path, "restore")
            finally:
                conn.close()
        stamp = datetime.now().strftime(_STAMP)
        aside = None
        if state != "missing":
            aside = _move_aside(db_path, "damaged" if state == "damaged" else "replaced", stamp)
    except BaseException:
        _remove(temporary)
        raise
    try:
        os.replace(temporary, db_path)
    except OSError as exc:
        if aside is not None:  # put the current file back as it was
            with contextlib.suppress(OSError):
                os.replace(aside, db_path)
                for side in _SIDE_FILES:
                    companion = aside.with_name(aside.name + side)
                    if companion.exists():
                        os.replace(companion, db_path.with_name(db_path.name + side))
        _remove(temporary)
        raise _space_or_access(exc, db_path.parent) from None
    return Restored(info, reports, aside, safety)


def newest_good_backup(db_path: Path) -> BackupInfo | None:
    """The newest backup that opens and passes the check, or None."""
    for info in list_backups(db_path):
        if not info.readable:
            continue
        try:
            with _read_only(info.path) as conn:
                if problem(conn) is None:
                    return info
        except sqlite3.Error:
            continue
    return None
