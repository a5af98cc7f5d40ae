"""Exporters: the report as DOCX, PDF, HTML or a report file, chosen by the target's suffix."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.report import Report
from core.reportfile import write_report_file

if TYPE_CHECKING:  # reportlab loads only for a PDF
    from exports.fonts import FontSet


@dataclass(frozen=True)
class ExportOptions:
    blank_as_zero: bool = True  # print blank input cells as 0 (an agency may choose to leave them blank)
    draft: bool = False  # 草稿 watermark
    fragment: bool = False  # HTML: only the part to paste into the portal's editor
    font_overrides: Mapping[str, str] = field(default_factory=dict)  # PDF role -> font file
    # The PDF's fonts, when the caller has found them already (to say what they lack): else found here.
    fonts: FontSet | None = None


def _docx(report: Report, path: str | os.PathLike[str], options: ExportOptions) -> None:
    from exports.docx_export import write_docx

    write_docx(report, path, blank_as_zero=options.blank_as_zero, draft=options.draft)


def _pdf(report: Report, path: str | os.PathLike[str], options: ExportOptions) -> None:
    from exports.fonts import find_fonts
    from exports.pdf_export import write_pdf

    fonts = options.fonts or find_fonts(options.font_overrides or None)
    write_pdf(report, path, blank_as_zero=options.blank_as_zero, draft=options.draft, fonts=fonts)


def _html(report: Report, path: str | os.PathLike[str], options: ExportOptions) -> None:
    from exports.html_export import write_html

    write_html(
        report, path, blank_as_zero=options.blank_as_zero, draft=options.draft, fragment=options.fragment
    )


def _json(report: Report, path: str | os.PathLike[str], options: ExportOptions) -> None:
    write_report_file(report, path)


Writer = Callable[[Report, "str | os.PathLike[str]", ExportOptions], None]
# Imports are deferred so `check` and the app's start-up do not load reportlab and python-docx.
WRITERS: dict[str, Writer] = {".docx": _docx, ".pdf": _pdf, ".html": _html, ".htm": _html, ".json": _json}
FORMAT_NAMES = {".docx": "Word 文档", ".pdf": "PDF 文档", ".html": "网页", ".htm": "网页", ".json": "报告文件"}


def export_report(report: Report, path: str | os.PathLike[str], options: ExportOptions | None = None) -> None:
    """Write the report to `path` in the format its suffix names; atomic (no half-written file).
    Raises KeyError for an unknown suffix, UserError (e.g. no font) or OSError."""
    WRITERS[Path(path).suffix.lower()](report, path, options or ExportOptions())
