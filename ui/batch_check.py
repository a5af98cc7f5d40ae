"""文件检查 for a reviewing office: the window. Many report files read and checked in a worker (the
reading and checking is reading/batch.py), a results table, and the table exported as XLSX or CSV."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QThreadPool,
    QUrl,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QColor, QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.errors import UserError
from exports.table import Sheet
from exports.table import write_table as write_sheets
from reading.batch import (
    COLUMNS,
    DETAIL_HEADERS,
    DETAIL_SHEET,
    DETAIL_WIDTHS,
    SUMMARY_HEADERS,
    SUMMARY_SHEET,
    SUMMARY_WIDTHS,
    UNREADABLE,
    BatchCheck,
    FileCheck,
    collect_files,
    detail_rows,
    summary_rows,
)
from reading.document import Progress, ReadCancelled
from reading.formats import READABLE_SUFFIXES
from reading.scan import SCAN_SUFFIXES
from ui.import_preview import file_type_name, fill_findings, fill_log
from ui.printing import default_export_folder, export_error_message, remember_export_folder
from ui.tasks import BackgroundTask, StoppableWorker
from ui.widgets import push_button

log = logging.getLogger(__name__)

# The table's columns: reading.batch's (also those of the exported table) with the file type after
# the file's name, so that the Word, PDF and web page of one report can be told apart.
TABLE_COLUMNS: tuple[str, ...] = (COLUMNS[0], "类型", *COLUMNS[1:])
FILE, FILE_TYPE, AGENCY, YEAR, TEMPLATE, ERRORS, WARNINGS, STATUS = range(len(TABLE_COLUMNS))
SortRole = Qt.ItemDataRole.UserRole + 1
ERROR_COLOR = QColor("#c00000")
_Index = QModelIndex | QPersistentModelIndex
_TEXT_SUFFIXES = tuple(s for s in READABLE_SUFFIXES if s not in SCAN_SUFFIXES)  # files that are not scanned pages
_FILE_FILTER = "报告文件和扫描件 ({});;所有文件 (*)".format(
    " ".join(f"*{s}" for s in (*_TEXT_SUFFIXES, *SCAN_SUFFIXES))
)
_TABLE_FILTERS = {".xlsx": "Excel 工作簿 (*.xlsx)", ".csv": "CSV 文件，UTF-8 (*.csv)"}


# --- the table as a file ---------------------------------------------------------------------------


class TableExportError(UserError):
    """The table could not be written; str() says why, in Chinese."""


def table_sheets(checks: Sequence[FileCheck]) -> list[Sheet]:
    """汇总 (one row per file) and 明细 (one row per finding)."""
    return [
        Sheet(SUMMARY_SHEET, SUMMARY_HEADERS, summary_rows(checks), SUMMARY_WIDTHS),
        Sheet(DETAIL_SHEET, DETAIL_HEADERS, detail_rows(checks), DETAIL_WIDTHS),
    ]


def write_table(checks: Sequence[FileCheck], path: Path) -> Path:
    """Write the table as XLSX (汇总 and 明细) or CSV (汇总), by suffix, atomically."""
    try:
        return write_sheets(path, table_sheets(checks))
    except OSError as exc:
        raise TableExportError(export_error_message(exc, path)) from None


# --- the worker -----------------------------------------------------------------------------------


class _BatchRelay(QObject):
    """Carries the worker's news to the UI thread; no parent, so it outlives a closed window."""

    planned = Signal(int)  # how many files will be checked
    checked = Signal(object)  # a FileCheck (new row)
    rechecked = Signal(object)  # a FileCheck of an earlier row, checked again with last year's report
    progressed = Signal(int, int, str)  # done, total, file name
    paged = Signal(str, int, int)  # a scan being recognised: file name, pages done, pages in all
    finished = Signal(bool)  # cancelled


class _BatchRunnable(StoppableWorker):
    def __init__(
        self, sources: list[Path], earlier: list[FileCheck], stop: threading.Event, relay: _BatchRelay
    ) -> None:
        super().__init__(stop, relay.finished, "batch check")
        self._sources = sources
        self._earlier = earlier
        self._relay = relay

    def work(self) -> None:
        skip = {c.path.resolve() for c in self._earlier}
        files = collect_files(self._sources, skip, self._stop.is_set)
        self._relay.planned.emit(len(files))
        batch = BatchCheck(self._earlier)
        for done, (path, name) in enumerate(files):
            if self._stop.is_set():  # stops between files: the current one is always finished
                return
            self._relay.progressed.emit(done, len(files), name)
            try:
                check, again = batch.add(path, name, self._pages(name))
            except ReadCancelled:  # 取消 while a scan was being recognised: it stops at the next page
                return
            self._relay.checked.emit(check)
            for earlier in again:  # a file checked earlier is next year's report of this one
                self._relay.rechecked.emit(earlier)
        self._relay.progressed.emit(len(files), len(files), "")

    def _pages(self, name: str) -> Progress:
        def progress(done: int, total: int, _text: str) -> None:
            if self._stop.is_set():
                raise ReadCancelled
            self._relay.paged.emit(name, done, total)

        return progress


