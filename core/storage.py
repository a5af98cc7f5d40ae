"""The local database: agencies, reports, cells, texts and a revision history, one transaction a change."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlite_utils import Database

from core import backup
from core.backup import BackupInfo
from core.checks import RULES_VERSION, counts, validate
from core.cleantext import field_name
from core.deadline import KINDS, due_date, guess_kind
from core.edits import Edit, InvalidEdit, StatusEdit, cell_edit, check_edit, decode_edit, field_edit, status_edit
from core.errors import UserError
from core.numbers import Parsed, parse_value
from core.report import FIELD_KEYS, STATUS_DRAFT, STATUS_FINAL, STATUS_LABELS, Contact, Report
from core.reportfile import json_text, loads
from core.savemark import SaveMark
from core.template import Template, foreign_cell_ids, load_template

SCHEMA_VERSION = 5
SEED_RESOURCE = "seed-2020-tiexi.json"
ZERO_PRINT_ZERO = "zero"
ZERO_PRINT_BLANK = "blank"
# How long a write waits for another process's write (another window, `main.py import`) to finish
# before it is refused as "busy".
BUSY_TIMEOUT_MS = 5000



class StorageError(UserError):
    """A database problem; str() is a message in Chinese for the user."""


class ReportIsFinal(StorageError):
    pass


class DatabaseDamaged(StorageError):
    """The database cannot be trusted: damaged (`kind` "damaged"), shrunk to nothing while backups
    exist ("empty"), or older than what was saved, its last commits lost with the -wal file ("lost").
    str() is one Chinese sentence that says what is known and which backup can help. Nothing is
    written into the file; a "lost" database is whole, so the user may choose to keep it."""

    def __init__(self, message: str, path: Path, kind: str, newest: backup.BackupInfo | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind
        self.newest = newest

    @property
    def can_keep(self) -> bool:
        """Whether the database itself is whole (only older), so it may be used as it is."""
        return self.kind == "lost"

    @staticmethod
    def _newest(path: Path) -> BackupInfo | None:
        return next((info for info in backup.list_backups(path) if info.readable), None)

    @classmethod
    def found(cls, path: Path, detail: str) -> DatabaseDamaged:
        newest = cls._newest(path)
        try:
            with path.open("rb") as handle:
                if handle.read(16) != b"SQLite format 3\0":
                    detail = "它不是本程序的数据库文件：开头不是 SQLite 数据库"
        except OSError:
            pass
        hint = f"可以用 {newest.describe()}恢复" if newest else "没有可用的备份"
        return cls(f"数据库「{path}」已损坏（{detail}），程序没有再写入它；{hint}。", path, "damaged", newest)

    @classmethod
    def empty(cls, path: Path) -> DatabaseDamaged:
        newest = cls._newest(path)
        hint = f"可以用 {newest.describe()}恢复" if newest else "备份都无法读取"
        return cls(
            f"数据库「{path}」变成了空文件（0 字节），而它有过备份：这是损坏，不是新的数据库；程序没有改动它，{hint}。",
            path, "empty", newest,
        )

    @classmethod
    def lost(cls, path: Path, saved: int, have: int) -> DatabaseDamaged:
        """The save mark says `saved` commits were made; the database holds `have`."""
        newest = cls._newest(path)
        missing = saved - have
        if newest is None:
            known = "没有备份可以找回它们"
        elif newest.seq is None:
            known = f"{newest.describe()}是否含有它们无法确定"
        elif newest.seq >= saved:
            known = f"{newest.describe()}含有全部这些保存，可以用它恢复"
        elif newest.seq > have:
            known = f"{newest.describe()}含有其中 {newest.seq - have} 次，其余 {saved - newest.seq} 次无法找回"
        else:
            known = "备份中也没有这些保存（最新的备份不比现在的数据库新），可以继续使用现有的数据库"
        return cls(
            f"数据库「{path}」比上次保存时旧：最近 {missing} 次保存已丢失（保存它们的 -wal 文件丢失或损坏）；{known}。",
            path, "lost", newest,
        )


class StaleEdit(StorageError):
    """An edit that expected a value another process (another window, the command line) has changed
    since: nothing was written. `changed` says what changed (「…」已在别处改为 7), `target` is the
    edit's target, `current` the value now stored."""

    def __init__(self, changed: str, target: str, current: str | None) -> None:
        super().__init__(f"{changed}，本次修改未执行")
        self.changed = changed
        self.target = target
        self.current = current


@dataclass(frozen=True)
class AgencyProfile:
    name: str
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    signer: str = ""
    zero_print: str = ZERO_PRINT_ZERO  # how blank cells print: "zero" or "blank"
    kind: str = ""  # KIND_DEPARTMENT or KIND_GOVERNMENT (core/deadline.py); "" = as the name suggests

    @property
    def report_kind(self) -> str:
        """Department or government, as set, else as the name suggests: it decides the due date."""
        return self.kind or guess_kind(self.name)

    @property
    def contact(self) -> Contact:
        return Contact(self.address, self.postcode, self.phone, self.email)


