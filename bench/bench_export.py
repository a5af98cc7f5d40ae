"""Benchmarks of the exporters: one full report in-process (DOCX, PDF, HTML), and the whole
`main.py export … --to x.pdf` process against LibreOffice converting the same report's DOCX.

Run: .venv/bin/python bench/bench_export.py  (figures go in the README; tests never assert timings)
"""

from __future__ import annotations

import random
import shutil
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

from core.reportfile import write_report_file  # noqa: E402
from exports.docx_export import write_docx  # noqa: E402
from exports.fonts import find_fonts  # noqa: E402
from exports.html_export import write_html  # noqa: E402
from exports.pdf_export import write_pdf  # noqa: E402


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return samples


def main() -> None:
    report = full_report(random.Random(7))
    report.texts["s1"] = "\n".join(
        f"（{n}）{'政府信息公开工作稳步推进，' * 12}全年主动公开政府信息一千余条。" for n in "一二三四五"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fonts = find_fonts()
        write_pdf(report, folder / "warm.pdf", fonts=fonts)  # fonts loaded once per process
        for name, fn in [
            ("DOCX", lambda: write_docx(report, folder / "r.docx")),
            ("PDF", lambda: write_pdf(report, folder / "r.pdf", fonts=fonts)),
            ("HTML", lambda: write_html(report, folder / "r.html")),
        ]:
            fn()
            s = timed(fn, 20)
            print(f"export one full report in-process, {name}: median {statistics.median(s) * 1000:.0f} ms, "
                  f"max {max(s) * 1000:.0f} ms  [target < 300 ms for PDF and DOCX]")

        source = folder / "report.json"
        write_report_file(report, source)
        ours = timed(
            lambda: subprocess.run(
                [sys.executable, str(ROOT / "main.py"), "export", str(source), "--to", str(folder / "x.pdf")],
                check=True, capture_output=True, cwd=ROOT,
            ),
            5,
        )
        print(f"`main.py export report.json --to x.pdf` (whole process): median {statistics.median(ours):.2f} s")
        office = shutil.which("libreoffice") or shutil.which("soffice")
        if office is None:
            print("LibreOffice not installed: comparison skipped (apt-get install libreoffice-writer-nogui)")
            return
        profile = folder / "lo-profile"
        convert = [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(folder / "lo"), str(folder / "r.docx")]
        subprocess.run(convert, check=True, capture_output=True)  # first start creates the profile
        theirs = timed(lambda: subprocess.run(convert, check=True, capture_output=True), 5)
        print(f"`libreoffice --headless --convert-to pdf r.docx` (whole process, warm profile): "
              f"median {statistics.median(theirs):.2f} s")
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(f"ours / LibreOffice = {ratio:.2f}  [target ≤ 0.3]")


if __name__ == "__main__":
    main()
