"""The import preview: a file read off the UI thread, shown with its checks and import log before it is stored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.checks import ERROR, SEVERITY_LABELS, WARNING, Finding, counts, validate
from core.errors import UserError
from core.numbers import Number, format_number
from core.operations import ReportExists, store_report
from core.report import STATUS_LABELS, Report, cell_label
from core.storage import Store
from core.template import CellDef
from exports import FORMAT_NAMES
from exports.layout import cell_text
from reading.batch import may_be_scan
from reading.document import ImportResult, ReadCancelled
from reading.formats import read_with_log
from reading.legacy_word import LEGACY_NAMES
from reading.scan import SCAN_SUFFIXES
from ui.tasks import BackgroundTask, TaskContext

MISMATCH_COLOR = QColor("#fde2e2")
COMPUTED_COLOR = QColor("#eef1f5")
ERROR_COLOR = QColor("#fde2e2")
WARNING_COLOR = QColor("#fff6d6")
_Index = QModelIndex | QPersistentModelIndex

# The dialog's states, in the order they happen.
READING, READY, FAILED, IMPORTED = "reading", "ready", "failed", "imported"


def file_type_name(path: Path) -> str:
    """What kind of file it is, as a clerk would say it (Word 文档, PDF 文档, 网页, 报告文件, 扫描图片)."""
    if path.is_dir():
        return "文件夹（扫描图片）"
    suffix = path.suffix.lower()
    if suffix in SCAN_SUFFIXES:
        return "扫描图片"
    return FORMAT_NAMES.get(suffix) or LEGACY_NAMES.get(suffix) or path.suffix or "未知"


# --- the numbers as read, for the two small tables -------------------------------------------------


@dataclass(frozen=True)
class ShownCell:
    """One cell of a read-only preview table: its text, an explanation and how it is tinted."""

    text: str
    tooltip: str = ""
    tone: str = ""  # "", "computed" (not printed, derived) or "mismatch" (printed ≠ derived)


def printed_vs_computed(report: Report, cell: CellDef, totals: dict[str, Number]) -> ShownCell:
    """A computed cell as the file printed it, compared with the sum of its parts (from core)."""
    computed = format_number(totals[cell.id], cell.kind)
    printed = report.printed.get(cell.id)
    if printed is None:
        return ShownCell(computed, f"文件没有印出这个合计；按各项计算为 {computed}", "computed")
    if printed.error is not None:
        why = f"文件印出「{printed.text}」，不是数字；按各项计算为 {computed}"
        return ShownCell(printed.text or "", why, "mismatch")
    shown = printed.text or ""
    printed_words = f"文件印出 {shown}" if shown else "文件印出空白"
    if printed.value_or_zero != totals[cell.id]:
        return ShownCell(shown, f"{printed_words}，按各项计算为 {computed}", "mismatch")
    return ShownCell(shown, f"{printed_words}，与按各项计算一致")


def s3_main_table(report: Report) -> tuple[list[str], list[list[ShownCell]]]:
    """Section 三's main rows (every row that is not a single outcome) across all columns."""
    template = report.template
    s3 = template.s3
    totals = report.totals()
    headers = ["", *(c.label for c in s3.columns)]
    rows: list[list[ShownCell]] = []
    for row in s3.rows:
        if row.role == "outcome":
            continue
        line = [ShownCell(row.short, row.label)]
        for col in s3.columns:
            cell = template.cell(f"s3.{row.id}.{col.id}")
            if cell.computed:
                line.append(printed_vs_computed(report, cell, totals))
            else:
                line.append(ShownCell(cell_text(report, cell, totals, blank_as_zero=False), cell.place))
        rows.append(line)
    return headers, rows


TOTALS_HEADERS = ["合计单元格", "文件印出", "按各项计算", "核对"]


def printed_totals_table(report: Report) -> list[list[ShownCell]]:
    """Every total the file printed, next to what its parts add up to; disagreements first."""
    template = report.template
    totals = report.totals()
    rows: list[list[ShownCell]] = []
    for cell in template.computed_cells:
        if cell.id not in report.printed:
            continue
        shown = printed_vs_computed(report, cell, totals)
        computed = format_number(totals[cell.id], cell.kind)
        verdict = "不一致" if shown.tone == "mismatch" else "一致"
        label = cell_label(cell, template)
        rows.append([
            ShownCell(label, label),
            ShownCell(shown.text or "（空白）", shown.tooltip, shown.tone),
            ShownCell(computed),
            ShownCell(verdict, shown.tooltip, shown.tone),
        ])
    return sorted(rows, key=lambda r: r[3].tone != "mismatch")


