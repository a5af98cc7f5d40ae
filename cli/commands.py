"""The subcommands: check, import, list, export, new, fonts, backup and restore, each a function of the parsed arguments
and a Context (the database, opened on first use, and the output streams); each returns the exit status.

Imports are made inside the commands that need them: `export`, a process of its own for every PDF,
and `check` of files load neither the database layer nor sqlite-utils."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cli.progname import PROG

if TYPE_CHECKING:
    from core.backup import BackupInfo
    from core.checks import Finding
    from core.compare import Change
    from core.region import RegionTotals, UnitReport
    from core.report import Report
    from core.storage import Store
    from reading.batch import FileCheck, ScanSummary

EXIT_OK = 0
EXIT_FINDINGS = 1  # check: some file has an error finding; import/new: the report exists already
EXIT_UNREADABLE = 2  # a file cannot be read or written, or the arguments are wrong
EXIT_INTERNAL = 3  # a defect of the program (main.py's last guard says so too)


class Context:
    """What a command works with: the database at `db_path`, opened when first asked for (and closed
    by `close`), and the streams to write to."""

    def __init__(self, db_path: Path, out: TextIO, err: TextIO) -> None:
        self.db_path = db_path
        self.out = out
        self.err = err
        self._opened: list[Store] = []

    def store(self) -> Store:
        """The database, created (with the example report) when it does not exist yet."""
        from core.storage import Store

        if not self._opened:
            self._opened.append(Store(self.db_path))
        return self._opened[0]

    def existing_store(self) -> Store | None:
        """The database when there is one and it opens (a problem is noted on err); never creates it."""
        if self._opened:
            return self._opened[0]
        if not self.db_path.exists():
            return None
        from core.storage import StorageError, Store

        try:
            self._opened.append(Store(self.db_path, seed=False))
        except StorageError as exc:
            self.err.write(f"（未使用数据库中的上年报告：{exc}）\n")
            return None
        return self._opened[0]

    def close(self) -> None:
        for store in self._opened:
            store.close()
        self._opened.clear()


# --- check ---------------------------------------------------------------------------------------


def check(args: argparse.Namespace, context: Context) -> int:
    """Check report files, each against last year's report of its agency (in the same batch, else in the
    database); exit 0 (no errors), 1 (some file has an error finding), 2 (some file cannot be read)."""
    from core.checks import ERROR
    from core.rulepack import pack_problems, use_for_run
    from reading.batch import check_files

    names: list[str] = args.files
    run_packs = use_for_run(args.rules)  # a pack that cannot be used: its one-line reason, exit 2 (RulePackError)
    for problem in pack_problems():  # a pack file in the data folder that cannot be used
        context.err.write(f"（未使用：{problem}）\n")
    store = context.existing_store()
    # A reader's unexpected failure is a defect, not a finding, but it must not stop the batch: the file
    # gets its row, the details go to the crash log, and the exit status (3) says so after every file.
    with _crash_log("reading.batch") as crash_log, _PageProgress(context.err) as pages:
        checks = check_files(
            [(Path(name), name) for name in names],
            previous=_previous_in(store) if store is not None else None,
            progress=pages.report,
        )
    for unreadable in (c for c in checks if c.report is None):
        where = f"，详情已记录在 {crash_log}" if unreadable.crashed and crash_log else ""
        context.err.write(f"{unreadable.name}：无法读取：{unreadable.error}{where}\n")
    for pack in run_packs:  # a pack given for this run that a file's year is not among
        for c in (c for c in checks if c.report is not None and not pack.applies_to(c.report.year)):
            context.err.write(f"（规则包「{pack.file_name}」适用于 {pack.years_text}，未用于 {c.name}）\n")
    if args.json:
        results = [_check_json(c) for c in checks]
        context.out.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    else:
        for c in checks:
            _print_findings(c, context.out)
    if any(c.crashed for c in checks):
        return EXIT_INTERNAL
    if any(c.report is None for c in checks):
        return EXIT_UNREADABLE
    any_error = any(f.severity == ERROR for c in checks for f in c.findings)
    return EXIT_FINDINGS if any_error else EXIT_OK


@contextlib.contextmanager
def _crash_log(logger_name: str) -> Iterator[Path | None]:
    """While the block runs, what the logger records (a contained crash with its traceback) goes to
    crash.log in the data folder, never to the terminal; yields that file (None when it cannot be made)."""
    import logging

    from core.paths import data_dir

    logger = logging.getLogger(logger_name)
    try:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(folder / "crash.log", encoding="utf-8", delay=True)
        path: Path | None = folder / "crash.log"
    except OSError:
        handler, path = logging.NullHandler(), None
    handler.setFormatter(logging.Formatter("--- %(asctime)s %(message)s"))
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        handler.close()


class _PageProgress:
    """A scan's pages on the terminal while they are recognised (正在识别第 2/6 页…), written over in
    place on stderr and wiped when done; nothing when stderr is not a terminal (a pipe, a log file)."""

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._shown = False
        self.report = self._report if _is_terminal(err) else None

    def _report(self, done: int, total: int, text: str) -> None:
        self._err.write(f"\r{text}…\x1b[K")
        self._err.flush()
        self._shown = True

    def __enter__(self) -> _PageProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._shown:
            self._err.write("\r\x1b[K")
            self._err.flush()
            self._shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False


def _previous_in(store: Store) -> Callable[[str, int], Report | None]:
    """Last year's report of an agency in the database (None when it has none or cannot give it)."""
    from core.storage import StorageError

    def previous(agency: str, year: int) -> Report | None:
        try:
            return store.previous_report(agency, year)
        except StorageError:
            return None

    return previous


