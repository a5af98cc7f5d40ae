"""Draw the golden images of the PDF export again, on purpose, after an intended change of layout.

    .venv/bin/python scripts/make_golden_images.py

Renders the reports of tests/golden_pdf.py with the fonts scripts/setup.sh installs (nothing else is
looked at) and writes tests/data/golden/<report>/page-N.png. Look at the images before committing them:
tests/test_golden_pdf.py then fails on any layout change that was not meant.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.golden_pdf import GOLDEN, REPORTS, pinned_fonts, render_pages  # noqa: E402


def main() -> int:
    fonts = pinned_fonts()  # FontError (naming the packages) when setup's fonts are missing
    for name in REPORTS:
        folder = GOLDEN / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("page-*.png"):
            old.unlink()
        pages = render_pages(name, fonts)
        for number, png in enumerate(pages, start=1):
            (folder / f"page-{number}.png").write_bytes(png)
        size = sum(len(p) for p in pages)
        print(f"{name}: {len(pages)} pages, {size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
