"""The window around the reports: Qt's own dialogs in Chinese, a window that fits the screen and comes
back where it was, redo keys, and the report that was open coming back at the next start."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from core.paths import data_dir
from core.storage import Store
from ui.main_window import MainWindow
from ui.qt_chinese import install_translations
from ui.window_place import DEFAULT_SIZE, GEOMETRY_KEY, TITLE_BAR, app_settings, first_geometry, fit_on_screen

ROOT = Path(__file__).resolve().parents[1]

# --- Qt's standard dialogs in Chinese -------------------------------------------------------------


def test_message_box_buttons_are_chinese(qtbot: QtBot) -> None:
    buttons = QMessageBox.StandardButton
    every = buttons.Yes | buttons.No | buttons.Ok | buttons.Cancel
    box = QMessageBox(QMessageBox.Icon.Question, "删除报告", "删除？", every)
    qtbot.addWidget(box)
    assert box.button(buttons.Yes).text() == "是(&Y)"
    assert box.button(buttons.No).text() == "否(&N)"
    assert box.button(buttons.Ok).text() == "确定"
    assert box.button(buttons.Cancel).text() == "取消"


def test_translation_is_installed_once(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    assert install_translations(app)
    assert install_translations(app)
    assert QApplication.translate("QPlatformTheme", "&Yes") == "是(&Y)"


def test_the_apps_own_question_shows_chinese_buttons(qtbot: QtBot, store: Store) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    seen: list[list[str]] = []

    def look(tries: int = 50) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if tries:
                QTimer.singleShot(20, lambda: look(tries - 1))
            return
        seen.append(sorted(b.text() for b in box.buttons()))
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, look)
    window.reports.action("delete_report").trigger()  # asks 删除报告？ with Yes/No
    assert seen == [["否(&N)", "是(&Y)"]]
    assert window.reports.model.rowCount() == 1  # 否 kept it


def _file_dialog(qtbot: QtBot, mode: QFileDialog.AcceptMode) -> QFileDialog:
    dialog = QFileDialog(None, "导入报告文件")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(mode)
    qtbot.addWidget(dialog)
    return dialog


def test_file_chooser_is_chinese(qtbot: QtBot) -> None:
    dialog = _file_dialog(qtbot, QFileDialog.AcceptMode.AcceptOpen)
    box = dialog.findChild(QDialogButtonBox)
    assert [b.text() for b in box.buttons()] == ["打开(&O)", "取消"]
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert labels == {"查找范围(&L)：", "文件名称(&N)：", "文件类型(&T)："}
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    assert [b.text() for b in box.buttons()] == ["保存(&S)", "取消"]


def test_print_dialog_is_chinese(qtbot: QtBot) -> None:
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "打印"
    texts = {b.text() for b in dialog.findChildren(QPushButton)}
    assert {"打印(&P)", "取消"} <= texts
    assert not [t for t in texts if re.search("[A-Za-z]", re.sub(r"\(&[A-Z]\)", "", t))]  # 属性(&R) is Chinese


def test_launch_loads_the_translation_before_the_window(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    """ui.app.launch installs it (the test application has it already, so look at the call)."""
    import ui.app
    import ui.qt_chinese

    calls: list[object] = []
    monkeypatch.setattr(ui.qt_chinese, "install_translations", lambda app: calls.append(app) or True)

    class Refused(Exception):
        pass

    def refuse(_db: Path) -> None:
        raise Refused

    monkeypatch.setattr("ui.single_instance.InstanceGuard", refuse)
    with pytest.raises(Refused):
        ui.app.launch(db_path)
    assert calls == [QApplication.instance()]


# --- redo keys ------------------------------------------------------------------------------------


def _open_seed(qtbot: QtBot, store: Store) -> MainWindow:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts answer in the active window
    window.open_report(store.list_reports()[0].id)
    assert window.session is not None
    return window


def test_redo_is_ctrl_y_and_ctrl_shift_z_on_every_platform(qtbot: QtBot, store: Store) -> None:
    window = _open_seed(qtbot, store)
    # Bound as such, not through the platform's standard Redo (only Ctrl+Shift+Z on Linux desktops).
    assert [k.toString() for k in window.act_redo.shortcuts()] == ["Ctrl+Y", "Ctrl+Shift+Z"]
    assert QKeySequence("Ctrl+Z") in window.act_undo.shortcuts()
    session, editor = window.session, window.editor
    assert session is not None and editor is not None
    target = editor.tabs.tabBar()  # a widget with no keys of its own: the window's shortcuts answer
    target.setFocus()
    session.edit_cells({"s3.new.natural": "6"})
    for redo in (
        (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
    ):
        qtbot.keyClick(target, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert session.display("s3.new.natural") == ""
        qtbot.keyClick(target, *redo)
        assert session.display("s3.new.natural") == "6"


# --- the window fits the screen and comes back where it was ---------------------------------------

LAPTOP = QRect(0, 0, 1366, 768)


def _inside(rect: QRect, screen: QRect) -> bool:
    return screen.contains(rect.topLeft()) and screen.contains(rect.bottomRight())


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """The screens the window sees: one 1366×768 laptop screen."""
    monkeypatch.setattr("ui.window_place.available_geometries", lambda: [QRect(LAPTOP)])
    return LAPTOP


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    return window


def test_settings_live_in_the_data_folder() -> None:
    """The data folder: the test's own here (conftest), never the user's."""
    settings = app_settings()
    assert Path(settings.fileName()).parent == data_dir()
    assert settings.format() == settings.Format.IniFormat


def test_first_window_fits_a_1366_by_768_screen(qtbot: QtBot, laptop: QRect) -> None:
    window = _window(qtbot)
    geometry = window.geometry()
    assert _inside(geometry, laptop)
    assert geometry.top() >= TITLE_BAR  # the title bar above it is on the screen too
    assert geometry.width() <= 1280 and geometry.height() <= 0.95 * laptop.height()
    assert geometry.width() >= 1200 and geometry.height() >= 650  # but uses the screen
    # A large screen gets the size the forms were laid out for.
    assert first_geometry(QRect(0, 0, 1920, 1080)).size() == QSize(*DEFAULT_SIZE)


def test_saved_place_and_maximised_state_come_back(qtbot: QtBot, laptop: QRect) -> None:
    window = _window(qtbot)
    window.setGeometry(QRect(100, 120, 900, 600))
    window.show()
    window.close()
    again = _window(qtbot)
    assert again.geometry() == QRect(100, 120, 900, 600)
    assert not again.windowState() & Qt.WindowState.WindowMaximized
    again.showMaximized()
    again.close()
    third = _window(qtbot)
    assert third.windowState() & Qt.WindowState.WindowMaximized
    assert third.geometry() == QRect(100, 120, 900, 600)  # un-maximised, it is where it was


@pytest.mark.parametrize(
    ("saved", "why"),
    [
        (QRect(2400, 300, 900, 600), "on a second monitor that is gone"),
        (QRect(-1500, -900, 900, 600), "left and above every screen"),
    ],
)
def test_a_place_outside_every_screen_is_recentred(qtbot: QtBot, laptop: QRect, saved: QRect, why: str) -> None:
    app_settings().setValue(GEOMETRY_KEY, saved)
    window = _window(qtbot)
    assert _inside(window.geometry(), laptop), why
    assert window.geometry() == first_geometry(laptop)


def test_a_place_too_large_or_partly_off_the_screen_is_pulled_in(qtbot: QtBot, laptop: QRect) -> None:
    app_settings().setValue(GEOMETRY_KEY, QRect(0, 0, 1900, 1180))  # saved on a larger screen
    window = _window(qtbot)
    assert _inside(window.geometry(), laptop)
    assert window.geometry().top() >= TITLE_BAR
    app_settings().setValue(GEOMETRY_KEY, QRect(1000, 500, 800, 500))  # hangs off the right and bottom
    moved = _window(qtbot)
    assert _inside(moved.geometry(), laptop)
    assert moved.geometry().size() == QSize(800, 500)


def test_two_screens_keep_a_window_on_the_second(monkeypatch: pytest.MonkeyPatch) -> None:
    screens = [QRect(0, 0, 1366, 768), QRect(1366, 0, 1920, 1080)]
    assert fit_on_screen(QRect(1500, 100, 1200, 800), screens) == QRect(1500, 100, 1200, 800)
    assert _inside(fit_on_screen(QRect(3000, 100, 1200, 800), screens), screens[1])


SCREEN_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow
app = QApplication(sys.argv[:1])
window = MainWindow()
window.show()
app.processEvents()
if {open_report!r}:
    from core.paths import data_dir
    from core.storage import Store
    store = Store(data_dir() / "reports.sqlite3")
    window.attach_store(store)
    window.open_report(store.list_reports()[0].id)
    for _ in range(5):
        app.processEvents()
screen = window.screen().availableGeometry()
g, f = window.geometry(), window.frameGeometry()
print(json.dumps({{"screen": [screen.width(), screen.height()], "window": [g.x(), g.y(), g.width(), g.height()],
                  "frame": [f.x(), f.y(), f.width(), f.height()]}}))
"""


