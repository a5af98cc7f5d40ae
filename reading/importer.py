"""Reports the app did not write (published DOCX, PDF, HTML): the shared assembly of extracted text and
tables into a report, with a log of everything uncertain. Format readers only extract; this decides."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from functools import cache, lru_cache

from core.numbers import BLANK, Parsed, parse_value, to_json_value
from core.report import TEXT_KEYS, Contact, Report, Signature
from core.reportfile import ReportFileError
from core.template import (
    CellKind,
    Template,
    default_template,
    load_template,
    row_correspondences,
    template_for_year,
    template_ids,
    templates,
)
from reading.document import ExtractedDocument, ExtractedTable, ImportResult

# --- matching labels by meaning -------------------------------------------------------------------

# A label is accepted when its best score reaches MATCH_THRESHOLD and beats the best label meaning
# something else by MATCH_MARGIN. The score is difflib's ratio of the normalised texts (2·common /
# total length: one wrong character in a 12-character label scores 0.92, in a 4-character one 0.75),
# raised to CONTAINED_SCORE when the file shortened the label or added a few characters to it, plus
# small bonuses for the same leading number (1. （三） 四、) and for the group (（三）不予公开 …) the
# row stands under.
MATCH_THRESHOLD = 0.75
MATCH_MARGIN = 0.05
CONTAINED_SCORE = 0.9
NUMBER_BONUS = 0.1
NUMBER_PENALTY = 0.05
GROUP_BONUS = 0.1
# Labels that tell the two templates apart (and header words) count only when matched this well.
SIGNAL_THRESHOLD = 0.9
# A heading needs less, as its leading 一、… 六、 must be the right one; and at most this many characters.
HEADING_THRESHOLD = 0.55
HEADING_MAX_CHARS = 40
TITLE_MAX_CHARS = 60
# The title is looked for among the first lines, the signature among the last ones (a page saved from
# a portal has its menu before the title and its print links and footer after the signature).
TITLE_LOOKAHEAD = 15
SIGNATURE_LOOKBACK = 6
# Tables are classified from their first rows and short cells (long texts are notes, not labels).
CLASSIFY_ROWS = 80
LABEL_MAX_CHARS = 80

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERAL = "一二三四五六七八九十"
# Leading numbering of a label or heading, after NFKC (full-width brackets and stops are ASCII then).
_NUMBERING = re.compile(
    rf"^(?:(?P<cn>[{_CN_NUMERAL}]{{1,3}})[、.,]"
    rf"|\((?P<paren>[{_CN_NUMERAL}]{{1,3}}|\d{{1,2}})\)[、.]?"
    r"|(?P<arabic>\d{1,2})(?:[、.,)]|(?=[^\d.,]))"
    r")"
)
# Where a second numbered label starts inside one cell ("（三）不予公开 1.属于国家秘密").
_INNER_NUMBERING = re.compile(
    rf"(?<=[^\s(（第])(?=\s*(?:[(（][{_CN_NUMERAL}]{{1,3}}[)）]|\d{{1,2}}[.．、](?!\d)))"
)
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
# Character variants and words clerks type for the same thing.
_VARIANTS = str.maketrans({"它": "他", "帐": "账"})
_SYNONYMS = (("合计", "总计"),)
_DIGIT = re.compile(r"[0-9０-９]")


def _cn_number(text: str) -> int:
    """一 … 九十九 as an integer."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for char in text:
        value = value * 10 + _CN_DIGITS.get(char, 0)
    return value


@dataclass(frozen=True)
class _Norm:
    numbering: tuple[str, int] | None  # ("cn" 一、 | "paren" （一） | "arabic" 1.), number
    core: str  # the words without numbering, spaces, punctuation or character variants


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@cache
def _norm(text: str) -> _Norm:
    t = _SPACES.sub("", _nfkc(text))
    numbering: tuple[str, int] | None = None
    m = _NUMBERING.match(t)
    if m and m.end() < len(t):
        if m.group("cn"):
            numbering = ("cn", _cn_number(m.group("cn")))
        elif m.group("paren"):
            p = m.group("paren")
            numbering = ("paren", int(p) if p.isdigit() else _cn_number(p))
        else:
            numbering = ("arabic", int(m.group("arabic")))
        t = t[m.end() :]
    core = _NON_WORD.sub("", t).translate(_VARIANTS)
    for word, same in _SYNONYMS:
        core = core.replace(word, same)
    return _Norm(numbering, core)


# A similarity below this cannot change a decision, whatever bonuses are added: with them it stays
# under MATCH_THRESHOLD - MATCH_MARGIN, too low to be the match, a rival or the other template's best.
_IRRELEVANT = MATCH_THRESHOLD - MATCH_MARGIN - NUMBER_BONUS - GROUP_BONUS


@lru_cache(maxsize=65536)  # the same labels come again in every file of a batch
def _similarity(found: str, label: str) -> float:
    """How well a file's text matches a template label (both normalised). Below _IRRELEVANT an
    upper bound is returned instead of the exact ratio (the exact one is slow and would not matter)."""
    if found == label:
        return 1.0
    if not found or not label:
        return 0.0
    # The file shortened the label ("部分公开", "国家秘密") or added a little to it ("…禁止公开的").
    contained = (
        len(found) >= 4 and (label.startswith(found) or (found in label and 2 * len(found) >= len(label)))
    ) or (len(label) >= 4 and label in found and len(found) <= 2 * len(label) + 4)
    matcher = SequenceMatcher(None, found, label, autojunk=False)
    bound = matcher.real_quick_ratio()
    if bound >= _IRRELEVANT:
        bound = matcher.quick_ratio()
    score = matcher.ratio() if bound >= _IRRELEVANT else bound
    return max(score, CONTAINED_SCORE) if contained else score


@dataclass(frozen=True)
class _Entry:
    """A label a text can be matched to; `key` is what it means (a row id, a field id …)."""

    key: str
    label: str
    templates: frozenset[str] = frozenset()  # the templates that have this label; empty: every one


@dataclass(frozen=True)
class _Match:
    entry: _Entry
    score: float
    exact: bool  # the same words as the template's label
    other_template_score: float  # best score of a label of the other template only (for detection)

    @property
    def signal(self) -> frozenset[str]:
        """The templates this label belongs to when not every template has it, matched well enough to
        tell them from the others; else none."""
        if not self.entry.templates or self.entry.templates >= set(template_ids()):
            return frozenset()
        if self.score < SIGNAL_THRESHOLD or self.score - self.other_template_score < MATCH_MARGIN:
            return frozenset()
        return self.entry.templates


def _match(
    text: str,
    entries: Iterable[_Entry],
    bonus: Callable[[_Entry], float] | None = None,
    numbered: Callable[[_Entry], bool] | None = None,
) -> _Match | None:
    """The entry `text` means: the unique best above the threshold; None when nothing fits or two
    different meanings fit about equally. `numbered` says where a leading number means something
    (1. 2. 3. only within their group)."""
    found = _norm(text)
    if not found.core:
        return None
    scored: list[tuple[float, _Entry]] = []
    for entry in entries:
        target = _norm(entry.label)
        score = _similarity(found.core, target.core)
        if found.numbering and target.numbering and (numbered is None or numbered(entry)):
            if found.numbering == target.numbering:
                score += NUMBER_BONUS
            elif found.numbering[0] == target.numbering[0]:
                score -= NUMBER_PENALTY
        if bonus is not None:
            score += bonus(entry)
        scored.append((score, entry))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    best_score, best = scored[0]
    rival = max((s for s, e in scored[1:] if e.key != best.key), default=0.0)
    if best_score < MATCH_THRESHOLD or best_score - rival < MATCH_MARGIN:
        return None
    other = max((s for s, e in scored if e.templates and not e.templates & best.templates), default=0.0)
    return _Match(best, best_score, found.core == _norm(best.label).core, other)


