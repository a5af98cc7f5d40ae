"""Backups in the app: opening a database that turns out damaged (restore the newest good backup, or
choose one), and 文件 → 备份与恢复: the backups with their time, reason, size and number of reports,
立即备份, 恢复所选 and 打开备份文件夹."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import backup
from core.backup import BackupError, BackupInfo, Restored
from core.errors import UserError
from core.storage import DatabaseDamaged, Store
from ui.dialogs import ask
from ui.widgets import push_button

RESTORE = "restore"
CHOOSE = "choose"
KEEP = "keep"
QUIT = "quit"


def restored_text(result: Restored) -> str:
    text = f"已用 {result.backup.describe()}恢复数据库，其中有 {result.reports} 份报告。"
    if result.kept_aside is not None:
        text += f"\n\n原来的数据库保留在「{result.kept_aside}」，以备查看。"
    if result.safety_backup is not None:
        text += f"\n恢复前它另作了备份「{result.safety_backup.path.name}」。"
    return text


def _ask_damaged(parent: QWidget | None, damaged: DatabaseDamaged) -> str:
    buttons: list[tuple[str, str, QMessageBox.ButtonRole]] = []
    if damaged.newest is not None:
        buttons.append((RESTORE, "恢复最新的备份", QMessageBox.ButtonRole.AcceptRole))
    if damaged.can_keep:
        buttons.append((KEEP, "继续使用现有的数据库", QMessageBox.ButtonRole.AcceptRole))
    buttons.append((CHOOSE, "备份与恢复…", QMessageBox.ButtonRole.ActionRole))
    buttons.append((QUIT, "退出", QMessageBox.ButtonRole.RejectRole))
    title = "最近的保存已丢失" if damaged.can_keep else "数据库已损坏"
    return ask(parent, title, str(damaged), buttons, icon=QMessageBox.Icon.Critical, name="database_damaged")


def open_store(parent: QWidget | None, db_path: Path) -> Store | None:
    """The database at `db_path`, or None when it cannot be opened (the user was told why). A damaged
    one is never opened: the user may restore the newest good backup, choose a backup, keep a database
    that only lost its last saves, or quit."""
    while True:
        try:
            return Store(db_path)
        except DatabaseDamaged as damaged:
            choice = _ask_damaged(parent, damaged)
        except UserError as exc:
            QMessageBox.critical(parent, "无法打开数据库", str(exc))
            return None
        if choice == QUIT:
            return None
        try:
            if choice == KEEP:
                return Store(db_path, accept_loss=True)
            if choice == RESTORE:
                good = backup.newest_good_backup(db_path)
                if good is None:
                    raise BackupError("没有能通过检查的备份；请在「备份与恢复」中查看。")
                QMessageBox.information(parent, "已恢复", restored_text(backup.restore_backup(db_path, good.path)))
                continue
        except UserError as exc:
            QMessageBox.warning(parent, "没有恢复", str(exc))
            continue
        dialog = BackupDialog(db_path, None, parent)
        dialog.exec()
        if not dialog.restored:
            return None


class BackupDialog(QDialog):
    """The backups of the database at `db_path`. With the open `store`, 立即备份 backs it up, and a
    restore calls `release` (close the store) before and `reopen` after (also when it failed)."""

    def __init__(
        self,
        db_path: Path,
        store: Store | None,
        parent: QWidget | None = None,
        *,
        release: Callable[[], None] | None = None,
        reopen: Callable[[], Store | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backup_dialog")
        self.setWindowTitle("备份与恢复")
        self.resize(720, 420)
        self.db_path = db_path
        self.store = store
        self.release = release
        self.reopen = reopen
        self.restored = False
        self.backups: list[BackupInfo] = []

        layout = QVBoxLayout(self)
        intro = QLabel(
            f"数据库：{db_path}\n程序在打开数据库时（有改动时）、编辑中每小时、以及恢复、导入替换、升级之前自动备份；"
            f"保留最近 {backup.KEEP_RECENT} 份，另按天各留一份，共 {backup.KEEP_DAYS} 天。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("backups_table")
        self.table.setHorizontalHeaderLabels(["时间", "原因", "大小", "报告数"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table)
        self.status = QLabel("")
        self.status.setObjectName("backup_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        row = QHBoxLayout()
        self.backup_button = push_button("backup_now", "立即备份", self.backup_now)
        self.restore_button = push_button("restore_selected", "恢复所选…", self.restore_selected)
        self.folder_button = push_button("open_backups_folder", "打开备份文件夹", self.open_folder)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        for button in (self.backup_button, self.restore_button, self.folder_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.refresh()
        if store is not None and store.backup_problem:
            self.status.setText(f"上一次自动备份没有成功：{store.backup_problem}")

    def refresh(self) -> None:
        self.backups = backup.list_backups(self.db_path)
        self.table.setRowCount(len(self.backups))
        for r, info in enumerate(self.backups):
            reports = str(info.reports) if info.reports is not None else "无法读取"
            for c, text in enumerate((f"{info.taken:%Y-%m-%d %H:%M:%S}", info.reason_label, info.size_text, reports)):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if self.backups:
            self.table.selectRow(0)
        else:
            self.status.setText(f"还没有备份（备份文件夹：{backup.backups_dir(self.db_path)}）。")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.backup_button.setEnabled(self.store is not None and self.store.damaged is None)
        self.restore_button.setEnabled(self.selected() is not None)

    def selected(self) -> BackupInfo | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.backups[min(rows)] if rows else None

    def backup_now(self) -> None:
        if self.store is None:
            return
        try:
            made = self.store.backup("manual")
        except UserError as exc:
            QMessageBox.warning(self, "没有备份", str(exc))
            return
        self.refresh()
        self.status.setText(f"已备份到「{made.path}」。")

    def restore_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if not info.readable:
            QMessageBox.warning(self, "无法恢复", f"备份「{info.path.name}」无法读取，请选择另一个备份。")
            return
        question = (
            f"用 {info.describe()}替换现在的数据库？\n\n"
            "现在的数据库会保留在数据文件夹中（完好时还会先另作备份），不会删除；"
            "此后所做的修改只在保留的文件里。"
        )
        buttons = [
            ("yes", "恢复", QMessageBox.ButtonRole.AcceptRole), ("no", "取消", QMessageBox.ButtonRole.RejectRole)
        ]
        if ask(self, "恢复备份", question, buttons, name="confirm_restore") != "yes":
            return
        if self.release is not None:
            self.release()
        self.store = None
        try:
            result = backup.restore_backup(self.db_path, info.path)
        except UserError as exc:
            QMessageBox.warning(self, "没有恢复", str(exc))
        else:
            self.restored = True
            QMessageBox.information(self, "已恢复", restored_text(result))
        if self.reopen is not None:
            self.store = self.reopen()
        self.refresh()
        if self.restored and self.reopen is None:
            self.accept()

    def open_folder(self) -> None:
        folder = backup.backups_dir(self.db_path)
        with contextlib.suppress(OSError):
            folder.mkdir(exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            QMessageBox.information(self, "备份文件夹", f"备份在「{folder}」。")
