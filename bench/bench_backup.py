"""Benchmarks of the database's safety net on a big database: the check at open (quick_check and the
read of every value), a backup, listing the backups and a restore.

Run: .venv/bin/python bench/bench_backup.py [REPORTS]   (default 200 reports, each with 100 edits of
history; figures go in the README; tests never assert timings)
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_core import full_report  # noqa: E402
from core import backup  # noqa: E402
from core.storage import Store  # noqa: E402


def ms(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.sqlite3"
        store = Store(path, seed=False)
        cells = [c.id for c in full_report(rng).template.input_cells if c.kind.value != "money" and c.section != "s3"]
        with store.transaction():
            ids = [store.add_report(full_report(rng, 2021 + i % 5, f"基准机关{i // 5}")) for i in range(count)]
        for report_id in ids:  # a history: 100 single-cell edits each
            with store.transaction():
                for n in range(100):
                    store.set_cell(report_id, rng.choice(cells), n % 50)
        store.close()
        size = path.stat().st_size / 1e6
        conn = sqlite3.connect(path)
        quick = ms(lambda: conn.execute("PRAGMA quick_check").fetchall())
        whole = ms(lambda: backup.problem(conn))
        made = ms(lambda: backup.make_backup(conn, path, "manual"), repeat=3)
        conn.close()
        listed = ms(lambda: backup.list_backups(path))
        opened = ms(lambda: Store(path).close(), repeat=3)
        newest = backup.list_backups(path)[0]
        restored = ms(lambda: backup.restore_backup(path, newest.path), repeat=1)
        print(f"{count} reports, {size:.1f} MB: quick_check {quick:.0f} ms, quick_check + reading every value "
              f"{whole:.0f} ms, one backup (copy + check) {made:.0f} ms, listing {len(backup.list_backups(path))} "
              f"backups {listed:.0f} ms, Store() open {opened:.0f} ms, restore {restored:.0f} ms")


if __name__ == "__main__":
    main()