def _strong(text: str, entries: Sequence[_Entry]) -> _Match | None:
    m = _match(text, entries)
    return m if m is not None and m.score >= SIGNAL_THRESHOLD else None


def _split_numbered(text: str) -> list[str]:
    """A label cell that holds two numbered labels ("（三）不予公开 1.属于国家秘密") as its parts."""
    return [p.strip() for p in _INNER_NUMBERING.split(text.strip()) if p.strip()]


def _shown(text: str, limit: int = 30) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[:limit] + "…"


def _blank_text(text: str | None) -> bool:
    return text is None or parse_value(text, CellKind.COUNT).is_blank


def _is_number_or_blank(text: str) -> bool:
    return parse_value(text, CellKind.MONEY).error is None or parse_value(text, CellKind.SIGNED).error is None


# --- table geometry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str

    @property
    def end(self) -> int:
        return self.col + self.colspan

    def covers(self, col: int) -> bool:
        return self.col <= col < self.end


@dataclass
class _Placed:
    """A table with each cell at its grid position (a merged cell once, where it starts)."""

    index: int  # which table of the document (0-based)
    rows: list[list[_Cell]]
    width: int
    spans_known: bool

    @property
    def name(self) -> str:
        return f"第 {self.index + 1} 个表格"


def _place(table: ExtractedTable, index: int) -> _Placed:
    """Grid positions. With spans, the HTML table model: a cell takes the first column not covered by
    a cell from above. Without them rows are aligned on the right: merged labels are missing on the
    left of a row, its values are always there on the right."""
    known = len(table.spans) == len(table.rows) and all(
        len(s) == len(r) for s, r in zip(table.spans, table.rows, strict=True)
    )
    rows: list[list[_Cell]] = []
    if known:
        occupied: dict[int, set[int]] = {}
        for r, texts in enumerate(table.rows):
            col = 0
            taken = occupied.setdefault(r, set())
            row: list[_Cell] = []
            for text, (rowspan, colspan) in zip(texts, table.spans[r], strict=True):
                rowspan, colspan = max(1, rowspan), max(1, colspan)
                while col in taken:
                    col += 1
                row.append(_Cell(r, col, rowspan, colspan, text or ""))
                for rr in range(r, r + rowspan):
                    occupied.setdefault(rr, set()).update(range(col, col + colspan))
                col += colspan
            rows.append(row)
        width = max((c.end for row in rows for c in row), default=0)
    else:
        width = max((len(r) for r in table.rows), default=0)
        for r, texts in enumerate(table.rows):
            start = width - len(texts)
            rows.append([_Cell(r, start + i, 1, 1, text or "") for i, text in enumerate(texts)])
    return _Placed(index, rows, width, known)


# --- the labels to match, walked from the templates ----------------------------------------------


def _entries(pairs: Iterable[tuple[str, str, str]]) -> tuple[_Entry, ...]:
    """Entries from (key, label, template id), one per key and label with the templates that have it."""
    found: dict[tuple[str, str], set[str]] = {}
    for key, label, tid in pairs:
        found.setdefault((key, label), set()).add(tid)
    return tuple(_Entry(key, label, frozenset(t)) for (key, label), t in found.items())


# Each list is made once for the templates there are (a template added to the data folder and
# reloaded gives new ones): the functions take the tuple of templates, hashed by identity.


def _s2_row_entries() -> tuple[_Entry, ...]:
    return _s2_row_entries_of(templates())


@cache
def _s2_row_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    return _entries((row.id, row.label, t.id) for t in all_templates for b in t.s2.blocks for row in b.rows)


def _s2_field_entries() -> tuple[_Entry, ...]:
    return _s2_field_entries_of(templates())


@cache
def _s2_field_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    return _entries((h.field, h.label, t.id) for t in all_templates for b in t.s2.blocks for h in b.header if h.field)


def _s2_caption_entries() -> tuple[_Entry, ...]:
    return _s2_caption_entries_of(templates())


@cache
def _s2_caption_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    """Block captions (第二十条第（一）项 …) and the header's 信息内容."""
    pairs = []
    for t in all_templates:
        for b in t.s2.blocks:
            pairs.append((f"caption:{b.caption}", b.caption, t.id))
            pairs.extend((f"caption:{h.label}", h.label, t.id) for h in b.header if not h.field)
    return _entries(pairs)


def _group_key(path: tuple[str, ...]) -> str:
    return "group:" + "\x1f".join(path)


def _group_path(key: str) -> tuple[str, ...]:
    return tuple(key.removeprefix("group:").split("\x1f"))


@cache
def _s3_entries(t: Template) -> tuple[_Entry, ...]:
    """Rows (key row:<id>) and the groups above them (key group:<path>) of one template."""
    entries: list[_Entry] = []
    groups: list[tuple[str, ...]] = []
    for row in t.s3.rows:
        entries.append(_Entry(f"row:{row.id}", row.label, frozenset({t.id})))
        for j in range(1, len(row.path)):
            if row.path[:j] not in groups:
                groups.append(row.path[:j])
    entries.extend(_Entry(_group_key(g), g[-1], frozenset({t.id})) for g in groups)
    return tuple(entries)


def _labels(pairs: Iterable[tuple[str, str]]) -> tuple[_Entry, ...]:
    """Entries for labels every template prints alike (headers, columns): one per key and label."""
    return tuple(_Entry(key, label) for key, label in dict.fromkeys(pairs))


def _s3_header_entries() -> tuple[_Entry, ...]:
    return _s3_header_entries_of(templates())


@cache
def _s3_header_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    return _labels((label, label) for label in sorted({h.label for t in all_templates for h in t.s3.header}))


def _s3_column_entries() -> tuple[_Entry, ...]:
    return _s3_column_entries_of(templates())


@cache
def _s3_column_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    return _labels((c.id, c.label) for t in all_templates for c in t.s3.columns)


def _s4_group_entries() -> tuple[_Entry, ...]:
    return _s4_group_entries_of(templates())


@cache
def _s4_group_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    return _labels((g.id, g.label) for t in all_templates for g in t.s4.groups)


def _s4_column_entries() -> tuple[_Entry, ...]:
    return _s4_column_entries_of(templates())


@cache
def _s4_column_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    return _labels((c.id, c.label) for t in all_templates for c in t.s4.columns)


def _s4_header_entries() -> tuple[_Entry, ...]:
    return _s4_header_entries_of(templates())


@cache
def _s4_header_entries_of(all_templates: tuple[Template, ...]) -> tuple[_Entry, ...]:
    return _labels((label, label) for label in sorted({h.label for t in all_templates for h in t.s4.header}))


# --- one document being read ----------------------------------------------------------------------


class _Assembly:
    """The document, its tables placed on their grids and classified, and the import log."""

    def __init__(self, doc: ExtractedDocument) -> None:
        self.log: list[str] = []
        self.paragraphs = [p.strip() for p in doc.paragraphs]
        self.placed = [_place(t, i) for i, t in enumerate(doc.tables)]
        n = len(self.paragraphs)
        positions = list(doc.table_positions)
        # Without positions the tables are taken to follow the text, and do not place the headings.
        self.positions_known = len(positions) == len(doc.tables)
        if not self.positions_known:
            positions = [n] * len(doc.tables)
        self.positions = [min(max(p, 0), n) for p in positions]
        self.kinds: list[str | None] = [_table_kind(p) for p in self.placed]
        self.signals: dict[str, set[str]] = {tid: set() for tid in template_ids()}
        self.s2_note_rows: list[str] = []

    def note(self, line: str) -> None:
        if line not in self.log:
            self.log.append(line)

    def signal(self, m: _Match) -> None:
        for tid in m.signal:
            self.signals[tid].add(m.entry.label)

    def tables_of(self, kind: str) -> list[_Placed]:
        return [p for p, k in zip(self.placed, self.kinds, strict=True) if k == kind]


