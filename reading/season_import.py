"""Reading files into a review season in this thread: the command line's and the tests' way (the window
reads in a worker and keeps the results in the GUI thread; see ui/season.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from core.fileio import ReportFileError
from core.season import AddResult, Season, file_digest, lookup_in
from reading.batch import BatchCheck, collect_files


def import_files(
    season: Season,
    sources: Iterable[Path],
    *,
    received: date | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[AddResult]:
    """Read, check and keep every report file of these files and folders, in this thread (the window does
    the reading in a worker; see ui/season.py)."""
    batch = BatchCheck(previous=lookup_in(season.previous_lookup()))
    results: list[AddResult] = []
    for path, name in collect_files(list(sources), cancelled=cancelled):
        if cancelled():
            break
        try:
            digest = file_digest(path)
        except ReportFileError as exc:
            results.append(AddResult("unreadable", f"「{name}」无法打开：{exc}"))
            continue
        check, _ = batch.add(path, name)
        results.append(
            season.add_file(
                path, check.report, check.findings, check.log, error=check.error, name=name, received=received,
                digest=digest,
            )
        )
    return results
