"""Distance units: the API and the database are SI (metres); people see km or mi.

Conversions go through ``Decimal`` with three decimals in the user's unit, so that what
a user typed comes back exactly as typed after a round trip through metres.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
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


def format_pace(seconds_per_km: float | None, unit: str) -> str:
    """Pace as m:ss per km or per mile."""
    if not seconds_per_km:
        return ""
    per_unit = seconds_per_km * float(METRES_PER_UNIT[unit]) / 1000
    minutes, seconds = divmod(round(per_unit), 60)
    return f"{minutes}:{seconds:02d} /{unit}"


def format_duration(seconds: int | None) -> str:
    """h:mm:ss, or m:ss under an hour."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
