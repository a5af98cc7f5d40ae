"""Matching a file's texts to the templates' labels by meaning: normalisation (numbering, spaces,
punctuation, character variants), similarity, and the labels of 二, 三 and 四 walked from every template."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from core.numbers import parse_value
from core.template import CellKind, Template, template_ids, templates

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

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
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
NON_WORD = re.compile(r"[\W_]+")
SPACES = re.compile(r"\s+")
# Character variants and words clerks type for the same thing.
_VARIANTS = str.maketrans({"它": "他", "帐": "账"})
_SYNONYMS = (("合计", "总计"),)
DIGIT = re.compile(r"[0-9０-９]")


def cn_number(text: str) -> int:
    """一 … 九十九 as an integer."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for char in text:
        value = value * 10 + CN_DIGITS.get(char, 0)
    return value


@dataclass(frozen=True)
class Norm:
    numbering: tuple[str, int] | None  # ("cn" 一、 | "paren" （一） | "arabic" 1.), number
    core: str  # the words without numbering, spaces, punctuation or character variants


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)  # bounded: a batch brings new texts with every file
def norm(text: str) -> Norm:
    t = SPACES.sub("", nfkc(text))
    numbering: tuple[str, int] | None = None
    m = _NUMBERING.match(t)
    if m and m.end() < len(t):
        if m.group("cn"):
            numbering = ("cn", cn_number(m.group("cn")))
        elif m.group("paren"):
            p = m.group("paren")
            numbering = ("paren", int(p) if p.isdigit() else cn_number(p))
        else:
            numbering = ("arabic", int(m.group("arabic")))
        t = t[m.end() :]
    core = NON_WORD.sub("", t).translate(_VARIANTS)
    for word, same in _SYNONYMS:
        core = core.replace(word, same)
    return Norm(numbering, core)


# A similarity below this cannot change a decision, whatever bonuses are added: with them it stays
# under MATCH_THRESHOLD - MATCH_MARGIN, too low to be the match, a rival or the other template's best.
_IRRELEVANT = MATCH_THRESHOLD - MATCH_MARGIN - NUMBER_BONUS - GROUP_BONUS


@lru_cache(maxsize=65536)  # the same labels come again in every file of a batch
def similarity(found: str, label: str) -> float:
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
class Entry:
    """A label a text can be matched to; `key` is what it means (a row id, a field id …)."""

    key: str
    label: str
    templates: frozenset[str] = frozenset()  # the templates that have this label; empty: every one


@dataclass(frozen=True)
class Match:
    entry: Entry
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


def match(
    text: str,
    entries: Iterable[Entry],
    bonus: Callable[[Entry], float] | None = None,
    numbered: Callable[[Entry], bool] | None = None,
) -> Match | None:
    """The entry `text` means: the unique best above the threshold; None when nothing fits or two
    different meanings fit about equally. `numbered` says where a leading number means something
    (1. 2. 3. only within their group)."""
    found = norm(text)
    if not found.core:
        return None
    scored: list[tuple[float, Entry]] = []
    for entry in entries:
        target = norm(entry.label)
        score = similarity(found.core, target.core)
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
    return Match(best, best_score, found.core == norm(best.label).core, other)


def strong(text: str, entries: Sequence[Entry]) -> Match | None:
    m = match(text, entries)
    return m if m is not None and m.score >= SIGNAL_THRESHOLD else None


def split_numbered(text: str) -> list[str]:
    """A label cell that holds two numbered labels ("（三）不予公开 1.属于国家秘密") as its parts."""
    return [p.strip() for p in _INNER_NUMBERING.split(text.strip()) if p.strip()]


def shown(text: str, limit: int = 30) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[:limit] + "…"


def blank_text(text: str | None) -> bool:
    return text is None or parse_value(text, CellKind.COUNT).is_blank


def is_number_or_blank(text: str) -> bool:
    return parse_value(text, CellKind.MONEY).error is None or parse_value(text, CellKind.SIGNED).error is None


# A block caption of 二 (第二十条第（一）项 …), after NFKC and without spaces.
CAPTION = re.compile(r"第[二2][十0]?条第?\(?[一二三四五六七八九十0-9]{1,3}\)?项")


# --- the labels to match, walked from the templates ----------------------------------------------


def _entries(pairs: Iterable[tuple[str, str, str]]) -> tuple[Entry, ...]:
    """Entries from (key, label, template id), one per key and label with the templates that have it."""
    found: dict[tuple[str, str], set[str]] = {}
    for key, label, tid in pairs:
        found.setdefault((key, label), set()).add(tid)
    return tuple(Entry(key, label, frozenset(t)) for (key, label), t in found.items())


EntriesOf = Callable[[tuple[Template, ...]], tuple[Entry, ...]]


def _for_the_templates(build: EntriesOf) -> Callable[[], tuple[Entry, ...]]:
    """The entries `build` makes, made once for the templates there are (a template added to the data
    folder and reloaded gives new ones): the tuple of templates is hashed by identity."""
    made = cache(build)

    def entries() -> tuple[Entry, ...]:
        return made(templates())

    entries.__doc__ = build.__doc__
    return entries


@_for_the_templates
def s2_row_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    return _entries((row.id, row.label, t.id) for t in all_templates for b in t.s2.blocks for row in b.rows)


@_for_the_templates
def s2_field_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    return _entries((h.field, h.label, t.id) for t in all_templates for b in t.s2.blocks for h in b.header if h.field)


@_for_the_templates
def s2_caption_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    """Block captions (第二十条第（一）项 …) and the header's 信息内容."""
    pairs = []
    for t in all_templates:
        for b in t.s2.blocks:
            pairs.append((f"caption:{b.caption}", b.caption, t.id))
            pairs.extend((f"caption:{h.label}", h.label, t.id) for h in b.header if not h.field)
    return _entries(pairs)


def _group_key(path: tuple[str, ...]) -> str:
    return "group:" + "\x1f".join(path)


def group_path(key: str) -> tuple[str, ...]:
    return tuple(key.removeprefix("group:").split("\x1f"))


@cache
def s3_entries(t: Template) -> tuple[Entry, ...]:
    """Rows (key row:<id>) and the groups above them (key group:<path>) of one template."""
    entries: list[Entry] = []
    groups: list[tuple[str, ...]] = []
    for row in t.s3.rows:
        entries.append(Entry(f"row:{row.id}", row.label, frozenset({t.id})))
        for j in range(1, len(row.path)):
            if row.path[:j] not in groups:
                groups.append(row.path[:j])
    entries.extend(Entry(_group_key(g), g[-1], frozenset({t.id})) for g in groups)
    return tuple(entries)


def _labels(pairs: Iterable[tuple[str, str]]) -> tuple[Entry, ...]:
    """Entries for labels every template prints alike (headers, columns): one per key and label."""
    return tuple(Entry(key, label) for key, label in dict.fromkeys(pairs))


@_for_the_templates
def s3_header_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    return _labels((label, label) for label in sorted({h.label for t in all_templates for h in t.s3.header}))


@_for_the_templates
def s3_column_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    return _labels((c.id, c.label) for t in all_templates for c in t.s3.columns)


@_for_the_templates
def s4_group_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    return _labels((g.id, g.label) for t in all_templates for g in t.s4.groups)


@_for_the_templates
def s4_column_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    return _labels((c.id, c.label) for t in all_templates for c in t.s4.columns)


@_for_the_templates
def s4_header_entries(all_templates: tuple[Template, ...]) -> tuple[Entry, ...]:
    return _labels((label, label) for label in sorted({h.label for t in all_templates for h in t.s4.header}))