class PreviewTableModel(QAbstractTableModel):
    """A small read-only table of what was read (one instance per table shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[ShownCell]] = []

    def set_table(self, headers: list[str], rows: list[list[ShownCell]]) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._rows = [list(r) for r in rows]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if not 0 <= index.column() < len(row):
            return None
        cell = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tooltip or None
        if role == Qt.ItemDataRole.BackgroundRole:
            return {"mismatch": MISMATCH_COLOR, "computed": COMPUTED_COLOR}.get(cell.tone)
        if role == Qt.ItemDataRole.FontRole and cell.tone == "computed":
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _table_view(name: str, model: PreviewTableModel, *, fit_rows: bool = False) -> QTableView:
    """A compact read-only view; with `fit_rows` it is as tall as its rows (no scrolling)."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if fit_rows:
        view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return view


def fill_findings(widget: QListWidget, findings: list[Finding]) -> None:
    """Findings under a heading per severity (errors first), each message in full."""
    widget.clear()
    for severity in (ERROR, WARNING):
        found = [f for f in findings if f.severity == severity]
        heading = QListWidgetItem(f"{SEVERITY_LABELS[severity]}（{len(found)}）")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
        widget.addItem(heading)
        for finding in found:
            item = QListWidgetItem(finding.message)
            item.setToolTip(f"{finding.message}\n（规则 {finding.rule}）")
            item.setData(Qt.ItemDataRole.UserRole, finding)
            item.setBackground(ERROR_COLOR if severity == ERROR else WARNING_COLOR)
            widget.addItem(item)


def fill_log(widget: QListWidget, log: list[str], empty: str = "读取时没有不确定之处。") -> None:
    widget.clear()
    for line in log:
        item = QListWidgetItem(line)
        item.setToolTip(line)
        widget.addItem(item)
    if not log:
        item = QListWidgetItem(empty)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setForeground(QColor("#666666"))
        widget.addItem(item)


# --- the dialog ----------------------------------------------------------------------------------


