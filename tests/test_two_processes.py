"""Two processes on one database: writes wait for each other instead of failing, undo does not
overwrite what another process saved, and a second app instance hands over to the first."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.storage import Store
from core.template import load_template

ROOT = Path(__file__).resolve().parent.parent

# A process that types into the example report: waits for the start file, then makes `count` cell
# edits as fast as it can, and prints how many were refused and the slowest edit.
TYPIST = r"""
import json, sys, time
from pathlib import Path
from core.storage import Store, StorageError
from core.template import load_template

path, start, count, offset = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = Store(path, seed=False)
report_id = store.list_reports()[0].id
cells = [c.id for c in load_template(store.list_reports()[0].template).input_cells if c.kind.name == "COUNT"]
while not start.exists():
    time.sleep(0.005)
refused, slowest = [], 0.0
for i in range(count):
    began = time.monotonic()
    try:
        store.set_cell(report_id, cells[(i + offset) % len(cells)], str(i % 50))
    except StorageError as exc:
        refused.append(str(exc))
    slowest = max(slowest, time.monotonic() - began)
print(json.dumps({"refused": len(refused), "first": refused[:1], "slowest": slowest}))
"""

# A process that holds the write lock for `seconds`, printing "locked" once it has it.
LOCK_HOLDER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE meta SET value = value WHERE key = 'seeded'")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _python(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "reports.sqlite3"
    Store(path).close()  # with the example report
    return path


def _count_cells(template_id: str) -> list[str]:
    return [c.id for c in load_template(template_id).input_cells if c.kind.name == "COUNT"]


def test_two_processes_typing_never_refuse_an_edit(db_path: Path, tmp_path: Path) -> None:
    """Two windows typing into one database (the issue measured 406 of 9,000 edits refused)."""
    start = tmp_path / "start"
    workers = [_python(TYPIST, db_path, start, 600, offset) for offset in (0, 7)]
    time.sleep(1.5)  # both have opened the database
    start.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    assert [r["refused"] for r in results] == [0, 0], results
    store = Store(db_path, seed=False)
    try:
        report_id = store.list_reports()[0].id
        assert len(store.revisions(report_id)) >= 2  # both wrote
    finally:
        store.close()


def test_an_edit_waits_for_a_writer_holding_the_lock(db_path: Path) -> None:
    """Another process holds the write lock for 2.5 s: the edit waits (the busy timeout is 5 s) and is
    saved, instead of failing at once."""
    store = Store(db_path, seed=False)
    try:
        summary = store.list_reports()[0]
        cell = _count_cells(summary.template)[0]
        holder = _python(LOCK_HOLDER, db_path, 2.5)
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        began = time.monotonic()
        store.set_cell(summary.id, cell, "42")
        waited = time.monotonic() - began
        _, err = holder.communicate(timeout=30)
        assert holder.returncode == 0, err
        assert 1.5 < waited < 5.0
        assert store.load(summary.id).inputs[cell].text == "42"
    finally:
        store.close()
