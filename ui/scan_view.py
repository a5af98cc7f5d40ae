"""扫描件核对: a scan's pages beside the cells read from them, so that a reviewer compares exactly the
uncertain cells with the paper before a scan is imported. Left, the page as recognised with a frame over
every cell read (red: below the threshold; dashed: read once more because the table did not add up);
right, the cells (uncertain first) and, under them, the selected cell's crop of the page, enlarged."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStyle,
    QStyleOptionGraphicsItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.report import cell_label
from core.template import Template
from reading.batch import ScanSummary, cell_position, scan_rows, score_text
from reading.document import ScanCell, ScanInfo

UNCERTAIN_TINT = QColor("#fde2e2")
UNCERTAIN_PEN = QColor("#d00000")
CERTAIN_PEN = QColor(46, 125, 50, 170)  # green, half transparent: present without shouting
REREAD_PEN = QColor("#1f5fbf")
HIGHLIGHT = QColor(255, 214, 0, 90)
COLUMNS = ("位置", "读作", "置信度", "复核")
POSITION, TEXT, SCORE, REREAD = range(len(COLUMNS))
CROP_HEIGHT = 150  # the enlarged crop is at most this tall (and at most 4× the page's pixels)
CROP_MAX_SCALE = 4.0
ZOOM_STEP = 1.15
_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def crop_rect(box: tuple[float, float, float, float], width: int, height: int) -> QRect:
    """A cell's box (fractions of the page) in the page image's pixels, widened to whole pixels and kept
    inside the image (at least one pixel each way)."""
    x0 = max(0, min(width - 1, math.floor(box[0] * width)))
    top = max(0, min(height - 1, math.floor(box[1] * height)))
    x1 = max(x0 + 1, min(width, math.ceil(box[2] * width)))
    bottom = max(top + 1, min(height, math.ceil(box[3] * height)))
    return QRect(x0, top, x1 - x0, bottom - top)


@dataclass(frozen=True)
class ScanRow:
    """One cell read from the scan, as the table shows it."""

    cell_id: str
    cell: ScanCell
    position: str  # 三、（三）3 · 自然人
    label: str  # the full label, for the tooltip
    uncertain: bool


def _full_label(template: Template, cell_id: str) -> str:
    return cell_label(template.cell(cell_id), template) if template.has_cell(cell_id) else cell_id


class ScanCellsModel(QAbstractTableModel):
    """The cells read: 位置, 读作, 置信度, 复核; the uncertain ones first and tinted. With
    `only_uncertain` only those are listed."""

    def __init__(self, scan: ScanInfo, template: Template, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        uncertain = set(scan.uncertain)
        self._all = [
            ScanRow(c, cell, cell_position(template, c), _full_label(template, c), c in uncertain)
            for c, cell in scan_rows(scan, template)
        ]
        self._rows = list(self._all)
        self.threshold = scan.threshold
        self.only_uncertain = False

    def set_only_uncertain(self, only: bool) -> None:
        self.beginResetModel()
        self.only_uncertain = only
        self._rows = [r for r in self._all if r.uncertain] if only else list(self._all)
        self.endResetModel()

    def row(self, index: int) -> ScanRow | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def row_of(self, cell_id: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.cell_id == cell_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == POSITION:
                return row.position
            if column == TEXT:
                return row.cell.text if row.cell.text else "（空白）"
            if column == SCORE:
                return score_text(row.cell.score)
            if column == REREAD:
                return "已复核" if row.cell.reread else ""
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            doubt = (
                f"把握不大（低于 {score_text(self.threshold)}），请与纸质件核对" if row.uncertain else "把握较大"
            )
            again = "；表格合计不符，已放大重新识别这一格" if row.cell.reread else ""
            return f"{row.label}\n第 {row.cell.page + 1} 页，读作「{row.cell.text}」：{doubt}{again}"
        if role == Qt.ItemDataRole.BackgroundRole and row.uncertain:
            return UNCERTAIN_TINT
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (TEXT, SCORE):
            return _RIGHT
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CellFrame(QGraphicsRectItem):
    """The frame over one cell read on the page; selectable (a click selects the cell's row). Selected,
    it is filled yellow instead of Qt's dotted outline."""

    def __init__(self, cell_id: str, cell: ScanCell, rect: QRectF, uncertain: bool) -> None:
        super().__init__(rect)
        self.cell_id = cell_id
        self.uncertain = uncertain
        self.reread = cell.reread
        colour = UNCERTAIN_PEN if uncertain else REREAD_PEN if cell.reread else CERTAIN_PEN
        pen = QPen(colour, 2.5 if uncertain or cell.reread else 1.2)
        pen.setCosmetic(True)  # the same width at any zoom
        if cell.reread:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self._brush = QBrush(QColor(208, 0, 0, 28)) if uncertain else QBrush(Qt.BrushStyle.NoBrush)
        self.setBrush(self._brush)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setZValue(2 if uncertain else 1)
        self.setToolTip(f"读作「{cell.text}」，置信度 {score_text(cell.score)}")

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setBrush(QBrush(HIGHLIGHT) if value else self._brush)
            self.setZValue(3 if value else 2 if self.uncertain else 1)
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        option.state &= ~QStyle.StateFlag.State_Selected  # our own highlight instead of Qt's outline
        super().paint(painter, option, widget)


class PageView(QGraphicsView):
    """A page, fitted to the view's width until the reader zooms (ctrl + wheel, or the buttons)."""

    zoomed = Signal()

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setObjectName("scan_page")
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor("#8a8a8a"))
        # Always there, so that fitting the width does not make it appear and the page overflow.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.fit_width = True

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def fit_to_width(self) -> None:
        self.fit_width = True
        rect = self.sceneRect()
        if rect.width() <= 0:
            return
        available = self.viewport().width() - 2
        factor = max(0.05, available / rect.width())
        self.resetTransform()
        self.scale(factor, factor)
        self.zoomed.emit()

    def zoom_by(self, factor: float) -> None:
        self.fit_width = False
        new = self.zoom * factor
        if 0.05 <= new <= 8.0:
            self.scale(factor, factor)
            self.zoomed.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(ZOOM_STEP**steps)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit_width:
            self.fit_to_width()