def _table_kind(placed: _Placed) -> str | None:
    """s2, s3 or s4 by the labels the table holds; None when it holds none of them."""
    votes = {"s2": 0, "s3": 0, "s4": 0}
    s3_entries = [_s3_entries(t) for t in templates()]
    s2_entries = _s2_row_entries() + _s2_field_entries() + _s2_caption_entries()
    for row in placed.rows[:CLASSIFY_ROWS]:
        for cell in row:
            text = cell.text.strip()
            if not text or len(text) > LABEL_MAX_CHARS or _is_number_or_blank(text):
                continue
            for part in _split_numbered(text):
                m = next((m for m in (_match(part, e) for e in s3_entries) if m is not None), None)
                if m is not None and m.entry.key.startswith("row:"):
                    votes["s3"] += 1
            if _strong(text, _s4_header_entries()):
                votes["s4"] += 1
            if _strong(text, s2_entries):
                votes["s2"] += 1
    kind, count = max(votes.items(), key=lambda item: item[1])
    return kind if count >= 2 else None


def _classify_by_position(a: _Assembly, headings: dict[str, int]) -> None:
    """A table that says nothing recognisable (a part broken off at a page end: just rows of numbers)
    takes the kind of the section it stands in."""
    for i, kind in enumerate(a.kinds):
        if kind is not None:
            continue
        section = None
        for sid in ("s2", "s3", "s4", "s5"):
            if sid in headings and headings[sid] < a.positions[i]:
                section = sid
        placed = a.placed[i]
        if section in ("s2", "s3", "s4") and any(c.text.strip() for row in placed.rows for c in row):
            a.kinds[i] = section
            a.note(f"{placed.name}没有可识别的栏目，按所在位置作为「{_heading(section)}」的表格续表读入")


def _heading(section_id: str) -> str:
    return default_template().section(section_id).heading


# --- section 二 ------------------------------------------------------------------------------------


@dataclass
class _S2Value:
    row_id: str
    field: str
    text: str
    where: str


_CAPTION = re.compile(r"第[二2][十0]?条第?\(?[一二三四五六七八九十0-9]{1,3}\)?项")


def _read_s2(a: _Assembly, tables: list[_Placed]) -> list[_S2Value]:
    """二 block by block: captions reset the header, the header row says which field each column
    holds, each data row is matched by its label."""
    out: list[_S2Value] = []
    seen: set[str] = set()
    for placed in tables:
        header: list[tuple[str | None, int, int]] | None = None
        for row in placed.rows:
            cells = [c for c in row if c.text.strip()]
            if not cells:
                continue
            where = f"{placed.name}第 {row[0].row + 1} 行"
            first = cells[0]
            row_match = _match(first.text, _s2_row_entries())
            if row_match is None:
                texts = {_norm(c.text).core for c in cells}
                caption = _strong(first.text, _s2_caption_entries())
                is_caption = bool(_CAPTION.search(_SPACES.sub("", _nfkc(first.text)))) or (
                    caption is not None and not caption.entry.label.startswith("信息")
                )
                if len(texts) == 1 and is_caption:
                    header = None
                    if caption is not None:
                        a.signal(caption)
                    continue
                field_cells = [c for c in cells if not _strong(c.text, _s2_caption_entries())]
                matches = [_match(c.text, _s2_field_entries()) for c in field_cells]
                if any(m is not None for m in matches) and not any(
                    _DIGIT.search(c.text) and _is_number_or_blank(c.text) for c in field_cells
                ):
                    header = []
                    for c, m in zip(field_cells, matches, strict=True):
                        if m is None:
                            header.append((None, c.col, c.end))
                            a.note(f"二、主动公开：{where}的栏目「{_shown(c.text)}」无法识别，其下的数字未读入")
                            continue
                        header.append((m.entry.key, c.col, c.end))
                        a.signal(m)
                        if not m.exact:
                            a.note(f"二、主动公开：{where}的栏目「{_shown(c.text)}」按「{m.entry.label}」读入")
                    continue
                if len(cells) == 1 and not _is_number_or_blank(first.text):
                    text = " ".join(first.text.split())
                    a.s2_note_rows.append(text)
                    a.note(f"二、主动公开：表格中的一行文字「{_shown(text)}」作为表格下的说明读入")
                    continue
                a.note(f"二、主动公开：{where}「{_shown(first.text)}」不是表中的项目，未读入")
                continue
            a.signal(row_match)
            row_id = row_match.entry.key
            label = row_match.entry.label
            if row_id in seen:
                a.note(f"二、主动公开：{where}「{_shown(first.text)}」与前面的「{label}」行重复，未读入")
                continue
            seen.add(row_id)
            if not row_match.exact:
                a.note(f"二、主动公开：{where}「{_shown(first.text)}」按「{label}」读入")
            values = [c for c in row if c.col >= first.end]
            out.extend(_s2_row_values(a, row_id, values, header, where, label))
    return out


def _s2_row_fields(row_id: str) -> list[list[str]]:
    """The row's fields in printed order, in each template that has the row."""
    return [
        [c.cell.col_id for c in r.cells] for t in templates() for b in t.s2.blocks for r in b.rows if r.id == row_id
    ]


def _s2_row_values(
    a: _Assembly,
    row_id: str,
    cells: list[_Cell],
    header: list[tuple[str | None, int, int]] | None,
    where: str,
    label: str,
) -> list[_S2Value]:
    options = _s2_row_fields(row_id)
    known = {f for fields in options for f in fields}
    header_fields = [h[0] for h in header or [] if h[0] is not None]
    by_field: dict[str, list[_Cell]] = {}
    if header and header_fields and set(header_fields) <= known:
        fields = list(dict.fromkeys(header_fields))
        for c in cells:
            overlaps = sorted(
                ((min(c.end, end) - max(c.col, start), f) for f, start, end in header if f is not None),
                key=lambda item: -item[0],
            )
            overlaps = [o for o in overlaps if o[0] > 0]
            if not overlaps:
                if not _blank_text(c.text):
                    a.note(f"二、主动公开：{where}「{label}」的「{_shown(c.text)}」不在任何栏目下，未读入")
                continue
            if len(overlaps) > 1 and overlaps[0][0] == overlaps[1][0]:
                if not _blank_text(c.text):
                    a.note(f"二、主动公开：{where}「{label}」的「{_shown(c.text)}」跨两个栏目，无法确定属于哪一栏，未读入")
                continue
            by_field.setdefault(overlaps[0][1], []).append(c)
    else:
        # No header above this row (or one of another block): the row's own fields in printed order,
        # a merged cell counting once.
        fields = next((f for f in options if len(f) == len(cells)), options[0])
        if len(cells) == len(fields):
            by_field = {f: [c] for f, c in zip(fields, cells, strict=True)}
        elif len(fields) == 1 and cells:
            by_field = {fields[0]: cells}
        else:
            if any(not _blank_text(c.text) for c in cells):
                a.note(
                    f"二、主动公开：{where}「{label}」有 {len(cells)} 个数字单元格，应为 {len(fields)} 个，"
                    "无法确定各自属于哪一栏，未读入"
                )
            return []
    out: list[_S2Value] = []
    for f in fields:
        found = by_field.get(f, [])
        filled = [c for c in found if not _blank_text(c.text)]
        if len(filled) > 1:
            shown = "、".join(f"「{_shown(c.text)}」" for c in filled)
            a.note(f"二、主动公开：{where}「{label}」的同一栏中有 {shown}，无法确定是哪个数字，未读入")
        elif filled:
            out.append(_S2Value(row_id, f, filled[0].text, where))
        elif found:
            out.append(_S2Value(row_id, f, found[0].text, where))
    return out


