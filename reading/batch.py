"""Reading and checking a batch of report files, as a reviewing office does (文件检查, `main.py check`).

Each file is read with its import log and checked against last year's report of the same agency:
the one in the batch when there is one, else what an optional lookup (e.g. the database) finds. A file
checked before last year's report of its agency arrived is checked again when it does, so the order
of the files does not matter. The rows of the findings table are built here too (the table writer in
exports/ takes plain rows)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.checks import SEVERITY_LABELS, Finding, counts, validate
from core.errors import UserError
from core.report import Report
from core.template import Template
from reading.document import ImportResult, Progress, ReadCancelled, ScanCell, ScanInfo
from reading.formats import READABLE_SUFFIXES, read_with_log
from reading.scan import is_scan_path

log = logging.getLogger(__name__)

CHECKED = "已检查"
UNREADABLE = "无法读取"
COLUMNS: tuple[str, ...] = ("文件", "机关", "年度", "格式", "错误", "提示", "状态")
SUMMARY_SHEET, DETAIL_SHEET = "汇总", "明细"
SUMMARY_HEADERS: tuple[str, ...] = (*COLUMNS, "路径")
SUMMARY_WIDTHS: tuple[float, ...] = (40, 30, 8, 12, 8, 8, 40, 60)
DETAIL_HEADERS: tuple[str, ...] = ("文件", "规则", "级别", "说明", "单元格")
DETAIL_WIDTHS: tuple[float, ...] = (40, 18, 8, 90, 40)

# The same agency's report of the year before the given one, from outside the batch (or None).
PreviousLookup = Callable[[str, int], Report | None]


# --- a scan's cells, as a reviewer compares them with the paper ------------------------------------

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]?)")
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")


def _numbering(label: str) -> str:
    """A printed label's own number: 「三、」, 「（三）」 or 「3」 (the full stop after a digit dropped)."""
    found = _NUMBERING.match(label)
    if found is None:
        return ""
    number = found.group(0)
    return number.rstrip(".．、") if number[0].isdigit() else number


def _without_note(label: str) -> str:
    """A label without its trailing note in brackets: （二）部分公开（区分处理的，……） → （二）部分公开."""
    shorter = _TRAILING_NOTE.sub("", label)
    return shorter or label


def cell_position(template: Template, cell_id: str) -> str:
    """Where a cell stands, as briefly as a clerk says it with the paper in hand: the section's number,
    the row (by its printed numbers when it is nested) and the column, e.g. 「三、（三）3 · 自然人」,
    「三、本年新收 · 商业企业」, 「二、规章 · 本年制发件数」. An id the template does not have is given as is."""
    if not template.has_cell(cell_id):
        return cell_id
    cell = template.cell(cell_id)
    section = _numbering(template.section(cell.section).short)
    column = _without_note(cell.col_label)
    if cell.section != "s3" or not template.s3.has_row(cell.row_id):
        return f"{section}{cell.row_label} · {column}"
    row = template.s3.row(cell.row_id)
    path = row.path
    if len(path) >= 3 and all(_numbering(p) for p in path[1:]):
        where = "".join(_numbering(p) for p in path[1:])
    elif len(path) == 2:
        where = _without_note(path[1])
    else:
        where = row.short
    return f"{section}{where} · {column}"


def score_text(score: float) -> str:
    """A confidence as a whole percentage, rounded down (99.6 % is not yet 100 %)."""
    return f"{int(max(0.0, min(1.0, score)) * 100)}%"


def scan_rows(scan: ScanInfo, template: Template) -> list[tuple[str, ScanCell]]:
    """The cells read from a scan, the uncertain ones first (in the order the scan lists them), then
    the rest in the template's order (ids it does not have last)."""
    uncertain = [c for c in scan.uncertain if c in scan.cells]
    marked = set(uncertain)
    order = {cell.id: i for i, cell in enumerate(template.cells)}
    rest = sorted((c for c in scan.cells if c not in marked), key=lambda c: (order.get(c, len(order)), c))
    return [(c, scan.cells[c]) for c in (*uncertain, *rest)]


