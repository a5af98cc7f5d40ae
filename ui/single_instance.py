"""One app per database: a second start on the same database brings the first window forward.

The first instance holds a lock file in the data folder, named after the database, and listens on a
local socket of the same name. A second start finds the lock taken, sends "show" over the socket and
exits; the first raises its window. A lock left by a process that was killed is stale (its process is
gone) and is taken over. The command line does not take the lock: it may write while the app is open,
and the app shows what it wrote (MainWindow.check_external_changes)."""

from __future__ import annotations

import contextlib
import hashlib
import sys
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QMainWindow

from core.paths import data_dir

SHOW = b"show\n"
SHOWN = b"shown\n"
# How long a second start keeps trying to reach the first, which may itself still be starting.
HANDOVER_SECONDS = 5.0
_STEP_MS = 250


def instance_key(db_path: Path) -> str:
    """The same for every start on one database by one user (the data folder is the user's)."""
    try:
        where = f"{data_dir().resolve()}\n{db_path.resolve()}"
    except OSError:
        where = f"{data_dir()}\n{db_path}"
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def lock_path(db_path: Path) -> Path:
    return data_dir() / f"app-{instance_key(db_path)}.lock"


def server_name(db_path: Path) -> str:
    return f"gov-report-{instance_key(db_path)}"


class InstanceGuard(QObject):
    """The first instance's side: the lock, and the socket a second start knocks on."""

    activated = Signal()  # a second start asked this instance to show its window

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.name = server_name(db_path)
        self.lock: QLockFile | None = None
        self.server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this is the only instance on the database (or the lock cannot be kept at all: a
        read-only data folder must not stop the app); False when another instance holds it."""
        path = lock_path(self.db_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return True
        lock = QLockFile(str(path))
        lock.setStaleLockTime(0)  # stale only when its process is gone, however old
        if lock.tryLock(0):
            self.lock = lock
            return True
        return lock.error() != QLockFile.LockError.LockFailedError

    def listen(self) -> bool:
        """Start answering second starts. A socket left by a killed first instance is removed first:
        this instance holds the lock, so no live one can own it. Without the lock, nothing."""
        if self.lock is None:
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            return False
        server.newConnection.connect(self._connected)
        self.server = server
        return True

    def _connected(self) -> None:
        server = self.server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.canReadLine():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data())
        if line == SHOW:
            self.activated.emit()
            socket.write(SHOWN)
            socket.flush()
        socket.disconnectFromServer()

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None


def hand_over(db_path: Path, seconds: float = HANDOVER_SECONDS) -> bool:
    """The second start's side: ask the first instance to show its window. True once it said it did."""
    _allow_foreground()
    deadline = time.monotonic() + seconds
    while True:
        socket = QLocalSocket()
        socket.connectToServer(server_name(db_path))
        if socket.waitForConnected(_STEP_MS):
            socket.write(SHOW)
            socket.flush()
            if socket.waitForBytesWritten(1000) or socket.bytesToWrite() == 0:
                while not socket.canReadLine() and socket.waitForReadyRead(int(seconds * 1000)):
                    pass
                if socket.canReadLine() and bytes(socket.readLine().data()) == SHOWN:
                    socket.disconnectFromServer()
                    return True
            socket.abort()
        if time.monotonic() >= deadline:
            return False
        time.sleep(_STEP_MS / 1000)


def _allow_foreground() -> None:
    """On Windows only the process the user just started may bring a window to the front: it lends
    that right to the first instance (otherwise its window only flashes in the taskbar)."""
    if sys.platform == "win32":
        import ctypes

        with contextlib.suppress(AttributeError, OSError):
            ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY


def bring_forward(window: QMainWindow) -> None:
    """Show the window above the others (from a minimised or hidden state too) and say why."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    window.statusBar().showMessage("程序又启动了一次：这个数据库已在本窗口中打开，请在这里继续。", 10000)
