"""The grids of sections 二, 三 and 四: a table model over the open report and a spreadsheet-like view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QFrame,
    QLineEdit,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from core.checks import ERROR
from core.clipboard import TOTALS_MISMATCH, PastePlan, clipboard_block, plan_paste, to_tsv, total_mismatches
from core.template import CellDef
from exports.layout import S3_NUMBER_COLUMN_MM, GridCell, Table, build_layout
from ui.session import ReportSession

CellIdRole = Qt.ItemDataRole.UserRole + 1

# A blank input cell is a BLANK-CELL warning; on a fresh report that is every cell, so it gets no tint
# (the empty cell shows it) and only the tooltip says so. Other warnings are yellow.
QUIET_RULES = frozenset({"BLANK-CELL"})
COMPUTED_NOTE = "自动计算"

ERROR_BACKGROUND = QColor("#f7c9c9")
WARNING_BACKGROUND = QColor("#fdf0b8")
COMPUTED_BACKGROUND = QColor("#ececec")
HEADER_BACKGROUND = QColor("#e2e8ef")
FROZEN_EDGE = QColor("#7d8894")  # the line where the frozen labels and headers end, as a spreadsheet draws it

ROW_PADDING = 2  # extra pixels of height per row: air around the figures, yet the whole of 三 (28 rows) fits a
# maximised window on a 1366×768 screen with room for a title bar and a panel (at 4 it fitted with 11 pixels)

AnyIndex = QModelIndex | QPersistentModelIndex
_Span = tuple[int, int, int, int]


class ReportTableModel(QAbstractTableModel):
    """One official table ("s2", "s3" or "s4") as its printed grid: header rows and label columns are
    read-only cells, number cells show the session's values live. Merged cells are answered at their
    top-left position; the other positions they cover are empty and belong to the same cell."""

    def __init__(self, session: ReportSession, table_id: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table_id = table_id
        self._bold = QFont()
        self._bold.setBold(True)
        self._build_geometry()
        session.cellsChanged.connect(self._on_cells_changed)
        session.statusChanged.connect(self._on_status_changed)

    # --- geometry (built once per template; values never come from it) ---------------------------

    def _build_geometry(self) -> None:
        report = self.session.report
        self._template_id = report.template_id
        layout = build_layout(report, blank_as_zero=False)
        tables = [t for t in layout.tables if t.id == self.table_id]
        if not tables:
            raise ValueError(f"no table {self.table_id!r} in the layout")
        self.table: Table = tables[0]
        template = report.template
        self._cover: list[list[GridCell | None]] = [[None] * self.table.columns for _ in range(self.table.rows)]
        self._position: dict[str, tuple[int, int]] = {}
        self._defs: dict[str, CellDef] = {}
        for cell in self.table.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    self._cover[r][c] = cell
            if cell.cell_id is not None:
                self._position[cell.cell_id] = (cell.row, cell.col)
                self._defs[cell.cell_id] = template.cell(cell.cell_id)
        self._editable_grid: list[list[CellDef | None]] = [
            [self._defs[g.cell_id] if g is not None and g.cell_id is not None else None for g in row]
            for row in self._cover
        ]
        # The label or header text covering each position ("" where numbers are): a paste carrying the
        # table's labels is recognised by them.
        self._labels: list[list[str]] = [
            [g.text if g is not None and g.cell_id is None else "" for g in row] for row in self._cover
        ]

    def spans(self) -> list[_Span]:
        """(row, col, rowspan, colspan) of every merged cell, for QTableView.setSpan."""
        return [(c.row, c.col, c.rowspan, c.colspan) for c in self.table.cells if c.rowspan > 1 or c.colspan > 1]

    def cell_at(self, row: int, col: int) -> GridCell | None:
        """The grid cell covering (row, col): merged cells answer at every position they cover."""
        if 0 <= row < self.table.rows and 0 <= col < self.table.columns:
            return self._cover[row][col]
        return None

    def index_of(self, cell_id: str) -> QModelIndex:
        """The index showing a report cell (top-left of a merged cell); invalid if not in this table."""
        position = self._position.get(cell_id)
        return self.index(*position) if position is not None else QModelIndex()

    def cell_id(self, index: AnyIndex) -> str | None:
        """The report cell at an index (also at positions a merged number cell covers); None for labels."""
        if not index.isValid():
            return None
        cell = self.cell_at(index.row(), index.column())
        return cell.cell_id if cell is not None else None

    def cell_def(self, cell_id: str) -> CellDef | None:
        return self._defs.get(cell_id)

    def is_input(self, index: AnyIndex) -> bool:
        """A cell the user types into (not a label, header or computed total), final or not."""
        cell_id = self.cell_id(index)
        return cell_id is not None and not self._defs[cell_id].computed

    def is_editable(self, index: AnyIndex) -> bool:
        return self.is_input(index) and not self.session.final

    def editable_grid(self) -> list[list[CellDef | None]]:
        """The cell at each grid position for core.clipboard.plan_paste: None for labels and headers; a
        merged number cell is there at every position it covers. Shared, do not modify."""
        return self._editable_grid

    def plan_paste(self, top: int, left: int, block: Sequence[Sequence[str]]) -> PastePlan:
        """core.clipboard.plan_paste on this grid, its labels and its merged number cells."""
        return plan_paste(self._editable_grid, top, left, block, self._labels)

    # --- Qt model --------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else self.table.rows

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.table.columns

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_editable(index):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self.cell_at(index.row(), index.column())
        if cell is None:
            return None
        if role == CellIdRole:
            return cell.cell_id
        if (cell.row, cell.col) != (index.row(), index.column()):
            return None  # covered by a merged cell: the view shows its top-left position only
        cell_id = cell.cell_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return cell.text if cell_id is None else self.session.display(cell_id)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignLeft
                if cell_id is None and cell.align == "left"
                else (Qt.AlignmentFlag.AlignHCenter)
            )
            return horizontal | Qt.AlignmentFlag.AlignVCenter
        if cell_id is None:
            if role == Qt.ItemDataRole.BackgroundRole:
                return HEADER_BACKGROUND
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f.message for f in sorted(self.session.findings_for(cell_id), key=lambda f: f.severity != ERROR)]
            if self._defs[cell_id].computed:
                lines.insert(0, COMPUTED_NOTE)
            return "\n".join(lines) or None
        if role == Qt.ItemDataRole.BackgroundRole:
            findings = self.session.findings_for(cell_id)
            if any(f.severity == ERROR for f in findings):
                return ERROR_BACKGROUND
            if any(f.rule not in QUIET_RULES for f in findings):
                return WARNING_BACKGROUND
            if self._defs[cell_id].computed:
                return COMPUTED_BACKGROUND
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Store what was typed (the session parses, saves and makes it one undo step); text that is not a
        number is kept as typed and shows as a VALUE-INVALID finding, so nothing typed is lost."""
        if role != Qt.ItemDataRole.EditRole or not self.is_editable(index):
            return False
        cell_id = self.cell_id(index)
        assert cell_id is not None
        return self.session.edit_cells({cell_id: value})

    # --- following the session -----------------------------------------------------------------

    def _on_cells_changed(self, cell_ids: list[str]) -> None:
        if self.session.report.template_id != self._template_id:
            # Only a restore from the history can change the template: the whole grid is different.
            self.beginResetModel()
            self._build_geometry()
            self.endResetModel()
            return
        for cell_id in cell_ids:
            position = self._position.get(cell_id)
            if position is not None:
                index = self.createIndex(*position)
                self.dataChanged.emit(index, index)

    def _on_status_changed(self, _status: str) -> None:
        # Flags (editable or not) changed everywhere; dataChanged makes views ask again.
        self.dataChanged.emit(self.index(0, 0), self.index(self.table.rows - 1, self.table.columns - 1))



