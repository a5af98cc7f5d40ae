"""年报审核: the reviewing office's board of a review season (core/season.py). One row per unit: received
or not, days early or late, template, errors and warnings, final or not, the reviewer's verdict and note,
the file, and this year's applications as a bar. Files and folders are read in a worker (reading/batch.py,
as 文件检查 does) and kept in the GUI thread; the board sorts, filters and exports as shown."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import date
from functools import cmp_to_key
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QDate,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.deadline import KIND_GOVERNMENT
from core.errors import UserError
from core.fileio import ReportFileError
from core.season import (
    FINAL_LABELS,
    KIND_SHORT,
    REVIEW_LABELS,
    REVIEWS,
    AddResult,
    BoardRow,
    Season,
    date_text,
    file_digest,
    lookup_in,
)
from core.storage import Store
from exports.table import Sheet, write_table
from reading.batch import BatchCheck, FileCheck, collect_files
from reading.formats import READABLE_SUFFIXES
from ui.batch_check import dropped_paths
from ui.printing import default_export_folder, export_error_message, remember_export_folder
from ui.tasks import StoppableWorker
from ui.widgets import push_button
from ui.window_place import app_settings, database_key, restore_window, save_window

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = (
    "单位", "类别", "截止日期", "收到", "提前/逾期", "格式", "错误", "提示", "落款/定稿", "审核", "备注", "文件",
    "本年申请",
)
(UNIT, KIND, DUE, RECEIVED, TIMING, TEMPLATE, ERRORS, WARNINGS, FINAL, REVIEW, NOTE, FILE, NEW) = range(len(COLUMNS))
SortRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2
FILTERS: tuple[str, ...] = ("全部", "未收到", "逾期", "有错误", "待审", "退回修改", "通过")
ALL, MISSING, OVERDUE, PROBLEMS, PENDING, RETURNED, PASSED = range(len(FILTERS))
SHEET_NAME = "年报审核"
WIDTHS: tuple[float, ...] = (30, 10, 14, 18, 18, 12, 8, 8, 12, 10, 30, 40, 12)

ERROR_COLOR = QColor("#c00000")
MISSING_BACKGROUND = QColor("#f8d4d4")  # not received and past its due date
LATE_BACKGROUND = QColor("#ffe6b0")  # received after its due date
BAR_COLOR = QColor("#5b8bd0")
UNREADABLE_SORT = 1_000_000  # an unreadable file sorts after any count of errors
_Index = QModelIndex | QPersistentModelIndex
_FILE_FILTER = "报告文件 ({});;所有文件 (*)".format(" ".join(f"*{s}" for s in READABLE_SUFFIXES))
SETTINGS_GROUP = "season_window"
LAST_SEASON_KEY = "season_window/last_season"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- the board's cells ----------------------------------------------------------------------------


def received_text(row: BoardRow) -> str:
    if not row.has_file or row.received is None:
        return "未收到"
    shown = f"已收到 {row.received.month}月{row.received.day}日"
    if row.wrong_year:
        shown += f"（{row.year} 年度，年度不符）"
    return shown


def final_text(row: BoardRow) -> str:
    if not row.has_file or row.error:
        return ""
    return FINAL_LABELS.get(row.final, row.final)


def cell_text(row: BoardRow, column: int, today: date) -> str:
    """What the board shows (and the exported sheet holds as text) in one cell."""
    if column == UNIT:
        return row.name
    if column == KIND:
        return KIND_SHORT.get(row.kind, row.kind)
    if column == DUE:
        return row.due.isoformat() if row.due else ""
    if column == RECEIVED:
        return received_text(row)
    if column == TIMING:
        return row.timing_text(today)
    if column == TEMPLATE:
        return row.template_name
    if column == ERRORS:
        return "无法读取" if row.error else (str(row.errors) if row.has_file else "")
    if column == WARNINGS:
        return str(row.warnings) if row.has_file and not row.error else ""
    if column == FINAL:
        return final_text(row)
    if column == REVIEW:
        return REVIEW_LABELS.get(row.review, row.review)
    if column == NOTE:
        return row.note
    if column == FILE:
        return row.file_name
    if column == NEW:
        return _number(row.new_total)
    return ""


def sort_value(row: BoardRow, column: int, today: date) -> Any:
    """Numbers and dates sort as numbers (ordinal days), words as words."""
    if column == DUE:
        return row.due.toordinal() if row.due else 0
    if column == RECEIVED:
        return row.received.toordinal() if row.received and row.has_file else 0
    if column == TIMING:
        days = row.days_late(today)
        return -UNREADABLE_SORT if days is None else days
    if column == ERRORS:
        return UNREADABLE_SORT if row.error else (row.errors if row.has_file else -1)
    if column == WARNINGS:
        return row.warnings if row.has_file and not row.error else -1
    if column == REVIEW:
        return REVIEWS.index(row.review) if row.review in REVIEWS else -1
    if column == NEW:
        return -1.0 if row.new_total is None else float(row.new_total)
    return cell_text(row, column, today)


def export_value(row: BoardRow, column: int, today: date) -> str | int | float | None:
    if column in (ERRORS, WARNINGS) and row.has_file and not row.error:
        return row.errors if column == ERRORS else row.warnings
    if column == NEW and row.new_total is not None:
        return int(row.new_total) if float(row.new_total).is_integer() else float(row.new_total)
    return cell_text(row, column, today)


EXTRA_HEADERS: tuple[str, ...] = ("逾期天数（负数为提前）", "路径")


def board_sheet(rows: Sequence[BoardRow], today: date) -> Sheet:
    """The board as a sheet: the rows given (as shown: filtered and sorted), then the days late as a
    number (to sort and sum in Excel) and the file's path."""
    return Sheet(
        SHEET_NAME,
        (*COLUMNS, *EXTRA_HEADERS),
        [[*(export_value(r, c, today) for c in range(len(COLUMNS))), r.days_late(today), r.path] for r in rows],
        (*WIDTHS, 12, 60),
    )


