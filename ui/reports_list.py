"""The start screen: every stored report with its status and counts, and what can be done with them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.deadline import KIND_GOVERNMENT, chinese_date, days_left, due_text, guess_kind, is_stale, needs_reminder
from core.errors import UserError
from core.report import STATUS_FINAL
from core.storage import ReportSummary, Store
from core.template import load_template
from exports import FORMAT_NAMES, export_report
from reading.formats import READABLE_SUFFIXES
from ui.dialogs import AgencyProfileDialog, DuplicateDialog, NewReportDialog, NextYearDialog, default_year
from ui.first_run import FirstRunPanel, is_sample, own_agency

if TYPE_CHECKING:
    from ui.import_preview import ImportPreviewDialog

COLUMNS: tuple[str, ...] = ("机关", "年度", "格式", "状态", "公开期限", "错误", "提示", "最后修改")
AGENCY, YEAR, TEMPLATE, STATUS, DUE, ERRORS, WARNINGS, UPDATED = range(len(COLUMNS))
ReportIdRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
ERROR_COLOR = QColor("#c00000")
REMINDER_BACKGROUND = QColor("#ffe8a3")  # an unfinished report close to (or past) its due date
OVERDUE_BACKGROUND = QColor("#f8c8c8")
_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\s]+')
_Index = QModelIndex | QPersistentModelIndex


def documents_dir() -> str:
    """Where files are offered to be saved and looked for: the user's Documents folder."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return location or str(Path.home())


def _when(updated_at: str) -> str:
    try:
        return f"{datetime.fromisoformat(updated_at):%Y-%m-%d %H:%M}"
    except ValueError:
        return updated_at


def _describe(summary: ReportSummary) -> str:
    return f"「{summary.agency}」{summary.year} 年度报告"


def _finished(summary: ReportSummary) -> bool:
    return summary.status == STATUS_FINAL


def _kind_words(summary: ReportSummary) -> str:
    kind = summary.kind or guess_kind(summary.agency)
    how = "按机关信息中的设置" if summary.kind else "按机关名称判断"
    who = "人民政府的年度报告在每年3月31日前公布" if kind == KIND_GOVERNMENT else "部门的年度报告在每年1月31日前公布"
    return f"《条例》第四十九条：{who}（{how}，可在“机关信息”中修改）。"


def deadline_line(summary: ReportSummary, today: date) -> str:
    """What the list says about a report's due date, e.g. 「某区司法局」2025 年度报告：2026年1月31日前公开
    （还有 12 天），尚未定稿。"""
    if _finished(summary):
        return f"{_describe(summary)}已定稿（期限：{chinese_date(summary.due)}前公开）。"
    return f"{_describe(summary)}：{due_text(summary.due, today)}，尚未定稿。"


