"""The main window: the reports list, the open report's editor, menus, shortcuts and the status bar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from ui.window_place import app_settings, database_key, restore_window, save_window

if TYPE_CHECKING:  # loaded once the window is on screen (the list) or a report is opened (the editor)
    from core.storage import Store
    from ui.about import AboutDialog
    from ui.batch_check import BatchCheckWindow
    from ui.compare_view import CompareDialog
    from ui.editor import ReportEditor
    from ui.guide import GuideDialog
    from ui.reports_list import ReportsListWidget
    from ui.rule_packs import RulePacksDialog
    from ui.season import SeasonWindow
    from ui.session import ReportSession

APP_TITLE = "政府信息公开年报助手"
# How often the window looks for changes another process (another window, `main.py import`) saved.
EXTERNAL_POLL_MS = 1000
# Settings group: per database, the report open when the app closed.
LAST_REPORT_GROUP = "last_report"


class MainWindow(QMainWindow):
    """The app's window. Given no store, it shows at once and waits for `attach_store`, so the window
    is on screen before the database and the reports list are loaded."""

    store: Store
    reports: ReportsListWidget

    def __init__(self, store: Store | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ReportSession | None = None
        self.editor: ReportEditor | None = None
        self.batch_window: BatchCheckWindow | None = None
        self.season_window: SeasonWindow | None = None
        self.guide: GuideDialog | None = None
        self.setObjectName("main_window")
        self.setAcceptDrops(True)  # report files dropped on the window are previewed for import
        self.setWindowTitle(APP_TITLE)
        # Sized to the screen (a 1366×768 laptop, a 150 % scale), or where it was when last closed.
        restore_window(self, app_settings())

        self.stack = QStackedWidget(self)
        self.loading = QLabel("正在打开报告数据库…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        self.setCentralWidget(self.stack)

        self.saved_label = QLabel("")
        self.saved_label.setObjectName("saved_label")
        self.counts_label = QLabel("")
        self.counts_label.setObjectName("counts_label")
        self.statusBar().addPermanentWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.saved_label)
        self._build_actions()
        self._update_actions()
        self._data_version: int | None = None
        self.external_timer = QTimer(self)
        self.external_timer.setObjectName("external_timer")
        self.external_timer.setInterval(EXTERNAL_POLL_MS)
        self.external_timer.timeout.connect(self.check_external_changes)
        if store is not None:
            self.attach_store(store)

    def attach_store(self, store: Store, *, reopen_last: bool = False) -> None:
        """Show the reports of this database; with `reopen_last` (the app starting), the report that was
        open when the app last closed on this database, if it is still there."""
        from ui.reports_list import ReportsListWidget

        self.store = store
        self.db_path = store.path
        self.reports = ReportsListWidget(store, self)
        self.reports.openRequested.connect(self.open_report)
        self.reports.statusMessage.connect(self._notice)
        self.reports.reportDeleted.connect(self._report_deleted)
        self.stack.addWidget(self.reports)
        self.stack.setCurrentWidget(self.reports)
        self._update_actions()
        self._warn_template_problems()
        self._offer_backups()  # the list found the database damaged
        self._data_version = self._poll_version()
        self.external_timer.start()
        if reopen_last:
            self._reopen_last_report()

    def _last_report_key(self) -> str:
        return f"{LAST_REPORT_GROUP}/{database_key(self.db_path)}"

    def _reopen_last_report(self) -> None:
        """Open the report left open at the last close; the list stays when it is gone (deleted,
        restored away, or the database replaced) and the status bar says so."""
        import sqlite3

        from core.errors import UserError

        settings = app_settings()
        saved = settings.value(self._last_report_key())
        if saved is None:
            return
        try:
            report_id = int(str(saved))
            there = self.store.exists(report_id)
        except (ValueError, UserError, sqlite3.Error):
            there = False
        if not there:
            settings.remove(self._last_report_key())
            self._notice("上次关闭程序时打开的报告已不在数据库中（已删除或已被替换），请在列表中选择报告。")
            return
        self.reports.select_report(report_id)
        self.open_report(report_id)

    def _remember_open_report(self) -> None:
        """At close: which report is open (the next start opens it again), or none (the list)."""
        if not hasattr(self, "db_path"):
            return
        settings = app_settings()
        if self.session is not None:
            settings.setValue(self._last_report_key(), self.session.report_id)
        else:
            settings.remove(self._last_report_key())
        settings.sync()

    def _poll_version(self) -> int | None:
        from core.errors import UserError

        try:
            return self.store.data_version()
        except UserError:
            return None  # the database cannot be read now; the next edit says why

    def check_external_changes(self) -> bool:
        """Show what another process saved since the last look: the open report's cells, texts,
        totals and findings, or the reports list. A cell being typed into keeps what is typed.
        Returns whether anything was refreshed."""
        from core.errors import UserError

        version = self._poll_version()
        if version is None or version == self._data_version:
            return False
        self._data_version = version
        if self.session is not None:
            try:
                changed = self.session.refresh()
            except UserError:
                self.show_list()
                self._notice("这份报告已在别处删除或无法读取，已回到报告列表。")
                return True
            if changed:
                self._notice("这份报告已在别处修改，窗口中已显示最新内容。")
            return changed
        self.reports.refresh()
        return True

    def _warn_template_problems(self) -> None:
        """Template files added to the data folder that could not be used: say so once, plainly."""
        from core.template import template_problems, user_templates_dir

        problems = template_problems()
        if not problems:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "格式文件有误",
            f"数据文件夹的「{user_templates_dir()}」中有格式文件无法使用，未载入：\n\n" + "\n".join(problems),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("template_problems")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- actions ----------------------------------------------------------------------------------

    def _action(
        self, name: str, text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        self.act_new = self._action("new_report", "新建报告…", self.new_report, QKeySequence.StandardKey.New)
        self.act_list = self._action("show_list", "报告列表", self.show_list, "Ctrl+L")
        self.act_import = self._action("import_file", "导入报告…", self.import_report, "Ctrl+I")
        self.act_batch = self._action("batch_check", "文件检查…", self.show_batch_check)
        self.act_season = self._action("season", "年报审核…", self.show_season)
        self.act_print_preview = self._action(
            "print_preview", "打印预览…", self.print_preview, QKeySequence.StandardKey.Print
        )
        self.act_export = self._action("export", "导出…", self.export, "Ctrl+E")
        self.act_backups = self._action("backups", "备份与恢复…", self.show_backups)
        self.act_quit = self._action("quit", "退出", self.close, QKeySequence.StandardKey.Quit)
        self.act_print = self._action("print", "打印…", self.print_directly, "Ctrl+Shift+P")
        file_menu.addAction(self.act_new)
        for action in (
            self.act_list, self.act_import, self.act_batch, self.act_season, self.act_print_preview, self.act_print,
            self.act_export,
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.act_backups)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)

        edit_menu = bar.addMenu("编辑(&E)")
        self.act_undo = self._action("undo", "撤销", self.undo, QKeySequence.StandardKey.Undo)
        self.act_redo = self._action("redo", "重做", self.redo)
        # Ctrl+Y as the README and Office/WPS users expect, and Ctrl+Shift+Z, on every platform (Qt's
        # standard Redo is only Ctrl+Shift+Z on Linux).
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.act_find = self._action("find_row", "查找行…", self.find_row, QKeySequence.StandardKey.Find)
        for action in (self.act_undo, self.act_redo, self.act_find):
            edit_menu.addAction(action)

        report_menu = bar.addMenu("报告(&R)")
        self.act_final = self._action("mark_final", "标记为已定稿", self.toggle_final)
        self.act_history = self._action("history", "修订历史…", self.show_history)
        self.act_compare = self._action("compare_years", "与往年比较…", self.show_comparison)
        for action in (self.act_final, self.act_history, self.act_compare):
            report_menu.addAction(action)
        report_menu.addSeparator()
        report_menu.addAction(self._action("rule_packs", "地方规则…", self.show_rule_packs))

        help_menu = bar.addMenu("帮助(&H)")
        self.act_guide = self._action("guide", "填报说明…", self.show_guide, QKeySequence.StandardKey.HelpContents)
        help_menu.addAction(self.act_guide)
        help_menu.addSeparator()
        help_menu.addAction(self._action("about", "关于", self.about))

    def _update_actions(self) -> None:
        open_report = self.session is not None
        for action in (
            self.act_print_preview, self.act_print, self.act_export, self.act_final, self.act_history, self.act_find,
            self.act_compare,
        ):
            action.setEnabled(open_report)
        self.act_list.setEnabled(open_report)
        self.act_import.setEnabled(hasattr(self, "reports"))
        self.act_new.setEnabled(hasattr(self, "reports"))
        self.act_season.setEnabled(hasattr(self, "store"))
        self.act_backups.setEnabled(hasattr(self, "db_path"))
        stack = self.session.undo_stack if self.session else None
        self.act_undo.setEnabled(bool(stack and stack.canUndo()))
        self.act_redo.setEnabled(bool(stack and stack.canRedo()))
        if self.session is not None:
            self.act_final.setText("撤销定稿" if self.session.final else "标记为已定稿")
            errors, warnings = self.session.counts()
            self.counts_label.setText(f"错误 {errors} · 提示 {warnings}")
            state = "已定稿（只读）" if self.session.final else "草稿"
            report = self.session.report
            self.setWindowTitle(f"{report.agency} {report.year} 年度报告（{state}）— {APP_TITLE}")
        else:
            self.counts_label.setText("")
            self.setWindowTitle(APP_TITLE)

    # --- reports ----------------------------------------------------------------------------------

    def open_report(self, report_id: int) -> None:
        from core.errors import UserError
        from ui.editor import ReportEditor
        from ui.session import ReportSession

        self._close_report()
        # No Qt parent: the editor holds the session, and both go when the editor is deleted. (As a
        # Qt child of the editor, its deferred deletion crashed PySide 6.11 when the window went too.)
        try:
            session = ReportSession(self.store, report_id)
        except UserError as exc:  # the report cannot be read: gone, or the database found damaged
            QMessageBox.warning(self, "无法打开报告", str(exc))
            self._offer_backups()
            return
        editor = ReportEditor(session, self)
        session.saved.connect(self.saved_label.setText)
        session.failed.connect(self._failed)
        session.refused.connect(self._refused)
        session.findingsChanged.connect(self._update_actions)
        session.statusChanged.connect(lambda _s: self._update_actions())
        session.undo_stack.indexChanged.connect(lambda _i: self._update_actions())
        editor.notice.connect(self._notice)
        self.session, self.editor = session, editor
        self.stack.addWidget(editor)
        self.stack.setCurrentWidget(editor)
        self.saved_label.setText("已保存")
        self._update_actions()

    def _close_report(self) -> None:
        if self.session is not None:
            # Nothing may reach widgets that are about to go.
            self.session.undo_stack.blockSignals(True)
            self.session.blockSignals(True)
        if self.editor is not None:
            self.stack.removeWidget(self.editor)
            self.editor.deleteLater()
        self.session, self.editor = None, None
        self.saved_label.setText("")  # "已保存"/"未保存" speak of the open report only

    def _report_deleted(self, report_id: int) -> None:
        """A report moved to the recycle bin (deleted, or replaced by an import) is not left open."""
        if self.session is not None and self.session.report_id == report_id:
            self.show_list()

    def show_list(self) -> None:
        self._close_report()
        self.reports.refresh()
        self.stack.setCurrentWidget(self.reports)
        self._update_actions()

    # --- importing and checking files ---------------------------------------------------------------

    def new_report(self) -> None:
        """文件 → 新建报告: the new-report dialog, for the user's agency (also while a report is open)."""
        if hasattr(self, "reports"):
            self.reports.new_report()

    def import_report(self) -> None:
        if hasattr(self, "reports"):
            self.reports.import_file()

    def import_path(self, path: Path) -> None:
        """Preview a report file for import (the list shows and selects it once stored)."""
        if hasattr(self, "reports"):
            self.reports.import_path(path)

    def _import_requested(self, path: str) -> None:
        self.import_path(Path(path))

    def show_batch_check(self) -> BatchCheckWindow:
        """The 文件检查 window (one, kept with its table while the app runs)."""
        if self.batch_window is None:
            from ui.batch_check import BatchCheckWindow

            self.batch_window = BatchCheckWindow(self, can_import=True)
            self.batch_window.importRequested.connect(self._import_requested)
        self.batch_window.show()
        self.batch_window.raise_()
        self.batch_window.activateWindow()
        return self.batch_window

    def show_season(self) -> SeasonWindow | None:
        """The 年报审核 window (one, on this database, kept while the app runs)."""
        if not hasattr(self, "store"):
            return None
        if self.season_window is None:
            from ui.season import SeasonWindow

            self.season_window = SeasonWindow(self.store, self)
        self.season_window.show()
        self.season_window.raise_()
        self.season_window.activateWindow()
        return self.season_window

    def _close_season(self) -> None:
        if self.season_window is not None:
            self.season_window.close()
            self.season_window.deleteLater()
            self.season_window = None

    @staticmethod
    def _dropped(mime: QMimeData) -> list[Path]:
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """One report file: the import preview. Several files or a folder: 文件检查."""
        paths = self._dropped(event.mimeData())
        if not paths or not hasattr(self, "reports"):
            event.ignore()
            return
        event.acceptProposedAction()
        if len(paths) == 1 and not paths[0].is_dir():
            self.import_path(paths[0])
            return
        self.show_batch_check().add_paths(paths)
        self._notice("拖入的文件已加入「文件检查」；如要导入某一份，请在其中选择它并点击「导入所选文件」。")

    # --- editing ----------------------------------------------------------------------------------

    def undo(self) -> None:
        if self.session is not None:
            self.session.undo_stack.undo()

    def redo(self) -> None:
        if self.session is not None:
            self.session.undo_stack.redo()

    def find_row(self) -> None:
        if self.editor is None:
            return
        text, ok = QInputDialog.getText(self, "查找行", "行名称中包含的文字（例如“不予公开”“行政许可”）：")
        if ok and text.strip() and not self.editor.find_row(text.strip()):
            self._notice(f"没有找到包含“{text.strip()}”的行")

    def toggle_final(self) -> None:
        session = self.session
        if session is None:
            return
        if session.final:
            if self.editor is not None:
                self.editor.ask_unfinalise()
            return
        errors, warnings = session.counts()
        if errors:
            QMessageBox.warning(
                self, "不能定稿", f"报告还有 {errors} 个错误，请在右侧“检查结果”中逐一改正后再定稿。"
            )
            return
        if warnings:
            from ui.dialogs import confirm_finalise

            if not confirm_finalise(self, session.report, [f for f in session.findings if f.severity != "error"]):
                return
        if session.set_final(True):
            self._notice("报告已定稿，现为只读；如需修改，请在“报告”菜单中撤销定稿。")

    def show_history(self) -> None:
        if self.session is None:
            return
        from ui.history import HistoryDialog

        dialog = HistoryDialog(self.store, self.session, self)
        dialog.open()

    def show_comparison(self) -> CompareDialog | None:
        """报告 → 与往年比较…: the open report against the same agency's earlier reports in the database
        (key figures over the years, changes, and the checks against last year, TEXT-COPIED among them)."""
        if self.session is None:
            return None
        from core.errors import UserError
        from ui.compare_view import CompareDialog

        this = self.session.report
        try:
            earlier = [
                self.store.load(s.id) for s in self.store.list_reports()
                if s.agency == this.agency and s.year < this.year
            ]
        except UserError as exc:
            self._failed(str(exc))
            return None
        dialog = CompareDialog([*earlier, this], self, title=f"与往年比较：{this.agency} {this.year} 年度")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_rule_packs(self) -> RulePacksDialog:
        """报告 → 地方规则…: the local rule packs; when they change, the findings are made again."""
        from ui.rule_packs import RulePacksDialog

        dialog = RulePacksDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.packsChanged.connect(self._rule_packs_changed)
        dialog.open()
        return dialog

    def _rule_packs_changed(self) -> None:
        if self.session is not None:
            self.session.recheck()  # the report is unchanged: only its findings, which the packs add to
        elif hasattr(self, "reports"):
            self.reports.refresh()  # the counts of findings are made again (their key names the packs)

    # --- printing and export ----------------------------------------------------------------------

    def print_directly(self) -> None:
        if self.session is None:
            return
        from ui.printing import print_directly

        print_directly(self, self.session, self.store)

    def print_preview(self) -> None:
        if self.session is None:
            return
        from ui.printing import print_preview

        print_preview(self, self.session, self.store)

    def export(self) -> None:
        if self.session is None:
            return
        from ui.printing import ExportDialog

        dialog = ExportDialog(self.session, self.store, self)
        dialog.open()

    # --- backups ----------------------------------------------------------------------------------

    def show_backups(self) -> None:
        """文件 → 备份与恢复: the backups; a restore closes the database, replaces it and opens it again."""
        if not hasattr(self, "db_path"):
            return
        from ui.backup_dialog import BackupDialog

        dialog = BackupDialog(
            self.db_path, getattr(self, "store", None), self, release=self._release_store, reopen=self._reopen_store
        )
        dialog.exec()

    def _release_store(self) -> None:
        """Close the database before a restore replaces it: no report, no list, no polling left on it."""
        self.external_timer.stop()
        self._close_report()
        self._close_season()  # it reads the database being replaced
        if hasattr(self, "reports"):
            self.stack.removeWidget(self.reports)
            self.reports.deleteLater()
            del self.reports
        self.loading.setText("正在恢复报告数据库…")
        self.stack.setCurrentWidget(self.loading)
        if hasattr(self, "store"):
            self.store.close()
            del self.store
        self._update_actions()

    def _reopen_store(self) -> Store | None:
        """Open the database again after a restore (asking, as at start, if it cannot be trusted)."""
        from ui.backup_dialog import open_store

        store = open_store(self, self.db_path)
        if store is None:
            self.loading.setText("数据库没有打开。可以在“文件 → 备份与恢复”中恢复一个备份，或关闭程序。")
            return None
        self.attach_store(store)
        self._notice("已恢复数据库，列表显示的是备份中的报告。")
        return store

    # --- messages ---------------------------------------------------------------------------------

    def _notice(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _refused(self, message: str) -> None:
        """An undo or redo not done because its values changed elsewhere: said, not a modal error."""
        self.statusBar().showMessage(message, 15000)

    def _failed(self, message: str) -> None:
        self.saved_label.setText("未保存")
        QMessageBox.warning(self, "没有保存", message)
        self._offer_backups()

    def _offer_backups(self) -> None:
        """When the database turned out damaged while in use (it takes no more writes), offer the backups."""
        store = getattr(self, "store", None)
        if store is None or store.damaged is None:
            return
        from ui.dialogs import ask

        buttons = [
            ("choose", "备份与恢复…", QMessageBox.ButtonRole.AcceptRole),
            ("later", "稍后", QMessageBox.ButtonRole.RejectRole),
        ]
        if ask(self, "数据库已损坏", str(store.damaged), buttons, icon=QMessageBox.Icon.Critical,
               name="damaged_in_use") == "choose":
            self.show_backups()

    def show_guide(self) -> GuideDialog:
        """帮助 → 填报说明: what each row of 二, 三 and 四 counts, for the open report's format (at the
        table being filled) or the current format; one window, kept beside the report."""
        from ui.guide import GuideDialog

        template_id = self.session.report.template_id if self.session is not None else None
        if self.guide is None:
            self.guide = GuideDialog(template_id, self)
        elif template_id is not None:
            self.guide.select_template(template_id)
        section = self.editor.current_section() if self.editor is not None else None
        self.guide.show()
        self.guide.raise_()
        self.guide.activateWindow()
        self.guide.show_section(section if section in ("s2", "s3", "s4") else "s3")
        return self.guide

    def about(self) -> AboutDialog:
        """帮助 → 关于: the version, the folders, the fonts and how the app runs, with 复制信息."""
        from ui.about import AboutDialog

        store = getattr(self, "store", None)
        dialog = AboutDialog(store.path if store is not None else None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        # Every change is already in the database; nothing to ask.
        save_window(self, app_settings())
        self._remember_open_report()
        self.external_timer.stop()
        if self.batch_window is not None:
            self.batch_window.cancel()
        self._close_season()
        self._close_report()
        event.accept()
