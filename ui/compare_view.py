"""同比: one unit's reports over the years — a chart of the key figures drawn with QPainter (QtCharts is not in
the PySide6-Essentials wheel), the key figures of the newest report against the year before with their
changes, every changed cell on request, and the checks that need last year's report."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.checks import SEVERITY_LABELS, Finding
from core.compare import (
    DEFAULT_MINIMUM,
    DEFAULT_RATIO,
    KEY_FIGURES,
    Change,
    choose_pair,
    comparison_findings,
    figure_values,
    format_change,
    format_percent,
    format_value,
    key_changes,
    reports_by_year,
    year_on_year,
)
from core.report import Report

FLAG_BACKGROUND = QColor("#fdf0b8")  # as a warning in the grid
# One colour per key figure, told apart in print and by people with red-green colour blindness.
SERIES_COLOURS = ("#1f5fa8", "#2e8b57", "#7a4fa0", "#b8860b", "#c0392b", "#555555")
Point = tuple[int, float | None]


class TrendChart(QWidget):
    """The key figures over the years on file, one small line chart per figure (each with its own scale,
    so 行政复议's few cases show beside hundreds of applications): the years along the bottom, each value
    written at its point, a year without a report a gap in the line, not a zero."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trend_chart")
        self.setMinimumSize(560, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._series: list[tuple[str, str, list[Point]]] = []

    def set_reports(self, reports: Sequence[Report]) -> None:
        """Plot these reports of one unit (any order; of two of one year the last given counts)."""
        ordered = reports_by_year(reports)
        self._series = []
        if ordered:
            years = list(range(ordered[0].year, ordered[-1].year + 1))
            for figure_id, label in KEY_FIGURES:
                values: dict[int, float | None] = {}
                for report in ordered:
                    try:
                        (value,) = figure_values([report], figure_id)
                    except KeyError:  # a format an office added without this cell
                        continue
                    values[report.year] = float(value)
                self._series.append((figure_id, label, [(year, values.get(year)) for year in years]))
        self.update()

    def series(self) -> list[tuple[str, str, list[Point]]]:
        """What is plotted: per key figure its id, label and one (year, value) per year from the first
        report's to the last's, value None for a year without a report."""
        return [(figure_id, label, list(points)) for figure_id, label, points in self._series]

    def sizeHint(self) -> QSize:
        return QSize(900, 300)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        fm = QFontMetrics(self.font())
        if not self._series:
            painter.setPen(self.palette().text().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "没有报告可以绘制")
            painter.end()
            return
        legend_height = self._draw_legend(painter, fm)
        count = len(self._series)
        columns = 3 if self.width() >= 700 else 2
        rows = math.ceil(count / columns)
        area = QRectF(self.rect()).adjusted(4, legend_height + 4, -4, -4)
        cell_w, cell_h = area.width() / columns, area.height() / rows
        for index, (_, label, points) in enumerate(self._series):
            row, col = divmod(index, columns)
            panel = QRectF(area.left() + col * cell_w, area.top() + row * cell_h, cell_w, cell_h).adjusted(6, 4, -6, -4)
            self._draw_panel(painter, fm, panel, label, points, QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)]))
        painter.end()

    def _draw_legend(self, painter: QPainter, fm: QFontMetrics) -> int:
        """One line: how to read the chart (each panel names its figure in its colour)."""
        painter.setPen(self.palette().text().color())
        text = "各项主要数字历年变化（每个小图单独标度；折线断开处为该年度没有报告）"
        painter.drawText(QRectF(8, 2, self.width() - 16, fm.height() + 4), Qt.AlignmentFlag.AlignLeft, text)
        return fm.height() + 6

    def _draw_panel(
        self, painter: QPainter, fm: QFontMetrics, panel: QRectF, label: str, points: list[Point], colour: QColor
    ) -> None:
        text_colour = self.palette().text().color()
        grey = QColor("#9a9a9a")
        painter.setPen(QPen(QColor("#d0d0d0"), 1))
        painter.drawRect(panel)
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(colour)
        painter.drawText(panel.adjusted(6, 2, -6, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
        painter.setFont(self.font())
        known = [v for _, v in points if v is not None]
        top_value = _nice_ceiling(max(known, default=0.0))
        axis_label = _number_text(top_value)
        plot = panel.adjusted(
            fm.horizontalAdvance(axis_label) + 12, fm.height() * 2 + 6, -8, -(fm.height() + 8)
        )
        if plot.width() <= 4 or plot.height() <= 4:
            return
        # axis: the zero line and the top of the scale with its value
        painter.setPen(QPen(grey, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.setPen(QPen(QColor("#e4e4e4"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(plot.topLeft(), plot.topRight())
        painter.setPen(grey)
        right_aligned = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for mark, y in ((0.0, plot.bottom()), (top_value, plot.top())):
            painter.drawText(
                QRectF(panel.left(), y - fm.height() / 2, plot.left() - panel.left() - 4, fm.height()),
                right_aligned, _number_text(mark),
            )
        step = plot.width() / len(points)
        short_years = len(points) * (fm.horizontalAdvance("2024") + 6) > plot.width()

        def place(i: int, value: float) -> QPointF:
            return QPointF(plot.left() + (i + 0.5) * step, plot.bottom() - value / top_value * plot.height())

        # the line, broken where a year has no report
        painter.setPen(QPen(colour, 2))
        for i in range(1, len(points)):
            before, now = points[i - 1][1], points[i][1]
            if before is not None and now is not None:
                painter.drawLine(place(i - 1, before), place(i, now))
        for i, (year, value) in enumerate(points):
            x = plot.left() + (i + 0.5) * step
            year_text = f"{year % 100:02d}" if short_years else str(year)
            painter.setPen(text_colour if value is not None else grey)
            painter.drawText(
                QRectF(x - step / 2, plot.bottom() + 2, step, fm.height() + 4), Qt.AlignmentFlag.AlignHCenter, year_text
            )
            if value is None:
                continue
            point = place(i, value)
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour)
            painter.drawEllipse(point, 3.5, 3.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(point.x() - step / 2, point.y() - fm.height() - 4, step, fm.height()),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, _number_text(value),
            )


def _nice_ceiling(value: float) -> float:
    """The top of a scale: 1, 2 or 5 times a power of ten at or above the value (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return float(factor * power)
    return float(10 * power)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


# --- the dialog ----------------------------------------------------------------------------------


TABLE_HEADERS = ("项目", "上年", "本年", "增减", "增减%")


class CompareDialog(QDialog):
    """One unit's reports: the newest against the one of the year before (or the latest earlier one,
    saying which). Top: the trend chart of every report given; middle: the key figures and, on request,
    every changed cell; bottom: CARRY-OVER, S2-IN-FORCE and TEXT-COPIED of the newest against it."""

    def __init__(self, reports: Sequence[Report], parent: QWidget | None = None, *, title: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("compare_dialog")
        self.this, self.last = choose_pair(reports)
        self.setWindowTitle(title or f"同比：{self.this.agency}")
        self.key: list[Change] = []
        self.changes: list[Change] = []
        self.found: list[Finding] = []
        if self.last is not None:
            self.key = key_changes(self.last, self.this)
            self.changes = year_on_year(self.last, self.this)
            self.found = comparison_findings(self.last, self.this)

        self.note = QLabel(self._note_text())
        self.note.setObjectName("compare_note")
        self.note.setWordWrap(True)
        self.chart = TrendChart()
        self.chart.set_reports(reports)

        self.table = QTableWidget(0, len(TABLE_HEADERS))
        self.table.setObjectName("compare_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(TABLE_HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.show_all = QCheckBox("同时列出所有有变化的单元格")
        self.show_all.setObjectName("compare_show_all")
        self.show_all.toggled.connect(self._fill_table)

        self.findings = QListWidget()
        self.findings.setObjectName("compare_findings")
        self.findings.setWordWrap(True)
        self._fill_findings()

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        flag_rule = f"标 ⚠ 的为增减至少 {DEFAULT_MINIMUM} 且达上年的 {DEFAULT_RATIO:.0%}"
        legend = QLabel(f"主要数字（{flag_rule}）" if self.last is not None else "主要数字")
        middle_layout.addWidget(legend)
        middle_layout.addWidget(self.table, 1)
        middle_layout.addWidget(self.show_all)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("与上年报告核对（上年结转、现行有效件数、正文照抄）"))
        bottom_layout.addWidget(self.findings, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(middle)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 5)
        splitter.setStretchFactor(2, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.table.setEnabled(self.last is not None)
        self.show_all.setEnabled(self.last is not None)
        self._fill_table()
        self.resize(1100, 700)  # fits a 1366×768 screen with the taskbar

    def _note_text(self) -> str:
        this, last = self.this, self.last
        where = f"{this.agency} {this.year} 年度报告"
        if last is None:
            return f"{where}：只有这一份报告，没有上年的报告可以比较。"
        if last.year == this.year - 1:
            return f"{where}与 {last.year} 年度报告比较。"
        return f"{where}：没有 {this.year - 1} 年度的报告，与最近的 {last.year} 年度报告比较。"

    def rows(self) -> list[Change]:
        """The table's rows: the key figures, then (when asked) every cell that changed and both years have."""
        if not self.show_all.isChecked():
            return list(self.key)
        return [*self.key, *(c for c in self.changes if c.changed and c.last is not None and c.this is not None)]

    def _fill_table(self) -> None:
        last_year = f"{self.last.year} 年" if self.last is not None else "上年"
        self.table.setHorizontalHeaderLabels(
            [TABLE_HEADERS[0], last_year, f"{self.this.year} 年", *TABLE_HEADERS[3:]]
        )
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for r, change in enumerate(rows):
            texts = (
                change.label, format_value(change.last), format_value(change.this),
                format_change(change), format_percent(change) + (" ⚠" if change.flagged else ""),
            )
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if change.flagged:
                    item.setBackground(FLAG_BACKGROUND)
                    item.setToolTip(f"变化较大：增减至少 {DEFAULT_MINIMUM} 且达上年的 {DEFAULT_RATIO:.0%}")
                item.setData(Qt.ItemDataRole.UserRole, change.cell)
                self.table.setItem(r, c, item)

    def _fill_findings(self) -> None:
        self.findings.clear()
        if self.last is None:
            self.findings.addItem("没有上年的报告，无法核对。")
            return
        if not self.found:
            self.findings.addItem("未发现问题。")
            return
        for finding in self.found:
            item = QListWidgetItem(f"[{SEVERITY_LABELS[finding.severity]}] {finding.message}")
            item.setToolTip(f"{finding.message}\n（规则 {finding.rule}）")
            item.setData(Qt.ItemDataRole.UserRole, finding)
            item.setBackground(FLAG_BACKGROUND)
            self.findings.addItem(item)

