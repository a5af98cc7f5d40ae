"""Benchmark of the 年报审核 board: a season of 500 units, each with a received file (and 100 of them with
an older, replaced version), opened in a fresh process: the database, the season, its board and the
table model, then the table sorted by a few columns. Never run under pytest: the tests assert no timings.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_season.py  (figures go in the README)
"""

from __future__ import annotations

import hashlib
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_core import full_report  # noqa: E402
from core.checks import validate  # noqa: E402
from core.reportfile import dumps  # noqa: E402
from core.season import Season, UnitEntry  # noqa: E402
from core.storage import Store  # noqa: E402

UNITS = 500
REPLACED = 100
YEAR = 2025
RUNS = 5

# The child: everything the window does when a season is opened, timed step by step after the imports.
CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from core.storage import Store
from core.season import Season
from ui.season import SeasonWindow, TIMING, NEW, ERRORS, UNIT, DUE
app = QApplication(sys.argv[:1])
t0 = time.perf_counter()
store = Store(Path({db!r}))
t1 = time.perf_counter()
(info,) = Season.all(store)
season = Season(store, info.id)
rows = season.board()
t2 = time.perf_counter()
window = SeasonWindow(store)
window.resize(1366, 768)
assert window.model.rowCount() == {units}, window.model.rowCount()
t3 = time.perf_counter()
sorts = []
for column in (TIMING, NEW, ERRORS, UNIT, DUE):
    s = time.perf_counter()
    window.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    window.proxy.index(0, 0).data()
    sorts.append((time.perf_counter() - s) * 1000)
t4 = time.perf_counter()
window.show()
app.processEvents()
t5 = time.perf_counter()
print("open", (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, (t4 - t3) * 1000, (t5 - t4) * 1000,
      (t4 - t0) * 1000, *sorts, flush=True)
store.close()
"""


def build(db: Path) -> None:
    rng = random.Random(20260131)
    store = Store(db, seed=False)
    season = Season.create(store, f"{YEAR}年度年报审核", YEAR)
    names = [f"基准测试县第{i:03d}局" if i % 10 else f"基准测试县第{i:03d}镇人民政府" for i in range(UNITS)]
    season.add_units([UnitEntry(n) for n in names])
    start = date(YEAR + 1, 1, 5)
    with store.transaction():
        for i, name in enumerate(names):
            versions = 2 if i < REPLACED else 1
            for v in range(versions):
                report = full_report(rng, YEAR, name)
                if rng.random() < 0.2:
                    report.signature.date = ""
                findings = validate(report)
                text = dumps(report)
                season.add_file(
                    Path(f"/收到/{name}/v{v}.docx"), report, findings, ("（基准测试）",), name=f"{name}{YEAR}年报.docx",
                    received=start + timedelta(days=rng.randint(0, 80)),
                    digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                )
    store.backup("manual")  # the app's steady state: no backup is due at open
    store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        began = time.perf_counter()
        build(db)
        print(f"built a season of {UNITS} units, {UNITS + REPLACED} files in {time.perf_counter() - began:.1f} s; "
              f"database {db.stat().st_size / 1e6:.1f} MB")
        store = Store(db)
        (info,) = Season.all(store)
        season = Season(store, info.id)
        ids = [u.id for u in season.units()]
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            units = season.unit_reports(ids)
            timings.append((time.perf_counter() - began) * 1000)
        store.close()
        print(f"汇总 of all {len(units)} units: their reports read back from the season: median "
              f"{statistics.median(timings):.0f} ms")
        code = CHILD.format(root=str(ROOT), db=str(db), units=UNITS)
        runs: list[list[float]] = []
        for _ in range(RUNS):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True,
                env={"QT_QPA_PLATFORM": "offscreen", "GOV_REPORT_DATA_DIR": tmp, "PATH": "/usr/bin:/bin"},
            ).stdout
            line = next(x for x in out.splitlines() if x.startswith("open "))
            runs.append([float(v) for v in line.split()[1:]])

        def med(i: int) -> float:
            return statistics.median(r[i] for r in runs)

        print(f"open the database (Store, checks at open): median {med(0):.0f} ms")
        print(f"season + board() ({UNITS} rows, two queries): median {med(1):.0f} ms")
        print(f"the window: season, board and table model filled again: median {med(2):.0f} ms")
        print(f"sort by 提前/逾期, 本年申请, 错误, 单位, 截止日期: median {med(3):.0f} ms in all "
              f"({', '.join(f'{med(6 + k):.0f}' for k in range(5))} ms)")
        print(f"first paint of the window: median {med(4):.0f} ms")
        print(f"open and sort (database + season + board + window + five sorts): median {med(5):.0f} ms, "
              f"worst {max(r[5] for r in runs):.0f} ms  [target < 1000 ms]")


if __name__ == "__main__":
    main()
