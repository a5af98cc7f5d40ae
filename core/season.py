"""A review season of a reviewing office (年报审核): the units expected to report for one year, their
due dates and review status, and every file received from them.

Stored in the app's database (tables made by storage migration 5), every change one transaction through
the Store. A unit's newer file replaces its current one; the older stays as history and is never deleted
silently. A file is matched to a unit by the agency it names (after normalising spaces and full-width
characters: the same name, else the one unit whose name contains it or is contained in it); a file of an
agency on no unit's list makes a new unit; a file of another year is kept and flagged (年度不符); a file
already received (the same content) is not added again.

"Final" (定稿): a received report counts as final when it is signed and dated (its signature carries a
date); a report file may say otherwise with "status": "final" or "draft" (kept in Report.extra).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.checks import Finding, counts
from core.deadline import KIND_DEPARTMENT, KIND_GOVERNMENT, KIND_LABELS, KINDS, due_date
from core.errors import UserError
from core.fileio import ReportFileError, file_error, regular_file
from core.report import Report
from core.reportfile import dumps, loads
from core.storage import Store
from core.template import load_template

REVIEW_PENDING = "pending"
REVIEW_RETURNED = "returned"
REVIEW_PASSED = "passed"
REVIEWS: tuple[str, ...] = (REVIEW_PENDING, REVIEW_RETURNED, REVIEW_PASSED)
REVIEW_LABELS: dict[str, str] = {REVIEW_PENDING: "待审", REVIEW_RETURNED: "退回修改", REVIEW_PASSED: "通过"}
KIND_SHORT: dict[str, str] = {KIND_DEPARTMENT: "部门", KIND_GOVERNMENT: "人民政府"}

FINAL = "final"  # signed and dated, or a report file saying "status": "final"
DRAFT = "draft"  # a report file saying "status": "draft"
UNSIGNED = "unsigned"  # no date under the signature
FINAL_LABELS: dict[str, str] = {FINAL: "已定稿", DRAFT: "草稿", UNSIGNED: "未落款"}

NEW_TOTAL_CELL = "s3.new.total"  # 本年新收政府信息公开申请数量·总计: the board's bar
MAX_NAME = 200  # characters of a season or unit name
MAX_NOTE = 2000
_HEADER_NAMES = frozenset({"单位", "单位名称", "名称", "机关", "机关名称", "报送单位"})


class SeasonError(UserError):
    """A season operation refused; str() says why, in Chinese."""


# --- values ----------------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """A name as compared: full-width letters and digits as half-width (NFKC), without any spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's content: the same file received twice is recognised by it.
    ReportFileError, with the readers' one-line Chinese reason, when it is not a regular file (a FIFO
    named like a report would block the read forever) or cannot be read."""
    regular_file(path)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise file_error(exc) from None
    return digest.hexdigest()


def final_state(report: Report) -> str:
    """FINAL, DRAFT or UNSIGNED: what a report file says in "status", else signed and dated or not."""
    said = report.extra.get("status")
    if said in (FINAL, DRAFT):
        return str(said)
    return FINAL if report.signature.date.strip() else UNSIGNED


def kind_from_text(text: str) -> str:
    """部门 / 人民政府 (or 政府, department, government, the long labels) → a kind; SeasonError else."""
    value = normalise_name(text).lower()
    if value in ("部门", "department", normalise_name(KIND_LABELS[KIND_DEPARTMENT]).lower()):
        return KIND_DEPARTMENT
    if value in ("人民政府", "政府", "government", normalise_name(KIND_LABELS[KIND_GOVERNMENT]).lower()):
        return KIND_GOVERNMENT
    raise SeasonError(f"类别「{text.strip()}」应为「部门」或「人民政府」")


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
)


def parse_date(text: str) -> date:
    """2026-01-31, 2026/1/31, 2026.1.31 or 2026年1月31日 (a time after it is ignored); SeasonError else."""
    value = re.sub(r"[\sT]+\d{1,2}:\d{2}(:\d{2})?\s*$", "", unicodedata.normalize("NFKC", text).strip())
    value = "".join(value.split())
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                break
    raise SeasonError(f"日期「{text.strip()}」无法识别（应如 2026-01-31 或 2026年1月31日）")


def date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _check_name(name: str, what: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise SeasonError(f"{what}不能为空")
    if len(cleaned) > MAX_NAME:
        raise SeasonError(f"{what}太长（最多 {MAX_NAME} 个字）")
    return cleaned


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(data: bytes | None) -> str:
    if not data:
        return ""
    try:
        return zlib.decompress(data).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        raise SeasonError("数据库中保存的文件内容已损坏，无法读出") from None


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {**finding.to_json(), "section": finding.section, "span": list(finding.span) if finding.span else None}


def _finding(data: dict[str, Any]) -> Finding:
    span = data.get("span")
    return Finding(
        rule=str(data.get("rule", "")), severity=str(data.get("severity", "")), message=str(data.get("message", "")),
        cells=tuple(str(c) for c in data.get("cells", ())), section=str(data.get("section", "")),
        span=(int(span[0]), int(span[1])) if isinstance(span, list) and len(span) == 2 else None,
    )


def _template_name(template_id: str) -> str:
    if not template_id:
        return ""
    try:
        return load_template(template_id).name
    except KeyError:
        return template_id


# --- what is read back ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonInfo:
    id: int
    name: str
    year: int
    created_at: str


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind: str
    due: date
    review: str = REVIEW_PENDING
    note: str = ""
    position: int = 0


@dataclass(frozen=True)
class UnitEntry:
    """A unit to add: its name, and its kind and due date when given (else as its name suggests)."""

    name: str
    kind: str | None = None
    due: date | None = None


@dataclass(frozen=True)
class SeasonFile:
    """One received file (current or replaced)."""

    id: int
    unit_id: int | None
    path: str
    name: str
    received: date
    hash: str
    agency: str
    year: int | None
    template: str
    error: str
    errors: int
    warnings: int
    final: str
    signed: str
    added_at: str
    replaced_at: str | None
    log: tuple[str, ...] = ()

    @property
    def readable(self) -> bool:
        return not self.error

    @property
    def template_name(self) -> str:
        return _template_name(self.template)


@dataclass(frozen=True)
class BoardRow:
    """One row of the board: a unit and its current file (or a file no unit could be found for)."""

    unit_id: int | None
    name: str
    kind: str
    due: date | None
    review: str
    note: str
    position: int
    season_year: int
    file_id: int | None = None
    file_name: str = ""
    path: str = ""
    received: date | None = None
    agency: str = ""
    year: int | None = None
    template: str = ""
    error: str = ""
    errors: int = 0
    warnings: int = 0
    final: str = ""
    signed: str = ""
    new_total: float | None = None
    versions: int = 0

    @property
    def has_file(self) -> bool:
        return self.file_id is not None

    @property
    def wrong_year(self) -> bool:
        return self.year is not None and self.year != self.season_year

    @property
    def template_name(self) -> str:
        return _template_name(self.template)

    def days_late(self, today: date | None = None) -> int | None:
        """Days after the due date the file came (negative: early); a missing unit counts until today."""
        if self.due is None:
            return None
        when = self.received if self.received is not None else (today or date.today())
        return (when - self.due).days

    def late(self, today: date | None = None) -> bool:
        days = self.days_late(today)
        return days is not None and days > 0

    def timing_text(self, today: date | None = None) -> str:
        """提前 5 天 / 当天 / 逾期 3 天; for a missing unit 未交，还有 N 天 / 今天截止 / 未交，已逾期 N 天."""
        days = self.days_late(today)
        if days is None:
            return ""
        if self.has_file:
            return f"提前 {-days} 天" if days < 0 else "截止当天" if days == 0 else f"逾期 {days} 天"
        return f"未交，还有 {-days} 天" if days < 0 else "未交，今天截止" if days == 0 else f"未交，已逾期 {days} 天"

    @property
    def problem(self) -> bool:
        """Errors, an unreadable file, or a file of another year."""
        return self.errors > 0 or bool(self.error) or self.wrong_year


@dataclass(frozen=True)
class AddResult:
    """What adding one file did: `message` says it in one Chinese sentence."""

    outcome: str  # "added", "replaced", "duplicate"
    message: str
    file_id: int | None = None
    unit_id: int | None = None
    unit_created: bool = False
    wrong_year: bool = False


# --- the season -----------------------------------------------------------------------------------


class Season:
    """One review season in a Store. Reads go straight to the database; every write is one transaction."""

    def __init__(self, store: Store, season_id: int) -> None:
        self.store = store
        self.id = season_id
        self._info = self._load_info()

    # --- seasons -------------------------------------------------------------------------------

    @classmethod
    def create(cls, store: Store, name: str, year: int) -> Season:
        name = _check_name(name, "审核名称")
        if not 1990 <= year <= 2100:
            raise SeasonError(f"年度 {year} 不是有效年份")
        with _writing(store):
            if store.db.execute("SELECT 1 FROM seasons WHERE name = ?", [name]).fetchone():
                raise SeasonError(f"已有名为「{name}」的审核")
            cursor = store.db.execute(
                "INSERT INTO seasons (name, year, created_at) VALUES (?, ?, ?)", [name, year, _now()]
            )
            season_id = int(cursor.lastrowid or 0)
        return cls(store, season_id)

    @staticmethod
    def all(store: Store) -> list[SeasonInfo]:
        """Every season, the newest year first."""
        with _reading(store):
            rows = store.db.execute(
                "SELECT id, name, year, created_at FROM seasons ORDER BY year DESC, id DESC"
            ).fetchall()
        return [SeasonInfo(int(i), str(n), int(y), str(c)) for i, n, y, c in rows]

    @staticmethod
    def default_name(year: int) -> str:
        return f"{year}年度年报审核"

    def _load_info(self) -> SeasonInfo:
        with _reading(self.store):
            row = self.store.db.execute(
                "SELECT id, name, year, created_at FROM seasons WHERE id = ?", [self.id]
            ).fetchone()
        if row is None:
            raise SeasonError("这次审核已被删除（可能在另一个窗口中）")
        return SeasonInfo(int(row[0]), str(row[1]), int(row[2]), str(row[3]))

    @property
    def name(self) -> str:
        return self._info.name

    @property
    def year(self) -> int:
        return self._info.year

    def rename(self, name: str) -> None:
        name = _check_name(name, "审核名称")
        with _writing(self.store):
            other = self.store.db.execute("SELECT id FROM seasons WHERE name = ?", [name]).fetchone()
            if other is not None and int(other[0]) != self.id:
                raise SeasonError(f"已有名为「{name}」的审核")
            self.store.db.execute("UPDATE seasons SET name = ? WHERE id = ?", [name, self.id])
        self._info = self._load_info()

    def delete(self) -> None:
        """Delete the season with its units and every file received (the caller asks first)."""
        with _writing(self.store):
            self.store.db.execute("DELETE FROM season_files WHERE season_id = ?", [self.id])
            self.store.db.execute("DELETE FROM season_units WHERE season_id = ?", [self.id])
            self.store.db.execute("DELETE FROM seasons WHERE id = ?", [self.id])

    # --- units ---------------------------------------------------------------------------------

    def units(self) -> list[Unit]:
        with _reading(self.store):
            rows = self.store.db.execute(
                """SELECT id, name, kind, due, review, note, position FROM season_units
                   WHERE season_id = ? ORDER BY position, id""",
                [self.id],
            ).fetchall()
        return [
            Unit(int(i), str(n), str(k), date.fromisoformat(d), str(r), str(t), int(p))
            for i, n, k, d, r, t, p in rows
        ]

    def unit(self, unit_id: int) -> Unit:
        for unit in self.units():
            if unit.id == unit_id:
                return unit
        raise SeasonError("找不到这个单位（可能已被删除）")

    def default_kind(self, name: str) -> str:
        """As the store's profile of the agency says, else as its name suggests."""
        return self.store.agency_profile(name).report_kind

    def add_units(self, entries: Iterable[UnitEntry | str]) -> tuple[list[str], list[str]]:
        """Add units (one transaction); a unit already on the list gets the kind and due date given for
        it. Returns (names added, names already there)."""
        todo = [UnitEntry(e) if isinstance(e, str) else e for e in entries]
        added: list[str] = []
        existing: list[str] = []
        with _writing(self.store):
            for entry in todo:
                name = _check_name(entry.name, "单位名称")
                row = self.store.db.execute(
                    "SELECT id FROM season_units WHERE season_id = ? AND name = ?", [self.id, name]
                ).fetchone()
                if row is not None:
                    existing.append(name)
                    if entry.kind is not None or entry.due is not None:
                        self.update_unit(int(row[0]), kind=entry.kind, due=entry.due)
                    continue
                self._insert_unit(name, entry.kind, entry.due)
                added.append(name)
        return added, existing

    def _insert_unit(self, name: str, kind: str | None = None, due: date | None = None) -> int:
        if kind is not None and kind not in KINDS:
            raise SeasonError(f"类别「{kind}」应为「部门」或「人民政府」")
        kind = kind or self.default_kind(name)
        due = due or due_date(kind, self.year)
        row = self.store.db.execute(
            "SELECT COALESCE(MAX(position), 0) FROM season_units WHERE season_id = ?", [self.id]
        ).fetchone()
        cursor = self.store.db.execute(
            "INSERT INTO season_units (season_id, name, kind, due, position) VALUES (?, ?, ?, ?, ?)",
            [self.id, name, kind, due.isoformat(), int(row[0]) + 1],
        )
        return int(cursor.lastrowid or 0)

    def update_unit(
        self, unit_id: int, *, name: str | None = None, kind: str | None = None, due: date | None = None
    ) -> None:
        """Rename a unit, or change its kind or due date. A new kind without a due date moves a due date
        that was the old kind's default to the new kind's."""
        with _writing(self.store):
            row = self.store.db.execute(
                "SELECT name, kind, due FROM season_units WHERE id = ? AND season_id = ?", [unit_id, self.id]
            ).fetchone()
            if row is None:
                raise SeasonError("找不到这个单位（可能已被删除）")
            new_name = _check_name(name, "单位名称") if name is not None else str(row[0])
            if new_name != row[0] and self.store.db.execute(
                "SELECT 1 FROM season_units WHERE season_id = ? AND name = ?", [self.id, new_name]
            ).fetchone():
                raise SeasonError(f"已有名为「{new_name}」的单位")
            old_kind, old_due = str(row[1]), date.fromisoformat(row[2])
            if kind is not None and kind not in KINDS:
                raise SeasonError(f"类别「{kind}」应为「部门」或「人民政府」")
            new_kind = kind or old_kind
            new_due = due
            if new_due is None:
                new_due = due_date(new_kind, self.year) if old_due == due_date(old_kind, self.year) else old_due
            self.store.db.execute(
                "UPDATE season_units SET name = ?, kind = ?, due = ? WHERE id = ?",
                [new_name, new_kind, new_due.isoformat(), unit_id],
            )

    def delete_units(self, unit_ids: Iterable[int]) -> None:
        """Delete units with every file received from them (the caller asks first)."""
        ids = list(unit_ids)
        with _writing(self.store):
            for unit_id in ids:
                self.store.db.execute(
                    "DELETE FROM season_files WHERE unit_id = ? AND season_id = ?", [unit_id, self.id]
                )
                self.store.db.execute(
                    "DELETE FROM season_units WHERE id = ? AND season_id = ?", [unit_id, self.id]
                )

    def set_review(self, unit_ids: int | Iterable[int], status: str, note: str | None = None) -> None:
        """The reviewer's verdict (待审/退回修改/通过) and, when given, note for one or more units."""
        if status not in REVIEWS:
            raise SeasonError(f"审核状态「{status}」应为待审、退回修改或通过")
        ids = [unit_ids] if isinstance(unit_ids, int) else list(unit_ids)
        with _writing(self.store):
            for unit_id in ids:
                if note is None:
                    self.store.db.execute(
                        "UPDATE season_units SET review = ? WHERE id = ? AND season_id = ?", [status, unit_id, self.id]
                    )
                else:
                    self.store.db.execute(
                        "UPDATE season_units SET review = ?, note = ? WHERE id = ? AND season_id = ?",
                        [status, _check_note(note), unit_id, self.id],
                    )

    def set_note(self, unit_id: int, note: str) -> None:
        with _writing(self.store):
            self.store.db.execute(
                "UPDATE season_units SET note = ? WHERE id = ? AND season_id = ?", [_check_note(note), unit_id, self.id]
            )

    def agency_names(self) -> list[str]:
        """Agencies the database knows (its reports and other seasons' units) not yet units here."""
        with _reading(self.store):
            rows = self.store.db.execute(
                """SELECT name FROM agencies UNION SELECT u.name FROM season_units u WHERE u.season_id != ?
                   EXCEPT SELECT name FROM season_units WHERE season_id = ? ORDER BY 1""",
                [self.id, self.id],
            ).fetchall()
        return [str(r[0]) for r in rows]

    # --- matching ------------------------------------------------------------------------------

    def match_unit(self, agency: str) -> Unit | None:
        """The unit a report of `agency` belongs to: the same name (spaces and full-width ignored), else
        the one unit whose name contains it or is contained in it (the longest when several are)."""
        wanted = normalise_name(agency)
        if not wanted:
            return None
        units = self.units()
        names = {u.id: normalise_name(u.name) for u in units}
        for unit in units:
            if names[unit.id] == wanted:
                return unit
        near = [u for u in units if names[u.id] and (names[u.id] in wanted or wanted in names[u.id])]
        if len(near) == 1:
            return near[0]
        if near:
            longest = max(len(names[u.id]) for u in near)
            best = [u for u in near if len(names[u.id]) == longest]
            if len(best) == 1:
                return best[0]
        return None

    def _unit_by_file_name(self, name: str) -> Unit | None:
        """For a file that cannot be read: the unit whose name its file name contains (the longest)."""
        wanted = normalise_name(Path(name).stem)
        near = [u for u in self.units() if normalise_name(u.name) and normalise_name(u.name) in wanted]
        if not near:
            return None
        longest = max(len(normalise_name(u.name)) for u in near)
        best = [u for u in near if len(normalise_name(u.name)) == longest]
        return best[0] if len(best) == 1 else None

    # --- files ---------------------------------------------------------------------------------

    def add_file(
        self,
        path: Path | str,
        report: Report | None = None,
        findings: Sequence[Finding] = (),
        log: Sequence[str] = (),
        *,
        error: str = "",
        name: str | None = None,
        received: date | None = None,
        digest: str | None = None,
    ) -> AddResult:
        """Keep a received file: its report (or `error`, why it could not be read), findings and import
        log. It becomes its unit's current file; the one before stays as history. See the module doc."""
        path = Path(path).absolute()
        shown = name or path.name
        if digest is None:
            try:
                digest = file_digest(path)
            except ReportFileError as exc:
                raise SeasonError(f"无法读取文件「{shown}」：{exc}") from None
        if report is None and not error:
            error = "未能读出报告"
        received = received or date.today()
        report_blob = _pack(dumps(report)) if report is not None else None
        findings_blob = _pack(json.dumps([_finding_json(f) for f in findings], ensure_ascii=False))
        errors, warnings = counts(list(findings))
        with _writing(self.store):
            same = self.store.db.execute(
                """SELECT f.name, f.received, f.replaced_at, u.name FROM season_files f
                   LEFT JOIN season_units u ON u.id = f.unit_id WHERE f.season_id = ? AND f.hash = ?""",
                [self.id, digest],
            ).fetchone()
            if same is not None:
                whose = f"{same[3]}的" if same[3] else ""
                old = "（已被替换的旧版本）" if same[2] else ""
                return AddResult(
                    "duplicate",
                    f"「{shown}」与 {date_text(date.fromisoformat(same[1]))}收到的{whose}「{same[0]}」{old}"
                    "内容相同，没有重复添加。",
                )
            created = False
            unit_id: int | None
            if report is not None:
                unit = self.match_unit(report.agency)
                if unit is None:
                    unit_id = self._insert_unit(_check_name(report.agency[:MAX_NAME], "单位名称"))
                    unit_name = self.store.db.execute(
                        "SELECT name FROM season_units WHERE id = ?", [unit_id]
                    ).fetchone()[0]
                    created = True
                else:
                    unit_id, unit_name = unit.id, unit.name
            else:
                found = self._unit_by_file_name(shown)
                unit_id, unit_name = (found.id, found.name) if found else (None, "")
            replaced = None
            now = _now()
            if unit_id is not None:
                replaced = self.store.db.execute(
                    "SELECT id, received FROM season_files WHERE unit_id = ? AND replaced_at IS NULL", [unit_id]
                ).fetchone()
                self.store.db.execute(
                    "UPDATE season_files SET replaced_at = ? WHERE unit_id = ? AND replaced_at IS NULL", [now, unit_id]
                )
                # A new version is to be reviewed again; the reviewer's note stays.
                self.store.db.execute("UPDATE season_units SET review = ? WHERE id = ?", [REVIEW_PENDING, unit_id])
            new_total = None
            if report is not None:
                value = report.totals().get(NEW_TOTAL_CELL) if report.template.has_cell(NEW_TOTAL_CELL) else None
                new_total = float(value) if value is not None else None
            cursor = self.store.db.execute(
                """INSERT INTO season_files (season_id, unit_id, path, name, received, hash, agency, year, template,
                       report, findings, log, error, errors, warnings, final, signed, new_total, added_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    self.id, unit_id, str(path), shown, received.isoformat(), digest,
                    report.agency if report else "", report.year if report else None,
                    report.template_id if report else "", report_blob, findings_blob,
                    json.dumps(list(log), ensure_ascii=False), error, errors, warnings,
                    final_state(report) if report else "", report.signature.date if report else "",
                    new_total, now,
                ],
            )
            file_id = int(cursor.lastrowid or 0)
        wrong_year = report is not None and report.year != self.year
        parts = [f"「{shown}」"]
        if report is None:
            parts.append(f"无法读取（{error}）")
            parts.append(f"，已记在{unit_name}名下" if unit_name else "，已保存，未能确定是哪个单位的")
        else:
            parts.append(f"已收到：{unit_name}")
            if created:
                parts.append(f"（「{report.agency}」不在单位名单中，已新建这个单位）")
        if replaced is not None:
            parts.append(f"；替换了 {date_text(date.fromisoformat(replaced[1]))}收到的版本（旧版本保留在历史中）")
        if wrong_year and report is not None:
            parts.append(f"；年度不符：文件是 {report.year} 年度，本次审核是 {self.year} 年度")
        return AddResult(
            "replaced" if replaced is not None else "added", "".join(parts) + "。", file_id, unit_id, created,
            wrong_year,
        )

    def known_hashes(self) -> set[str]:
        """The content hashes of every file received in this season (replaced ones too)."""
        with _reading(self.store):
            rows = self.store.db.execute("SELECT hash FROM season_files WHERE season_id = ?", [self.id]).fetchall()
        return {str(r[0]) for r in rows}

    def set_received(self, file_id: int, received: date) -> None:
        """Correct the day a file was received (it may be added days after it came)."""
        with _writing(self.store):
            self.store.db.execute(
                "UPDATE season_files SET received = ? WHERE id = ? AND season_id = ?",
                [received.isoformat(), file_id, self.id],
            )

    def assign_file(self, file_id: int, unit_id: int) -> None:
        """Put a file no unit was found for under a unit, as its current file (to be reviewed)."""
        with _writing(self.store):
            if not self.store.db.execute(
                "SELECT 1 FROM season_units WHERE id = ? AND season_id = ?", [unit_id, self.id]
            ).fetchone():
                raise SeasonError("找不到这个单位（可能已被删除）")
            now = _now()
            self.store.db.execute("UPDATE season_units SET review = ? WHERE id = ?", [REVIEW_PENDING, unit_id])
            self.store.db.execute(
                "UPDATE season_files SET replaced_at = ? WHERE unit_id = ? AND replaced_at IS NULL AND id != ?",
                [now, unit_id, file_id],
            )
            self.store.db.execute(
                "UPDATE season_files SET unit_id = ?, replaced_at = NULL WHERE id = ? AND season_id = ?",
                [unit_id, file_id, self.id],
            )

    _FILE_COLUMNS = """f.id, f.unit_id, f.path, f.name, f.received, f.hash, f.agency, f.year, f.template, f.error,
        f.errors, f.warnings, f.final, f.signed, f.added_at, f.replaced_at, f.log"""

    @staticmethod
    def _file(row: Sequence[Any]) -> SeasonFile:
        return SeasonFile(
            int(row[0]), None if row[1] is None else int(row[1]), str(row[2]), str(row[3]), date.fromisoformat(row[4]),
            str(row[5]), str(row[6]), None if row[7] is None else int(row[7]), str(row[8]), str(row[9]),
            int(row[10]), int(row[11]), str(row[12]), str(row[13]), str(row[14]), row[15],
            tuple(str(x) for x in json.loads(row[16] or "[]")),
        )

    def file(self, file_id: int) -> SeasonFile:
        with _reading(self.store):
            row = self.store.db.execute(
                f"SELECT {self._FILE_COLUMNS} FROM season_files f WHERE f.id = ? AND f.season_id = ?",
                [file_id, self.id],
            ).fetchone()
        if row is None:
            raise SeasonError("找不到这个文件（可能已被删除）")
        return self._file(row)

    def history(self, unit_id: int) -> list[SeasonFile]:
        """Every file received from the unit, the current one first, then the older ones, newest first."""
        with _reading(self.store):
            rows = self.store.db.execute(
                f"""SELECT {self._FILE_COLUMNS} FROM season_files f WHERE f.unit_id = ? AND f.season_id = ?
                    ORDER BY f.replaced_at IS NOT NULL, f.replaced_at DESC, f.id DESC""",
                [unit_id, self.id],
            ).fetchall()
        return [self._file(r) for r in rows]

    def report(self, file_id: int) -> Report | None:
        """The report read from a file (None for a file that could not be read)."""
        with _reading(self.store):
            row = self.store.db.execute(
                "SELECT report FROM season_files WHERE id = ? AND season_id = ?", [file_id, self.id]
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return loads(_unpack(row[0]))

    def findings(self, file_id: int) -> list[Finding]:
        with _reading(self.store):
            row = self.store.db.execute(
                "SELECT findings FROM season_files WHERE id = ? AND season_id = ?", [file_id, self.id]
            ).fetchone()
        if row is None:
            return []
        return [_finding(d) for d in json.loads(_unpack(row[0]) or "[]")]

    # --- the board -----------------------------------------------------------------------------

    def board(self) -> list[BoardRow]:
        """One row per unit with its current file, in the units' order, then any file no unit was
        found for: two queries."""
        year = self.year
        with _reading(self.store):
            rows = self.store.db.execute(
                """SELECT u.id, u.name, u.kind, u.due, u.review, u.note, u.position,
                          f.id, f.name, f.path, f.received, f.agency, f.year, f.template, f.error, f.errors,
                          f.warnings, f.final, f.signed, f.new_total,
                          (SELECT COUNT(*) FROM season_files h WHERE h.unit_id = u.id)
                   FROM season_units u
                   LEFT JOIN season_files f ON f.unit_id = u.id AND f.replaced_at IS NULL
                   WHERE u.season_id = ? ORDER BY u.position, u.id""",
                [self.id],
            ).fetchall()
            loose = self.store.db.execute(
                """SELECT id, name, path, received, error FROM season_files
                   WHERE season_id = ? AND unit_id IS NULL AND replaced_at IS NULL ORDER BY id""",
                [self.id],
            ).fetchall()
        dates: dict[str, date] = {}

        def day(text: str | None) -> date | None:
            if text is None:
                return None
            found = dates.get(text)
            if found is None:
                found = dates[text] = date.fromisoformat(text)
            return found

        out = [
            BoardRow(
                r[0], r[1], r[2], day(r[3]), r[4], r[5], r[6], year, r[7], r[8] or "", r[9] or "", day(r[10]),
                r[11] or "", r[12], r[13] or "", r[14] or "", r[15] or 0, r[16] or 0, r[17] or "", r[18] or "",
                r[19], r[20],
            )
            for r in rows
        ]
        for file_id, name, path, received, error in loose:
            out.append(
                BoardRow(
                    None, f"（未识别）{name}", "", None, "", "", 0, year, file_id, name, path, day(received),
                    error=error, versions=1,
                )
            )
        return out

    # --- reports for 汇总 and 同比 ----------------------------------------------------------------

    def current_file(self, unit_id: int) -> SeasonFile | None:
        files = self.history(unit_id)
        return files[0] if files and files[0].replaced_at is None else None

    def unit_reports(self, unit_ids: Iterable[int]) -> list[Any]:
        """core.region.UnitReport for each unit with a readable current file, in the order given (one
        query; each report is read from its stored file once)."""
        from core.region import UnitReport

        with _reading(self.store):
            rows = self.store.db.execute(
                """SELECT u.id, u.name, f.path, f.errors, f.report FROM season_units u
                   JOIN season_files f ON f.unit_id = u.id AND f.replaced_at IS NULL
                   WHERE u.season_id = ? AND f.report IS NOT NULL""",
                [self.id],
            ).fetchall()
        found = {int(r[0]): r for r in rows}
        out: list[Any] = []
        for unit_id in unit_ids:
            row = found.get(unit_id)
            if row is not None:
                report = loads(_unpack(row[4]))
                out.append(UnitReport(name=str(row[1]), report=report, errors=int(row[3]), file=str(row[2])))
        return out

    def previous_reports(self, unit_id: int) -> list[Report]:
        """The unit's reports of earlier years, oldest first: the database's reports of its agency (by
        the unit's name and the agency its current file names), else a file received in another season."""
        unit = self.unit(unit_id)
        current = self.current_file(unit_id)
        names = {unit.name}
        if current is not None and current.agency:
            names.add(current.agency)
        wanted = {normalise_name(n) for n in names}
        by_year: dict[int, Report] = {}
        with _reading(self.store):
            rows = self.store.db.execute(
                """SELECT r.id, r.year, a.name FROM reports r JOIN agencies a ON a.id = r.agency_id
                   WHERE r.deleted_at IS NULL AND r.year < ? ORDER BY r.id""",
                [self.year],
            ).fetchall()
            files = self.store.db.execute(
                """SELECT f.id, f.year, f.agency, u.name FROM season_files f
                   JOIN season_units u ON u.id = f.unit_id
                   WHERE f.season_id != ? AND f.replaced_at IS NULL AND f.report IS NOT NULL AND f.year < ?
                   ORDER BY f.id""",
                [self.id, self.year],
            ).fetchall()
        for report_id, year, agency in rows:  # the newest report of a year wins
            if normalise_name(agency) in wanted:
                by_year[int(year)] = self.store.load(int(report_id))
        for file_id, year, agency, unit_name in files:
            if int(year) in by_year or not ({normalise_name(agency), normalise_name(unit_name)} & wanted):
                continue
            with _reading(self.store):
                row = self.store.db.execute("SELECT report FROM season_files WHERE id = ?", [file_id]).fetchone()
            by_year[int(year)] = loads(_unpack(row[0]))
        return [by_year[y] for y in sorted(by_year)]

    def previous_lookup(self) -> dict[tuple[str, int], Report]:
        """Last year's reports for checking this season's files: (agency, year) → report, from the
        database's reports of the year before the season's and the files of that year received in any
        season (this one included: a unit may send last year's report too)."""
        last = self.year - 1
        out: dict[tuple[str, int], Report] = {}
        with _reading(self.store):
            rows = self.store.db.execute(
                """SELECT r.id, a.name FROM reports r JOIN agencies a ON a.id = r.agency_id
                   WHERE r.deleted_at IS NULL AND r.year = ? ORDER BY r.id""",
                [last],
            ).fetchall()
            files = self.store.db.execute(
                """SELECT agency, report FROM season_files WHERE replaced_at IS NULL
                   AND report IS NOT NULL AND year = ? ORDER BY id""",
                [last],
            ).fetchall()
        for agency, blob in files:
            out[(str(agency), last)] = loads(_unpack(blob))
        for report_id, agency in rows:  # the database's own report wins over a received file
            out[(str(agency), last)] = self.store.load(int(report_id))
        return out


def lookup_in(reports: dict[tuple[str, int], Report]) -> Callable[[str, int], Report | None]:
    """A reading.batch PreviousLookup over `previous_lookup()`: last year's report of an agency, the
    name compared as normalise_name does. Safe to call from another thread (no database)."""
    normalised = {(normalise_name(a), y): r for (a, y), r in reports.items()}

    def previous(agency: str, year: int) -> Report | None:
        return normalised.get((normalise_name(agency), year - 1))

    return previous


def parse_unit_lines(text: str) -> list[UnitEntry]:
    """Units pasted from a spreadsheet, one a line: name, then optionally kind and due date, separated by
    tabs (or commas). A header line is skipped; SeasonError names the first line that is wrong."""
    entries: list[UnitEntry] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in (line.split("\t") if "\t" in line else re.split(r"[,，]", line))]
        name = cells[0]
        if not entries and normalise_name(name) in _HEADER_NAMES:
            continue
        try:
            name = _check_name(name, "单位名称")
            kind = kind_from_text(cells[1]) if len(cells) > 1 and cells[1] else None
            due = parse_date(cells[2]) if len(cells) > 2 and cells[2] else None
        except SeasonError as exc:
            raise SeasonError(f"第 {number} 行：{exc}") from None
        entries.append(UnitEntry(name, kind, due))
    return entries


def _check_note(note: str) -> str:
    if len(note) > MAX_NOTE:
        raise SeasonError(f"备注太长（最多 {MAX_NOTE} 个字）")
    return note


@contextmanager
def _writing(store: Store) -> Iterator[None]:
    """One transaction of the store (a savepoint inside an open one); SQLite errors as StorageError."""
    try:
        with store.transaction():
            yield
    except sqlite3.Error as exc:
        raise store._failure(exc) from None


@contextmanager
def _reading(store: Store) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise store._failure(exc) from None

