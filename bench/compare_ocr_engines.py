"""Tesseract (chi_sim) against the PP-OCRv4 recognizer that reading/scan.py uses, on one table page
(issue 15: "weigh both").

Run: .venv/bin/python bench/compare_ocr_engines.py  (figures go in the README; tests never depend on
Tesseract). Tesseract is optional: without the `tesseract` program (Debian: apt-get install tesseract-ocr
tesseract-ocr-chi-sim) its columns are skipped with a message.

The page: page 3 of tests/data/office/office-2021.pdf (LibreOffice's print of a 2021-template report:
table 三's first rows, seven columns of numbers), rendered with pypdfium2 at 150 and 300 dpi, and each
also turned by 1.5°, blurred and noised as a cheap office scanner does.

The truth comes from the PDF's own text layer: the table's cells are found from the ruling lines of a
clean 300 dpi render (long straight runs of dark pixels), and a cell's truth is the digits the text
layer has inside it (a number wrapped over two lines in a narrow cell is one number). Cells holding
anything but digits (the row labels) are left out. Two measures:

1. Cell crops (the same crops for both engines): each number cell is cut from the page inside its ruling
   lines and read alone: PP-OCRv4 with onnxruntime (as reading/scan.py runs it: grey line image, height
   48, CTC greedy decoding), Tesseract with `--psm 7` (one text line) and `-l chi_sim`, all crops in one
   Tesseract process (a list file), so neither pays a start per cell. For the turned pages the crops are
   cut after turning the page back by the known angle (what a deskew step does).
2. Whole page: Tesseract reads the page by its own layout analysis (`--psm 6` and the default `--psm 3`);
   the numbers it prints, in order, are matched against the cells' numbers in reading order (longest
   matching subsequence). reading.scan.read_scan reads the same page image end to end (deskew, ruling
   lines, cells, recognition): its cells are matched to the truth cells by position.

Times are given as wall-clock and as CPU time (user + system, of this process and of Tesseract's: the
steadier figure when other work shares the 2 cores), model loading counted separately.
"""

from __future__ import annotations

import difflib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (the OCR extra; this bench needs it)
import pypdfium2  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

PDF = ROOT / "tests" / "data" / "office" / "office-2021.pdf"
PAGE = 2  # page 3
MODEL = ROOT / "resources" / "ocr" / "ch_PP-OCRv4_rec_infer.onnx"
ANGLE = 1.5
# Tesseract's OpenMP threads spin while they wait: on 2 cores other work shares, a second thread made its
# times swing from 2 s to 120 s for the same crops. One thread gives steady figures.
TESSERACT_ENV = os.environ | {"OMP_THREAD_LIMIT": "1"}
NOISE_SEED = 15


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.1f} s, CPU {self.cpu:.1f} s"


