"""How much of anything a reader takes before refusing the file: every limit of every reader in one place,
each checked before the work it bounds, each refusal one Chinese line (ReportFileError).

The numbers come from what real reports need, with a wide margin. A real annual report is 3 to 20 pages,
100 to 400 paragraphs, four tables of at most 40 rows and 12 columns (about 1,500 cells in all), and
5,000 to 20,000 characters. As a .docx it is 30-500 KB (document.xml 100 KB-1 MB unpacked, 5,000-50,000
XML elements), as a PDF 50 KB-5 MB, as a saved web page 20 KB-2 MB. Each limit below is at least ten
times the largest real value, and each bounds what a small hostile file could otherwise make a reader do
(a 276 KB .docx unpacks to 25 million empty paragraphs; a 19 KB PDF can draw 350,000 characters)."""

from __future__ import annotations

from core.cleantext import SHORT_FIELD_CHARS, field_limit, field_name, replace_unwanted, truncated
from core.fileio import ReportFileError
from core.report import FIELD_KEYS
from core.reportfile import MAX_REPORT_FILE_BYTES
from reading.document import ExtractedDocument, ExtractedTable, ImportResult

MB = 1024 * 1024

# --- file size, by format ---------------------------------------------------------------------------
# Read before anything else: a file larger than this is refused without being opened.
FILE_BYTES: dict[str, int] = {
    ".json": MAX_REPORT_FILE_BYTES,  # 10-30 KB real; set in core.reportfile, which reads report files
    ".docx": 64 * MB,  # a report with a few scanned seals or photos is a few MB
    ".doc": 64 * MB,
    ".wps": 64 * MB,
    ".pdf": 128 * MB,  # published PDFs with embedded fonts and pictures reach 10-20 MB
    # A saved portal page is under 2 MB (its pictures are separate files); HTML_ELEMENTS bounds the time.
    ".html": 16 * MB,
    ".htm": 16 * MB,
    # A page scanned at 300 dpi in colour is 1-5 MB as JPEG, up to 25 MB as an uncompressed TIFF.
    ".jpg": 64 * MB,
    ".jpeg": 64 * MB,
    ".png": 64 * MB,
    ".tif": 128 * MB,
    ".tiff": 128 * MB,
}

# --- zip packages (.docx) ---------------------------------------------------------------------------
ZIP_ENTRIES = 2_000  # a .docx has 10-40 parts (a few hundred with many pictures)
# document.xml unpacked: 250 KB for a real report (8,000 elements), 1 MB for the largest. Checked against
# the size the archive declares before inflating and against the bytes actually inflated while reading
# (a declared size can lie).
DOCUMENT_XML_BYTES = 16 * MB
# All parts unpacked, as declared (pictures included): refuse a package that claims more. Only
# document.xml is ever inflated, so a styles bomb costs nothing; this refuses an absurd package early.
PACKAGE_UNPACKED_BYTES = 512 * MB
# XML elements in document.xml: 8,000 in a real report, 50,000 in the largest. Counted from the bytes
# before parsing, so an XML of millions of empty paragraphs (<w:p/>, 6 bytes each) is never built in
# memory; the walk over the elements costs about 6 µs each, so this also bounds the time (2-3 s).
XML_ELEMENTS = 400_000
# Element nesting: a real report nests 10-15 deep (body, table, row, cell, paragraph, run, text, with
# content controls around). libxml2 refuses more than 256 levels unless told otherwise, which keeps the
# reader's recursive walk far from Python's recursion limit.
XML_DEPTH = 256

# --- HTML -------------------------------------------------------------------------------------------
# Elements (start tags) of a web page: a portal's article page holds 2,000-3,000 besides the report, and
# a report pasted from Word wraps each of its 1,500 cells in a <td>, a <p> and a <span> or two: about
# 10,000 in all. Python's HTML parser and the walk after it take 60-130 µs per element (more on a busy
# machine), so five times that is the limit, which keeps a refusal (counted while parsing) within seconds.
HTML_ELEMENTS = 50_000

# --- PDF --------------------------------------------------------------------------------------------
PDF_PAGES = 200  # real reports: 3-20 pages; a 100,000-page file is refused from its page count alone
# Characters on one page: a dense A4 page of 10.5 pt Chinese text holds about 2,000; the official layout
# (28 × 22) 616. A 19 KB PDF can draw 11,700 characters on each of 30 pages.
PDF_PAGE_CHARS = 8_000
PDF_CHARS = 300_000  # in the whole file (real: 5,000-30,000)
# Ruled lines and rectangles on one page: a page of a ruled table has 100-400 (each cell border one or
# two). Table finding compares them pairwise, so thousands of them per page take minutes.
PDF_PAGE_RULES = 3_000

# --- what any reader extracted (checked before the tables are laid on their grids) ----------------------
PARAGRAPHS = 20_000  # real: 100-400 (a PDF's lines count one each: 20 pages × 22 lines)
TABLES = 200  # real: 4-6 (a portal page lays its frame out in tables too)
TABLE_ROWS = 2_000  # real: at most 40
TABLE_CELLS = 50_000  # all tables together; real: about 1,500
# Grid positions a table's cells cover (rowspan × colspan summed): real tables 300-500. A merge over a
# thousand rows or a colspan of a thousand would make laying out the grid take gigabytes.
TABLE_GRID = 100_000
# All text together; real: 5,000-20,000 characters. A web page's is counted while parsing (the walk
# over it costs about a second per million characters).
TEXT_CHARS = 1_000_000
CELL_CHARS = 100_000  # one paragraph or cell; real: at most a few thousand


