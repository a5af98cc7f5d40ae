"""Benchmarks of the foundation: checking a report, saving an edited cell, `check` over 1,000 files.

Run: .venv/bin/python bench/bench_core.py  (figures go in the README; tests never assert timings)
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.checks import validate  # noqa: E402
from core.nextyear import new_report  # noqa: E402
from core.report import Report  # noqa: E402
from core.reportfile import write_report_file  # noqa: E402
from core.storage import Store  # noqa: E402


def full_report(rng: random.Random, year: int = 2025, agency: str = "基准测试区人民政府办公室") -> Report:
    """A completely filled 2021 report that balances (so the figures show the normal path)."""
    report = new_report(agency, year)
    for cell in report.template.input_cells:
        if cell.section == "s3":
            continue
        value = f"{rng.randint(0, 99999)}.{rng.randint(0, 99)}" if cell.kind.value == "money" else rng.randint(0, 50)
        report.set_cell(cell.id, value)
    s3 = report.template.s3
    for col in s3.applicant_columns:
        processed = 0
        for row in s3.outcome_rows:
            n = rng.randint(0, 9)
            report.set_cell(f"s3.{row.id}.{col.id}", n)
            processed += n
        carried = rng.randint(0, 3)
        forward = rng.randint(0, 3)
        report.set_cell(f"s3.carried_over.{col.id}", carried)
        report.set_cell(f"s3.carried_forward.{col.id}", forward)
        report.set_cell(f"s3.new.{col.id}", processed + forward - carried if processed + forward >= carried else 0)
    for cell in report.template.input_cells:
        if cell.section == "s4":
            report.set_cell(cell.id, rng.randint(0, 5))
    report.texts.update({"s5": "存在的问题。", "s6": "本年度未收取信息处理费。"})
    return report


def time_check(files: list[str], folder: Path, repeat: int = 3) -> list[float]:
    """Seconds for whole `main.py check` processes over `files` (no database of the user's involved)."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(folder / "none.sqlite3"), "check", *files],
            capture_output=True, text=True, cwd=ROOT,
        )
        runs.append(time.perf_counter() - t)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return runs


def per_call_ms(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    rng = random.Random(20260120)
    report = full_report(rng)
    previous = full_report(rng, 2024)
    validate(report, previous)
    med, worst = per_call_ms(lambda: validate(report, previous), 500)
    print(f"check one full report (validate, 2021, with last year's): median {med:.3f} ms, max {worst:.3f} ms"
          f"  [target < 2 ms]")

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3", seed=False)
        report_id = store.add_report(report)
        cells = [c.id for c in report.template.input_cells if c.section == "s3"]
        counter = iter(range(10**9))
        med, worst = per_call_ms(
            lambda: store.set_cell(report_id, rng.choice(cells), next(counter) % 100), 500
        )
        store.close()
        print(f"save one edited cell (transaction + revision, WAL): median {med:.3f} ms, max {worst:.3f} ms"
              f"  [target < 5 ms]")

        folder = Path(tmp) / "files"
        folder.mkdir()
        for i in range(1000):
            write_report_file(full_report(rng, 2025, f"基准测试单位{i:04d}"), folder / f"r{i:04d}.json")
        runs = time_check(sorted(str(p) for p in folder.glob("*.json")), Path(tmp))
        print(f"`python main.py check` over 1,000 report files (whole process): best {min(runs):.2f} s, "
              f"median {statistics.median(runs):.2f} s  [target < 5 s]")


if __name__ == "__main__":
    main()
