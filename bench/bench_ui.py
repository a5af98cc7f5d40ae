"""Benchmarks of the app: start to a visible window on a fresh database against a bare PySide6 window,
and an edit in the request matrix until totals and findings are refreshed, with the grid model's
own share of it. Never run under pytest: the tests assert no timings.

Run under a display, e.g.: xvfb-run -a .venv/bin/python bench/bench_ui.py  (figures go in the README)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each child prints the wall-clock moments its window was on screen and (the app) its list filled.
BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 820)
window.show()
def shown():
    print("shown", time.time(), flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""
# The same steps as ui.app.launch: the window first, then the database and the list.
APP = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow
from ui.qt_chinese import install_translations
app = QApplication(sys.argv[:1])
install_translations(app)
window = MainWindow()
window.show()
def shown():
    print("shown", time.time(), flush=True)
def open_database():
    from core.storage import Store
    window.attach_store(Store(Path({db!r})))
    app.processEvents()
    assert window.reports.model.rowCount() == 1
    print("ready", time.time(), flush=True)
    app.quit()
QTimer.singleShot(0, shown)
QTimer.singleShot(0, open_database)
app.exec()
"""


def start_times(code: str, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            script = code.format(root=str(ROOT), db=str(Path(tmp) / "fresh.sqlite3"))
            start = time.time()
            # The app's settings (window geometry, last report) go to a fresh data folder, not the user's.
            env = {**os.environ, "GOV_REPORT_DATA_DIR": str(Path(tmp) / "data")}
            result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env)
            for line in result.stdout.splitlines():
                name, moment = line.split()
                times.setdefault(name, []).append(float(moment) - start)
    return times


def edit_latency(runs: int = 300) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from core.storage import Store
    from ui.grid import ReportGridView, ReportTableModel
    from ui.session import ReportSession

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3")
        session = ReportSession(store, store.list_reports()[0].id)
        model = ReportTableModel(session, "s3")
        view = ReportGridView(model=model)
        view.show()
        app.processEvents()
        index = model.index_of("s3.granted.natural")
        samples = []
        for i in range(runs):
            t = time.perf_counter()
            model.setData(index, str(i % 50))  # save, totals, checks, dataChanged to the view
            samples.append((time.perf_counter() - t) * 1000)
        view.close()
        store.close()
    return samples


def model_share(runs: int = 200) -> tuple[list[float], list[float]]:
    """Milliseconds from setData to the last dataChanged (the session's work included), and the grid
    model's own share of them: from the session's cellsChanged to the last dataChanged, with the
    view on screen repainting."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from core.storage import Store
    from ui.grid import ReportGridView, ReportTableModel
    from ui.session import ReportSession

    app = QApplication.instance() or QApplication(sys.argv[:1])
    total: list[float] = []
    own: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3")
        session = ReportSession(store, store.list_reports()[0].id)
        marks: dict[str, float] = {}
        # Connected before the model exists, so it runs first when the session announces the change.
        session.cellsChanged.connect(lambda _ids: marks.__setitem__("session", time.perf_counter()))
        model = ReportTableModel(session, "s3")
        model.dataChanged.connect(lambda *_: marks.__setitem__("last", time.perf_counter()))
        view = ReportGridView(model=model)
        view.resize(1200, 900)
        view.show()
        app.processEvents()
        index = model.index_of("s3.granted.natural")
        for i in range(runs):
            start = time.perf_counter()
            model.setData(index, str(10 + i % 2))
            total.append((marks["last"] - start) * 1000)
            own.append((marks["last"] - marks["session"]) * 1000)
        view.close()
        store.close()
    return total, own


def main() -> None:
    bare = statistics.median(start_times(BARE, 9)["shown"])
    ours = start_times(APP, 9)
    shown, ready = statistics.median(ours["shown"]), statistics.median(ours["ready"])
    print(f"bare PySide6 window, start to shown: median {bare * 1000:.0f} ms")
    print(f"the app, start to its window shown: median {shown * 1000:.0f} ms; ratio {shown / bare:.2f}"
          f"  [target ≤ 1.5]")
    print(f"the app on a fresh database, start to the reports list filled (database created, example "
          f"stored and checked): median {ready * 1000:.0f} ms; ratio {ready / bare:.2f}")
    edits = edit_latency()
    print(f"edit a cell of 三 → saved, totals and findings refreshed, views told: median "
          f"{statistics.median(edits):.2f} ms, 95th percentile {sorted(edits)[int(len(edits) * 0.95)]:.2f} ms"
          f"  [target < 5 ms]")
    total, own = model_share()
    print(f"of which setData → last dataChanged: median {statistics.median(total):.2f} ms; the grid model's "
          f"own share (session's cellsChanged → last dataChanged): median {statistics.median(own):.3f} ms"
          f"  [target < 1 ms]")


if __name__ == "__main__":
    main()
