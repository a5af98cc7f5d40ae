"""Reading a report from any file the product understands, chosen by the file's suffix (and, for
Word files, by what their first bytes say they are: see reading/legacy_word.py)."""

from __future__ import annotations

import os
from pathlib import Path

from core.fileio import regular_file
from core.report import Report
from core.reportfile import ReportFileError, read_report_file
from reading.document import ImportResult, Progress
from reading.limits import FILE_BYTES, bound_fields, checked_document
from reading.scan import SCAN_SUFFIXES

# .doc and .wps are read when LibreOffice is installed (and refused with how to save them as .docx otherwise);
# scans (image-only PDFs and page images) when the OCR extra is installed (reading/scan.py).
READABLE_SUFFIXES: tuple[str, ...] = (".json", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm", *SCAN_SUFFIXES)


def read_with_log(path: str | os.PathLike[str], progress: Progress | None = None) -> ImportResult:
    """A report read from a file and the log of what was uncertain; ReportFileError with a one-line
    Chinese reason for a file that cannot be read. The readers load only when their format is asked for.
    A scan (an image-only PDF, a page image or a folder of them) is read by OCR, told to `progress`."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return ImportResult(read_report_file(path))
    # A folder is a scan's pages, unless it is named like a report file (then it is refused as the
    # folder it is, below).
    folder_of_pages = Path(path).is_dir() and suffix not in READABLE_SUFFIXES
    if suffix in SCAN_SUFFIXES or folder_of_pages:
        from reading.scan import read_scan

        if not folder_of_pages:
            regular_file(path, FILE_BYTES[suffix])
        return read_scan(path, progress)
    if suffix not in READABLE_SUFFIXES:
        known = "、".join(READABLE_SUFFIXES)
        raise ReportFileError(f"不支持读取「{suffix or '无扩展名'}」文件（可读取：{known}）")
    # Only a regular file of a report's size is opened: a FIFO or a device would block or never end.
    regular_file(path, FILE_BYTES[suffix])
    from reading.assembly import assemble

    notes: list[str] = []  # how a Word file was read (another format under its suffix, converted …)
    if suffix in (".docx", ".doc", ".wps"):
        from reading.legacy_word import extract_word_file

        document, notes = extract_word_file(Path(path))
    elif suffix == ".pdf":
        from reading.pdf_reader import ScannedPdf, extract_pdf

        try:
            document = extract_pdf(path)
        except ScannedPdf:
            from reading.scan import read_scan

            return read_scan(path, progress)
    else:
        from reading.html_reader import extract_report_html

        document = extract_report_html(path)
    result = assemble(checked_document(document))
    result.log[:0] = notes
    return bound_fields(result)


def read_report(path: str | os.PathLike[str]) -> Report:
    """A report read from a file; ReportFileError with a one-line Chinese reason otherwise."""
    return read_with_log(path).report
