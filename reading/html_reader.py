"""Reading a report page saved from a government portal (or our own HTML export) into paragraphs and tables."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

from core.fileio import ReportFileError, read_regular
from reading import limits
from reading.document import ExtractedDocument, ExtractedTable

# A saved report page is well under a few megabytes (images are saved beside it); beyond this a
# file is not a report page, and parsing it would only keep the clerk waiting.
TRUNCATED = "网页文件不完整（结尾缺失，可能在下载或保存时被截断）"

# Labels browsers treat as GBK; Python's GB18030 decoder reads all of them (it is their superset).
_GB_LABELS = frozenset(
    {
        "gb2312", "gbk", "x-gbk", "gb18030", "chinese", "csgb2312", "iso-ir-58", "gb_2312", "gb_2312-80",
        "cp936", "ms936", "windows-936", "euc-cn", "euccn",
    }
)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "这是 PDF 文件，不是网页（请把扩展名改为 .pdf 再读取）"),
    (b"PK\x03\x04", "这是 ZIP 压缩文件（可能是 DOCX），不是网页"),
    (b"\xd0\xcf\x11\xe0", "这是 Word 97-2003 文档（.doc）等 Office 旧格式文件，不是网页（请另存为 .docx）"),
    (b"\x89PNG", "这是 PNG 图片，不是网页"),
    (b"\xff\xd8\xff", "这是 JPEG 图片，不是网页"),
    (b"GIF8", "这是 GIF 图片，不是网页"),
    (b"{\\rtf", "这是 RTF 文档，不是网页（请在 Word 中另存为 .docx）"),
)
_MHT = re.compile(rb"^\s*(?:From:[^\n]*\n\s*)?MIME-Version\s*:", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9:-]*[\s/>]")
_COMMENT_CLOSE = re.compile(r"--\s*>")  # as html.parser ends a comment
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

START, END, TEXT = 0, 1, 2
Event = tuple[int, str, Mapping[str, str]]
NO_ATTRS: Mapping[str, str] = {}
KEPT_ATTRS = frozenset({"rowspan", "colspan", "style", "hidden", "height"})

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# Elements whose end tag may be left out: a hidden one cannot be skipped up to its end tag.
OPTIONAL_END = frozenset(
    {"p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody", "tfoot", "option", "optgroup", "colgroup", "caption",
     "rb", "rt", "rp", "html", "head", "body"}
)
CDATA = frozenset({"script", "style"})
# Content a reader of the page never sees as text (menus of a <select>, fallbacks, scripts).
SKIPPED = frozenset(
    {"script", "style", "template", "title", "noscript", "select", "textarea", "svg", "math", "iframe", "object"}
)
HEAD_CONTENT = frozenset({"meta", "link", "title", "style", "script", "base", "noscript", "template", "object"})
# Elements that begin a new line of text (a paragraph outside tables, a line inside a cell).
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details", "dialog",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)
# Elements that enclose a part of the page (a menu, a sidebar, the article, a cell of a layout table):
# each paragraph and table remembers the chain of them it sits in, so that the report's own body can be
# told from the site around it (see report_body).
PARTS = frozenset(
    {
        "html", "body", "div", "table", "td", "th", "article", "section", "main", "aside", "nav", "header",
        "footer", "center", "form", "blockquote", "ul", "ol", "dl",
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_SPAN = re.compile(r"\s*([0-9]+)")
MAX_COLSPAN = 1000  # the limits browsers apply
MAX_ROWSPAN = 65534
# A table cell holding this much text over several lines is a page box around the report's text,
# never a cell of the report's tables.
BOX_CELL_CHARS = 300
BOX_CELL_LINES = 3

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0e-\x1f\x7f]")
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")  # the white space of HTML source; &nbsp; is not among it
_WHITESPACE = re.compile(r"\s+")
_NOT_SHOWN = re.compile(r"[\s\u00ad\u200b-\u200d\u2060\ufeff]+")  # white space, &nbsp; and invisible characters


def _wide(char: str) -> bool:
    return ord(char) >= 0x2E80


def normalise(text: str) -> str:
    """Text as a browser shows it on one line: runs of white space and &nbsp; become one space; a line
    break of the source next to a Chinese character disappears (Chinese puts no space there)."""
    text = _INVISIBLE.sub("", text)

    def join(match: re.Match[str]) -> str:
        if "\n" in match.group() or "\r" in match.group():
            before = text[match.start() - 1] if match.start() > 0 else ""
            after = text[match.end()] if match.end() < len(text) else ""
            if before and after and (_wide(before) or _wide(after)):
                return ""
        return " "

    text = _COLLAPSIBLE.sub(join, text)
    return _WHITESPACE.sub(" ", text).strip()


# --- bytes to text ------------------------------------------------------------------------------


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    return read_regular(path, limits.FILE_BYTES[".html"])


def _declared_encoding(raw: bytes) -> str | None:
    """The encoding a <meta charset> or http-equiv Content-Type names, when it can hold Chinese text."""
    match = _META_CHARSET.search(raw[:65536])
    if match is None:
        return None
    label = match.group(1).decode("ascii", "replace").strip().lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):  # a page that could name itself this way is ASCII-compatible
        return None
    try:
        "中文".encode(name)
    except (UnicodeError, LookupError):
        # A Western code page (often a misconfigured server's) cannot hold a Chinese report.
        return None
    return name


def decode(raw: bytes) -> str:
    """The file's text: a byte order mark decides; otherwise UTF-8, then the declared encoding, then
    GB18030 (GBK and GB2312 pages). UTF-8 goes first because a page whose bytes are valid UTF-8 is
    UTF-8 whatever its <meta> says (templates copied between sites keep a stale charset), while GBK
    Chinese text is practically never valid UTF-8."""
    if not raw.strip():
        raise ReportFileError("文件是空的")
    for magic, reason in _MAGIC:
        if raw.startswith(magic):
            raise ReportFileError(reason)
    if _MHT.match(raw[:1024]):
        raise ReportFileError("这是 MHT 网页存档，不是 HTML 网页（请在浏览器中打开后另存为“网页，仅 HTML”）")
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, codec in boms:
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                if exc.start >= len(raw) - 3 and ("end of data" in exc.reason or "truncated" in exc.reason):
                    raise ReportFileError(TRUNCATED) from None
                raise ReportFileError("网页的文字编码有误（与文件开头的编码标记不符）") from None
    if b"\x00" in raw:
        raise ReportFileError("不是网页文件（含有二进制数据）")
    candidates = ["utf-8"]
    declared = _declared_encoding(raw)
    if declared is not None and declared not in candidates:
        candidates.append(declared)
    if "gb18030" not in candidates:
        candidates.append("gb18030")
    for codec in candidates:
        try:
            return raw.decode(codec)
        except UnicodeDecodeError as exc:
            # Valid up to a character cut in half at the very end: the file was cut off.
            if exc.start >= len(raw) - 3 and ("end of data" in exc.reason or "incomplete" in exc.reason):
                raise ReportFileError(TRUNCATED) from None
    raise ReportFileError("无法识别网页的文字编码（既不是 UTF-8，也不是 GBK/GB18030），或者不是网页文件")


# --- HTML to events (first pass) ----------------------------------------------------------------


class _Recorder(HTMLParser):
    """Records the page as a flat list of events and marks the tables that contain other tables
    (a page's layout tables), which the walk must know when a table begins."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []
        self.layout_tables: set[int] = set()
        self.open_tables: list[int] = []
        self.table_count = 0
        self.page_started = False  # <html> or <body>
        self.page_ended = False  # </html> or </body>
        self.open_cdata: str | None = None
        self.open_divs = 0
        self.unclosed_comment = False
        self.elements = 0
        self.chars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if self.elements > limits.HTML_ELEMENTS:  # refused while parsing: each element costs the walk too
            raise limits.refuse(f"网页中的元素超过 {limits.HTML_ELEMENTS} 个")
        kept: dict[str, str] = {}
        for name, value in attrs:
            if name in KEPT_ATTRS and name not in kept:  # the first of repeated attributes counts
                kept[name] = value or ""
        self.events.append((START, tag, kept or NO_ATTRS))
        if tag == "table":
            if self.open_tables:
                self.layout_tables.add(self.open_tables[-1])
            self.open_tables.append(self.table_count)
            self.table_count += 1
        elif tag in ("html", "body"):
            self.page_started = True
        elif tag in CDATA:
            self.open_cdata = tag
        elif tag == "div":
            self.open_divs += 1

    def handle_endtag(self, tag: str) -> None:
        self.events.append((END, tag, NO_ATTRS))
        if tag == "table":
            if self.open_tables:
                self.open_tables.pop()
        elif tag in ("html", "body"):
            self.page_ended = True
        elif tag == self.open_cdata:
            self.open_cdata = None
        elif tag == "div":
            self.open_divs -= 1

    def handle_data(self, data: str) -> None:
        if self.open_cdata is None:  # the page's text, not a script's or a style sheet's
            self.chars += len(data)
            if self.chars > limits.TEXT_CHARS:
                raise limits.refuse(f"网页中的文字超过 {limits.TEXT_CHARS} 个字")
        self.events.append((TEXT, data, NO_ATTRS))

    def parse_comment(self, i: int, report: bool = True) -> int:
        """A comment that is never closed runs to the end of the file, as in a browser (html.parser
        would search the rest of the file again from every "<!--" after it)."""
        end = _COMMENT_CLOSE.search(self.rawdata, i + 4)
        if end is None:
            self.unclosed_comment = True
            return len(self.rawdata)
        return end.end()

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """Browsers end "<![…" at the first ">" (Word's <![if …]> and <![endif]> among them), while
        html.parser raises on an unknown keyword and searches the rest of the file for "]]>"."""
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    def truncated(self, text: str) -> bool:
        """Whether the page ends before its structure does. A page that reached </body> or </html> is
        complete, whatever markup errors it has; otherwise an open table, script or page, or a last
        character that is not the end of a tag, means the file was cut off."""
        if self.page_ended:
            return False
        if self.page_started or self.unclosed_comment or self.open_cdata is not None:
            return True
        if self.open_tables or self.open_divs > 0:
            return True
        return not text.rstrip().endswith(">")


# --- events to paragraphs and tables (second pass) ----------------------------------------------


@dataclass
class _Cell:
    rowspan: int
    colspan: int
    lines: list[str] = field(default_factory=list)
    links: list[bool] = field(default_factory=list)  # per line: all its text is link text

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Row:
    attrs: Mapping[str, str]
    cells: list[_Cell] = field(default_factory=list)

    @property
    def hidden_spacer(self) -> bool:
        """Word's "save as web page" ends a table with an invisible row of empty cells that only fixes
        column widths (<tr height=0>); it is not part of the table."""
        hidden = self.attrs.get("height", "").strip() == "0" or bool(_HIDDEN_STYLE.search(self.attrs.get("style", "")))
        return hidden and not any(c.lines for c in self.cells)


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute read as browsers read it: leading digits ("2 ", "2px" → 2),
    anything else → 1. A rowspan of 0 (to the end of the table) stays 0 for the caller."""
    if value is None:
        return 1
    match = _SPAN.match(value)
    if match is None:
        return 1
    return min(int(match.group(1)[:7]), limit)


def _hidden(tag: str, attrs: Mapping[str, str]) -> bool:
    if tag in VOID or tag in OPTIONAL_END:
        return False
    return "hidden" in attrs or bool(_HIDDEN_STYLE.search(attrs.get("style", "")))


class _Walker:
    """Turns the events into paragraphs (text outside data tables, layout tables included) and data
    tables (tables that contain no other table), iteratively, so nesting depth does not matter."""

    def __init__(self, layout_tables: set[int], *, lenient: bool) -> None:
        self.layout_tables = layout_tables
        # Lenient: skip only scripts and styles, for a page that leaves a skipped element open.
        self.skipped = CDATA if lenient else SKIPPED
        self.skip_hidden = not lenient
        self.paragraphs: list[str] = []
        self.tables: list[ExtractedTable] = []
        self.positions: list[int] = []
        self.buffer: list[str] = []
        self.table_count = 0
        self.open_tables: list[tuple[int, bool]] = []  # ordinal, is the data table being read
        self.rows: list[_Row] | None = None  # the data table being read
        self.row: _Row | None = None
        self.cell: _Cell | None = None
        self.skip: str | None = None
        self.skip_depth = 0
        self.in_head = False
        self.pre = 0
        # Where each paragraph and table stands (the parts of the page around it) and which paragraphs
        # are nothing but link text (menus, related links, other years' reports), give or take the
        # dates, numbers and marks around the links.
        self.parts: list[tuple[str, int]] = []  # the open PARTS elements: tag, ordinal
        self.part_count = 0
        self.paragraph_parts: list[tuple[int, ...]] = []
        self.paragraph_links: list[bool] = []
        self.table_parts: list[tuple[int, ...]] = []
        self.table_links: list[bool] = []  # a table of nothing but links (a grid of services, a menu)
        self.rows_parts: tuple[int, ...] = ()  # of the data table being read
        self.link_depth = 0
        self.link_chars = 0
        self.plain_chars = 0

    def run(self, events: list[Event]) -> None:
        for kind, value, attrs in events:
            if kind == TEXT:
                self.text(value)
            elif kind == START:
                self.start(value, attrs)
            else:
                self.end(value)
        self.flush()
        if self.rows is not None:  # a page that ended inside a table it never closed
            self.finish_table()

    @property
    def unfinished_skip(self) -> bool:
        return self.skip is not None and self.skip not in CDATA

    # text

    def text(self, data: str) -> None:
        if self.skip is not None or self.in_head:
            return
        if self.link_depth:
            self.link_chars += len(_NOT_SHOWN.sub("", data))
        else:
            # Only words count against a line of links: "·", "|", 【】 and a date beside a link do not.
            self.plain_chars += sum(1 for char in data if char.isalpha())
        if self.pre and "\n" in data:
            *lines, last = data.split("\n")
            for line in lines:
                self.buffer.append(line)
                self.flush()
            self.buffer.append(last)
        else:
            self.buffer.append(data)

    def flush(self) -> None:
        """End the current line: a paragraph, or a line of the open cell."""
        if not self.buffer:
            return
        line = normalise("".join(self.buffer))
        self.buffer.clear()
        link_only = self.plain_chars == 0 and self.link_chars > 0
        self.link_chars = self.plain_chars = 0
        if not line:
            return
        if self.cell is not None:
            self.cell.lines.append(line)
            self.cell.links.append(link_only)
        else:
            self.paragraphs.append(line)
            self.paragraph_parts.append(self.ancestry())
            self.paragraph_links.append(link_only)

    # parts of the page

    def ancestry(self) -> tuple[int, ...]:
        return tuple(ordinal for _, ordinal in self.parts)

    def open_part(self, tag: str) -> None:
        if tag in ("td", "th", "tr"):
            self.close_parts_to_table()  # a new cell or row ends the previous cell, as in a browser
        if tag in PARTS:
            self.flush()
            self.parts.append((tag, self.part_count))
            self.part_count += 1

    def close_part(self, tag: str) -> None:
        if tag == "tr":
            self.close_parts_to_table()
        if tag not in PARTS:
            return
        self.flush()
        # The innermost open element of that name; an end tag does not reach out of a table it is
        # not in (a stray </div> in a cell does not close the page's <div>), and one without a start
        # tag is ignored, as browsers do.
        for i in range(len(self.parts) - 1, -1, -1):
            name = self.parts[i][0]
            if name == tag:
                del self.parts[i:]
                return
            if name == "table":
                return

    def close_parts_to_table(self) -> None:
        for i in range(len(self.parts) - 1, -1, -1):
            if self.parts[i][0] == "table":
                del self.parts[i + 1 :]
                return

    # tags

    def start(self, tag: str, attrs: Mapping[str, str]) -> None:
        ordinal = -1
        if tag == "table":  # counted everywhere, as the first pass counted them
            ordinal = self.table_count
            self.table_count += 1
        if self.skip is not None:
            if tag == self.skip:
                self.skip_depth += 1
            return
        if self.in_head:
            if tag != "body" and tag in HEAD_CONTENT:
                return
            self.in_head = False
        if tag == "head":
            self.in_head = True
            return
        if tag in self.skipped or (self.skip_hidden and _hidden(tag, attrs)):
            self.flush()
            self.skip, self.skip_depth = tag, 1
            return
        if tag == "a":
            self.link_depth += 1
        if tag == "table":
            self.flush()
            is_data = ordinal not in self.layout_tables and self.rows is None
            if is_data:
                self.rows = []
                self.rows_parts = self.ancestry()
            self.open_tables.append((ordinal, is_data))
            self.open_part(tag)
            return
        self.open_part(tag)
        if self.rows is not None:
            if tag in ("td", "th"):
                self.flush()
                self.close_cell()
                if self.row is None:
                    self.row = _Row(NO_ATTRS)
                rowspan = _span(attrs.get("rowspan"), MAX_ROWSPAN)
                self.cell = _Cell(rowspan, max(1, _span(attrs.get("colspan"), MAX_COLSPAN)))
                return
            if tag == "tr":
                self.flush()
                self.close_row()
                self.row = _Row(attrs)
                return
        if tag == "pre":
            self.pre += 1
        if tag in BLOCKS:
            self.flush()

    def end(self, tag: str) -> None:
        if self.skip is not None:
            if tag == self.skip:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip = None
            return
        if self.in_head:
            if tag == "head":
                self.in_head = False
            return
        if tag == "a" and self.link_depth:
            self.link_depth -= 1
        self.close_part(tag)
        if tag == "table":
            self.flush()
            if self.open_tables:
                _, is_data = self.open_tables.pop()
                if is_data:
                    self.finish_table()
            return
        if self.rows is not None:
            if tag in ("td", "th"):
                self.flush()
                self.close_cell()
                return
            if tag == "tr":
                self.flush()
                self.close_row()
                return
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag in BLOCKS:
            self.flush()

    # data tables

    def close_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.cells.append(self.cell)
        self.cell = None

    def close_row(self) -> None:
        self.close_cell()
        if self.row is not None and self.rows is not None:
            self.rows.append(self.row)
        self.row = None

    def finish_table(self) -> None:
        self.close_row()
        rows = [r for r in self.rows or [] if not r.hidden_spacer]
        self.rows = None
        if not any(c.lines for r in rows for c in r.cells):
            return  # a spacer or an empty frame: nothing to read
        width = max(sum(c.colspan for c in r.cells) for r in rows)
        boxed = any(
            len(c.lines) >= BOX_CELL_LINES and len(c.text) >= BOX_CELL_CHARS for r in rows for c in r.cells
        )
        if width <= 1 or boxed:
            # A one-column table or a box around body text frames the page: its text is paragraphs.
            for cell in (c for r in rows for c in r.cells):
                self.paragraphs.extend(cell.lines)
                self.paragraph_parts.extend([self.rows_parts] * len(cell.lines))
                self.paragraph_links.extend(cell.links)
            return
        spans: list[list[tuple[int, int]]] = []
        for i, r in enumerate(rows):
            remaining = len(rows) - i  # a rowspan reaches no further than the table (0: to its end)
            spans.append([(remaining if c.rowspan == 0 else min(c.rowspan, remaining), c.colspan) for c in r.cells])
        self.tables.append(ExtractedTable(rows=[[c.text for c in r.cells] for r in rows], spans=spans))
        self.positions.append(len(self.paragraphs))
        self.table_parts.append(self.rows_parts)
        self.table_links.append(all(flag for r in rows for c in r.cells for flag in c.links))


# --- the reader ---------------------------------------------------------------------------------


def _parseable(text: str) -> str:
    """The text with every "<" after the last ">" escaped: it begins no tag, and html.parser would
    otherwise search the rest of the file again for each of them (quadratic time on junk)."""
    last_gt = text.rfind(">")
    return text[: last_gt + 1] + text[last_gt + 1 :].replace("<", "&lt;")


def extract_html(path: str | os.PathLike[str]) -> ExtractedDocument:
    """Paragraphs and tables of an HTML page, the whole page (menus and footers too); ReportFileError
    with a one-line Chinese reason for a file that is not a readable page."""
    return _read_page(path)[0]


def extract_report_html(path: str | os.PathLike[str]) -> ExtractedDocument:
    """The paragraphs and tables of the report on an HTML page: its own body (see report_body), without
    the portal's navigation, information bars and footers. Decides nothing else about the report:
    reading.assembly.assemble does."""
    document, parts = _read_page(path)
    return report_body(document, parts)


def _read_page(path: str | os.PathLike[str]) -> tuple[ExtractedDocument, PageParts]:
    text = decode(_read_bytes(path))
    if not text.strip():
        raise ReportFileError("文件是空的")
    if not _TAG.search(text):
        raise ReportFileError("不是网页文件（其中没有 HTML 标签）")
    if len(_CONTROL.findall(text)) > max(8, len(text) // 1000):
        raise ReportFileError("不是网页文件（含有大量控制字符，像是二进制数据）")
    text = _parseable(text)
    try:
        recorder = _Recorder()
        recorder.feed(text)
        recorder.close()
    except ReportFileError:  # a limit met while parsing (reading/limits.py)
        raise
    except (RecursionError, MemoryError):
        raise ReportFileError("网页结构过于复杂，无法读取") from None
    except Exception:  # html.parser has no error type of its own (AssertionError on some bad markup)
        raise ReportFileError("网页格式有误，无法解析") from None
    if recorder.truncated(text):
        raise ReportFileError(TRUNCATED)
    try:
        walker = _Walker(recorder.layout_tables, lenient=False)
        walker.run(recorder.events)
        if walker.unfinished_skip:
            # An element the walk skips (a hidden box, a <select>…) left open would hide the rest of
            # the page: read it again skipping only scripts and styles.
            walker = _Walker(recorder.layout_tables, lenient=True)
            walker.run(recorder.events)
    except (RecursionError, MemoryError):
        raise ReportFileError("网页结构过于复杂，无法读取") from None
    if not walker.paragraphs and not walker.tables:
        raise ReportFileError("网页中没有文字内容")
    document = ExtractedDocument(
        paragraphs=walker.paragraphs,
        tables=walker.tables,
        table_positions=walker.positions,
        source="html",
        places=[f"第 {i} 段" for i in range(1, len(walker.paragraphs) + 1)],  # for the import log
    )
    return document, PageParts(walker.paragraph_parts, walker.paragraph_links, walker.table_parts, walker.table_links)


# --- the report's own body ----------------------------------------------------------------------
# A report page saved from a portal is mostly portal: menus, the breadcrumb, an information table
# (索引号…), a "发布时间…浏览次数" bar, share and print buttons, lists of related links (other years'
# reports among them) and a footer. The report itself is the title followed by its headings 一 to 六 and
# its tables, all inside one part of the page (the editor's <div>, or a cell of a layout table).


@dataclass(frozen=True)
class PageParts:
    """Where each paragraph and table of a page stands: the ordinals of the PARTS elements it sits in,
    outermost first; and which paragraphs and tables are nothing but link text."""

    paragraphs: list[tuple[int, ...]]
    links: list[bool]
    tables: list[tuple[int, ...]]
    table_links: list[bool]


_ORDINAL_HEADING = re.compile(r"^([一二三四五六])\s*[、.．，,]\s*(.{0,24})")
_HEADING_WORDS: dict[str, tuple[str, ...]] = {
    "一": ("总体情况",),
    "二": ("主动公开",),
    "三": ("收到和处理", "依申请"),
    "四": ("行政复议", "行政诉讼"),
    "五": ("存在的主要问题", "存在问题", "主要问题", "改进情况"),
    "六": ("其他需要报告", "其他事项"),
}
# Words only the report's own tables hold (a portal's information table holds none of them).
_TABLE_WORDS = ("信息内容", "本年新收", "申请人情况", "行政复议", "行政诉讼", "予以公开", "行政许可", "规范性文件")
_YEAR_IN_TITLE = re.compile(r"(?:19|20)[0-9]{2}|[〇零○一二][〇零○一二三四五六七八九]{3}")
_TITLE_END = re.compile(r"(?:政府信息|政务)公开.{0,12}?(?:报告|年报)(?:[(（][^()（）]{0,12}[)）])?$")
_TRAIL = re.compile(r"(?:(?:19|20)[0-9]{2}|[〇零○一二][〇零○一二三四五六七八九]{3})年")
_DATE_LINE = re.compile(
    r"^(?:(?:19|20)[0-9]{2}|[〇零○一二][〇零○一二三四五六七八九]{3})年[0-9一二三四五六七八九十]{1,3}月"
    r"[0-9一二三四五六七八九十]{1,3}日$"
)
_AFTER_DATE = re.compile(r"^[(（][^()（）]{1,30}[)）]$")  # （此件公开发布）, （联系人：…）
_CRUMB = re.compile(r"[>＞»›→]")
# Lines of the portal around the report: position, information bar, buttons, related links, footer.
_PORTAL_START = re.compile(
    r"^[【\[]?\s*(?:当前位置|您当前的位置|您现在的位置|您的位置|所在位置|现在的位置|首页\s*[>＞»›/]|"
    r"发布时间|发布日期|发文日期|更新时间|信息来源|文章来源|来源[:：]|作者[:：]|责任编辑|编辑[:：]|"
    r"浏览次数|浏览量|阅读次数|阅读量|访问次数|点击数|点击量|点击率|字号|字体|打印|关闭|分享到|分享[:：]|"
    r"扫一扫|网站标识码|主办单位|承办单位|协办单位|主办[:：]|承办[:：]|版权所有|Copyright|技术支持|联系我们|"
    r"网站地图|索引号|主题分类|发布机构|相关链接|相关文章|相关阅读|相关信息|相关附件|上一篇|下一篇|"
    r"政府网站找错|我要纠错|网站纠错|无障碍|适老化|返回顶部|加入收藏|设为首页)",
    re.IGNORECASE,
)
_PORTAL_ANYWHERE = re.compile(
    r"ICP备|公网安备|网站标识码|浏览次数|阅读次数|访问次数|[【\[]\s*(?:打印|关闭|返回)|分享到|发布时间[:：]"
)
PORTAL_LINE_CHARS = 160  # longer lines are the report's prose, whatever words they begin with


def _compact(text: str) -> str:
    return _NOT_SHOWN.sub("", text)


def _heading(text: str) -> str | None:
    """The ordinal of a heading 一 to 六 of the report ("三、收到和处理政府信息公开申请情况"), else None."""
    m = _ORDINAL_HEADING.match(_compact(text))
    if m and any(word in m.group(2) for word in _HEADING_WORDS[m.group(1)]):
        return m.group(1)
    return None


def _portal_line(text: str) -> bool:
    return len(text) <= PORTAL_LINE_CHARS and bool(_PORTAL_START.match(text) or _PORTAL_ANYWHERE.search(text))


def _title_line(text: str) -> bool:
    """Whether a paragraph reads as the report's title: "…<YYYY>年…政府信息公开工作年度报告", not a
    breadcrumb or a portal line that ends with it."""
    compact = _compact(text)
    return (
        len(compact) <= 80
        and bool(_TITLE_END.search(compact))
        and bool(_YEAR_IN_TITLE.search(compact))
        and not _CRUMB.search(compact)
        and not _portal_line(compact)
    )


def _report_table(table: ExtractedTable) -> bool:
    text = "".join(cell for row in table.rows for cell in row)
    return len(table.rows) >= 3 and any(word in text for word in _TABLE_WORDS)


def _common_prefix(chains: list[tuple[int, ...]]) -> tuple[int, ...]:
    first = min(chains)
    last = max(chains)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _title_lines(paragraphs: list[str], parts: PageParts, before: int) -> tuple[int, int] | None:
    """Paragraphs [start, end) that are the report's title: the last title line before `before` (the
    first heading or table), with the line above it when the title is broken after the agency's name."""
    title = next(
        (i for i in range(before - 1, -1, -1) if not parts.links[i] and _title_line(paragraphs[i])), None
    )
    if title is None:
        return None
    start = title
    above = title - 1
    if (
        above >= 0
        and _TRAIL.match(_compact(paragraphs[title])) is not None  # the title line begins with its year
        and parts.paragraphs[above] == parts.paragraphs[title]
        and not parts.links[above]
        and len(_compact(paragraphs[above])) <= 40
        and not re.search(r"[。，,：:；;！？>＞]", paragraphs[above])
        and not _portal_line(paragraphs[above])
    ):
        start = above
    return start, title + 1


