"""A report's prose by the document's structure: which paragraphs are the headings 一 to 六 in their
printed forms ("一、总体情况", "一．总体情况", "第一部分 总体情况", run in: "一、总体情况。今年……", the
number on a line of its own), and which paragraphs are the preamble (between the title and 一), the
texts of 一, 五 (up to 六; after the last table when 五 has no heading) and 六 (up to the signature),
and the note under 二; the contact details the preamble prints. Pure functions of the paragraphs, the
tables' positions and kinds, and where each paragraph stands (for the import log)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from core.report import Contact
from reading.labels import CAPTION, SPACES, cn_number, nfkc, norm, shown, similarity

SECTION_IDS = ("s1", "s2", "s3", "s4", "s5", "s6")
TABLE_SECTIONS = ("s2", "s3", "s4")
# A heading's words must resemble the format's this well (its number must be the right one); a
# heading standing without its number, this well.
HEADING_THRESHOLD = 0.55
UNNUMBERED_THRESHOLD = 0.9
UNNUMBERED_SHARE = 0.8
HEADING_MAX_CHARS = 40
# A numbered line whose words are not the format's is taken for the heading only where the heading
# belongs (just before its table, right after the preamble, after the last table) and when it reads
# like a heading: short, no sentence in it. It then scores this little, so a heading in words wins.
DOUBTFUL_SCORE = 0.3
DOUBTFUL_MAX_CHARS = 24
DOUBTFUL_REACH = 3  # paragraphs between such a heading and its table (or the preamble's end)
# A missing heading of 六 leaves its text at the end of 五: the last few paragraphs are looked at.
SIX_REACH = 3

_CN = "一二三四五六"
# The number of a level-1 heading: 一、 一． 一. 一， 一：, 第一部分 / 第一章, or 一 and a space.
_ORDINAL = re.compile(
    rf"^\s*(?:第(?P<part>[{_CN}])(?:部分|章|节)\s*[、.．,，:：]?|(?P<n>[{_CN}])\s*[、.．,，:：]|(?P<spaced>[{_CN}])\s+)\s*"
)
# A paragraph that is only a heading's number ("六、"), or the mark its lost number left ("、").
_NUMBER_ONLY = re.compile(rf"^\s*(?:第?(?P<n>[{_CN}])?(?:部分)?\s*[、.．,，:：]?)\s*$")
_RUN_IN_CUT = re.compile(r"[。：:]")
_SENTENCE = re.compile(r"[。；;！？!?]")
_PUNCTUATION_ONLY = re.compile(r"^[\W_]*$")
_UNIT_LINE = re.compile(r"^(?:计量)?单位[:：]")
# A portal's article information between the title and the text.
_ARTICLE_INFO = re.compile(
    r"^(?:发布时间|发布日期|发文日期|信息来源|来源|浏览次数|点击数|访问量|字号|【)|浏览次数|阅读次数"
)
# What a preamble says (legal basis, statistics period, download, contact) and what 六 says.
_PREAMBLE_WORDS = re.compile(
    r"本(?:年度)?报告|统计(?:期限|时限|时间|期间)|以下简称《条例》|联系[（(]|联系电话|邮编|邮政编码|电子版|下载"
)
_SIX_WORDS = re.compile(r"信息处理费|其他需要报告|无其他|^无[。.]?$")


@dataclass(frozen=True)
class Heading:
    """A section heading found: the paragraph holding its words, the text after a run-in heading, the
    first paragraph it takes (its number may stand on the line before), and whether only its number
    and place made it a heading (its words differ from the format's)."""

    index: int
    remainder: str = ""
    first: int = -1
    doubtful: bool = False
    printed: str = ""

    @property
    def start(self) -> int:
        return self.first if self.first >= 0 else self.index


@dataclass(frozen=True)
class Section:
    """A section of the format: its id (s1…s6), its heading, its short name (一 … 六)."""

    id: str
    heading: str
    short: str

    @property
    def number(self) -> str:
        """一 … 六, as the log names a section briefly."""
        return self.heading[:1]


@dataclass(frozen=True)
class TablePlace:
    position: int  # paragraphs before the table
    kind: str | None  # s2, s3, s4, or None for a table that is not one of the report's


@dataclass
class Prose:
    """The prose of a report by section, and the import log's lines on what was uncertain."""

    preamble: list[str] = field(default_factory=list)
    preamble_at: int = -1  # the preamble's first paragraph, for the log
    texts: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in ("s1", "s2_note", "s5", "s6")})
    notes: list[str] = field(default_factory=list)


