"""汇总: the totals of the units a reviewer ticks, shown in the official tables (read-only), with the
totals' own findings, each figure's parts by unit, the 汇总表 (XLSX) and the region's own draft report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.checks import Finding
from core.errors import UserError
from core.numbers import Number, Parsed, format_number
from core.operations import checked_agency
from core.region import RegionTotals, UnitReport, money_unit, region_report, region_totals
from core.report import Report
from core.storage import Store
from core.template import CellDef
from exports.summary_xlsx import write_summary_xlsx
from ui.grid import ReportGridView, ReportTableModel
from ui.import_preview import fill_findings
from ui.printing import default_export_folder, remember_export_folder
from ui.session import ReportSession
from ui.tasks import BackgroundTask

TABLES = (("s2", "二、主动公开"), ("s3", "三、收到和处理申请"), ("s4", "四、行政复议、行政诉讼"))
UnitRole = Qt.ItemDataRole.UserRole + 1
LEFT_OUT = QColor("#9a3412")  # a ticked unit the totals leave out (another year, a repeat…)
WITH_ERRORS = QColor("#b91c1c")  # a unit whose file has errors (not counted unless chosen)
BLANK_TEXT = "空白"


class _TotalsView(QObject):
    """What the official tables' model (ui.grid.ReportTableModel) reads of an open report, over region
    totals instead: the figures, the totals' findings per cell, and never an edit (it is final)."""

    cellsChanged = Signal(list)
    statusChanged = Signal(str)

    def __init__(self, totals: RegionTotals, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.final = True
        self.undo_stack = QUndoStack(self)
        self.show(totals)

    def show(self, totals: RegionTotals) -> None:
        self.report: Report = totals.report
        self.totals: dict[str, Number] = dict(totals.totals)
        self._by_cell: dict[str, list[Finding]] = {}
        for f in totals.findings:
            for cell_id in f.cells:
                self._by_cell.setdefault(cell_id, []).append(f)
        self.cellsChanged.emit(list(self.totals))

    def display(self, cell_id: str) -> str:
        number = self.totals.get(cell_id)
        if number is None:  # a cell of 二 that does not add up over units
            return ""
        cell = self.report.template.cell(cell_id)
        unit = money_unit(cell) if cell.unit is None else None  # a header with its unit says it already
        return format_number(number, cell.kind, unit)

    def findings_for(self, cell_id: str) -> list[Finding]:
        return self._by_cell.get(cell_id, [])

    def edit_cells(self, _values: object, _label: str = "") -> bool:
        return False  # the totals are read-only


def _unit_label(unit: UnitReport) -> str:
    report = unit.report
    errors = f"，{unit.errors} 个错误" if unit.errors else ""
    return f"{unit.name}（{report.year} 年，{report.template.name}{errors}）"


def _value_text(parsed: Parsed, cell: CellDef) -> str:
    if parsed.number is not None:
        return format_number(parsed.number, cell.kind, money_unit(cell))
    if parsed.error is not None:
        return f"{parsed.text}（不是数字，按 0 计）"
    return BLANK_TEXT


class _DraftDialog(QDialog):
    """Asks the region's agency name and the year of its draft report."""

    def __init__(self, agency: str, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("region_draft_dialog")
        self.setWindowTitle("生成本地区报告草稿")
        self.agency_edit = QLineEdit(agency)
        self.agency_edit.setObjectName("agency")
        self.agency_edit.setPlaceholderText("本地区（本级政府）的名称，如 某某区人民政府")
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("year")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(year)
        note = QLabel("草稿的二（可相加的栏目）、三、四填入汇总数，正文照新报告的样子留待填写。")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("机关名称", self.agency_edit)
        form.addRow("年度", self.year_spin)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("生成草稿")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(box)


class RegionTotalsDialog(QDialog):
    """The units on the left (tick those to count; units with errors start unticked and are marked),
    the totals on the right in the official tables with their findings, and below them the parts of
    the figure clicked. Everything follows the ticks at once."""

    report_created = Signal(int)  # the id of the draft report made in the store
    exported = Signal(str)  # the 汇总表 written (its path)
    export_failed = Signal(str)  # why it was not, one line in Chinese

    def __init__(
        self,
        units: Sequence[UnitReport],
        parent: QWidget | None = None,
        *,
        store: Store | None = None,
        agency: str = "",
        year: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("region_totals_dialog")
        self.setWindowTitle("汇总")
        self.resize(1200, 760)
        self.units = list(units)
        self.store = store
        self.agency = agency
        self.year = year
        self._export_task: BackgroundTask | None = None
        self.last_export: Path | None = None
        self.current_cell: str | None = None

        # Left: the units.
        self.include_errors = QCheckBox("计入有错误的单位")
        self.include_errors.setObjectName("include_errors")
        self.include_errors.setToolTip("有错误的单位默认不计入；勾选后计入全部有错误的单位，也可以逐个勾选")
        self.unit_list = QListWidget()
        self.unit_list.setObjectName("units")
        for i, unit in enumerate(self.units):
            item = QListWidgetItem(_unit_label(unit))
            item.setData(UnitRole, i)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if unit.errors else Qt.CheckState.Checked)
            if unit.file:
                item.setToolTip(unit.file)
            self.unit_list.addItem(item)
        self.units_label = QLabel()
        self.units_label.setObjectName("units_label")
        self.units_label.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("单位（勾选计入汇总）"))
        left_layout.addWidget(self.unit_list, 1)
        left_layout.addWidget(self.include_errors)
        left_layout.addWidget(self.units_label)

        # Right: the totals in the official tables, their findings and the parts of the figure clicked.
        self.totals = self._compute()
        self.view = _TotalsView(self.totals, self)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summary_label")
        self.summary_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.models: dict[str, ReportTableModel] = {}
        self.grids: dict[str, ReportGridView] = {}
        for table_id, title in TABLES:
            model = ReportTableModel(cast(ReportSession, self.view), table_id, self)
            grid = ReportGridView(model=model)
            grid.setObjectName(f"{table_id}.totals")
            grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            grid.selectionModel().currentChanged.connect(self._on_current)
            self.models[table_id] = model
            self.grids[table_id] = grid
            self.tabs.addTab(grid, title)
        self.findings_list = QListWidget()
        self.findings_list.setObjectName("findings")
        self.parts_label = QLabel("单击一个数字，列出计入的各单位的数")
        self.parts_label.setObjectName("parts_label")
        self.parts_label.setWordWrap(True)
        self.parts_table = QTableWidget(0, 2)
        self.parts_table.setObjectName("parts")
        self.parts_table.setHorizontalHeaderLabels(["单位", "数"])
        self.parts_table.verticalHeader().hide()
        self.parts_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.parts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.parts_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        below = QSplitter(Qt.Orientation.Horizontal)
        findings_box = QWidget()
        findings_layout = QVBoxLayout(findings_box)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        findings_layout.addWidget(QLabel("汇总数的检查结果"))
        findings_layout.addWidget(self.findings_list)
        parts_box = QWidget()
        parts_layout = QVBoxLayout(parts_box)
        parts_layout.setContentsMargins(0, 0, 0, 0)
        parts_layout.addWidget(self.parts_label)
        parts_layout.addWidget(self.parts_table)
        below.addWidget(findings_box)
        below.addWidget(parts_box)
        right_split = QSplitter(Qt.Orientation.Vertical)
        right_split.addWidget(self.tabs)
        right_split.addWidget(below)
        right_split.setStretchFactor(0, 3)
        right_split.setStretchFactor(1, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary_label)
        right_layout.addWidget(right_split, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([320, 880])

        self.export_button = QPushButton("导出汇总表…")
        self.export_button.setObjectName("export")
        self.draft_button = QPushButton("生成本地区报告草稿…")
        self.draft_button.setObjectName("draft")
        close = QPushButton("关闭")
        close.setObjectName("close")
        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

        self.unit_list.itemChanged.connect(self._on_item_changed)
        self.include_errors.toggled.connect(self._on_include_errors)
        self.export_button.clicked.connect(self.choose_export)
        self.draft_button.clicked.connect(self.ask_draft)
        close.clicked.connect(self.reject)
        self._show()

    # --- the totals ---------------------------------------------------------------------------------

    def ticked(self) -> list[UnitReport]:
        return [
            self.units[int(item.data(UnitRole))]
            for item in (self.unit_list.item(r) for r in range(self.unit_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _compute(self) -> RegionTotals:
        return region_totals(self.ticked(), include_errors=self.include_errors.isChecked())

    def set_ticked(self, indexes: Sequence[int], ticked: bool) -> None:
        """Tick or untick units (by their place in `units`) and sum once."""
        self.unit_list.blockSignals(True)
        try:
            for r in range(self.unit_list.count()):
                item = self.unit_list.item(r)
                if int(item.data(UnitRole)) in indexes:
                    item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        finally:
            self.unit_list.blockSignals(False)
        self.refresh()

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        self.refresh()

    def _on_include_errors(self, on: bool) -> None:
        # Counting units with errors ticks them all; not counting them unticks them.
        self.set_ticked([i for i, u in enumerate(self.units) if u.errors], on)

    def refresh(self) -> None:
        self.totals = self._compute()
        self.view.show(self.totals)
        self._show()

    def _show(self) -> None:
        totals = self.totals
        reasons = {id(u): why for u, why in totals.excluded}
        notes = {id(u): note for u, note in totals.notes}
        self.unit_list.blockSignals(True)
        try:
            for r in range(self.unit_list.count()):
                item = self.unit_list.item(r)
                unit = self.units[int(item.data(UnitRole))]
                text = _unit_label(unit)
                ticked = item.checkState() == Qt.CheckState.Checked
                why = reasons.get(id(unit)) if ticked else None
                if why:
                    text += f"\n  未计入：{why}"
                elif ticked and id(unit) in notes:
                    text += f"\n  {notes[id(unit)]}"
                item.setText(text)
                colour = LEFT_OUT if why else WITH_ERRORS if unit.errors else self.unit_list.palette().text().color()
                item.setForeground(colour)
                tip = [unit.file] if unit.file else []
                if unit.errors:
                    tip.append(f"文件有 {unit.errors} 个错误，默认不计入")
                item.setToolTip("\n".join(tip))
        finally:
            self.unit_list.blockSignals(False)
        with_errors = sum(1 for u in self.units if u.errors)
        count = f"共 {len(self.units)} 个单位"
        self.units_label.setText(f"{count}，其中 {with_errors} 个有错误。" if with_errors else f"{count}。")
        year = f"{totals.year} 年度" if totals.year is not None else "没有勾选单位"
        left_out = f"，勾选而未计入 {len(totals.excluded)} 个" if totals.excluded else ""
        self.summary_label.setText(
            f"{year}（{totals.template.name}格式）：计入 {len(totals.included)} 个单位{left_out}。"
            "合计由各单位的数逐格相加后计算，不取各单位印出的合计；空白按 0 计。"
        )
        fill_findings(self.findings_list, list(totals.findings))
        if not totals.findings:
            self.findings_list.clear()
            self.findings_list.addItem("汇总数未发现问题。")
        busy = self._export_task is not None
        self.export_button.setEnabled(bool(totals.included) and not busy)
        self.draft_button.setEnabled(bool(totals.included) and self.store is not None)
        if self.store is None:
            self.draft_button.setToolTip("没有打开数据库，不能生成草稿")
        self.show_parts(self.current_cell)

    # --- drill-down ---------------------------------------------------------------------------------

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        model = current.model()
        cell_id = model.cell_id(current) if isinstance(model, ReportTableModel) else None
        if cell_id is not None:
            self.show_parts(cell_id)

    def show_parts(self, cell_id: str | None) -> None:
        """List each included unit's value of the cell (空白 for a blank one) and the sum."""
        self.current_cell = cell_id
        table = self.parts_table
        table.setRowCount(0)
        if cell_id is None or cell_id not in self.totals.totals or not self.totals.template.has_cell(cell_id):
            self.parts_label.setText(
                "单击一个数字，列出计入的各单位的数" if cell_id is None else "这一栏不汇总（各单位的项目数不能相加）"
            )
            self.current_cell = cell_id if cell_id in self.totals.totals else None
            return
        template = self.totals.template
        cell = template.cell(cell_id)
        parts = self.totals.parts(cell_id)
        self.parts_label.setText(
            f"{template.section(cell.section).short}「{cell.row_label}」「{cell.col_label}」："
            f"{len(parts)} 个单位" + ("（各单位的合计由其各项相加）" if cell.computed else "")
        )
        table.setRowCount(len(parts) + 1)
        for row, (unit, parsed) in enumerate(parts):
            table.setItem(row, 0, QTableWidgetItem(unit.name))
            value = QTableWidgetItem(_value_text(parsed, cell))
            value.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 1, value)
        total_label = QTableWidgetItem("合计")
        total = QTableWidgetItem(format_number(self.totals.totals[cell_id], cell.kind, money_unit(cell)))
        total.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for item in (total_label, total):
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        table.setItem(len(parts), 0, total_label)
        table.setItem(len(parts), 1, total)

    def parts_shown(self) -> list[tuple[str, str]]:
        """The drill-down as shown: (unit, value) rows, the last one the sum."""
        rows = []
        for r in range(self.parts_table.rowCount()):
            name, value = self.parts_table.item(r, 0), self.parts_table.item(r, 1)
            rows.append((name.text() if name else "", value.text() if value else ""))
        return rows

    # --- the 汇总表 -----------------------------------------------------------------------------------

    def choose_export(self) -> None:
        year = f"{self.totals.year}年度" if self.totals.year is not None else ""
        suggested = default_export_folder() / f"{self.agency or '本地区'}{year}政府信息公开工作年度报告汇总表.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出汇总表", str(suggested), "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        self.export_to(target)

    def export_to(self, path: Path) -> BackgroundTask | None:
        """Write the 汇总表 of the totals shown, in a worker; `exported` or `export_failed` tells how it went."""
        if self._export_task is not None:
            return None
        totals = self.totals
        task = BackgroundTask(lambda _context: write_summary_xlsx(path, totals), self, progress_label="正在导出汇总表…")
        task.succeeded.connect(self._on_exported)
        task.failed.connect(self._on_export_failed)
        self._export_task = task
        self.export_button.setEnabled(False)
        self.status_label.setText(f"正在导出：{path.name}…")
        return task.start()

    def _on_exported(self, path: object) -> None:
        self._export_task = None
        self.last_export = Path(str(path))
        remember_export_folder(self.last_export.parent)
        self.status_label.setText(f"已导出：{self.last_export}")
        self.export_button.setEnabled(bool(self.totals.included))
        self.exported.emit(str(self.last_export))

    def _on_export_failed(self, message: str) -> None:
        self._export_task = None
        self.status_label.setText(f"没有导出：{message}")
        self.export_button.setEnabled(bool(self.totals.included))
        self.export_failed.emit(message)
        QMessageBox.warning(self, "导出汇总表", message)

    # --- the region's draft report ------------------------------------------------------------------

    def default_year(self) -> int:
        if self.year is not None:
            return self.year
        if self.totals.year is not None:
            return self.totals.year
        return max((u.report.year for u in self.units), default=2000)

    def ask_draft(self) -> None:
        dialog = _DraftDialog(self.agency, self.default_year(), self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            message = self.create_draft(dialog.agency_edit.text(), dialog.year_spin.value())
            if message is None:
                return
            QMessageBox.warning(self, "生成本地区报告草稿", message)

    def create_draft(self, agency: str, year: int) -> str | None:
        """Store the region's draft report prefilled with the totals and emit `report_created`; or say
        why not (no name, the agency has a report for the year, the database refused), one line."""
        if self.store is None:
            return "没有打开数据库，不能生成草稿。"
        try:
            name = checked_agency(agency)
        except UserError as exc:
            return str(exc)
        if not name:
            return "请填写机关名称。"
        store = self.store
        try:
            with store.transaction():
                existing = store.find(name, year)
                if existing is not None:
                    return (
                        f"数据库中已有「{name}」{year} 年度报告（编号 {existing}），没有生成草稿；"
                        "请在报告列表中打开它，或换一个机关名称或年度。"
                    )
                contact = store.agency_profile(name).contact
                report_id = store.add_report(region_report(self.totals, name, year, contact))
        except UserError as exc:
            return str(exc)
        self.status_label.setText(f"已生成「{name}」{year} 年度报告草稿（编号 {report_id}）")
        self.report_created.emit(report_id)
        return None
