"""The question before an unlikely run is saved (docs/analytics.md#plausibility).

A pace no one can run is refused by the model (``runs.models.implausible_pace``). What
is possible but unusual — far longer than anything of late, or elite-fast — is asked
about on the log and edit pages ("Is this right?"), because one typo there raises a
spike, a weekly increase and worn shoes at once. The API does not ask.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Max

from backpainlog.accounts.selectors import user_zone
from backpainlog.units import format_distance, format_pace
from runs.models import PLAUSIBLE_FROM_M, Run

#: Asked when a run is more than this many times the longest of the window before it...
LONGER_THAN_RECENT_FACTOR = 2
#: ... and over a half marathon (a first long race is unusual, not impossible).
HALF_MARATHON_M = 21_100
#: Days d−30 … d−1, the window of the long-run spike.
RECENT_DAYS = 30
#: A run of 1 km or more faster than this is asked about: possible, for very few.
ELITE_PACE_S_PER_KM = 180


def longest_before(user: User, started_at: dt.datetime, *, exclude: uuid.UUID | None = None) -> float:
    """The longest run or walk of ``user`` dated in the 30 days before ``started_at``'s
    local date (0 when there is none)."""
    zone = user_zone(user)
    day = started_at.astimezone(zone).date()
    end = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    start = dt.datetime.combine(day - dt.timedelta(days=RECENT_DAYS), dt.time.min, tzinfo=zone)
    runs = Run.objects.filter(user=user, started_at__gte=start, started_at__lt=end)
    if exclude is not None:
        runs = runs.exclude(pk=exclude)
    return runs.aggregate(longest=Max("distance_m"))["longest"] or 0.0


def unlikely_reasons(
    *, activity: str, distance_m: float, duration_s: int | None, longest_before_m: float, unit: str
) -> list[str]:
    """Why this entry looks unlikely, in the user's unit; empty when it does not."""
    reasons = []
    distance = Decimal(repr(distance_m))
    if distance > HALF_MARATHON_M and distance > Decimal(repr(longest_before_m)) * LONGER_THAN_RECENT_FACTOR:
        shown = format_distance(distance_m, unit)
        if longest_before_m:
            reasons.append(
                f"{shown} is more than twice your longest in the 30 days before "
                f"({format_distance(longest_before_m, unit)}), and longer than a half marathon."
            )
        else:
            reasons.append(
                f"{shown} is longer than a half marathon, with nothing logged in the 30 days before."
            )
    if (
        activity == Run.Activity.RUN
        and duration_s
        and distance_m >= PLAUSIBLE_FROM_M
        and Decimal(duration_s) * 1000 < distance * ELITE_PACE_S_PER_KM
    ):
        pace = duration_s * 1000 / distance_m
        reasons.append(
            f"A pace of {format_pace(pace, unit, down=True)} is faster than "
            f"{format_pace(ELITE_PACE_S_PER_KM, unit, down=True)}: an elite runner's pace."
        )
    return reasons