Place = Callable[[int], str]


def _at(place: Place, index: int, *, onwards: bool = False) -> str:
    """The place for the log, "（第 3 页第 12 行起）", or "" when the reader cannot say where a paragraph stands."""
    where = place(index) if index >= 0 else ""
    if not where:
        return ""
    return f"（{where}{'起' if onwards else ''}）"


# --- headings ---------------------------------------------------------------------------------------


def _run_in_options(rest: str) -> list[tuple[str, str]]:
    """The heading's words and the text after them: the whole rest, or up to a full stop or colon."""
    options: list[tuple[str, str]] = []
    if len(rest) <= HEADING_MAX_CHARS:
        options.append((rest, ""))
    cut = _RUN_IN_CUT.search(rest)
    if cut and cut.start() <= HEADING_MAX_CHARS:
        options.append((rest[: cut.start()], rest[cut.end() :].strip()))
    return options


def _numbered(text: str, number: int, target: str) -> tuple[float, str, bool] | None:
    """A numbered line read as heading `number`: its score, run-in remainder, and whether doubtful."""
    m = _ORDINAL.match(text)
    if m is None:
        return None
    digit = m.group("part") or m.group("n") or m.group("spaced")
    if cn_number(digit) != number:
        return None
    rest = text[m.end() :].strip()
    best: tuple[float, str, bool] | None = None
    for head, remainder in _run_in_options(rest):
        score = similarity(norm(head).core, target)
        if score >= HEADING_THRESHOLD and (best is None or 1.0 + score > best[0]):
            best = (1.0 + score, remainder, False)
    if best is None and m.group("spaced") is None and _reads_like_heading(rest):
        return DOUBTFUL_SCORE, "", True
    return best


def _reads_like_heading(words: str) -> bool:
    core = norm(words).core
    return 0 < len(core) <= DOUBTFUL_MAX_CHARS and not _SENTENCE.search(words) and norm(words).numbering is None


def _unnumbered(paragraphs: Sequence[str], i: int, number: int, target: str) -> tuple[float, int] | None:
    """The format's heading words standing alone (Word's automatic number is not in the text, or it
    stands on the line before, or only its mark "、" is left): the score and the heading's first line."""
    text = paragraphs[i].strip()
    found = norm(text)
    if _ORDINAL.match(text) or found.numbering is not None or len(text) > HEADING_MAX_CHARS:
        return None
    # All the heading's words: a sub-topic "（一）主动公开" whose number Word keeps apart is not 二's
    # "主动公开政府信息情况".
    if similarity(found.core, target) < UNNUMBERED_THRESHOLD or len(found.core) < UNNUMBERED_SHARE * len(target):
        return None
    first = i
    if i > 0:
        mark = _NUMBER_ONLY.match(paragraphs[i - 1])
        if mark and paragraphs[i - 1].strip() and (mark.group("n") is None or cn_number(mark.group("n")) == number):
            first = i - 1
    return 0.9 + (0.1 if first < i else 0.0), first


def heading_candidate(paragraphs: Sequence[str], i: int, number: int, heading: str) -> tuple[Heading, float] | None:
    """Paragraph i read as the heading of section `number` (1–6), with its score; None when it is not."""
    target = norm(heading).core
    text = paragraphs[i].strip()
    numbered = _numbered(text, number, target)
    if numbered is not None:
        score, remainder, doubtful = numbered
        return Heading(i, remainder, i, doubtful, text), score
    alone = _unnumbered(paragraphs, i, number, target)
    if alone is not None:
        score, first = alone
        return Heading(i, "", first, False, text), score
    return None


