"""Reading a report from any file the product understands, chosen by the file's suffix."""

from __future__ import annotations

import os
from pathlib import Path

from core.report import Report
from core.reportfile import ReportFileError, read_report_file

READABLE_SUFFIXES: tuple[str, ...] = (".json",)


def read_report(path: str | os.PathLike[str]) -> Report:
    """A report read from a file; ReportFileError with a one-line Chinese reason otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return read_report_file(path)
    known = "、".join(READABLE_SUFFIXES)
    raise ReportFileError(f"不支持读取「{suffix or '无扩展名'}」文件（可读取：{known}）")
