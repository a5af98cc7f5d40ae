"""Report files (report-json.md): read with one-line reasons for bad files, write atomically."""

from __future__ import annotations

import json
import math
import os
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from core.cleantext import field_limit, field_name, has_unwanted, unwanted_character
from core.fileio import ReportFileError as ReportFileError  # re-exported: readers raise it
from core.fileio import file_error as file_error
from core.fileio import read_regular
from core.fileio import write_atomic as write_atomic
from core.numbers import BLANK, parse_value, to_json_value
from core.report import FIELD_KEYS, TEXT_KEYS, Contact, Report, Signature
from core.template import foreign_cell_ids, load_template, template_ids

FORMAT = "gov-disclosure-annual-report"
FORMAT_VERSION = 1
KNOWN_KEYS = frozenset(
    {
        "format", "format_version", "template", "agency", "year", "title", "preamble",
        "sections", "cells", "signature", "contact",
    }
)


# A report file is 10-30 KB; one of 8 MB is not a report (and is not read into memory beyond that).
MAX_REPORT_FILE_BYTES = 8 * 1024 * 1024
# A report file nests three levels (the file, "cells", a value); unknown keys kept beside them may nest
# a little more. Deeper is a broken or hostile file (and would exhaust the stack when written back).
MAX_NESTING = 20


def _quote(value: object) -> str:
    """A file's value as quoted in a one-line message."""
    text = " ".join(str(value).split())
    return text if len(text) <= 30 else text[:30] + "…"


