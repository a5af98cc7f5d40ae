"""The one number parser and formatter used by every entry point (grid, paste, files, import, export)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.template import CellKind

Number = int | Decimal

# Money is 万元 in the header; published reports print it to the 分, six decimals (5949.088667).
MONEY_DECIMALS = 6
MONEY_UNITS = ("万元", "元")
# Units clerks type after a count; they carry no meaning for the number.
COUNT_UNITS = ("件", "个", "项", "条", "宗", "起")
# What clerks put in a cell to mean "nothing": treated as blank.
BLANK_MARKS = frozenset({"", "-", "－", "—", "——", "–", "/", "／", "\\", "无"})

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．，－＋　",
    "0123456789.,-+ ",
)
_SPACES = re.compile(r"[\s\u00a0\u2002-\u200b\u3000\ufeff]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# Nothing in a report comes near 10^18; beyond it a value is a typing accident (and huge literals
# would be slow or hit Python's int-to-text limit).
MAX_DIGITS = 18
MAX_MAGNITUDE = 10**MAX_DIGITS


@dataclass(frozen=True)
class Parsed:
    """A cell's value: `number` is None for blank or invalid; `error` says why it is invalid."""

    number: Number | None
    text: str | None  # canonical text for a valid value, the original text for an invalid one
    unit: str | None = None
    error: str | None = None

    @property
    def is_blank(self) -> bool:
        return self.number is None and self.error is None

    @property
    def value_or_zero(self) -> Number:
        return self.number if self.number is not None else 0


BLANK = Parsed(None, None)
# Counts (and signed changes) 0…9999 as parsed, made once: a report holds a few hundred of them and a
# reviewing office reads hundreds of reports back at a time. Parsed is frozen, so they can be shared.
_SMALL_COUNTS: tuple[Parsed, ...] = tuple(Parsed(i, str(i)) for i in range(10_000))


def _shown(original: str) -> str:
    """The user's text as quoted in a one-line message: no line breaks, not endless."""
    one_line = " ".join(original.split())
    return one_line if len(one_line) <= 30 else one_line[:30] + "…"


def _invalid(original: str, message: str) -> Parsed:
    return Parsed(None, original, None, message)


def parse_value(value: object, kind: CellKind) -> Parsed:
    """Parse what a user typed, a file held or a paste carried into a cell value of `kind`.

    Never raises on user data: anything unusable comes back with `error` set.
    """
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return _invalid(str(value), f"「{_shown(str(value))}」不是数字")
    if isinstance(value, int):
        if 0 <= value < len(_SMALL_COUNTS) and kind is not CellKind.MONEY:
            return _SMALL_COUNTS[value]  # the common case (every report file's cells): no Decimal round trip
        if abs(value) >= MAX_MAGNITUDE:
            return _invalid("（过大的数字）", "数字过大，不是有效的件数或金额")
        return _check_kind(Decimal(value), None, str(value), kind)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return _invalid(str(value), f"「{_shown(str(value))}」不是数字")
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return _invalid(str(value), f"「{_shown(str(value))}」不是数字")
        if value.adjusted() >= MAX_DIGITS:
            return _invalid("（过大的数字）", "数字过大，不是有效的件数或金额")
        return _check_kind(value, None, str(value), kind)
    if not isinstance(value, str):
        return _invalid(str(value), f"「{_shown(str(value))}」不是数字")

    original = value
    text = _SPACES.sub("", value.translate(_FULLWIDTH))
    if text in BLANK_MARKS:
        return BLANK
    unit: str | None = None
    for candidate in MONEY_UNITS:
        if text.endswith(candidate):
            unit = candidate
            text = text[: -len(candidate)]
            break
    if unit is None and kind is not CellKind.MONEY:
        for candidate in COUNT_UNITS:
            if text.endswith(candidate):
                text = text[: -len(candidate)]
                break
    if unit is not None and kind is not CellKind.MONEY:
        return _invalid(original, f"「{_shown(original)}」带有金额单位，这里应填件数")
    if "," in text:
        if not _GROUPED.fullmatch(text):
            return _invalid(original, f"「{_shown(original)}」不是有效的数字（千位分隔符位置不对）")
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return _invalid(original, f"「{_shown(original)}」不是数字")
    if len(text.split(".")[0].lstrip("+-")) > MAX_DIGITS:
        return _invalid(original, f"「{_shown(original)}」位数过多，不是有效的件数或金额")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return _invalid(original, f"「{_shown(original)}」不是数字")
    return _check_kind(number, unit, original, kind)


def _check_kind(number: Decimal, unit: str | None, original: str, kind: CellKind) -> Parsed:
    shown = _shown(original)
    if kind is CellKind.MONEY:
        if number < 0:
            return _invalid(original, f"金额「{shown}」不能为负数")
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > MONEY_DECIMALS and number != number.quantize(Decimal(1).scaleb(-MONEY_DECIMALS)):
            return _invalid(original, f"金额「{shown}」最多保留 {MONEY_DECIMALS} 位小数")
        if -exponent > MONEY_DECIMALS:  # only zeros beyond the last allowed decimal: drop them
            number = number.quantize(Decimal(1).scaleb(-MONEY_DECIMALS))
        if number == number.to_integral_value() and exponent >= 0:
            return Parsed(int(number), format_number(int(number), kind, unit), unit)
        return Parsed(number, format_number(number, kind, unit), unit)
    if number != number.to_integral_value():
        what = "件数" if kind is CellKind.COUNT else "增减数"
        return _invalid(original, f"{what}「{shown}」必须是整数")
    integer = int(number)
    if kind is CellKind.COUNT and integer < 0:
        return _invalid(original, f"件数「{shown}」不能为负数")
    return Parsed(integer, format_number(integer, kind, None), None)


def format_number(number: Number | None, kind: CellKind, unit: str | None = None) -> str:
    """The canonical text of a value: plain digits, no separators; money keeps its decimals and unit."""
    if number is None:
        return ""
    if kind is CellKind.MONEY:
        text = format(number, "f") if isinstance(number, Decimal) else str(number)
        return text + (unit or "")
    return str(int(number))


def json_number(number: Number | None) -> int | float | None:
    """A figure as a JSON number for the command line's --json: an integer when it is whole (money with
    decimals as a float); None stays None (a cell the report's format does not have)."""
    if number is None:
        return None
    if isinstance(number, Decimal):
        return int(number) if number == number.to_integral_value() else float(number)
    return int(number)


def to_json_value(parsed: Parsed, kind: CellKind) -> int | str | None:
    """How a cell is written into a report file: integers for counts, decimal strings for money."""
    if parsed.error is not None:
        return parsed.text
    if parsed.number is None:
        return None
    if kind is CellKind.MONEY:
        if isinstance(parsed.number, int) and parsed.unit is None:
            return parsed.number
        return parsed.text
    return int(parsed.number)