# --- section 三 ------------------------------------------------------------------------------------


@dataclass
class _S3Line:
    """One row of the request matrix below its header: its label texts and the text under each
    column (a column is absent when the row has no cell there, None when one merged cell holds a
    number across several columns)."""

    where: str
    labels: list[str]
    values: dict[str, str | None]
    short: int | None = None  # without spans: a row with only this many value cells (which are which?)

    @property
    def filled(self) -> bool:
        return any(not _blank_text(v) for v in self.values.values())


def _s3_value_columns(placed: _Placed) -> tuple[list[int], set[int]]:
    """The grid column of each matrix column (template order) and which rows are header rows. From
    the header's words when the grid is known and they name all seven columns; else the rightmost
    seven columns."""
    columns = [c.id for c in default_template().s3.columns]
    header_rows: set[int] = set()
    found: dict[str, int] = {}
    for row in placed.rows[:CLASSIFY_ROWS]:
        hits = [c for c in row if c.text.strip() and _strong(c.text, _s3_header_entries())]
        if row and (len(hits) >= 2 or any("勾稽" in c.text for c in row)):
            header_rows.add(row[0].row)
            for c in hits:
                m = _strong(c.text, _s3_column_entries())
                if m is not None:  # a header cell may be wider than one column in a hand-made grid
                    found.setdefault(m.entry.key, c.col)
    if placed.spans_known and len(found) == len(columns) and len(set(found.values())) == len(columns):
        return [found[c] for c in columns], header_rows
    start = placed.width - len(columns)
    return list(range(start, placed.width)), header_rows


def _s3_lines(tables: list[_Placed]) -> list[_S3Line]:
    columns = [c.id for c in default_template().s3.columns]
    lines: list[_S3Line] = []
    for placed in tables:
        value_cols, header_rows = _s3_value_columns(placed)
        first_value = min(value_cols)
        for row in placed.rows:
            if not row or row[0].row in header_rows:
                continue
            where = f"{placed.name}第 {row[0].row + 1} 行"
            short = _short_row(row, len(columns)) if not placed.spans_known else None
            if short is not None:
                labels = [c.text for c in row[: len(row) - short] if c.text.strip()]
                lines.append(_S3Line(where, labels, {}, short))
                continue
            labels = [c.text for c in row if c.end <= first_value and c.text.strip()]
            values: dict[str, str | None] = {}
            wide = [c for c in row if c.col < first_value < c.end]
            if wide:  # one cell across labels and numbers: a note or heading line
                labels.extend(c.text for c in wide if c.text.strip())
            else:
                for cid, col in zip(columns, value_cols, strict=True):
                    cell = next((c for c in row if c.covers(col)), None)
                    if cell is None:
                        continue
                    if sum(1 for v in value_cols if cell.covers(v)) > 1 and not _blank_text(cell.text):
                        values[cid] = None
                    else:
                        values[cid] = cell.text
            if labels or any(not _blank_text(v) for v in values.values()):
                lines.append(_S3Line(where, labels, values))
    return lines


def _short_row(row: list[_Cell], columns: int) -> int | None:
    """Without spans a row is aligned on the right, which is sure only when it has all its value cells
    (a row of more cells has them, whatever they hold): for a row of fewer cells that starts with its
    labels, the number of value cells left, else None."""
    if len(row) > columns:
        return None
    labels = 0
    while labels < len(row) and row[labels].text.strip() and not _is_number_or_blank(row[labels].text):
        labels += 1
    values = len(row) - labels
    if labels and values < columns and any(not _blank_text(c.text) for c in row[labels:]):
        return values
    return None


@dataclass
class _S3Walk:
    """Which line means which row when read against one template."""

    template_id: str
    rows: dict[str, tuple[int, float, bool, str]] = field(default_factory=dict)  # id → line, score, exact, text
    groups_with_values: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    unmatched: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)


def _walk_s3(lines: list[_S3Line], template: Template) -> _S3Walk:
    """Match each line's labels, tracking the group (三、本年度办理结果, （三）不予公开 …) the rows stand
    under: a merged group label is there only on its group's first row, and 1. 2. 3. mean different
    things under （三）, （四） and （五）."""
    rows_by_id = {r.id: r for r in template.s3.rows}
    entries = _s3_entries(template)
    walk = _S3Walk(template.id)
    context: tuple[str, ...] = ()

    def path_of(key: str) -> tuple[str, ...]:
        return _group_path(key) if key.startswith("group:") else rows_by_id[key.removeprefix("row:")].path

    for i, line in enumerate(lines):
        parts = [p for text in line.labels for p in _split_numbered(text)]
        if not parts:
            if line.filled:
                walk.unmatched.append(i)
            continue
        for part in parts[:-1]:
            m = _match(part, entries)
            if m is not None:
                context = path_of(m.entry.key)

        def in_group(entry: _Entry, context: tuple[str, ...] = context) -> bool:
            return entry.key.startswith("row:") and rows_by_id[entry.key[4:]].path[:-1] == context

        def bonus(entry: _Entry) -> float:
            return GROUP_BONUS if in_group(entry) else 0.0

        def numbered(entry: _Entry) -> bool:
            # 1. 2. 3. are numbers within a group; 一、 and （三） are numbers of the whole table.
            numbering = _norm(entry.label).numbering
            return numbering is None or numbering[0] != "arabic" or in_group(entry)

        m = _match(parts[-1], entries, bonus, numbered)
        if m is None:
            walk.unmatched.append(i)
            continue
        if m.entry.key.startswith("group:"):
            context = _group_path(m.entry.key)
            if line.values:
                walk.groups_with_values.append((i, context))
            continue
        row = rows_by_id[m.entry.key[4:]]
        context = row.path[:-1]
        previous = walk.rows.get(row.id)
        if previous is not None and previous[1] >= m.score:
            walk.conflicts.append((i, row.id))
            continue
        if previous is not None:
            walk.conflicts.append((previous[0], row.id))
        walk.rows[row.id] = (i, m.score, m.exact, parts[-1])
    return walk


def _s3_signals(a: _Assembly, walks: dict[str, _S3Walk]) -> None:
    """Rows not every template has (2021: the three （六） rows; 2019: （六） as one row) vote for the
    templates that have them."""
    for tid, walk in walks.items():
        template = load_template(tid)
        for row_id, (_, score, _, _) in walk.rows.items():
            if score >= SIGNAL_THRESHOLD and not all(t.s3.has_row(row_id) for t in templates()):
                a.signals[tid].add(template.s3.row(row_id).label)


@dataclass
class _Cells:
    """Texts read for the report: input cells, printed totals, and cells of the other template."""

    inputs: dict[str, str] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    foreign: dict[str, str] = field(default_factory=dict)

    def put(self, template: Template, cell_id: str, text: str) -> None:
        if template.cell(cell_id).computed:
            self.printed[cell_id] = text
        else:
            self.inputs[cell_id] = text

    def has_row(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in (*self.inputs, *self.printed))


def _sum_texts(texts: list[str | None]) -> str | None:
    """Several printed counts as one: their sum; the first text that is not a number, when there is
    one (so that it is reported as printed); None when a part could not be read."""
    total = 0
    seen = False
    for text in texts:
        if text is None:
            return None
        parsed = parse_value(text, CellKind.COUNT)
        if parsed.error is not None:
            return text
        if parsed.number is not None:
            total += int(parsed.number)
            seen = True
    return str(total) if seen else ""