def _text(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ReportFileError(f"「{what}」应为文字")
    return value


def report_from_json(data: object) -> Report:
    """Build a report from a parsed report file; ReportFileError when it is not one."""
    if not isinstance(data, dict):
        raise ReportFileError("不是年度报告文件（最外层应为 JSON 对象）")
    if data.get("format") != FORMAT:
        raise ReportFileError(f"不是年度报告文件（format 应为 “{FORMAT}”）")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ReportFileError("缺少 format_version 或不是整数")
    if version > FORMAT_VERSION:
        raise ReportFileError(f"文件格式版本 {version} 比本程序支持的 {FORMAT_VERSION} 新，请升级程序")
    template_id = str(data.get("template", ""))
    if template_id not in template_ids():
        known = " 或 ".join(template_ids())
        raise ReportFileError(f"未知的格式版本 template “{_quote(data.get('template'))}”（应为 {known}）")
    agency = data.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        raise ReportFileError("缺少机关名称 agency")
    year = data.get("year")
    if isinstance(year, str) and re.fullmatch(r"[0-9]{4}", year.strip()):
        year = int(year.strip())
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        raise ReportFileError(f"年度 year “{_quote(data.get('year'))}” 不是有效年份")

    template = load_template(template_id)
    report = Report(template_id=template_id, agency=agency.strip(), year=year)
    report.title = _text(data.get("title"), "title")
    report.preamble = _text(data.get("preamble"), "preamble")

    sections = data.get("sections") or {}
    if not isinstance(sections, dict):
        raise ReportFileError("sections 应为 JSON 对象")
    for key, value in sections.items():
        if key in TEXT_KEYS:
            report.texts[key] = _text(value, f"sections.{key}")
        else:
            report.extra.setdefault("sections", {})[key] = value

    cells = data.get("cells") or {}
    if not isinstance(cells, dict):
        raise ReportFileError("cells 应为 JSON 对象")
    other_ids = foreign_cell_ids(template)
    for cell_id, value in cells.items():
        if not template.has_cell(cell_id):
            if cell_id in other_ids:
                report.foreign_cells[cell_id] = value
            else:
                report.extra.setdefault("cells", {})[cell_id] = value
            continue
        cell = template.cell(cell_id)
        if isinstance(value, (dict, list)):
            value = json_text(value)  # not a number: kept as its text, an invalid value
        if cell.computed:
            report.printed[cell_id] = parse_value(value, cell.kind)
        else:
            parsed = parse_value(value, cell.kind)
            if not parsed.is_blank:
                report.inputs[cell_id] = parsed

    signature = data.get("signature") or {}
    if isinstance(signature, dict):
        report.signature = Signature(
            organ=_text(signature.get("organ"), "signature.organ"),
            date=_text(signature.get("date"), "signature.date"),
        )
    contact = data.get("contact") or {}
    if isinstance(contact, dict):
        report.contact = Contact(
            **{k: _text(contact.get(k), f"contact.{k}") for k in ("address", "postcode", "phone", "email")}
        )
    for key, value in data.items():
        if key not in KNOWN_KEYS:
            report.extra[key] = value
    return report


def report_to_json(report: Report) -> dict[str, Any]:
    """The report as a report file; computed cells carry the sums (or what a file printed)."""
    template = report.template
    totals = report.totals()
    cells: dict[str, Any] = {}
    for cell in template.cells:
        if cell.computed:
            if cell.id in report.printed:
                cells[cell.id] = to_json_value(report.printed[cell.id], cell.kind)
            else:
                cells[cell.id] = to_json_value(parse_value(totals[cell.id], cell.kind), cell.kind)
        else:
            cells[cell.id] = to_json_value(report.inputs.get(cell.id, BLANK), cell.kind)
    cells.update(report.foreign_cells)
    cells.update(report.extra.get("cells", {}))
    sections: dict[str, Any] = {key: report.text(key) for key in TEXT_KEYS}
    sections.update(report.extra.get("sections", {}))
    out: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "template": report.template_id,
        "agency": report.agency,
        "year": report.year,
        "title": report.title,
        "preamble": report.preamble,
        "sections": sections,
        "cells": cells,
        "signature": {"organ": report.signature.organ, "date": report.signature.date},
        "contact": {
            "address": report.contact.address,
            "postcode": report.contact.postcode,
            "phone": report.contact.phone,
            "email": report.contact.email,
        },
    }
    for key, value in report.extra.items():
        if key not in ("cells", "sections"):
            out[key] = value
    return out


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON text of content read by `loads`: its numbers with a fraction or exponent (read as Decimal)
    are written back as the same JSON numbers, exactly, never through a binary float (1E+16, 0.10
    and 0.1000000000000000001 stay what they were, so a second round trip changes nothing)."""
    numbers: list[str] = []
    marker = f"@decimal-{uuid.uuid4().hex}-"  # stands in for a number until the text is made

    def swap(item: Any) -> Any:
        if isinstance(item, Decimal):
            if not item.is_finite():
                return str(item)
            numbers.append(str(item))  # a JSON number: digits, a point, an exponent E±n
            return f"{marker}{len(numbers) - 1}"
        if isinstance(item, float) and not math.isfinite(item):  # not JSON: the word `loads` reads
            return "NaN" if item != item else "Infinity" if item > 0 else "-Infinity"
        if isinstance(item, dict):
            return {k: swap(v) for k, v in item.items()}
        if isinstance(item, list):
            return [swap(v) for v in item]
        return item

    text = json.dumps(swap(value), ensure_ascii=False, indent=indent, allow_nan=False)
    if numbers:
        text = re.sub(f'"{marker}([0-9]+)"', lambda m: numbers[int(m.group(1))], text)
    return text


def dumps(report: Report) -> str:
    return json_text(report_to_json(report), indent=1) + "\n"


def _decimal(text: str) -> Decimal | str:
    """A JSON number with a fraction or exponent, exactly; one beyond what Decimal can hold (1e-99999999999999999999)
    stays its text: an invalid value in a cell, kept as the file wrote it."""
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def _check_content(data: object, *, strings: bool = True) -> None:
    """ReportFileError for content no report holds and no export could write: nesting deeper than
    MAX_NESTING, a lone surrogate or a control character in any string (keys included). The place is
    spelled out only for the string at fault: a report has hundreds of strings and most files have none."""
    stack: list[tuple[object, int, _Place]] = [(data, 1, None)]
    unwanted = has_unwanted if strings else _nothing_unwanted
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_NESTING:
            raise ReportFileError(f"文件嵌套层次过深（超过 {MAX_NESTING} 层），不是年度报告文件")
        if isinstance(item, dict):
            pairs: Iterable[tuple[str | int, object]] = item.items()
        elif isinstance(item, list):
            pairs = enumerate(item)
        else:
            continue
        for key, value in pairs:
            if isinstance(key, str) and unwanted(key):
                _check_string(key, _spelled((where, key)))
            if isinstance(value, str):
                if unwanted(value):
                    _check_string(value, _spelled((where, key)))
            elif isinstance(value, (dict, list)):
                stack.append((value, depth + 1, (where, key)))


def _check_string(text: str, where: str) -> None:
    problem = unwanted_character(text)
    if problem is not None:
        name = _quote(where.encode("utf-8", "replace").decode("utf-8"))
        raise ReportFileError(f"「{name}」的{problem}，文件可能已损坏")


def _nothing_unwanted(_text: str) -> bool:
    return False


# Where a value sits in the file, as (parent, key or index) pairs back to the top (None).
_Place = tuple["_Place", "str | int"] | None


def _spelled(place: _Place) -> str:
    """e.g. sections.s1, cells.s3.new.natural, extra.list[2]."""
    parts: list[str | int] = []
    while place is not None:
        place, key = place
        parts.append(key)
    text = ""
    for key in reversed(parts):
        text = f"{text}[{key}]" if isinstance(key, int) else (f"{text}.{key}" if text else str(key))
    return text


def _check_lengths(report: Report) -> None:
    """ReportFileError for a text longer than any report's (the title, for one, must fit a DOCX's
    core properties)."""
    texts = {"agency": report.agency, **{key: report.field(key) for key in FIELD_KEYS}}
    for key, text in texts.items():
        limit = field_limit(key)
        if len(text) > limit:
            raise ReportFileError(f"{field_name(key)}过长（{len(text)} 个字，最多 {limit} 个字），不像是年度报告")


def loads(text: str) -> Report:
    try:
        # NaN and Infinity are not JSON (json.dumps writes them nonetheless): read as the words,
        # an invalid value in a cell, and written back as text a JSON reader accepts.
        data = json.loads(text, parse_float=_decimal, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise ReportFileError(f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）") from None
    except RecursionError:
        raise ReportFileError("不是有效的 JSON（嵌套过深）") from None
    except ValueError:  # e.g. an integer literal beyond Python's digit limit
        raise ReportFileError("不是有效的年度报告文件（含有过长的数字）") from None
    # A string can hold an unwanted character only if the text has it raw or as a \u escape (JSON
    # refuses raw characters below U+0020): a clean text needs only its nesting checked.
    _check_content(data, strings=has_unwanted(text) or "\\u" in text)
    report = report_from_json(data)
    _check_lengths(report)
    return report


def read_report_file(path: str | os.PathLike[str]) -> Report:
    """Read a report file; ReportFileError with a one-line reason for anything unreadable."""
    raw = read_regular(path, MAX_REPORT_FILE_BYTES)
    if not raw.strip():
        raise ReportFileError("文件是空的")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportFileError("不是 UTF-8 编码的 JSON 文本文件") from None
    return loads(text)


def write_report_file(report: Report, path: str | os.PathLike[str]) -> None:
    write_atomic(path, dumps(report).encode("utf-8"))
