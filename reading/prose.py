"""The report's prose: the title (agency and year), the headings 一 to 六, the texts between them, the
note under 二, the signature (organ and date) and the contact details."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from core.report import TEXT_KEYS, Contact, Report, Signature
from core.template import Template
from reading.labels import CAPTION, CN_DIGITS, NON_WORD, SPACES, cn_number, nfkc, norm, shown, similarity
from reading.state import ReadState

# A heading needs less, as its leading 一、… 六、 must be the right one; and at most this many characters.
HEADING_THRESHOLD = 0.55
HEADING_MAX_CHARS = 40
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
_HEADING_ORDINAL = re.compile(r"^\s*(?P<n>[一二三四五六七八九十])\s*[、.．,，]\s*")
_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
_CN_DATE = re.compile(
    r"^(?P<y>[〇零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日$"
)
_ORGAN_END = re.compile(r"(?:政府|办公室|办公厅|局|委员会|委|厅|办|中心|院|部|处|所|站|会|街道|镇|乡)$")
_UNIT_LINE = re.compile(r"^(?:计量)?单位[:：]")
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
    政府信息公开工作年度报告" (a long title is broken into lines)."""
    for end in range(min(limit, TITLE_LOOKAHEAD)):
        found: Title | None = None
        # The shortest window ending here, longer only while it names no agency (a line "附件" or a
        # document number above the title stays out of it).
        for start in range(end, max(end - 3, -1), -1):
            text = paragraphs[start].strip()
            if not text or len(text) > TITLE_MAX_CHARS:
                break
            joined = "".join(p.strip() for p in paragraphs[start : end + 1])
            compact = SPACES.sub("", joined)
            for pattern in (_TITLE_YEAR_FIRST, _TITLE_YEAR_LAST, _TITLE_YEAR_AHEAD):
                m = pattern.search(compact)
                if m and not NON_WORD.sub("", compact[m.end() :]):
                    named = m.group("agency") if pattern is _TITLE_YEAR_AHEAD else compact[: m.start()]
                    agency = re.sub(r"^[\W_]+|^关于|关于$|[\W_]+$", "", named)
                    found = Title(start, end + 1, joined, agency, int(nfkc(m.group("year"))))
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
    target = norm(heading).core
    m = _HEADING_ORDINAL.match(stripped)
    if m is None:
        found = norm(stripped)
        if found.numbering is None and len(stripped) <= HEADING_MAX_CHARS and similarity(found.core, target) >= 0.9:
            return 0.9, ""
        return None
    if cn_number(m.group("n")) != number:
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
        score = similarity(norm(head).core, target)
        if score >= HEADING_THRESHOLD and (best is None or score > best[0]):
            best = (score, remainder)
    return best


def _windows(state: ReadState) -> dict[str, tuple[int, int]]:
    """Where each heading may stand, from the tables: 二 before 二's table, 三 between 二's table and
    三's, 四 between 三's and 四's, 五 and 六 after the last."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for kind, position in zip(state.kinds, state.positions, strict=True):
        if kind is not None:
            first.setdefault(kind, position)
            last[kind] = position
    n = len(state.paragraphs)
    if not state.positions_known:
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


def find_headings(state: ReadState, template: Template, start: int) -> dict[str, tuple[int, str]]:
    """Paragraph index (and run-in remainder) of each section heading found: the in-order choice with
    the best total score, each within its window."""
    sections = list(template.sections)
    windows = _windows(state)
    candidates: list[list[tuple[int, float, str]]] = []
    for number, section in enumerate(sections, start=1):
        lo, hi = windows[section.id]
        found = []
        for i in range(max(lo, start), min(hi, len(state.paragraphs))):
            scored = _heading_score(state.paragraphs[i], number, section.heading)
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



def read_texts(
    state: ReadState, template: Template, report: Report, start: int, headings: dict[str, tuple[int, str]]
) -> None:
    """Preamble, the texts of 一, 五 and 六, the note under 二, the signature and the contact."""
    paragraphs = state.paragraphs
    n = len(paragraphs)
    for section in template.sections:
        if section.id not in headings:
            state.note(f"没有找到「{section.heading}」的标题")
    # A section's text runs from its heading to the next section's start: its heading, or its first
    # table when the heading is missing.
    first_table = {kind: pos for kind, pos in reversed(list(zip(state.kinds, state.positions, strict=True))) if kind}
    last_table: dict[str, int] = {}
    for kind, pos in zip(state.kinds, state.positions, strict=True):
        if kind:
            last_table[kind] = pos
    regions = [(idx, idx + 1, sid, rem) for sid, (idx, rem) in headings.items()]
    for sid in ("s2", "s3", "s4"):
        if sid not in headings and sid in first_table:
            regions.append((first_table[sid], first_table[sid], sid, ""))
    regions.sort()
    preamble_end = regions[0][0] if regions else min(state.positions, default=n)
    report.preamble = "\n".join(_lines(paragraphs[start:preamble_end]))
    report.contact = _contact(report.preamble)

    tail_from = max([*last_table.values(), *(r[1] for r in regions), start])
    end = n
    tail = find_signature(paragraphs[tail_from:], report.agency)
    if tail is not None:
        end = tail_from + tail.start
        report.signature = tail.signature
        for line in _lines(paragraphs[tail_from + tail.end :]):
            state.note(f"落款后的文字「{shown(line)}」未读入")
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
            if not _UNIT_LINE.match(line) and not CAPTION.fullmatch(SPACES.sub("", nfkc(line))):
                state.note(f"{short}：表格前的文字「{shown(line)}」未读入")
        if sid == "s2":
            texts["s2_note"].extend(after)
        elif sid == "s4" and "s5" not in headings and _lines(after):
            texts["s5"].extend(after)
            state.note(f"没有「{template.section('s5').heading}」的标题，四的表格后的文字作为五读入")
        else:
            for line in _lines(after):
                if not _UNIT_LINE.match(line):
                    state.note(f"{short}：表格后的文字「{shown(line)}」未读入")
    texts["s2_note"][:0] = state.s2_note_rows
    for key, lines in texts.items():
        report.texts[key] = "\n".join(_lines(lines))
