"""How much two prose texts are the same, for TEXT-COPIED: a section copied from last year's report.

The measure is the Dice coefficient of the two texts' character n-grams (n = 3) counted as multisets:

    similarity(a, b) = 2 · |A ∩ B| / (|A| + |B|)

where A and B are the multisets of n-grams and ∩ keeps each n-gram as often as the rarer side has it.
It is the share of the two texts the two have in common: 1 for the same text, 0 for texts without a
common n-gram. Why this one:

* Characters, not words: Chinese is written without spaces, and a word segmenter is a heavy,
  dictionary-dependent step whose mistakes would move the score. Three characters are about one
  or two words: single characters and pairs are shared by any two texts on the same subject (政府、
  信息、公开 …), while longer n-grams make a few edited characters break many of them.
* Before the n-grams, whitespace and punctuation are dropped and then every run of digits (ASCII or
  full-width; 3.5 and 1,234 are one run once the point and comma are gone) becomes one symbol. A
  report copied from last year with 2024 turned into 2025 and last year's figures replaced by this
  year's is still a copy, and a re-wrapped line or a comma made a 、 is no rewriting: none of that
  changes the n-grams.
* Multisets, not sets: a text that repeats a phrase ten times is not the same as one that says it once.
* Dice, not containment (the share of one text found in the other): Dice is symmetric, so it reads as
  “the two are X % the same”, and it does not call a section copied when last year's short text is
  quoted in a much longer new one. A copy with up to half as much new text added (2 / (2 + 0.5) = 0.8)
  or with a third cut still reaches 0.8.

Measured on real reports (tests/data): different years' sections of one unit written anew score
0.08–0.09 (平潭综合实验区 2019 and 2022, 一 and 五), sections of two different units on the same
subject 0.12–0.13; an exact copy scores 1. A threshold of 0.8 is far from both.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

# Whitespace, punctuation and symbols: everything but letters (Chinese characters among them) and digits.
_NOT_WORD = re.compile(r"[\W_]+")
# A number once punctuation is gone: 2025, １２, 3.5 (now 35), 1,234 (now 1234).
_NUMBER = re.compile(r"\d+")
_NUMBER_SYMBOL = "#"


def normalised(text: str) -> str:
    """The text as compared: without whitespace and punctuation, each number one symbol."""
    return _NUMBER.sub(_NUMBER_SYMBOL, _NOT_WORD.sub("", text))


def counted_characters(text: str) -> int:
    """How long a section is for TEXT-COPIED's lower limit: its characters other than whitespace."""
    return len("".join(text.split()))


@lru_cache(maxsize=64)  # the editor checks after every edit: last year's texts stay the same
def _ngrams(text: str, n: int) -> Counter[str]:
    plain = normalised(text)
    return Counter(plain[i : i + n] for i in range(len(plain) - n + 1))


@lru_cache(maxsize=256)  # the same pairs again at every check while only other parts of a report change
def similarity(a: str, b: str, n: int = 3) -> float:
    """The Dice coefficient of the two texts' character n-gram multisets, in [0, 1] (see the module's
    docstring). Texts too short for one n-gram are the same (1.0) when their normalised forms are equal."""
    if n < 1:
        raise ValueError("n must be at least 1")
    grams_a, grams_b = _ngrams(a, n), _ngrams(b, n)
    size = sum(grams_a.values()) + sum(grams_b.values())
    if size == 0 or not grams_a or not grams_b:
        return 1.0 if normalised(a) == normalised(b) else 0.0
    common = sum((grams_a & grams_b).values())
    return 2 * common / size
