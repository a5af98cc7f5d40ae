"""Benchmark of region totals (汇总): core.region.region_totals over 500 reports, the 汇总表 of those 500,
and `main.py summary` over 100 DOCX reports as a whole process.

Run: .venv/bin/python bench/bench_region.py  (figures go in the README; tests never assert timings)
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_core import full_report  # noqa: E402

from core.checks import ERROR, validate  # noqa: E402
from core.region import UnitReport, region_totals  # noqa: E402
from exports.docx_export import write_docx  # noqa: E402
from exports.summary_xlsx import summary_xlsx_bytes  # noqa: E402


def seconds(fn: object, repeat: int) -> list[float]:
    assert callable(fn)
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return runs


def units(count: int, rng: random.Random) -> list[UnitReport]:
    out = []
    for i in range(count):
        report = full_report(rng, 2025, f"基准测试单位{i:03d}")
        errors = sum(1 for f in validate(report) if f.severity == ERROR)
        out.append(UnitReport(report.agency, report, errors, f"r{i:03d}.docx"))
    return out


def summary_process(folder: Path, *extra: str, repeat: int = 3) -> tuple[list[float], dict[str, object]]:
    runs = []
    result: dict[str, object] = {}
    for _ in range(repeat):
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(folder / "none.sqlite3"), "summary", str(folder),
             "--json", *extra],
            capture_output=True, text=True, cwd=ROOT,
        )
        runs.append(time.perf_counter() - t)
        assert done.returncode in (0, 1), done.stderr[-2000:]
        result = json.loads(done.stdout)
    return runs, result


def main() -> None:
    rng = random.Random(13)
    many = units(500, rng)
    runs = seconds(lambda: region_totals(many), 7)
    totals = region_totals(many)
    print(f"region_totals over 500 reports ({len(totals.included)} counted; sums, derived totals, checks): "
          f"best {min(runs) * 1000:.0f} ms, median {statistics.median(runs) * 1000:.0f} ms  [target < 0.5 s]")
    drill = seconds(lambda: [totals.parts(c) for c in totals.totals], 3)
    print(f"drill-down of every one of the {len(totals.totals)} figures over 500 units: "
          f"median {statistics.median(drill) * 1000:.0f} ms")
    sheet = seconds(lambda: summary_xlsx_bytes(totals), 3)
    print(f"汇总表 (XLSX) of 500 units: median {statistics.median(sheet):.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(100):
            write_docx(full_report(rng, 2025, f"基准测试单位{i:03d}"), folder / f"r{i:03d}.docx")
        runs, result = summary_process(folder)
        counted = sum(1 for u in result["units"] if isinstance(u, dict) and u["included"])  # type: ignore[attr-defined]
        print(f"`main.py summary` over 100 DOCX reports ({counted} counted; read, check, sum, --json; whole process): "
              f"best {min(runs):.2f} s, median {statistics.median(runs):.2f} s  [target < 10 s]")
        runs, _ = summary_process(folder, "--to", str(folder / "汇总.xlsx"))
        print(f"the same with --to 汇总.xlsx: best {min(runs):.2f} s, median {statistics.median(runs):.2f} s")


if __name__ == "__main__":
    main()
