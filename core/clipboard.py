"""Copy and paste of cell ranges: tab-separated text (Excel, WPS) or a web page's HTML table, placed on
the template's grid and checked before anything changes."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from core.numbers import Number, format_number, parse_value
from core.template import CellDef, CellKind


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of cells from spreadsheet clipboard text: tabs between cells, a line per row, cells
    with tabs or line breaks in double quotes (as Excel writes them)."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    i = 0
    quoted = False
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"' and not cell:
            quoted = True
        elif ch == "\t":
            row.append("".join(cell))
            cell = []
        elif ch == "\n":
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
        else:
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    return rows


# A copied web table is a few dozen cells; spans and sizes beyond these are not a report's table.
MAX_HTML_SPAN = 100
MAX_HTML_ROWS = 1000


class _HtmlTable(HTMLParser):
    """The cells of the first table of an HTML fragment: (row, text, rowspan, colspan) in document order.
    A line break (<br>, a paragraph) in a cell is kept as a line break; other white space collapses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, int, int]]] = []
        self._depth = 0  # table nesting; only the first table at depth 1 is read
        self._done = False
        self._cell: list[str] | None = None
        self._spans = (1, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif self._depth != 1:
            return
        elif tag == "tr" and len(self.rows) < MAX_HTML_ROWS:
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            values = dict(attrs)
            self._cell = []
            self._spans = (_span(values.get("rowspan")), _span(values.get("colspan")))
        elif tag in ("br", "p", "div") and self._cell is not None and self._cell:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._done:
            return
        if tag == "table":
            self._depth -= 1
            self._done = self._depth == 0
        elif self._depth == 1 and tag in ("td", "th") and self._cell is not None:
            lines = "".join(self._cell).split("\n")
            text = "\n".join(" ".join(line.split()) for line in lines).strip("\n ")
            self.rows[-1].append((text, *self._spans))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and self._depth == 1:
            self._cell.append(data.replace("\n", " "))


def _span(value: str | None) -> int:
    try:
        return max(1, min(MAX_HTML_SPAN, int(value or "1")))
    except ValueError:
        return 1


def parse_html_table(html: str) -> list[list[str]]:
    """The first table of an HTML clipboard fragment (a web page's table as a browser copies it) as rows
    of cells, merged cells as a spreadsheet copies them: the text at the top-left, empty cells after."""
    parser = _HtmlTable()
    parser.feed(html)
    parser.close()
    grid: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(parser.rows):
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in grid:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += colspan
    if not grid:
        return []
    height = min(len(parser.rows), max(r for r, _ in grid) + 1)
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]


def clipboard_block(text: str, html: str = "") -> list[list[str]]:
    """The block a paste carries. Spreadsheets put every row at full width on the clipboard as text;
    a browser copying a web table with merged cells leaves the merged positions out of the text, so its
    rows come out ragged and out of line. Then the HTML table, with its merges, is the block."""
    block = parse_tsv(text)
    if html and "<table" in html.lower() and (not block or len({len(row) for row in block}) > 1):
        table = parse_html_table(html)
        if table:
            return table
    return block