def _last_line(paragraphs: list[str], inside: list[bool], after: int) -> int:
    """Index just past the report's last paragraph: its date line after the last heading or table
    (and a line such as （此件公开发布） under it), else the end of the page."""
    for i in range(after, len(paragraphs)):
        if inside[i] and _DATE_LINE.match(_compact(paragraphs[i])):
            end = i + 1
            while end < len(paragraphs) and inside[end] and _AFTER_DATE.match(_compact(paragraphs[end])):
                end += 1
            return end
    return len(paragraphs)


def report_body(document: ExtractedDocument, parts: PageParts) -> ExtractedDocument:
    """The report's own paragraphs and tables on a page: those inside the innermost part of the page
    that holds all its headings 一 to 六 and its tables, from its title (which a portal often prints
    above that part) to its date, without portal lines (information bar, print and share buttons)
    or paragraphs that are nothing but links. A page without two of the headings or one of the report's
    tables is given back whole."""
    paragraphs, tables, positions = document.paragraphs, document.tables, document.table_positions
    headings = [i for i, text in enumerate(paragraphs) if not parts.links[i] and _heading(text)]
    report_tables = [k for k, table in enumerate(tables) if not parts.table_links[k] and _report_table(table)]
    if len({_heading(paragraphs[i]) for i in headings}) < 2 and not report_tables:
        return document
    container = _common_prefix([parts.paragraphs[i] for i in headings] + [parts.tables[k] for k in report_tables])
    depth = len(container)
    inside = [chain[:depth] == container for chain in parts.paragraphs]
    first = min([*headings, *(positions[k] for k in report_tables)])
    title = _title_lines(paragraphs, parts, first)
    start = title[1] if title else 0
    last = max([*headings, *(positions[k] for k in report_tables)])
    end = _last_line(paragraphs, inside, last)
    kept = [
        i
        for i in range(start, end)
        if inside[i] and not parts.links[i] and not _portal_line(paragraphs[i])
    ]
    if title:
        kept = [*range(*title), *kept]
    kept_tables = [
        k
        for k in range(len(tables))
        if parts.tables[k][:depth] == container and start <= positions[k] <= end and not parts.table_links[k]
    ]
    new_positions = [sum(1 for i in kept if i < positions[k]) for k in kept_tables]
    places = document.places
    return ExtractedDocument(
        paragraphs=[paragraphs[i] for i in kept],
        tables=[tables[k] for k in kept_tables],
        table_positions=new_positions,
        source=document.source,
        places=[places[i] for i in kept] if len(places) == len(paragraphs) else [],
    )