class ScanView(QWidget):
    """The 扫描件核对 tab: the page with a frame per cell read, and the table of cells with the selected
    cell's crop. Selecting a row selects and centres its frame; clicking a frame selects its row."""

    cellSelected = Signal(str)

    def __init__(self, scan: ScanInfo, template: Template, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_view")
        self.scan = scan
        self.template = template
        self.summary = ScanSummary.of(scan)
        self.uncertain = set(scan.uncertain)
        self.current_page = -1
        self.selected_cell: str | None = None
        self.frames: dict[str, CellFrame] = {}  # the frames of the page shown, by cell id
        self.crop_image = QImage()  # the selected cell's crop, in the page image's own pixels
        self._images: dict[int, QImage] = {}
        self._syncing = False

        self.summary_label = QLabel(self.summary.text())
        self.summary_label.setObjectName("scan_summary")
        self.summary_label.setWordWrap(True)
        if self.summary.uncertain:
            self.summary_label.setStyleSheet("background: #fde2e2; padding: 6px;")
        else:
            self.summary_label.setStyleSheet("background: #eef5ee; padding: 6px;")

        # Left: the page.
        self.scene = QGraphicsScene(self)
        self.scene.selectionChanged.connect(self._on_frame_selected)
        self.page_view = PageView(self.scene)
        self.page_view.zoomed.connect(self._show_zoom)
        self.previous_button = QPushButton("上一页")
        self.previous_button.setObjectName("scan_previous_page")
        self.previous_button.clicked.connect(lambda: self.show_page(self.current_page - 1))
        self.next_button = QPushButton("下一页")
        self.next_button.setObjectName("scan_next_page")
        self.next_button.clicked.connect(lambda: self.show_page(self.current_page + 1))
        self.page_label = QLabel("")
        self.page_label.setObjectName("scan_page_number")
        self.zoom_label = QLabel("")
        self.zoom_label.setObjectName("scan_zoom")
        zoom_out = QPushButton("缩小")
        zoom_out.setObjectName("scan_zoom_out")
        zoom_out.clicked.connect(lambda: self.page_view.zoom_by(1 / ZOOM_STEP))
        zoom_in = QPushButton("放大")
        zoom_in.setObjectName("scan_zoom_in")
        zoom_in.clicked.connect(lambda: self.page_view.zoom_by(ZOOM_STEP))
        fit = QPushButton("适合宽度")
        fit.setObjectName("scan_fit_width")
        fit.setToolTip("页面宽度与窗口一致（按住 Ctrl 滚动鼠标滚轮可缩放）")
        fit.clicked.connect(self.page_view.fit_to_width)
        pager = QHBoxLayout()
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        pager.addStretch(1)
        pager.addWidget(self.zoom_label)
        pager.addWidget(zoom_out)
        pager.addWidget(zoom_in)
        pager.addWidget(fit)
        legend = QLabel("红框：把握不大，请核对；蓝色虚线：表格合计不符，已重新识别；绿框：把握较大。Ctrl+滚轮缩放。")
        legend.setObjectName("scan_legend")
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #555555;")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(pager)
        left_layout.addWidget(self.page_view, 1)
        left_layout.addWidget(legend)

        # Right: the cells read, and the selected one's crop.
        self.model = ScanCellsModel(scan, template, self)
        self.only_uncertain = QCheckBox(f"只看把握不大的（{len(self.summary.uncertain)} 个）")
        self.only_uncertain.setObjectName("scan_only_uncertain")
        self.only_uncertain.setChecked(bool(self.summary.uncertain))
        self.only_uncertain.setEnabled(bool(self.summary.uncertain))
        self.only_uncertain.toggled.connect(self._filter)
        self.model.set_only_uncertain(self.only_uncertain.isChecked())
        self.table = QTableView()
        self.table.setObjectName("scan_cells")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(POSITION, QHeaderView.ResizeMode.Stretch)
        for column in (TEXT, SCORE, REREAD):  # sized once (ResizeToContents would ask every row on each change)
            self.table.resizeColumnToContents(column)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.crop_caption = QLabel("选择一个单元格，这里显示它在扫描件上的原样（放大）。")
        self.crop_caption.setObjectName("scan_crop_caption")
        self.crop_caption.setWordWrap(True)
        self.crop_label = QLabel()
        self.crop_label.setObjectName("scan_crop")
        self.crop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.crop_label.setMinimumHeight(CROP_HEIGHT + 8)
        self.crop_label.setStyleSheet("background: #ffffff; border: 1px solid #cccccc;")
        right = QWidget()
        right.setMinimumWidth(420)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.only_uncertain)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.crop_caption)
        right_layout.addWidget(self.crop_label)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)

        first = self.model.row(0)
        self.show_page(first.cell.page if first is not None and self._on_a_page(first.cell) else 0)
        if first is not None:
            self.table.selectRow(0)

    # --- pages ---------------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return len(self.scan.pages)

    def _on_a_page(self, cell: ScanCell) -> bool:
        """Whether the reader said where the cell stands (a page it has, a box of some size)."""
        x0, top, x1, bottom = cell.box
        return 0 <= cell.page < self.page_count and x1 > x0 and bottom > top

    def page_image(self, page: int) -> QImage:
        """Page `page` as recognised (decoded once); an empty image when its PNG cannot be read."""
        if page not in self._images:
            image = QImage()
            if 0 <= page < self.page_count:
                image.loadFromData(self.scan.pages[page])
            self._images[page] = image
        return self._images[page]

    def show_page(self, page: int) -> None:
        """Show page `page` (0-based) with a frame over every cell read on it."""
        if not 0 <= page < max(self.page_count, 1) or page == self.current_page:
            return
        self.current_page = page
        self._syncing = True
        try:
            self.scene.clear()
            self.frames = {}
            image = self.page_image(page)
            if image.isNull():
                self.scene.addText("（这一页的图像无法显示）")
                self.scene.setSceneRect(self.scene.itemsBoundingRect())
            else:
                self.scene.addPixmap(QPixmap.fromImage(image))
                self.scene.setSceneRect(QRectF(0, 0, image.width(), image.height()))
                for cell_id, cell in self.scan.cells.items():
                    if cell.page != page or not self._on_a_page(cell):
                        continue
                    x0, top, x1, bottom = cell.box
                    rect = QRectF(
                        x0 * image.width(), top * image.height(), (x1 - x0) * image.width(),
                        (bottom - top) * image.height(),
                    )
                    frame = CellFrame(cell_id, cell, rect, cell_id in self.uncertain)
                    self.scene.addItem(frame)
                    self.frames[cell_id] = frame
            if self.selected_cell in self.frames:
                self.frames[self.selected_cell].setSelected(True)
        finally:
            self._syncing = False
        self.page_label.setText(f"第 {page + 1}/{max(self.page_count, 1)} 页")
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page + 1 < self.page_count)
        if self.page_view.fit_width:
            self.page_view.fit_to_width()

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{round(self.page_view.zoom * 100)}%")

    # --- selection -----------------------------------------------------------------------------

    def _filter(self, only: bool) -> None:
        selected = self.selected_cell
        self.model.set_only_uncertain(only)
        for column in (TEXT, SCORE, REREAD):
            self.table.resizeColumnToContents(column)
        if selected is not None:
            row = self.model.row_of(selected)
            if row is not None:
                self._select_row(row)

    def _select_row(self, row: int) -> None:
        self._syncing = True
        try:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        finally:
            self._syncing = False

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing:
            return
        row = self.model.row(current.row()) if current.isValid() else None
        if row is not None:
            self.select_cell(row.cell_id)

    def _on_frame_selected(self) -> None:
        if self._syncing:
            return
        chosen = [item for item in self.scene.selectedItems() if isinstance(item, CellFrame)]
        if chosen:
            self.select_cell(chosen[0].cell_id, centre=False)

    def select_cell(self, cell_id: str, *, centre: bool = True) -> None:
        """Show this cell: its page with its frame selected (centred), its row selected (the filter is
        lifted when it hides the row) and its crop enlarged under the table."""
        cell = self.scan.cells.get(cell_id)
        if cell is None:
            return
        self.selected_cell = cell_id
        if self._on_a_page(cell):
            self.show_page(cell.page)
        self._syncing = True
        try:
            for frame_id, frame in self.frames.items():
                frame.setSelected(frame_id == cell_id)
        finally:
            self._syncing = False
        chosen = self.frames.get(cell_id)
        if chosen is not None and centre:
            self.page_view.centerOn(chosen)
        row = self.model.row_of(cell_id)
        if row is None and self.only_uncertain.isChecked():
            self.only_uncertain.setChecked(False)  # a certain cell clicked on the page: show every row
            row = self.model.row_of(cell_id)
        if row is not None:
            self._select_row(row)
        self._show_crop(cell_id, cell)
        self.cellSelected.emit(cell_id)

    def _show_crop(self, cell_id: str, cell: ScanCell) -> None:
        position = cell_position(self.template, cell_id)
        image = self.page_image(cell.page) if self._on_a_page(cell) else QImage()
        if image.isNull():
            self.crop_image = QImage()
            self.crop_label.clear()
            why = "这一页的图像无法显示" if self._on_a_page(cell) else "识别时没有记下它在扫描件上的位置"
            self.crop_caption.setText(f"{position}读作「{cell.text}」：{why}，请在纸质件上找到这一格核对")
            return
        self.crop_image = image.copy(crop_rect(cell.box, image.width(), image.height()))
        available = max(120, self.crop_label.width() - 8)
        scale = min(CROP_MAX_SCALE, CROP_HEIGHT / self.crop_image.height(), available / self.crop_image.width())
        shown = self.crop_image.scaled(
            max(1, round(self.crop_image.width() * scale)), max(1, round(self.crop_image.height() * scale)),
            Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation,
        )
        self.crop_label.setPixmap(QPixmap.fromImage(shown))
        self.crop_caption.setText(
            f"{position}（第 {cell.page + 1} 页）读作「{cell.text}」，置信度 {score_text(cell.score)}"
            f"{'，已复核' if cell.reread else ''} — 原图放大 {scale:.1f} 倍："
        )
