"""The one number parser and formatter: examples from clerks' habits and hypothesis properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.numbers import (
    BLANK,
    BLANK_MARKS,
    MAX_MAGNITUDE,
    MONEY_DECIMALS,
    Parsed,
    format_number,
    parse_value,
    to_json_value,
)
from core.template import CellKind
from tests.conftest import has_chinese

COUNT, SIGNED, MONEY = CellKind.COUNT, CellKind.SIGNED, CellKind.MONEY
ALL_KINDS = pytest.mark.parametrize("kind", list(CellKind))

_TO_FULLWIDTH = str.maketrans("0123456789.,-+ ", "０１２３４５６７８９．，－＋\u3000")


def ok(value: object, kind: CellKind) -> Parsed:
    parsed = parse_value(value, kind)
    assert parsed.error is None, f"{value!r} as {kind}: {parsed.error}"
    return parsed


def bad(value: object, kind: CellKind) -> Parsed:
    parsed = parse_value(value, kind)
    assert parsed.error is not None, f"{value!r} as {kind} should be invalid, got {parsed}"
    assert parsed.number is None
    assert has_chinese(parsed.error)
    return parsed


# ---- examples ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        ("0", 0),
        ("１２", 12),
        ("０", 0),
        ("1,234", 1234),
        ("１，２３４", 1234),
        ("1,234,567", 1234567),
        (" 12 ", 12),
        ("\u300012\u3000", 12),
        ("\t12\n", 12),
        ("\u00a012", 12),
        ("\ufeff12", 12),
        ("12件", 12),
        ("１２件", 12),
        ("12 件", 12),
        ("+3", 3),
        ("007", 7),
        ("5.0", 5),
        ("-0", 0),
    ],
)
def test_count_examples(text: str, number: int) -> None:
    parsed = ok(text, COUNT)
    assert parsed.number == number
    assert type(parsed.number) is int
    assert parsed.text == str(number)
    assert parsed.unit is None


@pytest.mark.parametrize(("value", "number"), [(0, 0), (12, 12), (10**18 - 1, 10**18 - 1), (3.0, 3), (Decimal("7"), 7)])
def test_count_from_numbers(value: object, number: int) -> None:
    parsed = ok(value, COUNT)
    assert parsed.number == number
    assert type(parsed.number) is int


@ALL_KINDS
@pytest.mark.parametrize("mark", [*sorted(BLANK_MARKS), None, "  ", "\u3000", "－", "——", "／"])
def test_blanks_and_dash_marks(mark: object, kind: CellKind) -> None:
    parsed = parse_value(mark, kind)
    assert parsed == BLANK
    assert parsed.is_blank
    assert parsed.value_or_zero == 0


def test_blank_marks_include_the_usual_ones() -> None:
    for mark in ("", "-", "—", "——", "/", "无"):
        assert mark in BLANK_MARKS


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("12.5", Decimal("12.5"), None),
        ("12", 12, None),
        ("12.5万元", Decimal("12.5"), "万元"),
        ("75394432.52元", Decimal("75394432.52"), "元"),
        ("75,394,432.52元", Decimal("75394432.52"), "元"),
        ("１２．５万元", Decimal("12.5"), "万元"),
        ("12.5 万元", Decimal("12.5"), "万元"),
        ("0.0001", Decimal("0.0001"), None),
        ("1.2345", Decimal("1.2345"), None),
        (".5", Decimal("0.5"), None),
        ("100元", 100, "元"),
    ],
)
def test_money_examples(text: str, number: object, unit: str | None) -> None:
    parsed = ok(text, MONEY)
    assert parsed.number == number
    assert type(parsed.number) is type(number)
    assert parsed.unit == unit
    assert parse_value(parsed.text, MONEY) == parsed


def test_money_keeps_its_decimals_and_unit_in_text() -> None:
    assert ok("12.50", MONEY).text == "12.50"
    assert ok("12.50万元", MONEY).text == "12.50万元"
    assert ok("75,394,432.52元", MONEY).text == "75394432.52元"


def test_money_from_numbers() -> None:
    assert ok(12, MONEY).number == 12
    assert ok(12.5, MONEY).number == Decimal("12.5")
    assert ok(Decimal("9116.36"), MONEY).number == Decimal("9116.36")
    assert ok(0.1, MONEY).number == Decimal("0.1")  # the float's shortest repr, not its binary value


def test_money_to_the_fen_in_wanyuan_is_valid() -> None:
    # A real 2023 report prints 行政事业性收费 as 5949.088667 万元: six decimals, to the 分.
    assert ok("5949.088667", MONEY).number == Decimal("5949.088667")
    assert ok("5949.088667万元", MONEY).text == "5949.088667万元"
    assert ok(5949.088667, MONEY).number == Decimal("5949.088667")


@pytest.mark.parametrize("text", ["1.2345678", "0.0000001", "12.3456789万元"])
def test_money_more_than_six_decimals_rejected(text: str) -> None:
    parsed = bad(text, MONEY)
    assert str(MONEY_DECIMALS) in parsed.error
    assert parsed.text == text


def test_money_float_with_too_many_decimals_rejected() -> None:
    bad(1.2345678, MONEY)


@pytest.mark.parametrize("text", ["-1", "-0.5", "－3元"])
def test_money_negative_rejected(text: str) -> None:
    assert "负" in bad(text, MONEY).error


@pytest.mark.parametrize(
    ("text", "number"),
    [("+3", 3), ("-3", -3), ("－3", -3), ("＋3", 3), ("0", 0), ("-1,234", -1234), ("-3件", -3), (-7, -7)],
)
def test_signed_examples(text: object, number: int) -> None:
    parsed = ok(text, SIGNED)
    assert parsed.number == number
    assert parsed.text == str(number)


@pytest.mark.parametrize("value", ["-3", "－3", "-1", -1, -1.0, "-1,000"])
def test_negative_counts_rejected(value: object) -> None:
    parsed = bad(value, COUNT)
    assert "负" in parsed.error


@pytest.mark.parametrize(
    ("value", "kind"),
    [("1.5", COUNT), ("0.5件", COUNT), (2.5, COUNT), ("1.5", SIGNED), (Decimal("0.1"), SIGNED)],
)
def test_fractions_in_counts_rejected(value: object, kind: CellKind) -> None:
    parsed = bad(value, kind)
    assert "整数" in parsed.error


@ALL_KINDS
@pytest.mark.parametrize(
    "text",
    ["abc", "12a", "a12", "十二", "1.2.3", "1e5", "0x10", "12-3", "+", "--3", "1,23", "12,34,567", "１２ａ"],
)
def test_letters_and_junk_rejected(text: str, kind: CellKind) -> None:
    parsed = bad(text, kind)
    assert parsed.text == text  # the original is kept so the user sees what was there


@pytest.mark.parametrize("text", ["12元", "12万元", "１２万元"])
@pytest.mark.parametrize("kind", [COUNT, SIGNED])
def test_money_unit_on_a_count_rejected(text: str, kind: CellKind) -> None:
    assert "单位" in bad(text, kind).error


@ALL_KINDS
@pytest.mark.parametrize("value", [True, False])
def test_bool_rejected(value: bool, kind: CellKind) -> None:
    bad(value, kind)


@ALL_KINDS
@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
        [1],
        {"a": 1},
        b"12",
        object(),
        1j,
    ],
)
def test_non_numbers_rejected(value: object, kind: CellKind) -> None:
    bad(value, kind)


def test_error_shows_what_was_typed() -> None:
    parsed = bad(" 12a ", COUNT)
    assert "12a" in parsed.error
    assert parsed.text == " 12a "


def test_parsed_helpers() -> None:
    assert BLANK.is_blank
    assert BLANK.value_or_zero == 0
    assert not ok("3", COUNT).is_blank
    assert ok("3", COUNT).value_or_zero == 3
    invalid = bad("x", COUNT)
    assert not invalid.is_blank
    assert invalid.value_or_zero == 0


# ---- formatting and file values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "kind", "unit", "text"),
    [
        (None, COUNT, None, ""),
        (None, MONEY, "元", ""),
        (0, COUNT, None, "0"),
        (1234567, COUNT, None, "1234567"),
        (-3, SIGNED, None, "-3"),
        (12, MONEY, None, "12"),
        (Decimal("12.50"), MONEY, None, "12.50"),
        (Decimal("12.5"), MONEY, "万元", "12.5万元"),
        (Decimal("75394432.52"), MONEY, "元", "75394432.52元"),
        (Decimal("1E+3"), MONEY, None, "1000"),
        (Decimal("0.0001"), MONEY, None, "0.0001"),
    ],
)
def test_format_number(number: object, kind: CellKind, unit: str | None, text: str) -> None:
    assert format_number(number, kind, unit) == text


@pytest.mark.parametrize(
    ("value", "kind", "json_value"),
    [
        (None, COUNT, None),
        ("12", COUNT, 12),
        ("１，２３４件", COUNT, 1234),
        ("-3", SIGNED, -3),
        (12, MONEY, 12),
        ("12.5", MONEY, "12.5"),
        ("12万元", MONEY, "12万元"),
        ("75394432.52元", MONEY, "75394432.52元"),
        ("abc", COUNT, "abc"),
        ("-3", COUNT, "-3"),
    ],
)
def test_to_json_value(value: object, kind: CellKind, json_value: object) -> None:
    written = to_json_value(parse_value(value, kind), kind)
    assert written == json_value
    assert type(written) is type(json_value)
    # what is written reads back as the same value (an invalid one as the same text and error)
    assert parse_value(written, kind) == parse_value(value, kind)


# ---- properties --------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=MAX_MAGNITUDE - 1)
signed = st.integers(min_value=-(MAX_MAGNITUDE - 1), max_value=MAX_MAGNITUDE - 1)
money = st.one_of(
    st.decimals(min_value=0, max_value=10**15, places=MONEY_DECIMALS, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=MAX_MAGNITUDE - 1),
)
units = st.sampled_from([None, "元", "万元"])
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")]),
    st.fractions(),
    st.complex_numbers(),
    st.text(),
    st.binary(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.builds(object),
)
kinds = st.sampled_from(list(CellKind))


@settings(max_examples=200)
@given(counts)
def test_count_round_trip(number: int) -> None:
    parsed = parse_value(format_number(number, COUNT), COUNT)
    assert parsed.error is None
    assert parsed.number == number
    assert type(parsed.number) is int


@settings(max_examples=200)
@given(signed)
def test_signed_round_trip(number: int) -> None:
    parsed = parse_value(format_number(number, SIGNED), SIGNED)
    assert parsed.number == number
    assert parse_value(number, SIGNED).number == number


@settings(max_examples=200)
@given(money, units)
def test_money_round_trip(number: Decimal | int, unit: str | None) -> None:
    text = format_number(number, MONEY, unit)
    parsed = parse_value(text, MONEY)
    assert parsed.error is None, text
    assert parsed.number == number
    assert parsed.unit == unit
    assert parsed.text == text


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**12))
def test_grouped_counts_parse(number: int) -> None:
    grouped = f"{number:,}"
    assert parse_value(grouped, COUNT).number == number
    assert parse_value(grouped.translate(_TO_FULLWIDTH), COUNT).number == number


@settings(max_examples=300)
@given(st.text(), kinds)
def test_parse_never_raises_on_text(text: str, kind: CellKind) -> None:
    parsed = parse_value(text, kind)
    assert isinstance(parsed, Parsed)
    if parsed.error is not None:
        assert parsed.number is None
        assert isinstance(parsed.error, str)
        assert has_chinese(parsed.error)
    elif parsed.number is not None:
        assert isinstance(parsed.number, int | Decimal)
        # the canonical text is a fixed point
        assert parse_value(parsed.text, kind) == parsed


@settings(max_examples=300)
@given(anything, kinds)
def test_parse_never_raises_on_anything(value: object, kind: CellKind) -> None:
    parsed = parse_value(value, kind)
    assert isinstance(parsed, Parsed)
    assert (parsed.number is None) or (parsed.error is None)
    if parsed.error is not None:
        assert has_chinese(parsed.error)
    if isinstance(value, bool | list | dict | bytes | complex | Fraction) or type(value) is object:
        assert parsed.error is not None


@settings(max_examples=300)
@given(st.text(alphabet="0123456789.,-+ ", max_size=12), kinds, st.sampled_from(["", "件", "元", "万元"]))
def test_fullwidth_parses_like_ascii(ascii_text: str, kind: CellKind, suffix: str) -> None:
    ascii_parsed = parse_value(ascii_text + suffix, kind)
    wide_parsed = parse_value(ascii_text.translate(_TO_FULLWIDTH) + suffix, kind)
    assert wide_parsed.number == ascii_parsed.number
    assert wide_parsed.unit == ascii_parsed.unit
    assert (wide_parsed.error is None) == (ascii_parsed.error is None)
    if ascii_parsed.error is None:
        assert wide_parsed.text == ascii_parsed.text


@settings(max_examples=200)
@given(st.integers(min_value=-(10**9), max_value=-1))
def test_negative_counts_always_rejected(number: int) -> None:
    assert parse_value(number, COUNT).error is not None
    assert parse_value(str(number), COUNT).error is not None
    assert parse_value(number, SIGNED).number == number


@settings(max_examples=200)
@given(
    st.decimals(
        min_value=0, max_value=10**6, places=MONEY_DECIMALS + 2, allow_nan=False, allow_infinity=False
    )
)
def test_money_decimals_limit(number: Decimal) -> None:
    text = format(number, "f")
    parsed = parse_value(text, MONEY)
    fits = number == number.quantize(Decimal(1).scaleb(-MONEY_DECIMALS))
    assert (parsed.error is None) == fits, text
    if fits:
        assert parsed.number == number


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("1" * 5000, COUNT),
        ("-" + "1" * 5000, SIGNED),
        (10**5000, COUNT),
        ("1" * 4301 + "元", MONEY),
    ],
    ids=["count text", "signed text", "count int", "money text"],
)
def test_huge_numbers_do_not_raise(value: object, kind: CellKind) -> None:
    parsed = parse_value(value, kind)
    assert parsed.error is not None or parsed.number is not None


@pytest.mark.parametrize(
    "value",
    ["1234567890123456789012345.123456", "988060606060606060606060115.69697元", Decimal("1" * 30 + ".123456")],
)
def test_huge_money_with_many_decimals_does_not_raise(value: object) -> None:
    parsed = parse_value(value, MONEY)
    assert parsed.error is not None or parsed.number is not None


@pytest.mark.parametrize("kind", [COUNT, SIGNED, MONEY])
@pytest.mark.parametrize("value", [10**18, "1" * 19, Decimal("1E+18"), 1e19, "-" + "9" * 19])
def test_values_of_19_digits_or_more_are_refused(value: object, kind: CellKind) -> None:
    parsed = parse_value(value, kind)
    assert parsed.number is None
    assert parsed.error is not None and ("过大" in parsed.error or "位数过多" in parsed.error)
    assert "\n" not in parsed.error


def test_money_with_zeros_beyond_four_decimals_round_trips() -> None:
    parsed = parse_value("100.00000", MONEY)
    assert parsed.error is None
    assert parse_value(parsed.text, MONEY) == parsed