def _check_json(check: FileCheck) -> dict[str, object]:
    report = check.report
    if report is None:
        return {"file": check.name, "error": check.error, "findings": []}
    return {
        "file": check.name,
        "template": report.template_id,
        "agency": report.agency,
        "year": report.year,
        "findings": [f.to_json() for f in check.findings],
        "import_log": list(check.log),
        **({"scan": check.scan.to_json()} if check.scan is not None else {}),
    }


def _print_findings(check: FileCheck, out: TextIO) -> None:
    from core.checks import SEVERITY_LABELS

    report = check.report
    if report is None:
        return
    findings: tuple[Finding, ...] = check.findings
    errors, warnings = check.counts
    verdict = "通过" if not findings else f"{errors} 个错误，{warnings} 个提示"
    out.write(f"{check.name}：{report.agency} {report.year} 年度报告（{report.template.name}格式）— {verdict}\n")
    for f in findings:
        out.write(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule} {f.message}\n")
    for line in check.log:  # what reading a published file was unsure of: the reviewer should look
        out.write(f"  [读取] {line}\n")
    if check.scan is not None:
        _print_scan(check.scan, report, out)


def _print_scan(scan: ScanSummary, report: Report, out: TextIO) -> None:
    """A scan's summary line and every cell read below the threshold (位置, 读作, 置信度), so that no
    scan passes the command line unseen either."""
    from reading.batch import cell_position, score_text

    out.write(f"  {scan.text()}\n")
    if not scan.uncertain:
        return
    rows = [("位置", "读作", "置信度")] + [
        (
            cell_position(report.template, c),
            cell.text or "（空白）",
            score_text(cell.score) + ("，已复核" if cell.reread else ""),
        )
        for c, cell in scan.uncertain
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(2)]
    for place, text, score in rows:
        out.write(f"    {_pad(place, widths[0])}  {_pad(text, widths[1], right=True)}  {score}\n")


# --- compare -------------------------------------------------------------------------------------


