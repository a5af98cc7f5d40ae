"""The OCR engine's parts (reading/scan.py) on pages drawn in the test, where the truth is known: the skew
found, the ruling lines and cells found through blur, noise, specks and grey shading, lines of text cut
apart, a table cell's number recognised, and a number misread at first corrected by the re-read at
twice the resolution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reading import scan
from reading.pdf_rules import find_tables, rules_from_segments

pytestmark = pytest.mark.needs_tool("ocr")

DPI = 200
PX = DPI / 72  # pixels per point
LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _font(size_pt: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if Path(LATIN).is_file():
        return ImageFont.truetype(LATIN, round(size_pt * PX))
    return ImageFont.load_default(round(size_pt * PX))


def _degrade(image: Image.Image, angle: float, seed: int = 1) -> Image.Image:
    """Turned, blurred, faded, noised and specked like an office scan."""
    rng = np.random.default_rng(seed)
    turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    a = np.asarray(turned.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32)
    a = a * 0.85 + 20 + rng.normal(0, 10, a.shape)
    a[rng.random(a.shape) < 0.002] = 0
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


# A table of 4 columns and 5 rows, 0.5 pt rules, the first row shaded grey like a caption row.
COLUMNS = [80, 230, 330, 430, 520]  # pt
ROWS = [300, 322, 344, 366, 388, 410]


def _table_page(shade: bool = True) -> Image.Image:
    page = Image.new("L", (round(595 * PX), round(842 * PX)), 255)
    pen = ImageDraw.Draw(page)
    if shade:
        pen.rectangle([COLUMNS[0] * PX, ROWS[0] * PX, COLUMNS[-1] * PX, ROWS[1] * PX], fill=190)
    width = max(1, round(0.5 * PX))
    for y in ROWS:
        pen.line([(COLUMNS[0] * PX, y * PX), (COLUMNS[-1] * PX, y * PX)], fill=0, width=width)
    for x in COLUMNS:
        pen.line([(x * PX, ROWS[0] * PX), (x * PX, ROWS[-1] * PX)], fill=0, width=width)
    font = _font(10.5)
    for r in range(1, len(ROWS) - 1):
        for c in range(1, len(COLUMNS) - 1):
            text = str(1000 + 37 * r + 101 * c)
            pen.text(((COLUMNS[c] + 20) * PX, (ROWS[r] + 5) * PX), text, fill=0, font=font)
    # A line of large text above the table, whose strokes must not be taken for rules.
    pen.text((120 * PX, 150 * PX), "ANNUAL REPORT 2023 ==== ----", fill=0, font=_font(22))
    return page


def _cells(page: Image.Image) -> list[list[tuple[float, float, float, float]]]:
    analysed = scan._analyse(scan._PageImage(page, DPI))
    return find_tables(rules_from_segments(analysed.segments))


@pytest.mark.parametrize("angle", [-2.5, -0.8, 0.0, 1.3, 3.0])
def test_the_skew_is_found_to_a_tenth_of_a_degree(angle: float) -> None:
    page = _degrade(_table_page(), angle)
    found = scan._deskew_angle(np.asarray(page))
    assert found == pytest.approx(-angle, abs=0.1)


@pytest.mark.parametrize("angle", [0.0, 1.7, -2.4])
def test_the_table_cells_come_from_the_ruling_lines_through_a_scans_damage(angle: float) -> None:
    (cells,) = _cells(_degrade(_table_page(), angle))
    assert len(cells) == (len(ROWS) - 1) * (len(COLUMNS) - 1)
    xs = sorted({round(c[0]) for c in cells} | {round(c[2]) for c in cells})
    ys = sorted({round(c[1]) for c in cells} | {round(c[3]) for c in cells})
    # Within 1.5 pt of where they were drawn (the page is turned back about its centre).
    assert xs == pytest.approx(COLUMNS, abs=1.5)
    assert ys == pytest.approx(ROWS, abs=1.5)


def test_grey_shading_is_not_a_rule_and_large_text_strokes_are_not_rules() -> None:
    analysed = scan._analyse(scan._PageImage(_degrade(_table_page(), 0.0), DPI))
    rules = rules_from_segments(analysed.segments)
    assert all(ROWS[0] - 2 <= r.at <= ROWS[-1] + 2 for r in rules.horizontal if r.drawn)
    assert sorted({round(r.at) for r in rules.horizontal if r.drawn}) == pytest.approx(ROWS, abs=1.5)
    assert len(rules.vertical) == len(COLUMNS)


def test_a_rule_broken_just_short_of_a_corner_is_carried_on_to_it() -> None:
    segments = [
        (80.0, 300.0, 520.0, 300.0),  # top
        (80.0, 400.0, 520.0, 400.0),  # bottom
        (80.0, 300.0, 80.0, 400.0),
        (520.0, 300.0, 520.0, 400.0),
        (300.0, 306.0, 300.0, 400.0),  # a middle rule that the scan broke 6 pt below the top
    ]
    assert sum(len(t) for t in find_tables(rules_from_segments(segments))) < 2  # the halves are lost
    (cells,) = find_tables(rules_from_segments(scan._closed(segments)))
    assert sorted(round(c[0]) for c in cells) == [80, 300]


def test_lines_of_text_are_cut_apart_and_specks_are_not_lines() -> None:
    page = Image.new("L", (1200, 400), 255)
    pen = ImageDraw.Draw(page)
    font = _font(12)
    pen.text((50, 40), "First line 123", fill=0, font=font)
    pen.text((50, 120), "Second line 456", fill=0, font=font)
    pen.text((800, 120), "apart", fill=0, font=font)  # far to the right: a piece of its own
    ink = np.asarray(page) < 128
    ink = ink.copy()
    ink[300, 600] = ink[350, 100] = True  # specks
    boxes = scan._text_lines(ink, 0, 0, 1200, 400, 72 / DPI)
    assert len(boxes) == 3
    assert [b[1] < 100 for b in boxes] == [True, False, False]


def test_a_number_in_a_cell_is_read_with_its_confidence() -> None:
    page = _degrade(_table_page(), 0.0)
    analysed = scan._analyse(scan._PageImage(page, DPI))
    pieces = scan._recognise_page(0, analysed)
    texts = {"".join(ch for ch, _, _ in p.chars) for p in pieces}
    expected = {str(1000 + 37 * r + 101 * c) for r in range(1, 5) for c in range(1, 4)}
    assert expected <= texts
    assert all(0.5 < score <= 1.0 for p in pieces for _, _, score in p.chars)


def test_a_page_without_ink_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (1240, 1754), 255).save(path)
    with pytest.raises(scan.ReportFileError) as caught:
        scan.read_scan(path)
    assert str(caught.value) == scan.NO_TEXT


@pytest.fixture(scope="module")
def table_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Page 3 of a LibreOffice-printed report (table 三), rendered at 150 dpi, turned 1.2°, degraded."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(Path(__file__).parent / "data" / "office" / "office-2021.pdf"))
    image = pdf[2].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    pdf.close()
    path = tmp_path_factory.mktemp("scan") / "page3.png"
    _degrade(image, 1.2).save(path, dpi=(150, 150))
    return path


def test_a_number_misread_at_first_is_read_again_sharper_and_corrected(
    table_page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recognizer is made to misread 1241 (三, 本年新收, 自然人) as 1247 at the page's resolution; the
    row then does not add up, the cell is read again at twice the resolution and the truth is taken."""
    original = scan._Recognizer.read
    calls: list[int] = []

    def misreading(
        self: scan._Recognizer, crops: list[Image.Image], cells: list[bool]
    ) -> list[list[tuple[str, float, float]]]:
        out = original(self, crops, cells)
        calls.append(len(crops))
        if len(calls) == 1:  # the first pass over the page
            for chars in out:
                if "".join(ch for ch, _, _ in chars) == "1241":
                    chars[-1] = ("7", chars[-1][1], 0.62)
        return out

    monkeypatch.setattr(scan._Recognizer, "read", misreading)
    result = scan.read_scan(table_page)
    assert len(calls) >= 2  # the re-read happened
    cell = "s3.new.natural"
    assert result.report.inputs[cell].number == 1241
    assert result.scan is not None and result.scan.cells[cell].reread
    assert any("1247" in line and "放大复核后读作「1241」" in line for line in result.log)