def summary_text(rows: Sequence[BoardRow], today: date) -> str:
    units = [r for r in rows if r.unit_id is not None]
    received = sum(r.has_file for r in units)
    overdue = sum(r.late(today) for r in units)
    problems = sum(r.problem for r in rows)
    loose = len(rows) - len(units)
    text = (
        f"{len(units)} 个单位，已收到 {received}，未收到 {len(units) - received}，逾期 {overdue}，有错误 {problems}"
    )
    return text + (f"；{loose} 个文件未能确定单位" if loose else "")


def matches_filter(row: BoardRow, mode: int, today: date) -> bool:
    if mode == MISSING:
        return row.unit_id is not None and not row.has_file
    if mode == OVERDUE:
        return row.unit_id is not None and row.late(today)
    if mode == PROBLEMS:
        return row.problem
    if mode in (PENDING, RETURNED, PASSED):
        return row.review == REVIEWS[mode - PENDING]
    return True


class BoardModel(QAbstractTableModel):
    """The board's rows (core.season.BoardRow); the 审核 and 备注 cells are edited in place."""

    reviewEdited = Signal(int, str)  # unit id, status
    noteEdited = Signal(int, str)  # unit id, note
    receivedEdited = Signal(int, object)  # file id, date

    def __init__(self, parent: QObject | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BoardRow] = []
        self.today = today or date.today()
        self.max_new = 0.0
        self._keys: dict[int, list[Any]] = {}  # column → each row's sort key, made at the first sort by it
        self._order: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))

    def set_rows(self, rows: list[BoardRow]) -> None:
        self.beginResetModel()
        self.rows = self._sorted(rows, *self._order)
        self._keys = {}
        self.max_new = max((r.new_total or 0.0 for r in rows), default=0.0)
        self.endResetModel()

    def _sorted(self, rows: list[BoardRow], column: int, order: Qt.SortOrder) -> list[BoardRow]:
        """The rows by one column (stable; -1 keeps them as given): numbers and dates as numbers, words
        in the Chinese collation order. Sorted here in one Python sort, not by the proxy's comparisons."""
        if column < 0:
            return list(rows)
        keys = [sort_value(r, column, self.today) for r in rows]
        if keys and isinstance(keys[0], str):
            compare = self._collator.compare
            key: Any = cmp_to_key(lambda a, b: compare(keys[a], keys[b]))
        else:
            key = keys.__getitem__
        ranked = sorted(range(len(rows)), key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        return [rows[i] for i in ranked]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        old_rows = self.rows
        self._order = (column, order)
        self.rows = self._sorted(self.rows, column, order)
        self._keys = {}
        now = {id(r): i for i, r in enumerate(self.rows)}
        after = [self.index(now[id(old_rows[i.row()])], i.column()) if i.isValid() else i for i in before]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def sort_key(self, row: int, column: int) -> Any:
        keys = self._keys.get(column)
        if keys is None:
            keys = self._keys[column] = [sort_value(r, column, self.today) for r in self.rows]
        return keys[row]

    def row(self, index: int) -> BoardRow:
        return self.rows[index]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole and section == FINAL:
            return "落款有日期的报告算作已定稿（报告文件可用 status 写明 final 或 draft）"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and 0 <= index.row() < len(self.rows):
            row = self.rows[index.row()]
            if (index.column() in (REVIEW, NOTE) and row.unit_id is not None) or (
                index.column() == RECEIVED and row.has_file
            ):
                return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SortRole:  # first and cached: a sort asks for it twice per comparison
            return self.sort_key(index.row(), index.column())
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, column, self.today)
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.EditRole:
            if column == REVIEW:
                return row.review
            if column == RECEIVED:
                return row.received
            return cell_text(row, column, self.today)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.BackgroundRole and column in (RECEIVED, TIMING, UNIT):
            if row.unit_id is not None and not row.has_file and row.late(self.today):
                return MISSING_BACKGROUND
            if row.has_file and row.late(self.today):
                return LATE_BACKGROUND
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if (column == ERRORS and (row.errors > 0 or row.error)) or (column == RECEIVED and row.wrong_year):
                return ERROR_COLOR
            if column == UNIT and row.unit_id is None:
                return ERROR_COLOR
            if column == TIMING and row.late(self.today):
                return ERROR_COLOR
            if column == FINAL and row.has_file and row.final != "final":
                return QColor("#a05a00")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ERRORS, WARNINGS, NEW):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _tooltip(self, row: BoardRow, column: int) -> str | None:
        if column == FILE and row.path:
            return row.path
        if column == ERRORS and row.error:
            return f"无法读取：{row.error}"
        if column == FINAL and row.has_file:
            return f"落款日期：{row.signed}" if row.signed else "报告没有落款日期"
        if column == DUE and row.due:
            return date_text(row.due)
        if column == RECEIVED and row.has_file:
            return "双击修改收到日期" + (f"；文件是 {row.year} 年度的报告" if row.wrong_year else "")
        if column in (REVIEW, NOTE):
            return "双击修改"
        text = cell_text(row, column, self.today)
        return text or None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row = self.rows[index.row()]
        if index.column() == REVIEW and row.unit_id is not None and value in REVIEWS:
            self.reviewEdited.emit(row.unit_id, str(value))
            return True
        if index.column() == NOTE and row.unit_id is not None:
            self.noteEdited.emit(row.unit_id, str(value))
            return True
        if index.column() == RECEIVED and row.file_id is not None and isinstance(value, date):
            self.receivedEdited.emit(row.file_id, value)
            return True
        return False