class Clock:
    """Wall-clock and CPU time (this process's and its waited-for children's, i.e. Tesseract's)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = self._cpu()

    @staticmethod
    def _cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    def stop(self) -> Timing:
        return Timing(time.perf_counter() - self.wall, self._cpu() - self.cpu)


@dataclass(frozen=True)
class Cell:
    box: tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the top-left
    truth: str


def render(dpi: int) -> Image.Image:
    pdf = pypdfium2.PdfDocument(PDF)
    try:
        image: Image.Image = pdf[PAGE].render(scale=dpi / 72).to_pil().convert("L")
        return image
    finally:
        pdf.close()


def spoil(image: Image.Image, dpi: int) -> Image.Image:
    """Turned by ANGLE, blurred and noised (fixed seed: the same picture every run)."""
    turned = image.rotate(ANGLE, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    blurred = turned.filter(ImageFilter.GaussianBlur(radius=0.5 * dpi / 150))
    rng = np.random.default_rng(NOISE_SEED)
    pixels = np.asarray(blurred, dtype=np.float64)
    pixels = pixels * 0.9 + 20 + rng.normal(0, 14, pixels.shape)  # a grey paper, a little faded, grain
    specks = rng.random(pixels.shape) < 0.0008
    pixels[specks] = 40
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _segments(ink: np.ndarray, least: int) -> list[tuple[int, int, int]]:
    """Horizontal runs of ink at least `least` long: (row, start, end)."""
    found = []
    for row in range(ink.shape[0]):
        line = np.concatenate(([0], ink[row].astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(line))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            if end - start >= least:
                found.append((row, int(start), int(end)))
    return found


def truth_cells() -> list[Cell]:
    """The number cells of the page: boxes from the ruling lines of a clean 300 dpi render, digits from
    the text layer."""
    dpi = 300
    scale = dpi / 72
    ink = np.asarray(render(dpi)) < 128
    least = int(0.4 * dpi)  # a third of an inch: longer than any stroke of a character
    horizontal = _segments(ink, least)
    vertical = [(col, start, end) for col, start, end in _segments(ink.T, least)]

    pdf = pypdfium2.PdfDocument(PDF)
    try:
        page = pdf[PAGE]
        height = page.get_height()
        text = page.get_textpage()
        chars: list[tuple[str, tuple[float, float] | None]] = []
        for index in range(text.count_chars()):
            char = text.get_text_range(index, 1)
            if not char.isdigit():
                if char.strip():
                    chars.append((char, None))
                continue
            left, bottom, right, top = text.get_charbox(index)
            chars.append((char, ((left + right) / 2 * scale, (height - (top + bottom) / 2) * scale)))
    finally:
        pdf.close()

    def enclosing(x: float, y: float) -> tuple[int, int, int, int] | None:
        above = [row for row, start, end in horizontal if start <= x <= end and row < y]
        below = [row for row, start, end in horizontal if start <= x <= end and row > y]
        left = [col for col, start, end in vertical if start <= y <= end and col < x]
        right = [col for col, start, end in vertical if start <= y <= end and col > x]
        if not (above and below and left and right):
            return None
        return max(left), max(above), min(right), min(below)

    digits: dict[tuple[int, int, int, int], list[tuple[float, float, str]]] = {}
    spoilt: set[tuple[int, int, int, int]] = set()  # cells with other text (labels such as "3.其他")
    last_box = None
    for char, centre in chars:
        if centre is None:
            if last_box is not None:
                spoilt.add(last_box)
            continue
        box = enclosing(*centre)
        last_box = box
        if box is not None:
            digits.setdefault(box, []).append((centre[1], centre[0], char))
    cells = []
    for box, found in digits.items():
        if box in spoilt:
            continue
        found.sort(key=lambda item: (round(item[0] / (0.12 * dpi)), item[1]))  # lines, then left to right
        x0, top, x1, bottom = (v / scale for v in box)
        cells.append(Cell((x0, top, x1, bottom), "".join(c for _, _, c in found)))
    cells.sort(key=lambda cell: (round(cell.box[1]), cell.box[0]))
    return cells


def text_lines(crop: Image.Image) -> list[Image.Image]:
    """The crop cut into its lines of text by the ink's row profile (a number wrapped in a narrow cell
    is two lines: both engines get one line at a time), each trimmed to its ink with a small margin."""
    ink = np.asarray(crop.convert("L")) < 140
    rows = np.flatnonzero(ink.sum(axis=1) > 0)
    if rows.size == 0:
        return [crop]
    bands: list[tuple[int, int]] = []
    start = previous = int(rows[0])
    for row in rows[1:]:
        if row > previous + 1:
            bands.append((start, previous + 1))
            start = int(row)
        previous = int(row)
    bands.append((start, previous + 1))
    least = max(3, crop.height // 12)  # specks and the stubs of ruling lines are not text
    out = []
    for top, bottom in bands:
        if bottom - top < least:
            continue
        cols = np.flatnonzero(ink[top:bottom].sum(axis=0) > 0)
        margin = max(2, (bottom - top) // 4)
        out.append(crop.crop((max(0, int(cols[0]) - margin), max(0, top - margin),
                              min(crop.width, int(cols[-1]) + 1 + margin), min(crop.height, bottom + margin))))
    return out or [crop]


def crops(image: Image.Image, dpi: int, cells: list[Cell], turned: bool) -> list[list[Image.Image]]:
    """Each cell's lines of text, cut from inside its ruling lines."""
    if turned:
        image = image.rotate(-ANGLE, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    scale = dpi / 72
    inset = max(3, round(dpi / 50))  # inside the ruling lines
    out = []
    for cell in cells:
        x0, top, x1, bottom = (round(v * scale) for v in cell.box)
        out.append(text_lines(image.crop((x0 + inset, top + inset, x1 - inset, bottom - inset))))
    return out


# ------------------------------------------------------------------------------------ PP-OCRv4


class PPOCR:
    def __init__(self) -> None:
        import onnxruntime as ort

        start = time.perf_counter()
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(MODEL), options, providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        self.chars = ["", *meta["character"].splitlines(), " "]
        self.load_seconds = time.perf_counter() - start
        self.version = ort.__version__

    def read(self, crop: Image.Image) -> str:
        grey = crop.convert("L")
        width = max(16, round(48 * grey.width / max(1, grey.height)))
        line = grey.resize((width, 48), Image.Resampling.BILINEAR).convert("RGB")
        pixels = np.asarray(line, dtype=np.float32) / 127.5 - 1.0
        batch = pixels.transpose(2, 0, 1)[None]
        out = self.session.run(None, {self.session.get_inputs()[0].name: batch})[0][0]
        best = out.argmax(axis=1)
        text, previous = [], 0
        for index in best:
            if index != 0 and index != previous:
                text.append(self.chars[index])
            previous = index
        return "".join(text)


# ------------------------------------------------------------------------------------ Tesseract


def tesseract_version() -> str | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False).stdout
    if "chi_sim" not in langs.split():
        return None
    return (done.stdout or done.stderr).splitlines()[0]


