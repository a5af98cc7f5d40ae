"""Golden images of the PDF export: two real reports (one per template) rendered with the fonts
scripts/setup.sh installs, page by page at low resolution, for tests/test_golden_pdf.py and
scripts/make_golden_images.py (which makes them again on purpose)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from core.report import Report
from core.reportfile import read_report_file
from exports.fonts import FontSet, find_fonts, setup_font_dirs
from exports.layout import build_layout
from exports.pdf_export import render_pdf

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "golden"
# What each report is drawn from, and its name in tests/data/golden/.
REPORTS = {"2019-tiexi": "seed-2020-tiexi.json", "2022-pingtan": "real/2022_pingtan.json"}
DPI = 40  # an A4 page is 331 × 468 pixels: enough to see a line, a cell or a page break move
# A page matches when its pixels differ from the golden ones by at most this much on average (0–255
# grey levels), and no more than this share of its pixels differ by more than a quarter of the range.
MEAN_TOLERANCE = 1.5
CHANGED_SHARE = 0.004


@dataclass(frozen=True)
class PageDifference:
    page: int
    mean: float  # mean absolute difference of grey levels
    changed: float  # share of pixels that differ by more than 64 levels

    @property
    def matches(self) -> bool:
        return self.mean <= MEAN_TOLERANCE and self.changed <= CHANGED_SHARE


def pinned_fonts() -> FontSet:
    """The fonts of the Debian packages scripts/setup.sh installs, and no others (FontError naming the
    packages when one is missing): what the golden images were drawn with."""
    return find_fonts(search_dirs=setup_font_dirs())


def report(name: str) -> Report:
    return read_report_file(DATA / REPORTS[name])


def render_pages(name: str, fonts: FontSet) -> list[bytes]:
    """The report's PDF export (invariant, blanks as 0) as PNG images of its pages, in grey."""
    import pypdfium2

    pdf = render_pdf(build_layout(report(name)), fonts, invariant=True)
    document = pypdfium2.PdfDocument(pdf)
    pages: list[bytes] = []
    try:
        for index in range(len(document)):
            image = document[index].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            pages.append(buffer.getvalue())
    finally:
        document.close()
    return pages


def golden_pages(name: str) -> list[Path]:
    return sorted((GOLDEN / name).glob("page-*.png"))


def compare(png: bytes, golden: Path, page: int) -> PageDifference:
    from PIL import Image, ImageChops

    new = Image.open(io.BytesIO(png)).convert("L")
    old = Image.open(golden).convert("L")
    if new.size != old.size:
        return PageDifference(page, 255.0, 1.0)
    diff = ImageChops.difference(new, old)
    histogram = diff.histogram()
    total = new.size[0] * new.size[1]
    mean = sum(level * count for level, count in enumerate(histogram)) / total
    changed = sum(histogram[65:]) / total
    return PageDifference(page, mean, changed)
