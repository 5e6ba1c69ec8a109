"""Weekly figures: Monday-started weeks of local dates, empty weeks included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from runs.analytics import AcwrSeries, WeekStats, analyse_runs, checkin_flares, weekly_stats
from runs.analytics.records import CheckinRecord, RunRecord
from tests.runs.analytics.build import NEW_YORK, checkin, day, run, walk

MONDAY = day("2024-05-06")
NEXT_MONDAY = day("2024-05-13")


def weeks(
    runs: list[RunRecord],
    checkins: list[CheckinRecord] | None = None,
    *,
    first: dt.date = MONDAY,
    last: dt.date = NEXT_MONDAY,
    acwr_by_date: Mapping[dt.date, float | None] | None = None,
    today: dt.date | None = None,
) -> list[WeekStats]:
    checkins = checkins or []
    return weekly_stats(
        runs,
        checkins,
        analyse_runs(runs, {}),
        checkin_flares(checkins, runs),
        first,
        last,
        acwr_by_date if acwr_by_date is not None else AcwrSeries(runs).ratio,
        today=today,
    )


def test_one_item_per_week_empty_ones_included() -> None:
    found = weeks([run("2024-05-08", 5_000.0)], last=day("2024-05-27"))
    assert [w.week_start for w in found] == [MONDAY, NEXT_MONDAY, day("2024-05-20"), day("2024-05-27")]
    empty = found[1]
    assert empty == WeekStats(
        week_start=NEXT_MONDAY,
        distance_m=0.0,
        run_count=0,
        walk_distance_m=0.0,
        duration_s=None,
        change_pct=-100.0,
        acwr=None,
        pain_before_avg=None,
        pain_after_avg=None,
        pain_max=None,
        flare_count=0,
    )
    assert found[2].change_pct is None  # the week before had no running


def test_distance_counts_runs_and_walks_apart() -> None:
    runs = [
        run("2024-05-06", 5_000.0, duration_s=1_800),
        run("2024-05-12T21:00", 10_000.0),  # Sunday: still this week
        walk("2024-05-08", 3_000.0, duration_s=2_400),
        run("2024-05-13", 7_000.0),  # next Monday
    ]
    this_week = weeks(runs)[0]
    assert (this_week.distance_m, this_week.run_count, this_week.walk_distance_m) == (15_000.0, 2, 3_000.0)
    assert this_week.duration_s == 1_800  # of the runs that have one; walks apart


def test_sums_are_exact() -> None:
    this_week = weeks([run("2024-05-06", 0.1), run("2024-05-07", 0.2)])[0]
    assert this_week.distance_m == 0.3


def test_change_from_the_week_before_even_before_the_first_week() -> None:
    runs = [run("2024-04-30", 10_000.0), run("2024-05-07", 13_000.0), run("2024-05-14", 6_500.0)]
    assert [w.change_pct for w in weeks(runs)] == [30.0, -50.0]


def test_acwr_on_the_sunday_or_today() -> None:
    runs = [run((MONDAY - dt.timedelta(days=n)).isoformat(), 5_000.0 + 100 * n) for n in range(40)]
    series = AcwrSeries(runs)
    sunday, next_sunday = day("2024-05-12"), day("2024-05-19")
    assert [w.acwr for w in weeks(runs)] == [series.ratio(sunday), series.ratio(next_sunday)]
    wednesday = day("2024-05-08")
    assert [w.acwr for w in weeks(runs, today=wednesday)] == [series.ratio(wednesday), None]
    # A mapping of dates works as well as a function.
    assert [w.acwr for w in weeks(runs, acwr_by_date={sunday: 1.25})] == [1.25, None]


def test_pain_figures() -> None:
    runs = [
        run("2024-05-06", 5_000.0, before=1, after=4),  # a flare
        walk("2024-05-07", 3_000.0, before=2, after=2, morning=7),
        run("2024-05-08", 5_000.0, after=3),
    ]
    checkins = [checkin(f"2024-05-0{n}T20:00", 1) for n in (1, 2, 3)] + [checkin("2024-05-09T20:00", 9)]
    this_week = weeks(runs, checkins)[0]
    assert this_week.pain_before_avg == 1.5
    assert this_week.pain_after_avg == 3.0
    assert this_week.pain_max == 9  # a check-in; next-morning pain counts too
    assert this_week.flare_count == 3  # the run, the walk (next morning), the check-in


def test_weeks_are_local_dates() -> None:
    # Sunday 23:30 in New York is Monday in UTC: it belongs to the Sunday's week.
    late = run("2024-05-12T23:30", 8_000.0, zone=NEW_YORK)
    assert [w.distance_m for w in weeks([late])] == [8_000.0, 0.0]


def test_weeks_start_on_mondays() -> None:
    with pytest.raises(ValueError, match="Monday"):
        weeks([], first=day("2024-05-07"))