_GLUE = re.compile(
    r"(?<=[。；;！？!?”])\s*(?=第[一二三四五六](?:部分|章)|[一二三四五六]\s*[、.．,，:：]|[、.．,，]\s*$)"
)


def unglue_headings(paragraphs: Sequence[str], headings: Sequence[str]) -> tuple[list[str], list[int]]:
    """The paragraphs with a level-1 heading that a PDF's line join glued to the end of the paragraph
    before it split off again: "……提高解读效果。六、其他需要报告的事项" (the heading set flush left
    after a full line), or "……提高解读效果。六、" / "……效果。、" before the heading's words on a line of
    their own (its number set apart, or lost with only its mark left). Only the format's heading words
    count. Also, for each paragraph, the one it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, text in enumerate(paragraphs):
        following = paragraphs[i + 1] if i + 1 < len(paragraphs) else ""
        pieces = [text]
        for m in reversed(list(_GLUE.finditer(text))):
            tail = pieces[0][m.end() :]
            if _glued_heading(tail, headings) or _glued_number(tail, following, headings):
                pieces[0:1] = [pieces[0][: m.start()], tail]
        out.extend(pieces)
        origin.extend([i] * len(pieces))
    return out, origin


def _glued_heading(text: str, headings: Sequence[str]) -> bool:
    m = _ORDINAL.match(text)
    if m is None:
        return False
    number = cn_number(m.group("part") or m.group("n") or m.group("spaced"))
    target = norm(headings[number - 1]).core
    return any(
        similarity(norm(head).core, target) >= UNNUMBERED_THRESHOLD for head, _ in _run_in_options(text[m.end() :])
    )


def _glued_number(text: str, following: str, headings: Sequence[str]) -> bool:
    """A heading's number alone (or the mark of a lost one) glued on, and its words on the next line."""
    mark = _NUMBER_ONLY.match(text)
    if mark is None or not text.strip() or len(following) > HEADING_MAX_CHARS or _ORDINAL.match(following):
        return False
    numbers = [cn_number(mark.group("n"))] if mark.group("n") else range(1, len(headings) + 1)
    core = norm(following).core
    return any(similarity(core, norm(headings[n - 1]).core) >= UNNUMBERED_THRESHOLD for n in numbers)


def windows(tables: Sequence[TablePlace], n: int, positions_known: bool) -> dict[str, tuple[int, int]]:
    """Where each heading may stand, from the report's tables: 一 before the first, 二 before 二's table,
    三 between 二's table and 三's, 四 between 三's and 四's, 五 and 六 after the last."""
    if not positions_known:
        return dict.fromkeys(SECTION_IDS, (0, n))
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for t in tables:
        if t.kind is not None:
            first.setdefault(t.kind, t.position)
            last[t.kind] = t.position
    after = max(last.values(), default=0)
    return {
        "s1": (0, min(first.values(), default=n)),
        "s2": (0, first.get("s2", first.get("s3", n))),
        "s3": (last.get("s2", 0), first.get("s3", first.get("s4", n))),
        "s4": (last.get("s3", last.get("s2", 0)), first.get("s4", n)),
        "s5": (after, n),
        "s6": (after, n),
    }


def _where_doubtful_fits(sid: str, i: int, start: int, tables: Sequence[TablePlace], window: tuple[int, int]) -> bool:
    """A heading known by its number only stands where its section begins: 一 right after the preamble,
    二–四 just before their table, 五 and 六 anywhere after the last table."""
    if sid == "s1":
        return i - start < DOUBTFUL_REACH + 1
    if sid in TABLE_SECTIONS:
        return any(t.kind == sid and 0 < t.position - i <= DOUBTFUL_REACH for t in tables)
    return window[0] <= i


