"""Plain records for the analytics tests, with local dates computed as the app does:
from the instant, in the user's zone."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal
from typing import Any

from backpainlog.units import to_metres
from runs.analytics import CheckinRecord, RunRecord, ShoeRecord

UTC = dt.UTC
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

_ids = itertools.count(1)


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def at(when: str, zone: dt.tzinfo = UTC) -> dt.datetime:
    """``"2024-03-05"`` (07:00) or ``"2024-03-05T23:30"``, wall-clock time in ``zone``."""
    moment = dt.datetime.fromisoformat(when if "T" in when else f"{when}T07:00")
    return moment.replace(tzinfo=zone)


def miles(typed: str) -> float:
    """Metres as the app stores a distance typed in miles."""
    return to_metres(Decimal(typed), "mi")


def run(
    when: str | dt.datetime,
    distance_m: float,
    *,
    zone: dt.tzinfo = UTC,
    activity: str = "run",
    surface: str = "road",
    shoe: int | None = None,
    before: int | None = None,
    after: int | None = None,
    morning: int | None = None,
    duration_s: int | None = None,
    id: object = None,
) -> RunRecord:
    started_at = at(when, zone) if isinstance(when, str) else when
    return RunRecord(
        id=next(_ids) if id is None else id,
        started_at=started_at,
        local_date=started_at.astimezone(zone).date(),
        activity=activity,
        distance_m=distance_m,
        surface=surface,
        shoe_id=shoe,
        pain_before=before,
        pain_after=after,
        pain_next_morning=morning,
        duration_s=duration_s,
    )


def walk(when: str | dt.datetime, distance_m: float, **fields: Any) -> RunRecord:
    return run(when, distance_m, activity="walk", **fields)


def checkin(
    when: str | dt.datetime, score: int, *, zone: dt.tzinfo = UTC, id: object = None
) -> CheckinRecord:
    recorded_at = at(when, zone) if isinstance(when, str) else when
    return CheckinRecord(
        id=next(_ids) if id is None else id,
        recorded_at=recorded_at,
        local_date=recorded_at.astimezone(zone).date(),
        score=score,
    )


def shoe(
    id: int, *, initial: float = 0.0, threshold: float = 640_000.0, name: str | None = None
) -> ShoeRecord:
    return ShoeRecord(
        id=id,
        name=name or f"Pair {id}",
        initial_distance_m=initial,
        replacement_threshold_m=threshold,
        started_on=dt.date(2020, 1, 1),
    )
