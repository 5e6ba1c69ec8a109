"""When reminders go out, in the runner's own zone: pure functions over dates, wall-clock
times and ``zoneinfo`` zones (no Django).

A local time that does not exist (the hour skipped when clocks spring forward) moves on by
the gap: 02:30 on that night is 03:30. One that exists twice (the hour repeated in the
autumn) is its first occurrence; each reminder is keyed by its local date, so it goes out
once either way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# A day's reminders not sent within this long of their time (the worker was stopped) are
# dropped rather than sent in the evening about the morning.
MAX_LATENESS = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Timing:
    time: dt.time
    quiet_start: dt.time
    quiet_end: dt.time
    zone: ZoneInfo


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``day`` at ``at`` on the zone's clocks, as an aware UTC date-time. ``fold=0`` takes the
    offset from before a transition: a time in the spring gap lands after it, an autumn
    time that happens twice is the first one."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


def in_quiet_hours(at: dt.time, start: dt.time, end: dt.time) -> bool:
    """Quiet from ``start`` (included) to ``end`` (excluded), across midnight when the end
    comes first; no quiet hours when both are the same time."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def fire_at(day: dt.date, timing: Timing) -> dt.datetime:
    """When the reminders of local date ``day`` go out: at the chosen time, or at the end of
    the quiet hours it falls in (the next morning when the time is late in the evening)."""
    at = timing.time
    if not in_quiet_hours(at, timing.quiet_start, timing.quiet_end):
        return local_instant(day, at, timing.zone)
    end_day = day if timing.quiet_end > at else day + dt.timedelta(days=1)
    return local_instant(end_day, timing.quiet_end, timing.zone)


def out_of_quiet_hours(instant: dt.datetime, timing: Timing) -> dt.datetime:
    """``instant``, or the end of the quiet hours it falls in (a retry waits for morning)."""
    local = instant.astimezone(timing.zone)
    if not in_quiet_hours(local.time().replace(tzinfo=None), timing.quiet_start, timing.quiet_end):
        return instant
    end_day = local.date()
    if local.time().replace(tzinfo=None) >= timing.quiet_end:
        end_day += dt.timedelta(days=1)
    return max(instant, local_instant(end_day, timing.quiet_end, timing.zone))


def days_due(
    now: dt.datetime, timing: Timing, scanned_through: dt.date | None
) -> tuple[list[dt.date], dt.date | None]:
    """The local dates whose reminders are to be made now, and the date the user is then
    scanned through (None: nothing changes).

    Yesterday is looked at as well as today, for reminders held back past midnight by quiet
    hours. A date is made once, at the first look after its time; a date more than
    :data:`MAX_LATENESS` past it is passed over; during quiet hours nothing is made.
    """
    today = now.astimezone(timing.zone).date()
    due: list[dt.date] = []
    through = scanned_through
    for day in (today - dt.timedelta(days=1), today):
        if through is not None and day <= through:
            continue
        when = fire_at(day, timing)
        if now < when:
            break
        if now - when > MAX_LATENESS:
            through = day
            continue
        local_now = now.astimezone(timing.zone).time().replace(tzinfo=None)
        if in_quiet_hours(local_now, timing.quiet_start, timing.quiet_end):
            break
        due.append(day)
        through = day
    return due, (through if through != scanned_through else None)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: 1, 4, 16, 64 minutes."""
    return dt.timedelta(minutes=4 ** (attempts - 1))
