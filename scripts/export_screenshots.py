"""Pictures of the exports for the README: a real report (平潭 2022) as PDF, and as DOCX printed by
LibreOffice, page 1 and the page of table 三 of each.

    .venv/bin/python scripts/export_screenshots.py   (needs LibreOffice; writes docs/screenshots/)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2  # noqa: E402

from core.reportfile import read_report_file  # noqa: E402
from exports import export_report  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DPI = 70


def _save_pages(pdf: Path, prefix: str) -> None:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        three = next(i for i in range(len(document)) if "三、收到和处理" in document[i].get_textpage().get_text_range())
        for index, name in ((0, "page1"), (three, "table3")):
            image = document[index].render(scale=DPI / 72).to_pil().convert("RGB")
            image.save(OUT / f"{prefix}-{name}.png", optimize=True)
            print("saved", f"{prefix}-{name}.png", "(page", index + 1, ")")
    finally:
        document.close()


def main() -> None:
    report = read_report_file(ROOT / "tests" / "data" / "real" / "2022_pingtan.json")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export_report(report, folder / "report.pdf")
        export_report(report, folder / "report.docx")
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
             "--convert-to", "pdf", "--outdir", str(folder / "office"), str(folder / "report.docx")],
            check=True, capture_output=True, timeout=180,
        )
        _save_pages(folder / "report.pdf", "pdf")
        _save_pages(folder / "office" / "report.pdf", "docx")


if __name__ == "__main__":
    main()
