"""Chinese line breaking (禁则, GB/T 15834) and the setting of a report's title in lines: the rules
every typesetter here follows (PDF body and cells, the DOCX title) and the PDF reader assumes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# These never start a line …
CANNOT_START = frozenset(
    "，。、；：？！）］｝》〉」』】〕〗〙〛”’～·・％‰℃°′″"
    ",.;:?!)]}%'\"、。」』】〕］】）"
)
# … and these never end one.
CANNOT_END = frozenset("（［｛《〈「『【〔〖〘〚“‘([{")
# Two-character marks that must not be torn apart (破折号, 省略号).
UNBREAKABLE_PAIRS = frozenset({"——", "……", "⋯⋯", "――"})
# What a measured line may exceed its width by (as reportlab allows) before it counts as too long.
FUZZ = 1e-6


def _is_word_char(ch: str) -> bool:
    """ASCII letters, digits and the marks inside numbers, dates, phones and addresses: a run of
    them (2022, 12.5, 0591-1234, www.gov.cn) is one word and is not broken."""
    return "!" <= ch <= "~"


def can_break(before: str, after: str) -> bool:
    """Whether a line may end after `before` and the next start with `after`."""
    if after.isspace():
        return True
    if after in CANNOT_START:
        return False
    if before.isspace():
        return True
    if before in CANNOT_END or before + after in UNBREAKABLE_PAIRS:
        return False
    return not (_is_word_char(before) and _is_word_char(after))


def _can_break_at(units: Sequence[str], start: int, cut: int) -> bool:
    """Whether a line starting at `start` may end before units[cut]. Spaces at the break open no way
    round the rules: 情况”“ 政府 must not end a line with the opening mark, 政府 ，must not start
    one with the comma; between Latin words a space is where lines break."""
    before, after = cut - 1, cut
    while before > start and units[before].isspace():
        before -= 1
    while after < len(units) - 1 and units[after].isspace():
        after += 1
    if before == cut - 1 and after == cut:
        return can_break(units[before], units[after])
    b, a = units[before], units[after]
    return b.isspace() or a.isspace() or not (b in CANNOT_END or a in CANNOT_START)


def break_units(units: Sequence[str], widths: Sequence[float], max_widths: Sequence[float]) -> list[tuple[int, int]]:
    """Line breaks as (start, end) index pairs: as many characters as fit, then moved back to the
    nearest place `can_break` allows, so no line starts with a closing or ends with an opening mark.
    Where no such place exists on the line (a long web address), the line is cut where it is full."""
    lines: list[tuple[int, int]] = []
    count = len(units)
    start = 0
    while start < count:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        end = start
        used = 0.0
        while end < count and (end == start or used + widths[end] <= max_width + FUZZ):
            used += widths[end]
            end += 1
        if end < count:
            cut = end
            while cut > start + 1 and not _can_break_at(units, start, cut):
                cut -= 1
            if _can_break_at(units, start, cut):
                end = cut
        lines.append((start, end))
        start = end
        while start < count and units[start].isspace():  # a space that ended a line is not carried over
            start += 1
    return lines


def full_width_measure(size: float) -> Callable[[str], float]:
    """A width estimate where no font can be asked (a DOCX is typeset by Word): Chinese characters
    and full-width marks one em, ASCII half an em."""
    return lambda text: sum(size / 2 if ch <= "~" else size for ch in text)


def title_lines(title: str, measure: Callable[[str], float], width: float) -> list[str]:
    """A long title in lines as such titles are set: the organ, then "2024年政府信息公开工作年度报告"
    on a line of its own when it fits; otherwise (and for an organ longer than a line) lines of
    even length, never a short last line such as "度报告". `measure` gives a text's width."""

    def fits(text: str) -> bool:
        return measure(text) <= width + FUZZ

    def balanced(text: str) -> list[str]:
        widths = [measure(ch) for ch in text]
        count = len(break_units(text, widths, [width]))
        low, high = width / count, width
        for _ in range(30):  # the narrowest measure that still needs no more lines
            middle = (low + high) / 2
            if len(break_units(text, widths, [middle])) <= count:
                high = middle
            else:
                low = middle
        return [text[start:end] for start, end in break_units(text, widths, [high])]

    if fits(title):
        return [title]
    organ_year = re.match(r"^(.+?)(\d{4}年.+)$", title)
    if organ_year and fits(organ_year.group(2)):
        return [*balanced(organ_year.group(1)), organ_year.group(2)]
    return balanced(title)