class BoardFilter(QSortFilterProxyModel):
    """Rows whose unit name holds the text typed, in the mode chosen (全部, 未收到, 逾期 …)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.mode = ALL
        self.setSortRole(SortRole)
        self.setSortLocaleAware(True)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by the board model in one pass (500 rows in a few milliseconds, where comparing
        through data() took ~80 ms); the proxy keeps the model's order and only filters."""
        model = self.sourceModel()
        if isinstance(model, BoardModel):
            model.sort(column, order)
        else:
            super().sort(column, order)

    def set_filter(self, text: str, mode: int) -> None:
        self.beginFilterChange()
        self.text = "".join(text.split())
        self.mode = mode
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, BoardModel):
            return True
        row = model.row(source_row)
        if self.text and self.text not in "".join(row.name.split()):
            return False
        return matches_filter(row, self.mode, model.today)


class BarDelegate(QStyledItemDelegate):
    """本年申请: a horizontal bar scaled to the season's largest number, with the number."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        model = index.model()
        source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
        row = index.data(RowRole)
        if not isinstance(source, BoardModel) or not isinstance(row, BoardRow) or row.new_total is None:
            return
        rect: QRect = opt.rect.adjusted(3, 4, -3, -4)
        number_width = opt.fontMetrics.horizontalAdvance("00000") + 4
        bar_space = max(rect.width() - number_width, 0)
        share = (row.new_total / source.max_new) if source.max_new > 0 else 0.0
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if share > 0:
            painter.fillRect(QRect(rect.left(), rect.top(), max(int(bar_space * share), 1), rect.height()), BAR_COLOR)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.setPen(opt.palette.highlightedText().color() if selected else opt.palette.text().color())
        painter.drawText(
            QRect(rect.left() + bar_space, rect.top(), number_width, rect.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text,
        )
        painter.restore()


class MiddleElidedDelegate(QStyledItemDelegate):
    """A cell whose text, when too long, keeps its beginning and end and drops the middle."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class ReviewDelegate(QStyledItemDelegate):
    """审核: a choice of 待审 / 退回修改 / 通过."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("review_editor")
        for status in REVIEWS:
            combo.addItem(REVIEW_LABELS[status], status)
        combo.activated.connect(lambda _i: self._chosen(combo))  # a choice is the edit: no Enter needed
        return combo

    def _chosen(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            found = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(found, 0))

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class DateDelegate(QStyledItemDelegate):
    """收到: the day the file was received."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        editor = QDateEdit(parent)
        editor.setObjectName("received_editor")
        editor.setCalendarPopup(True)
        editor.setDisplayFormat("yyyy-MM-dd")
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QDateEdit) and isinstance(value, date):
            editor.setDate(QDate(value.year, value.month, value.day))

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:
        if isinstance(editor, QDateEdit):
            chosen = editor.date()
            model.setData(index, date(chosen.year(), chosen.month(), chosen.day()), Qt.ItemDataRole.EditRole)


# --- the worker -----------------------------------------------------------------------------------


class _ReadRelay(QObject):
    """The worker's news for the GUI thread (which alone writes to the database)."""

    planned = Signal(int)
    read = Signal(object, str)  # a FileCheck, the file's SHA-256
    progressed = Signal(int, int, str)
    finished = Signal(bool)  # cancelled


