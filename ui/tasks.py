"""Work off the window's thread: a function run on Qt's thread pool, with progress, cancel and a
result delivered back to the window thread (PDF rendering, exports, reading files, batch checks)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.errors import UserError

log = logging.getLogger(__name__)
WORKING_LABEL = "正在处理…"
PROGRESS_DELAY_MS = 300  # a progress dialog appears only for work that takes longer than this

class TaskContext:
    """Given to a background function: report progress, and see whether the user cancelled."""

    def __init__(self, report: Callable[[int, str], None]) -> None:
        self._report = report
        self._cancel = threading.Event()

    def progress(self, value: int, text: str = "") -> None:
        self._report(value, text)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()



class StoppableWorker(QRunnable):
    """A worker that goes through files until `stop` is set (the window's 取消) and always says it ended:
    `finished(cancelled)` is emitted whatever happened in `work`, so the window never waits forever. A
    subclass does its work in `work` and reports through its own relay's signals."""

    def __init__(self, stop: threading.Event, finished: SignalInstance, what: str) -> None:
        super().__init__()
        self._stop = stop
        self._finished = finished
        self._what = what

    def run(self) -> None:
        try:
            self.work()
        except Exception:  # the window must hear back, whatever happened
            log.exception("%s failed", self._what)
        finally:
            self._finished.emit(self._stop.is_set())

    def work(self) -> None:
        raise NotImplementedError


_ACTIVE_TASKS: set[BackgroundTask] = set()  # running tasks, so one without a parent is not collected


class _Relay(QObject):
    """Carries a worker's news to the UI thread (queued); has no parent, so it outlives any window."""

    progressed = Signal(int, str)
    finished = Signal(bool, object)  # ok, result or Chinese message


class _Runnable(QRunnable):
    def __init__(self, func: Callable[[TaskContext], object], context: TaskContext, relay: _Relay) -> None:
        super().__init__()
        self._func = func
        self._context = context
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._func(self._context)
        except UserError as exc:
            self._relay.finished.emit(False, str(exc))
        except Exception as exc:  # a worker must always report back, or the window waits forever
            log.exception("background task failed")
            self._relay.finished.emit(False, f"出现意外错误：{exc}")
        else:
            self._relay.finished.emit(True, result)


class BackgroundTask(QObject):
    """Runs a Qt-free function on the thread pool. The result (`succeeded`) or a Chinese message
    (`failed`) arrives in the UI thread. With `progress_label`, a cancellable QProgressDialog
    appears when the work takes longer than PROGRESS_DELAY_MS; cancelling it abandons the result."""

    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    progressed = Signal(int, str)

    def __init__(
        self,
        func: Callable[[TaskContext], object],
        parent: QWidget | None = None,
        progress_label: str | None = WORKING_LABEL,
    ) -> None:
        super().__init__(parent)
        self._func = func
        self._parent_widget = parent
        self._progress_label = progress_label
        self._relay = _Relay()
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._relay.progressed.connect(self.progressed, Qt.ConnectionType.QueuedConnection)
        self.context = TaskContext(self._relay.progressed.emit)
        self.done = False
        self.was_cancelled = False
        self.progress_dialog: QProgressDialog | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)

    def start(self) -> BackgroundTask:
        _ACTIVE_TASKS.add(self)
        if self._progress_label is not None:
            self._timer.start(PROGRESS_DELAY_MS)
        QThreadPool.globalInstance().start(_Runnable(self._func, self.context, self._relay))
        return self

    def request_cancel(self) -> None:
        """Ask the function to stop at its next check; its result still arrives."""
        self.context.cancel()

    def abandon(self) -> None:
        """Stop waiting: the work may finish in the background, its result is dropped."""
        if self.done:
            return
        self.context.cancel()
        self.was_cancelled = True
        self._finish()
        self.cancelled.emit()

    def _show_progress(self) -> None:
        if self.done:
            return
        dialog = QProgressDialog(self._progress_label or WORKING_LABEL, "取消", 0, 0, self._parent_widget)
        dialog.setObjectName("render_progress")
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.abandon)
        self.progress_dialog = dialog
        dialog.show()

    def _finish(self) -> None:
        self.done = True
        self._timer.stop()
        # Let go once this event is handled, not inside it (a task without a parent dies with its
        # last reference).
        QTimer.singleShot(0, lambda: _ACTIVE_TASKS.discard(self))
        dialog, self.progress_dialog = self.progress_dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.abandon)
            dialog.hide()
            dialog.deleteLater()

    def _on_finished(self, ok: bool, payload: object) -> None:
        if self.done:  # abandoned
            return
        self._finish()
        if ok:
            self.succeeded.emit(payload)
        else:
            self.failed.emit(str(payload))


