"""Benchmark of reading a scanned report by OCR (issue 15: a 6-page scan in under 30 s on 2 cores).

Run: .venv/bin/python bench/bench_ocr.py  (figures go in the README; tests never assert timings)

The scan is our PDF export of the seed report (四平市铁西区 2020, a real published report: 6 pages,
three ruled tables, 三 across a page break) rendered at 150 and 200 dpi and spoilt as an office
scanner does (tests/scan_fixtures.py: turned by up to 2.5°, blurred, faded, noised, specked), saved as
an image-only PDF. Each reading runs in a fresh process, as `main.py check` would: the time is end to
end (`read_with_log`, from importing the engine and loading the model to the report), and the same
process gives its CPU time (user + system: the steadier figure on a machine other work shares), its
peak resident memory and the share of the table cells of 二, 三 and 四 read right. The model's load
time is measured alone, in a process of its own. Then the two real published reports of 平潭综合实验区
(tests/data/real: 11 and 8 pages) are exported, scanned alike at 200 dpi and read once each, against
issue 15's "98 % of cells within 60 s".

The machine's other work counts: the load average is printed first, and the CPU time beside the
wall-clock time. Expect about 4 minutes on an idle 2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = ROOT / "tests" / "data" / "seed-2020-tiexi.json"
REAL = {
    "平潭 2019": ROOT / "tests" / "data" / "real" / "2019_pingtan.json",
    "平潭 2022": ROOT / "tests" / "data" / "real" / "2022_pingtan.json",
}
DPIS = (150, 200)
REPEAT = 2
SEED_NUMBER = 620  # the degradation's random seed: the same pictures on every run


def _child_read(scan_path: str, source_path: str) -> dict[str, object]:
    """In a fresh process: read the scan end to end and measure it."""
    import resource

    start = time.perf_counter()
    from core.reportfile import read_report_file
    from reading.formats import read_with_log

    pages: list[float] = []
    result = read_with_log(scan_path, progress=lambda done, total, text: pages.append(time.perf_counter()))
    seconds = time.perf_counter() - start
    from tests.scan_fixtures import expected_values, wrong_cells

    source = read_report_file(source_path)
    wrong = wrong_cells(source, result.report)
    cells = len(expected_values(source))
    scan = result.scan
    assert scan is not None, "the file was read as a scan"
    wrong_sure = [c for c in wrong if c not in scan.uncertain]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "pages": len(scan.pages),
        "engine_seconds": scan.seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cells": cells,
        "wrong": len(wrong),
        "wrong_not_uncertain": len(wrong_sure),
        "uncertain": len(scan.uncertain),
        "wrong_cells": {c: [str(v) for v in pair] for c, pair in wrong.items()},
    }


def _child_load() -> dict[str, object]:
    """In a fresh process: the time to import the engine, then onnxruntime and the recognition model."""
    import resource

    start = time.perf_counter()
    import reading.scan as scan

    imported = time.perf_counter() - start
    start = time.perf_counter()
    scan._recognizer()  # the model loads on first use and stays loaded
    loaded = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"import": imported, "load": loaded, "peak_rss_mb": usage.ru_maxrss / 1024}


def _run_child(*args: str) -> dict[str, object]:
    env = dict(os.environ)
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT,
                            env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def _scan_of(source: Path, path: Path, dpi: int) -> Path:
    """An image-only PDF of our export of the report file `source`, scanned at `dpi`."""
    from core.reportfile import read_report_file
    from exports.fonts import find_fonts
    from tests.scan_fixtures import export_pdf, save_pdf, scan

    pages, angles = scan(export_pdf(read_report_file(source), find_fonts()), dpi, SEED_NUMBER)
    save_pdf(pages, path, dpi)
    print(f"{path.name}: {len(pages)} pages at {dpi} dpi, turned by " + ", ".join(f"{a:+.1f}°" for a in angles)
          + f"; {path.stat().st_size / 1e6:.1f} MB")
    return path


def _make_scans(folder: Path) -> dict[int, Path]:
    return {dpi: _scan_of(SEED, folder / f"tiexi-{dpi}dpi.pdf", dpi) for dpi in DPIS}


def main() -> None:
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (other work on the machine slows this)")
    load = [_run_child("--load") for _ in range(REPEAT)]
    best_load = min(load, key=lambda d: float(str(d["load"])))
    print(f"model: import reading.scan {float(str(best_load['import'])):.2f} s, then import onnxruntime and "
          f"load the model {float(str(best_load['load'])):.2f} s (best of {REPEAT}, fresh processes; "
          f"peak RSS {float(str(best_load['peak_rss_mb'])):.0f} MB)")
    with tempfile.TemporaryDirectory() as tmp:
        paths = _make_scans(Path(tmp))
        for dpi, path in paths.items():
            runs = [_run_child("--read", str(path), str(SEED)) for _ in range(REPEAT)]
            best = min(runs, key=lambda d: float(str(d["seconds"])))
            seconds, pages = float(str(best["seconds"])), int(str(best["pages"]))
            cells, wrong = int(str(best["cells"])), int(str(best["wrong"]))
            print(
                f"{dpi} dpi, {pages} pages, end to end (best of {REPEAT}, fresh process): {seconds:.1f} s, "
                f"{seconds / pages:.2f} s a page, CPU {float(str(best['cpu'])):.1f} s, "
                f"peak RSS {float(str(best['peak_rss_mb'])):.0f} MB  [target < 30 s]"
            )
            print(
                f"  cells of 二, 三, 四 right: {cells - wrong}/{cells} ({1 - wrong / cells:.2%}); "
                f"{best['uncertain']} uncertain; wrong and not marked uncertain: {best['wrong_not_uncertain']}"
                + (f"; wrong: {best['wrong_cells']}" if wrong else "")
            )
            print("  all runs: " + ", ".join(f"{float(str(r['seconds'])):.1f} s" for r in runs))
        # The real published reports of 平潭综合实验区 (2019 and 2021 templates, 11 and 8 pages), exported
        # from their report files and scanned alike at 200 dpi: issue 15 asks 98 % of cells within 60 s each.
        for name, source in REAL.items():
            path = _scan_of(source, Path(tmp) / f"{name}.pdf", 200)
            run = _run_child("--read", str(path), str(source))
            seconds, pages = float(str(run["seconds"])), int(str(run["pages"]))
            cells, wrong = int(str(run["cells"])), int(str(run["wrong"]))
            print(
                f"{name} (real report, 200 dpi, {pages} pages): {seconds:.1f} s, {seconds / pages:.2f} s a page, "
                f"CPU {float(str(run['cpu'])):.1f} s, peak RSS {float(str(run['peak_rss_mb'])):.0f} MB; cells right "
                f"{cells - wrong}/{cells} ({1 - wrong / cells:.2%}), {run['uncertain']} uncertain, wrong and not "
                f"uncertain {run['wrong_not_uncertain']}  [target: >= 98 % within 60 s]"
                + (f"; wrong: {run['wrong_cells']}" if wrong else "")
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--read":
        print(json.dumps(_child_read(sys.argv[2], sys.argv[3]), ensure_ascii=False))
    elif len(sys.argv) > 1 and sys.argv[1] == "--load":
        print(json.dumps(_child_load()))
    else:
        main()