@dataclass(frozen=True)
class ReportSummary:
    id: int
    agency: str
    year: int
    template: str
    status: str
    title: str
    updated_at: str
    errors: int
    warnings: int
    deleted: bool = False
    kind: str = ""  # the agency's kind as set in its profile ("" = as its name suggests)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def due(self) -> date:
        """The last day to publish this report (条例第四十九条), by the agency's kind."""
        return due_date(self.kind or guess_kind(self.agency), self.year)


@dataclass(frozen=True)
class Revision:
    batch: int
    at: str
    label: str
    changes: tuple[tuple[str, str | None, str | None], ...] = field(default=())  # target, old, new


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


# --- schema and migrations -------------------------------------------------------------------


def _migrate_1(db: Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        """CREATE TABLE agencies (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
            address TEXT NOT NULL DEFAULT '', postcode TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',
            signer TEXT NOT NULL DEFAULT '')"""
    )
    db.execute(
        """CREATE TABLE reports (
            id INTEGER PRIMARY KEY, agency_id INTEGER NOT NULL REFERENCES agencies(id),
            year INTEGER NOT NULL, template TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'draft',
            extra TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE cells (
            report_id INTEGER NOT NULL REFERENCES reports(id), cell_id TEXT NOT NULL,
            printed INTEGER NOT NULL DEFAULT 0, text TEXT,
            PRIMARY KEY (report_id, cell_id, printed))"""
    )
    db.execute(
        """CREATE TABLE texts (
            report_id INTEGER NOT NULL REFERENCES reports(id), key TEXT NOT NULL,
            text TEXT NOT NULL, PRIMARY KEY (report_id, key))"""
    )
    db.execute(
        """CREATE TABLE revisions (
            id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL REFERENCES reports(id),
            batch INTEGER NOT NULL, at TEXT NOT NULL, label TEXT NOT NULL,
            target TEXT NOT NULL, old TEXT, new TEXT)"""
    )


def _migrate_2(db: Database) -> None:
    # Version 2: recoverable deletion, the per-agency rule for printing blank cells, and an
    # index so a report's history lists quickly.
    db.execute("ALTER TABLE reports ADD COLUMN deleted_at TEXT")
    db.execute("ALTER TABLE agencies ADD COLUMN zero_print TEXT NOT NULL DEFAULT 'zero'")
    db.execute("CREATE INDEX revisions_by_report ON revisions (report_id, batch)")