def _assign_s3(
    a: _Assembly, template: Template, lines: list[_S3Line], walks: dict[str, _S3Walk], cells: _Cells
) -> None:
    walk = walks[template.id]
    section = template.section("s3").short
    for i, row_id in walk.conflicts:
        a.note(
            f"{section}：{lines[i].where}「{_shown(' '.join(lines[i].labels))}」与另一行都是"
            f"「{template.s3.row(row_id).label}」，只读入更相符的一行"
        )
    used: set[int] = set()
    for row_id, (i, _score, exact, text) in walk.rows.items():
        used.add(i)
        if not exact:
            a.note(f"{section}：{lines[i].where}「{_shown(text)}」按「{' · '.join(template.s3.row(row_id).path)}」读入")
        _put_s3_line(a, template, row_id, lines[i], cells)
    matched_groups = {template.s3.row(r).path[:-1] for r in walk.rows}
    for i, group in walk.groups_with_values:
        line = lines[i]
        used.add(i)
        if any(p[: len(group)] == group for p in matched_groups):
            if line.filled:
                a.note(f"{section}：{line.where}「{group[-1]}」是小计，未读入（按其下各行读入）")
            continue
        # Another template's one row for this group, which this template splits into several (declared
        # in the templates' row maps): a 2021 report printing （六）其他处理 as the 2019 template does.
        # Its numbers go to the row the map names (3.其他, the catch-all), so the file's （七）总计 still
        # checks against its rows; they are also kept under the other template's ids so that
        # TEMPLATE-YEAR reports the mix.
        split = next(
            (
                c for other in templates() if other is not template for c in row_correspondences(template, other)
                if c.split is template and c.single.s3.row(c.row).path == group
                and all(template.s3.row(r).path[:-1] == group for r in c.rows)
            ),
            None,
        )
        if split is None:
            if line.filled:
                a.note(f"{section}：{line.where}「{group[-1]}」一行在{template.name}格式中没有对应的行，未读入")
            continue
        target = template.s3.row(split.into)
        _put_s3_line(a, template, target.id, line, cells)
        for col in template.s3.columns:
            printed = line.values.get(col.id)
            if printed is not None:
                cells.foreign[f"s3.{split.row}.{col.id}"] = printed
        blank_rows = "、".join(f"「{template.s3.row(r).label}」" for r in split.rows if r != split.into)
        a.note(
            f"{section}：「{group[-1]}」按{split.single.name}格式只印了一行（{template.name}格式分为 "
            f"{len(split.rows)} 行），其数字按「{target.label}」读入，{blank_rows}按空白读入，请核对"
        )
    # The other way round: a 2019 report printing the three （六） rows of 2021, whose sum is
    # exactly what the 2019 row counts.
    for row in template.s3.rows:
        if row.id in walk.rows:
            continue
        for other in templates():
            if other is template:
                continue
            mapping = next(
                (c for c in row_correspondences(template, other) if c.single is template and c.row == row.id), None
            )
            if mapping is None:
                continue
            other_walk = walks[other.id]
            parts = [other.s3.row(r) for r in mapping.rows if r in other_walk.rows]
            if not parts:
                continue
            part_lines = [lines[other_walk.rows[r.id][0]] for r in parts]
            used.update(other_walk.rows[r.id][0] for r in parts)
            for col in template.s3.columns:
                if not any(col.id in ln.values for ln in part_lines):
                    continue
                summed = _sum_texts([ln.values.get(col.id, "") for ln in part_lines])
                if summed is not None:
                    cells.put(template, f"s3.{row.id}.{col.id}", summed)
            for r, ln in zip(parts, part_lines, strict=True):
                for col in template.s3.columns:
                    printed = ln.values.get(col.id)
                    if printed is not None:
                        cells.foreign[f"s3.{r.id}.{col.id}"] = printed
            a.note(
                f"{section}：「{row.label}」按{other.name}格式分 {len(parts)} 行印出，按各行之和读入"
                f"{template.name}格式的「{row.label}」一行，请核对"
            )
            break
    for i in walk.unmatched:
        if i in used:
            continue
        line = lines[i]
        text = _shown(" ".join(line.labels)) if line.labels else ""
        if not line.filled:
            if text and not any(_strong(t, _s3_header_entries()) for t in line.labels):
                a.note(f"{section}：{line.where}的文字「{text}」未读入")
            continue
        if text:
            a.note(f"{section}：{line.where}「{text}」不是表中的项目，其数字未读入")
        else:
            a.note(f"{section}：{line.where}有数字但没有项目名称，未读入")
    missing = [r for r in template.s3.rows if r.id not in walk.rows and not cells.has_row(f"s3.{r.id}.")]
    if walk.rows and missing:
        names = "、".join(f"「{r.label}」" for r in missing[:3]) + (f"等 {len(missing)} 行" if len(missing) > 3 else "")
        a.note(f"{section}：表格中没有 {names}，按空白读入")


def _put_s3_line(a: _Assembly, template: Template, row_id: str, line: _S3Line, cells: _Cells) -> None:
    section = template.section("s3").short
    row = template.s3.row(row_id)
    if line.short is not None:
        a.note(
            f"{section}：{line.where}「{row.label}」只有 {line.short} 个数字单元格"
            f"（应为 {len(template.s3.columns)} 个），无法确定各自属于哪一列，未读入"
        )
        return
    missing: list[str] = []
    merged: list[str] = []
    for col in template.s3.columns:
        if col.id not in line.values:
            missing.append(col.label)
            continue
        text = line.values[col.id]
        if text is None:
            merged.append(col.label)
            continue
        cells.put(template, f"s3.{row_id}.{col.id}", text)
    if len(missing) == len(template.s3.columns):
        a.note(f"{section}：{line.where}「{row.label}」没有数字单元格，按未印出读入")
    elif missing:
        columns = "、".join(f"「{c}」" for c in missing)
        a.note(f"{section}：{line.where}「{row.label}」没有{columns}列的单元格，按未印出读入")
    if merged:
        a.note(
            f"{section}：{line.where}「{row.label}」的" + "、".join(f"「{c}」" for c in merged)
            + "列是一个合并的单元格，无法确定数字属于哪一列，未读入"
        )


# --- section 四 ------------------------------------------------------------------------------------


def _read_s4(a: _Assembly, template: Template, tables: list[_Placed], cells: _Cells) -> None:
    """The one row of 15 numbers below the three header rows."""
    section = template.section("s4").short
    ids = [f"s4.{g.id}.{c.id}" for g in template.s4.groups for c in template.s4.columns]
    data: list[tuple[_Placed, list[_Cell]]] = []
    mappings: dict[int, dict[int, str]] = {}
    for placed in tables:
        header_rows = []
        for row in placed.rows:
            if sum(1 for c in row if c.text.strip() and _strong(c.text, _s4_header_entries())) >= 2:
                header_rows.append(row)
            elif row:
                data.append((placed, row))
        mappings[placed.index] = _s4_header_mapping(placed, header_rows, template)
    with_numbers = [(p, r) for p, r in data if any(not _blank_text(c.text) for c in r)]
    if not data:
        a.note(f"{section}：表格中没有数字行，按空白读入")
        return
    if len(with_numbers) > 1:
        a.note(f"{section}：表格中有 {len(with_numbers)} 行数字，只读入第一行")
    placed, row = with_numbers[0] if with_numbers else data[-1]
    by_col = mappings[placed.index] or {placed.width - len(ids) + k: cid for k, cid in enumerate(ids)}
    where = f"{placed.name}第 {row[0].row + 1} 行"
    missing: list[str] = []
    for col, cell_id in sorted(by_col.items()):
        cell = next((c for c in row if c.covers(col)), None)
        if cell is None:
            cdef = template.cell(cell_id)
            missing.append(f"{cdef.row_label}·{cdef.col_label}")
            continue
        if sum(1 for k in by_col if cell.covers(k)) > 1 and not _blank_text(cell.text):
            a.note(f"{section}：{where}「{_shown(cell.text)}」是跨几列的合并单元格，无法确定属于哪一列，未读入")
            continue
        cells.put(template, cell_id, cell.text)
    if missing:
        more = "等" if len(missing) > 3 else ""
        a.note(f"{section}：{where}缺少 {len(missing)} 个单元格（{'、'.join(missing[:3])}{more}），按未印出读入")