def compare(args: argparse.Namespace, context: Context) -> int:
    """Last year's report against this year's: the key figures, every changed cell and the checks that need
    last year's report (CARRY-OVER, S2-IN-FORCE, TEXT-COPIED). Findings are warnings, so the exit status
    is 0 unless a file cannot be read (2), as for check."""
    from core.compare import comparison_findings, key_changes, year_on_year
    from core.numbers import json_number
    from core.reportfile import ReportFileError
    from reading.formats import read_with_log

    read: list[tuple[Report, list[str]]] = []
    for name in (args.last, args.this):
        try:
            result = read_with_log(name)
        except ReportFileError as exc:
            context.err.write(f"{name}：无法读取：{exc}\n")
            return EXIT_UNREADABLE
        read.append((result.report, list(result.log)))
    (last, last_log), (this, this_log) = read
    if last.agency != this.agency:
        context.err.write(f"提示：两份报告的机关不同（上年：{last.agency}，本年：{this.agency}），仍然比较\n")
    if last.year != this.year - 1:
        context.err.write(f"提示：上年报告为 {last.year} 年度，本年报告为 {this.year} 年度，不是相接的两年，仍然比较\n")
    changes = year_on_year(last, this)
    findings = comparison_findings(last, this)
    if args.json:
        result_json = {
            "changes": [
                {"cell": c.cell, "label": c.label, "last": json_number(c.last), "this": json_number(c.this),
                 "flagged": c.flagged}
                for c in changes
            ],
            "findings": [f.to_json() for f in findings],
        }
        context.out.write(json.dumps(result_json, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    _print_comparison(last, this, key_changes(last, this), changes, findings, context.out)
    for name, log in ((args.last, last_log), (args.this, this_log)):
        for line in log:  # what reading a published file was unsure of
            context.out.write(f"  [读取 {name}] {line}\n")
    return EXIT_OK


def _print_comparison(
    last: Report, this: Report, key: list[Change], changes: list[Change], findings: list[Finding], out: TextIO
) -> None:
    from core.checks import SEVERITY_LABELS
    from core.compare import DEFAULT_MINIMUM, DEFAULT_RATIO, format_change, format_percent, format_value

    out.write(
        f"同比：{this.agency} {last.year} 年度（{last.template.name}格式）→ "
        f"{this.year} 年度（{this.template.name}格式）\n"
        f"主要数字（⚠：增减至少 {DEFAULT_MINIMUM} 且达上年的 {DEFAULT_RATIO:.0%}）：\n"
    )
    rows = [("", "上年", "本年", "增减", "增减%", "")] + [
        (c.label, format_value(c.last), format_value(c.this), format_change(c), format_percent(c),
         "⚠" if c.flagged else "")
        for c in key
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = [_pad(row[0], widths[0])] + [_pad(row[i], widths[i], right=True) for i in range(1, 5)]
        out.write(("  " + "  ".join(cells) + "  " + row[5]).rstrip() + "\n")
    both = [c for c in changes if c.last is not None and c.this is not None]
    changed = [c for c in both if c.changed]
    out.write(f"有变化的单元格（{len(changed)} 个，共比较 {len(both)} 个）：\n" if changed else "单元格均无变化。\n")
    for c in changed:
        flag = " ⚠" if c.flagged else ""
        out.write(
            f"  {c.label}：{format_value(c.last)} → {format_value(c.this)}"
            f"（{format_change(c)}，{format_percent(c)}）{flag}\n"
        )
    only_last = sum(1 for c in changes if c.this is None)
    only_this = sum(1 for c in changes if c.last is None)
    if only_last or only_this:
        out.write(
            f"两年格式不同，未比较：仅上年格式有的单元格 {only_last} 个，仅本年格式有的 {only_this} 个"
            f"（用 --json 可列出）\n"
        )
    if not findings:
        out.write("与上年报告核对：未发现问题（上年结转、现行有效件数、正文照抄）\n")
        return
    out.write(f"与上年报告核对：{len(findings)} 个提示\n")
    for f in findings:
        out.write(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule} {f.message}\n")


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters two, others one."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


# --- summary -------------------------------------------------------------------------------------

# The totals printed after the units (the JSON and the 汇总表 have every cell).
_KEY_TOTALS = (
    "s3.new.total", "s3.carried_over.total", "s3.granted.total", "s3.partially_granted.total",
    "s3.total_processed.total", "s3.carried_forward.total",
    "s4.review.total", "s4.suit_direct.total", "s4.suit_after_review.total",
)


def summary(args: argparse.Namespace, context: Context) -> int:
    """Add up many units' report files (files, and report files in folders) into region totals: each file
    read and checked (against last year's of its agency when the batch or the database has it); units with
    error findings, of another year, repeated, or in a format that cannot be carried over exactly are
    left out (--all counts those with errors). Exit 0, 1 when a file or the totals have an error finding,
    2 when a file cannot be read or the 汇总表 cannot be written, 3 when a reader failed unexpectedly."""
    from core.checks import ERROR
    from core.numbers import json_number
    from core.region import UnitReport, region_totals
    from exports.summary_xlsx import SummaryExportError, write_summary_xlsx
    from reading.batch import BatchCheck, collect_files

    target: str | None = args.to
    if target is not None and Path(target).suffix.lower() != ".xlsx":
        context.err.write(f"无法写入「{target}」：汇总表只能保存为 .xlsx\n")
        return EXIT_UNREADABLE
    store = context.existing_store()
    with _crash_log("reading.batch") as crash_log:
        batch = BatchCheck(previous=_previous_in(store) if store is not None else None)
        for path, _name in collect_files(Path(s) for s in args.sources):
            batch.add(path, str(path))
    checks = batch.checks
    for unreadable in (c for c in checks if c.report is None):
        where = f"，详情已记录在 {crash_log}" if unreadable.crashed and crash_log else ""
        context.err.write(f"{unreadable.name}：无法读取：{unreadable.error}{where}\n")
    units = [UnitReport(c.report.agency, c.report, c.counts[0], c.name) for c in checks if c.report is not None]
    totals = region_totals(units, include_errors=args.all)
    reasons = {id(u): why for u, why in totals.excluded}
    notes = {id(u): note for u, note in totals.notes}
    readable = iter(units)
    entries = [(c, next(readable) if c.report is not None else None) for c in checks]
    status = EXIT_OK
    if args.json:
        rows: list[dict[str, object]] = []
        for c, unit in entries:
            if unit is None:
                rows.append({"file": c.name, "agency": None, "year": None, "template": None, "errors": None,
                             "included": False, "error": c.error})
                continue
            row: dict[str, object] = {
                "file": c.name, "agency": unit.report.agency, "year": unit.report.year,
                "template": unit.report.template_id, "errors": unit.errors, "included": id(unit) not in reasons,
            }
            if id(unit) in reasons:
                row["excluded_reason"] = reasons[id(unit)]
            if id(unit) in notes:
                row["note"] = notes[id(unit)]
            rows.append(row)
        result = {
            "template": totals.template.id,
            "year": totals.year,
            "totals": {cell: json_number(n) for cell, n in totals.totals.items()},
            "units": rows,
            "findings": [f.to_json() for f in totals.findings],
        }
        context.out.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_summary(entries, totals, reasons, notes, context.out)
    if target is not None:
        try:
            write_summary_xlsx(target, totals, unreadable=[(c.name, c.error) for c, u in entries if u is None])
        except SummaryExportError as exc:
            context.err.write(f"{exc}；原文件未改动\n")
            status = EXIT_UNREADABLE
        else:
            context.err.write(f"已导出汇总表：{target}\n")
    if any(c.crashed for c in checks):
        return EXIT_INTERNAL
    if status != EXIT_OK or any(c.report is None for c in checks):
        return EXIT_UNREADABLE
    if any(u.errors for u in units) or any(f.severity == ERROR for f in totals.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _print_summary(
    entries: list[tuple[FileCheck, UnitReport | None]],
    totals: RegionTotals,
    reasons: dict[int, str],
    notes: dict[int, str],
    out: TextIO,
) -> None:
    from core.checks import SEVERITY_LABELS
    from core.region import money_unit
    from core.template import templates

    names = {t.id: t.name for t in templates()}
    year = f"{totals.year} 年度" if totals.year is not None else "（没有可读的报告）"
    out.write(
        f"汇总 {year}（{totals.template.name}格式）：计入 {len(totals.included)} 个单位，"
        f"未计入 {len(totals.excluded)} 个，无法读取 {sum(1 for _, u in entries if u is None)} 个\n"
    )
    for c, unit in entries:
        if unit is None:
            out.write(f"  无法读取  {c.name}：{c.error}\n")
            continue
        report = unit.report
        template_name = names.get(report.template_id, report.template_id)
        where = f"{c.name}：{report.agency} {report.year} 年（{template_name}），错误 {unit.errors}"
        if id(unit) in reasons:
            out.write(f"  未计入    {where} — {reasons[id(unit)]}\n")
        else:
            out.write(f"  计入      {where}\n")
        if id(unit) in notes:
            out.write(f"            （{notes[id(unit)]}）\n")
    template = totals.template
    out.write("主要合计：\n")
    for cell_id in (*_KEY_TOTALS, *(c for c in totals.totals if c.startswith("s2."))):
        if cell_id in totals.totals:
            cell = template.cell(cell_id)
            whole_row = cell.section == "s3" and cell.col_id == "total"
            label = cell.row_label if whole_row else f"{cell.row_label}·{cell.col_label}"
            said = money_unit(cell) if cell.unit is None else None  # a header with its unit says it already
            out.write(f"  {label}：{_figure(totals.totals[cell_id])}{said or ''}\n")
    if not totals.findings:
        out.write("汇总数检查：未发现问题（三、四、二的全部合计见 --json 或 --to 汇总.xlsx）\n")
        return
    out.write(f"汇总数检查：{len(totals.findings)} 个问题\n")
    for f in totals.findings:
        out.write(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule} {f.message}\n")


def _figure(number: object) -> str:
    from decimal import Decimal

    if isinstance(number, Decimal):
        return format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")
    return str(number)


# --- the database --------------------------------------------------------------------------------


def import_files(args: argparse.Namespace, context: Context) -> int:
    """Store report files; a stored report of the same agency and year is replaced only with --replace
    (it goes to the recycle bin)."""
    from core.operations import ReportExists, store_report
    from core.reportfile import ReportFileError
    from reading.batch import ScanSummary, read_file

    store = context.store()
    status = EXIT_OK
    for name in args.files:
        try:
            with _PageProgress(context.err) as pages:
                result = read_file(Path(name), pages.report)
        except ReportFileError as exc:
            context.err.write(f"{name}：无法读取：{exc}\n")
            status = EXIT_UNREADABLE
            continue
        report = result.report
        try:
            stored = store_report(store, report, replace=args.replace)
        except ReportExists as exc:
            context.err.write(
                f"{name}：数据库中已有 {exc.agency} {exc.year} 年度报告（编号 {exc.report_id}），"
                f"未导入；如要替换，请加 --replace（原报告移入回收站）\n"
            )
            status = max(status, EXIT_FINDINGS)
            continue
        context.out.write(f"{name}：已导入 {report.agency} {report.year} 年度报告（编号 {stored.id}）\n")
        if result.scan is not None:
            _print_scan(ScanSummary.of(result.scan), report, context.out)
    return status


def list_reports(args: argparse.Namespace, context: Context) -> int:
    summaries = context.store().list_reports()
    if not summaries:
        context.out.write("数据库中还没有报告。\n")
        return EXIT_OK
    context.out.write("编号\t年度\t格式\t状态\t错误\t提示\t机关\n")
    for s in summaries:
        context.out.write(
            f"{s.id}\t{s.year}\t{s.template}\t{s.status_label}\t{s.errors}\t{s.warnings}\t{s.agency}\n"
        )
    return EXIT_OK


def new(args: argparse.Namespace, context: Context) -> int:
    """Create a report: blank for an agency and year, or next year's from a stored one (--from)."""
    from core.operations import ReportExists, create_next_year, create_report

    from_id: int | None = args.from_id
    agency: str | None = args.agency
    year: int | None = args.year
    if from_id is None and (not agency or year is None):
        context.err.write("请用 --agency 和 --year 指定机关和年度，或用 --from 指定上年报告编号\n")
        return EXIT_UNREADABLE
    store = context.store()
    try:
        if from_id is not None:
            report_id = create_next_year(store, from_id)
        else:
            assert agency and year is not None
            report_id = create_report(store, agency, year)
    except ReportExists as exc:
        context.err.write(f"数据库中已有 {exc.agency} {exc.year} 年度报告（编号 {exc.report_id}），未新建\n")
        return EXIT_FINDINGS
    report = store.load(report_id)
    context.out.write(
        f"已新建 {report.agency} {report.year} 年度报告（编号 {report_id}，{report.template.name}格式）\n"
    )
    return EXIT_OK


# --- export --------------------------------------------------------------------------------------


def _is_stored(source: str) -> bool:
    """A source named by a stored report's number (3 or #3) rather than a file."""
    return source.lstrip("#").isdigit() and not os.path.exists(source)


def load_source(source: str, context: Context) -> Report:
    """A report named on the command line: a file, or the number of a stored report."""
    if _is_stored(source):
        return context.store().load(int(source.lstrip("#")))
    from reading.formats import read_report

    return read_report(source)


def export(args: argparse.Namespace, context: Context) -> int:
    """Export a report file or a stored report in the format the target's suffix names. Blank cells print
    as --blanks says, else as the agency's profile says (a stored report), else as 0."""
    from core.errors import UserError
    from core.fileio import TargetRefused, os_reason
    from core.reportfile import ReportFileError
    from core.settings import load_settings, pdf_font_overrides
    from exports import WRITERS, ExportOptions, export_report

    source: str = args.source
    target: str = args.to
    path = Path(target)
    suffix = path.suffix.lower()
    err = context.err
    if suffix not in WRITERS:
        known = "、".join(sorted(WRITERS))
        err.write(f"无法导出为「{suffix or target}」：支持的格式为 {known}\n")
        return EXIT_UNREADABLE
    try:
        report = load_source(source, context)
    except ReportFileError as exc:
        err.write(f"{source}：无法读取：{exc}\n")
        return EXIT_UNREADABLE
    if not path.parent.exists():
        err.write(f"无法写入「{target}」：文件夹「{path.parent}」不存在\n")
        return EXIT_UNREADABLE
    blanks: str | None = args.blanks
    if blanks is None:
        profile = context.store().agency_profile(report.agency) if _is_stored(source) else None
        blanks = profile.zero_print if profile is not None else "zero"
    options = ExportOptions(blanks == "zero", args.draft, args.fragment, pdf_font_overrides(load_settings()))
    try:
        if suffix == ".pdf":  # the fonts are found once: for the PDF and for saying what they lack
            import dataclasses

            from exports.fonts import find_fonts

            options = dataclasses.replace(options, fonts=find_fonts(dict(options.font_overrides) or None))
        export_report(report, path, options)
    except TargetRefused as exc:
        err.write(f"无法写入「{target}」：{exc}；原文件未改动\n")
        return EXIT_UNREADABLE
    except UserError as exc:
        err.write(f"无法导出「{target}」：{exc}\n")
        return EXIT_UNREADABLE
    except OSError as exc:
        err.write(f"无法写入「{target}」：{os_reason(exc, writing=True)}；原文件未改动\n")
        return EXIT_UNREADABLE
    context.out.write(f"已导出：{target}\n")
    notice = options.fonts.notice() if options.fonts is not None else None
    if notice:  # what the PDF's fonts lack, on stderr (stdout keeps the one line scripts read)
        err.write(f"{notice}\n")
    return EXIT_OK


# --- fonts ---------------------------------------------------------------------------------------


def fonts(args: argparse.Namespace, context: Context) -> int:
    """Show the fonts PDF export will embed; change the mapping kept in settings.json."""
    from core.settings import load_settings, pdf_font_overrides, save_settings, settings_path
    from exports.fonts import ALL_ROLES, find_fonts

    setting: list[str] | None = args.set
    settings = load_settings()
    overrides = {} if args.reset else pdf_font_overrides(settings)
    if setting:
        role, path = setting
        if role not in ALL_ROLES:
            context.err.write(f"未知的字体用途「{role}」，应为 {'、'.join(ALL_ROLES)} 之一\n")
            return EXIT_UNREADABLE
        overrides[role] = str(Path(path).resolve())
    fontset = find_fonts(overrides or None)  # a bad choice raises FontError before it is saved
    if setting or args.reset:
        settings["pdf_fonts"] = overrides
        save_settings(settings)
        context.out.write(f"已保存到 {settings_path()}\n")
    context.out.write(fontset.describe() + "\n")
    notice = fontset.notice()
    if notice:
        context.out.write(f"\n{notice}\n")
    return EXIT_OK


# --- backups ---------------------------------------------------------------------------------------


def backup_now(args: argparse.Namespace, context: Context) -> int:
    """Make a backup of the database now and say where it is."""
    store = context.store()
    made = store.made_at_open or store.backup("manual")  # opening it may just have made one
    count = f"{made.reports} 份报告" if made.reports is not None else "报告数未知"
    context.out.write(f"已备份到 {made.path}（{count}，{made.size_text}）\n")
    return EXIT_OK


def restore(args: argparse.Namespace, context: Context) -> int:
    """List the backups (--list), restore one (a number from the list, or a file; the newest whole one
    when none is named), or keep a database whose last saves were lost as it is (--keep-current)."""
    from core import backup
    from core.storage import DatabaseDamaged, Store

    path = context.db_path
    backups = backup.list_backups(path)
    if args.list:
        if not backups:
            context.out.write(f"还没有备份（备份文件夹：{backup.backups_dir(path)}）\n")
            return EXIT_OK
        context.out.write("编号\t时间\t原因\t大小\t报告数\t文件\n")
        for number, info in enumerate(backups, 1):
            reports = str(info.reports) if info.reports is not None else "无法读取"
            context.out.write(
                f"{number}\t{info.taken:%Y-%m-%d %H:%M:%S}\t{info.reason_label}\t{info.size_text}\t{reports}\t"
                f"{info.path}\n"
            )
        return EXIT_OK
    if args.keep_current:
        if args.backup:
            context.err.write("--keep-current 与要恢复的备份不能同时指定\n")
            return EXIT_UNREADABLE
        try:
            Store(path, accept_loss=True).close()
        except DatabaseDamaged as exc:
            context.err.write(f"{exc} 损坏的数据库不能继续使用，请用 {PROG} restore 从备份恢复。\n")
            return EXIT_UNREADABLE
        context.out.write(f"继续使用现有的数据库「{path}」；丢失的保存无法找回。\n")
        return EXIT_OK
    chosen = _chosen_backup(args.backup, backups, path)
    if chosen is None:
        context.err.write(f"没有可用的备份（备份文件夹：{backup.backups_dir(path)}），数据库没有改动\n")
        return EXIT_UNREADABLE
    result = backup.restore_backup(path, chosen)
    context.out.write(f"已用 {result.backup.describe()}恢复数据库「{path}」，其中有 {result.reports} 份报告。\n")
    if result.kept_aside is not None:
        context.out.write(f"原来的数据库移到了「{result.kept_aside}」")
        if result.safety_backup is not None:
            context.out.write(f"，恢复前另作了备份「{result.safety_backup.path.name}」")
        context.out.write("。\n")
    return EXIT_OK


def _chosen_backup(name: str | None, backups: list[BackupInfo], path: Path) -> Path | None:
    """The backup named on the command line (its number in `restore --list`, or a file), else the
    newest one that passes the check."""
    from core import backup
    from core.backup import BackupError

    if name is None:
        good = backup.newest_good_backup(path)
        return good.path if good is not None else None
    if name.isdigit() and not os.path.exists(name):
        number = int(name)
        if not 1 <= number <= len(backups):
            raise BackupError(f"没有编号为 {number} 的备份（用 {PROG} restore --list 查看）")
        return backups[number - 1].path
    if not os.path.isfile(name):
        raise BackupError(f"找不到备份文件「{name}」")
    return Path(name)