# --- the table ------------------------------------------------------------------------------------


class BatchTableModel(QAbstractTableModel):
    """One row per checked file: 文件, 类型, 机关, 年度, 格式, 错误, 提示, 状态."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FileCheck] = []

    @property
    def checks(self) -> list[FileCheck]:
        return list(self._rows)

    def check(self, row: int) -> FileCheck:
        return self._rows[row]

    def add(self, check: FileCheck) -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(check)
        self.endInsertRows()

    def update(self, check: FileCheck) -> None:
        for row, old in enumerate(self._rows):
            if old.path == check.path:
                self._rows[row] = check
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(TABLE_COLUMNS) - 1))
                return

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TABLE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TABLE_COLUMNS[section] if 0 <= section < len(TABLE_COLUMNS) else None
        return None

    @staticmethod
    def _value(check: FileCheck, column: int) -> str | int:
        if column == FILE_TYPE:
            return file_type_name(check.path)
        return check.cells()[column if column < FILE_TYPE else column - 1]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        check = self._rows[index.row()]
        column = index.column()
        value = self._value(check, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value)
        if role == SortRole:
            if column in (YEAR, ERRORS, WARNINGS):  # numbers sort as numbers; an unreadable file last
                return int(value) if str(value).lstrip("-").isdigit() else -1
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == FILE:
                return str(check.path)
            if column == TEMPLATE and check.report is not None:
                return check.report.template.document
            return str(value) or None
        if role == Qt.ItemDataRole.ForegroundRole and (
            (column == ERRORS and isinstance(value, int) and value > 0) or (column == STATUS and not check.readable)
        ):
            return ERROR_COLOR
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (YEAR, ERRORS, WARNINGS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class _MiddleElidedDelegate(QStyledItemDelegate):
    """A cell whose text, when too long, keeps its beginning and end and drops the middle."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def dropped_paths(mime: QMimeData) -> list[Path]:
    """Local files and folders carried by a drag."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class BatchCheckWindow(QWidget):
    """文件检查: add files or folders (or drop them here), see every file's agency, year, template and
    counts, the findings and import log of the selected one, and export the table."""

    batchFinished = Signal(bool)  # cancelled
    exported = Signal(str)  # the path written
    importRequested = Signal(str)  # the user asked to import the selected file

    def __init__(self, parent: QWidget | None = None, *, can_import: bool = False) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("batch_check")
        self.setWindowTitle("文件检查")
        self.resize(1100, 720)
        self.setAcceptDrops(True)
        self._stop: threading.Event | None = None
        self._pending: list[Path] = []
        self._total = 0
        self._done = 0
        self._current = (0, 0)  # the file being read: files done before it, files in the batch
        self._export_task: BackgroundTask | None = None
        self.last_export: Path | None = None

        self.model = BatchTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.proxy.setSortLocaleAware(True)
        self.table = QTableView()
        self.table.setObjectName("batch_table")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the order files were checked, until a click
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in (
            (FILE, 260), (FILE_TYPE, 90), (AGENCY, 220), (YEAR, 60), (TEMPLATE, 100), (ERRORS, 50), (WARNINGS, 50)
        ):
            self.table.setColumnWidth(column, width)
        # Files of one report differ at the end of their names (…年度报告.docx / .pdf): keep both ends.
        self.table.setItemDelegateForColumn(FILE, _MiddleElidedDelegate(self.table))
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

        self.findings_list = QListWidget()
        self.findings_list.setObjectName("batch_findings")
        self.findings_list.setWordWrap(True)
        self.log_list = QListWidget()
        self.log_list.setObjectName("batch_log")
        self.log_list.setWordWrap(True)
        self.detail_label = QLabel("选择一行查看该文件的检查结果和导入记录。")
        self.detail_label.setObjectName("batch_detail")
        self.detail_label.setWordWrap(True)
        findings_box = QWidget()
        findings_layout = QVBoxLayout(findings_box)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        findings_layout.addWidget(QLabel("检查结果"))
        findings_layout.addWidget(self.findings_list)
        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(QLabel("导入记录"))
        log_layout.addWidget(self.log_list)
        details = QSplitter(Qt.Orientation.Horizontal)
        details.addWidget(findings_box)
        details.addWidget(log_box)
        details.setStretchFactor(0, 3)
        details.setStretchFactor(1, 2)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.detail_label)
        bottom_layout.addWidget(details, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        button = push_button
        self.add_files_button = button("add_files", "添加文件…", self.choose_files, "选择要检查的报告文件（可多选）")
        self.add_folder_button = button(
            "add_folder", "添加文件夹…", self.choose_folder, "检查一个文件夹（含子文件夹）中的全部报告文件"
        )
        self.cancel_button = button("cancel_check", "取消", self.cancel, "当前文件检查完后停止")
        self.cancel_button.setVisible(False)
        self.clear_button = button("clear", "清空列表", self.clear)
        self.import_button = button("import_selected", "导入所选文件…", self._import_selected, "预览并导入所选的报告")
        self.import_button.setVisible(can_import)
        self.export_button = button("export_table", "导出表格…", self.choose_export, "把表格导出为 Excel（XLSX）或 CSV")
        self.open_folder_button = button(
            "open_folder", "打开文件夹", self.open_export_folder, "打开导出表格所在的文件夹"
        )
        self.open_folder_button.setEnabled(False)
        top = QHBoxLayout()
        for b in (self.add_files_button, self.add_folder_button, self.cancel_button, self.clear_button):
            top.addWidget(b)
        top.addStretch(1)
        for b in (self.import_button, self.export_button, self.open_folder_button):
            top.addWidget(b)

        self.progress = QProgressBar()
        self.progress.setObjectName("batch_progress")
        self.progress.setVisible(False)
        self.status_label = QLabel(
            f"添加报告文件或文件夹（也可以拖到这里）开始检查。可检查：{'、'.join(_TEXT_SUFFIXES)}；"
            f"扫描件：{'、'.join(SCAN_SUFFIXES)} 图片和只有图像的 PDF。"
        )
        self.status_label.setObjectName("batch_status")
        self.status_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        self._update_buttons()

    # --- state ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._stop is not None

    @property
    def checks(self) -> list[FileCheck]:
        return self.model.checks

    def selected_check(self) -> FileCheck | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.check(self.proxy.mapToSource(rows[0]).row()) if rows else None

    def _update_buttons(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.export_button.setEnabled(has_rows and not self.running and self._export_task is None)
        self.clear_button.setEnabled(has_rows and not self.running)
        selected = self.selected_check()
        self.import_button.setEnabled(selected is not None and selected.readable)

    # --- adding files --------------------------------------------------------------------------

    def choose_files(self) -> None:
        folder = str(default_export_folder())
        paths, _ = QFileDialog.getOpenFileNames(self, "选择要检查的报告文件", folder, _FILE_FILTER)
        if paths:
            self.add_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择要检查的文件夹", str(default_export_folder()))
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Check these files and folders; while a batch runs they wait their turn."""
        if not paths:
            return
        if self.running:
            self._pending.extend(paths)
            self.status_label.setText(f"正在检查；新添加的 {len(paths)} 项将在本批完成后检查。")
            return
        self._start(list(paths))

    def _start(self, sources: list[Path]) -> None:
        self._stop = threading.Event()
        self._total = 0
        self._done = 0
        relay = _BatchRelay()
        queued = Qt.ConnectionType.QueuedConnection
        relay.planned.connect(self._on_planned, queued)
        relay.checked.connect(self._on_checked, queued)
        relay.rechecked.connect(self._on_rechecked, queued)
        relay.progressed.connect(self._on_progress, queued)
        relay.paged.connect(self._on_paged, queued)
        relay.finished.connect(self._on_finished, queued)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status_label.setText("正在查找报告文件…")
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self._update_buttons()
        QThreadPool.globalInstance().start(_BatchRunnable(sources, self.model.checks, self._stop, relay))

    def cancel(self) -> None:
        """Stop after the file being read; what was checked stays in the table."""
        if self._stop is not None:
            self._stop.set()
            self._pending.clear()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("正在取消：当前文件检查完后停止（扫描件识别完当前页即停止）…")

    def clear(self) -> None:
        if self.running:
            return
        self.model.clear()
        self.findings_list.clear()
        self.log_list.clear()
        self.detail_label.setText("选择一行查看该文件的检查结果和导入记录。")
        self.status_label.setText("列表已清空。")
        self._update_buttons()

    # --- worker news ---------------------------------------------------------------------------

    def _on_planned(self, total: int) -> None:
        self._total = total
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        if not total:
            self.status_label.setText("没有找到新的报告文件。")

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.progress.setValue(done)
        self._current = (done, total)
        if name and not (self._stop is not None and self._stop.is_set()):
            self.status_label.setText(f"正在检查 {done + 1}/{total}：{name}")

    def _on_paged(self, name: str, done: int, pages: int) -> None:
        """A scan's pages, in the status line: 正在检查 3/10：name — 识别中 2/6 页."""
        if self._stop is None or self._stop.is_set() or pages <= 0:
            return
        file_done, total = self._current
        page = min(done + 1, pages)
        self.status_label.setText(f"正在检查 {file_done + 1}/{total}：{name} — 识别中 {page}/{pages} 页")

    def _on_checked(self, check: object) -> None:
        if not isinstance(check, FileCheck):
            return
        self._done += 1
        self.model.add(check)
        if self.model.rowCount() == 1:
            self.table.selectRow(0)
        self._update_buttons()

    def _on_rechecked(self, check: object) -> None:
        if isinstance(check, FileCheck):
            self.model.update(check)
            selected = self.selected_check()
            if selected is not None and selected.path == check.path:
                self._show_selected()

    def _on_finished(self, cancelled: bool) -> None:
        self._stop = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        checks = self.model.checks
        unreadable = sum(not c.readable for c in checks)
        with_errors = sum(c.readable and c.counts[0] > 0 for c in checks)
        summary = f"共 {len(checks)} 个文件：{with_errors} 个有错误，{unreadable} 个无法读取。"
        if cancelled:
            rest = self._total - self._done
            self.status_label.setText(f"已取消：本批检查了 {self._done} 个文件，其余 {rest} 个未检查。{summary}")
        elif self._total:
            self.status_label.setText(f"检查完成。{summary}")
        self._update_buttons()
        self.batchFinished.emit(cancelled)
        if self._pending and not cancelled:
            pending, self._pending = self._pending, []
            self._start(pending)

    # --- details -------------------------------------------------------------------------------

    def _show_selected(self) -> None:
        check = self.selected_check()
        self._update_buttons()
        if check is None:
            return
        if check.report is None:
            self.detail_label.setText(f"「{check.name}」{UNREADABLE}：{check.error}")
            self.findings_list.clear()
            self.log_list.clear()
            return
        report = check.report
        errors, warnings = check.counts
        previous = "，已与同批中的上年报告核对结转" if check.with_previous else ""
        scan = f"\n{check.scan.text()}（导入时在预览中逐格核对）" if check.scan is not None else ""
        self.detail_label.setText(
            f"「{check.name}」：{report.agency} {report.year} 年度报告（{report.template.name}格式）— "
            f"{errors} 个错误，{warnings} 个提示{previous}。{scan}"
        )
        fill_findings(self.findings_list, list(check.findings))
        fill_log(self.log_list, list(check.log))

    def _import_selected(self) -> None:
        check = self.selected_check()
        if check is not None and check.readable:
            self.importRequested.emit(str(check.path))

    # --- export --------------------------------------------------------------------------------

    def choose_export(self) -> None:
        suggested = default_export_folder() / "文件检查结果.xlsx"
        path, chosen_filter = QFileDialog.getSaveFileName(
            self, "导出检查表格", str(suggested), ";;".join(_TABLE_FILTERS.values())
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in _TABLE_FILTERS:
            suffix = next((s for s, f in _TABLE_FILTERS.items() if f == chosen_filter), ".xlsx")
            target = target.with_name(target.name + suffix)
        self.export_table(target)

    def export_table(self, path: Path) -> BackgroundTask | None:
        """Write the table (XLSX: 汇总 and 明细; CSV: the summary) in a worker."""
        if self._export_task is not None or self.running:
            return None
        checks = self.model.checks
        task = BackgroundTask(lambda _context: write_table(checks, path), self, progress_label="正在导出表格…")
        task.succeeded.connect(self._on_exported)
        task.failed.connect(self._on_export_failed)
        self._export_task = task
        self.status_label.setText(f"正在导出：{path.name}…")
        self._update_buttons()
        return task.start()

    def _on_exported(self, path: object) -> None:
        self._export_task = None
        self.last_export = Path(str(path))
        remember_export_folder(self.last_export.parent)
        self.open_folder_button.setEnabled(True)
        self.status_label.setText(f"已导出：{self.last_export}")
        self._update_buttons()
        self.exported.emit(str(self.last_export))

    def _on_export_failed(self, message: str) -> None:
        self._export_task = None
        self.status_label.setText(f"没有导出：{message}")
        self._update_buttons()
        QMessageBox.warning(self, "导出检查表格", message)

    def open_export_folder(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))

    # --- drag and drop -------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        event.accept()