class ReportsTableModel(QAbstractTableModel):
    """Stored reports as rows (from Store.list_reports); read-only, sortable through SortRole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ReportSummary] = []
        self.today: date = date.today()  # set at each refresh: the due dates' countdown counts from it

    def set_reports(self, rows: list[ReportSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def summary(self, row: int) -> ReportSummary:
        return self._rows[row]

    def summaries(self) -> list[ReportSummary]:
        return list(self._rows)

    def row_of(self, report_id: int) -> int | None:
        return next((i for i, s in enumerate(self._rows) if s.id == report_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(s, column)
        if role == SortRole:
            raw: tuple[Any, ...] = (
                s.agency, s.year, s.template, s.status_label, s.due.isoformat(), s.errors, s.warnings, s.updated_at
            )
            return raw[column]
        if role == ReportIdRole:
            return s.id
        if role == Qt.ItemDataRole.ForegroundRole and column == ERRORS and s.errors > 0:
            return ERROR_COLOR
        if role == Qt.ItemDataRole.BackgroundRole and needs_reminder(s.due, _finished(s), self.today):
            return OVERDUE_BACKGROUND if days_left(s.due, self.today) < 0 else REMINDER_BACKGROUND
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (YEAR, ERRORS, WARNINGS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(s, column)
        return None

    def _display(self, s: ReportSummary, column: int) -> str:
        if column == DUE:
            left = days_left(s.due, self.today)
            if _finished(s) or is_stale(s.due, self.today):
                return s.due.isoformat()  # done, or a draft from an earlier round kept for reference
            if left > 0:
                return f"{s.due.isoformat()}（还有 {left} 天）"
            return f"{s.due.isoformat()}（今天截止）" if left == 0 else f"{s.due.isoformat()}（逾期 {-left} 天）"
        if column == AGENCY:
            return s.agency
        if column == YEAR:
            return str(s.year)
        if column == TEMPLATE:
            return load_template(s.template).name
        if column == STATUS:
            return s.status_label
        if column == ERRORS:
            return str(s.errors)
        if column == WARNINGS:
            return str(s.warnings)
        return _when(s.updated_at)

    def _tooltip(self, s: ReportSummary, column: int) -> str:
        if column == DUE:
            return f"{deadline_line(s, self.today)}\n{_kind_words(s)}"
        if column == ERRORS:
            return f"{s.errors} 个错误（有错误的报告不能定稿）" if s.errors else "没有错误"
        if column == WARNINGS:
            return f"{s.warnings} 个提示" if s.warnings else "没有提示"
        if column == TEMPLATE:
            return load_template(s.template).document
        return s.title


class _ReportsTable(QTableView):
    """The list itself: whole rows, one at a time, sorted by clicking a header."""

    def __init__(self, model: QSortFilterProxyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setSortingEnabled(True)
        self.sortByColumn(YEAR, Qt.SortOrder.DescendingOrder)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AGENCY, QHeaderView.ResizeMode.Stretch)
        self.setWordWrap(False)


def _proxy(parent: QWidget, model: ReportsTableModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    proxy.setSortLocaleAware(True)
    return proxy


class ReportsListWidget(QWidget):
    """Every stored report by agency and year; new, from last year, open, copy, delete, recycle
    bin, import, export and the agency profile. Opening is left to the owner (`openRequested`)."""

    openRequested = Signal(int)
    today: Callable[[], date] = staticmethod(date.today)  # the clock the due dates count from (tests set it)
    reportDeleted = Signal(int)  # moved to the recycle bin (also when an import replaced it)
    statusMessage = Signal(str)  # a message for the window's status bar

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reports_list")
        self.store = store
        self.model = ReportsTableModel(self)
        self.proxy = _proxy(self, self.model)
        self.table = _ReportsTable(self.proxy, self)
        self.table.setObjectName("reports_table")
        self.table.activated.connect(self._activated)  # double-click and Enter

        self.actions_by_name: dict[str, QAction] = {}
        toolbar = QToolBar(self)
        toolbar.setObjectName("reports_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        specs: list[tuple[str, str, str, Any, QKeySequence | None]] = [
            # Ctrl+N is the window's 文件 → 新建报告 (the same dialog), so it works while a report is open.
            ("new_report", "新建报告", "为一个机关和年度新建空白报告（Ctrl+N）", self.new_report, None),
            ("new_from_last_year", "从上年报告创建…", "选择年度，查看结转的内容，再创建所选机关下一年度的报告",
             self.new_from_last_year, None),
            ("open_report", "打开", "打开所选报告", self.open_selected, None),
            ("duplicate_report", "复制", "把所选报告的数字和正文复制到另一年度或机关", self.duplicate, None),
            ("delete_report", "删除", "把所选报告移入回收站（可以恢复）", self.delete_selected,
             QKeySequence(QKeySequence.StandardKey.Delete)),
            ("recycle_bin", "回收站", "查看和恢复已删除的报告", self.show_recycle_bin, None),
            ("import_report", "导入报告文件", "从报告文件、Word、PDF 或网页导入报告（先预览再导入）",
             self.import_file, None),
            ("export_report", "导出报告文件", "把所选报告导出为报告文件（JSON）", self.export_selected, None),
            ("agency_profile", "机关信息",
             "本机关（或所选报告所属机关）的名称、地址、联系方式、签发人和空白单元格的打印方式",
             self.edit_agency_profile, None),
        ]
        for name, text, tip, slot, shortcut in specs:
            action = QAction(text, self)
            action.setObjectName(name)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            if shortcut is not None:
                action.setShortcut(shortcut)
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            toolbar.addAction(action)
            self.actions_by_name[name] = action
        # The toolbar's buttons carry the action names too, so they can be found like any field.
        for name, action in self.actions_by_name.items():
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setObjectName(f"{name}_button")
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for name in ("open_report", "new_from_last_year", "duplicate_report", "export_report",
                     "agency_profile", "delete_report"):
            self.table.addAction(self.actions_by_name[name])

        # A first launch (no report, or only the example): what to do, step by step.
        self.first_run = FirstRunPanel(self)
        self.first_run.agencyRequested.connect(self.edit_agency_profile)
        self.first_run.nextYearRequested.connect(self.new_from_last_years_report)
        self.first_run.importRequested.connect(self.import_file)
        self.first_run.blankRequested.connect(self.new_report)
        layout = QVBoxLayout(self)
        layout.addWidget(toolbar)
        layout.addWidget(self.first_run)
        # The selected report's due date and days left; highlighted from REMIND_DAYS before it.
        self.deadline_banner = QLabel(self)
        self.deadline_banner.setObjectName("deadline_banner")
        self.deadline_banner.setWordWrap(True)
        self.deadline_banner.setVisible(False)
        layout.addWidget(self.deadline_banner)
        layout.addWidget(self.table)

        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.selectionModel().selectionChanged.connect(self._update_deadline)
        self.refresh()

    # --- reading ---------------------------------------------------------------------------------

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ReportIdRole)) if rows else None

    def selected_summary(self) -> ReportSummary | None:
        report_id = self.selected_id()
        if report_id is None:
            return None
        row = self.model.row_of(report_id)
        return None if row is None else self.model.summary(row)

    def select_report(self, report_id: int) -> bool:
        row = self.model.row_of(report_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

    def refresh(self) -> None:
        """Read the list again (counts and status change as reports are edited); keeps the selection."""
        keep = self.selected_id()
        try:
            reports = self.store.list_reports()
        except UserError as exc:
            QMessageBox.warning(self, "无法读取报告列表", str(exc))
            return
        self.model.today = self.today()
        self.model.set_reports(reports)
        if not (keep is not None and self.select_report(keep)) and reports:
            self.table.selectionModel().setCurrentIndex(
                self.proxy.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.first_run.update_from(self.store, reports, default_year())  # shown while no report is the user's
        self._update_actions()
        self._update_deadline()

    def _update_deadline(self) -> None:
        """The banner: the selected report's due date and days left, highlighted while it needs doing soon."""
        s = self.selected_summary()
        today = self.model.today
        if s is None or s.deleted or (not _finished(s) and is_stale(s.due, today)):
            self.deadline_banner.setVisible(False)
            return
        self.deadline_banner.setText(deadline_line(s, today))
        self.deadline_banner.setToolTip(_kind_words(s))
        urgent = needs_reminder(s.due, _finished(s), today)
        colour = (OVERDUE_BACKGROUND if days_left(s.due, today) < 0 else REMINDER_BACKGROUND) if urgent else None
        style = f"background: {colour.name()}; font-weight: bold;" if colour is not None else "color: #333;"
        self.deadline_banner.setStyleSheet(f"QLabel {{ {style} padding: 4px 8px; border-radius: 3px; }}")
        self.deadline_banner.setProperty("urgent", urgent)
        self.deadline_banner.setVisible(True)

    def _update_actions(self) -> None:
        chosen = self.selected_id() is not None
        for name in ("new_from_last_year", "open_report", "duplicate_report", "delete_report",
                     "export_report"):
            self.actions_by_name[name].setEnabled(chosen)

    # --- actions ---------------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        self.openRequested.emit(int(index.data(ReportIdRole)))

    def open_selected(self) -> None:
        report_id = self.selected_id()
        if report_id is not None:
            self.openRequested.emit(report_id)

    def _ask(self, title: str, question: str, *, default_yes: bool) -> bool:
        """Yes or no, asked in a message box."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        return QMessageBox.question(self, title, question, yes | no, yes if default_yes else no) == yes

    def _created(self, report_id: int | None, message: str) -> None:
        if report_id is None:
            return
        self.refresh()
        self.select_report(report_id)
        self.statusMessage.emit(message)
        self.openRequested.emit(report_id)

    def current_agency(self) -> str:
        """The agency the list's agency actions are for: the selected report's, unless that is the
        example's; then the user's own (set up in 机关信息), or "" when there is none yet."""
        summary = self.selected_summary()
        if summary is not None and not is_sample(summary):
            return summary.agency
        try:
            return own_agency(self.store, self.model.summaries())
        except UserError:
            return ""

    def new_report(self) -> NewReportDialog:
        """Open the new-report dialog (window-modal) for the user's agency; the created report is
        listed and opened."""
        dialog = NewReportDialog(self.store, self, agency=self.current_agency())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._created(dialog.report_id, f"已新建{dialog.agency} {dialog.year} 年度报告")
        )
        dialog.open()
        return dialog

    def new_from_last_year(self) -> NextYearDialog | None:
        """Ask for the year of the selected report's agency's next report and show what is carried
        over; the report is created (and listed and opened) only when the user says 创建."""
        summary = self.selected_summary()
        if summary is None:
            return None
        return self.ask_next_year(summary.agency, summary.year)

    def ask_next_year(self, agency: str, after: int) -> NextYearDialog:
        """The one place next year's report is made from the app (the list, the import preview)."""
        dialog = NextYearDialog(self.store, agency, after, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # A bound method, not a lambda on the dialog: the dialog is deleted on close.
        dialog.created.connect(self._created)
        dialog.open()
        return dialog

    def duplicate(self) -> DuplicateDialog | None:
        """Open the copy dialog for the selected report; the copy is listed and selected."""
        report_id = self.selected_id()
        if report_id is None:
            return None
        try:
            dialog = DuplicateDialog(self.store, report_id, self)
        except UserError as exc:
            QMessageBox.warning(self, "无法复制报告", str(exc))
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done() -> None:
            if dialog.report_id is not None:
                self.refresh()
                self.select_report(dialog.report_id)
                self.statusMessage.emit(f"已复制为{dialog.agency} {dialog.year} 年度报告（草稿）")

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def delete_selected(self) -> None:
        summary = self.selected_summary()
        if summary is None:
            return
        question = f"删除{_describe(summary)}？\n删除的报告移入回收站，可以在「回收站」中恢复。"
        if not self._ask("删除报告", question, default_yes=False):
            return
        try:
            self.store.delete(summary.id)
        except UserError as exc:
            QMessageBox.warning(self, "无法删除报告", str(exc))
            return
        self.reportDeleted.emit(summary.id)
        self.refresh()
        self.statusMessage.emit(f"已将{_describe(summary)}移入回收站")

    def show_recycle_bin(self) -> RecycleBinDialog:
        dialog = RecycleBinDialog(self.store, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self._restored)
        dialog.open()
        return dialog

    def _restored(self, report_id: int) -> None:
        self.refresh()
        self.select_report(report_id)
        self.statusMessage.emit("已从回收站恢复报告")

    def import_file(self) -> ImportPreviewDialog | None:
        suffixes = " ".join(f"*{s}" for s in READABLE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(
            self, "导入报告文件", documents_dir(), f"报告文件 ({suffixes});;所有文件 (*)"
        )
        return self.import_path(Path(path)) if path else None

    def import_path(self, path: Path) -> ImportPreviewDialog:
        """Preview a report file (read in a worker) and store it when the user says 导入. A stored
        report of the same agency and year is replaced only when the user chooses to (recycle bin)."""
        from ui.import_preview import ImportPreviewDialog  # loads the readers' UI only when used

        dialog = ImportPreviewDialog(self.store, path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._imported)
        # Bound methods, not lambdas: a lambda on a dialog deleted on close crashed PySide at exit.
        dialog.nextYearRequested.connect(self._next_year_requested)
        dialog.openRequested.connect(self.openRequested)
        dialog.open()
        return dialog

    def _next_year_requested(self, report_id: int) -> None:
        try:
            summary = self.store.load(report_id)
        except UserError as exc:
            QMessageBox.warning(self, "无法创建报告", str(exc))
            return
        self.ask_next_year(summary.agency, summary.year)

    def _imported(self, report_id: int, replaced: int) -> None:
        if replaced:
            self.reportDeleted.emit(replaced)
        self.refresh()
        self.select_report(report_id)
        row = self.model.row_of(report_id)
        what = _describe(self.model.summary(row)) if row is not None else "报告"
        note = "（原报告已移入回收站）" if replaced else ""
        self.statusMessage.emit(f"已导入{what}{note}")

    def export_selected(self) -> Path | None:
        """Save the selected report as a report file (JSON), offered in the Documents folder."""
        summary = self.selected_summary()
        if summary is None:
            return None
        suggested = Path(documents_dir()) / f"{_UNSAFE_IN_FILE_NAME.sub('', summary.title) or summary.agency}.json"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出报告文件", str(suggested), f"{FORMAT_NAMES['.json']} (*.json)"
        )
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".json":
            target = target.with_name(target.name + ".json")
        try:
            export_report(self.store.load(summary.id), target)
        except UserError as exc:
            QMessageBox.warning(self, "无法导出", f"无法导出「{target.name}」：{exc}")
            return None
        except PermissionError:
            QMessageBox.warning(
                self, "无法导出", f"无法写入「{target}」：没有写入权限，或文件正被其他程序打开；原文件未改动。"
            )
            return None
        except OSError as exc:
            QMessageBox.warning(self, "无法导出", f"无法写入「{target}」：{exc.strerror or exc}；原文件未改动。")
            return None
        self.statusMessage.emit(f"已导出：{target}")
        return target

    def edit_agency_profile(self) -> AgencyProfileDialog:
        """机关信息 of the user's agency (or the selected report's), a new one when only the example's
        is known; the first-run steps follow once it is saved."""
        dialog = AgencyProfileDialog(self.store, self.current_agency(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._agency_saved)
        dialog.open()
        return dialog

    def _agency_saved(self, name: str) -> None:
        self.refresh()
        self.statusMessage.emit(f"已保存「{name}」的机关信息")

    def new_from_last_years_report(self) -> NextYearDialog | ImportPreviewDialog | None:
        """This year's report from last year's: from the user's agency's latest stored report, or,
        when there is none yet, from last year's published report read from a file (the import
        preview then offers 从此报告创建下一年度报告)."""
        agency = self.current_agency()
        years = [s.year for s in self.model.summaries() if s.agency == agency and not is_sample(s)]
        if agency and years:
            return self.ask_next_year(agency, max(years))
        self.statusMessage.emit("请选择本机关上一年度的报告文件；导入后点击「从此报告创建下一年度报告…」。")
        return self.import_file()


class RecycleBinDialog(QDialog):
    """Deleted reports, each recoverable unless the same agency and year has been stored again."""

    restored = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recycle_bin_dialog")
        self.setWindowTitle("回收站")
        self.resize(720, 360)
        self.store = store
        self.model = ReportsTableModel(self)
        self.proxy = _proxy(self, self.model)
        self.table = _ReportsTable(self.proxy, self)
        self.table.setObjectName("deleted_reports_table")
        # Same columns as the list; 最后修改 there is when the report was deleted.
        self.empty_label = QLabel("回收站是空的。")
        self.empty_label.setObjectName("empty_hint")
        self.restore_button = QPushButton("恢复")
        self.restore_button.setObjectName("restore")
        self.restore_button.clicked.connect(self.restore_selected)
        close = QPushButton("关闭")
        close.setObjectName("close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.activated.connect(lambda _index: self.restore_selected())
        self.refresh()

    def refresh(self) -> None:
        try:
            reports = self.store.list_reports(deleted=True)
        except UserError as exc:
            QMessageBox.warning(self, "无法读取回收站", str(exc))
            return
        self.model.set_reports(reports)
        if reports:
            self.table.selectRow(0)
        self.empty_label.setVisible(not reports)
        self._update_buttons()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ReportIdRole)) if rows else None

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected_id() is not None)

    def restore_selected(self) -> None:
        report_id = self.selected_id()
        if report_id is None:
            return
        row = self.model.row_of(report_id)
        assert row is not None
        summary = self.model.summary(row)
        try:
            if self.store.find(summary.agency, summary.year) is not None:
                QMessageBox.warning(
                    self,
                    "不能恢复",
                    f"数据库中又有了{_describe(summary)}，同一机关同一年度只能有一份报告。"
                    "如要恢复这一份，请先删除现有的那份。",
                )
                return
            self.store.undelete(report_id)
        except UserError as exc:
            QMessageBox.warning(self, "不能恢复", str(exc))
            return
        self.refresh()
        self.restored.emit(report_id)