class ImportPreviewDialog(QDialog):
    """Reads one file in a worker and shows what was read, its checks and the import log; stores it
    only on 导入. A stored report of the same agency and year is replaced only when the user chooses
    替换 (it goes to the recycle bin); a file that cannot be read gives its one-line reason."""

    readFinished = Signal()  # the file was read (or could not be): the dialog shows the outcome
    imported = Signal(int, int)  # new report id, id moved to the recycle bin (0 when none)
    nextYearRequested = Signal(int)  # the imported report's id: ask for next year's report from it
    openRequested = Signal(int)

    def __init__(self, store: Store, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.path = Path(path)
        self.state = READING
        self.read_result: ImportResult | None = None
        self.findings: list[Finding] = []
        self.error = ""
        self.existing_id: int | None = None
        self.report_id: int | None = None
        self._task: BackgroundTask | None = None
        self.scan_view: QWidget | None = None  # 扫描件核对, when the file is a scan
        self.setObjectName("import_preview")
        self.setWindowTitle(f"导入报告 — {self.path.name}")
        self.resize(900, 640)

        self.file_label = QLabel(self.path.name)
        self.file_label.setObjectName("file_name")
        self.file_label.setToolTip(str(self.path))
        font = self.file_label.font()
        font.setBold(True)
        self.file_label.setFont(font)

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, label in (
            ("agency", "机关"), ("year", "年度"), ("template", "报告格式"), ("file_type", "文件类型"),
            ("title", "标题"), ("counts", "检查"),
        ):
            value = QLabel("")
            value.setObjectName(name)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self.fields[name] = value
        self.fields["file_type"].setText(file_type_name(self.path))

        self.conflict_label = QLabel("")
        self.conflict_label.setObjectName("conflict")
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setStyleSheet("background: #fff6d6; padding: 6px;")
        self.conflict_label.setVisible(False)

        self.s3_model = PreviewTableModel(self)
        self.s3_view = _table_view("s3_numbers", self.s3_model, fit_rows=True)
        self.totals_model = PreviewTableModel(self)
        self.totals_view = _table_view("printed_totals", self.totals_model)
        self.totals_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.no_totals_label = QLabel("文件没有印出合计数字；合计按各项计算。")
        self.no_totals_label.setObjectName("no_printed_totals")
        self.no_totals_label.setVisible(False)
        numbers = QWidget()
        numbers_layout = QVBoxLayout(numbers)
        numbers_layout.addWidget(QLabel("三、收到和处理政府信息公开申请情况（主要行；斜体为文件未印出、按各项计算的合计）"))
        numbers_layout.addWidget(self.s3_view)
        numbers_layout.addWidget(QLabel("合计：文件印出的数字与按各项计算的结果（不一致的排在前面）"))
        numbers_layout.addWidget(self.totals_view, 1)
        numbers_layout.addWidget(self.no_totals_label)

        self.findings_list = QListWidget()
        self.findings_list.setObjectName("findings")
        self.findings_list.setWordWrap(True)
        self.log_list = QListWidget()
        self.log_list.setObjectName("import_log")
        self.log_list.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("preview_tabs")
        self.tabs.addTab(numbers, "数字")
        self.tabs.addTab(self.findings_list, "检查结果")
        self.tabs.addTab(self.log_list, "导入记录")
        self.tabs.setEnabled(False)

        self.progress = QProgressBar()
        self.progress.setObjectName("read_progress")
        self.progress.setRange(0, 0)  # busy: a reader does not say how far it is
        self.status_label = QLabel(f"正在读取「{self.path.name}」…")
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)

        self.import_button = QPushButton("导入")
        self.import_button.setObjectName("import")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.import_report)
        self.next_year_button = QPushButton("从此报告创建下一年度报告…")
        self.next_year_button.setObjectName("next_year")
        self.next_year_button.setVisible(False)
        self.next_year_button.clicked.connect(self.request_next_year)
        self.open_button = QPushButton("打开报告")
        self.open_button.setObjectName("open_report")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self._open_imported)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.next_year_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addLayout(form)
        layout.addWidget(self.conflict_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self._start_reading()

    # --- reading -----------------------------------------------------------------------------

    def _start_reading(self) -> None:
        path = self.path
        scan = may_be_scan(path)

        def read(context: TaskContext) -> ImportResult | None:
            def progress(done: int, total: int, text: str) -> None:
                if context.cancelled:  # 取消: the reader stops at its next page
                    raise ReadCancelled
                context.progress(round(done * 100 / total) if total > 0 else -1, text)

            # read_with_log is looked up when the worker runs, so tests can substitute a slow reader.
            try:
                return read_with_log(path, progress=progress) if scan else read_with_log(path)
            except ReadCancelled:
                return None  # the dialog let go of the task: nothing is shown or stored

        task = BackgroundTask(read, self, progress_label=None)
        task.succeeded.connect(self._on_read)
        task.failed.connect(self._on_failed)
        task.progressed.connect(self._on_progress)
        self._task = task
        task.start()

    def _on_progress(self, percent: int, text: str) -> None:
        """A scan's pages: the bar fills once the reader knows how many pages there are."""
        if self.state != READING:
            return
        if percent >= 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(percent)
        if text:
            shown = text if text.endswith("…") else f"{text}…"
            self.status_label.setText(f"{shown}（可点「取消」停止）")

    def _on_read(self, payload: object) -> None:
        self._task = None
        if not isinstance(payload, ImportResult):
            self._on_failed("读取结果无法识别")
            return
        self.read_result = payload
        report = payload.report
        try:
            previous = self.store.previous_report(report.agency, report.year)
            self.findings = validate(report, previous)
            self.existing_id = self.store.find(report.agency, report.year)
        except UserError as exc:
            self._on_failed(str(exc))
            return
        template = report.template
        self.fields["agency"].setText(report.agency)
        self.fields["year"].setText(str(report.year))
        self.fields["template"].setText(f"{template.name}（{template.document}）")
        self.fields["title"].setText(report.title or report.default_title())
        errors, warnings = counts(self.findings)
        self.fields["counts"].setText(f"{errors} 个错误，{warnings} 个提示" if self.findings else "没有发现问题")
        if errors:
            self.fields["counts"].setStyleSheet("color: #c00000;")
        headers, rows = s3_main_table(report)
        self.s3_model.set_table(headers, rows)
        totals = printed_totals_table(report)
        self.totals_model.set_table(TOTALS_HEADERS, totals)
        self.totals_view.setVisible(bool(totals))
        self.no_totals_label.setVisible(not totals)
        fill_findings(self.findings_list, self.findings)
        fill_log(self.log_list, payload.log)
        self.tabs.setTabText(self.tabs.indexOf(self.findings_list), f"检查结果（错误 {errors} · 提示 {warnings}）")
        self.tabs.setTabText(self.tabs.indexOf(self.log_list), f"导入记录（{len(payload.log)}）")
        if payload.scan is not None:
            self._show_scan(payload)
        self.tabs.setEnabled(True)
        self.progress.setVisible(False)
        self.state = READY
        self._show_conflict()
        self.import_button.setEnabled(True)
        # A scan with uncertain cells is imported by a click on 已核对，导入, never by a stray Enter.
        self.import_button.setAutoDefault(not self.scan_to_check)
        self.import_button.setDefault(not self.scan_to_check)
        self.readFinished.emit()

    def _show_scan(self, result: ImportResult) -> None:
        """A scan: 扫描件核对 first and selected, the page beside the cells read (see ui/scan_view.py)."""
        from ui.scan_view import ScanView

        assert result.scan is not None
        self.scan_view = ScanView(result.scan, result.report.template)
        doubtful = len(result.scan.uncertain)
        title = f"扫描件核对（{doubtful} 个把握不大）" if doubtful else "扫描件核对"
        self.tabs.insertTab(0, self.scan_view, title)
        self.tabs.setCurrentIndex(0)
        screen = self.screen().availableGeometry()
        self.resize(min(max(self.width(), 1280), screen.width()), min(max(self.height(), 820), screen.height()))

    @property
    def scan_to_check(self) -> bool:
        """A scan with cells read below the threshold: the clerk says they compared them (已核对)."""
        scan = self.read_result.scan if self.read_result is not None else None
        return scan is not None and bool(scan.uncertain)

    def _show_conflict(self) -> None:
        assert self.read_result is not None
        report = self.read_result.report
        checked = "已核对，" if self.scan_to_check else ""
        if self.existing_id is None:
            self.conflict_label.setVisible(False)
            self.import_button.setText(f"{checked}导入")
            if checked:
                self.status_label.setText("这是扫描件：请对照纸质件核对标红的单元格，无误后点击「已核对，导入」存入数据库。")
            elif self.read_result.scan is not None:
                self.status_label.setText("这是扫描件：请对照纸质件核对读到的数字，无误后点击「导入」存入数据库。")
            else:
                self.status_label.setText("请核对读到的内容；点击「导入」存入数据库。")
            return
        try:
            status = STATUS_LABELS.get(self.store.status(self.existing_id), "")
        except UserError:
            status = ""
        self.conflict_label.setText(
            f"数据库中已有「{report.agency}」{report.year} 年度报告{f'（{status}）' if status else ''}。"
            "替换：导入的报告取代它，原报告移入回收站，可以恢复。取消：不导入，数据库不变。"
        )
        self.conflict_label.setVisible(True)
        self.import_button.setText(f"{checked}替换（原报告移入回收站）")
        self.status_label.setText("同一机关同一年度只能有一份报告：请选择替换或取消。")

    def _on_failed(self, message: str) -> None:
        self._task = None
        self.state = FAILED
        self.error = message
        self.progress.setVisible(False)
        self.status_label.setText(f"无法读取「{self.path.name}」：{message}")
        self.status_label.setStyleSheet("color: #c00000;")
        self.import_button.setEnabled(False)
        self.cancel_button.setText("关闭")
        self.readFinished.emit()

    # --- storing -----------------------------------------------------------------------------

    def import_report(self) -> int | None:
        """Store the report read; a stored one of the same agency and year goes to the recycle bin
        (only when the dialog showed it, so nothing is replaced unseen)."""
        if self.state != READY or self.read_result is None:
            return None
        report = self.read_result.report
        replace = self.existing_id is not None
        try:
            stored = store_report(self.store, report, replace=replace, replacing=self.existing_id)
        except ReportExists as exc:  # another report came in since the preview was shown
            self.existing_id = exc.report_id
            self._show_conflict()
            return None
        except UserError as exc:
            self.status_label.setText(f"没有导入：{exc}")
            self.status_label.setStyleSheet("color: #c00000;")
            return None
        report_id, existing = stored.id, stored.replaced_id
        self.report_id = report_id
        self.state = IMPORTED
        replaced = "（原报告已移入回收站）" if existing is not None else ""
        self.status_label.setText(f"已导入「{report.agency}」{report.year} 年度报告{replaced}。")
        self.status_label.setStyleSheet("")
        self.conflict_label.setVisible(False)
        self.import_button.setVisible(False)
        self.cancel_button.setText("关闭")
        self.cancel_button.setDefault(True)
        self.open_button.setVisible(True)
        self.next_year_button.setVisible(True)
        self.next_year_button.setToolTip(
            f"用这份报告创建{report.year + 1} 年度报告：「上年结转」取本报告的「结转下年度继续办理」。"
        )
        self.imported.emit(report_id, existing or 0)
        return report_id

    def request_next_year(self) -> None:
        """Hand over to the one dialog that asks for next year's report (year, what is carried over)."""
        if self.report_id is None:
            return
        self.nextYearRequested.emit(self.report_id)
        self.accept()

    def _open_imported(self) -> None:
        if self.report_id is not None:
            self.openRequested.emit(self.report_id)
            self.accept()

    def reject(self) -> None:
        if self._task is not None:  # still reading: stop waiting, the result is dropped
            self._task.abandon()
            self._task = None
        super().reject()
