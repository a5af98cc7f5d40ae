"""Where the main window goes: sized to the screen it opens on, back where it was at the next start,
and never off-screen when the screens have changed since. Also the app's own settings file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from core.paths import data_dir

# The first window: the size the forms were laid out for, but never more than this share of the screen.
DEFAULT_SIZE = (1280, 820)
SCREEN_SHARE = 0.95
# Room kept above the window for its title bar (the frame is drawn outside the window's geometry).
TITLE_BAR = 32
SETTINGS_FILE = "settings.ini"
GEOMETRY_KEY = "window/geometry"
MAXIMIZED_KEY = "window/maximized"


def app_settings() -> QSettings:
    """The app's settings (window place, the report last open) as an INI file in the data folder: the
    same folder as the database, so a portable install or a test's data folder keeps its own."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat)


def database_key(db_path: Path) -> str:
    """A settings key for one database (paths hold characters QSettings keys cannot)."""
    import hashlib  # not before the window is shown: only when a database is opened

    return hashlib.sha256(str(Path(db_path).resolve()).encode("utf-8")).hexdigest()[:16]


def available_geometries() -> list[QRect]:
    """Where windows may go: each screen's area less task bars and docks, the primary screen first."""
    primary = QGuiApplication.primaryScreen()
    screens = QGuiApplication.screens()
    ordered = ([primary] if primary is not None else []) + [s for s in screens if s is not primary]
    return [s.availableGeometry() for s in ordered]


def _usable(available: QRect) -> QRect:
    """The part of a screen a window's client area may take: below room for its title bar."""
    return available.adjusted(0, min(TITLE_BAR, available.height() // 10), 0, 0)


def _area(rect: QRect) -> int:
    return max(rect.width(), 0) * max(rect.height(), 0) if rect.isValid() else 0


def first_geometry(available: QRect) -> QRect:
    """The first window on a screen: DEFAULT_SIZE, at most SCREEN_SHARE of the screen, centred."""
    usable = _usable(available)
    width = min(DEFAULT_SIZE[0], int(usable.width() * SCREEN_SHARE))
    height = min(DEFAULT_SIZE[1], int(usable.height() * SCREEN_SHARE))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(usable.center())
    return rect


def fit_on_screen(saved: QRect | None, screens: list[QRect]) -> QRect:
    """The window's rectangle for this start: the saved one, made no larger than the screen it overlaps
    most and moved inside it; the first window's place on the primary screen when there is none
    saved or it lies outside every screen (a monitor unplugged, a smaller screen or a larger scale)."""
    if not screens:
        return saved if saved is not None and saved.isValid() else QRect(0, 0, *DEFAULT_SIZE)
    if saved is None or not saved.isValid():
        return first_geometry(screens[0])
    usable = [_usable(s) for s in screens]
    best = max(usable, key=lambda u: _area(u.intersected(saved)))
    if _area(best.intersected(saved)) == 0:
        return first_geometry(screens[0])
    width, height = min(saved.width(), best.width()), min(saved.height(), best.height())
    x = min(max(saved.x(), best.left()), best.left() + best.width() - width)
    y = min(max(saved.y(), best.top()), best.top() + best.height() - height)
    return QRect(x, y, width, height)


def restore_window(window: QWidget, settings: QSettings) -> None:
    """Give `window` (not yet shown) its place: the saved one kept on-screen, and maximised if it was."""
    saved = settings.value(GEOMETRY_KEY)
    window.setGeometry(fit_on_screen(saved if isinstance(saved, QRect) else None, available_geometries()))
    if settings.value(MAXIMIZED_KEY, False, type=bool):
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def save_window(window: QWidget, settings: QSettings) -> None:
    """Remember `window`'s place: its normal (not maximised) rectangle and whether it is maximised."""
    settings.setValue(GEOMETRY_KEY, window.normalGeometry() if window.isMaximized() else window.geometry())
    settings.setValue(MAXIMIZED_KEY, window.isMaximized())
    settings.sync()