def refuse(what: str) -> ReportFileError:
    """The refusal of a file beyond a limit: one line, saying what and that it is not a report."""
    return ReportFileError(f"{what}，超出了年度报告可能的范围，文件已损坏或不是年度报告")


def check_count(count: int, limit: int, what: str) -> None:
    """ReportFileError when `count` of `what` (e.g. "页数") passes `limit`."""
    if count > limit:
        raise refuse(f"{what}过多（{count} 个，最多 {limit} 个）")


# --- PDF --------------------------------------------------------------------------------------------


def check_pdf_pages(count: int) -> None:
    """Before reading any page: the page count the document declares."""
    if count > PDF_PAGES:
        raise refuse(f"PDF 共 {count} 页（最多 {PDF_PAGES} 页）")


def check_pdf_page(number: int, chars: int, rules: int = 0) -> None:
    """Before laying out a page (1-based `number`): its characters and its ruled lines and rectangles,
    counted from the page's objects, before lines or tables are looked for."""
    if chars > PDF_PAGE_CHARS:
        raise refuse(f"PDF 第 {number} 页有 {chars} 个字符（每页最多 {PDF_PAGE_CHARS} 个）")
    if rules > PDF_PAGE_RULES:
        raise refuse(f"PDF 第 {number} 页有 {rules} 条线条和方框（每页最多 {PDF_PAGE_RULES} 条）")


def check_pdf_total(chars: int) -> None:
    """While reading page after page: the characters read so far."""
    if chars > PDF_CHARS:
        raise refuse(f"PDF 中的字符过多（超过 {PDF_CHARS} 个）")


# --- what a reader extracted -------------------------------------------------------------------------


def _table_grid(table: ExtractedTable) -> int:
    rows = len(table.rows)
    area = 0
    for r, spans in enumerate(table.spans):
        remaining = max(1, rows - r)
        area += sum(min(max(1, rowspan), remaining) * max(1, colspan) for rowspan, colspan in spans)
    return area


def check_document(document: ExtractedDocument) -> None:
    """ReportFileError when what a reader extracted is beyond any report: too many paragraphs, tables,
    rows, cells or characters, or merged cells covering too large a grid. Checked before the tables are
    placed on their grids and matched, which costs in proportion to these."""
    if len(document.paragraphs) > PARAGRAPHS:
        raise refuse(f"文件有 {len(document.paragraphs)} 个段落（最多 {PARAGRAPHS} 个）")
    if len(document.tables) > TABLES:
        raise refuse(f"文件有 {len(document.tables)} 个表格（最多 {TABLES} 个）")
    chars = 0
    for text in document.paragraphs:
        if len(text) > CELL_CHARS:
            raise refuse(f"文件中有一段文字长达 {len(text)} 个字（最多 {CELL_CHARS} 个）")
        chars += len(text)
    cells = 0
    for number, table in enumerate(document.tables, 1):
        if len(table.rows) > TABLE_ROWS:
            raise refuse(f"第 {number} 个表格有 {len(table.rows)} 行（最多 {TABLE_ROWS} 行）")
        for row in table.rows:
            cells += len(row)
            for text in row:
                if len(text or "") > CELL_CHARS:
                    raise refuse(f"第 {number} 个表格中有一格文字长达 {len(text)} 个字（最多 {CELL_CHARS} 个）")
                chars += len(text or "")
        if cells > TABLE_CELLS:
            raise refuse(f"表格中的单元格过多（超过 {TABLE_CELLS} 个）")
        grid = _table_grid(table)
        if grid > TABLE_GRID:
            raise refuse(f"第 {number} 个表格的合并单元格过大（共占 {grid} 格，最多 {TABLE_GRID} 格）")
    if chars > TEXT_CHARS:
        raise refuse(f"文件中的文字过多（{chars} 个字，最多 {TEXT_CHARS} 个）")


# --- strings out of a reader -------------------------------------------------------------------------


def clean_document(document: ExtractedDocument) -> ExtractedDocument:
    """The document with lone surrogates replaced and control characters removed from every paragraph
    and cell (a PDF's text layer or a damaged file may carry them; no export could write them)."""
    document.paragraphs = [replace_unwanted(text) for text in document.paragraphs]
    for table in document.tables:
        table.rows = [[replace_unwanted(text or "") for text in row] for row in table.rows]
    return document


def checked_document(document: ExtractedDocument) -> ExtractedDocument:
    """What a reader extracted, within the limits (check_document) and with clean strings."""
    check_document(document)
    return clean_document(document)


def bound_fields(result: ImportResult) -> ImportResult:
    """The read report's texts cut to their limits (core.cleantext), each cut said in the import log:
    a published file's title or organ is never that long unless the reading went astray."""
    report = result.report
    if len(report.agency) > SHORT_FIELD_CHARS:
        result.log.append(f"机关名称过长（{len(report.agency)} 个字），只保留了前 {SHORT_FIELD_CHARS} 个字")
        report.agency = truncated(report.agency, SHORT_FIELD_CHARS)
    for key in FIELD_KEYS:
        text, limit = report.field(key), field_limit(key)
        if len(text) > limit:
            result.log.append(f"{field_name(key)}过长（{len(text)} 个字），只保留了前 {limit} 个字")
            report.set_field(key, truncated(text, limit))
    return result