def to_tsv(rows: Sequence[Sequence[str]]) -> str:
    """Cells as clipboard text; a cell holding a tab, line break or quote is quoted."""

    def quote(cell: str) -> str:
        if any(c in cell for c in '\t\n\r"'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join("\t".join(quote(c) for c in row) + "\n" for row in rows)


TOTALS_MISMATCH = "粘贴的总计与计算不符："


@dataclass(frozen=True)
class PastePlan:
    """Either the cells to set (id, canonical text or None for blank) or why the paste is refused.
    `totals` are the figures the block carried for computed cells (the 总计 column, the （七）总计 row):
    they are not set, only compared with the computed ones once the paste is in (`total_mismatches`).
    `area` is (top, left, bottom, right), the grid positions the block covers; `skipped` counts the
    texts it carried where the table has labels and headers, left alone, `recognised` those of them that
    are the table's own label there."""

    changes: tuple[tuple[str, str | None], ...] = ()
    refusal: str = ""
    totals: tuple[tuple[CellDef, Number], ...] = ()
    area: tuple[int, int, int, int] | None = None
    skipped: int = 0
    recognised: int = 0


def normalise_label(text: str) -> str:
    """A label as compared with the template's: full-width letters, digits and brackets as half-width
    (NFKC), no spaces or line breaks (a spreadsheet cell may wrap a label anywhere)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _is_number(text: str) -> bool:
    return parse_value(text, CellKind.SIGNED).number is not None


def _is_blank(text: str) -> bool:
    return parse_value(text, CellKind.SIGNED).is_blank


class _Labels:
    """The label and header texts of a grid, normalised: the text covering each position, what a row's
    labels may be written as (one of them, or several run together), and every label of the table."""

    def __init__(self, grid: Sequence[Sequence[CellDef | None]], labels: Sequence[Sequence[str]] | None) -> None:
        self.here: list[list[str]] = []
        self.row_forms: list[set[str]] = []
        self.every: set[str] = set()
        for r, row in enumerate(grid):
            texts = [
                normalise_label(labels[r][c]) if labels is not None and row[c] is None else ""
                for c in range(len(row))
            ]
            self.here.append(texts)
            parts = [t for i, t in enumerate(texts) if t and (i == 0 or texts[i - 1] != t)]
            runs = ((i, j) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
            self.row_forms.append({"".join(parts[i:j]) for i, j in runs})
            self.every.update(t for t in texts if t)

    def fits(self, text: str, row: int, col: int) -> bool | None:
        """True: the text is the label here (or this row's); False: it is another label of the table,
        so the block is out of line; None: a text the table does not have (a title, a note)."""
        norm = normalise_label(text)
        if norm == self.here[row][col] or norm in self.row_forms[row]:
            return True
        return False if norm in self.every else None


def _blank_tail(block: Sequence[Sequence[str]]) -> list[list[str]]:
    """The block without trailing empty lines and trailing empty columns (some spreadsheets add them)."""
    rows = [list(r) for r in block]
    while rows and all(not v.strip() for v in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    while width and all(len(r) < width or not r[width - 1].strip() for r in rows):
        width -= 1
    return [r[:width] + [""] * (width - len(r[:width])) for r in rows]


def _leading_text(lines: Sequence[Sequence[str]]) -> int:
    """How many leading lines hold only text (labels, headers, titles) and at least some of it."""
    count, texts = 0, 0
    for line in lines:
        if any(_is_number(v) for v in line):
            break
        count += 1
        texts += sum(1 for v in line if not _is_blank(v))
    return count if texts and count < len(lines) else 0


def plan_paste(
    grid: Sequence[Sequence[CellDef | None]],
    top: int,
    left: int,
    block: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str]] | None = None,
) -> PastePlan:
    """Where a block pasted at (top, left) goes. `grid` holds the cell at each position (None for labels
    and headers; a merged number cell at every position it covers), `labels` the text of the label or
    header at each position. The block may carry the official shape as a spreadsheet copies it: row
    labels and header rows (recognised and skipped; merged ones come as empty cells) and the computed
    totals (kept in `totals` for comparison). Pasted at a number cell, a block that starts with labels
    or headers puts its first number there; pasted elsewhere, a block whose labels match is put where
    they match. Refused whole, with a Chinese reason, when it does not fit, holds anything that is not a
    number of the right kind where a number goes, or is out of line with the table's labels."""
    rows = _blank_tail(block)
    if not rows or not rows[0]:
        return PastePlan(refusal="剪贴板里没有可粘贴的数据")
    label_rows = _leading_text(rows)
    label_cols = _leading_text([list(col) for col in zip(*rows, strict=True)])
    info = _Labels(grid, labels)
    anchored = 0 <= top < len(grid) and 0 <= left < len(grid[top]) and grid[top][left] is not None
    tries: list[tuple[int, int, bool]] = []  # (top, left, must match a label)
    if (label_rows or label_cols) and anchored:
        tries.append((top - label_rows, left - label_cols, False))
    tries.append((top, left, False))
    if label_rows or label_cols:
        numbers = ((r, c) for r, row in enumerate(grid) for c, cell in enumerate(row) if cell is not None)
        first = min(numbers, default=None)
        if first is not None:
            tries.append((first[0] - label_rows, first[1] - label_cols, True))
    plans = [_place(grid, info, rows, at_top, at_left, label_rows, label_cols) for at_top, at_left, _ in tries]
    for plan, (_, _, needs_label) in zip(plans, tries, strict=True):
        if not plan.refusal and (plan.recognised or not needs_label):
            return plan
    return plans[0]


def _place(
    grid: Sequence[Sequence[CellDef | None]],
    info: _Labels,
    rows: list[list[str]],
    top: int,
    left: int,
    label_rows: int,
    label_cols: int,
) -> PastePlan:
    """The block with its first cell at grid position (top, left); leading label rows and columns that
    fall outside the grid are left out (a spreadsheet's title row, say)."""
    height, width = len(rows), len(rows[0])
    changes: list[tuple[str, str | None]] = []
    totals: list[tuple[CellDef, Number]] = []
    seen: set[str] = set()
    skipped = recognised = 0
    placed: list[tuple[int, int]] = []
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            gr, gc = top + r, left + c
            if not (0 <= gr < len(grid) and 0 <= gc < len(grid[gr])):
                if (r < label_rows or c < label_cols) and not _is_number(value):
                    continue
                return PastePlan(
                    refusal=f"粘贴的数据有 {height} 行 {width} 列，超出了表格的范围，未作任何修改"
                )
            placed.append((gr, gc))
            cell = grid[gr][gc]
            if cell is None:
                if _is_blank(value):
                    continue
                fits = info.fits(value, gr, gc) if not _is_number(value) else False
                if fits is False:
                    here = info.here[gr][gc]
                    return PastePlan(
                        refusal=f"粘贴的「{_shown(value)}」落在表头或行名称"
                        + (f"「{here}」" if here else "")
                        + "上，行或列没有对齐，未作任何修改；请选中第一个要填写的数字单元格再粘贴"
                    )
                skipped += 1
                recognised += bool(fits)
                continue
            parsed = parse_value(value, cell.kind)
            if cell.id in seen:
                # A merged number cell (二's wide cells) takes one number: the first position's.
                if not parsed.is_blank:
                    return PastePlan(
                        refusal=f"「{cell.row_label}·{cell.col_label}」是合并单元格，只能填一个数；"
                        f"粘贴的数据在它的范围内有多个数，未作任何修改"
                    )
                continue
            seen.add(cell.id)
            if parsed.error is not None:
                return PastePlan(
                    refusal=f"「{cell.row_label}·{cell.col_label}」：{parsed.error}，整块粘贴未作任何修改"
                )
            if cell.computed:
                if parsed.number is not None:
                    totals.append((cell, parsed.number))
                continue
            changes.append((cell.id, parsed.text))
    if not changes and not totals:
        return PastePlan(refusal="粘贴的数据里没有可填写的数字单元格，未作任何修改")
    area = (min(p[0] for p in placed), min(p[1] for p in placed), max(p[0] for p in placed), max(p[1] for p in placed))
    return PastePlan(
        changes=tuple(changes), totals=tuple(totals), area=area, skipped=skipped, recognised=recognised
    )


def total_mismatches(plan: PastePlan, computed: Mapping[str, Number]) -> list[str]:
    """Each pasted total that differs from the computed one, as "（七）总计·自然人 粘贴 12，计算 11"."""
    out = []
    for cell, pasted in plan.totals:
        actual = computed.get(cell.id)
        if actual is not None and actual != pasted:
            out.append(
                f"{cell.row_label}·{cell.col_label} 粘贴 {format_number(pasted, cell.kind)}，"
                f"计算 {format_number(actual, cell.kind)}"
            )
    return out


def _shown(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 20 else one_line[:20] + "…"
