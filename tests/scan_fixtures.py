"""Scan-like files made in the tests: PDF pages rendered to images (pypdfium2) and degraded the way an
office scanner or a phone photo degrades them — turned by up to a few degrees, blurred, grey paper and
faded ink, noise, specks of dust, JPEG artefacts — then saved as an image-only PDF, per-page PNG/JPG
files, a multi-page TIFF or a folder of page images. Every step is seeded, so a case is the same
pictures on every run and on every machine.

Also: what a report's tables print cell by cell (what a scan of its export must read back), and the
comparison of a report read from a scan with it."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from core.numbers import BLANK, Parsed, parse_value
from core.report import Report
from exports.layout import build_layout
from reading.document import ImportResult

if TYPE_CHECKING:
    from PIL import Image

    from exports.fonts import FontSet

DATA = Path(__file__).resolve().parent / "data"
# Report files of each template the scans are made from: our own exports of them, and (office-*.pdf)
# the PDFs LibreOffice printed from Word files made of the same reports.
SOURCES = {
    "office-2019": DATA / "office" / "office-2019.json",
    "office-2021": DATA / "office" / "office-2021.json",
    "pingtan-2019": DATA / "real" / "2019_pingtan.json",
    "pingtan-2022": DATA / "real" / "2022_pingtan.json",
    "tiexi-2020": DATA / "seed-2020-tiexi.json",
}
OFFICE_PDFS = {
    "office-2019": DATA / "office" / "office-2019.pdf",
    "office-2021": DATA / "office" / "office-2021.pdf",
}
WHITE = 255


@dataclass(frozen=True)
class Degrade:
    """How a page is spoilt. The defaults are an ordinary office scan of a printed page."""

    max_angle: float = 2.5  # turned by a seeded angle in [-max_angle, max_angle] degrees
    blur: tuple[float, float] = (0.6, 1.0)  # Gaussian blur radius, seeded within
    contrast: float = 0.82  # ink and paper pulled together: black prints as grey, white as paper
    paper: int = 238  # the paper's grey (after contrast)
    noise: float = 7.0  # standard deviation of the Gaussian noise, in grey levels
    specks: float = 0.0006  # share of pixels turned to salt or pepper
    grey: bool = True  # a greyscale scan ("L"); False keeps RGB with a yellowish paper


def render_pages(pdf: Path | bytes, dpi: int) -> list[Image.Image]:
    """Every page of a PDF as an RGB image at `dpi`."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def degrade(image: Image.Image, seed: int, how: Degrade = Degrade()) -> tuple[Image.Image, float]:
    """The page as scanned: (the spoilt image, the angle it was turned by in degrees)."""
    import numpy as np
    from PIL import Image as PILImage
    from PIL import ImageFilter

    rng = np.random.default_rng(seed)
    angle = float(rng.uniform(-how.max_angle, how.max_angle))
    page = image.convert("L") if how.grey else image.convert("RGB")
    fill: int | tuple[int, int, int] = WHITE if how.grey else (WHITE, WHITE, WHITE)
    page = page.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=fill)
    page = page.filter(ImageFilter.GaussianBlur(float(rng.uniform(*how.blur))))
    pixels = np.asarray(page, dtype=np.float32).reshape(page.height, page.width, -1)
    # Ink no longer black, paper no longer white: v -> paper - contrast * (255 - v).
    pixels = how.paper - how.contrast * (WHITE - pixels)
    if not how.grey:
        pixels = pixels * np.array([1.0, 0.98, 0.9], dtype=np.float32)  # yellowed paper
    pixels = pixels + rng.normal(0.0, how.noise, size=(page.height, page.width, 1)).astype(np.float32)
    count = int(how.specks * page.width * page.height)
    ys = rng.integers(0, page.height, size=count)
    xs = rng.integers(0, page.width, size=count)
    pixels[ys, xs, :] = np.where(rng.random(count) < 0.5, 0.0, float(WHITE))[:, None]
    spoilt = np.clip(pixels, 0, WHITE).astype(np.uint8)
    spoilt = spoilt[..., 0] if how.grey else spoilt
    return PILImage.fromarray(spoilt, "L" if how.grey else "RGB"), angle


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    """The image after a round trip through JPEG at `quality` (its artefacts kept)."""
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with PILImage.open(buffer) as opened:
        opened.load()
        return opened.copy()


def scan(pdf: Path | bytes, dpi: int, seed: int, how: Degrade = Degrade()) -> tuple[list[Image.Image], list[float]]:
    """Each page of `pdf` as scanned at `dpi` (page i seeded seed + i): the pages and their angles."""
    pages: list[Image.Image] = []
    angles: list[float] = []
    for index, page in enumerate(render_pages(pdf, dpi)):
        spoilt, angle = degrade(page, seed + index, how)
        pages.append(spoilt)
        angles.append(angle)
    return pages, angles


# ----------------------------------------------------------------------------------------- saving