@pytest.mark.parametrize("open_report", [False, True], ids=["list", "report-open"])
@pytest.mark.parametrize(("scale", "logical"), [("1", (1366, 768)), ("1.5", (911, 512))])
def test_a_real_1366_by_768_screen_at_100_and_150_percent(
    tmp_path: Path, scale: str, logical: tuple[int, int], open_report: bool
) -> None:
    """Qt's offscreen platform with a 1366×768 screen: at 150 % the window's logical size shrinks too
    (it opened at 1920×1228 physical pixels before, its close button off-screen); and opening a report
    does not grow it past the screen (the cover's form needed 525 px, hiding the status bar)."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale,
           "GOV_REPORT_DATA_DIR": str(data_dir())}
    child = SCREEN_CHILD.format(root=str(ROOT), open_report=open_report)
    out = subprocess.run([sys.executable, "-c", child], env=env, check=True, capture_output=True, text=True,
                         timeout=60).stdout
    found = json.loads(out.splitlines()[-1])
    assert tuple(found["screen"]) == logical
    x, y, width, height = found["window"]
    assert x >= 0 and x + width <= logical[0]
    assert y >= TITLE_BAR and y + height <= logical[1]
    assert width >= 0.9 * min(logical[0], 1280) and height <= 0.95 * logical[1]


# --- the report that was open comes back ----------------------------------------------------------


def _start(qtbot: QtBot, db: Path) -> tuple[MainWindow, Store]:
    """What ui.app.launch does: the window, then the database, reopening the last report."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    store = Store(db)
    window.attach_store(store, reopen_last=True)
    return window, store