def find_headings(
    paragraphs: Sequence[str],
    sections: Sequence[Section],
    tables: Sequence[TablePlace],
    start: int,
    positions_known: bool = True,
) -> dict[str, Heading]:
    """The headings found, each within its window, in order: the choice with the best total score."""
    spans = windows(tables, len(paragraphs), positions_known)
    candidates: list[list[tuple[Heading, float]]] = []
    for number, section in enumerate(sections, start=1):
        lo, hi = spans[section.id]
        found: list[tuple[Heading, float]] = []
        for i in range(max(lo, start), min(hi, len(paragraphs))):
            candidate = heading_candidate(paragraphs, i, number, section.heading)
            if candidate is None or candidate[0].start < start:
                continue
            if candidate[0].doubtful and not _where_doubtful_fits(section.id, i, start, tables, (lo, hi)):
                continue
            found.append(candidate)
        candidates.append(found)

    @cache
    def best(k: int, after: int) -> tuple[float, tuple[tuple[int, Heading], ...]]:
        if k == len(sections):
            return 0.0, ()
        choice = best(k + 1, after)
        for h, score in candidates[k]:
            if h.start >= after:
                rest_score, rest = best(k + 1, h.index + 1)
                if score + rest_score > choice[0]:
                    choice = (score + rest_score, ((k, h), *rest))
        return choice

    return {sections[k].id: h for k, h in best(0, start)[1]}


# --- the prose of each section ----------------------------------------------------------------------


@dataclass
class _Layout:
    """One document's prose being laid out: its paragraphs, tables, sections and headings."""

    paragraphs: Sequence[str]
    tables: Sequence[TablePlace]
    sections: dict[str, Section]
    headings: dict[str, Heading]
    place: Place
    prose: Prose = field(default_factory=Prose)
    # The paragraph each line of a text came from (-1: the words after a run-in heading).
    sources: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in ("s1", "s2_note", "s5", "s6")})

    def add(self, key: str, indices: Sequence[int], remainder: str = "", at: int = -1) -> None:
        if remainder:
            self.prose.texts[key].append(remainder)
            self.sources[key].append(at)
        for j in self.filled(indices):
            self.prose.texts[key].append(self.paragraphs[j].strip())
            self.sources[key].append(j)

    def note(self, line: str) -> None:
        if line not in self.prose.notes:
            self.prose.notes.append(line)

    def text(self, indices: range | Sequence[int]) -> list[str]:
        """The paragraphs' text, without stray marks ("、" left by a lost heading number)."""
        out = []
        for j in indices:
            line = self.paragraphs[j].strip()
            if line and not _PUNCTUATION_ONLY.match(line):
                out.append(line)
        return out

    def filled(self, indices: Sequence[int]) -> list[int]:
        return [j for j in indices if self.text([j])]


def _regions(layout: _Layout, end: int) -> list[tuple[int, int, str]]:
    """(first paragraph of the section's text, end, section id) for each section found: from its heading,
    or from its first table when its heading is missing, to the next section's start."""
    first_table: dict[str, int] = {}
    for t in layout.tables:
        if t.kind is not None:
            first_table.setdefault(t.kind, t.position)
    starts: list[tuple[int, int, str]] = []  # (section start, body start, id)
    for sid, h in layout.headings.items():
        starts.append((h.start, h.index + 1, sid))
    for sid in TABLE_SECTIONS:
        if sid not in layout.headings and sid in first_table:
            starts.append((first_table[sid], first_table[sid], sid))
    starts.sort()
    out = []
    for k, (_, body, sid) in enumerate(starts):
        stop = min(starts[k + 1][0], end) if k + 1 < len(starts) else end
        out.append((body, max(body, stop), sid))
    return out


def _preamble(layout: _Layout, start: int, stop: int) -> None:
    """Between the title and 一: the preamble. Without a heading of 一, the preamble is the opening
    paragraphs that say what a preamble says (the law, the statistics period, the contact); the rest is 一."""
    indices = [j for j in layout.filled(range(start, stop)) if not _ARTICLE_INFO.search(layout.paragraphs[j])]
    layout.prose.preamble_at = indices[0] if indices else -1
    if "s1" in layout.headings:
        layout.prose.preamble = layout.text(indices)
        return
    said = [k for k, j in enumerate(indices[:DOUBTFUL_REACH]) if _PREAMBLE_WORDS.search(layout.paragraphs[j])]
    cut = said[-1] + 1 if said else 0
    layout.prose.preamble = layout.text(indices[:cut])
    rest = indices[cut:]
    if rest:
        layout.add("s1", rest)
        layout.note(f"前言后的文字作为一读入{_at(layout.place, rest[0], onwards=True)}")