@dataclass(frozen=True)
class ScanSummary:
    """What a check keeps of a scan's reading (not its page images): how many pages and cells, how long
    it took, and the cells read below the threshold, to be compared with the paper."""

    pages: int
    seconds: float
    threshold: float
    cells: int
    uncertain: tuple[tuple[str, ScanCell], ...]

    @classmethod
    def of(cls, scan: ScanInfo) -> ScanSummary:
        uncertain = tuple((c, scan.cells[c]) for c in scan.uncertain if c in scan.cells)
        return cls(len(scan.pages), scan.seconds, scan.threshold, len(scan.cells), uncertain)

    def text(self) -> str:
        """The one line said above a scan's cells (preview, 文件检查, command line)."""
        head = f"扫描件：{self.pages} 页，识别用时 {self.seconds:.1f} 秒；"
        if self.uncertain:
            return (
                f"{head}{len(self.uncertain)} 个单元格把握不大（低于 {score_text(self.threshold)}），"
                "请与纸质件逐一核对"
            )
        return f"{head}全部 {self.cells} 个单元格把握较大（不低于 {score_text(self.threshold)}），仍请与纸质件核对"

    def to_json(self) -> dict[str, object]:
        """`check --json`'s "scan": pages, the uncertain cells (id, text read, score) and the seconds taken."""
        return {
            "pages": self.pages,
            "uncertain": [{"cell": c, "text": cell.text, "score": round(cell.score, 4)} for c, cell in self.uncertain],
            "seconds": round(self.seconds, 2),
        }


def may_be_scan(path: Path) -> bool:
    """Whether reading this file may recognise pages (an image, a PDF, a folder): only then does the
    reader get told how to report progress."""
    return path.suffix.lower() == ".pdf" or is_scan_path(path)


def read_file(path: Path, progress: Progress | None = None) -> ImportResult:
    """read_with_log, told about progress (and able to be cancelled through it) when the file may be a scan."""
    if progress is None or not may_be_scan(path):
        return read_with_log(path)
    return read_with_log(path, progress=progress)


@dataclass(frozen=True)
class FileCheck:
    """One checked file: the report and its findings, or why it could not be read."""

    path: Path
    name: str  # as shown: relative to the folder it was found in, else the file name (or as given)
    report: Report | None = None
    findings: tuple[Finding, ...] = ()
    log: tuple[str, ...] = ()
    error: str = ""  # one-line reason the file could not be read
    with_previous: bool = False  # checked against the same agency's previous year in the batch
    crashed: bool = False  # a reader failed unexpectedly (a defect, logged), not a file it refused
    scan: ScanSummary | None = None  # the file was a scan read by OCR

    @property
    def readable(self) -> bool:
        return self.report is not None

    @property
    def counts(self) -> tuple[int, int]:
        return counts(list(self.findings))

    @property
    def status(self) -> str:
        if not self.readable:
            return f"{UNREADABLE}：{self.error}"
        if self.scan is not None:
            doubtful = len(self.scan.uncertain)
            return f"{CHECKED}（扫描件，{doubtful} 个单元格把握不大）" if doubtful else f"{CHECKED}（扫描件）"
        return CHECKED

    @property
    def key(self) -> tuple[str, int] | None:
        return (self.report.agency, self.report.year) if self.report is not None else None

    def cells(self) -> tuple[str, str, str, str, int | str, int | str, str]:
        """The table row: 文件, 机关, 年度, 格式, 错误, 提示, 状态."""
        if self.report is None:
            return (self.name, "", "", "", "", "", self.status)
        errors, warnings = self.counts
        return (
            self.name, self.report.agency, str(self.report.year), self.report.template.name,
            errors, warnings, self.status,
        )


# --- which files -----------------------------------------------------------------------------------


def is_report_file(path: Path) -> bool:
    # Scanned pages (reading.scan.SCAN_SUFFIXES) are among the readable suffixes: each image is a file here.
    # Word keeps "~$name.docx" owner files beside an open document; they are not reports.
    return path.suffix.lower() in READABLE_SUFFIXES and not path.name.startswith(("~$", "."))