def _s4_header_mapping(placed: _Placed, header_rows: list[list[_Cell]], template: Template) -> dict[int, str]:
    """Grid column → cell id from the header's words (行政复议 / 未经复议直接起诉 / 复议后起诉 above
    结果维持 … 总计), when the grid is known and the header names all 15 columns; else {}."""
    if not placed.spans_known or not header_rows:
        return {}
    groups: list[tuple[_Cell, str]] = []
    leaves: list[tuple[_Cell, str]] = []
    for row in header_rows:
        for c in row:
            g = _strong(c.text, _s4_group_entries())
            if g is not None:
                groups.append((c, g.entry.key))
                continue
            m = _strong(c.text, _s4_column_entries())
            if m is not None:
                leaves.append((c, m.entry.key))
    out: dict[int, str] = {}
    for leaf, col_id in leaves:
        above = [(g, gid) for g, gid in groups if g.row < leaf.row and g.covers(leaf.col)]
        if not above:
            return {}
        out[leaf.col] = f"s4.{max(above, key=lambda item: item[0].row)[1]}.{col_id}"
    expected = {c.id for c in template.cells if c.section == "s4"}
    return out if set(out.values()) == expected and len(out) == len(expected) else {}


# --- title, headings, texts, signature ------------------------------------------------------------

_YEAR = r"(?P<year>[12１２][0-9０-９]{3})"
_TITLE_YEAR_FIRST = re.compile(_YEAR + r"年度?的?(?:政府信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)")
_TITLE_YEAR_LAST = re.compile(r"(?:政府信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)[(（]" + _YEAR + r"年?度?[)）]")
# "2024年度某某区政府信息公开工作年度报告": the year before the agency.
_TITLE_YEAR_AHEAD = re.compile(
    "^" + _YEAR + r"年度?(?P<agency>[^\d]{2,40}?)(?:政府信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)"
)
_HEADING_ORDINAL = re.compile(r"^\s*(?P<n>[一二三四五六七八九十])\s*[、.．,，]\s*")
_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
_CN_DATE = re.compile(
    r"^(?P<y>[〇零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日$"
)
_ORGAN_END = re.compile(r"(?:政府|办公室|办公厅|局|委员会|委|厅|办|中心|院|部|处|所|站|会|街道|镇|乡)$")
_UNIT_LINE = re.compile(r"^(?:计量)?单位[:：]")
# Lines that may follow the signature: （此件公开发布）, （盖章）, （联系人：…）.
_AFTER_SIGNATURE = re.compile(r"^[(（][^()（）]{1,30}[)）]$")
_PERIOD = re.compile(r"统计期限?(?:为|是)?自?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")


@dataclass
class _Title:
    start: int
    end: int  # paragraphs [start, end) are the title
    text: str
    agency: str
    year: int


def _find_title(paragraphs: list[str], limit: int) -> _Title | None:
    """The first one to three short paragraphs before the report's tables that read "<机关><YYYY>年
    政府信息公开工作年度报告" (a long title is broken into lines)."""
    for end in range(min(limit, TITLE_LOOKAHEAD)):
        found: _Title | None = None
        # The shortest window ending here, longer only while it names no agency (a line "附件" or a
        # document number above the title stays out of it).
        for start in range(end, max(end - 3, -1), -1):
            text = paragraphs[start].strip()
            if not text or len(text) > TITLE_MAX_CHARS:
                break
            joined = "".join(p.strip() for p in paragraphs[start : end + 1])
            compact = _SPACES.sub("", joined)
            for pattern in (_TITLE_YEAR_FIRST, _TITLE_YEAR_LAST, _TITLE_YEAR_AHEAD):
                m = pattern.search(compact)
                if m and not _NON_WORD.sub("", compact[m.end() :]):
                    named = m.group("agency") if pattern is _TITLE_YEAR_AHEAD else compact[: m.start()]
                    agency = re.sub(r"^[\W_]+|^关于|关于$|[\W_]+$", "", named)
                    found = _Title(start, end + 1, joined, agency, int(_nfkc(m.group("year"))))
                    break
            if found is not None and found.agency:
                return found
        if found is not None:
            return found
    return None


def _heading_score(text: str, number: int, heading: str) -> tuple[float, str] | None:
    """How well a paragraph reads as the heading of section `number` (1-6), and what follows a run-in
    heading ("六、其他需要报告的事项：无。")."""
    stripped = text.strip()
    target = _norm(heading).core
    m = _HEADING_ORDINAL.match(stripped)
    if m is None:
        found = _norm(stripped)
        if found.numbering is None and len(stripped) <= HEADING_MAX_CHARS and _similarity(found.core, target) >= 0.9:
            return 0.9, ""
        return None
    if _cn_number(m.group("n")) != number:
        return None
    rest = stripped[m.end() :]
    options: list[tuple[str, str]] = []
    if len(rest) <= HEADING_MAX_CHARS:
        options.append((rest, ""))
    cut = re.search(r"[。：:]", rest)
    if cut and cut.start() <= HEADING_MAX_CHARS:
        options.append((rest[: cut.start()], rest[cut.end() :].strip()))
    best: tuple[float, str] | None = None
    for head, remainder in options:
        score = _similarity(_norm(head).core, target)
        if score >= HEADING_THRESHOLD and (best is None or score > best[0]):
            best = (score, remainder)
    return best


