"""Reading scanned reports offline: image-only PDF pages and photos or scans of the pages (.jpg, .png,
.tif, or a folder of them) recognised into the same characters-with-boxes and ruling lines that a PDF
with a text layer gives, so the same layout (reading/pdf_reader.py) and the same assembly build the
report, and its numbers go through the same checks.

Each page is straightened (the skew that gives the sharpest rows), its ruling lines are found as long
straight runs of dark pixels (the cells of the tables come from them, not from the text), the lines are
wiped out, and the text is cut into lines by the ink's profile: every table cell on its own, the text
around the tables line by line. Each piece is read by the PP-OCRv4 recognition model (ONNX, run by
onnxruntime; resources/ocr/NOTICE.txt), which gives each character a confidence. No OpenCV: numpy and
Pillow do the image work.

A table cell read with less confidence than THRESHOLD is listed in the import log and in
ImportResult.scan.uncertain; numbers that do not add up in the tables are read once more from the page at
twice the resolution before the report is returned. OCR is an optional extra: without onnxruntime a scan
is refused with OCR_MISSING, which says what to install."""

from __future__ import annotations

import io
import os
import re
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.fileio import read_regular
from core.reportfile import ReportFileError
from reading import limits
from reading.document import (
    CellSource,
    ExtractedDocument,
    ExtractedTable,
    ImportResult,
    Progress,
    ScanCell,
    ScanInfo,
)

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from core.template import Template

SCAN_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
MODEL = Path(__file__).resolve().parent.parent / "resources" / "ocr" / "ch_PP-OCRv4_rec_infer.onnx"
# The optional extra `ocr` of pyproject.toml, as a user would install it into the Python running the app.
OCR_PACKAGES = ('"onnxruntime>=1.17"', '"numpy>=1.24"')


def install_hint() -> str:
    """How to add scan reading to this copy of the app: the bundle has a flavour with it, a source folder
    installs the extra, an installed package gets it from the offline kit or from the package index."""
    import sys

    from core import version

    if getattr(sys, "frozen", False):
        return "改用带扫描件识别的打包程序（gov-report-ocr 文件夹，或文件名带 ocr 的 .deb 安装包）"
    if version.install_kind().startswith("源代码文件夹"):
        return '在程序目录运行 bash scripts/setup.sh，或 pip install -e ".[ocr]"'
    return (
        "用离线安装包运行 sh install.sh --ocr（Windows：install.bat --ocr），"
        f"或联网时运行 {sys.executable} -m pip install {' '.join(OCR_PACKAGES)}"
    )


OCR_MISSING = f"这是扫描件（只有图片、没有文字层）；识别扫描件需要安装文字识别组件：{install_hint()}"
NO_TEXT = "扫描件中没有识别出文字（图片是空白页，或太模糊）"
THRESHOLD = 0.90  # a cell read less surely than this is listed to compare with the paper
STACKED = 0.6  # the confidence given a cell holding two numbers one above the other
RENDER_DPI = 200  # image-only PDF pages are rendered at this resolution (and twice it to re-read)
MAX_PAGES = 60  # a report has 4-12 pages; more images than this are not one report
MAX_PIXELS = 60_000_000  # a page photographed at 600 dpi on A3 is 35 megapixels
_REC_HEIGHT = 48  # the recognition model's input height
_BATCH = 8
_NATURAL = re.compile(r"(\d+)")


def ocr_available() -> bool:
    """Whether scans can be read here: onnxruntime and numpy import and the model is in place."""
    return _engine_error() is None


@cache
def _engine_error() -> str | None:
    try:
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return OCR_MISSING
    if not MODEL.is_file():
        return f"文字识别模型缺失（{MODEL.name}），请重新安装本程序"
    return None


def engine_description() -> str:
    """Which recognizer reads scans, for the log and 关于."""
    import onnxruntime

    return f"PP-OCRv4 识别模型，onnxruntime {onnxruntime.__version__}"


# ---------------------------------------------------------------------------------------- recognizer