class _ReadRunnable(StoppableWorker):
    """Reads and checks files without touching the database: last year's reports come preloaded, and
    a file whose content was already received is not read again."""

    def __init__(
        self, sources: list[Path], previous: dict[tuple[str, int], Any], known: set[str],
        stop: threading.Event, relay: _ReadRelay,
    ) -> None:
        super().__init__(stop, relay.finished, "reading season files")
        self._sources = sources
        self._previous = previous
        self._known = known
        self._relay = relay

    def work(self) -> None:
        files = collect_files(self._sources, cancelled=self._stop.is_set)
        self._relay.planned.emit(len(files))
        batch = BatchCheck(previous=lookup_in(self._previous))
        for done, (path, name) in enumerate(files):
            if self._stop.is_set():
                return
            self._relay.progressed.emit(done, len(files), name)
            try:
                digest = file_digest(path)
            except ReportFileError as exc:
                self._relay.read.emit(FileCheck(path, name, error=f"无法打开：{exc}"), "")
                continue
            if digest in self._known:  # received before: the season says so without reading it again
                self._relay.read.emit(FileCheck(path, name), digest)
                continue
            self._known.add(digest)
            check, _ = batch.add(path, name)
            self._relay.read.emit(check, digest)
        self._relay.progressed.emit(len(files), len(files), "")


# --- the window -----------------------------------------------------------------------------------