def _windows(a: _Assembly) -> dict[str, tuple[int, int]]:
    """Where each heading may stand, from the tables: 二 before 二's table, 三 between 二's table and
    三's, 四 between 三's and 四's, 五 and 六 after the last."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for kind, position in zip(a.kinds, a.positions, strict=True):
        if kind is not None:
            first.setdefault(kind, position)
            last[kind] = position
    n = len(a.paragraphs)
    if not a.positions_known:
        return dict.fromkeys(("s1", "s2", "s3", "s4", "s5", "s6"), (0, n))
    after = max(last.values(), default=0)
    return {
        "s1": (0, min(first.values(), default=n)),
        "s2": (0, first.get("s2", first.get("s3", n))),
        "s3": (last.get("s2", 0), first.get("s3", first.get("s4", n))),
        "s4": (last.get("s3", last.get("s2", 0)), first.get("s4", n)),
        "s5": (after, n),
        "s6": (after, n),
    }


def _find_headings(a: _Assembly, template: Template, start: int) -> dict[str, tuple[int, str]]:
    """Paragraph index (and run-in remainder) of each section heading found: the in-order choice with
    the best total score, each within its window."""
    sections = list(template.sections)
    windows = _windows(a)
    candidates: list[list[tuple[int, float, str]]] = []
    for number, section in enumerate(sections, start=1):
        lo, hi = windows[section.id]
        found = []
        for i in range(max(lo, start), min(hi, len(a.paragraphs))):
            scored = _heading_score(a.paragraphs[i], number, section.heading)
            if scored is not None:
                found.append((i, scored[0], scored[1]))
        candidates.append(found)

    @cache
    def best(k: int, after: int) -> tuple[float, tuple[tuple[int, int, str], ...]]:
        if k == len(sections):
            return 0.0, ()
        choice = best(k + 1, after)
        for i, score, remainder in candidates[k]:
            if i >= after:
                rest_score, rest = best(k + 1, i + 1)
                if score + rest_score > choice[0]:
                    choice = (score + rest_score, ((k, i, remainder), *rest))
        return choice

    return {sections[k].id: (i, remainder) for k, i, remainder in best(0, start)[1]}


def _parse_date(text: str) -> str | None:
    """An ISO date from a signature line (2024年1月20日, ２０２４年…, 二〇二四年一月二十日); "" for the
    line left blank to date by hand (年 月 日); None when the line is no date."""
    compact = _SPACES.sub("", _nfkc(text))
    if compact == "年月日":
        return ""
    m = _DATE.match(compact)
    if m:
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    else:
        m = _CN_DATE.match(compact)
        if not m:
            return None
        y = int("".join(str(_CN_DIGITS[c]) for c in m.group("y")))
        mo, d = _cn_number(m.group("m")), _cn_number(m.group("d"))
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _looks_like_organ(text: str, agency: str) -> bool:
    text = _SPACES.sub("", text)
    if not text or len(text) > 40 or re.search(r"[。，,；;：:！？!?]", text):
        return False
    return text == agency or bool(_ORGAN_END.search(text))


@dataclass
class _Tail:
    """The signature closing the text: lines [start, end) of the lines searched; lines after it
    (a portal's print links and footer, （此件公开发布）) are not the report's text."""

    start: int
    end: int
    signature: Signature


def _signature(lines: list[str], agency: str) -> _Tail | None:
    """The organ and date among the last few lines; an organ alone when it closes the text."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for k in range(len(filled) - 1, max(len(filled) - 1 - SIGNATURE_LOOKBACK, -1), -1):
        i = filled[k]
        text = lines[i].strip()
        when = _parse_date(text)
        if when is not None:
            if k and _looks_like_organ(lines[filled[k - 1]], agency):
                return _Tail(filled[k - 1], i + 1, Signature(lines[filled[k - 1]].strip(), when))
            return _Tail(i, i + 1, Signature("", when))
        m = re.match(r"^(?P<organ>\S.*?)\s+(?P<date>\S+年\S*月\S*日)$", text)
        if m and _looks_like_organ(m.group("organ"), agency):
            parsed = _parse_date(m.group("date"))
            if parsed is not None:
                return _Tail(i, i + 1, Signature(m.group("organ").strip(), parsed))
    k = len(filled) - 1
    while k >= 0 and _AFTER_SIGNATURE.match(lines[filled[k]].strip()):
        k -= 1
    if k >= 0 and _looks_like_organ(lines[filled[k]], agency):  # an undated signature: the organ alone
        return _Tail(filled[k], filled[k] + 1, Signature(lines[filled[k]].strip(), ""))
    return None


_CONTACT_PATTERNS = {
    "address": re.compile(r"(?:通讯|联系|办公)?地址[:：]\s*(?P<v>[^，,；;。）)\n]+)"),
    "postcode": re.compile(r"邮(?:政)?编(?:码)?[:：]\s*(?P<v>[0-9０-９]{6})"),
    "phone": re.compile(
        r"(?:联系|咨询|办公)?电话(?:号码)?[:：]\s*(?P<v>[（(]?[0-9０-９][0-9０-９\-－—–（）() 、/]*[0-9０-９])"
    ),
    "email": re.compile(
        r"(?:电子)?(?:邮箱|信箱|邮件|E-?mail)(?:地址)?[:：]\s*(?P<v>[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]*[A-Za-z0-9])",
        re.IGNORECASE,
    ),
}


def _contact(text: str) -> Contact:
    found = {}
    for key, pattern in _CONTACT_PATTERNS.items():
        m = pattern.search(text)
        found[key] = m.group("v").strip() if m else ""
    return Contact(**found)


def _lines(paragraphs: Iterable[str]) -> list[str]:
    return [line.strip() for p in paragraphs for line in p.splitlines() if line.strip()]


# --- the assembly ---------------------------------------------------------------------------------


def _choose_template(a: _Assembly, year: int | None) -> Template:
    """The template most of the distinguishing labels belong to; among equals the year's (else the
    newest); the log says when the tables mix labels of formats that differ."""
    by_year = template_for_year(year) if year is not None else default_template()
    votes = {tid: labels for tid, labels in a.signals.items() if labels}
    if not votes:
        return by_year
    top = max(len(labels) for labels in votes.values())
    leaders = [tid for tid in template_ids() if len(votes.get(tid, ())) == top]
    chosen = by_year if by_year.id in leaders else load_template(leaders[0])
    mine = votes[chosen.id]
    # A template whose labels are all among the chosen one's (a variant of it) is no rival.
    rivals = [tid for tid in template_ids() if tid in votes and tid != chosen.id and not votes[tid] <= mine]
    if not rivals:
        return chosen
    rival = max(rivals, key=lambda tid: len(votes[tid]))
    theirs = votes[rival]
    if len(theirs) == top:
        a.note(
            f"表格中两版格式的栏目各有 {top} 处（{_sample(mine)}；{_sample(theirs)}），"
            f"按报告年度采用{chosen.name}格式读入"
        )
    else:
        a.note(
            f"表格混用两版格式：{chosen.name}格式的栏目 {top} 处（{_sample(mine)}），"
            f"{load_template(rival).name}格式的栏目 {len(theirs)} 处（{_sample(theirs)}），"
            f"按多数采用{chosen.name}格式读入"
        )
    return chosen


def _sample(labels: set[str]) -> str:
    ordered = sorted(labels, key=lambda x: (len(x), x))
    return "、".join(f"「{_shown(x, 20)}」" for x in ordered[:3]) + ("等" if len(ordered) > 3 else "")


def assemble(doc: ExtractedDocument) -> ImportResult:
    """The report a document holds, read by meaning: the template from the tables' columns and rows,
    the numbers of 二, 三 and 四, the title, the texts and the signature; ReportFileError when the
    document is not an annual report. A printed number is never repaired: totals go to
    report.printed as printed, and what cannot be placed with confidence is logged and left out."""
    a = _Assembly(doc)
    n = len(a.paragraphs)
    report_tables = [p for p, kind in zip(a.positions, a.kinds, strict=True) if kind is not None]
    title = _find_title(a.paragraphs, min(report_tables, default=n))
    start = title.end if title else 0
    default = default_template()
    rough = _find_headings(a, default, start)
    _classify_by_position(a, {sid: idx for sid, (idx, _) in rough.items()})

    lines = _s3_lines(a.tables_of("s3"))
    walks = {t.id: _walk_s3(lines, t) for t in templates()}
    if title is None and not any(w.rows for w in walks.values()):
        raise ReportFileError(
            "不是政府信息公开工作年度报告：没有找到报告标题，也没有「三、收到和处理政府信息公开申请情况」的表格"
        )
    s2_values = _read_s2(a, a.tables_of("s2"))
    _s3_signals(a, walks)
    template = _choose_template(a, title.year if title else None)
    headings = rough if template.id == default.id else _find_headings(a, template, start)

    agency, year = _identity(a, title, headings)
    report = Report(template_id=template.id, agency=agency, year=year)
    report.title = title.text if title else ""
    if title is None and not any(a.signals.values()):
        a.note(f"表格中没有可区分两版格式的栏目，按 {year} 年度采用{template.name}格式读入")

    cells = _Cells()
    _place_s2(a, template, s2_values, cells)
    if lines:
        _assign_s3(a, template, lines, walks, cells)
    else:
        a.note(f"没有找到「{template.section('s3').heading}」的表格，该部分按空白读入")
    if a.tables_of("s4"):
        _read_s4(a, template, a.tables_of("s4"), cells)
    else:
        a.note(f"没有找到「{template.section('s4').heading}」的表格，该部分按空白读入")
    _fill_cells(a, template, report, cells)
    _texts(a, template, report, start, headings)
    organ = _SPACES.sub("", report.signature.organ)
    if title is not None and organ != report.agency and organ.startswith(report.agency):
        # The government's report compiled by its office: the title names the government, the
        # signature the office that makes the report.
        report.agency = organ
    for placed, kind in zip(a.placed, a.kinds, strict=True):
        if kind is None:
            a.note(f"{placed.name}不是报告的统计表，未读入")
    return ImportResult(report, a.log)


def _identity(a: _Assembly, title: _Title | None, headings: dict[str, tuple[int, str]]) -> tuple[str, int]:
    """Agency and year from the title; else from the statistics period, the signature, and logged."""
    agency = title.agency if title else ""
    year = title.year if title else None
    if title is None:
        a.note("没有找到报告标题（“××××年政府信息公开工作年度报告”）")
    tail = _signature(a.paragraphs, agency)
    if year is None:
        before = a.paragraphs[: headings.get("s2", (len(a.paragraphs), ""))[0]]
        m = _PERIOD.search(_nfkc("\n".join(before)))
        if m:
            year = int(m.group(1))
            a.note(f"标题中没有年度，按统计期限读为 {year} 年度")
        elif tail is not None and tail.signature.date:
            year = int(tail.signature.date[:4]) - 1
            a.note(f"标题中没有年度，按落款日期读为 {year} 年度")
        else:
            year = date.today().year - 1
            a.note(f"无法确定报告年度，按 {year} 年度读入，请核对")
    if not agency:
        if tail is not None and tail.signature.organ:
            agency = tail.signature.organ
            a.note(f"标题中没有机关名称，按落款读为「{agency}」")
        else:
            agency = "（未识别的机关）"
            a.note("无法确定机关名称，请核对")
    return agency, year


def _place_s2(a: _Assembly, template: Template, values: list[_S2Value], cells: _Cells) -> None:
    section = template.section("s2").short
    for v in values:
        cell_id = f"s2.{v.row_id}.{v.field}"
        other = next((t for t in templates() if t.has_cell(cell_id)), None)
        if template.has_cell(cell_id):
            cells.inputs[cell_id] = v.text
        elif other is not None:
            cells.foreign[cell_id] = v.text
            a.note(
                f"{section}：{v.where}{other.cell(cell_id).place}是{other.name}格式的栏目，"
                f"{template.name}格式中没有，另行保留"
            )
        else:
            a.note(f"{section}：{v.where}的数字「{_shown(v.text)}」所在的栏目不属于这一行，未读入")


def _fill_cells(a: _Assembly, template: Template, report: Report, cells: _Cells) -> None:
    """Parse every text as its cell's kind; what is not a number goes in as printed (VALUE-INVALID)."""
    for store, computed in ((cells.inputs, False), (cells.printed, True)):
        for cell_id, text in store.items():
            cell = template.cell(cell_id)
            parsed = _parse_cell(text, cell.kind)
            if parsed.error is not None:
                a.note(f"{_where(template, cell_id)}：「{_shown(text)}」不是有效的数字，按原文读入（{parsed.error}）")
            if computed:
                report.printed[cell_id] = BLANK if parsed.is_blank else parsed
            elif not parsed.is_blank:
                report.inputs[cell_id] = parsed
    for cell_id, text in cells.foreign.items():
        kind = next(t for t in templates() if t.has_cell(cell_id)).cell(cell_id).kind
        report.foreign_cells[cell_id] = to_json_value(_parse_cell(text, kind), kind)


def _parse_cell(text: str, kind: CellKind) -> Parsed:
    """parse_value, except that numbers on two lines of one cell are not read as one number."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if sum(1 for ln in lines if _DIGIT.search(ln)) > 1:
        return Parsed(None, text, None, f"「{_shown(text)}」一个单元格中有几行数字")
    return parse_value(text, kind)


def _where(template: Template, cell_id: str) -> str:
    cell = template.cell(cell_id)
    return f"{template.section(cell.section).short}{cell.place}"


def _texts(a: _Assembly, template: Template, report: Report, start: int, headings: dict[str, tuple[int, str]]) -> None:
    """Preamble, the texts of 一, 五 and 六, the note under 二, the signature and the contact."""
    paragraphs = a.paragraphs
    n = len(paragraphs)
    for section in template.sections:
        if section.id not in headings:
            a.note(f"没有找到「{section.heading}」的标题")
    # A section's text runs from its heading to the next section's start: its heading, or its first
    # table when the heading is missing.
    first_table = {kind: pos for kind, pos in reversed(list(zip(a.kinds, a.positions, strict=True))) if kind}
    last_table: dict[str, int] = {}
    for kind, pos in zip(a.kinds, a.positions, strict=True):
        if kind:
            last_table[kind] = pos
    regions = [(idx, idx + 1, sid, rem) for sid, (idx, rem) in headings.items()]
    for sid in ("s2", "s3", "s4"):
        if sid not in headings and sid in first_table:
            regions.append((first_table[sid], first_table[sid], sid, ""))
    regions.sort()
    preamble_end = regions[0][0] if regions else min(a.positions, default=n)
    report.preamble = "\n".join(_lines(paragraphs[start:preamble_end]))
    report.contact = _contact(report.preamble)

    tail_from = max([*last_table.values(), *(r[1] for r in regions), start])
    end = n
    tail = _signature(paragraphs[tail_from:], report.agency)
    if tail is not None:
        end = tail_from + tail.start
        report.signature = tail.signature
        for line in _lines(paragraphs[tail_from + tail.end :]):
            a.note(f"落款后的文字「{_shown(line)}」未读入")
    texts: dict[str, list[str]] = {key: [] for key in TEXT_KEYS}
    for k, (_, body_start, sid, remainder) in enumerate(regions):
        stop = min(regions[k + 1][0], end) if k + 1 < len(regions) else end
        body = list(range(body_start, max(body_start, stop)))
        if sid in ("s1", "s5", "s6"):
            # A table of the office's own inside 一 leaves the prose around it in 一.
            texts[sid].extend([remainder] if remainder else [])
            texts[sid].extend(paragraphs[j] for j in body)
            continue
        after_table = last_table.get(sid)
        before = [remainder] if remainder else []
        before += [paragraphs[j] for j in body if after_table is None or j < after_table]
        after = [paragraphs[j] for j in body if after_table is not None and j >= after_table]
        short = template.section(sid).short
        for line in _lines(before):
            if not _UNIT_LINE.match(line) and not _CAPTION.fullmatch(_SPACES.sub("", _nfkc(line))):
                a.note(f"{short}：表格前的文字「{_shown(line)}」未读入")
        if sid == "s2":
            texts["s2_note"].extend(after)
        elif sid == "s4" and "s5" not in headings and _lines(after):
            texts["s5"].extend(after)
            a.note(f"没有「{template.section('s5').heading}」的标题，四的表格后的文字作为五读入")
        else:
            for line in _lines(after):
                if not _UNIT_LINE.match(line):
                    a.note(f"{short}：表格后的文字「{_shown(line)}」未读入")
    texts["s2_note"][:0] = a.s2_note_rows
    for key, lines in texts.items():
        report.texts[key] = "\n".join(_lines(lines))
