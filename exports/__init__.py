"""Exporters: the report as DOCX, PDF, HTML or a report file, chosen by the target's suffix."""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.cleantext import SHORT_FIELD_CHARS, field_limit, replace_unwanted, truncated
from core.errors import UserError
from core.numbers import Parsed
from core.report import FIELD_KEYS, Report, cell_label
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


# Formats that publish the report (a report file keeps every value as it is, invalid ones included).
PUBLISHED = frozenset({".docx", ".pdf", ".html", ".htm"})
NAMED_CELLS = 5  # invalid cells named in the refusal; more are counted


class InvalidValuesRefused(UserError):
    """An official export of a report whose cells hold what is not a number (VALUE-INVALID)."""


def invalid_cells(report: Report) -> list[str]:
    """The cells (as printed: section, row and column) whose content is not a valid number: the
    VALUE-INVALID findings of core.checks, input cells and what a file printed in a total alike."""
    template = report.template
    found: list[str] = []
    for cell in template.cells:
        parsed = report.printed.get(cell.id) if cell.computed else report.inputs.get(cell.id)
        if parsed is not None and parsed.error is not None:
            text = " ".join(replace_unwanted(parsed.text or "").split())
            shown = text if len(text) <= 20 else text[:20] + "…"
            found.append(f"{cell_label(cell, template)}「{shown}」")
    return found


def check_publishable(report: Report, suffix: str, options: ExportOptions) -> None:
    """InvalidValuesRefused for an official (not draft) DOCX, PDF or HTML of a report with invalid
    cell values: what the report's own checks call invalid is not published. A draft may print them."""
    if options.draft or suffix not in PUBLISHED:
        return
    cells = invalid_cells(report)
    if cells:
        named = "、".join(cells[:NAMED_CELLS])
        more = f"等 {len(cells)} 个单元格" if len(cells) > NAMED_CELLS else ""
        raise InvalidValuesRefused(
            f"{named}{more}不是有效的数字（VALUE-INVALID），不能正式导出；请改正后再导出，或加草稿水印导出"
        )


def _clean_value(parsed: Parsed) -> Parsed:
    if parsed.text is None:
        return parsed
    return dataclasses.replace(parsed, text=replace_unwanted(parsed.text))


def exportable(report: Report) -> Report:
    """A copy of the report whose texts every format can hold: no lone surrogate or control character,
    no text beyond its limit (a DOCX's title holds 255 characters). Texts are checked where they enter
    (core.cleantext); this keeps an export of a report stored before those checks from failing."""
    out = copy.copy(report)
    out.texts = dict(report.texts)
    out.contact = dataclasses.replace(report.contact)
    out.signature = dataclasses.replace(report.signature)
    out.agency = truncated(replace_unwanted(report.agency), SHORT_FIELD_CHARS)
    for key in FIELD_KEYS:
        out.set_field(key, truncated(replace_unwanted(report.field(key)), field_limit(key)))
    out.inputs = {cell_id: _clean_value(p) for cell_id, p in report.inputs.items()}
    out.printed = {cell_id: _clean_value(p) for cell_id, p in report.printed.items()}
    return out


def export_report(report: Report, path: str | os.PathLike[str], options: ExportOptions | None = None) -> None:
    """Write the report to `path` in the format its suffix names; atomic (no half-written file).
    Raises KeyError for an unknown suffix, UserError (invalid values in an official export, a target
    that must not be replaced, no font) or OSError."""
    suffix = Path(path).suffix.lower()
    writer = WRITERS[suffix]
    options = options or ExportOptions()
    check_publishable(report, suffix, options)
    writer(exportable(report), path, options)