def _text_section(layout: _Layout, sid: str, body: range, heading: Heading | None) -> None:
    """一, 五 or 六 from its heading to the next section (a table of the office's own inside 一 leaves
    the prose around it in 一)."""
    if heading is None:
        layout.add(sid, body)
    else:
        layout.add(sid, body, heading.remainder, heading.index)


def _table_section(layout: _Layout, sid: str, body: range, remainder: str, last_report_table: int) -> None:
    """二, 三 or 四: text before the section's last table is its caption or unit line, or logged; text
    after it is the note under 二; after the last of the report's tables and without a heading of 五, it
    is 五; otherwise logged."""
    own = [t.position for t in layout.tables if t.kind == sid]
    after_table = own[-1] if own else None
    short = layout.sections[sid].short
    heading = layout.headings.get(sid)
    before = [(remainder, heading.index if heading else -1)] if remainder else []
    before += [(layout.paragraphs[j].strip(), j) for j in layout.filled(body) if after_table is None or j < after_table]
    for line, j in before:
        if not _UNIT_LINE.match(line) and not CAPTION.fullmatch(SPACES.sub("", nfkc(line))):
            layout.note(f"{short}：表格前的文字「{shown(line)}」未读入{_at(layout.place, j)}")
    after = [j for j in layout.filled(body) if after_table is not None and j >= after_table]
    if sid == "s2":
        layout.add("s2_note", after)
    elif after and after_table == last_report_table and "s5" not in layout.headings:
        layout.add("s5", after)
        layout.note(f"{layout.sections[sid].number}的表格后的文字作为五读入{_at(layout.place, after[0], onwards=True)}")
    else:
        for j in after:
            line = layout.paragraphs[j].strip()
            if not _UNIT_LINE.match(line):
                layout.note(f"{short}：表格后的文字「{shown(line)}」未读入{_at(layout.place, j)}")


def _six_from_five(layout: _Layout) -> None:
    """Without a heading of 六, its text ends 五: the last paragraphs that speak of the fee or of other
    matters to report ("本年度未收取信息处理费", "无其他需要报告的事项") are 六."""
    if "s6" in layout.headings:
        return
    five = layout.prose.texts["s5"]
    reach = range(max(1 if "s5" in layout.headings else 0, len(five) - SIX_REACH), len(five))
    cut = next((k for k in reach if _SIX_WORDS.search(five[k])), None)
    if cut is None:
        return
    index = layout.sources["s5"][cut]
    layout.prose.texts["s6"][:0] = five[cut:]
    layout.sources["s6"][:0] = layout.sources["s5"][cut:]
    del five[cut:], layout.sources["s5"][cut:]
    layout.note(f"五末尾说明信息处理费或其他事项的文字作为六读入{_at(layout.place, index)}")


def lay_out(
    paragraphs: Sequence[str],
    tables: Sequence[TablePlace],
    sections: Sequence[Section],
    headings: dict[str, Heading],
    start: int,
    end: int,
    place: Place = lambda i: "",
) -> Prose:
    """The preamble, the texts of 一, 五 and 六 and the note under 二 of paragraphs [start, end) (after
    the title, before the signature), and the log's lines on what was uncertain: headings missing or
    known only by their number, text placed by where it stands, each with where it is in the file."""
    layout = _Layout(paragraphs, tables, {s.id: s for s in sections}, headings, place)
    regions = _regions(layout, end)
    for s in sections:
        h = headings.get(s.id)
        if h is None:
            layout.note(f"没有找到「{s.heading}」的标题")
        elif h.doubtful:
            layout.note(f"「{s.heading}」的标题按「{shown(h.printed, 24)}」读入{_at(place, h.index)}")
    report_tables = [t.position for t in tables if t.kind is not None]
    _preamble(layout, start, _section_start(layout, regions[0]) if regions else min(report_tables, default=end))
    last_report_table = max(report_tables, default=-1)
    for body_start, stop, sid in regions:
        if sid in TABLE_SECTIONS:
            remainder = headings[sid].remainder if sid in headings else ""
            _table_section(layout, sid, range(body_start, stop), remainder, last_report_table)
        else:
            _text_section(layout, sid, range(body_start, stop), headings.get(sid))
    _six_from_five(layout)
    return layout.prose