def tesseract_crops(images: list[Image.Image]) -> tuple[list[str], Timing]:
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, image in enumerate(images):
            name = Path(tmp) / f"cell{i:04d}.png"
            image.save(name)
            names.append(str(name))
        listing = Path(tmp) / "list.txt"
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        clock = Clock()
        done = subprocess.run(["tesseract", str(listing), "stdout", "-l", "chi_sim", "--psm", "7"],
                              capture_output=True, text=True, check=False, env=TESSERACT_ENV)
        seconds = clock.stop()
    texts = done.stdout.split("\f")
    return [t.strip() for t in texts[: len(images)]], seconds


def tesseract_page(image: Image.Image, dpi: int, psm: int) -> tuple[str, Timing]:
    with tempfile.TemporaryDirectory() as tmp:
        name = Path(tmp) / "page.png"
        image.save(name, dpi=(dpi, dpi))
        clock = Clock()
        done = subprocess.run(["tesseract", str(name), "stdout", "-l", "chi_sim", "--psm", str(psm)],
                              capture_output=True, text=True, check=False, env=TESSERACT_ENV)
        return done.stdout, clock.stop()


# ------------------------------------------------------------------------------------ scoring


def digits_of(text: str) -> str:
    return re.sub(r"\s+", "", text)


def in_order(found_text: str, cells: list[Cell]) -> int:
    """How many of the cells' numbers appear, in reading order, among the numbers of the text."""
    found = re.findall(r"\d+", found_text)
    truth = [cell.truth for cell in cells]
    matcher = difflib.SequenceMatcher(a=truth, b=found, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def pipeline(image: Image.Image, dpi: int, cells: list[Cell]) -> tuple[int, int, Timing]:
    """reading.scan.read_scan on the page image: (cells right, cells it gave for the truth cells, seconds)."""
    from core.reportfile import ReportFileError
    from reading.scan import read_scan

    with tempfile.TemporaryDirectory() as tmp:
        name = Path(tmp) / "page.png"
        image.save(name, dpi=(dpi, dpi))
        clock = Clock()
        try:
            result = read_scan(name)
        except ReportFileError as exc:
            print(f"  reading.scan refused the page: {exc}")
            return 0, 0, clock.stop()
        seconds = clock.stop()
    scan = result.scan
    if scan is None:
        return 0, 0, seconds
    # The boxes are fractions of the straightened page, which may be larger than the image (turned about
    # its centre): place the truth's centres on it the same way.
    import io

    width, height = image.size
    with Image.open(io.BytesIO(scan.pages[0])) as straightened:
        new_width, new_height = straightened.size
    scale = dpi / 72
    right = given = 0
    for cell in cells:
        x = ((cell.box[0] + cell.box[2]) / 2 * scale + (new_width - width) / 2) / new_width
        y = ((cell.box[1] + cell.box[3]) / 2 * scale + (new_height - height) / 2) / new_height
        hits = [sc for sc in scan.cells.values()
                if sc.page == 0 and sc.box[0] <= x <= sc.box[2] and sc.box[1] <= y <= sc.box[3]]
        if hits:
            given += 1
            right += digits_of(hits[0].text) == cell.truth
    return right, given, seconds


def main() -> int:
    cells = truth_cells()
    if not cells:
        print("没有在第 3 页找到数字单元格（测试数据变了？）")
        return 1
    print(f"truth: {len(cells)} number cells of table 三 on page 3 of {PDF.name} "
          f"(first row: {' '.join(c.truth for c in cells[:7])})")
    tess = tesseract_version()
    if tess is None:
        print("Tesseract is not installed (or has no chi_sim): its columns are skipped. "
              "Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim")
    pp = PPOCR()
    print(f"PP-OCRv4 recognizer (onnxruntime {pp.version}): model loaded in {pp.load_seconds:.2f} s")

    rows: list[dict[str, Any]] = []
    for dpi in (150, 300):
        clean = render(dpi)
        for turned, image in ((False, clean), (True, spoil(clean, dpi))):
            label = f"{dpi} dpi" + (f", turned {ANGLE}°, blurred, noised" if turned else "")
            pieces = crops(image, dpi, cells, turned)
            clock = Clock()
            pp_texts = ["".join(pp.read(line) for line in lines) for lines in pieces]
            pp_seconds = clock.stop()
            pp_right = sum(digits_of(t) == c.truth for t, c in zip(pp_texts, cells, strict=True))
            pp_wrong = [(c.truth, t) for t, c in zip(pp_texts, cells, strict=True) if digits_of(t) != c.truth]
            row: dict[str, Any] = {"label": label, "pp_cells": (pp_right, pp_seconds, pp_wrong)}
            if tess is not None:
                flat = [line for lines in pieces for line in lines]
                t_lines, t_seconds = tesseract_crops(flat)
                t_texts = []
                for lines in pieces:
                    t_texts.append("".join(t_lines[: len(lines)]))
                    del t_lines[: len(lines)]
                t_right = sum(digits_of(t) == c.truth for t, c in zip(t_texts, cells, strict=True))
                t_wrong = [(c.truth, t) for t, c in zip(t_texts, cells, strict=True) if digits_of(t) != c.truth]
                row["t_cells"] = (t_right, t_seconds, t_wrong)
                for psm in (6, 3):
                    text, seconds = tesseract_page(image, dpi, psm)
                    row[f"t_page{psm}"] = (in_order(text, cells), seconds)
            p_right, p_given, p_seconds = pipeline(image, dpi, cells)
            row["pipeline"] = (p_right, p_given, p_seconds)
            rows.append(row)
            print(f"\n{label}")
            print(f"  cell crops, PP-OCRv4:  {pp_right}/{len(cells)} right, {pp_seconds}"
                  + (f"; wrong: {pp_wrong[:6]}" if pp_wrong else ""))
            if "t_cells" in row:
                t_right, t_seconds, t_wrong = row["t_cells"]
                print(f"  cell crops, Tesseract: {t_right}/{len(cells)} right, {t_seconds} (one process)"
                      + (f"; wrong: {t_wrong[:6]}" if t_wrong else ""))
                for psm in (6, 3):
                    found, seconds = row[f"t_page{psm}"]
                    print(f"  whole page, Tesseract --psm {psm}: {found}/{len(cells)} numbers in order, "
                          f"{seconds}")
            print(f"  whole page, reading.scan: {p_right}/{len(cells)} cells right ({p_given} found), "
                  f"{p_seconds}")

    print("\n| Page | PP-OCRv4 cells | Tesseract cells | Tesseract page (psm 6 / 3) | reading.scan page |")
    print("|---|---|---|---|---|")
    n = len(cells)
    for row in rows:
        pp_right, pp_seconds, _ = row["pp_cells"]
        line = f"| {row['label']} | {pp_right}/{n} ({pp_seconds}) | "
        if "t_cells" in row:
            t_right, t_seconds, _ = row["t_cells"]
            p6, s6 = row["t_page6"]
            p3, s3 = row["t_page3"]
            line += f"{t_right}/{n} ({t_seconds}) | {p6}/{n} ({s6}) / {p3}/{n} ({s3}) | "
        else:
            line += "— | — | "
        right, given, seconds = row["pipeline"]
        line += f"{right}/{n} ({given} found; {seconds}) |"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