class SeasonWindow(QWidget):
    """年报审核: choose or create a season, add the units' files (or drop them here), see and sort the
    board, set each unit's review, and export the board, the region's totals or a unit's year on year."""

    readFinished = Signal(bool)  # cancelled
    exported = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.store = store
        self.season: Season | None = None
        self.today = today  # the day late and early are counted to; None: the real today
        self.setObjectName("season_window")
        self.setWindowTitle("年报审核")
        self.setAcceptDrops(True)
        settings = app_settings()
        settings.beginGroup(SETTINGS_GROUP)
        restore_window(self, settings)
        settings.endGroup()
        self._stop: threading.Event | None = None
        self._target: Season | None = None
        self._received = date.today()
        self._pending: list[Path] = []
        self._results: list[AddResult] = []
        self._total = 0
        self.last_export: Path | None = None
        self.dialogs: list[QWidget] = []  # dialogs opened from here (kept so tests can find them)

        self.season_combo = QComboBox()
        self.season_combo.setObjectName("season_combo")
        self.season_combo.setMinimumWidth(260)
        self.season_combo.currentIndexChanged.connect(self._season_chosen)
        self.new_button = push_button(
            "new_season", "新建审核…", self.new_season, "新建一次年报审核（如 2025年度年报审核）"
        )
        self.rename_button = push_button("rename_season", "重命名…", self.rename_season)
        self.delete_button = push_button(
            "delete_season", "删除…", self.delete_season, "删除这次审核及其收到的全部文件记录"
        )
        seasons_row = QHBoxLayout()
        seasons_row.addWidget(QLabel("审核："))
        seasons_row.addWidget(self.season_combo)
        for b in (self.new_button, self.rename_button, self.delete_button):
            seasons_row.addWidget(b)
        seasons_row.addStretch(1)
        self.received_edit = QDateEdit()
        self.received_edit.setObjectName("received_date")
        self.received_edit.setCalendarPopup(True)
        self.received_edit.setDisplayFormat("yyyy-MM-dd")
        self.received_edit.setDate(QDate.currentDate())
        self.received_edit.setToolTip("新添加的文件记为这一天收到（补登前几天收到的文件时修改）；收到日期也可在表格中双击修改")
        seasons_row.addWidget(QLabel("收到日期："))
        seasons_row.addWidget(self.received_edit)

        self.add_files_button = push_button("add_files", "添加文件…", self.choose_files, "添加收到的报告文件（可多选）")
        self.add_folder_button = push_button(
            "add_folder", "添加文件夹…", self.choose_folder, "添加一个文件夹（含子文件夹）中的全部报告文件"
        )
        self.cancel_button = push_button("cancel_read", "取消", self.cancel, "当前文件读完后停止")
        self.cancel_button.setVisible(False)
        self.units_button = push_button(
            "units", "单位…", self.manage_units, "添加（可从 Excel 粘贴）、修改或删除单位，设置类别和截止日期"
        )
        self.review_button = push_button("review", "审核…", self.review_selected, "为所选单位设置审核状态和备注")
        self.history_button = push_button("history", "历史", self.show_history, "所选单位收到过的各个版本")
        self.view_button = push_button("view", "查看", self.view_selected, "所选单位文件的检查结果和导入记录")
        self.export_button = push_button(
            "export_board", "导出表格…", self.choose_export, "把表格（按当前筛选和排序）导出为 Excel"
        )
        self.totals_button = push_button(
            "region_totals", "汇总…", self.show_totals, "汇总所选单位（未选时为全部已收到的单位）的数据"
        )
        self.compare_button = push_button("compare", "同比…", self.show_compare, "所选单位与往年报告对比")
        self.assign_button = push_button(
            "assign_file", "归入单位…", self.assign_selected, "把未能确定单位的文件归入一个单位，作为它的当前文件"
        )
        self.assign_button.setVisible(False)
        tools = QHBoxLayout()
        for b in (self.add_files_button, self.add_folder_button, self.cancel_button, self.units_button,
                  self.assign_button):
            tools.addWidget(b)
        tools.addStretch(1)
        for b in (self.review_button, self.history_button, self.view_button, self.totals_button,
                  self.compare_button, self.export_button):
            tools.addWidget(b)

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("unit_filter")
        self.filter_edit.setPlaceholderText("按单位名称筛选")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("filter_mode")
        self.filter_combo.addItems(FILTERS)
        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("筛选："))
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.filter_combo)

        self.model = BoardModel(self, today)
        # Queued: the board is read again once the cell's editor has closed, not while it commits.
        queued = Qt.ConnectionType.QueuedConnection
        self.model.reviewEdited.connect(self._review_edited, queued)
        self.model.noteEdited.connect(self._note_edited, queued)
        self.model.receivedEdited.connect(self._received_edited, queued)
        self.proxy = BoardFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("season_table")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the units' order until a click
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setItemDelegateForColumn(NEW, BarDelegate(self.table))
        self.table.setItemDelegateForColumn(REVIEW, ReviewDelegate(self.table))
        self.table.setItemDelegateForColumn(RECEIVED, DateDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((UNIT, 190), (KIND, 62), (DUE, 84), (RECEIVED, 104), (TIMING, 124), (TEMPLATE, 62),
                              (ERRORS, 58), (WARNINGS, 40), (FINAL, 66), (REVIEW, 66), (NOTE, 140), (FILE, 170)):
            self.table.setColumnWidth(column, width)
        # Files of one unit differ at the end of their names (…年报.docx / …（修改稿）.docx): keep both ends.
        self.table.setItemDelegateForColumn(FILE, MiddleElidedDelegate(self.table))
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.progress = QProgressBar()
        self.progress.setObjectName("season_progress")
        self.progress.setVisible(False)
        self.status_label = QLabel("")
        self.status_label.setObjectName("season_status")
        self.status_label.setWordWrap(True)
        self.messages = QListWidget()
        self.messages.setObjectName("season_messages")
        self.messages.setMaximumHeight(90)
        self.messages.setVisible(False)
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("season_summary")

        layout = QVBoxLayout(self)
        layout.addLayout(seasons_row)
        layout.addLayout(tools)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.messages)
        layout.addWidget(self.status_label)
        layout.addWidget(self.summary_label)

        self._data_version: int | None = None
        with suppress(UserError):
            self._data_version = store.data_version()
        self.reload_seasons(self._last_season())
        if self.season is None:
            self.status_label.setText("还没有年报审核。点「新建审核…」开始，例如「2025年度年报审核」。")

    # --- seasons -------------------------------------------------------------------------------

    def _settings_key(self) -> str:
        return f"{LAST_SEASON_KEY}_{database_key(self.store.path)}"

    def _last_season(self) -> int | None:
        value = app_settings().value(self._settings_key())
        try:
            return int(str(value)) if value is not None else None
        except ValueError:
            return None

    def reload_seasons(self, select: int | None = None) -> None:
        """Fill the season choice (the newest year first) and open `select`, else the first."""
        try:
            seasons = Season.all(self.store)
        except UserError as exc:
            self._warn("年报审核", str(exc))
            seasons = []
        self.season_combo.blockSignals(True)
        self.season_combo.clear()
        for info in seasons:
            self.season_combo.addItem(info.name, info.id)
        index = self.season_combo.findData(select) if select is not None else -1
        self.season_combo.setCurrentIndex(index if index >= 0 else (0 if seasons else -1))
        self.season_combo.blockSignals(False)
        self._season_chosen()

    def _season_chosen(self) -> None:
        season_id = self.season_combo.currentData()
        self.season = None
        if isinstance(season_id, int):
            try:
                self.season = Season(self.store, season_id)
            except UserError as exc:
                self._warn("年报审核", str(exc))
            else:
                app_settings().setValue(self._settings_key(), season_id)
        self.setWindowTitle(f"年报审核 — {self.season.name}" if self.season else "年报审核")
        self.refresh()

    def new_season(self) -> None:
        from ui.season_dialogs import NewSeasonDialog

        dialog = NewSeasonDialog(self)
        if dialog.exec() != NewSeasonDialog.DialogCode.Accepted:
            return
        self.create_season(dialog.name(), dialog.year())

    def create_season(self, name: str, year: int) -> Season | None:
        try:
            season = Season.create(self.store, name, year)
        except UserError as exc:
            self._warn("新建审核", str(exc))
            return None
        self.reload_seasons(season.id)
        self.status_label.setText(
            f"已新建「{season.name}」。先点「单位…」列出要报送的单位（可从 Excel 粘贴），再添加收到的文件。"
        )
        return season

    def rename_season(self) -> None:
        if self.season is None:
            return
        name, ok = QInputDialog.getText(self, "重命名审核", "新的名称：", text=self.season.name)
        if ok:
            try:
                self.season.rename(name)
            except UserError as exc:
                self._warn("重命名审核", str(exc))
            self.reload_seasons(self.season.id)

    def delete_season(self) -> None:
        if self.season is None or self.running:
            return
        rows = self.model.rows
        received = sum(r.has_file for r in rows)
        answer = QMessageBox.question(
            self, "删除审核",
            f"删除「{self.season.name}」？它的 {sum(r.unit_id is not None for r in rows)} 个单位和 {received} "
            "个单位收到的文件记录（含历史版本）都会删除；文件本身不受影响。",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.season.delete()
        except UserError as exc:
            self._warn("删除审核", str(exc))
        self.reload_seasons()

    # --- the board -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the board again from the database, keeping the selection."""
        selected = set(self.selected_unit_ids())
        rows: list[BoardRow] = []
        self.model.today = self.today or date.today()  # a window left open overnight counts from the new day
        if self.season is not None:
            try:
                rows = self.season.board()
            except UserError as exc:
                self._warn("年报审核", str(exc))
        self.model.set_rows(rows)
        if selected:
            selection = self.table.selectionModel()
            for proxy_row in range(self.proxy.rowCount()):
                index = self.proxy.index(proxy_row, 0)
                row = index.data(RowRole)
                if isinstance(row, BoardRow) and row.unit_id in selected:
                    selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        self.summary_label.setText(summary_text(rows, self.model.today) if self.season is not None else "")
        self._update_buttons()

    def shown_rows(self) -> list[BoardRow]:
        """The rows as the table shows them: filtered and sorted."""
        out = []
        for proxy_row in range(self.proxy.rowCount()):
            row = self.proxy.index(proxy_row, 0).data(RowRole)
            if isinstance(row, BoardRow):
                out.append(row)
        return out

    def selected_rows(self) -> list[BoardRow]:
        rows = []
        for index in sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row()):
            row = index.data(RowRole)
            if isinstance(row, BoardRow):
                rows.append(row)
        return rows

    def selected_unit_ids(self) -> list[int]:
        return [r.unit_id for r in self.selected_rows() if r.unit_id is not None]

    def select_units(self, names: Sequence[str]) -> None:
        """Select the rows of these units (for the keyboard-less: tests and screenshots)."""
        self.table.clearSelection()
        selection = self.table.selectionModel()
        for proxy_row in range(self.proxy.rowCount()):
            index = self.proxy.index(proxy_row, 0)
            if index.data() in names:
                selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def _filter_changed(self) -> None:
        self.proxy.set_filter(self.filter_edit.text(), self.filter_combo.currentIndex())

    def set_filter(self, mode: int, text: str = "") -> None:
        self.filter_edit.setText(text)
        self.filter_combo.setCurrentIndex(mode)

    def _update_buttons(self) -> None:
        has = self.season is not None
        rows = self.selected_rows() if has else []
        one = len(rows) == 1
        for b in (self.add_files_button, self.add_folder_button, self.units_button, self.rename_button):
            b.setEnabled(has)
        self.delete_button.setEnabled(has and not self.running)
        self.season_combo.setEnabled(not self.running)
        self.new_button.setEnabled(not self.running)
        self.review_button.setEnabled(any(r.unit_id is not None for r in rows))
        self.history_button.setEnabled(one and rows[0].unit_id is not None and rows[0].versions > 0)
        self.view_button.setEnabled(one and rows[0].has_file)
        self.export_button.setEnabled(has and self.model.rowCount() > 0)
        self.totals_button.setEnabled(has and any(r.has_file and not r.error for r in (rows or self.model.rows)))
        self.compare_button.setEnabled(one and rows[0].unit_id is not None and rows[0].has_file and not rows[0].error)
        self.assign_button.setVisible(one and rows[0].unit_id is None)

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() not in (REVIEW, NOTE, RECEIVED):
            self.view_selected()

    # --- editing -------------------------------------------------------------------------------

    def _write(self, title: str, action: Callable[[Season], object]) -> bool:
        if self.season is None:
            return False
        try:
            action(self.season)
        except UserError as exc:
            self._warn(title, str(exc))
            return False
        finally:
            self.refresh()
        return True

    def _review_edited(self, unit_id: int, status: str) -> None:
        self._write("审核", lambda s: s.set_review(unit_id, status))

    def _note_edited(self, unit_id: int, note: str) -> None:
        self._write("备注", lambda s: s.set_note(unit_id, note))

    def _received_edited(self, file_id: int, received: object) -> None:
        if isinstance(received, date):
            self._write("收到日期", lambda s: s.set_received(file_id, received))

    def review_selected(self) -> None:
        from ui.season_dialogs import ReviewDialog

        ids = self.selected_unit_ids()
        if not ids:
            return
        rows = [r for r in self.selected_rows() if r.unit_id is not None]
        dialog = ReviewDialog([r.name for r in rows], rows[0].review, rows[0].note if len(rows) == 1 else None, self)
        self.dialogs.append(dialog)
        if dialog.exec() == ReviewDialog.DialogCode.Accepted:
            self.set_review(ids, dialog.status(), dialog.note())

    def set_review(self, unit_ids: Sequence[int], status: str, note: str | None) -> bool:
        return self._write("审核", lambda s: s.set_review(unit_ids, status, note))

    def manage_units(self) -> None:
        from ui.season_dialogs import UnitsDialog

        if self.season is None:
            return
        dialog = UnitsDialog(self.season, self)
        self.dialogs.append(dialog)
        dialog.changed.connect(self.refresh)
        dialog.exec()
        self.refresh()

    def show_history(self) -> None:
        from ui.season_dialogs import HistoryDialog

        rows = self.selected_rows()
        if self.season is None or len(rows) != 1 or rows[0].unit_id is None:
            return
        try:
            files = self.season.history(rows[0].unit_id)
        except UserError as exc:
            self._warn("历史", str(exc))
            return
        dialog = HistoryDialog(self.season, rows[0].name, files, self)
        self.dialogs.append(dialog)
        dialog.show()

    def assign_selected(self) -> None:
        """Ask which unit a file no unit was found for belongs to, and put it there."""
        rows = self.selected_rows()
        if self.season is None or len(rows) != 1 or rows[0].unit_id is not None or rows[0].file_id is None:
            return
        names = [r.name for r in self.model.rows if r.unit_id is not None]
        if not names:
            self._warn("归入单位", "还没有单位：请先点「单位…」添加。")
            return
        name, ok = QInputDialog.getItem(self, "归入单位", f"「{rows[0].file_name}」是哪个单位的？", names, 0, False)
        if ok and name:
            self.assign_file(rows[0].file_id, name)

    def assign_file(self, file_id: int, unit_name: str) -> bool:
        unit_id = next((r.unit_id for r in self.model.rows if r.name == unit_name and r.unit_id is not None), None)
        if unit_id is None:
            return False
        return self._write("归入单位", lambda s: s.assign_file(file_id, unit_id))

    def view_selected(self) -> None:
        from ui.season_dialogs import FileDetailDialog

        rows = self.selected_rows()
        if self.season is None or len(rows) != 1 or rows[0].file_id is None:
            return
        try:
            file = self.season.file(rows[0].file_id)
            findings = self.season.findings(file.id)
        except UserError as exc:
            self._warn("查看", str(exc))
            return
        dialog = FileDetailDialog(rows[0].name, file, findings, self)
        self.dialogs.append(dialog)
        dialog.show()

    # --- 汇总 and 同比 ---------------------------------------------------------------------------

    def totals_units(self) -> list[int]:
        """The units 汇总 sums: those selected, else every unit with a file."""
        rows = self.selected_rows() or self.model.rows
        return [r.unit_id for r in rows if r.unit_id is not None and r.has_file and not r.error]

    def region_agency(self) -> str:
        """The region's own government, offered for the draft of the region's report: the season's one
        unit reporting as a people's government, if there is exactly one."""
        governments = [r.name for r in self.model.rows if r.unit_id is not None and r.kind == KIND_GOVERNMENT]
        return governments[0] if len(governments) == 1 else ""

    def show_totals(self) -> QWidget | None:
        if self.season is None:
            return None
        from ui.region_totals import RegionTotalsDialog

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # 500 reports take about a second
        try:
            units = self.season.unit_reports(self.totals_units())
        except UserError as exc:
            QApplication.restoreOverrideCursor()
            self._warn("汇总", str(exc))
            return None
        QApplication.restoreOverrideCursor()
        if not units:
            return None
        dialog: QWidget = RegionTotalsDialog(
            units, self, store=self.store, agency=self.region_agency(), year=self.season.year
        )
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def show_compare(self) -> QWidget | None:
        rows = self.selected_rows()
        if self.season is None or len(rows) != 1 or rows[0].unit_id is None:
            return None
        from ui.compare_view import CompareDialog

        try:
            (current,) = self.season.unit_reports([rows[0].unit_id]) or (None,)
            earlier = self.season.previous_reports(rows[0].unit_id)
        except UserError as exc:
            self._warn("同比", str(exc))
            return None
        if current is None:
            return None
        dialog: QWidget = CompareDialog([*earlier, current.report], self, title=rows[0].name)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    # --- adding files --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._stop is not None

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择收到的报告文件", str(default_export_folder()), _FILE_FILTER)
        if paths:
            self.add_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择收到的报告所在的文件夹", str(default_export_folder()))
        if folder:
            self.add_paths([Path(folder)])

    def received_date(self) -> date:
        chosen = self.received_edit.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Read and keep these files and folders; while a batch runs they wait their turn."""
        if not paths or self.season is None:
            return
        if self.running:
            self._pending.extend(paths)
            self.status_label.setText(f"正在读取；新添加的 {len(paths)} 项将在本批完成后读取。")
            return
        try:
            previous = self.season.previous_lookup()
            known = self.season.known_hashes()
        except UserError as exc:
            self._warn("添加文件", str(exc))
            return
        self._stop = threading.Event()
        self._target = self.season  # files go to the season they were added to, whatever is shown meanwhile
        self._received = self.received_date()  # and count as received on the day set when they were added
        self._results = []
        self._total = 0
        relay = _ReadRelay()
        queued = Qt.ConnectionType.QueuedConnection
        relay.planned.connect(self._on_planned, queued)
        relay.read.connect(self._on_read, queued)
        relay.progressed.connect(self._on_progress, queued)
        relay.finished.connect(self._on_finished, queued)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.status_label.setText("正在查找报告文件…")
        self._update_buttons()
        QThreadPool.globalInstance().start(_ReadRunnable(list(paths), previous, known, self._stop, relay))

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._pending.clear()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("正在取消：当前文件读完后停止…")

    def _on_planned(self, total: int) -> None:
        self._total = total
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.progress.setValue(done)
        if name and not (self._stop is not None and self._stop.is_set()):
            self.status_label.setText(f"正在读取 {done + 1}/{total}：{name}")

    def _on_read(self, check: object, digest: str) -> None:
        season = self._target
        if not isinstance(check, FileCheck) or season is None:
            return
        if not digest:
            result = AddResult("unreadable", f"「{check.name}」{check.error}，没有添加。")
        else:
            try:
                result = season.add_file(
                    check.path, check.report, check.findings, check.log, error=check.error, name=check.name,
                    received=self._received, digest=digest,
                )
            except UserError as exc:
                result = AddResult("failed", f"「{check.name}」没有添加：{exc}")
        self._results.append(result)
        self.messages.addItem(result.message)
        self.messages.setVisible(True)
        self.messages.scrollToBottom()
        self.refresh()

    def _on_finished(self, cancelled: bool) -> None:
        self._stop = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        results = self._results
        count = {k: sum(r.outcome == k for r in results) for k in ("added", "replaced", "duplicate")}
        created = sum(r.unit_created for r in results)
        wrong = sum(r.wrong_year for r in results)
        failed = len(results) - sum(count.values())
        parts = [f"新收 {count['added']} 个", f"替换 {count['replaced']} 个"]
        if count["duplicate"]:
            parts.append(f"重复 {count['duplicate']} 个（未添加）")
        if created:
            parts.append(f"新建单位 {created} 个")
        if wrong:
            parts.append(f"年度不符 {wrong} 个")
        if failed:
            parts.append(f"未能添加 {failed} 个")
        head = "已取消" if cancelled else ("没有找到报告文件" if not self._total else "添加完成")
        self.status_label.setText(f"{head}：" + "，".join(parts) + "。" if self._total else f"{head}。")
        self._update_buttons()
        self.readFinished.emit(cancelled)
        if self._pending and not cancelled:
            pending, self._pending = self._pending, []
            self.add_paths(pending)

    # --- export --------------------------------------------------------------------------------

    def choose_export(self) -> None:
        name = f"{self.season.name if self.season else SHEET_NAME}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, "导出审核表格", str(default_export_folder() / name), "Excel 工作簿 (*.xlsx)"
        )
        if path:
            target = Path(path)
            if target.suffix.lower() != ".xlsx":
                target = target.with_name(target.name + ".xlsx")
            self.export_board(target)

    def export_board(self, path: Path) -> bool:
        """Write the board as shown (the rows filtered and sorted) as XLSX, atomically."""
        try:
            write_table(path, [board_sheet(self.shown_rows(), self.model.today)])
        except OSError as exc:
            message = export_error_message(exc, path)
            self.status_label.setText(f"没有导出：{message}")
            QMessageBox.warning(self, "导出审核表格", message)
            return False
        self.last_export = path
        remember_export_folder(path.parent)
        self.status_label.setText(f"已导出：{path}")
        self.exported.emit(str(path))
        return True

    # --- the rest ------------------------------------------------------------------------------

    def _warn(self, title: str, message: str) -> None:
        self.status_label.setText(message)
        QMessageBox.warning(self, title, message)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.season is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.season is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if not paths or self.season is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and not self.running:
            self.check_external_changes()

    def check_external_changes(self) -> bool:
        """Read the seasons again when another window or process saved to the database since."""
        try:
            version = self.store.data_version()
        except UserError:
            return False
        if version == self._data_version:
            return False
        self._data_version = version
        self.reload_seasons(self.season.id if self.season is not None else None)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        settings = app_settings()
        settings.beginGroup(SETTINGS_GROUP)
        save_window(self, settings)
        settings.endGroup()
        event.accept()