class _Recognizer:
    """The PP-OCRv4 text-line recognizer: a grey image of one line of text in, its characters with
    their positions along the line and their confidences out (CTC, greedy)."""

    def __init__(self) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(MODEL), options, providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        self.characters = ["", *meta["character"].splitlines(), " "]
        self.input = self.session.get_inputs()[0].name

    def read(
        self, crops: Sequence[Image.Image], cells: Sequence[bool] = ()
    ) -> list[list[tuple[str, float, float]]]:
        """For each crop: (character, centre x as a fraction of the crop's width, confidence). A crop
        from a table cell (`cells`) that reads as no more than a short run of digit-like marks is read
        as a number (see _numeric)."""
        import numpy as np
        from PIL import Image

        out: list[list[tuple[str, float, float]]] = [[] for _ in crops]
        widths = [max(8, round(_REC_HEIGHT * c.width / max(c.height, 1))) for c in crops]
        order = sorted(range(len(crops)), key=widths.__getitem__)
        # Batches of lines of about one width (each is padded to the widest), of a bounded size.
        batches: list[list[int]] = []
        for i in order:
            last = batches[-1] if batches else None
            if (
                last is not None
                and len(last) < _BATCH
                and widths[i] * (len(last) + 1) <= 4000
                and widths[i] <= 1.1 * widths[last[0]] + 8
            ):
                last.append(i)
            else:
                batches.append([i])
        for batch in batches:
            width = max(max(widths[i] for i in batch), 32)
            array = np.zeros((len(batch), 3, _REC_HEIGHT, width), dtype=np.float32)
            for k, i in enumerate(batch):
                line = crops[i].resize((widths[i], _REC_HEIGHT), Image.Resampling.BILINEAR)
                grey = np.asarray(line, dtype=np.float32) / 127.5 - 1.0
                array[k, :, :, : widths[i]] = grey
            probs = self.session.run(None, {self.input: array})[0]
            for k, i in enumerate(batch):
                out[i] = self._decode(probs[k], widths[i], width)
                if i < len(cells) and cells[i] and _numberlike(out[i]):
                    out[i] = self._decode(self._numeric(probs[k]), widths[i], width, NUMERIC)
        return out

    @cache  # noqa: B019 (one recognizer for the process)
    def _folding(self) -> np.ndarray:
        """Which class of NUMERIC each of the model's characters counts for (-1: none)."""
        import numpy as np

        fold = np.full(len(self.characters), -1, dtype=np.int64)
        fold[0] = 0  # blank
        for k, (_, looks) in enumerate(NUMERIC[1:], 1):
            for ch in looks:
                if ch in self.characters:
                    fold[self.characters.index(ch)] = k
        return fold

    def _numeric(self, probs: np.ndarray) -> np.ndarray:
        """The model's probabilities summed over the marks that look alike in a number cell: what it
        gives to ! and l counts for 1, to O and o for 0. A lone 1 or 0 in a cell has no neighbours to
        tell it by, and the model hesitates between the look-alikes."""
        import numpy as np

        fold = self._folding()
        out = np.zeros((probs.shape[0], len(NUMERIC)), dtype=np.float32)
        for k in range(len(NUMERIC)):
            out[:, k] = probs[:, fold == k].sum(axis=1)
        return out

    def _decode(
        self, probs: np.ndarray, used: int, width: int, classes: Sequence[tuple[str, str]] | None = None
    ) -> list[tuple[str, float, float]]:
        names = [c for c, _ in classes] if classes is not None else self.characters
        steps = probs.shape[0]
        per_step = width / steps
        best = probs.argmax(axis=1)
        sure = probs.max(axis=1)
        chars: list[tuple[str, float, float]] = []
        previous = 0
        for t in range(steps):
            index = int(best[t])
            if index != 0 and index != previous and index < len(names):
                x = min(1.0, (t + 0.5) * per_step / used)
                chars.append((names[index], x, float(sure[t])))
            elif index == previous and index != 0 and chars:
                # The same character over several steps: the least sure step counts.
                text, x, score = chars[-1]
                chars[-1] = (text, x, min(score, float(sure[t])))
            previous = index
        return chars


# The classes a number cell is read in: each the character it stands for and the marks that look like
# it (full-width forms, letters, 〇). The first is CTC's blank.
NUMERIC: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("0", "0OoD〇０Ｏ"),
    ("1", "1!lI|丨１ｌＩ！"),
    ("2", "2２Z"),
    ("3", "3３"),
    ("4", "4４"),
    ("5", "5５S"),
    ("6", "6６b"),
    ("7", "7７"),
    ("8", "8８B"),
    ("9", "9９g"),
    (".", ".．。,，"),
    ("-", "-－—"),
    ("%", "%％"),
)
_LOOKS_NUMERIC = frozenset("".join(looks for _, looks in NUMERIC))


def _numberlike(chars: Sequence[tuple[str, float, float]]) -> bool:
    """A short run of marks that could all be parts of a number (1241, !, O, 2O3)."""
    return 0 < len(chars) <= 12 and all(ch in _LOOKS_NUMERIC for ch, _, _ in chars)


@cache
def _recognizer() -> _Recognizer:
    return _Recognizer()


# -------------------------------------------------------------------------------------------- pages


@dataclass
class _PageImage:
    """One page as an image: where it came from (to render it again sharper) and its resolution."""

    image: Image.Image  # grey ("L")
    dpi: float
    pdf_index: int = -1  # page of the PDF it was rendered from (-1: an image file)


def _natural_key(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part.lower() for part in _NATURAL.split(name)]


def scan_files(folder: Path) -> list[Path]:
    """The page images of a folder, in page order (第2页 before 第10页)."""
    files = [p for p in folder.iterdir() if p.suffix.lower() in SCAN_SUFFIXES and p.is_file()]
    return sorted(files, key=lambda p: _natural_key(p.name))


