"""报告 → 地方规则…: the local rule packs installed in the data folder, the rules of the selected one, and
载入规则包… / 载入示例 / 移除. Every change is announced by `packsChanged`, so the open report's
findings and the reports list's counts are made again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import rulepack
from core.rulepack import RulePack, RulePackError
from ui.widgets import push_button

PACK_COLUMNS = ("名称", "来源", "适用年度", "规则数", "文件")
RULE_COLUMNS = ("编号", "部分", "要求")


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    item.setToolTip(text)
    return item


def _table(name: str, columns: tuple[str, ...], stretch: tuple[int, ...]) -> QTableWidget:
    """A read-only table selecting whole rows; the `stretch` columns share the width, the others fit."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for col in stretch:
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
    return table


class RulePacksDialog(QDialog):
    """The installed packs and their rules. 载入规则包… checks a pack and copies it into the data folder
    (one of the same name is replaced when the user says so); 移除 moves the selected pack's file out
    of use (to rulepacks-removed/)."""

    packsChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rule_packs_dialog")
        self.setWindowTitle("地方规则包")
        self.resize(860, 560)
        self.packs: tuple[RulePack, ...] = ()

        layout = QVBoxLayout(self)
        intro = QLabel(
            "地方规则包是本地通知对年度报告的额外要求（字数、必写的部分、必写的数字等）。已载入的规则包在检查报告时"
            "自动使用（只用于其适用年度的报告），发现的问题以「提示」列出，编号以 LOCAL- 开头。"
            f"\n规则包保存在：{rulepack.rulepacks_dir()}"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)

        self.packs_table = _table("packs_table", PACK_COLUMNS, stretch=(0, 1))
        self.packs_table.itemSelectionChanged.connect(self._show_rules)
        self.packs_table.setMinimumHeight(self.fontMetrics().height() * 9)  # a few packs of two lines
        layout.addWidget(self.packs_table, 2)

        self.problems = QLabel()
        self.problems.setObjectName("pack_problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #a00")
        layout.addWidget(self.problems)

        self.details = QLabel()
        self.details.setObjectName("pack_details")
        self.details.setWordWrap(True)
        self.details.setStyleSheet("color: #555")
        layout.addWidget(self.details)

        self.rules_table = _table("rules_table", RULE_COLUMNS, stretch=(2,))
        layout.addWidget(self.rules_table, 3)

        self.status = QLabel()
        self.status.setObjectName("rule_packs_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        self.load_button = push_button("load_rule_pack", "载入规则包…", self.load_pack)
        self.example_button = push_button(
            "load_example_pack", "载入示例", self.load_example,
            "载入程序自带的示例规则包（某市2025年度编制要求），可作为编写本地规则包的样板",
        )
        self.remove_button = push_button("remove_rule_pack", "移除", self.remove_selected)
        close = push_button("close_rule_packs", "关闭", self.accept)
        for button in (self.load_button, self.example_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()

    # --- showing ------------------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """List the packs again (selecting the one named `select`, else the one selected, else the first)."""
        current = self.selected_pack()
        wanted = select if select is not None else (current.name if current is not None else None)
        self.packs = rulepack.installed_packs()
        table = self.packs_table
        table.blockSignals(True)
        table.setRowCount(len(self.packs))
        for row, pack in enumerate(self.packs):
            values = (pack.name, pack.source or "—", pack.years_text, str(len(pack.rules)), pack.file_name)
            for col, text in enumerate(values):
                table.setItem(row, col, _item(text))
        table.blockSignals(False)
        rows = [i for i, p in enumerate(self.packs) if p.name == wanted] or ([0] if self.packs else [])
        if rows:
            table.selectRow(rows[0])
        table.resizeRowsToContents()
        problems = rulepack.pack_problems()
        self.problems.setText("以下规则包文件有误，未使用：\n" + "\n".join(problems) if problems else "")
        self.problems.setVisible(bool(problems))
        self.remove_button.setEnabled(bool(self.packs))
        self._show_rules()

    def selected_pack(self) -> RulePack | None:
        rows = self.packs_table.selectionModel().selectedRows() if hasattr(self, "packs_table") else []
        if not rows or rows[0].row() >= len(self.packs):
            return None
        return self.packs[rows[0].row()]

    def _show_rules(self) -> None:
        pack = self.selected_pack()
        rules = pack.rules if pack is not None else ()
        self.rules_table.setRowCount(len(rules))
        for row, rule in enumerate(rules):
            for col, text in enumerate((rule.id, rule.section_name, rule.requirement())):
                self.rules_table.setItem(row, col, _item(text))
        self.rules_table.resizeRowsToContents()
        if pack is None:
            self.details.setText("尚未载入规则包。可用“载入示例”查看示例规则包。" if not self.packs else "")
        else:
            lines = [f"来源：{pack.source}" if pack.source else "", pack.description]
            self.details.setText("\n".join(line for line in lines if line))

    # --- changing ------------------------------------------------------------------------------------

    def load_pack(self) -> bool:
        """载入规则包…: choose a JSON file, then as `load_pack_file`."""
        from ui.reports_list import documents_dir

        path, _ = QFileDialog.getOpenFileName(self, "载入地方规则包", documents_dir(), "规则包 (*.json);;所有文件 (*)")
        return self.load_pack_file(Path(path)) if path else False

    def load_pack_file(self, path: Path) -> bool:
        """Check a pack file and copy it into the data folder; refused with its reason when it cannot
        be used. A pack of the same name is replaced only when the user says so. Returns whether it was
        loaded."""
        try:
            pack = rulepack.read_pack(path)
        except RulePackError as exc:
            return self._refuse(str(exc))
        if not self._may_replace(pack):
            return False
        try:
            installed = rulepack.install(path)
        except RulePackError as exc:
            return self._refuse(str(exc))
        return self._changed(installed.name, f"已载入规则包「{installed.name}」（{len(installed.rules)} 条规则）。")

    def load_example(self) -> bool:
        """载入示例: the example pack shipped with the program, into the data folder."""
        text = rulepack.example_text()
        pack = rulepack.parse_pack(text, rulepack.EXAMPLE_FILE)
        if not self._may_replace(pack):
            return False
        try:
            installed = rulepack.install_text(text, rulepack.EXAMPLE_FILE)
        except RulePackError as exc:
            return self._refuse(str(exc))
        years = f"，适用于 {installed.years_text}的报告" if installed.years else ""
        return self._changed(installed.name, f"已载入示例规则包「{installed.name}」{years}。")

    def remove_selected(self) -> bool:
        """移除: after asking, move the selected pack's file out of the data folder's rulepacks/."""
        pack = self.selected_pack()
        if pack is None:
            return False
        question = (
            f"移除规则包「{pack.name}」？\n\n检查报告时将不再使用它的 {len(pack.rules)} 条规则。"
            f"文件将移到数据文件夹的「{rulepack.REMOVED_FOLDER}」中，需要时可再载入。"
        )
        if not self._ask("移除规则包", question):
            return False
        try:
            moved = rulepack.remove(pack)
        except RulePackError as exc:
            return self._refuse(str(exc))
        return self._changed(None, f"已移除规则包「{pack.name}」，文件已移到「{moved}」。")

    def _may_replace(self, pack: RulePack) -> bool:
        same = rulepack.find_installed(pack.name)
        if same is None:
            return True
        loaded = f"已载入同名的规则包「{pack.name}」（{same.file_name}，{len(same.rules)} 条规则）。"
        return self._ask("替换规则包", f"{loaded}\n\n用新的规则包替换它？")

    def _ask(self, title: str, question: str) -> bool:
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        return QMessageBox.question(self, title, question, yes | no, no) == yes

    def _refuse(self, reason: str) -> bool:
        self.status.setText(reason)
        QMessageBox.warning(self, "规则包不能使用", reason)
        return False

    def _changed(self, select: str | None, message: str) -> bool:
        self.refresh(select)
        self.status.setText(message)
        self.packsChanged.emit()
        return True