def _section_start(layout: _Layout, region: tuple[int, int, str]) -> int:
    body, _, sid = region
    h = layout.headings.get(sid)
    return h.start if h is not None else body


# --- contact ------------------------------------------------------------------------------------------

_FIELD_NAMES = {"address": "地址", "postcode": "邮编", "phone": "电话", "email": "电子邮箱"}
_SAID = r"\s*(?:[:：]|为|是)?\s*"
_KEYWORDS = {
    "address": re.compile(r"地址"),
    "postcode": re.compile(r"邮政编码|邮编"),
    "phone": re.compile(r"电话"),
    "email": re.compile(r"邮箱|信箱|电子邮件|e-?mail", re.IGNORECASE),
}
_ADDRESS = re.compile(r"(?:通讯|通信|联系|办公)?地址" + _SAID + r"(?P<v>[^，,；;。\n]+)")
_ADDRESS_END = re.compile(r"\s*(?:邮政编码|邮编|联系电话|咨询电话|电话|电子邮箱|邮箱|传真)")
_POSTCODE = re.compile(r"(?:邮政编码|邮编(?:码)?)" + _SAID + r"(?P<v>[0-9０-９]{6})(?![0-9０-９])")
_PHONE = re.compile(
    r"(?:联系|咨询|办公|投诉)?电话(?:号码)?" + _SAID + r"(?P<v>[（(]?[0-9０-９][0-9０-９\-－—–（）() 、/]*[0-9０-９])"
)
_EMAIL = re.compile(
    r"(?:电子)?(?:邮箱|信箱|邮件|e-?mail)(?:地址)?" + _SAID + r"(?P<v>[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]*[A-Za-z0-9])",
    re.IGNORECASE,
)
_DIGITS = str.maketrans("０１２３４５６７８９－—–", "0123456789---")


def _address(text: str) -> str:
    m = _ADDRESS.search(text)
    if not m:
        return ""
    value = m.group("v")
    end = _ADDRESS_END.search(value)
    if end:
        value = value[: end.start()]
    depth = 0
    for k, ch in enumerate(value):  # an address may hold brackets, but stops at the one closing around it
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            if depth == 0:
                value = value[:k]
                break
            depth -= 1
    return value.strip()


def read_contact(text: str) -> tuple[Contact, list[str]]:
    """The address, postcode, phone and e-mail a text prints, wherever it prints them, and the names of
    the details it names but that could not be read ("邮箱：gk（at）example.cn")."""
    found = {
        "address": _address(text),
        "postcode": (m.group("v").translate(_DIGITS) if (m := _POSTCODE.search(text)) else ""),
        "phone": (m.group("v").strip().translate(_DIGITS) if (m := _PHONE.search(text)) else ""),
        "email": (m.group("v") if (m := _EMAIL.search(text)) else ""),
    }
    unread = [_FIELD_NAMES[k] for k, v in found.items() if not v and _KEYWORDS[k].search(text)]
    return Contact(**found), unread


def contact_of(preamble: Sequence[str], where: str = "") -> tuple[Contact, list[str]]:
    """The contact the preamble prints, and the log's line when it names a detail that was not read."""
    contact, unread = read_contact("\n".join(preamble))
    notes = []
    if unread:
        at = f"（{where}）" if where else ""
        notes.append(f"前言写有{'、'.join(unread)}，但没有读出{at}，请在联系方式中填写")
    return contact, notes
