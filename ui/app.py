"""Starting the desktop app: a display check, the Qt application, the database and the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

NO_DISPLAY = (
    "没有可用的图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY），无法打开窗口。"
    "请在桌面环境中运行；命令行功能见 python main.py --help。"
)


def display_available() -> bool:
    """Whether Qt can open a window here: on Linux an X11 or Wayland display (or an explicit platform)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def launch(db_path: Path) -> int:
    """Open the app on the database at `db_path`; returns the exit status."""
    if not display_available():
        sys.stderr.write(NO_DISPLAY + "\n")
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.qt_chinese import install_translations
    from ui.single_instance import InstanceGuard, bring_forward, hand_over

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("政府信息公开年报助手")
    app.setOrganizationName("gov-disclosure-annual-report")
    install_translations(app)
    guard = InstanceGuard(db_path)
    if not guard.acquire():
        # One window per database: a second start brings the first one forward and ends.
        if hand_over(db_path):
            sys.stderr.write(f"数据库「{db_path}」已在程序的另一个窗口中打开，已切换到那个窗口。\n")
            return 0
        sys.stderr.write(
            f"数据库「{db_path}」已在程序的另一个窗口中打开，但那个窗口没有响应；请关闭它（或结束它的进程）后再启动。\n"
        )
        return 1
    guard.listen()
    window = MainWindow()
    guard.activated.connect(lambda: bring_forward(window))
    window.show()
    opened = []

    def open_database() -> None:
        # After the window is on screen: the database, the checks and the list load meanwhile. A
        # damaged database is not opened: the user restores a backup, keeps it (lost saves only) or quits.
        from ui.backup_dialog import open_store

        store = open_store(window, db_path)
        if store is None:
            app.exit(2)
            return
        opened.append(store)
        window.attach_store(store, reopen_last=True)

    QTimer.singleShot(0, open_database)
    try:
        return int(app.exec())
    finally:
        current = getattr(window, "store", None)  # after a restore, the database opened again
        for store in [*opened, *([current] if current is not None and current not in opened else [])]:
            store.close()
        guard.release()
