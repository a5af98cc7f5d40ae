"""The 年报审核 window's dialogs: a new season, the units (typed, pasted from Excel, or from the agencies the
database knows), the review of selected units, a unit's file history and one file's findings and log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.checks import Finding
from core.deadline import KIND_LABELS, KINDS
from core.errors import UserError
from core.season import (
    FINAL_LABELS,
    REVIEW_LABELS,
    REVIEWS,
    Season,
    SeasonFile,
    Unit,
    UnitEntry,
    date_text,
    parse_unit_lines,
)
from ui.import_preview import fill_findings, fill_log


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def default_year(today: date | None = None) -> int:
    """The report year reviewed now: the year before until the summer (reports are due by 3月31日)."""
    today = today or date.today()
    return today.year - 1 if today.month <= 6 else today.year


class NewSeasonDialog(QDialog):
    """名称 and 年度 of a new season; the name follows the year until it is typed over."""

    def __init__(self, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("new_season_dialog")
        self.setWindowTitle("新建审核")
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("season_year")
        self.year_spin.setRange(2008, 2100)
        self.year_spin.setValue(default_year(today))
        self.name_edit = QLineEdit(Season.default_name(self.year_spin.value()))
        self.name_edit.setObjectName("season_name")
        self._automatic = self.name_edit.text()
        self.year_spin.valueChanged.connect(self._year_changed)
        form = QFormLayout()
        form.addRow("报告年度：", self.year_spin)
        form.addRow("名称：", self.name_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("截止日期按报告年度计算：部门为次年1月31日，人民政府为次年3月31日（可逐个修改）。"))
        layout.addWidget(buttons)

    def _year_changed(self, year: int) -> None:
        if self.name_edit.text() == self._automatic:
            self._automatic = Season.default_name(year)
            self.name_edit.setText(self._automatic)

    def name(self) -> str:
        return self.name_edit.text()

    def year(self) -> int:
        return self.year_spin.value()


class ReviewDialog(QDialog):
    """审核状态 and 备注 for one or more units."""

    def __init__(
        self, names: Sequence[str], status: str, note: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("review_dialog")
        self.setWindowTitle("审核")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("review_status")
        for value in REVIEWS:
            self.status_combo.addItem(REVIEW_LABELS[value], value)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(status), 0))
        self.note_edit = QPlainTextEdit(note or "")
        self.note_edit.setObjectName("review_note")
        self.note_edit.setPlaceholderText("例如：表三第（四）项不平衡，请核对后重新报送")
        self.keep_notes = note is None  # several units: an empty note leaves each one's note as it is
        who = names[0] if len(names) == 1 else f"{names[0]} 等 {len(names)} 个单位"
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("单位：", QLabel(who))
        form.addRow("审核：", self.status_combo)
        form.addRow("备注：", self.note_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if self.keep_notes:
            layout.addWidget(QLabel("备注留空时保留各单位原有的备注。"))
        layout.addWidget(buttons)

    def status(self) -> str:
        return str(self.status_combo.currentData())

    def note(self) -> str | None:
        text = self.note_edit.toPlainText()
        return None if self.keep_notes and not text.strip() else text


class UnitsDialog(QDialog):
    """The season's units: add by typing or pasting lines from Excel (单位名称 [Tab] 类别 [Tab] 截止日期),
    or from the agencies the database knows; change a unit's name, kind or due date in the table (saved
    at once); delete the selected units."""

    changed = Signal()

    def __init__(self, season: Season, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.season = season
        self.setObjectName("units_dialog")
        self.setWindowTitle(f"单位 — {season.name}")
        self.resize(820, 600)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("units_table")
        self.table.setHorizontalHeaderLabels(["单位", "类别", "截止日期"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.itemChanged.connect(self._name_changed)
        self.paste_edit = QPlainTextEdit()
        self.paste_edit.setObjectName("units_paste")
        self.paste_edit.setPlaceholderText(
            "每行一个单位，可直接从 Excel 复制粘贴：单位名称 [Tab] 类别（部门/人民政府，可省略）"
            " [Tab] 截止日期（可省略）"
        )
        # Columns pasted from Excel line up: a tab stop wider than a unit's name.
        self.paste_edit.setTabStopDistance(self.paste_edit.fontMetrics().horizontalAdvance("某") * 14)
        self.add_button = QPushButton("添加")
        self.add_button.setObjectName("units_add")
        self.add_button.clicked.connect(self.add_pasted)
        self.known_button = QPushButton("添加已知机关…")
        self.known_button.setObjectName("units_known")
        self.known_button.setToolTip("从数据库中的报告和以往审核的单位中选择")
        self.known_button.clicked.connect(self.add_known)
        self.delete_button = QPushButton("删除所选单位…")
        self.delete_button.setObjectName("units_delete")
        self.delete_button.clicked.connect(self.delete_selected)
        self.message = QLabel("")
        self.message.setObjectName("units_message")
        self.message.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        paste_box = QWidget()
        paste_layout = QVBoxLayout(paste_box)
        paste_layout.setContentsMargins(0, 0, 0, 0)
        paste_layout.addWidget(QLabel("添加单位："))
        paste_layout.addWidget(self.paste_edit)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.known_button)
        row.addStretch(1)
        row.addWidget(self.delete_button)
        paste_layout.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(paste_box)
        splitter.setStretchFactor(0, 3)
        splitter.setSizes([420, 150])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.units: list[Unit] = []
        self.reload()

    def reload(self) -> None:
        try:
            self.units = self.season.units()
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.units))
        for i, unit in enumerate(self.units):
            item = QTableWidgetItem(unit.name)
            item.setData(Qt.ItemDataRole.UserRole, unit.id)
            self.table.setItem(i, 0, item)
            kind = QComboBox()
            for value in KINDS:
                kind.addItem(KIND_LABELS[value], value)
            kind.setCurrentIndex(max(kind.findData(unit.kind), 0))
            kind.currentIndexChanged.connect(lambda _i, u=unit.id, box=kind: self._update(u, kind=box.currentData()))
            self.table.setCellWidget(i, 1, kind)
            due = QDateEdit(_qdate(unit.due))
            due.setDisplayFormat("yyyy-MM-dd")
            due.setCalendarPopup(True)
            due.editingFinished.connect(lambda u=unit.id, box=due: self._update(u, due=_pydate(box.date())))
            self.table.setCellWidget(i, 2, due)
        self.table.blockSignals(False)
        self.table.resizeColumnToContents(1)

    def _update(
        self, unit_id: int, *, name: str | None = None, kind: str | None = None, due: date | None = None
    ) -> None:
        try:
            current = next((u for u in self.units if u.id == unit_id), None)
            if current is not None and due is not None and due == current.due and name is None and kind is None:
                return
            self.season.update_unit(unit_id, name=name, kind=kind, due=due)
        except UserError as exc:
            self.message.setText(str(exc))
        else:
            self.message.setText("已保存。")
            self.changed.emit()
        self.reload()

    def _name_changed(self, item: QTableWidgetItem) -> None:
        unit_id = item.data(Qt.ItemDataRole.UserRole)
        if item.column() == 0 and isinstance(unit_id, int):
            self._update(unit_id, name=item.text())

    def add_entries(self, entries: Sequence[UnitEntry]) -> bool:
        try:
            added, existing = self.season.add_units(entries)
        except UserError as exc:
            self.message.setText(str(exc))
            return False
        text = f"添加了 {len(added)} 个单位"
        if existing:
            text += f"；{len(existing)} 个已在名单中（{'、'.join(existing[:5])}{'等' if len(existing) > 5 else ''}）"
        self.message.setText(text + "。")
        self.changed.emit()
        self.reload()
        return True

    def add_pasted(self) -> bool:
        """Add the lines typed or pasted; a wrong line is named and nothing is added (the text stays)."""
        try:
            entries = parse_unit_lines(self.paste_edit.toPlainText())
        except UserError as exc:
            self.message.setText(f"没有添加：{exc}")
            return False
        if not entries:
            self.message.setText("请先输入或粘贴单位名称，每行一个。")
            return False
        if self.add_entries(entries):
            self.paste_edit.clear()
            return True
        return False

    def add_known(self) -> None:
        try:
            names = self.season.agency_names()
        except UserError as exc:
            self.message.setText(str(exc))
            return
        if not names:
            self.message.setText("数据库中没有其他机关可以添加。")
            return
        dialog = KnownAgenciesDialog(names, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            self.add_entries([UnitEntry(n) for n in dialog.chosen()])

    def selected_ids(self) -> list[int]:
        ids = []
        for index in self.table.selectionModel().selectedRows():
            item = self.table.item(index.row(), 0)
            value = item.data(Qt.ItemDataRole.UserRole) if item else None
            if isinstance(value, int):
                ids.append(value)
        return ids

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.message.setText("请先在表格中选择要删除的单位。")
            return
        with_files = sum(bool(self.season.history(i)) for i in ids)
        extra = f"其中 {with_files} 个单位已收到文件，其文件记录（含历史版本）也会删除。" if with_files else ""
        answer = QMessageBox.question(self, "删除单位", f"删除所选的 {len(ids)} 个单位？{extra}")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_units(ids)

    def delete_units(self, ids: Sequence[int]) -> None:
        try:
            self.season.delete_units(ids)
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"删除了 {len(ids)} 个单位。")
        self.changed.emit()
        self.reload()


class KnownAgenciesDialog(QDialog):
    """Tick the agencies to add as units."""

    def __init__(self, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("known_agencies_dialog")
        self.setWindowTitle("添加已知机关")
        self.list = QListWidget()
        self.list.setObjectName("known_agencies")
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("勾选要加入名单的机关："))
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen(self) -> list[str]:
        return [
            self.list.item(i).text() for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]


HISTORY_COLUMNS = ("收到日期", "文件", "格式", "错误", "提示", "落款/定稿", "添加时间", "被替换", "路径")


class HistoryDialog(QDialog):
    """Every version a unit sent, the current one first."""

    def __init__(self, season: Season, unit: str, files: Sequence[SeasonFile], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("season_history")
        self.setWindowTitle(f"历史 — {unit}")
        self.resize(900, 320)
        self.table = QTableWidget(len(files), len(HISTORY_COLUMNS))
        self.table.setObjectName("history_table")
        self.table.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for i, f in enumerate(files):
            values = (
                f.received.isoformat(), f.name, f.template_name,
                f"无法读取：{f.error}" if f.error else str(f.errors), "" if f.error else str(f.warnings),
                "" if f.error else FINAL_LABELS.get(f.final, f.final), f.added_at.replace("T", " "),
                "当前版本" if f.replaced_at is None else f.replaced_at.replace("T", " "), f.path,
            )
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{unit}共收到 {len(files)} 个版本，新的在前；旧版本不会被删除。"))
        layout.addWidget(self.table)
        layout.addWidget(close)


class FileDetailDialog(QDialog):
    """One received file: what was read, its findings and its import log (as 文件检查 shows them)."""

    def __init__(
        self, unit: str, file: SeasonFile, findings: Sequence[Finding], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("season_file_detail")
        self.setWindowTitle(f"查看 — {unit}")
        self.resize(900, 560)
        self.path = file.path
        if file.error:
            text = f"「{file.name}」无法读取：{file.error}"
        else:
            final = FINAL_LABELS.get(file.final, file.final)
            signed = f"，落款日期 {file.signed}" if file.signed else ""
            text = (
                f"「{file.name}」：{file.agency} {file.year} 年度报告（{file.template_name}格式），"
                f"{date_text(file.received)}收到 — {file.errors} 个错误，{file.warnings} 个提示；{final}{signed}。"
            )
        self.detail = QLabel(text)
        self.detail.setObjectName("season_detail")
        self.detail.setWordWrap(True)
        self.findings_list = QListWidget()
        self.findings_list.setObjectName("season_findings")
        self.findings_list.setWordWrap(True)
        self.log_list = QListWidget()
        self.log_list.setObjectName("season_log")
        self.log_list.setWordWrap(True)
        if not file.error:
            fill_findings(self.findings_list, list(findings))
        fill_log(self.log_list, list(file.log))
        boxes = QSplitter(Qt.Orientation.Horizontal)
        for title, widget in (("检查结果", self.findings_list), ("导入记录", self.log_list)):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(QLabel(title))
            box_layout.addWidget(widget)
            boxes.addWidget(box)
        open_button = QPushButton("打开文件")
        open_button.setObjectName("open_file")
        open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(self.path)))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.addButton(open_button, QDialogButtonBox.ButtonRole.ActionRole)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.detail)
        layout.addWidget(boxes, 1)
        layout.addWidget(close)