def _quit(window: MainWindow, store: Store) -> None:
    window.close()
    store.close()


def test_the_report_open_at_close_opens_at_the_next_start(qtbot: QtBot, db_path: Path) -> None:
    window, store = _start(qtbot, db_path)
    assert window.session is None  # nothing was open before
    report_id = store.list_reports()[0].id
    window.open_report(report_id)
    _quit(window, store)
    again, store = _start(qtbot, db_path)
    assert again.session is not None and again.session.report_id == report_id
    assert again.stack.currentWidget() is again.editor
    again.show_list()  # closed at the list: the list at the next start
    _quit(again, store)
    third, store = _start(qtbot, db_path)
    assert third.session is None and third.stack.currentWidget() is third.reports
    _quit(third, store)


def test_a_report_gone_since_leaves_the_list_and_says_why(qtbot: QtBot, db_path: Path) -> None:
    window, store = _start(qtbot, db_path)
    report_id = store.list_reports()[0].id
    window.open_report(report_id)
    _quit(window, store)
    elsewhere = Store(db_path)  # e.g. `main.py import --replace`, or another window
    elsewhere.delete(report_id)
    elsewhere.close()
    again, store = _start(qtbot, db_path)
    assert again.session is None and again.stack.currentWidget() is again.reports
    assert "上次关闭程序时打开的报告已不在数据库中" in again.statusBar().currentMessage()
    _quit(again, store)


def test_the_last_report_is_remembered_per_database(qtbot: QtBot, tmp_path: Path) -> None:
    first, other = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    window, store = _start(qtbot, first)
    window.open_report(store.list_reports()[0].id)
    _quit(window, store)
    elsewhere, store = _start(qtbot, other)  # its example report has the same id
    assert elsewhere.session is None
    _quit(elsewhere, store)
    back, store = _start(qtbot, first)
    assert back.session is not None
    _quit(back, store)
