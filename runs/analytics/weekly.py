"""Weekly figures for the dashboard and the report: Monday-started weeks of local dates."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from runs.analytics.flags import RunAnalysis
from runs.analytics.load import EXACT, WEEK_DAYS, exact, percent_increase
from runs.analytics.records import CheckinRecord, RunRecord

WEEK = dt.timedelta(days=WEEK_DAYS)


@dataclass(frozen=True, slots=True)
class WeekStats:
    week_start: dt.date  # a Monday
    distance_m: float  # load: runs only
    run_count: int  # runs only
    walk_distance_m: float
    duration_s: int | None  # of the runs that have one; None when none has
    change_pct: float | None  # distance vs. the week before; None when that was 0
    acwr: float | None  # on the week's last day (or ``today`` when earlier)
    pain_before_avg: float | None
    pain_after_avg: float | None
    pain_max: int | None
    flare_count: int
    session_load: float | None = None  # AU: RPE × minutes of the activities with both
    session_load_change_pct: float | None = None  # None when the week before had none
    radiating_days: int = 0  # days with a check-in reporting pain down the leg


@dataclass(slots=True)
class _Week:
    distance: Decimal = Decimal(0)
    walk_distance: Decimal = Decimal(0)
    run_count: int = 0
    duration_s: int | None = None
    pain_before: list[int] = field(default_factory=list)
    pain_after: list[int] = field(default_factory=list)
    pain_max: int | None = None
    flare_count: int = 0
    session_load: float | None = None
    radiating_days: set[dt.date] = field(default_factory=set)

    def add_pain(self, *scores: int | None) -> None:
        for score in scores:
            if score is not None and (self.pain_max is None or score > self.pain_max):
                self.pain_max = score


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def weekly_stats(
    runs: Sequence[RunRecord],
    checkins: Sequence[CheckinRecord],
    analyses: Mapping[object, RunAnalysis],
    flare_checkin_ids: Collection[object],
    first_week: dt.date,
    last_week: dt.date,
    acwr_by_date: Callable[[dt.date], float | None] | Mapping[dt.date, float | None],
    *,
    today: dt.date | None = None,
) -> list[WeekStats]:
    """One item per week from the Monday ``first_week`` to the Monday ``last_week``, empty
    weeks included.

    ``runs`` and ``checkins`` may be the whole log; what lies outside the weeks is ignored,
    except the week before ``first_week``, from which the first ``change_pct`` is
    computed. ``acwr_by_date`` gives the ACWR of any date (e.g. ``AcwrSeries(runs).ratio``,
    built on the whole log); it is read on each week's Sunday, or on ``today`` for the
    current week, and not at all for weeks that have not begun by ``today``.

    Pain averages and the maximum take runs and walks alike (pain is pain); the maximum
    also takes check-ins. ``session_load`` sums the runs' and walks' RPE × minutes
    (docs/analytics.md#session-load). ``flare_count`` counts runs and walks flagged ``pain_flare`` and
    the check-ins in ``flare_checkin_ids``.
    """
    for name, monday in (("first_week", first_week), ("last_week", last_week)):
        if monday.weekday() != 0:
            raise ValueError(f"{name} must be a Monday, not {monday:%A} {monday}")
    acwr_on = acwr_by_date.get if isinstance(acwr_by_date, Mapping) else acwr_by_date
    flare_ids = set(flare_checkin_ids)  # a list would make the lookups quadratic
    # The week before the first one is tallied too: the first change_pct needs it.
    first_day, last_day = first_week - WEEK, last_week + WEEK - dt.timedelta(days=1)
    weeks: dict[dt.date, _Week] = {}

    def week_of(day: dt.date) -> _Week:
        monday = week_start(day)
        if monday not in weeks:
            weeks[monday] = _Week()
        return weeks[monday]

    with decimal.localcontext(EXACT):
        for run in runs:
            if not first_day <= run.local_date <= last_day:
                continue
            week = week_of(run.local_date)
            if run.is_load:
                week.distance += exact(run.distance_m)
                week.run_count += 1
                if run.duration_s is not None:
                    week.duration_s = (week.duration_s or 0) + run.duration_s
            else:
                week.walk_distance += exact(run.distance_m)
            if run.pain_before is not None:
                week.pain_before.append(run.pain_before)
            if run.pain_after is not None:
                week.pain_after.append(run.pain_after)
            week.add_pain(run.pain_before, run.pain_after, run.pain_next_morning)
            if run.session_load is not None:
                week.session_load = (week.session_load or 0.0) + run.session_load
            analysis = analyses.get(run.id)
            if analysis and "pain_flare" in analysis.flags:
                week.flare_count += 1
    for checkin in checkins:
        if not first_day <= checkin.local_date <= last_day:
            continue
        week = week_of(checkin.local_date)
        week.add_pain(checkin.score)
        if checkin.radiating_leg_pain:
            week.radiating_days.add(checkin.local_date)
        if checkin.id in flare_ids:
            week.flare_count += 1

    stats = []
    monday = first_week
    while monday <= last_week:
        week = weeks.get(monday, _Week())
        before = weeks.get(monday - WEEK, _Week())
        previous = before.distance
        acwr_day = monday + WEEK - dt.timedelta(days=1)
        if today is not None:
            acwr_day = min(acwr_day, today)
        stats.append(
            WeekStats(
                week_start=monday,
                distance_m=float(week.distance),
                run_count=week.run_count,
                walk_distance_m=float(week.walk_distance),
                duration_s=week.duration_s,
                change_pct=percent_increase(week.distance, previous) if previous else None,
                acwr=acwr_on(acwr_day) if acwr_day >= monday else None,
                pain_before_avg=_mean(week.pain_before),
                pain_after_avg=_mean(week.pain_after),
                pain_max=week.pain_max,
                flare_count=week.flare_count,
                session_load=week.session_load,
                session_load_change_pct=(
                    (week.session_load or 0.0) / before.session_load * 100 - 100
                    if before.session_load
                    else None
                ),
                radiating_days=len(week.radiating_days),
            )
        )
        monday += WEEK
    return stats


def _mean(scores: list[int]) -> float | None:
    return sum(scores) / len(scores) if scores else None