def _migrate_3(db: Database) -> None:
    # Version 3: a version number on each report, raised by every change to it, and the counts of
    # findings kept for the version (and last year's report's version) they were made for, so the
    # reports list need not check every report again.
    db.execute("ALTER TABLE reports ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """CREATE TABLE findings_summary (
            report_id INTEGER PRIMARY KEY REFERENCES reports(id), checked TEXT NOT NULL,
            errors INTEGER NOT NULL, warnings INTEGER NOT NULL)"""
    )


def _migrate_4(db: Database) -> None:
    # Version 4: whether an agency reports as a department (due 1月31日) or as a people's government
    # (due 3月31日); empty means "as its name suggests".
    db.execute("ALTER TABLE agencies ADD COLUMN kind TEXT NOT NULL DEFAULT ''")


def _migrate_5(db: Database) -> None:
    # Version 5: review seasons of a reviewing office (core/season.py): the units expected to report,
    # their due dates and review status, and every file received from them (replaced ones kept as
    # history). The report read from a file is kept compressed (zlib of its report-file JSON).
    db.execute(
        """CREATE TABLE seasons (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, year INTEGER NOT NULL,
            created_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE season_units (
            id INTEGER PRIMARY KEY, season_id INTEGER NOT NULL REFERENCES seasons(id) ON DELETE CASCADE,
            name TEXT NOT NULL, kind TEXT NOT NULL, due TEXT NOT NULL,
            review TEXT NOT NULL DEFAULT 'pending', note TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0, UNIQUE (season_id, name))"""
    )
    db.execute(
        """CREATE TABLE season_files (
            id INTEGER PRIMARY KEY, season_id INTEGER NOT NULL REFERENCES seasons(id) ON DELETE CASCADE,
            unit_id INTEGER REFERENCES season_units(id) ON DELETE CASCADE,
            path TEXT NOT NULL, name TEXT NOT NULL, received TEXT NOT NULL, hash TEXT NOT NULL,
            agency TEXT NOT NULL DEFAULT '', year INTEGER, template TEXT NOT NULL DEFAULT '',
            report BLOB, findings BLOB, log TEXT NOT NULL DEFAULT '[]', error TEXT NOT NULL DEFAULT '',
            errors INTEGER NOT NULL DEFAULT 0, warnings INTEGER NOT NULL DEFAULT 0,
            final TEXT NOT NULL DEFAULT '', signed TEXT NOT NULL DEFAULT '', new_total REAL,
            added_at TEXT NOT NULL, replaced_at TEXT)"""
    )
    db.execute("CREATE INDEX season_units_by_season ON season_units (season_id, position)")
    db.execute("CREATE INDEX season_files_by_unit ON season_files (unit_id, replaced_at)")
    db.execute("CREATE INDEX season_files_by_hash ON season_files (season_id, hash)")


MIGRATIONS: dict[int, Callable[[Database], None]] = {
    1: _migrate_1, 2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5,
}


@contextmanager
def _immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock at its start (BEGIN IMMEDIATE), or a savepoint
    inside one already open.

    A plain BEGIN starts a read transaction that is upgraded at its first write; when another process
    holds the lock, or has committed since the read began, that upgrade fails at once without waiting
    for the busy timeout (SQLite cannot wait there without risking a deadlock). Taking the lock first
    makes the write wait its turn instead."""
    if db.conn.in_transaction:
        with db.atomic():  # a savepoint: rolls back alone, commits with the outer transaction
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()  # a no-op when an error already ended the transaction
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.conn.rollback()
        raise


def _friendly(exc: sqlite3.Error, path: Path) -> StorageError:
    text = str(exc).lower()
    if "full" in text:
        return StorageError("磁盘空间已满，刚才的修改没有保存。请清理磁盘后重试。")
    if "locked" in text or "busy" in text:
        return StorageError(f"数据库「{path}」正被其他程序占用，请关闭其他程序后重试。")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"数据库「{path}」是只读的，无法保存修改。")
    if "unable to open" in text:  # in WAL mode the folder must take the -wal and -shm files
        return StorageError(
            f"无法打开数据库「{path}」：它所在的文件夹是只读的，或文件本身不能读写；程序没有改动它。"
        )
    if backup.is_damage(exc):
        detail = "文件中有文字已损坏" if "decode" in text else "文件中有页面损坏"
        return DatabaseDamaged.found(path, backup.NOT_OURS if "not a database" in text else detail)
    return StorageError(f"数据库出错：{exc}")


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _reads(method: Callable[Concatenate[Store, _P], _R]) -> Callable[Concatenate[Store, _P], _R]:
    """A reading method: an error from SQLite becomes a StorageError (DatabaseDamaged when the file
    turns out damaged, after which the store writes nothing more)."""

    def reading(store: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(store, *args, **kwargs)
        except sqlite3.Error as exc:
            raise store._failure(exc) from None

    reading.__doc__ = method.__doc__
    return reading


class Store:
    """The local database. Every public write is one transaction and one revision batch.

    At open the database is checked (`backup.problem`) and compared with its save mark; a damaged
    database raises DatabaseDamaged and is never written. With `backups`, a backup is made at open
    when the database changed since the newest backup, and after a write when the last one is an hour
    old (core/backup.py); `accept_loss` opens a database whose last commits were lost as it is."""

    def __init__(self, path: str | Path, *, seed: bool = True, backups: bool = True, accept_loss: bool = False) -> None:
        self.path = Path(path)
        self.damaged: DatabaseDamaged | None = None
        self.backups = backups
        self.backup_problem: str | None = None  # why the last automatic backup failed, if it did
        self.made_at_open: BackupInfo | None = None  # the backup made at open, if one was
        self._last_backup = time.time()  # a new database is first backed up an hour into editing
        self._mark = SaveMark(self.path)
        # Per report, the revision this store wrote last: typing coalesces only into its own revision,
        # never into one another process (another window, the command line) saved in between.
        self._own_revision: dict[int, int] = {}
        if self.path.is_dir():
            raise StorageError(f"「{self.path}」是一个文件夹，不是数据库文件。")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"无法创建数据文件夹「{self.path.parent}」：{exc.strerror}") from None
        existed = self._existing()
        try:
            self.db = Database(self.path)
        except sqlite3.Error as exc:
            raise _friendly(exc, self.path) from None
        try:
            self._prepare()
        except StorageError:
            self.db.close()
            raise
        except sqlite3.Error as exc:
            self.db.close()
            raise _friendly(exc, self.path) from None
        try:
            self._compare_mark(existed, accept_loss)
        except StorageError:
            self.db.close()
            raise
        if self.db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone() is None:
            self._seed(seed)
        newest = backup.newest_backup_time(self.path) if backups else None
        if newest is not None:
            self._last_backup = newest.timestamp()
        if backups and existed:
            self._backup_at_open()

    def _existing(self) -> bool:
        """Whether there is a database to open (else one is created). An empty file is a new database
        only when it never had a backup or a save mark: otherwise it shrank to nothing."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            self._mark.clear()  # a database deleted on purpose: the new one starts its own count
            return False
        except OSError:
            return True
        if size == 0 and not Path(f"{self.path}-wal").exists():
            if backup.has_backups(self.path) or (self._mark.read() or 0) > 0:
                raise DatabaseDamaged.empty(self.path)
            return False
        return True

    def _compare_mark(self, existed: bool, accept_loss: bool) -> None:
        """A save mark above the database's commit count: commits were lost (with the -wal file)."""
        mark = self._mark.read()
        if mark is None:
            return
        have = self.commit_seq
        if mark > have and existed and not accept_loss:
            raise DatabaseDamaged.lost(self.path, mark, have)
        if mark != have:
            self._mark.write(have)

    @property
    def commit_seq(self) -> int:
        """How many write transactions the database has committed (since it began counting)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'commit_seq'").fetchone()
        return int(row[0]) if row and str(row[0]).isdigit() else 0

    def _failure(self, exc: sqlite3.Error) -> StorageError:
        error = _friendly(exc, self.path)
        if isinstance(error, DatabaseDamaged):
            self.damaged = error
        return error

    # --- backups -------------------------------------------------------------------------------

    def backup(self, reason: str = "manual") -> BackupInfo:
        """A backup now (outside any transaction); raises BackupError or DatabaseDamaged."""
        if self.damaged is not None:
            raise self.damaged
        try:
            made = backup.make_backup(self.db.conn, self.path, reason)
        except DatabaseDamaged as exc:
            self.damaged = exc
            raise
        self._last_backup = time.time()
        self.backup_problem = None
        return made

    def _backup_quietly(self, reason: str) -> BackupInfo | None:
        """A backup that may fail without failing what the user did; the reason is kept."""
        try:
            return self.backup(reason)
        except (StorageError, backup.BackupError) as exc:
            self.backup_problem = str(exc)
            self._last_backup = time.time()  # try again in an hour, not at every keystroke
            return None

    def maybe_backup(self) -> BackupInfo | None:
        """A backup when the last one is at least an hour old (a cheap check; called after each write)."""
        if not self.backups or self.damaged is not None or self.db.conn.in_transaction:
            return None
        if time.time() - self._last_backup < backup.AUTO_INTERVAL_SECONDS:
            return None
        return self._backup_quietly("auto")

    def backup_before(self, reason: str) -> BackupInfo | None:
        """A backup before a risky operation ("replace", "migrate"); a failure is kept, not raised."""
        return self._backup_quietly(reason) if self.backups else None

    def _backup_at_open(self) -> None:
        """A backup at open when the database changed since the newest backup."""
        newest = next(iter(backup.list_backups(self.path, limit=1)), None)
        if newest is None or newest.seq is None or newest.seq != self.commit_seq:
            self.made_at_open = self._backup_quietly("open")

    def _seed(self, seed: bool) -> None:
        """A new database starts with the example report, so a new user sees a real one."""
        with self._write():
            if self.db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone() is not None:
                return  # another process opening the new database at the same time seeded it
            if seed:
                self.add_report(_seed_report())
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', ?)", [str(seed)])

    def _prepare(self) -> None:
        names = set(self.db.table_names())
        if names and "meta" not in names:
            raise StorageError(f"「{self.path}」是其他程序的数据库，不是本程序的；程序没有改动它。")
        version = 0
        if "meta" in names:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"数据库「{self.path}」由更新版本的程序创建（数据结构第 {version} 版，本程序只认识到第 "
                f"{SCHEMA_VERSION} 版）。请升级程序后再打开；程序没有改动它。"
            )
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        found = backup.problem(self.db.conn)
        if found is not None:
            raise DatabaseDamaged.found(self.path, found)
        if 0 < version < SCHEMA_VERSION and self.backups:
            self.backup_before("migrate")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            self.migrate(SCHEMA_VERSION)

    def migrate(self, target: int) -> None:
        """Apply the migrations from the stored schema version up to `target`, each atomically. The
        version is read again inside each step's transaction: another process opening the database at
        the same time may have applied the step while this one waited for the lock."""
        for step in range(1, target + 1):
            with _immediate(self.db):
                version = 0
                if "meta" in set(self.db.table_names()):
                    row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                    version = int(row[0]) if row else 0
                if version >= step:
                    continue
                MIGRATIONS[step](self.db)
                self.db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", [str(step)]
                )

    @property
    def schema_version(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.db.close()
        self._mark.close()

    def data_version(self) -> int:
        """A number that changes whenever another connection (another window, `main.py import`)
        commits a change to the database; this store's own writes leave it as it is. Cheap to poll."""
        try:
            return int(self.db.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise self._failure(exc) from None

    @contextmanager
    def _write(self, *, counted: bool = True) -> Iterator[Database]:
        """A write transaction (or a savepoint inside one). The outermost one raises the commit count
        with its changes and, once committed, writes the save mark and makes the hourly backup if due;
        not `counted` are writes of what can be worked out again (the findings counts). A store that
        found its database damaged writes nothing."""
        if self.damaged is not None:
            raise self.damaged
        outer = counted and not self.db.conn.in_transaction
        seq = 0
        try:
            with _immediate(self.db):
                yield self.db
                if outer:
                    seq = self._count_commit()
        except sqlite3.Error as exc:
            raise self._failure(exc) from None
        if outer:
            self._mark.write(seq)
            self.maybe_backup()

    def _count_commit(self) -> int:
        self.db.execute(
            """INSERT INTO meta (key, value) VALUES ('commit_seq', '1')
               ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"""
        )
        return self.commit_seq

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes into one transaction: the store's methods called inside (each a transaction
        of its own) nest as savepoints, and everything commits, or rolls back on any exception, together."""
        with self._write():
            yield

    # --- agencies ------------------------------------------------------------------------------

    def _agency_id(self, name: str) -> int:
        row = self.db.execute("SELECT id FROM agencies WHERE name = ?", [name]).fetchone()
        if row:
            return int(row[0])
        cursor = self.db.execute("INSERT INTO agencies (name) VALUES (?)", [name])
        return int(cursor.lastrowid or 0)

    @_reads
    def agencies(self) -> list[AgencyProfile]:
        rows = self.db.execute(
            "SELECT name, address, postcode, phone, email, signer, zero_print, kind FROM agencies ORDER BY name"
        ).fetchall()
        return [AgencyProfile(*row) for row in rows]

    @_reads
    def agency_profile(self, name: str) -> AgencyProfile:
        row = self.db.execute(
            "SELECT name, address, postcode, phone, email, signer, zero_print, kind FROM agencies WHERE name = ?",
            [name],
        ).fetchone()
        return AgencyProfile(*row) if row else AgencyProfile(name)

    def save_agency_profile(self, profile: AgencyProfile) -> None:
        if profile.zero_print not in (ZERO_PRINT_ZERO, ZERO_PRINT_BLANK):
            raise StorageError("空白单元格的打印方式只能是「印 0」或「留空」")
        if profile.kind not in ("", *KINDS):
            raise StorageError("机关类别只能是「部门」或「人民政府」")
        with self._write():
            agency_id = self._agency_id(profile.name)
            self.db.execute(
                """UPDATE agencies SET address = ?, postcode = ?, phone = ?, email = ?, signer = ?,
                   zero_print = ?, kind = ? WHERE id = ?""",
                [profile.address, profile.postcode, profile.phone, profile.email, profile.signer,
                 profile.zero_print, profile.kind, agency_id],
            )

    # --- reports -------------------------------------------------------------------------------

    def add_report(self, report: Report, *, status: str = STATUS_DRAFT) -> int:
        """Store a new report (one transaction, one revision batch); returns its id."""
        with self._write():
            agency_id = self._agency_id(report.agency)
            now = _now()
            extra = dict(report.extra)
            if report.foreign_cells:
                extra["foreign_cells"] = report.foreign_cells
            cursor = self.db.execute(
                """INSERT INTO reports (agency_id, year, template, status, extra, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [agency_id, report.year, report.template_id, status,
                 json_text(extra), now, now],  # kept numbers stay numbers (not their text)
            )
            report_id = int(cursor.lastrowid or 0)
            self.db.conn.executemany(
                "INSERT INTO cells (report_id, cell_id, printed, text) VALUES (?, ?, 0, ?)",
                [(report_id, cid, p.text) for cid, p in report.inputs.items()],
            )
            self.db.conn.executemany(
                "INSERT INTO cells (report_id, cell_id, printed, text) VALUES (?, ?, 1, ?)",
                # A total the file printed blank is "", so None can mean "not printed" (no row).
                [(report_id, cid, p.text or "") for cid, p in report.printed.items()],
            )
            texts = [(k, v) for k, v in report.fields().items() if v]
            self.db.conn.executemany(
                "INSERT INTO texts (report_id, key, text) VALUES (?, ?, ?)",
                [(report_id, k, v) for k, v in texts],
            )
            self._record(report_id, "创建报告", [("report", None, "created")])
        return report_id

    @_reads
    def load(self, report_id: int) -> Report:
        row = self.db.execute(
            """SELECT a.name, r.year, r.template, r.extra FROM reports r
               JOIN agencies a ON a.id = r.agency_id WHERE r.id = ?""",
            [report_id],
        ).fetchone()
        if row is None:
            raise StorageError(f"找不到编号为 {report_id} 的报告")
        agency, year, template_id, extra_json = row
        report = Report(template_id=template_id, agency=agency, year=int(year))
        extra = json.loads(extra_json or "{}", parse_float=Decimal, parse_constant=str)  # as `loads` reads
        report.foreign_cells = extra.pop("foreign_cells", {})
        report.extra = extra
        template = load_template(template_id)
        other_ids = foreign_cell_ids(template)
        for cell_id, printed, text in self.db.execute(
            "SELECT cell_id, printed, text FROM cells WHERE report_id = ?", [report_id]
        ).fetchall():
            if not template.has_cell(cell_id):
                if cell_id in other_ids and not printed:
                    report.foreign_cells.setdefault(cell_id, text)
                continue
            cell = template.cell(cell_id)
            parsed = parse_value(text, cell.kind)
            if printed:
                report.printed[cell_id] = parsed
            elif not parsed.is_blank:
                report.inputs[cell_id] = parsed
        fields = dict(
            self.db.execute("SELECT key, text FROM texts WHERE report_id = ?", [report_id]).fetchall()
        )
        for key in FIELD_KEYS:
            report.set_field(key, fields.get(key, ""))
        return report

    @_reads
    def exists(self, report_id: int) -> bool:
        """Whether the report is there and not in the recycle bin (another process may have deleted it)."""
        row = self.db.execute(
            "SELECT 1 FROM reports WHERE id = ? AND deleted_at IS NULL", [report_id]
        ).fetchone()
        return row is not None

    @_reads
    def status(self, report_id: int) -> str:
        row = self.db.execute("SELECT status FROM reports WHERE id = ?", [report_id]).fetchone()
        if row is None:
            raise StorageError(f"找不到编号为 {report_id} 的报告")
        return str(row[0])

    @_reads
    def find(self, agency: str, year: int) -> int | None:
        row = self.db.execute(
            """SELECT r.id FROM reports r JOIN agencies a ON a.id = r.agency_id
               WHERE a.name = ? AND r.year = ? AND r.deleted_at IS NULL ORDER BY r.id DESC""",
            [agency, year],
        ).fetchone()
        return int(row[0]) if row else None

    def previous_report(self, agency: str, year: int) -> Report | None:
        """The same agency's report of the year before, when the database has it."""
        report_id = self.find(agency, year - 1)
        return self.load(report_id) if report_id is not None else None

    @_reads
    def list_reports(self, *, deleted: bool = False) -> list[ReportSummary]:
        """The reports (or those in the recycle bin) with their counts of findings. Counts are kept
        for the version of the report and of last year's report they were made for; only a report
        that changed since, or whose last year's report changed, is checked again."""
        rows = self.db.execute(
            f"""SELECT r.id, a.name, r.year, r.template, r.status, r.updated_at, r.deleted_at, r.version,
                       t.text, f.checked, f.errors, f.warnings, a.kind
                FROM reports r JOIN agencies a ON a.id = r.agency_id
                LEFT JOIN texts t ON t.report_id = r.id AND t.key = 'title'
                LEFT JOIN findings_summary f ON f.report_id = r.id
                WHERE r.deleted_at IS {'NOT' if deleted else ''} NULL
                ORDER BY r.year DESC, a.name, r.id"""
        ).fetchall()
        versions = self._versions()
        summaries = []
        stale: list[tuple[int, str, int, int]] = []
        for (report_id, agency, year, template_id, status, updated_at, deleted_at, version, title,
             checked, errors, warnings, kind) in rows:
            key = self._check_key(template_id, version, versions.get((agency, year - 1)))
            if key != checked:
                errors, warnings = self._count_findings(report_id, agency, year)
                stale.append((report_id, key, errors, warnings))
            summaries.append(
                ReportSummary(
                    id=report_id, agency=agency, year=year, template=template_id, status=status,
                    title=title or _default_title(template_id, agency, year), updated_at=updated_at,
                    errors=errors, warnings=warnings, deleted=deleted_at is not None, kind=kind,
                )
            )
        if stale:
            try:
                with self._write(counted=False):
                    self.db.conn.executemany(
                        """INSERT OR REPLACE INTO findings_summary (report_id, checked, errors, warnings)
                           VALUES (?, ?, ?, ?)""",
                        stale,
                    )
            except StorageError:
                pass  # a read-only or busy database: the counts are right, they are just not kept
        return summaries

    def _versions(self) -> dict[tuple[str, int], tuple[int, int, str]]:
        """(agency, year) → (id, version, template) of the report `find` gives for it."""
        out: dict[tuple[str, int], tuple[int, int, str]] = {}
        for report_id, agency, year, version, template_id in self.db.execute(
            """SELECT r.id, a.name, r.year, r.version, r.template FROM reports r
               JOIN agencies a ON a.id = r.agency_id WHERE r.deleted_at IS NULL ORDER BY r.id"""
        ).fetchall():
            out[(agency, int(year))] = (int(report_id), int(version), str(template_id))  # the newest id wins
        return out

    @staticmethod
    def _check_key(template_id: str, version: int, previous: tuple[int, int, str] | None) -> str:
        """What a report's findings depend on: the rules, its template, its version, which version of
        which report of last year it was checked against, and the local rule packs installed."""
        from core.rulepack import installed_fingerprint

        parts = [str(RULES_VERSION), _fingerprint(template_id), str(version)]
        if previous is not None:
            parts += [str(previous[0]), str(previous[1]), _fingerprint(previous[2])]
        packs = installed_fingerprint()
        if packs:  # without packs the key stays as before: no counts are redone for nothing
            parts.append(f"packs={packs}")
        return ":".join(parts)

    def _count_findings(self, report_id: int, agency: str, year: int) -> tuple[int, int]:
        try:
            return counts(validate(self.load(report_id), self.previous_report(agency, year)))
        except KeyError:  # a format no longer installed: the report cannot be checked
            return 0, 0

    # --- edits ---------------------------------------------------------------------------------

    def _report_row(self, report_id: int) -> tuple[str, str]:
        row = self.db.execute(
            "SELECT template, status FROM reports WHERE id = ? AND deleted_at IS NULL", [report_id]
        ).fetchone()
        if row is None:
            raise StorageError(f"找不到编号为 {report_id} 的报告")
        return str(row[0]), str(row[1])

    def _current(self, report_id: int, target: str) -> str | None:
        kind, _, key = target.partition(":")
        if kind in ("cell", "printed"):
            row = self.db.execute(
                "SELECT text FROM cells WHERE report_id = ? AND cell_id = ? AND printed = ?",
                [report_id, key, 1 if kind == "printed" else 0],
            ).fetchone()
            return None if row is None else row[0]
        if kind == "text":
            row = self.db.execute(
                "SELECT text FROM texts WHERE report_id = ? AND key = ?", [report_id, key]
            ).fetchone()
            return None if row is None else row[0]
        row = self.db.execute("SELECT status FROM reports WHERE id = ?", [report_id]).fetchone()
        return None if row is None else str(row[0])

    def _store(self, report_id: int, target: str, value: str | None) -> None:
        kind, _, key = target.partition(":")
        if kind in ("cell", "printed"):
            printed = 1 if kind == "printed" else 0
            if value is None:
                self.db.execute(
                    "DELETE FROM cells WHERE report_id = ? AND cell_id = ? AND printed = ?",
                    [report_id, key, printed],
                )
            else:
                self.db.execute(
                    "INSERT OR REPLACE INTO cells (report_id, cell_id, printed, text) VALUES (?, ?, ?, ?)",
                    [report_id, key, printed, value],
                )
        elif kind == "text":
            if value:
                self.db.execute(
                    "INSERT OR REPLACE INTO texts (report_id, key, text) VALUES (?, ?, ?)",
                    [report_id, key, value],
                )
            else:
                self.db.execute("DELETE FROM texts WHERE report_id = ? AND key = ?", [report_id, key])
        else:
            self.db.execute("UPDATE reports SET status = ? WHERE id = ?", [value, report_id])

    def _template(self, template_id: str) -> Template:
        try:
            return load_template(template_id)
        except KeyError:
            raise StorageError(f"本机没有报告使用的格式「{template_id}」，无法修改这份报告") from None

    def apply(
        self,
        report_id: int,
        edits: Iterable[Edit],
        label: str = "修改",
        *,
        coalesce_seconds: float = 0,
        expected: Mapping[str, str | None] | None = None,
    ) -> int:
        """Apply edits as one transaction and one revision batch; unchanged values are dropped.
        With `coalesce_seconds`, a single change to the same target as the latest revision, made within
        that time, extends that revision instead of adding one (typing a paragraph is one revision).
        `expected` maps targets to the stored values the caller last saw (an undo: the values it undoes);
        if any differs from what is stored now, another process changed it, and nothing is written
        (StaleEdit). Returns the number of values that changed."""
        with self._write():
            template_id, status = self._report_row(report_id)
            template = self._template(template_id)
            todo = list(edits)
            try:
                for edit in todo:
                    check_edit(template, edit)
            except InvalidEdit as exc:
                raise StorageError(str(exc)) from None
            reopening = any(isinstance(e, StatusEdit) and e.status == STATUS_DRAFT for e in todo)
            if status == STATUS_FINAL and not reopening:
                raise ReportIsFinal("报告已定稿，不能修改；如需修改，请先撤销定稿。")
            for target, value in (expected or {}).items():
                current = self._current(report_id, target)
                if current != value:
                    raise StaleEdit(
                        f"{_target_name(template, target)}已在别处{_changed_to(target, current)}", target, current
                    )
            recorded: list[tuple[str, str | None, str | None]] = []
            for edit in todo:
                target, new = edit.target, edit.stored
                old = self._current(report_id, target)
                if old == new:
                    continue
                self._store(report_id, target, new)
                recorded.append((target, old, new))
            if recorded and not (coalesce_seconds and self._coalesce(report_id, label, recorded, coalesce_seconds)):
                self._record(report_id, label, recorded)
        return len(recorded)

    def _coalesce(
        self, report_id: int, label: str, recorded: list[tuple[str, str | None, str | None]], seconds: float
    ) -> bool:
        if len(recorded) != 1:
            return False
        latest = self.db.execute(
            """SELECT id, at, label, target, (SELECT COUNT(*) FROM revisions r2
                   WHERE r2.report_id = r.report_id AND r2.batch = r.batch)
               FROM revisions r WHERE report_id = ? ORDER BY batch DESC, id DESC LIMIT 1""",
            [report_id],
        ).fetchone()
        if latest is None or latest[4] != 1:
            return False  # no revision yet, or the latest batch holds more than one change
        row_id, at, last_label, target, _ = latest
        if self._own_revision.get(report_id) != row_id:
            return False  # saved by another process (or before this one opened the database)
        age = (datetime.now() - datetime.fromisoformat(at)).total_seconds()
        if target != recorded[0][0] or last_label != label or not 0 <= age <= seconds:
            return False
        now = _now()
        self.db.execute("UPDATE revisions SET new = ?, at = ? WHERE id = ?", [recorded[0][2], now, row_id])
        self.db.execute("UPDATE reports SET updated_at = ?, version = version + 1 WHERE id = ?", [now, report_id])
        return True

    @_reads
    def set_cell(self, report_id: int, cell_id: str, value: object) -> Parsed:
        """Store one input cell from what the user typed; returns the parsed value."""
        template = self._template(self._report_row(report_id)[0])
        try:
            edit = cell_edit(template, cell_id, value)
        except InvalidEdit as exc:
            raise StorageError(str(exc)) from None
        self.apply(report_id, [edit], label="修改单元格")
        return edit.value

    def set_text(self, report_id: int, key: str, text: str) -> None:
        try:
            edit = field_edit(key, text)
        except InvalidEdit as exc:
            raise StorageError(str(exc)) from None
        self.apply(report_id, [edit], label="修改文字")

    def set_status(self, report_id: int, status: str) -> None:
        label = "定稿" if status == STATUS_FINAL else "撤销定稿"
        try:
            edit = status_edit(status)
        except InvalidEdit as exc:
            raise StorageError(str(exc)) from None
        self.apply(report_id, [edit], label=label)

    def delete(self, report_id: int) -> None:
        """Move a report to the recycle bin (recoverable with undelete)."""
        with self._write():
            self.db.execute("UPDATE reports SET deleted_at = ? WHERE id = ?", [_now(), report_id])
            self._record(report_id, "删除报告", [("report", "present", "deleted")])

    def undelete(self, report_id: int) -> None:
        with self._write():
            self.db.execute("UPDATE reports SET deleted_at = NULL WHERE id = ?", [report_id])
            self._record(report_id, "恢复已删除的报告", [("report", "deleted", "present")])

    # --- revisions -----------------------------------------------------------------------------

    def _record(self, report_id: int, label: str, changes: list[tuple[str, str | None, str | None]]) -> None:
        row = self.db.execute(
            "SELECT COALESCE(MAX(batch), 0) FROM revisions WHERE report_id = ?", [report_id]
        ).fetchone()
        batch = int(row[0]) + 1
        now = _now()
        self.db.conn.executemany(
            """INSERT INTO revisions (report_id, batch, at, label, target, old, new)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [(report_id, batch, now, label, t, o, n) for t, o, n in changes],
        )
        # The latest revision as _coalesce looks it up: through the index, not a scan of the report's history.
        row = self.db.execute(
            "SELECT id FROM revisions WHERE report_id = ? ORDER BY batch DESC, id DESC LIMIT 1", [report_id]
        ).fetchone()
        self._own_revision[report_id] = int(row[0])
        self.db.execute("UPDATE reports SET updated_at = ?, version = version + 1 WHERE id = ?", [now, report_id])

    @_reads
    def revisions(self, report_id: int) -> list[Revision]:
        """Every saved change of a report, oldest first, grouped as it was saved."""
        grouped: dict[int, list[Any]] = {}
        meta: dict[int, tuple[str, str]] = {}
        for batch, at, label, target, old, new in self.db.execute(
            """SELECT batch, at, label, target, old, new FROM revisions
               WHERE report_id = ? ORDER BY batch, id""",
            [report_id],
        ).fetchall():
            grouped.setdefault(batch, []).append((target, old, new))
            meta[batch] = (at, label)
        return [Revision(b, meta[b][0], meta[b][1], tuple(ch)) for b, ch in grouped.items()]

    @_reads
    def restore(self, report_id: int, batch: int) -> int:
        """Bring the report back to how it was right after revision `batch`; the restore is itself
        a new revision. Returns the number of values changed."""
        later = self.db.execute(
            """SELECT target, old FROM revisions WHERE report_id = ? AND batch > ?
               AND target != 'report' ORDER BY batch DESC, id DESC""",
            [report_id, batch],
        ).fetchall()
        wanted: dict[str, str | None] = {}
        for target, old in later:  # newest first: the last one seen is the oldest "old"
            wanted[target] = old
        template = self._template(self._report_row(report_id)[0])
        try:
            edits = [decode_edit(template, t, v) for t, v in wanted.items() if t != "field:status"]
        except InvalidEdit as exc:
            raise StorageError(f"无法恢复到第 {batch} 版：{exc}") from None
        # Restoring an old version of a final report reopens it: the final state is not kept.
        return self.apply(report_id, [status_edit(STATUS_DRAFT), *edits], label=f"恢复到第 {batch} 版")


def _target_name(template: Template, target: str) -> str:
    """A target as the clerk knows it, e.g. 三、收到和处理申请「本年新收·自然人」."""
    kind, _, key = target.partition(":")
    if kind in ("cell", "printed") and template.has_cell(key):
        cell = template.cell(key)
        name = f"{template.section(cell.section).short}「{cell.row_label}·{cell.col_label}」"
        return name + ("（文件中印出的合计）" if kind == "printed" else "")
    if kind == "text":
        for section in template.sections:
            if key in (section.id, section.note_key):
                return f"「{section.heading}」" + ("（表后说明）" if key == section.note_key else "")
    return f"「{field_name(key) if key else target}」"


def _changed_to(target: str, current: str | None) -> str:
    if target.startswith(("cell:", "printed:")):
        return f"改为 {current}" if current else "清空"
    return "修改"


def _default_title(template_id: str, agency: str, year: int) -> str:
    try:
        return load_template(template_id).title_for(agency, year)
    except KeyError:
        return f"{agency}{year}年政府信息公开工作年度报告"


def _fingerprint(template_id: str) -> str:
    try:
        return load_template(template_id).fingerprint
    except KeyError:
        return "missing"


def _seed_report() -> Report:
    return loads(resources.files("resources").joinpath(SEED_RESOURCE).read_text("utf-8"))


def open_store(path: str | Path, *, seed: bool = True) -> Store:
    return Store(path, seed=seed)
