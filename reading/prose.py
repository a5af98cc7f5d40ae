"""The report's prose: the title (agency and year), the headings 一 to 六, the texts between them, the
note under 二, the signature (organ and date) and the contact details."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.report import TEXT_KEYS, Report, Signature
from core.template import Template
from reading.labels import CN_DIGITS, NON_WORD, SPACES, cn_number, nfkc, shown
from reading.state import ReadState
from reading.structure import Heading, Section, TablePlace, contact_of, lay_out
from reading.structure import find_headings as structure_headings

TITLE_MAX_CHARS = 60
# The title is looked for among the first lines, the signature among the last ones (a page saved from
# a portal has its menu before the title and its print links and footer after the signature).
TITLE_LOOKAHEAD = 15
SIGNATURE_LOOKBACK = 6

_YEAR = r"(?P<year>[12１２][0-9０-９]{3})"
_TITLE_YEAR_FIRST = re.compile(_YEAR + r"年度?的?(?:政府信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)")
_TITLE_YEAR_LAST = re.compile(r"(?:政府信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)[(（]" + _YEAR + r"年?度?[)）]")
# "2024年度某某区政府信息公开工作年度报告": the year before the agency.
_TITLE_YEAR_AHEAD = re.compile(
    "^" + _YEAR + r"年度?(?P<agency>[^\d]{2,40}?)(?:政府信息|政务)公开(?:工作)?(?:年度)?(?:报告|年报)"
)
_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
_CN_DATE = re.compile(
    r"^(?P<y>[〇零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日$"
)
_ORGAN_END = re.compile(r"(?:政府|办公室|办公厅|局|委员会|委|厅|办|中心|院|部|处|所|站|会|街道|镇|乡)$")
# A date in brackets under the title: （2023年1月）, （2022年度）.
_DATELINE = re.compile(r"^[(（][0-9０-９〇零一二三四五六七八九十年月日度\-.]{2,16}[)）]$")
# Lines that may follow the signature: （此件公开发布）, （盖章）, （联系人：…）.
_AFTER_SIGNATURE = re.compile(r"^[(（][^()（）]{1,30}[)）]$")


@dataclass
class Title:
    start: int
    end: int  # paragraphs [start, end) are the title
    text: str
    agency: str
    year: int


def find_title(paragraphs: list[str], limit: int) -> Title | None:
    """The first one to three short paragraphs before the report's tables that read "<机关><YYYY>年
    政府信息公开工作年度报告" (a long title is broken into lines), with a date in brackets under it
    ("（2023年1月）") left out of the title and of the preamble."""
    for end in range(min(limit, TITLE_LOOKAHEAD)):
        found: Title | None = None
        # The shortest window ending here, longer only while it names no agency (a line "附件" or a
        # document number above the title stays out of it).
        for start in range(end, max(end - 3, -1), -1):
            text = paragraphs[start].strip()
            if not text or len(text) > TITLE_MAX_CHARS:
                break
            found = _title_in(paragraphs, start, end)
            if found is not None and found.agency:
                return _past_dateline(paragraphs, found)
        if found is not None:
            return _past_dateline(paragraphs, found)
    return None


def _title_in(paragraphs: list[str], start: int, end: int) -> Title | None:
    joined = "".join(p.strip() for p in paragraphs[start : end + 1])
    compact = SPACES.sub("", joined)
    for pattern in (_TITLE_YEAR_FIRST, _TITLE_YEAR_LAST, _TITLE_YEAR_AHEAD):
        m = pattern.search(compact)
        if m is None:
            continue
        rest = compact[m.end() :]
        if NON_WORD.sub("", rest) and not _DATELINE.match(rest):
            continue
        named = m.group("agency") if pattern is _TITLE_YEAR_AHEAD else compact[: m.start()]
        agency = re.sub(r"^[\W_]+|^关于|关于$|[\W_]+$", "", named)
        text = joined if not rest else compact[: m.end()]
        return Title(start, end + 1, text, agency, int(nfkc(m.group("year"))))
    return None


def _past_dateline(paragraphs: list[str], title: Title) -> Title:
    """The title with the date line printed under it, when there is one."""
    if title.end < len(paragraphs) and _DATELINE.match(SPACES.sub("", paragraphs[title.end])):
        return Title(title.start, title.end + 1, title.text, title.agency, title.year)
    return title


def sections_of(template: Template) -> list[Section]:
    return [Section(s.id, s.heading, s.short) for s in template.sections]


def table_places(state: ReadState) -> list[TablePlace]:
    return [TablePlace(position, kind) for position, kind in zip(state.positions, state.kinds, strict=True)]


def find_headings(state: ReadState, template: Template, start: int) -> dict[str, Heading]:
    """The headings 一 to 六 found after the title, each where the tables allow it (see
    reading.structure.find_headings)."""
    return structure_headings(
        state.paragraphs, sections_of(template), table_places(state), start, state.positions_known
    )


def _parse_date(text: str) -> str | None:
    """An ISO date from a signature line (2024年1月20日, ２０２４年…, 二〇二四年一月二十日); "" for the
    line left blank to date by hand (年 月 日); None when the line is no date."""
    compact = SPACES.sub("", nfkc(text))
    if compact == "年月日":
        return ""
    m = _DATE.match(compact)
    if m:
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    else:
        m = _CN_DATE.match(compact)
        if not m:
            return None
        y = int("".join(str(CN_DIGITS[c]) for c in m.group("y")))
        mo, d = cn_number(m.group("m")), cn_number(m.group("d"))
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _looks_like_organ(text: str, agency: str) -> bool:
    text = SPACES.sub("", text)
    if not text or len(text) > 40 or re.search(r"[。，,；;：:！？!?]", text):
        return False
    return text == agency or bool(_ORGAN_END.search(text))


@dataclass
class Tail:
    """The signature closing the text: lines [start, end) of the lines searched; lines after it
    (a portal's print links and footer, （此件公开发布）) are not the report's text."""

    start: int
    end: int
    signature: Signature


def find_signature(lines: list[str], agency: str) -> Tail | None:
    """The organ and date among the last few lines; an organ alone when it closes the text."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for k in range(len(filled) - 1, max(len(filled) - 1 - SIGNATURE_LOOKBACK, -1), -1):
        i = filled[k]
        text = lines[i].strip()
        when = _parse_date(text)
        if when is not None:
            if k and _looks_like_organ(lines[filled[k - 1]], agency):
                return Tail(filled[k - 1], i + 1, Signature(lines[filled[k - 1]].strip(), when))
            return Tail(i, i + 1, Signature("", when))
        m = re.match(r"^(?P<organ>\S.*?)\s+(?P<date>\S+年\S*月\S*日)$", text)
        if m and _looks_like_organ(m.group("organ"), agency):
            parsed = _parse_date(m.group("date"))
            if parsed is not None:
                return Tail(i, i + 1, Signature(m.group("organ").strip(), parsed))
    k = len(filled) - 1
    while k >= 0 and _AFTER_SIGNATURE.match(lines[filled[k]].strip()):
        k -= 1
    if k >= 0 and _looks_like_organ(lines[filled[k]], agency):  # an undated signature: the organ alone
        return Tail(filled[k], filled[k] + 1, Signature(lines[filled[k]].strip(), ""))
    return None


def _lines(paragraphs: Iterable[str]) -> list[str]:
    return [line.strip() for p in paragraphs for line in p.splitlines() if line.strip()]


# --- the texts ------------------------------------------------------------------------------------


def _read_signature(state: ReadState, report: Report, tail_from: int) -> int:
    """The signature among the last paragraphs after `tail_from`; where the text ends. What follows the
    signature (a portal's print links and footer) is logged as not read."""
    tail = find_signature(state.paragraphs[tail_from:], report.agency)
    if tail is None:
        return len(state.paragraphs)
    report.signature = tail.signature
    for line in _lines(state.paragraphs[tail_from + tail.end :]):
        state.note(f"落款后的文字「{shown(line)}」未读入")
    return tail_from + tail.start


def _read_contact(state: ReadState, report: Report, preamble_at: int) -> None:
    """The contact details the preamble prints; the log says which ones it names but were not read."""
    where = state.place(preamble_at)
    report.contact, notes = contact_of(report.preamble.splitlines(), f"{where}起" if where else "")
    for line in notes:
        state.note(line)


def read_texts(state: ReadState, template: Template, report: Report, start: int, headings: dict[str, Heading]) -> None:
    """The preamble, the texts of 一, 五 and 六 and the note under 二 by the document's structure (see
    reading.structure.lay_out), the signature and the contact."""
    report_tables = [pos for pos, kind in zip(state.positions, state.kinds, strict=True) if kind]
    tail_from = max([*report_tables, *(h.index + 1 for h in headings.values()), start])
    end = _read_signature(state, report, tail_from)
    prose = lay_out(state.paragraphs, table_places(state), sections_of(template), headings, start, end, state.place)
    for line in prose.notes:
        state.note(line)
    report.preamble = "\n".join(_lines(prose.preamble))
    texts = dict(prose.texts)
    texts["s2_note"] = [*state.s2_note_rows, *texts["s2_note"]]
    for key in TEXT_KEYS:
        report.texts[key] = "\n".join(_lines(texts.get(key, [])))
    _read_contact(state, report, prose.preamble_at)
