"""What a reader takes out of a file (paragraphs and tables in document order) and what reading gives
back (the report and its import log): the types the readers, the assembly and their callers share."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.report import Report


@dataclass
class ExtractedTable:
    """A table as a reader found it: rows of cell texts in reading order. A merged cell appears once,
    in the first row and column it covers (`spans` says how far it reaches, when the format knows)."""

    rows: list[list[str]]
    spans: list[list[tuple[int, int]]] = field(default_factory=list)  # (rowspan, colspan) per cell


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


@dataclass
class ImportResult:
    """The report read from a file (computed cells as the file printed them, in report.printed) and
    the import log: one Chinese line per thing that was uncertain or repaired."""

    report: Report
    log: list[str] = field(default_factory=list)