def test_every_cell_read_knows_where_it_stands_on_the_page(table_page: Path) -> None:
    result = scan.read_scan(table_page)
    info = result.scan
    assert info is not None and len(info.pages) == 1
    assert len(info.cells) >= 150  # the 三 table: 25 rows × 7 columns, less what is not printed
    page = Image.open(__import__("io").BytesIO(info.pages[0]))
    for cell_id, cell in info.cells.items():
        if cell.page == -1:  # a cell of the tables not on this page: listed to compare with the paper
            assert cell_id in info.uncertain and not cell.text
            continue
        x0, top, x1, bottom = cell.box
        assert 0 <= x0 < x1 <= 1 and 0 <= top < bottom <= 1, cell_id
        # The number read lies inside its box: the box's crop holds ink.
        crop = np.asarray(page.crop((x0 * page.width + 2, top * page.height + 2, x1 * page.width - 2,
                                     bottom * page.height - 2)))
        assert (crop < 128).any() == bool(cell.text), cell_id
    # Each uncertain cell is in the log, and the log names it by its place in the table.
    for cell_id in info.uncertain:
        assert info.cells[cell_id].score < info.threshold
    unread = [c for c in info.uncertain if info.cells[c].page == -1]
    assert sum("识别把握不大" in line for line in result.log) == len(info.uncertain) - len(unread)
    assert sum("没有读到" in line for line in result.log) == len(unread)


