"""Benchmark of reading published reports: `main.py check` over 100 DOCX reports (whole process).

Run: .venv/bin/python bench/bench_import.py  (figures go in the README; tests never assert timings)
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_core import full_report, time_check  # noqa: E402

from exports.docx_export import write_docx  # noqa: E402


def main() -> None:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(100):
            write_docx(full_report(rng, 2025, f"基准测试单位{i:03d}"), folder / f"r{i:03d}.docx")
        runs = time_check(sorted(str(p) for p in folder.glob("*.docx")), folder)
        print(f"`main.py check` over 100 DOCX reports (read, assemble, check; whole process): "
              f"best {min(runs):.2f} s, median {statistics.median(runs):.2f} s  [target < 10 s]")


if __name__ == "__main__":
    main()
