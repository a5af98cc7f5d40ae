"""What a reader takes out of a file (paragraphs and tables in document order) and what reading gives
back (the report and its import log): the types the readers, the assembly and their callers share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.report import Report

# Told how far reading has gone: (pages done, pages in all, what is being done, in Chinese). It may
# raise ReadCancelled to stop the reading (the clerk pressed 取消).
Progress = Callable[[int, int, str], None]


class ReadCancelled(Exception):
    """Reading was stopped on request; nothing was read and nothing is stored."""


@dataclass(frozen=True)
class CellSource:
    """Where a table cell stands on its page (points, top-down) and how sure its reading is: 1 for a
    text layer, the OCR confidence of its least sure character for a scan."""

    page: int
    box: tuple[float, float, float, float]  # x0, top, x1, bottom
    score: float = 1.0


@dataclass
class ExtractedTable:
    """A table as a reader found it: rows of cell texts in reading order. A merged cell appears once,
    in the first row and column it covers (`spans` says how far it reaches, when the format knows)."""

    rows: list[list[str]]
    spans: list[list[tuple[int, int]]] = field(default_factory=list)  # (rowspan, colspan) per cell
    sources: list[list[CellSource]] = field(default_factory=list)  # per cell, when the reader knows


@dataclass
class ExtractedDocument:
    """What a reader took out of a file, in document order: paragraphs outside tables, and tables
    with the index of the paragraph they follow."""

    paragraphs: list[str]
    tables: list[ExtractedTable]
    table_positions: list[int] = field(default_factory=list)  # paragraphs before each table
    source: str = ""  # "docx", "pdf" or "html", for the log
    # Where each paragraph stands in the file, as a clerk would look for it ("第 3 页第 12 行",
    # "第 45 段"), for the import log; empty when the reader cannot say.
    places: list[str] = field(default_factory=list)

    def place(self, index: int) -> str:
        """Where paragraph `index` stands, or "" when unknown."""
        return self.places[index] if 0 <= index < len(self.places) else ""


@dataclass(frozen=True)
class ScanCell:
    """Where a report cell was read on a scanned page, and how sure the recognition was."""

    page: int  # 0-based page of ScanInfo.pages
    box: tuple[float, float, float, float]  # x0, top, x1, bottom as fractions of the page image
    text: str  # what was read (as it went into the report)
    score: float  # the recognizer's confidence, 0..1 (the least sure character of the cell)
    reread: bool = False  # read once more at a higher resolution because the table did not add up


@dataclass
class ScanInfo:
    """What a scan's preview shows: the pages as recognised (deskewed, PNG) and, for every report cell
    read from a table, where it stands and how sure the reading is."""

    pages: list[bytes]  # PNG of each page after deskewing
    cells: dict[str, ScanCell]  # report cell id -> where it was read
    uncertain: list[str]  # cell ids read below `threshold`, in template order: compare with the paper
    threshold: float
    engine: str = ""  # which recognizer read it, for the log and 关于
    seconds: float = 0.0


@dataclass
class ImportResult:
    """The report read from a file (computed cells as the file printed them, in report.printed) and
    the import log: one Chinese line per thing that was uncertain or repaired. `scan` is set when the
    file was a scan read by OCR."""

    report: Report
    log: list[str] = field(default_factory=list)
    scan: ScanInfo | None = None
