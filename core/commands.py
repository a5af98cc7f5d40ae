"""The command-line subcommands (check, import, list, export, new) as functions over core."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from core.errors import UserError
from core.report import Report
from core.reportfile import ReportFileError
from reading.formats import read_report, read_with_log

# The database (and sqlite-utils), the checks and the next-year rules are imported by the commands
# that use them: `export`, a process of its own for every PDF, needs none of them.
if TYPE_CHECKING:
    from core.checks import Finding
    from core.storage import Store

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2



def _previous(
    report: Report, batch: dict[tuple[str, int], Report], store: Store | None
) -> Report | None:
    found = batch.get((report.agency, report.year - 1))
    if found is not None:
        return found
    if store is not None:
        from core.storage import StorageError

        try:
            return store.previous_report(report.agency, report.year)
        except StorageError:
            return None
    return None


def check(
    files: Sequence[str], *, as_json: bool, store: Store | None, out: TextIO, err: TextIO
) -> int:
    """Check report files; exit 0 (no errors), 1 (some file has an error finding), 2 (unreadable)."""
    from core.checks import ERROR, validate

    read: list[tuple[str, Report]] = []
    logs: dict[str, list[str]] = {}
    results: list[dict[str, object]] = []
    unreadable = False
    for name in files:
        try:
            result = read_with_log(name)
            read.append((name, result.report))
            logs[name] = result.log
        except ReportFileError as exc:
            unreadable = True
            err.write(f"{name}：无法读取：{exc}\n")
            results.append({"file": name, "error": str(exc), "findings": []})
    batch = {(r.agency, r.year): r for _, r in read}
    any_error = False
    for name, report in read:
        findings = validate(report, _previous(report, batch, store))
        any_error = any_error or any(f.severity == ERROR for f in findings)
        results.append(
            {
                "file": name,
                "template": report.template_id,
                "agency": report.agency,
                "year": report.year,
                "findings": [f.to_json() for f in findings],
                "import_log": logs[name],
            }
        )
        if not as_json:
            _print_findings(name, report, findings, logs[name], out)
    if as_json:
        order = {name: i for i, name in enumerate(files)}
        results.sort(key=lambda r: order.get(str(r["file"]), 0))
        out.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if any_error else EXIT_OK


def _print_findings(name: str, report: Report, findings: list[Finding], log: list[str], out: TextIO) -> None:
    from core.checks import SEVERITY_LABELS, counts

    errors, warnings = counts(findings)
    verdict = "通过" if not findings else f"{errors} 个错误，{warnings} 个提示"
    out.write(
        f"{name}：{report.agency} {report.year} 年度报告（{report.template.name}格式）— {verdict}\n"
    )
    for f in findings:
        out.write(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule} {f.message}\n")
    for line in log:  # what reading a published file was unsure of: the reviewer should look
        out.write(f"  [读取] {line}\n")


def import_files(files: Sequence[str], *, store: Store, replace: bool, out: TextIO, err: TextIO) -> int:
    """Store report files; never overwrites a stored report unless asked to (the old one is kept
    in the recycle bin)."""
    status = EXIT_OK
    for name in files:
        try:
            report = read_report(name)
        except ReportFileError as exc:
            err.write(f"{name}：无法读取：{exc}\n")
            status = EXIT_UNREADABLE
            continue
        existing = store.find(report.agency, report.year)
        if existing is not None and not replace:
            err.write(
                f"{name}：数据库中已有 {report.agency} {report.year} 年度报告（编号 {existing}），"
                f"未导入；如要替换，请加 --replace（原报告移入回收站）\n"
            )
            status = max(status, EXIT_FINDINGS)
            continue
        if existing is not None:
            store.delete(existing)
        report_id = store.add_report(report)
        out.write(f"{name}：已导入 {report.agency} {report.year} 年度报告（编号 {report_id}）\n")
    return status


def list_reports(*, store: Store, out: TextIO) -> int:
    summaries = store.list_reports()
    if not summaries:
        out.write("数据库中还没有报告。\n")
        return EXIT_OK
    out.write("编号\t年度\t格式\t状态\t错误\t提示\t机关\n")
    for s in summaries:
        out.write(
            f"{s.id}\t{s.year}\t{s.template}\t{s.status_label}\t{s.errors}\t{s.warnings}\t{s.agency}\n"
        )
    return EXIT_OK


def load_source(source: str, store_opener: Callable[[], Store]) -> Report:
    """A report named on the command line: a file, or the number of a stored report."""
    if os.path.exists(source) or not source.lstrip("#").isdigit():
        return read_report(source)
    store = store_opener()
    return store.load(int(source.lstrip("#")))


def export(
    source: str,
    target: str,
    *,
    write: Callable[[Report, Path, bool], None],
    suffixes: Collection[str],
    blanks: str | None,
    store_opener: Callable[[], Store],
    out: TextIO,
    err: TextIO,
) -> int:
    """Export a report file or a stored report; `write(report, path, blank_as_zero)` does the format.
    Blank cells print as `blanks` says, else as the agency's profile says, else as 0."""
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        known = "、".join(sorted(suffixes))
        err.write(f"无法导出为「{suffix or target}」：支持的格式为 {known}\n")
        return EXIT_UNREADABLE
    try:
        report = load_source(source, store_opener)
    except ReportFileError as exc:
        err.write(f"{source}：无法读取：{exc}\n")
        return EXIT_UNREADABLE
    if not path.parent.exists():
        err.write(f"无法写入「{target}」：文件夹「{path.parent}」不存在\n")
        return EXIT_UNREADABLE
    if blanks is None:
        stored = source.lstrip("#").isdigit() and not os.path.exists(source)
        profile = store_opener().agency_profile(report.agency) if stored else None
        blanks = profile.zero_print if profile is not None else "zero"
    try:
        write(report, path, blanks == "zero")
    except UserError as exc:
        err.write(f"无法导出「{target}」：{exc}\n")
        return EXIT_UNREADABLE
    except PermissionError:
        err.write(f"无法写入「{target}」：没有写入权限，或文件正被其他程序打开；原文件未改动\n")
        return EXIT_UNREADABLE
    except OSError as exc:
        reason = "磁盘空间不足" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        err.write(f"无法写入「{target}」：{reason}；原文件未改动\n")
        return EXIT_UNREADABLE
    out.write(f"已导出：{target}\n")
    return EXIT_OK


def new(
    *, store: Store, agency: str | None, year: int | None, from_id: int | None, out: TextIO, err: TextIO
) -> int:
    """Create a report: blank for an agency and year, or next year's from a stored one."""
    from core.nextyear import new_report, next_year_report

    if from_id is not None:
        previous = store.load(from_id)
        report = next_year_report(previous, store.agency_profile(previous.agency).contact)
    else:
        if not agency or year is None:
            err.write("请用 --agency 和 --year 指定机关和年度，或用 --from 指定上年报告编号\n")
            return EXIT_UNREADABLE
        report = new_report(agency, year, store.agency_profile(agency).contact)
    existing = store.find(report.agency, report.year)
    if existing is not None:
        err.write(f"数据库中已有 {report.agency} {report.year} 年度报告（编号 {existing}），未新建\n")
        return EXIT_FINDINGS
    report_id = store.add_report(report)
    out.write(f"已新建 {report.agency} {report.year} 年度报告（编号 {report_id}，{report.template.name}格式）\n")
    return EXIT_OK