def _open_image(path: Path) -> list[Image.Image]:
    """The frames of an image file (a TIFF may hold every page), grey; ReportFileError in Chinese for
    a file that is not a readable picture or is too large."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = read_regular(path, limits.FILE_BYTES.get(path.suffix.lower(), 64 * 1024 * 1024))
    if not data.strip():
        raise ReportFileError(f"图片文件是空的：{path.name}")
    frames: list[Image.Image] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                if image.width * image.height > MAX_PIXELS:
                    raise ReportFileError(f"图片太大（{image.width}×{image.height} 像素），不像一页扫描件：{path.name}")
                frame = ImageOps.exif_transpose(image) if index == 0 else image
                frames.append(frame.convert("L"))
                if len(frames) > MAX_PAGES:
                    raise ReportFileError(f"图片有 {MAX_PAGES} 页以上，不是一份年度报告：{path.name}")
    except ReportFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ReportFileError(f"图片太大，不像一页扫描件：{path.name}") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ReportFileError(f"图片文件已损坏或不是图片，无法读取：{path.name}") from None
    return frames


def _image_dpi(image: Image.Image, info: Mapping[Any, Any]) -> float:
    """The resolution of a page image: as recorded when plausible, else from its width (an A4 page)."""
    recorded = info.get("dpi")
    try:
        dpi = float(recorded[0]) if recorded else 0.0
    except (TypeError, ValueError, IndexError):
        dpi = 0.0
    guessed = min(image.width, image.height) / 8.27
    if 50 <= dpi <= 1200 and 0.6 < guessed / dpi < 1.6:
        return dpi
    return max(guessed, 50.0)


def _pdf_pages(data: bytes, dpi: float, only: Sequence[int] | None = None) -> Iterator[tuple[int, Image.Image]]:
    import pypdfium2 as pdfium

    from core.pdfium_lock import PDFIUM_LOCK

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            raise ReportFileError("PDF 文件已损坏，无法读取") from None
        try:
            count = len(pdf)
            if count > MAX_PAGES:
                raise ReportFileError(f"PDF 有 {count} 页，不像一份年度报告（扫描件最多读 {MAX_PAGES} 页）")
            indexes = list(only) if only is not None else list(range(count))
            rendered: list[tuple[int, Image.Image]] = []
            for index in indexes:
                page = pdf[index]
                try:
                    bitmap = page.render(scale=dpi / 72, grayscale=True)
                    rendered.append((index, bitmap.to_pil().convert("L")))
                finally:
                    page.close()
        finally:
            pdf.close()
    yield from rendered


def _load_pages(path: Path) -> tuple[list[_PageImage], bytes | None]:
    """The pages of a scan (and the PDF's bytes, to render pages again sharper)."""
    if path.is_dir():
        files = scan_files(path)
        if not files:
            raise ReportFileError(f"文件夹中没有扫描件图片（{'、'.join(SCAN_SUFFIXES)}）：{path.name}")
        if len(files) > MAX_PAGES:
            raise ReportFileError(f"文件夹中有 {len(files)} 张图片，不像一份年度报告（最多 {MAX_PAGES} 页）")
        pages: list[_PageImage] = []
        for file in files:
            for frame in _open_image(file):
                pages.append(_PageImage(frame, _image_dpi(frame, frame.info)))
        return pages, None
    if path.suffix.lower() == ".pdf":
        from reading.pdf_reader import _read_bytes

        data = _read_bytes(path)
        return [_PageImage(image, RENDER_DPI, index) for index, image in _pdf_pages(data, RENDER_DPI)], data
    frames = _open_image(path)
    return [_PageImage(frame, _image_dpi(frame, frame.info)) for frame in frames], None


# ----------------------------------------------------------------------------------- image analysis


def _deskew_angle(grey: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise) that makes the page's rows sharpest: text lines and
    ruling lines give the row profile its tallest peaks when they are level. Searched to 0.05°
    within ±5°, on a small copy of the page."""
    import numpy as np
    from PIL import Image

    small = Image.fromarray(grey)
    scale = 900 / max(small.width, 1)
    if scale < 1:
        small = small.resize((900, max(1, round(small.height * scale))), Image.Resampling.BOX)
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        turned = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0), dtype=np.float32)
        rows = turned.sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    best = max((a / 4 for a in range(-20, 21)), key=sharpness)
    fine = max((best + a / 20 for a in range(-5, 6)), key=sharpness)
    return fine if abs(fine) >= 0.05 else 0.0


def _otsu(grey: np.ndarray) -> int:
    import numpy as np

    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(np.argmax(between[:-1]))


def _runs(mask: np.ndarray, least: int) -> list[tuple[int, int, int]]:
    """Runs of True along each row of `mask` at least `least` long: (row, start, end)."""
    import numpy as np

    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    keep = ends - starts >= least
    return list(zip(rows_s[keep].tolist(), starts[keep].tolist(), ends[keep].tolist(), strict=True))


@dataclass
class _Analysed:
    """A straightened page: its grey image, the ink with ruling lines wiped out, the ruling lines as
    segments in points, and the scale from pixels to points."""

    grey: np.ndarray  # the straightened page, for the preview
    clean: np.ndarray  # the same with specks filtered out and ruling lines painted white, to read from
    text_ink: np.ndarray  # bool: dark pixels that are not ruling lines
    segments: list[tuple[float, float, float, float]]
    pt: float  # points per pixel
    angle: float


def _analyse(page: _PageImage) -> _Analysed:
    import numpy as np
    from PIL import Image, ImageFilter

    pt = 72 / page.dpi
    image = page.image
    angle = _deskew_angle(np.asarray(image))
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    # The text is read from the page with specks and noise filtered out (a median of 3 × 3 pixels);
    # the rules are looked for on the page as it is, because the median would also wipe out a rule one
    # pixel thin, as a clean 150 dpi scan draws them.
    grey = np.asarray(image.filter(ImageFilter.MedianFilter(3)))
    paper = int(np.median(grey))
    # Text is the dark ink: half way from the paper to the darkest ink there is (Otsu's split alone
    # falls between the paper and a table's grey shading when a page has much of it).
    darkest = int(np.percentile(grey, 0.1))
    threshold = min(_otsu(grey), (darkest + paper) // 2, paper - 60)
    ink = grey < threshold
    # A ruling line is longer than any stroke of a character: a table's rows are ruled across the
    # table (60 pt and more), its columns down at least two rows (28 pt and more); the largest
    # characters of a report (the 22 pt title) have strokes of about 20 pt. A scan's blur leaves a thin
    # rule lighter than the text, so a rule is looked for as a thin valley: pixels clearly darker than
    # those a little way to either side of it (grey shading is no valley, its edge rule is).
    # A line a pixel off level over its length, or broken by a speck, is still one line: the valley
    # is thickened by a pixel across the line and gaps of two pixels along it are closed.
    segments: list[tuple[float, float, float, float]] = []
    wipe = np.zeros_like(ink)
    side = max(3, round(1.5 / pt))  # beyond a rule's thickness and blur
    closing = 2
    signed = np.asarray(image).astype(np.int32)
    raw_ink = signed < threshold  # strokes one pixel thin too, which the median took away
    for axis in (0, 1):
        least = max(8, round((60 if axis == 0 else 28) / pt))
        # Averaged over five pixels along the line's direction: the scanner's noise evens out, a line
        # stays as dark as it is.
        g = _along(signed if axis == 0 else signed.T, 5)
        m = np.zeros(g.shape, dtype=bool)
        m[side:-side] = (g[side:-side] < g[: -2 * side] - 12) & (g[side:-side] < g[2 * side :] - 12)
        across = m.copy()
        across[1:] |= m[:-1]
        across[:-1] |= m[1:]
        along = across.copy()
        for shift in range(1, closing + 1):
            along[:, shift:] |= across[:, :-shift]
        w = wipe if axis == 0 else wipe.T
        strict = raw_ink if axis == 0 else raw_ink.T
        for row, start, end in _runs(along, least):
            end -= closing  # the closing widened the run to the right
            # A rule has paper on both sides; a run through a line of text (strokes of neighbouring
            # characters lined up) has the rest of the characters above and below it.
            if row < side or row + side >= strict.shape[0]:
                continue
            above = strict[row - side, start:end].mean()
            below = strict[row + side, start:end].mean()
            if above > 0.12 or below > 0.12:
                continue
            if axis == 0:
                segments.append((start * pt, row * pt, end * pt, row * pt))
            else:
                segments.append((row * pt, start * pt, row * pt, end * pt))
            w[max(row - side + 1, 0) : row + side, start:end] = True
    segments = _closed(_without_strokes(segments, raw_ink, pt, side))
    text_ink = ink & ~wipe
    readable = grey.copy()
    readable[wipe] = 255
    return _Analysed(np.asarray(image), readable, text_ink, segments, pt, angle)


REACH = 10.0  # pt: a rule ending this short of a crossing rule is taken to reach it (a break in the scan)
STROKE = 13.0  # pt: the longest stroke of a character in a table (12 pt type)


def _closed(segments: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """The rules found, as segments, each end that stops just short of a crossing rule carried on to
    it: a scan's noise or blur breaks a rule near a corner, and a cell without its corner is merged with
    its neighbour."""
    from reading.pdf_rules import Rule, rules_from_segments

    rules = rules_from_segments(segments)

    def reach(rule: Rule, crossing: Sequence[Rule]) -> tuple[float, float]:
        start, end = rule.start, rule.end
        across = [c.at for c in crossing if c.drawn and c.start - 3 <= rule.at <= c.end + 3]
        if not any(abs(a - start) <= 3 for a in across):
            before = [a for a in across if start - REACH <= a < start]
            if before:
                start = max(before)
        if not any(abs(a - end) <= 3 for a in across):
            after = [a for a in across if end < a <= end + REACH]
            if after:
                end = min(after)
        # An end sticking out a character's height past the last rule it crosses is a stroke of a
        # character that happens to line up with the rule (the 亍 of 行 over a column rule).
        inside = [a for a in across if start - 3 <= a <= end + 3]
        if inside:
            if 3 < min(inside) - start <= STROKE:
                start = min(inside)
            if 3 < end - max(inside) <= STROKE:
                end = max(inside)
        return start, end

    out: list[tuple[float, float, float, float]] = []
    for rule in rules.horizontal:
        if rule.drawn:
            x0, x1 = reach(rule, rules.vertical)
            out.append((x0, rule.at, x1, rule.at))
    right = max((rule.at for rule in rules.vertical), default=0.0)
    for rule in rules.vertical:
        y0, y1 = reach(rule, rules.horizontal)
        if rule.at >= right - 3:
            # The right border goes down as far as the row rules ending on it: totals filling the
            # last column darken the border's side over a row or two, and there it was not seen.
            ending = [h.at for h in rules.horizontal if h.drawn and abs(h.end - rule.at) <= 3 and y1 < h.at <= y1 + 60]
            y1 = max([y1, *ending])
        out.append((rule.at, y0, rule.at, y1))
    return out


def _without_strokes(
    segments: list[tuple[float, float, float, float]], ink: np.ndarray, pt: float, side: int
) -> list[tuple[float, float, float, float]]:
    """The rules less an end (beyond the last rule it crosses, a character's height at most) that has
    ink close beside it: the stroke of a character in a cell that lines up with a column rule (the 亍
    of 行 over the rule between 结果纠正 and 其他结果) and joins it across the row's rule."""
    from reading.pdf_rules import rules_from_segments

    rules = rules_from_segments(segments)

    def stroke(at: float, a: float, b: float, upright: bool) -> bool:
        if not 0 < b - a <= STROKE:
            return False
        line, lo, hi = round(at / pt), round(a / pt), round(b / pt)
        if upright:
            beside = ink[lo:hi, max(line - side, 0)] | ink[lo:hi, min(line + side, ink.shape[1] - 1)]
        else:
            beside = ink[max(line - side, 0), lo:hi] | ink[min(line + side, ink.shape[0] - 1), lo:hi]
        return bool(beside.size) and float(beside.mean()) > 0.15

    out: list[tuple[float, float, float, float]] = []
    for upright, own, others in ((False, rules.horizontal, rules.vertical), (True, rules.vertical, rules.horizontal)):
        for rule in own:
            if not rule.drawn:
                continue
            start, end = rule.start, rule.end
            crossing = [c.at for c in others if c.drawn and c.start - 3 <= rule.at <= c.end + 3
                        and start - 3 <= c.at <= end + 3]
            if crossing:
                first, last = min(crossing), max(crossing)
                if first - start > 3 and stroke(rule.at, start, first, upright):
                    start = first
                if end - last > 3 and stroke(rule.at, last, end, upright):
                    end = last
            out.append((rule.at, start, rule.at, end) if upright else (start, rule.at, end, rule.at))
    return out


def _along(values: np.ndarray, width: int) -> np.ndarray:
    """Each row's running mean over `width` pixels (the ends over what there is)."""
    import numpy as np

    total = np.cumsum(np.pad(values, ((0, 0), (width // 2 + 1, width // 2)), mode="edge"), axis=1)
    means: np.ndarray = (total[:, width:] - total[:, :-width]) // width
    return means


def _bands(profile: np.ndarray, least_ink: int, gap: int) -> list[tuple[int, int]]:
    """Stretches where `profile` has ink, joined across gaps shorter than `gap`."""
    import numpy as np

    rows = np.nonzero(profile >= least_ink)[0]
    if not len(rows):
        return []
    bands: list[list[int]] = [[int(rows[0]), int(rows[0]) + 1]]
    for r in rows[1:].tolist():
        if r - bands[-1][1] < gap:
            bands[-1][1] = r + 1
        else:
            bands.append([r, r + 1])
    return [(a, b) for a, b in bands]


def _text_lines(ink: np.ndarray, x0: int, y0: int, x1: int, y1: int, pt: float) -> list[tuple[int, int, int, int]]:
    """The lines of text in a region of the page (each piece of a line apart from the next by a wide
    gap on its own): boxes in pixels. A stroke of 三 or a lone 一 is joined to its line, specks are not
    lines."""
    import numpy as np

    region = ink[y0:y1, x0:x1]
    if region.size == 0 or not region.any():
        return []
    row_gap = max(2, round(1.2 / pt))
    bands = _bands(region.sum(axis=1), 1, row_gap)
    heights = sorted(b - a for a, b in bands if b - a >= round(4 / pt))
    usual = heights[len(heights) // 2] if heights else round(10 / pt)
    # A thin band (a stroke) goes with the line it belongs to when that is close.
    merged: list[list[int]] = []
    for a, b in bands:
        thin = merged and (b - a < 0.45 * usual or merged[-1][1] - merged[-1][0] < 0.45 * usual)
        if thin and a - merged[-1][1] < 0.35 * usual and b - merged[-1][0] <= 1.4 * usual:
            merged[-1][1] = b
            continue
        merged.append([a, b])
    boxes: list[tuple[int, int, int, int]] = []
    for a, b in merged:
        band = region[a:b]
        height = b - a
        if band.sum() < max(6, 0.02 * (1 / pt) ** 2 * 4):
            continue  # specks
        pieces = _bands(band.sum(axis=0), 1, max(round(1.6 * max(height, usual)), 4))
        for c0, c1 in pieces:
            piece = band[:, c0:c1]
            if piece.sum() < 6 or (c1 - c0 < 0.15 * usual and height < 0.3 * usual):
                continue
            if piece.mean() > 0.7 and c1 - c0 > 3 * height:
                continue  # a solid bar (a thick rule, a blacked-out line), not text
            filled = np.nonzero(piece.any(axis=1))[0]
            boxes.append((x0 + c0, y0 + a + int(filled[0]), x0 + c1, y0 + a + int(filled[-1]) + 1))
    return boxes


def _crop(grey: np.ndarray, box: tuple[int, int, int, int]) -> Image.Image:
    """A line of text with a margin of a quarter of its height."""
    import numpy as np
    from PIL import Image

    x0, y0, x1, y1 = box
    h = y1 - y0
    m = max(2, round(0.25 * h))
    X0, Y0 = max(0, x0 - m), max(0, y0 - m)
    X1, Y1 = min(grey.shape[1], x1 + m), min(grey.shape[0], y1 + m)
    part = grey[Y0:Y1, X0:X1].copy()
    # Only this piece's own rows and columns: the neighbours' ink outside the box is painted out.
    mask = np.ones(part.shape, dtype=bool)
    mask[y0 - Y0 : y1 - Y0, x0 - X0 : x1 - X0] = False
    part[mask & (part < 200)] = 255
    return Image.fromarray(part)


# ------------------------------------------------------------------------------------ page to chars


@dataclass
class _Piece:
    page: int
    box: tuple[int, int, int, int]  # pixels
    chars: list[tuple[str, float, float]]


def _recognise_page(index: int, analysed: _Analysed) -> list[_Piece]:
    """Every line of text of a page, cut by the tables' cells where there are tables, read."""
    from reading.pdf_rules import find_tables, rules_from_segments

    ink = analysed.text_ink
    pt = analysed.pt
    rules = rules_from_segments(analysed.segments)
    boxes: list[tuple[int, int, int, int]] = []
    in_cell = 0  # boxes[:in_cell] are lines inside table cells
    outside = ink.copy()
    for cells in find_tables(rules):
        for x0, top, x1, bottom in cells:
            px = (round(x0 / pt) + 2, round(top / pt) + 2, round(x1 / pt) - 1, round(bottom / pt) - 1)
            boxes.extend(_text_lines(ink, *px, pt))
            in_cell = len(boxes)
        tx0 = round(min(c[0] for c in cells) / pt) - 2
        ty0 = round(min(c[1] for c in cells) / pt) - 2
        tx1 = round(max(c[2] for c in cells) / pt) + 3
        ty1 = round(max(c[3] for c in cells) / pt) + 3
        outside[max(ty0, 0) : ty1, max(tx0, 0) : tx1] = False
    boxes.extend(_text_lines(outside, 0, 0, ink.shape[1], ink.shape[0], pt))
    crops = [_crop(analysed.clean, box) for box in boxes]
    read = _recognizer().read(crops, [k < in_cell for k in range(len(boxes))])
    return [_Piece(index, box, chars) for box, chars in zip(boxes, read, strict=True) if chars]


def _page_chars(pieces: Sequence[_Piece], pt: float) -> list[Any]:
    """The characters of the pieces read, each with a box along its piece (its share of the line,
    by where the recognizer placed it) and its confidence, in points."""
    from reading.pdf_reader import _Char

    out: list[_Char] = []
    for piece in pieces:
        x0, y0, x1, y1 = (v * pt for v in piece.box)
        width = x1 - x0
        height = max(y1 - y0, 1.0)
        size = max(height, 4.0)
        centres = [x0 + c[1] * width for c in piece.chars]
        for k, (text, _, score) in enumerate(piece.chars):
            if text == " ":
                continue
            left = x0 if k == 0 else (centres[k - 1] + centres[k]) / 2
            right = x1 if k == len(centres) - 1 else (centres[k] + centres[k + 1]) / 2
            if k > 0 and piece.chars[k - 1][0] == " ":
                left = centres[k] - min(size / 2, centres[k] - left)
            if k < len(centres) - 1 and piece.chars[k + 1][0] == " ":
                right = centres[k] + min(size / 2, right - centres[k])
            out.append(_Char(text, left, max(right, left + 0.1), y0, y0 + height, size, score))
    return out


def _doubt_stacked_numbers(page: Any, pieces: Sequence[_Piece], pt: float) -> None:
    """A table cell holding two lines of digits that each fit its width is in doubt however sure each
    line was: a rule lost in the scan let the number of the row below in. Its confidence is capped at
    STACKED so it is listed to compare with the paper. (A number wrapped because it is too wide for its
    cell, as Word and LibreOffice print a large total, is one number.)"""
    numbers = [p for p in pieces if all(ch.isdigit() or ch in ".,-" for ch, _, _ in p.chars)]
    for grid in page.grids:
        for cell in grid.cells:
            x0, top, x1, bottom = cell.box
            inside = sorted(
                (p for p in numbers
                 if x0 <= (p.box[0] + p.box[2]) / 2 * pt <= x1 and top <= (p.box[1] + p.box[3]) / 2 * pt <= bottom),
                key=lambda p: p.box[1],
            )
            if len({round(p.box[1] * pt) for p in inside}) < 2:
                continue
            # A number too wide for its cell wraps: its lines side by side would not fit. Numbers that
            # would fit on one line are two rows' numbers.
            together = sum(p.box[2] - p.box[0] for p in inside) * pt
            if together < 0.75 * (x1 - x0):
                cell.score = min(cell.score, STACKED)


# ------------------------------------------------------------------------------------- the document


@dataclass
class _Read:
    document: ExtractedDocument
    pages: list[_PageImage]
    analysed: list[_Analysed]
    lines: list[tuple[str, float]]  # every piece of text read and its least sure character


def _extract(pages: list[_PageImage], progress: Progress | None) -> _Read:
    from reading.pdf_reader import _document, _lay_out, _Page
    from reading.pdf_rules import rules_from_segments

    done: list[_Page] = []
    analysed: list[_Analysed] = []
    lines: list[tuple[str, float]] = []
    total = len(pages)
    for index, page in enumerate(pages):
        if progress is not None:
            progress(index, total, f"正在识别第 {index + 1}/{total} 页")
        a = _analyse(page)
        analysed.append(a)
        pieces = _recognise_page(index, a)
        for piece in pieces:
            text = "".join(ch for ch, _, _ in piece.chars if ch != " ")
            lines.append((text, min(score for _, _, score in piece.chars)))
        height, width = a.grey.shape
        out = _Page(index, width * a.pt, height * a.pt)
        chars = _page_chars(pieces, a.pt)
        out.chars = len(chars)
        if chars:
            _lay_out(out, chars, rules_from_segments(a.segments))
            _doubt_stacked_numbers(out, pieces, a.pt)
        done.append(out)
    if progress is not None:
        progress(total, total, "正在整理识别结果")
    if not any(p.chars for p in done):
        raise ReportFileError(NO_TEXT)
    document = _document(done)
    document.source = "scan"
    document.places = [place.replace("行", "行（扫描件）", 1) for place in document.places]
    return _Read(document, pages, analysed, lines)


def _tokenised(document: ExtractedDocument) -> tuple[ExtractedDocument, dict[str, tuple[int, int, int]]]:
    """The document with every cell that is not a label replaced by a number of its own, to find out
    which table cell each report cell was read from (the assembly decides that by the labels)."""
    from reading.pdf_reader import _is_label

    tokens: dict[str, tuple[int, int, int]] = {}
    tables: list[ExtractedTable] = []
    for t, table in enumerate(document.tables):
        rows: list[list[str]] = []
        for r, row in enumerate(table.rows):
            out: list[str] = []
            for c, text in enumerate(row):
                if _is_label(text):
                    out.append(text)
                    continue
                token = str(7_000_001 + len(tokens))
                tokens[token] = (t, r, c)
                out.append(token)
            rows.append(out)
        tables.append(replace(table, rows=rows))
    return replace(document, tables=tables), tokens


def _cell_origins(document: ExtractedDocument) -> dict[str, tuple[int, int, int]]:
    """Report cell id -> (table, row, column) of the extracted table it was read from."""
    from reading.assembly import assemble

    tokenised, tokens = _tokenised(document)
    try:
        report = assemble(tokenised).report
    except ReportFileError:
        return {}
    origins: dict[str, tuple[int, int, int]] = {}
    for store in (report.inputs, report.printed):
        for cell_id, parsed in store.items():
            text = (parsed.text or "").strip()
            if text in tokens:
                origins[cell_id] = tokens[text]
    return origins


_ARITHMETIC = ("S3-BALANCE", "S3-ROW-TOTAL", "S3-RESULTS-TOTAL", "S4-TOTAL", "VALUE-INVALID")


def _doubtful_cells(result: ImportResult) -> list[str]:
    """Cells named by the tables' own arithmetic (and numbers that are not numbers)."""
    from core.checks import validate

    cells: list[str] = []
    for finding in validate(result.report):
        if finding.rule in _ARITHMETIC:
            cells.extend(c for c in finding.cells if c not in cells)
    return cells


def _reread(
    template: Template, read: _Read, origins: dict[str, tuple[int, int, int]], cells: Sequence[str], pdf: bytes | None
) -> tuple[dict[tuple[int, int, int], tuple[str, float]], list[str]]:
    """The cells read once more from the page at twice the resolution (a PDF rendered again, an image
    enlarged): their new text and confidence, and what the log says of each change."""
    from PIL import Image

    wanted = [(cell_id, origins[cell_id]) for cell_id in cells if cell_id in origins]
    by_page: dict[int, list[tuple[str, tuple[int, int, int], CellSource]]] = {}
    for cell_id, (t, r, c) in wanted:
        sources = read.document.tables[t].sources
        if r < len(sources) and c < len(sources[r]):
            source = sources[r][c]
            by_page.setdefault(source.page, []).append((cell_id, (t, r, c), source))
    if not by_page:
        return {}, []
    sharper: dict[int, _Analysed] = {}
    for page, _ in by_page.items():
        original = read.pages[page]
        if pdf is not None and original.pdf_index >= 0:
            _, image = next(_pdf_pages(pdf, 2 * RENDER_DPI, [original.pdf_index]))
        else:
            size = (original.image.width * 2, original.image.height * 2)
            image = original.image.resize(size, Image.Resampling.LANCZOS)
        sharper[page] = _analyse(_PageImage(image, 2 * original.dpi))
    changes: dict[tuple[int, int, int], tuple[str, float]] = {}
    notes: list[str] = []
    for page, items in by_page.items():
        a = sharper[page]
        crops: list[Image.Image] = []
        owners: list[tuple[int, int, int]] = []
        for _cell_id, origin, source in items:
            x0, top, x1, bottom = (round(v / a.pt) for v in source.box)
            lines = _text_lines(a.text_ink, x0 + 3, top + 3, x1 - 2, bottom - 2, a.pt)
            for line in lines:
                crops.append(_crop(a.clean, line))
                owners.append(origin)
        read_again = _recognizer().read(crops, [True] * len(crops)) if crops else []
        texts: dict[tuple[int, int, int], list[tuple[str, float]]] = {}
        for origin, chars in zip(owners, read_again, strict=True):
            texts.setdefault(origin, []).extend((ch, score) for ch, _, score in chars if ch != " ")
        for cell_id, origin, source in items:
            got = texts.get(origin, [])
            text = "".join(ch for ch, _ in got)
            score = min((s for _, s in got), default=0.0)
            t, r, c = origin
            before = read.document.tables[t].rows[r][c]
            if text == re.sub(r"\s", "", before):  # read the same twice: surer
                changes[origin] = (before, max(source.score, score))
            elif text and score > source.score:
                changes[origin] = (text, score)
                where = f"扫描件第 {page + 1} 页：{_place(template, cell_id)}"
                notes.append(f"{where}原读作「{before}」，放大复核后读作「{text}」，已采用")
            else:  # two readings that disagree: the cell is in doubt whatever either said
                changes[origin] = (before, min(source.score, score if text else 0.0))
    return changes, notes


def _doubt_misplaced_cells(cells: dict[str, ScanCell]) -> None:
    """A number of 三 or 四 read from a cell much wider than the table's number cells (cells that ran
    together where the scan lost the rules between them: a smudge, a fold), or from a cell that does
    not stand under its column, was placed by a guess: it is capped at STACKED and listed."""
    for section in ("s3.", "s4."):
        own = {cell_id: cell for cell_id, cell in cells.items() if cell_id.startswith(section)}
        widths = sorted(cell.box[2] - cell.box[0] for cell in own.values())
        if len(widths) < 5:
            continue
        usual = widths[len(widths) // 2]
        # Where each column's cells stand across the page (the middle of their boxes).
        columns: dict[str, list[float]] = {}
        for cell_id, cell in own.items():
            columns.setdefault(cell_id.rsplit(".", 1)[1], []).append((cell.box[0] + cell.box[2]) / 2)
        middle = {col: sorted(xs)[len(xs) // 2] for col, xs in columns.items()}
        for cell_id, cell in own.items():
            wide = cell.box[2] - cell.box[0] > 1.6 * usual
            # A number placed in a column it does not stand under (a row whose cells the scan lost
            # was read from the cells that were left).
            astray = abs((cell.box[0] + cell.box[2]) / 2 - middle[cell_id.rsplit(".", 1)[1]]) > 0.5 * usual
            if (wide or astray) and cell.score > STACKED:
                cells[cell_id] = replace(cell, score=STACKED)


FOUND_BY_PLACE = 0.8  # the confidence given a number read where its row and column cross, rules unseen


def _complete(result: ImportResult, cells: dict[str, ScanCell], read: _Read) -> None:
    """Numbers of 三 and 四 that no table cell of the scan gave (the rules around them were not seen:
    a total filling its cell darkens them) are read where their row and column cross: the row's height
    from the row's other cells, the column's width from the column's other cells. What is read goes
    into the report, listed to compare with the paper (FOUND_BY_PLACE)."""
    from core.numbers import parse_value

    report = result.report
    template = report.template
    placed = {cid: cell for cid, cell in cells.items() if cell.page >= 0 and cid[:3] in ("s3.", "s4.")}
    rows: dict[str, list[ScanCell]] = {}
    columns: dict[tuple[str, str], list[ScanCell]] = {}
    for cell_id, cell in placed.items():
        section, row, col = cell_id.split(".")
        rows.setdefault(f"{section}.{row}", []).append(cell)
        columns.setdefault((section, col), []).append(cell)

    def middle(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    for cdef in template.cells:
        if cdef.section not in ("s3", "s4") or cdef.id in cells:
            continue
        if cdef.id in (report.printed if cdef.computed else report.inputs):
            continue
        section, row, col = cdef.id.split(".")
        in_row, in_column = rows.get(f"{section}.{row}"), columns.get((section, col))
        if not in_row or not in_column:
            continue
        page = in_row[0].page
        box = (
            middle([c.box[0] for c in in_column]),
            middle([c.box[1] for c in in_row]),
            middle([c.box[2] for c in in_column]),
            middle([c.box[3] for c in in_row]),
        )
        a = read.analysed[page]
        height, width = a.grey.shape
        x0, x1 = round(box[0] * width), round(box[2] * width)
        top, bottom = round(box[1] * height), round(box[3] * height)
        lines = _text_lines(a.text_ink, x0 + 3, top + 3, x1 - 2, bottom - 2, a.pt)
        if not lines:
            continue
        got = _recognizer().read([_crop(a.clean, line) for line in lines], [True] * len(lines))
        text = "".join(ch for chars in got for ch, _, _ in chars if ch != " ")
        parsed = parse_value(text, cdef.kind)
        if not text or parsed.error is not None:
            continue
        score = min([FOUND_BY_PLACE, *(sc for chars in got for _, _, sc in chars)])
        if cdef.computed:
            report.printed[cdef.id] = parsed
        else:
            report.inputs[cdef.id] = parsed
        cells[cdef.id] = ScanCell(page, box, text, score)
        result.log.append(
            f"扫描件第 {page + 1} 页：{_place(template, cdef.id)}四周的表格线没有看清，"
            f"按所在行和列的位置读作「{text}」"
        )


def _place(template: Template, cell_id: str) -> str:
    """A cell as the clerk finds it on the paper: section, row and column."""
    from core.report import cell_label

    if not template.has_cell(cell_id):
        return cell_id
    return cell_label(template.cell(cell_id), template)


def read_scan(path: str | os.PathLike[str], progress: Progress | None = None) -> ImportResult:
    """The report a scan holds (an image-only PDF, an image, or a folder of page images), with the
    import log and where each cell was read and how surely; ReportFileError with a one-line Chinese
    reason when it cannot be read, OCR_MISSING when OCR is not installed; ReadCancelled when
    `progress` stops it."""
    error = _engine_error()
    if error is not None:
        raise ReportFileError(error)
    from PIL import Image

    from reading.assembly import assemble
    from reading.limits import bound_fields, checked_document

    started = time.perf_counter()
    source = Path(path)
    pages, pdf = _load_pages(source)
    if not pages:
        raise ReportFileError("扫描件中没有页面")
    read = _extract(pages, progress)
    document = checked_document(read.document)
    result = assemble(document)
    origins = _cell_origins(document)
    rereads: set[tuple[int, int, int]] = set()
    doubtful = _doubtful_cells(result)
    if doubtful:
        if progress is not None:
            progress(len(pages), len(pages), "正在放大复核对不上的数字")
        changes, notes = _reread(result.report.template, read, origins, doubtful, pdf)
        if changes:
            for (t, r, c), (text, score) in changes.items():
                table = document.tables[t]
                table.rows[r][c] = text
                old = table.sources[r][c]
                table.sources[r][c] = CellSource(old.page, old.box, score)
                rereads.add((t, r, c))
            result = assemble(document)
            result.log.extend(notes)
    result = bound_fields(result)
    cells: dict[str, ScanCell] = {}
    for cell_id, (t, r, c) in origins.items():
        table = document.tables[t]
        if r >= len(table.sources) or c >= len(table.sources[r]):
            continue
        src = table.sources[r][c]
        a = read.analysed[src.page]
        height, width = a.grey.shape
        x0, top, x1, bottom = src.box
        w, h = width * a.pt, height * a.pt
        box = (x0 / w, top / h, x1 / w, bottom / h)
        cells[cell_id] = ScanCell(src.page, box, table.rows[r][c], src.score, (t, r, c) in rereads)
    _doubt_misplaced_cells(cells)
    _complete(result, cells, read)
    template = result.report.template
    order = {cell.id: i for i, cell in enumerate(template.cells)}
    uncertain = sorted(
        (cell_id for cell_id, cell in cells.items() if cell.score < THRESHOLD),
        key=lambda cid: order.get(cid, len(order)),
    )
    for cell_id in uncertain:
        cell = cells[cell_id]
        shown = cell.text or "空白"
        result.log.append(
            f"扫描件第 {cell.page + 1} 页：{_place(template, cell_id)}读作「{shown}」，识别把握不大"
            f"（{cell.score:.0%}），请与纸质件核对"
        )
    # A cell of the tables that no table cell of the scan went into is blank in the report: on paper
    # it may be blank, or the scan lost it (a rule missing, a smudge). Either way it is to be compared.
    report = result.report
    unread = [
        cell.id
        for cell in template.cells
        if cell.section in ("s2", "s3", "s4")
        and cell.id not in cells
        and cell.id not in (report.printed if cell.computed else report.inputs)
    ]
    for cell_id in unread:
        cells[cell_id] = ScanCell(-1, (0.0, 0.0, 0.0, 0.0), "", 0.0)
    uncertain.extend(unread)
    for cell_id in unread:
        result.log.append(
            f"扫描件中没有读到{_place(template, cell_id)}（纸上可能是空白，也可能没有识别出来），请与纸质件核对"
        )
    title = re.sub(r"\s", "", report.title)
    unsure = [(text, score) for text, score in read.lines if len(text) >= 4 and text in title and score < THRESHOLD]
    if unsure:
        text, score = min(unsure, key=lambda item: item[1])
        result.log.append(
            f"扫描件：标题中「{text}」识别把握不大（{score:.0%}），请核对机关名称和年度"
        )
    pngs: list[bytes] = []
    for a in read.analysed:
        buffer = io.BytesIO()
        Image.fromarray(a.grey).save(buffer, format="PNG", optimize=False, compress_level=3)
        pngs.append(buffer.getvalue())
    angles = [a.angle for a in read.analysed if a.angle]
    if angles:
        result.log.insert(0, f"扫描件共 {len(pages)} 页，已纠正倾斜（最大 {max(abs(x) for x in angles):.1f}°）")
    result.scan = ScanInfo(
        pages=pngs,
        cells=cells,
        uncertain=uncertain,
        threshold=THRESHOLD,
        engine=engine_description(),
        seconds=time.perf_counter() - started,
    )
    return result


def is_scan_path(path: Path) -> bool:
    """An image file or a folder (of page images): what read_scan reads besides image-only PDFs."""
    return path.is_dir() or path.suffix.lower() in SCAN_SUFFIXES

