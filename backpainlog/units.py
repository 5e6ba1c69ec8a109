"""Distance units: the API and the database are SI (metres); people see km or mi.

Conversions go through ``Decimal`` with three decimals in the user's unit, so that what
a user typed comes back exactly as typed after a round trip through metres.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Literal

DistanceUnit = Literal["km", "mi"]

METRES_PER_UNIT: dict[str, Decimal] = {"km": Decimal("1000"), "mi": Decimal("1609.344")}
UNIT_DECIMALS = 3
_QUANTUM = Decimal(1).scaleb(-UNIT_DECIMALS)


def to_metres(value: Decimal, unit: str) -> float:
    return float(value * METRES_PER_UNIT[unit])


def from_metres(metres: float, unit: str) -> Decimal:
    """Metres in the user's unit, rounded to three decimals, trailing zeros dropped."""
    exact = Decimal(repr(metres)) / METRES_PER_UNIT[unit]
    rounded = exact.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    if rounded == rounded.to_integral_value():
        # normalize() alone turns 640 into 6.4E+2, which a form field would show as is.
        return rounded.quantize(Decimal(1))
    return rounded.normalize()


def format_distance(metres: float | None, unit: str, decimals: int = 2) -> str:
    if metres is None:
        return ""
    value = Decimal(repr(metres)) / METRES_PER_UNIT[unit]
    return f"{value:.{decimals}f} {unit}"


def format_pace(seconds_per_km: float | None, unit: str, *, down: bool = False) -> str:
    """Pace as m:ss per km or per mile; ``down`` cuts the seconds instead of rounding them
    (a pace under a limit never reads as the limit itself)."""
    if not seconds_per_km:
        return ""
    per_unit = seconds_per_km * float(METRES_PER_UNIT[unit]) / 1000
    minutes, seconds = divmod(math.floor(per_unit) if down else round(per_unit), 60)
    return f"{minutes}:{seconds:02d} /{unit}"


def format_duration(seconds: int | None) -> str:
    """h:mm:ss, or m:ss under an hour."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- Numbers as people type them (docs/product.md#log-a-run). static/js/numbers.js reads them the same way,
# so that an entry saved offline stores what the same entry saved online does.


class Unreadable(ValueError):
    """Typed text that is not a number of the kind asked for; the message says why."""


_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")


def parse_decimal(text: str) -> Decimal:
    """A number typed with a decimal point or a decimal comma: "8,2" and "8.2" are both
    8.2, whatever the browser's language. A comma is never a thousands separator (no one
    runs 8,200 km), so a value with both (“1.234,5”, “1,234.5”) is refused rather than
    guessed."""
    text = text.strip()
    if "," in text and "." in text:
        raise Unreadable("Use a decimal point or a decimal comma, not both (for example 8.2 or 8,2).")
    if not _DECIMAL.match(text):
        raise Unreadable("Enter a number, such as 8.2 or 8,2.")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise Unreadable("Enter a number, such as 8.2 or 8,2.") from None


_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})$")
_DIGITS = re.compile(r"^\d{1,6}$")
_MINUTES = re.compile(r"^\d{1,4}[.,]\d{1,3}$")
DURATION_HINT = "Enter a duration such as 45:30, 1:05:30, 45 (minutes) or 4530 (45:30)."


def parse_duration(text: str) -> int | None:
    """Seconds from a duration typed as

    - ``h:mm:ss`` or ``mm:ss`` ("1:05:30", "45:30");
    - whole minutes, one or two digits ("45", "90"), or minutes with a decimal ("45.5");
    - stopwatch digits, three to six, read from the right as seconds, minutes, hours
      ("4530" is 45:30, "10530" is 1:05:30, "130" is 1:30).

    Two digits are always minutes and three or more always a stopwatch: a numeric keypad
    has no colon, and one rule per length keeps "30" from meaning two things. Empty text
    is None.
    """
    text = text.strip()
    if not text:
        return None
    if match := _CLOCK.match(text):
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        if seconds >= 60 or (match.group(1) is not None and minutes >= 60):
            raise Unreadable("Minutes and seconds go up to 59.")
        return hours * 3600 + minutes * 60 + seconds
    if _DIGITS.match(text):
        if len(text) <= 2:
            return int(text) * 60
        hours, minutes, seconds = int(text[:-4] or 0), int(text[-4:-2]), int(text[-2:])
        if seconds >= 60 or (len(text) > 4 and minutes >= 60):
            raise Unreadable("Minutes and seconds go up to 59 (4530 is 45:30).")
        return hours * 3600 + minutes * 60 + seconds
    if _MINUTES.match(text):
        return round(Decimal(text.replace(",", ".")) * 60)
    raise Unreadable(DURATION_HINT)