def save_pdf(pages: Sequence[Image.Image], path: Path, dpi: int) -> Path:
    """An image-only PDF, one picture a page (Pillow stores them as JPEG), no text layer."""
    pages[0].save(path, "PDF", save_all=True, append_images=list(pages[1:]), resolution=float(dpi))
    return path


def save_tiff(pages: Sequence[Image.Image], path: Path, dpi: int) -> Path:
    """A multi-page TIFF (LZW), as a scanner's "one file" setting writes it."""
    pages[0].save(path, "TIFF", save_all=True, append_images=list(pages[1:]), dpi=(dpi, dpi), compression="tiff_lzw")
    return path


def save_images(pages: Sequence[Image.Image], folder: Path, dpi: int, *, suffix: str = ".png",
                stem: str = "page", quality: int = 80) -> list[Path]:
    """One file a page in `folder`: <stem>1<suffix>, <stem>2<suffix> … <stem>10<suffix> (so only a
    natural sort puts page 10 after page 9)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for number, page in enumerate(pages, start=1):
        path = folder / f"{stem}{number}{suffix}"
        if suffix.lower() in (".jpg", ".jpeg"):
            page.save(path, "JPEG", quality=quality, dpi=(dpi, dpi))
        else:
            page.save(path, dpi=(dpi, dpi))
        paths.append(path)
    return paths


def export_pdf(report: Report, fonts: FontSet) -> bytes:
    """Our PDF export of the report, blanks printed blank (so a blank cell must read back blank)."""
    from exports.pdf_export import render_pdf

    return render_pdf(build_layout(report, blank_as_zero=False), fonts, invariant=True)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels in its header and holds one tiny compressed row:
    a few hundred bytes that a careless reader would inflate to gigabytes (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff" * 64)) + chunk(b"IEND", b""))


# ----------------------------------------------------------------------------------------- comparing


def table_cells(report: Report) -> dict[str, str]:
    """Every report cell the tables 二, 三 and 四 of the report's export print, with the text printed
    (blank cells printed blank), in table order."""
    layout = build_layout(report, blank_as_zero=False)
    return {c.cell_id: c.text for table in layout.tables for c in table.cells if c.cell_id}


def _value(parsed: Parsed | None) -> tuple[Decimal | None, str | None]:
    if parsed is None or parsed.number is None:
        return (None, None)
    return (Decimal(str(parsed.number)), parsed.unit)


def expected_values(report: Report) -> dict[str, tuple[Decimal | None, str | None]]:
    """What reading the export of `report` must give in each printed table cell: (number, unit), or
    (None, None) for a cell printed blank."""
    template = report.template
    values: dict[str, tuple[Decimal | None, str | None]] = {}
    for cell_id, text in table_cells(report).items():
        values[cell_id] = _value(parse_value(text, template.cell(cell_id).kind) if text.strip() else BLANK)
    return values


def read_values(report: Report, cell_ids: Sequence[str]) -> dict[str, tuple[Decimal | None, str | None]]:
    """The same cells of a report read from a file: inputs as inputs, totals as printed."""
    return {cell_id: _value(report.inputs.get(cell_id, report.printed.get(cell_id))) for cell_id in cell_ids}


def wrong_cells(source: Report, read: Report) -> dict[str, tuple[object, object]]:
    """The cells of the tables that `read` got wrong: cell id -> (printed, read)."""
    expected = expected_values(source)
    got = read_values(read, list(expected))
    return {c: (expected[c], got[c]) for c in expected if expected[c] != got[c]}


# ------------------------------------------------------------------------------------- cases and reading


@dataclass(frozen=True)
class Case:
    """One scan-like file: which report, printed how (our export, or LibreOffice's print of the Word
    file, tests/data/office/*.pdf), scanned at what resolution and saved in which form."""

    name: str
    source: str  # key of SOURCES: the report file the scan is of
    dpi: int
    seed: int
    form: str  # "pdf" image-only PDF, "tiff" multi-page TIFF, "jpg"/"png" a folder of page images
    office: bool = False  # scanned from LibreOffice's print (OFFICE_PDFS) rather than our export
    how: Degrade = Degrade()
    # (page index, box as fractions x0, top, x1, bottom of the page before it is turned): an area
    # smudged past reading (a wet thumb over fresh toner), whose cells must come out uncertain.
    smudge: tuple[int, tuple[float, float, float, float]] | None = None


@dataclass
class ReadScan:
    """A case as made and as read (the result, or the error reading raised), with the time it took."""

    case: Case
    source: Report
    path: Path
    angles: list[float]
    result: ImportResult | None
    error: Exception | None
    seconds: float
    progress: list[tuple[int, int, str]]

    def done(self) -> ImportResult:
        """The result; reading's error, raised again, when there was none."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def smudge(image: Image.Image, box: tuple[float, float, float, float], seed: int) -> Image.Image:
    """The image with `box` (fractions of the page) smeared past reading: blurred wide and overlaid
    with blotches of grey."""
    import numpy as np
    from PIL import Image as PILImage
    from PIL import ImageFilter

    x0, top, x1, bottom = (round(f * s) for f, s in zip(box, (*image.size, *image.size), strict=True))
    area = image.crop((x0, top, x1, bottom)).filter(ImageFilter.GaussianBlur(image.width / 420))
    rng = np.random.default_rng(seed)
    # Soft blotches of grey, a few millimetres across.
    coarse = PILImage.fromarray(rng.normal(128.0, 22.0, size=(area.height // 10 + 2, area.width // 10 + 2))
                                .clip(0, WHITE).astype(np.uint8), "L")
    blotch = np.asarray(coarse.resize((area.width, area.height), PILImage.Resampling.BICUBIC), dtype=np.float32) - 128
    pixels = np.asarray(area, dtype=np.float32)
    pixels = pixels + (blotch if pixels.ndim == 2 else blotch[..., None])
    spoilt = image.copy()
    spoilt.paste(PILImage.fromarray(np.clip(pixels, 0, WHITE).astype(np.uint8), area.mode), (x0, top))
    return spoilt


class ScanShelf:
    """Makes the cases' files in `folder` and reads each once (OCR is slow): shared by a test session."""

    def __init__(self, fonts: FontSet, folder: Path) -> None:
        self.fonts = fonts
        self.folder = folder
        self._pdfs: dict[tuple[str, bool], bytes] = {}
        self._read: dict[Case, ReadScan] = {}
        self._pages: dict[Case, tuple[list[Image.Image], list[float]]] = {}

    def source(self, case: Case) -> Report:
        from core.reportfile import read_report_file

        return read_report_file(SOURCES[case.source])

    def printed(self, source: str, office: bool) -> bytes:
        """The PDF a case is scanned from."""
        key = (source, office)
        if key not in self._pdfs:
            from core.reportfile import read_report_file

            self._pdfs[key] = (OFFICE_PDFS[source].read_bytes() if office
                               else export_pdf(read_report_file(SOURCES[source]), self.fonts))
        return self._pdfs[key]

    def pages(self, case: Case) -> tuple[list[Image.Image], list[float]]:
        """The case's pages as scanned (made once a session; callers must not change them) and the
        angle each was turned by."""
        if case not in self._pages:
            pages, angles = scan(self.printed(case.source, case.office), case.dpi, case.seed, case.how)
            if case.smudge is not None:
                index, box = case.smudge
                # The box is given on the page before it was turned; the turn moves it by a few pixels.
                pages[index] = smudge(pages[index], box, case.seed)
            self._pages[case] = (pages, angles)
        pages, angles = self._pages[case]
        return list(pages), list(angles)

    def make(self, case: Case) -> tuple[Path, list[float]]:
        """The case's file (or folder) and the angle each page was turned by."""
        pages, angles = self.pages(case)
        if case.form == "pdf":
            return save_pdf(pages, self.folder / f"{case.name}.pdf", case.dpi), angles
        if case.form == "tiff":
            return save_tiff(pages, self.folder / f"{case.name}.tif", case.dpi), angles
        folder = self.folder / case.name
        save_images(pages, folder, case.dpi, suffix=f".{case.form}", stem="扫描_")
        return folder, angles

    def read(self, case: Case) -> ReadScan:
        """The case read by `reading.formats.read_with_log`, once a session."""
        if case not in self._read:
            import time

            from reading.formats import read_with_log

            path, angles = self.make(case)
            progress: list[tuple[int, int, str]] = []
            start = time.perf_counter()
            result: ImportResult | None = None
            error: Exception | None = None
            try:
                result = read_with_log(path, progress=lambda done, total, text: progress.append((done, total, text)))
            except Exception as exc:  # kept and raised again in each test that asks
                error = exc
            seconds = time.perf_counter() - start
            self._read[case] = ReadScan(case, self.source(case), path, angles, result, error, seconds, progress)
        return self._read[case]


def skew_of(png: bytes, *, limit: float = 3.0) -> float:
    """The angle (degrees, counter-clockwise as PIL turns) a page image is still turned by, measured
    independently of the engine: the turn that makes the rows of ink sharpest (the variance of the
    row sums is largest when the ruling lines and text lines lie level); to 0.1°."""
    import numpy as np
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as opened:
        page = opened.convert("L")
    page = page.resize((600, round(600 * page.height / page.width)))
    ink = page.point(lambda v: 255 if v < 150 else 0)

    def sharpness(angle: float) -> float:
        turned = ink.rotate(-angle, resample=PILImage.Resampling.NEAREST)
        return float(np.var(np.asarray(turned, dtype=np.float32).sum(axis=1)))

    coarse = max((i * 0.5 for i in range(round(-limit * 2), round(limit * 2) + 1)), key=sharpness)
    return max((coarse + i * 0.1 for i in range(-5, 6)), key=sharpness)