def collect_files(
    sources: Iterable[Path], skip: set[Path] | None = None, cancelled: Callable[[], bool] = lambda: False
) -> list[tuple[Path, str]]:
    """The files to check, with the name shown for each: files as given, folders searched (with their
    subfolders) for report files in name order. Paths in `skip` (already checked) are left out."""
    found: list[tuple[Path, str]] = []
    seen = set(skip or ())

    def add(path: Path, name: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append((path, name))

    for source in sources:
        if cancelled():
            break
        if not source.is_dir():
            add(source, source.name)
            continue
        for folder, dirs, files in os.walk(source):
            if cancelled():
                break
            dirs.sort()
            for file_name in sorted(files):
                path = Path(folder) / file_name
                if is_report_file(path):
                    add(path, path.relative_to(source).as_posix())
    return found


# --- reading and checking --------------------------------------------------------------------------


def read_and_check(
    path: Path,
    name: str,
    batch: dict[tuple[str, int], Report],
    previous: PreviousLookup | None = None,
    *,
    contain_crashes: bool = True,
    progress: Progress | None = None,
) -> FileCheck:
    """Read one file and check it against last year's report of the same agency: the batch's (by agency
    and year), else what `previous` finds. A file that cannot be read gives its one-line reason; so does
    a reader's unexpected failure, unless `contain_crashes` is False (then it propagates). A scan's pages
    are reported to `progress`, which may raise ReadCancelled: that propagates (nothing was read)."""
    try:
        result = read_file(path, progress)
    except ReadCancelled:
        raise
    except UserError as exc:
        return FileCheck(path, name, error=str(exc))
    except Exception as exc:  # one broken reader must not stop the batch; the row says what happened
        if not contain_crashes:
            raise
        log.exception("reading %s failed", path)
        return FileCheck(path, name, error=f"读取时出现意外错误（{type(exc).__name__}）", crashed=True)
    report = result.report
    last_year = batch.get((report.agency, report.year - 1))
    in_batch = last_year is not None
    if last_year is None and previous is not None:
        last_year = previous(report.agency, report.year)
    scan = ScanSummary.of(result.scan) if result.scan is not None else None
    return FileCheck(
        path, name, report, tuple(validate(report, last_year)), tuple(result.log), with_previous=in_batch, scan=scan
    )


def _recheck(check: FileCheck, arrived: Report) -> FileCheck | None:
    report = check.report
    if report is None or check.with_previous or (report.agency, report.year - 1) != (arrived.agency, arrived.year):
        return None
    return replace(check, findings=tuple(validate(report, arrived)), with_previous=True)


class BatchCheck:
    """A batch being checked, file by file (a window can show each as it comes, and stop between files).
    `earlier` are checks already done, whose reports count as part of the batch; `previous` looks up
    last year's report outside the batch."""

    def __init__(
        self,
        earlier: Iterable[FileCheck] = (),
        *,
        previous: PreviousLookup | None = None,
        contain_crashes: bool = True,
    ) -> None:
        self._checks: list[FileCheck] = list(earlier)
        self._previous = previous
        self._contain_crashes = contain_crashes
        self._reports: dict[tuple[str, int], Report] = {}
        # Checks done without last year's report, by the (agency, year) of the report they wait for.
        self._waiting: dict[tuple[str, int], list[int]] = {}
        for i, check in enumerate(self._checks):
            if check.report is not None:
                self._reports.setdefault((check.report.agency, check.report.year), check.report)
                self._wait(i, check)

    def _wait(self, index: int, check: FileCheck) -> None:
        if check.report is not None and not check.with_previous:
            self._waiting.setdefault((check.report.agency, check.report.year - 1), []).append(index)

    @property
    def checks(self) -> list[FileCheck]:
        """Every check of the batch in the order the files came, each as last checked."""
        return list(self._checks)

    def add(self, path: Path, name: str, progress: Progress | None = None) -> tuple[FileCheck, list[FileCheck]]:
        """Read and check one more file. Returns its check and the earlier checks done again because
        this file is last year's report of their agency (the first such file of an agency and year counts).
        A scan's pages are reported to `progress`; ReadCancelled from it leaves the batch as it was."""
        check = read_and_check(
            path, name, self._reports, self._previous, contain_crashes=self._contain_crashes, progress=progress
        )
        self._checks.append(check)
        again: list[FileCheck] = []
        report = check.report
        if report is not None and (report.agency, report.year) not in self._reports:
            self._reports[(report.agency, report.year)] = report
            for i in self._waiting.pop((report.agency, report.year), []):
                redone = _recheck(self._checks[i], report)
                if redone is not None:
                    self._checks[i] = redone
                    again.append(redone)
        self._wait(len(self._checks) - 1, check)
        return check, again


def check_files(
    files: Iterable[tuple[Path, str]],
    *,
    previous: PreviousLookup | None = None,
    contain_crashes: bool = True,
    progress: Progress | None = None,
) -> list[FileCheck]:
    """Read and check every file (path, name shown), in order; see BatchCheck. A scan's pages are
    reported to `progress`."""
    batch = BatchCheck(previous=previous, contain_crashes=contain_crashes)
    for path, name in files:
        batch.add(path, name, progress)
    return batch.checks


# --- the findings table ----------------------------------------------------------------------------


def summary_rows(checks: Sequence[FileCheck]) -> list[list[str | int]]:
    """One row per file: the table's columns and the file's path (SUMMARY_HEADERS)."""
    return [[*c.cells(), str(c.path)] for c in checks]


def detail_rows(checks: Sequence[FileCheck]) -> list[list[str | int]]:
    """One row per finding (and one per unreadable file): 文件, 规则, 级别, 说明, 单元格 (DETAIL_HEADERS)."""
    rows: list[list[str | int]] = []
    for check in checks:
        if not check.readable:
            rows.append([check.name, "", UNREADABLE, check.error, ""])
        for f in check.findings:
            severity = SEVERITY_LABELS.get(f.severity, f.severity)
            rows.append([check.name, f.rule, severity, f.message, "、".join(f.cells)])
    return rows