def test_two_numbers_stacked_in_one_cell_are_in_doubt_but_a_wrapped_number_is_not() -> None:
    """A lost rule lets the row below's number into a cell (1011 over 80: each fits the cell's width);
    a total too wide for its cell wraps (1024 over 3, side by side wider than the cell)."""
    from reading.pdf_reader import _Cell, _Grid, _Page

    pt = 72 / DPI

    def piece(text: str, x0: float, top: float, width: float) -> scan._Piece:
        box = (round(x0 / pt), round(top / pt), round((x0 + width) / pt), round((top + 8) / pt))
        return scan._Piece(0, box, [(ch, 0.5, 0.99) for ch in text])

    lost_rule = _Cell(0, 0, 1, 1, "101180", box=(100.0, 100.0, 196.0, 130.0), score=0.99)
    wrapped = _Cell(0, 1, 1, 1, "10243", box=(196.0, 100.0, 226.0, 130.0), score=0.99)
    page = _Page(0, 595, 842, grids=[_Grid(0, 100.0, [100.0, 196.0, 226.0], 1, [lost_rule, wrapped])])
    pieces = [
        piece("1011", 130, 103, 22), piece("80", 136, 116, 11),  # in the wide cell
        piece("1024", 198, 103, 26), piece("3", 208, 116, 6),  # in the narrow one
    ]
    scan._doubt_stacked_numbers(page, pieces, pt)
    assert lost_rule.score == scan.STACKED < scan.THRESHOLD
    assert wrapped.score == 0.99


def test_a_clean_150_dpi_page_with_one_pixel_rules_is_read_whole(tmp_path: Path) -> None:
    """A page rendered straight to 150 dpi draws its rules and thin strokes one pixel wide: a median
    filter wiped the rules out (22 of 146 numbers right) and strokes lined up across characters were
    taken for rules. Every number of 三 printed on the page must come out in its cell."""
    import pypdfium2 as pdfium

    from core.reportfile import read_report_file

    data = Path(__file__).parent / "data" / "office"
    pdf = pdfium.PdfDocument(str(data / "office-2021.pdf"))
    image = pdf[2].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    pdf.close()
    path = tmp_path / "page3.png"
    image.save(path, dpi=(150, 150))
    result = scan.read_scan(path)
    truth = read_report_file(data / "office-2021.json")
    on_page = [c for c in truth.template.cells if c.id.startswith("s3.") and c.id in result.report.inputs]
    assert len(on_page) >= 120  # 三 down to （六）2 is on this page
    wrong = [c.id for c in on_page if result.report.inputs[c.id].number != truth.inputs[c.id].number]
    assert wrong == []