class _GridDelegate(QStyledItemDelegate):
    """Enter commits at once (Qt's own delegate commits through a queued call) and then the view moves down."""

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and isinstance(editor, QWidget)
        ):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.SubmitModelCache)
            return True
        return super().eventFilter(editor, event)


class _PaneDelegate(QStyledItemDelegate):
    """Draws a merged label or header of a frozen pane in the part of it that is in view: scrolled right,
    申请人情况 stays readable over the columns still shown, as 三、本年度办理结果 does when scrolled down."""

    def __init__(self, pane: _FrozenPane) -> None:
        super().__init__(pane)
        self._pane = pane

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        free = self._pane.free_rect()
        if not free.contains(option.rect):
            shown = option.rect.intersected(free)
            if not shown.isEmpty():
                option = QStyleOptionViewItem(option)
                option.rect = shown
        super().paint(painter, option, index)


class _FrozenPane(QTableView):
    """A frozen part of a grid: its label columns, its header rows, or the corner where they meet. It lies
    over the scrolling view with the same model, selection model, spans, widths and heights, scrolls
    with it along the axis it is not frozen in, and never takes the keyboard (a click in it selects in
    the shared selection and leaves the focus with the grid)."""

    def __init__(self, grid: ReportGridView, name: str, *, follows_x: bool, follows_y: bool) -> None:
        super().__init__(grid)
        self._grid = grid
        self._follows_x = follows_x
        self._follows_y = follows_y
        self.setObjectName(name)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setWordWrap(True)
        self.setAutoScroll(False)
        self.setItemDelegate(_PaneDelegate(self))
        self.hide()

    def free_rect(self) -> QRect:
        """The part of this pane's viewport that no other pane covers (the corner lies over the others)."""
        rect = self.viewport().rect()
        width, height = self._grid.frozen_size()
        if self._follows_x:
            rect.setLeft(width)
        if self._follows_y:
            rect.setTop(height)
        return rect

    def follow(self) -> None:
        """Take the grid's scroll position along the followed axis; stay at the start of the other."""
        self.horizontalScrollBar().setValue(self._grid.horizontalScrollBar().value() if self._follows_x else 0)
        self.verticalScrollBar().setValue(self._grid.verticalScrollBar().value() if self._follows_y else 0)

    def updateGeometries(self) -> None:
        super().updateGeometries()
        self.follow()  # the scroll ranges may have just changed

    def scrollTo(self, index: Any, hint: Any = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        """The grid decides where to scroll; a pane only follows it."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._grid.wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._grid.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setPen(QPen(FROZEN_EDGE, 1))
        rect = self.viewport().rect()
        model = self.model()
        if model is not None and model.rowCount() and model.columnCount():  # not past the table's end
            last_row, last_col = model.rowCount() - 1, model.columnCount() - 1
            rect.setBottom(min(rect.bottom(), self.rowViewportPosition(last_row) + self.rowHeight(last_row) - 1))
            rect.setRight(min(rect.right(), self.columnViewportPosition(last_col) + self.columnWidth(last_col) - 1))
        if not self._follows_x:
            painter.drawLine(rect.topRight(), rect.bottomRight())
        if not self._follows_y:
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.end()


class ReportGridView(QTableView):
    """A table of the report laid out like the printed one, with spreadsheet keys: arrows, Tab, Enter moves
    down (after a run of Tabs, to the column the run started from), Home/End to the row's first/last input
    cell and with Ctrl to the table's, typing replaces, F2 edits, Delete clears the selection, Ctrl+C /
    Ctrl+V as TSV (a web table's HTML too). Its label columns and header rows are frozen panes."""

    notice = Signal(str)  # a Chinese message for the user (e.g. why a paste was refused)

    def __init__(self, parent: QWidget | None = None, *, model: ReportTableModel | None = None) -> None:
        super().__init__(parent)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setWordWrap(True)
        self.setTabKeyNavigation(True)
        self.setCornerButtonEnabled(False)
        self.setItemDelegate(_GridDelegate(self))
        self._session: ReportSession | None = None
        self._tab_origin: int | None = None  # the column a run of Tabs started from
        self._tab_target: tuple[int, int] | None = None  # where the Tab being handled moves to
        self.paste_notice: QMessageBox | None = None  # the open notice of pasted totals that differ
        # Frozen panes, as a spreadsheet freezes them: the label columns stay when scrolling right, the
        # header rows when scrolling down. Scrolling is by pixel so that no row hides half under them.
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen_columns = _FrozenPane(self, "frozen_columns", follows_x=False, follows_y=True)
        self.frozen_rows = _FrozenPane(self, "frozen_rows", follows_x=True, follows_y=False)
        self.frozen_corner = _FrozenPane(self, "frozen_corner", follows_x=False, follows_y=False)
        self._panes = (self.frozen_columns, self.frozen_rows, self.frozen_corner)
        self._frozen = (0, 0)  # (rows, columns) frozen now; fewer than the table's when the view is too small
        self.horizontalScrollBar().valueChanged.connect(self.frozen_rows.follow)
        self.verticalScrollBar().valueChanged.connect(self.frozen_columns.follow)
        if model is not None:
            self.setModel(model)

    def report_model(self) -> ReportTableModel | None:
        model = self.model()
        return model if isinstance(model, ReportTableModel) else None

    def setModel(self, model: Any) -> None:
        old = self.report_model()
        if old is not None:
            old.modelReset.disconnect(self._apply_geometry)
        if self._session is not None:
            self._session.statusChanged.disconnect(self._on_status_changed)
            self._session = None
        super().setModel(model)
        for pane in self._panes:
            pane.setModel(model)
            pane.setSelectionModel(self.selectionModel())  # one selection, shown in every part
        if isinstance(model, ReportTableModel):
            model.modelReset.connect(self._apply_geometry)
            self._session = model.session
            self._session.statusChanged.connect(self._on_status_changed)
            self._apply_geometry()

    def _apply_geometry(self) -> None:
        model = self.report_model()
        if model is None:
            return
        if not self.objectName():
            self.setObjectName(f"{model.table_id}.grid")
        self.clearSpans()
        for row, col, rowspan, colspan in model.spans():
            self.setSpan(row, col, rowspan, colspan)
        metrics = self.fontMetrics()
        # The printed proportions (the layout's widths are millimetres): a column of 三's numbers, which
        # holds a 4-character header such as 商业企业, sets the scale for every table.
        unit = (metrics.horizontalAdvance("商业企业") + 16) / S3_NUMBER_COLUMN_MM
        for col, width in enumerate(model.table.widths):
            self.setColumnWidth(col, round(width * unit))
        self._fit_rows(model)
        for pane in self._panes:
            pane.clearSpans()
            for row, col, rowspan, colspan in model.spans():
                pane.setSpan(row, col, rowspan, colspan)
            for col in range(model.columnCount()):
                pane.setColumnWidth(col, self.columnWidth(col))
            for row in range(model.rowCount()):
                pane.setRowHeight(row, self.rowHeight(row))
        self._place_panes()

    # --- frozen panes ----------------------------------------------------------------------------

    def frozen_extent(self) -> tuple[int, int]:
        """(rows, columns) the table freezes: its header rows, and the label columns before its first
        number column (三: three rows and three columns; 四: three rows; 二: the label column)."""
        model = self.report_model()
        if model is None:
            return 0, 0
        numbers = [c.col for c in model.table.cells if c.cell_id is not None]
        return model.table.header_rows, min(numbers, default=0)

    def frozen_size(self) -> tuple[int, int]:
        """Pixel width and height of the frozen columns and rows shown now."""
        rows, columns = self._frozen
        return sum(self.columnWidth(c) for c in range(columns)), sum(self.rowHeight(r) for r in range(rows))

    def _place_panes(self) -> None:
        """Lay the frozen panes over the viewport. A part is frozen only if a number column (row) still
        has room beside (below) it; otherwise it scrolls as before."""
        if "_panes" not in self.__dict__:
            return  # Qt lays the view out while it is being built, before the panes exist
        model = self.report_model()
        viewport = self.viewport().geometry()
        rows, columns = self.frozen_extent()
        if model is not None:
            widths = [self.columnWidth(c) for c in range(model.columnCount())]
            if sum(widths[:columns]) + max(widths[columns:], default=0) > viewport.width():
                columns = 0
            heights = [self.rowHeight(r) for r in range(model.rowCount())]
            if sum(heights[:rows]) + max(heights[rows:], default=0) > viewport.height():
                rows = 0
        self._frozen = (rows, columns)
        width, height = self.frozen_size()
        x, y = viewport.x(), viewport.y()
        geometry = {
            self.frozen_columns: QRect(x, y, width, viewport.height()),
            self.frozen_rows: QRect(x, y, viewport.width(), height),
            self.frozen_corner: QRect(x, y, width, height),
        }
        for pane, rect in geometry.items():
            shown = model is not None and rect.width() > 0 and rect.height() > 0
            if shown:
                pane.setGeometry(rect)
                pane.follow()
            pane.setVisible(shown)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._place_panes()

    def updateGeometries(self) -> None:
        super().updateGeometries()  # scroll bars come and go: the viewport changes size
        self._place_panes()

    def scrollTo(self, index: Any, hint: Any = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        """Bring a cell into the part of the viewport the frozen panes leave free (a frozen cell is always
        in view along its frozen axis). The whole merged cell is brought in, its start first, and the
        first row (column) beside the frozen part starts whole where it can, as in a spreadsheet."""
        model = self.report_model()
        if model is None or not index.isValid():
            return
        cell = model.cell_at(index.row(), index.column())
        row, col, rowspan, colspan = (
            (cell.row, cell.col, cell.rowspan, cell.colspan) if cell else (index.row(), index.column(), 1, 1)
        )
        rows, columns = self._frozen
        width, height = self.frozen_size()
        viewport = self.viewport().rect()
        if col >= columns:
            sizes = [self.columnWidth(c) for c in range(model.columnCount())]
            self._bring_in(self.horizontalScrollBar(), sizes, columns, col, colspan, width, viewport.width())
        if row >= rows:
            sizes = [self.rowHeight(r) for r in range(model.rowCount())]
            self._bring_in(self.verticalScrollBar(), sizes, rows, row, rowspan, height, viewport.height())

    @staticmethod
    def _bring_in(bar: Any, sizes: list[int], frozen: int, first: int, span: int, fixed: int, length: int) -> None:
        """Scroll one axis so that sections first..first+span-1 show between the frozen part (`fixed`
        pixels) and the end of the viewport (`length`)."""
        starts = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
        start, end = starts[first], starts[first + span]
        if start < bar.value() + fixed:
            bar.setValue(start - fixed)
        elif end > bar.value() + length:
            needed = min(end - length, start - fixed)
            aligned = [s - fixed for s in starts[frozen : first + 1] if s - fixed >= needed]
            bar.setValue(min(aligned, default=needed))

    def _fit_rows(self, model: ReportTableModel) -> None:
        """Rows as high as their wrapped labels need. QTableView.resizeRowsToContents would give the whole
        height of a label merged over several rows to its first row; here it is shared by those rows."""
        delegate = self.itemDelegate()
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        padding = (1 if self.showGrid() else 0) + ROW_PADDING

        def needed(cell: GridCell) -> int:
            width = sum(self.columnWidth(c) for c in range(cell.col, cell.col + cell.colspan))
            option.rect = QRect(0, 0, width, 1)
            return delegate.sizeHint(option, model.index(cell.row, cell.col)).height() + padding

        heights = [0] * model.rowCount()
        merged: list[GridCell] = []
        for cell in model.table.cells:
            if cell.rowspan == 1:
                heights[cell.row] = max(heights[cell.row], needed(cell))
            else:
                merged.append(cell)
        for cell in merged:
            rows = range(cell.row, cell.row + cell.rowspan)
            missing = needed(cell) - sum(heights[r] for r in rows)
            for i, r in enumerate(rows):
                heights[r] += max(0, missing) // cell.rowspan + (1 if i < max(0, missing) % cell.rowspan else 0)
        for row, height in enumerate(heights):
            self.setRowHeight(row, height)

    def dataChanged(self, topLeft: Any, bottomRight: Any, roles: Sequence[int] = ()) -> None:
        """A cell whose editor is open keeps what is being typed when its value changes underneath
        (another process saved it): Qt would put the new value into the editor. The user's value,
        typed last, is saved on Enter."""
        if (
            topLeft == bottomRight
            and self.state() == QAbstractItemView.State.EditingState
            and self.indexWidget(topLeft) is not None
        ):
            self.viewport().update(self.visualRect(topLeft))
            return
        super().dataChanged(topLeft, bottomRight, list(roles))

    def _on_status_changed(self, _status: str) -> None:
        if self.state() == QAbstractItemView.State.EditingState and self._session and self._session.final:
            editor = self.indexWidget(self.currentIndex())
            if editor is not None:
                self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)

    # --- keys ------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Our own copy, paste and clear win over window shortcuts with the same keys while the grid has focus.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._grid_key(event):
            event.accept()
            return True
        return super().event(event)

    def _grid_key(self, event: QKeyEvent) -> bool:
        if self.state() == QAbstractItemView.State.EditingState:
            return False
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.NoModifier
        return (
            event.matches(QKeySequence.StandardKey.Copy)
            or event.matches(QKeySequence.StandardKey.Paste)
            or (plain and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Return, Qt.Key.Key_Enter))
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._grid_key(event):
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
            elif event.matches(QKeySequence.StandardKey.Paste):
                self.paste_clipboard()
            elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_selected_cells()
            else:
                self._move_down()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyboardSearch(self, search: str) -> None:
        """Typing on a read-only cell does nothing (a list view would jump to a matching item)."""

    def edit(self, index: Any, trigger: Any = None, event: Any = None) -> bool:  # type: ignore[override]
        if trigger is None:  # the one-argument overload QAbstractItemView.edit(index)
            return bool(super().edit(index))
        started = bool(super().edit(index, trigger, event))
        if started and trigger == QAbstractItemView.EditTrigger.EditKeyPressed:
            # F2 edits the content: cursor at the end, nothing selected (typing on a cell replaces it).
            editor = self.indexWidget(index)
            if isinstance(editor, QLineEdit):
                editor.deselect()
                editor.end(False)
        return started

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, hint)
        # The delegate ends an edit with Enter as SubmitModelCache: committed, now move down as a sheet does.
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._move_down()

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        action = QAbstractItemView.CursorAction
        found = QModelIndex()
        if cursorAction in (action.MoveNext, action.MovePrevious):
            found = self._next_input(forward=cursorAction == action.MoveNext)
            if found.isValid():
                # A run of Tabs remembers the column it started from: Enter returns there (as Excel does).
                if self._tab_origin is None and self.currentIndex().isValid():
                    self._tab_origin = self.currentIndex().column()
                self._tab_target = (found.row(), found.column())
        elif cursorAction in (action.MoveHome, action.MoveEnd):
            whole_table = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
            found = self._end_input(last=cursorAction == action.MoveEnd, whole_table=whole_table)
        return found if found.isValid() else super().moveCursor(cursorAction, modifiers)

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:  # type: ignore[override]
        super().currentChanged(current, previous)
        if self._tab_target != (current.row(), current.column()):
            self._tab_origin = None  # moved otherwise than by Tab: the run is over
        self._tab_target = None

    def _end_input(self, *, last: bool, whole_table: bool) -> QModelIndex:
        """Home/End: the first/last input cell of the current row; with Ctrl, of the whole table. A row
        without input cells (（七）总计, a header) goes to its first/last number cell, else Qt's own move."""
        model = self.report_model()
        current = self.currentIndex()
        if model is None or not current.isValid():
            return QModelIndex()
        numbers = sorted((c.row, c.col) for c in model.table.cells if c.cell_id is not None)
        if not whole_table:
            here = model.cell_at(current.row(), current.column())
            top, height = (here.row, here.rowspan) if here is not None else (current.row(), 1)
            rows = range(top, top + height)
            numbers = [p for p in numbers if p[0] in rows]
        inputs = [p for p in numbers if model.is_input(model.index(*p))] or numbers
        if not inputs:
            return QModelIndex()
        return model.index(*(inputs[-1] if last else inputs[0]))

    def _next_input(self, *, forward: bool) -> QModelIndex:
        """Tab: the next cell to type into in reading order (number cells when the report is final)."""
        model = self.report_model()
        if model is None:
            return QModelIndex()
        anchors = [(c.row, c.col) for c in model.table.cells if c.cell_id is not None]
        anchors.sort()
        targets = [p for p in anchors if model.is_editable(model.index(*p))] or anchors
        if not targets:
            return QModelIndex()
        current = self.currentIndex()
        here = (current.row(), current.column()) if current.isValid() else (-1, -1)
        if forward:
            after = [p for p in targets if p > here]
            return model.index(*(after[0] if after else targets[0]))
        before = [p for p in targets if p < here]
        return model.index(*(before[-1] if before else targets[-1]))

    def _move_down(self) -> None:
        """Enter: the next cell to type into below in the same column, else simply the cell below. After a
        run of Tabs the column is the one the run started from (type across a row, Enter, the next row)."""
        model = self.report_model()
        current = self.currentIndex()
        if model is None or not current.isValid():
            return
        column = self._tab_origin if self._tab_origin is not None else current.column()
        self._tab_origin = None
        here = model.cell_at(current.row(), current.column())
        start = here.row + here.rowspan if here is not None else current.row() + 1
        for row in range(start, model.rowCount()):
            below = model.cell_at(row, column)
            if below is not None and model.is_editable(model.index(below.row, below.col)):
                self.setCurrentIndex(model.index(below.row, below.col))
                return
        target = super().moveCursor(QAbstractItemView.CursorAction.MoveDown, Qt.KeyboardModifier.NoModifier)
        if target.isValid():
            self.setCurrentIndex(target)

    # --- ranges: copy, paste, clear --------------------------------------------------------------

    def selected_rect(self) -> tuple[int, int, int, int] | None:
        """(top, left, bottom, right) around the selection, or the current cell when nothing is selected."""
        selection = self.selectionModel()
        indexes = selection.selectedIndexes() if selection is not None else []
        if not indexes:
            current = self.currentIndex()
            if not current.isValid():
                return None
            indexes = [current]
        rows = [i.row() for i in indexes]
        columns = [i.column() for i in indexes]
        return min(rows), min(columns), max(rows), max(columns)

    def copy_selection(self) -> str:
        """Copy the selected rectangle as tab-separated text of the shown texts (labels and totals too)."""
        model = self.report_model()
        rect = self.selected_rect()
        if model is None or rect is None:
            return ""
        top, left, bottom, right = rect
        rows = [[model.data(model.index(r, c)) or "" for c in range(left, right + 1)] for r in range(top, bottom + 1)]
        text = to_tsv(rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste_clipboard(self) -> bool:
        """Paste a spreadsheet block at the current cell as one undo step, or refuse it whole (notice).
        A block in the official shape may carry row labels, header rows and totals: labels and headers
        are recognised and skipped, totals are not set but compared with the computed ones, and any that
        differ are said in the status bar and in a notice that offers to undo the paste."""
        model = self.report_model()
        current = self.currentIndex()
        if model is None:
            return False
        if not current.isValid():
            self.notice.emit("请先选中要粘贴到的第一个单元格")
            return False
        mime = QGuiApplication.clipboard().mimeData()
        block = clipboard_block(mime.text(), mime.html() if mime.hasHtml() else "") if mime is not None else []
        plan = model.plan_paste(current.row(), current.column(), block)
        if plan.refusal:
            self.notice.emit(plan.refusal)
            return False
        session = model.session
        steps = session.undo_stack.index()
        if plan.changes and not session.edit_cells(dict(plan.changes), "粘贴"):
            return False
        undoable = session.undo_stack.index() != steps  # nothing new was pushed when every value was there
        if plan.area is not None:
            top, left, bottom, right = plan.area
            pasted = QItemSelection(model.index(top, left), model.index(bottom, right))
            self.selectionModel().select(pasted, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        mismatches = total_mismatches(plan, session.totals)
        if mismatches:
            more = f" 等 {len(mismatches)} 处" if len(mismatches) > 1 else ""
            self.notice.emit(f"{TOTALS_MISMATCH}{mismatches[0]}{more}")
            self._show_paste_notice(mismatches, undoable=undoable)
        elif plan.totals or plan.skipped:
            parts = [f"已粘贴 {len(plan.changes)} 个单元格"]
            if plan.skipped:
                parts.append(f"表头和行名称 {plan.skipped} 处未粘贴")
            if plan.totals:
                parts.append(f"粘贴的 {len(plan.totals)} 个合计与计算一致")
            self.notice.emit("，".join(parts))
        return True

    def _show_paste_notice(self, mismatches: list[str], *, undoable: bool) -> None:
        """A non-modal notice listing the totals that differ: the numbers stay pasted (the clerk may have
        copied a table with an error in it), and one button undoes the paste if it was not meant."""
        session = self._session
        if self.paste_notice is not None:
            self.paste_notice.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "粘贴的总计与计算不符", "", parent=self)
        box.setObjectName("paste_totals_notice")
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setText(
            f"数字已粘贴。粘贴的数据里有 {len(mismatches)} 个总计与按粘贴的数字计算的结果不同，"
            "可能是原表格算错了，或者粘贴错了行或列，请核对。"
        )
        if len(mismatches) > 5:
            box.setDetailedText("\n".join(mismatches))
        box.setInformativeText("\n".join(mismatches[:5]) + ("\n……" if len(mismatches) > 5 else ""))
        keep = box.addButton("保留粘贴", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(keep)
        if undoable and session is not None:
            step = session.undo_stack.index()
            undo = box.addButton("撤销这次粘贴", QMessageBox.ButtonRole.RejectRole)
            undo.setObjectName("undo_paste")

            def undo_paste() -> None:
                if session.undo_stack.index() == step and session.undo_stack.canUndo():
                    session.undo_stack.undo()
                else:
                    self.notice.emit("粘贴之后已有其他修改，请用“撤销”（Ctrl+Z）逐步撤销")

            undo.clicked.connect(undo_paste)
        box.finished.connect(lambda _result: self._paste_notice_closed(box))
        self.paste_notice = box
        box.show()

    def _paste_notice_closed(self, box: QMessageBox) -> None:
        if self.paste_notice is box:
            self.paste_notice = None

    def clear_selected_cells(self) -> bool:
        """Delete: blank every input cell in the selection as one undo step (labels and totals stay)."""
        model = self.report_model()
        if model is None:
            return False
        selection = self.selectionModel()
        indexes = selection.selectedIndexes() if selection is not None else []
        if not indexes and self.currentIndex().isValid():
            indexes = [self.currentIndex()]
        # A position covered by a merged number cell stands for that cell.
        ids = {cell_id: None for index in indexes if model.is_input(index) and (cell_id := model.cell_id(index))}
        if not ids:
            return False
        return model.session.edit_cells(ids, "清除")

    # --- finding ---------------------------------------------------------------------------------

    def find_row(self, text: str) -> bool:
        """Select the first number cell of the first row whose label (own or group label) contains text."""
        model = self.report_model()
        needle = text.strip()
        if model is None or not needle:
            return False
        for row in range(model.rowCount()):
            cells = [model.cell_at(row, col) for col in range(model.columnCount())]
            numbers = [c for c in cells if c is not None and c.cell_id is not None]
            labels = [c.text for c in cells if c is not None and c.cell_id is None]
            if numbers and any(needle in label for label in labels):
                first = min(numbers, key=lambda c: c.col)
                return self._select(model.index(first.row, first.col))
        return False

    def select_cell(self, cell_id: str) -> bool:
        """Scroll to and select a report cell (from the findings panel)."""
        model = self.report_model()
        return model is not None and self._select(model.index_of(cell_id))

    def _select(self, index: QModelIndex) -> bool:
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index)
        return True
