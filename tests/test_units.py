"""Distance units and the form fields built on them: what a user types in km or mi comes
back exactly as typed after a round trip through metres."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from backpainlog.forms import DistanceField
from backpainlog.units import format_distance, format_duration, format_pace, from_metres, to_metres
from runs.forms import DurationField
from runs.models import MAX_DISTANCE_M

MILE_M = 1609.344


def typed(high: str) -> st.SearchStrategy[Decimal]:
    """Numbers with up to three decimals in (0, high], as a user types them."""
    return st.decimals(
        min_value=Decimal("0.001"), max_value=Decimal(high), places=3, allow_nan=False, allow_infinity=False
    )


@given(value=typed("310"))
def test_miles_round_trip_through_metres_exactly(value: Decimal) -> None:
    assert from_metres(to_metres(value, "mi"), "mi") == value


@given(value=typed("500"))
def test_kilometres_round_trip_through_metres_exactly(value: Decimal) -> None:
    assert from_metres(to_metres(value, "km"), "km") == value


@given(value=typed("3000"), unit=st.sampled_from(["km", "mi"]))
def test_from_metres_is_plain_decimal_notation(value: Decimal, unit: str) -> None:
    # An <input> shows str(value): "640", never "6.4E+2".
    shown = str(from_metres(to_metres(value, unit), unit))
    assert "E" not in shown.upper()
    assert Decimal(shown) == value
    assert shown == f"{value.normalize():f}"


@pytest.mark.parametrize(
    ("metres", "unit", "shown"),
    [
        (640_000.0, "km", "640"),
        (10_000.0, "km", "10"),
        (100_000.0, "km", "100"),
        (5_000.0, "km", "5"),
        (4_988.9664, "mi", "3.1"),
        (16_093.44, "mi", "10"),
        (640_000.0, "mi", "397.678"),
        (0.0, "km", "0"),
        (1.0, "km", "0.001"),
    ],
)
def test_from_metres_examples(metres: float, unit: str, shown: str) -> None:
    assert str(from_metres(metres, unit)) == shown


def test_to_metres_uses_the_international_mile() -> None:
    assert to_metres(Decimal("3.1"), "mi") == pytest.approx(3.1 * MILE_M)
    assert to_metres(Decimal("1"), "mi") == MILE_M
    assert to_metres(Decimal("42.195"), "km") == pytest.approx(42_195.0)


@pytest.mark.parametrize(
    ("metres", "unit", "text"),
    [
        (10_000.0, "km", "10.00 km"),
        (10_000.0, "mi", "6.21 mi"),
        (MILE_M, "mi", "1.00 mi"),
        (None, "km", ""),
    ],
)
def test_format_distance(metres: float | None, unit: str, text: str) -> None:
    assert format_distance(metres, unit) == text


@pytest.mark.parametrize(
    ("seconds_per_km", "unit", "text"),
    [(300.0, "km", "5:00 /km"), (300.0, "mi", "8:03 /mi"), (359.6, "km", "6:00 /km"), (None, "km", "")],
)
def test_format_pace(seconds_per_km: float | None, unit: str, text: str) -> None:
    assert format_pace(seconds_per_km, unit) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(2730, "45:30"), (3930, "1:05:30"), (59, "0:59"), (36_000, "10:00:00"), (None, "")]
)
def test_format_duration(seconds: int | None, text: str) -> None:
    assert format_duration(seconds) == text


# --- DistanceField: typed in the user's unit, cleaned to metres ---


def test_distance_field_cleans_miles_to_metres() -> None:
    field = DistanceField(unit="mi", max_m=MAX_DISTANCE_M)
    assert field.clean("3.1") == pytest.approx(3.1 * MILE_M)
    assert field.prepare_value(3.1 * MILE_M) == Decimal("3.1")


@pytest.mark.parametrize("text", ["0", "-1", "abc", "NaN", "Infinity", "1e999", "0.0001", "500.001"])
def test_distance_field_rejects(text: str) -> None:
    with pytest.raises(ValidationError):
        DistanceField(unit="km", max_m=MAX_DISTANCE_M).clean(text)


@pytest.mark.parametrize("unit", ["km", "mi"])
def test_distance_field_limit_in_the_users_unit_is_within_the_limit_in_metres(unit: str) -> None:
    """The largest number the form accepts must also pass the model's limit in metres."""
    field = DistanceField(unit=unit, max_m=MAX_DISTANCE_M)
    limit = next(v.limit_value for v in field.validators if hasattr(v, "limit_value"))
    assert field.clean(str(limit)) <= MAX_DISTANCE_M
    with pytest.raises(ValidationError):
        field.clean(str(limit + Decimal("0.001")))


def test_distance_field_allow_zero_still_rejects_negative() -> None:
    field = DistanceField(unit="km", max_m=1000.0, allow_zero=True)
    assert field.clean("0") == 0
    with pytest.raises(ValidationError):
        field.clean("-0.5")


# --- DurationField: "45", "45:30", "1:05:30", "45.5" ---


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45", 2700),
        ("45:30", 2730),
        ("1:05:30", 3930),
        ("45.5", 2730),
        (" 5:00 ", 300),
        ("48:00:00", 172_800),
    ],
)
def test_duration_field_accepts(text: str, seconds: int) -> None:
    assert DurationField(required=False).clean(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "1:75:00",
        "0",
        "49:00:00",
        "-5",
        "5:60",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999999",
        "1e999999999",
    ],
)
def test_duration_field_rejects(text: str) -> None:
    with pytest.raises(ValidationError):
        DurationField(required=False).clean(text)


def test_duration_field_empty_is_none() -> None:
    assert DurationField(required=False).clean("") is None


# --- Numbers as people type them: a decimal comma, stopwatch digits (docs/product.md#log-a-run) ---


@pytest.mark.parametrize("text", ["8,2", "8.2", " 8,2 ", "8,200", ",5", "8,"])
def test_distance_takes_a_decimal_comma_or_point(text: str) -> None:
    expected = {",5": 500.0, "8,": 8000.0}.get(text.strip(), 8200.0)
    assert DistanceField(unit="km", max_m=MAX_DISTANCE_M).clean(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1.234,5", "1,234.5", "8,2,1", "8..2", "8,2 km", "1 234", ","])
def test_distance_with_both_separators_or_garbage_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DistanceField(unit="km", max_m=MAX_DISTANCE_M).clean(text)
    if "," in text and "." in text:
        assert "not both" in caught.value.messages[0]


def test_a_decimal_comma_in_miles_is_the_same_metres_as_a_point() -> None:
    field = DistanceField(unit="mi", max_m=MAX_DISTANCE_M)
    assert field.clean("8,2") == field.clean("8.2") == 13196.6208  # exact, as numbers.js gives it


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 30 * 60),  # one or two digits: whole minutes
        ("5", 300),
        ("90", 90 * 60),
        ("130", 90),  # three or more: a stopwatch, read from the right
        ("4530", 45 * 60 + 30),
        ("10530", 3600 + 5 * 60 + 30),
        ("100000", 10 * 3600),
        ("45,5", 2730),
        ("45.25", 2715),
    ],
)
def test_duration_as_minutes_or_stopwatch_digits(text: str, seconds: int) -> None:
    assert DurationField(required=False).clean(text) == seconds


@pytest.mark.parametrize("text", ["4575", "16030", "1000000", "45.1234", "45:30:", "4 530"])
def test_duration_digits_that_are_no_stopwatch_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        DurationField(required=False).clean(text)
