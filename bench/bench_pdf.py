"""Benchmark of reading published PDF reports: what one more 6-page PDF costs a `main.py check` run.

Run: .venv/bin/python bench/bench_pdf.py  (figures go in the README; tests never assert timings)

The files are our PDF export of the seed report (四平市铁西区 2020, a real published report: 6 pages,
three ruled tables, 三 across a page break), each under another agency's name. Whole `main.py check`
processes over N of them are timed, best of several runs for each N; the marginal cost of one file is
the slope of a least-squares line through (N, time) for N = 1, 10, 20, 21, 30 and, separately, the
difference between the best N = 21 and N = 20 runs. Both are given for wall-clock time and for the
CPU time of the process (user + system, from the operating system's accounting of the child): on a
machine other work shares, the CPU time is the steadier of the two. A one-file in-process extraction
time is printed too, to tell the reader's own cost from the process around it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.reportfile import read_report_file  # noqa: E402
from exports.pdf_export import write_pdf  # noqa: E402
from reading.pdf_reader import extract_pdf  # noqa: E402

SEED = ROOT / "tests" / "data" / "seed-2020-tiexi.json"
COUNTS = (1, 10, 20, 21, 30)
REPEAT = 5


def _check_seconds(files: list[str], folder: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one `main.py check` process over `files`."""
    before = os.times()
    t = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(folder / "none.sqlite3"), "check", *files],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    elapsed = time.perf_counter() - t
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    # 1: the seed report has errors of its own (its 三 does not balance); 2 would be a file not read.
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-2000:]
    return elapsed, cpu


def _slope(points: dict[int, float]) -> float:
    xs, ys = list(points), list(points.values())
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    seed = read_report_file(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for i in range(max(COUNTS)):
            path = folder / f"r{i:03d}.pdf"
            write_pdf(replace(seed, agency=f"基准测试单位{i:03d}"), path, blank_as_zero=False)
            paths.append(str(path))
        samples = [extract_pdf(paths[0]) for _ in range(2)]  # warm
        one = []
        for _ in range(5):
            t = time.perf_counter()
            samples.append(extract_pdf(paths[0]))
            one.append(time.perf_counter() - t)
        wall: dict[int, float] = {}
        cpu: dict[int, float] = {}
        for _ in range(REPEAT):  # the counts in turn, so that a busy spell of the machine hits them alike
            for n in COUNTS:
                w, c = _check_seconds(paths[:n], folder)
                wall[n] = min(wall.get(n, w), w)
                cpu[n] = min(cpu.get(n, c), c)
        print(f"extract one 6-page PDF in process: median {statistics.median(one) * 1000:.0f} ms")
        for name, best in (("wall-clock", wall), ("CPU", cpu)):
            print(f"`main.py check` over N 6-page PDFs, {name} (whole process, best of {REPEAT}): "
                  + ", ".join(f"N={n}: {s:.2f} s" for n, s in best.items()))
            print(f"  marginal cost of one more PDF: slope {_slope(best):.3f} s, "
                  f"N=21 minus N=20 {best[21] - best[20]:.3f} s  [target <= 0.1 s]")


if __name__ == "__main__":
    main()
