"""Check-in flares (docs/analytics.md#check-in-flare): a score ≥ 2 + the median of the 14 days before it."""

from __future__ import annotations

import datetime as dt
import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from runs.analytics import CheckinRecord, RunRecord, checkin_flares
from tests.runs.analytics.build import NEW_YORK, at, checkin, run


def test_a_flare_with_exactly_three_scores() -> None:
    scores = [checkin("2024-05-01T08:00", 1), checkin("2024-05-02T08:00", 2), checkin("2024-05-03T08:00", 3)]
    flare = checkin("2024-05-04T08:00", 4)
    not_enough_above = checkin("2024-05-04T09:00", 3)
    found = checkin_flares([*scores, flare], [])
    assert found == {
        flare.id: {
            "score": 4,
            "median": 2,
            "scores_count": 3,
            "window_start": "2024-04-20T08:00:00+00:00",
        }
    }
    assert checkin_flares([*scores, not_enough_above], []) == {}


def test_no_flare_with_only_two_scores() -> None:
    scores = [checkin("2024-05-01", 0), checkin("2024-05-02", 0)]
    assert checkin_flares([*scores, checkin("2024-05-03", 10)], []) == {}


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    scores = [checkin(f"2024-05-0{n}", score) for n, score in ((1, 1), (2, 4), (3, 2), (4, 3))]
    just_below = checkin("2024-05-05T08:00", 4)  # 4 < 2.5 + 2
    flare = checkin("2024-05-05T07:00", 5)
    assert checkin_flares([*scores, just_below], []) == {}
    found = checkin_flares([*scores, flare], [])
    assert found[flare.id]["median"] == 2.5
    assert found[flare.id]["scores_count"] == 4


def test_pain_before_runs_counts_and_pain_after_does_not() -> None:
    runs = [
        run("2024-05-01", 5_000.0, before=1, after=9),
        run("2024-05-02", 5_000.0, before=1, after=9),
        run("2024-05-03", 5_000.0, before=1, after=9, activity="walk"),
        run("2024-05-03", 5_000.0, after=9),  # no pain before: nothing to count
    ]
    flare = checkin("2024-05-04", 3)
    assert checkin_flares([flare], runs) == {
        flare.id: {"score": 3, "median": 1, "scores_count": 3, "window_start": "2024-04-20T07:00:00+00:00"}
    }


def window(scores_at: list[dt.datetime], score_at: dt.datetime) -> dict[object, dict[str, object]]:
    earlier = [checkin(moment, 1) for moment in scores_at]
    return checkin_flares([*earlier, checkin(score_at, 3, id="probe")], [])


def test_the_window_is_half_open() -> None:
    probe = at("2024-05-15T12:00")
    start = probe - dt.timedelta(days=14)
    inside = [start, start + dt.timedelta(hours=1), probe - dt.timedelta(seconds=1)]
    assert "probe" in window(inside, probe)
    # Just before the start, or at the very same instant: not "before it".
    for moment in (start - dt.timedelta(seconds=1), probe):
        assert window([*inside[1:], moment], probe) == {}


def test_the_fourteen_days_are_hours_across_a_clock_change() -> None:
    # New York moved its clocks forward on 10 March 2024: 14 × 24 hours before 17 March
    # 12:00 EDT is 3 March 11:00 EST.
    probe = at("2024-03-17T12:00", NEW_YORK)
    others = [at("2024-03-10T12:00", NEW_YORK), at("2024-03-12T12:00", NEW_YORK)]
    found = window([at("2024-03-03T11:00", NEW_YORK), *others], probe)
    assert found["probe"]["window_start"] == "2024-03-03T11:00:00-05:00"
    assert window([at("2024-03-03T10:59", NEW_YORK), *others], probe) == {}


def test_a_flare_counts_in_the_windows_of_later_check_ins() -> None:
    checkins = [checkin(f"2024-05-0{n}", 0) for n in (1, 2, 3)] + [checkin("2024-05-04", 8)]
    later = checkin("2024-05-05", 2)
    # 0, 0, 0, 8: median 0, so 2 is a flare too.
    assert set(checkin_flares([*checkins, later], [])) == {checkins[3].id, later.id}


def reference(checkins: list[CheckinRecord], runs: list[RunRecord]) -> dict[object, float]:
    """The rule as written, scanning every score for every check-in."""
    scores = [(c.recorded_at, c.score) for c in checkins] + [
        (r.started_at, r.pain_before) for r in runs if r.pain_before is not None
    ]
    found = {}
    for c in checkins:
        inside = [
            s for moment, s in scores if c.recorded_at - dt.timedelta(days=14) <= moment < c.recorded_at
        ]
        if len(inside) >= 3 and c.score >= 2 + statistics.median(inside):
            found[c.id] = statistics.median(inside)
    return found


moments = st.integers(min_value=0, max_value=40 * 24).map(
    lambda hours: at("2024-05-01T00:00") + dt.timedelta(hours=hours)
)
pains = st.integers(min_value=0, max_value=10)


@settings(max_examples=80, deadline=None)
@given(
    checkin_data=st.lists(st.tuples(moments, pains), max_size=40),
    run_data=st.lists(st.tuples(moments, st.none() | pains), max_size=20),
)
def test_the_sliding_window_matches_the_rule_as_written(
    checkin_data: list[tuple[dt.datetime, int]], run_data: list[tuple[dt.datetime, int | None]]
) -> None:
    checkins = [checkin(moment, score) for moment, score in checkin_data]
    runs = [run(moment, 5_000.0, before=before) for moment, before in run_data]
    found = checkin_flares(checkins, runs)
    assert {pk: evidence["median"] for pk, evidence in found.items()} == reference(checkins, runs)
