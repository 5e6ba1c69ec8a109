"""``long_run_spike`` and ``weekly_increase`` (docs/analytics.md#long-run-spike,
docs/analytics.md#weekly-increase): hand-computed cases and edges."""

from __future__ import annotations

import datetime as dt

import pytest

from runs.analytics import RunRecord, analyse_runs
from tests.runs.analytics.build import NEW_YORK, miles, run, walk


def flags(runs: list[RunRecord], record: RunRecord) -> tuple[str, ...]:
    return analyse_runs(runs, {})[record.id].flags


def spike_of(runs: list[RunRecord], record: RunRecord) -> tuple[str | None, dict[str, object] | None]:
    analysis = analyse_runs(runs, {})[record.id]
    return analysis.spike_band, analysis.evidence.get("long_run_spike")


# long_run_spike ---------------------------------------------------------------------


def test_exactly_ten_percent_longer_is_not_a_spike() -> None:
    candidate = run("2024-05-20", 11_000.0)
    assert spike_of([run("2024-05-15", 10_000.0), candidate], candidate) == (None, None)


def test_a_hundredth_of_a_percent_over_ten_is_a_spike() -> None:
    longest = run("2024-05-15", 10_000.0)
    candidate = run("2024-05-20", 11_001.0)
    band, evidence = spike_of([longest, candidate], candidate)
    assert band == "small"
    assert evidence == {
        "distance_m": 11_001.0,
        "longest_before_m": 10_000.0,
        "longest_before_date": "2024-05-15",
        "increase_pct": 10.01,
        "band": "small",
    }


def test_five_miles_to_five_and_a_half_is_exactly_ten_percent_not_a_spike() -> None:
    five, five_and_a_half = miles("5"), miles("5.5")
    assert (five, five_and_a_half) == (8046.72, 8851.392)
    candidate = run("2024-05-20", five_and_a_half)
    assert spike_of([run("2024-05-13", five), candidate], candidate) == (None, None)


def test_ten_percent_is_compared_on_the_figures_typed_not_their_binary_form() -> None:
    # 5.16 mi → 5.676 mi is exactly +10 %; in binary floats 8304.21504 × 1.1 comes out
    # below 9134.636544, so a float comparison would call it a spike.
    longest, distance = miles("5.16"), miles("5.676")
    assert distance > longest * 1.1
    candidate = run("2024-05-20", distance)
    assert spike_of([run("2024-05-13", longest), candidate], candidate) == (None, None)


@pytest.mark.parametrize(
    ("distance", "band"),
    [
        (11_000.0, None),
        (11_000.5, "small"),
        (13_000.0, "small"),  # exactly +30 %
        (13_000.5, "moderate"),
        (20_000.0, "moderate"),  # exactly +100 %
        (20_000.5, "large"),
        (35_000.0, "large"),
    ],
)
def test_band_edges(distance: float, band: str | None) -> None:
    candidate = run("2024-05-20", distance)
    assert spike_of([run("2024-05-10", 10_000.0), candidate], candidate)[0] == band


def test_band_edges_are_exact_in_miles_too() -> None:
    # 10 mi → 13 mi is +30 % exactly (small); 10 mi → 20 mi is +100 % exactly (moderate).
    longest = run("2024-05-10", miles("10"))
    thirteen, twenty = run("2024-05-20", miles("13")), run("2024-05-21", miles("20"))
    analyses = analyse_runs([longest, thirteen], {})
    assert analyses[thirteen.id].spike_band == "small"
    assert analyses[thirteen.id].evidence["long_run_spike"]["increase_pct"] == 30.0
    assert analyse_runs([longest, twenty], {})[twenty.id].spike_band == "moderate"


def test_the_window_is_the_thirty_dates_before_the_run() -> None:
    on_d_minus_30 = run("2024-04-21", 10_000.0)
    on_d_minus_31 = run("2024-04-20", 10_000.0)
    candidate = run("2024-05-21", 12_000.0)
    assert spike_of([on_d_minus_30, candidate], candidate)[0] == "small"
    # Nothing in the window: no comparison, no spike.
    assert spike_of([on_d_minus_31, candidate], candidate) == (None, None)


def test_the_day_before_counts_and_the_thirty_first_day_before_does_not() -> None:
    much_longer_on_d_minus_31 = run("2024-04-20", 30_000.0)
    on_d_minus_1 = run("2024-05-20", 10_000.0)
    candidate = run("2024-05-21", 12_000.0)
    band, evidence = spike_of([much_longer_on_d_minus_31, on_d_minus_1, candidate], candidate)
    assert band == "small"
    assert evidence is not None
    assert evidence["longest_before_date"] == "2024-05-20"


def test_the_first_run_has_nothing_to_compare_with() -> None:
    first = run("2024-05-21", 42_000.0)
    assert flags([first], first) == ()


def test_runs_on_the_same_date_are_not_compared_with_each_other() -> None:
    before = run("2024-05-10", 10_000.0)
    long_morning = run("2024-05-20T07:00", 20_500.0)
    shorter_evening = run("2024-05-20T18:00", 12_000.0)
    analyses = analyse_runs([before, long_morning, shorter_evening], {})
    # Each against the longest of the 30 days before (10 km), not against the other.
    assert analyses[long_morning.id].spike_band == "large"
    assert analyses[shorter_evening.id].spike_band == "small"


def test_the_next_day_compares_with_the_longest_of_a_day_with_several_runs() -> None:
    runs = [run("2024-05-20T07:00", 10_000.0), run("2024-05-20T18:00", 12_000.0)]
    next_day = run("2024-05-21", 13_000.0)
    _, evidence = spike_of([*runs, next_day], next_day)
    assert evidence is None  # +8.3 % over the 12 km, not +30 % over the 10 km


def test_equally_long_runs_name_the_most_recent() -> None:
    runs = [run("2024-05-01", 10_000.0), run("2024-05-08", 10_000.0)]
    candidate = run("2024-05-20", 15_000.0)
    _, evidence = spike_of([*runs, candidate], candidate)
    assert evidence is not None
    assert evidence["longest_before_date"] == "2024-05-08"


def test_walks_are_not_load() -> None:
    long_walk = walk("2024-05-15", 25_000.0)
    earlier_run = run("2024-05-10", 10_000.0)
    candidate = run("2024-05-20", 10_500.0)
    assert spike_of([long_walk, earlier_run, candidate], candidate) == (None, None)
    # With only a walk before it, a run has nothing to compare with.
    assert spike_of([long_walk, candidate], candidate) == (None, None)


def test_walks_never_get_a_load_flag() -> None:
    runs = [run("2024-05-10", 5_000.0), run("2024-05-01", 3_000.0)]
    big_walk = walk("2024-05-11", 30_000.0)
    analysis = analyse_runs([*runs, big_walk], {})[big_walk.id]
    assert analysis.flags == ()
    assert analysis.spike_band is None


def test_a_run_at_half_past_eleven_at_night_belongs_to_that_local_date() -> None:
    # 23:30 in New York is 04:30 UTC the next day.
    late = run("2024-03-01T23:30", 10_000.0, zone=NEW_YORK)
    assert (late.local_date, late.started_at.astimezone(dt.UTC).date()) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 2),
    )
    next_morning = run("2024-03-02T07:00", 11_500.0, zone=NEW_YORK)
    # By local dates the late run is the day before, so it counts.
    assert spike_of([late, next_morning], next_morning)[0] == "small"


def test_a_late_run_on_the_thirty_first_day_before_is_out_of_the_window() -> None:
    # Local date 31 January is d−31 for 2 March 2024 (a leap year), although in UTC it
    # is 1 February, d−30.
    late = run("2024-01-31T23:30", 10_000.0, zone=NEW_YORK)
    candidate = run("2024-03-02T07:00", 12_000.0, zone=NEW_YORK)
    assert spike_of([late, candidate], candidate) == (None, None)


@pytest.mark.parametrize(
    ("candidate_date", "band"),
    [("2024-03-16T00:30", "small"), ("2024-03-17T00:30", None)],
)
def test_the_window_spans_thirty_dates_across_a_clock_change(candidate_date: str, band: str | None) -> None:
    # New York moved its clocks forward on 10 March 2024: 30 days back from 16 March
    # 00:30 EDT is 14 February 23:30 EST in hours, but the window is by dates.
    longest = run("2024-02-15T00:30", 10_000.0, zone=NEW_YORK)
    candidate = run(candidate_date, 12_000.0, zone=NEW_YORK)
    assert spike_of([longest, candidate], candidate)[0] == band


# weekly_increase --------------------------------------------------------------------


def weekly(runs: list[RunRecord], record: RunRecord) -> dict[str, object] | None:
    return analyse_runs(runs, {})[record.id].evidence.get("weekly_increase")


def test_exactly_thirty_percent_more_is_not_a_weekly_increase() -> None:
    candidate = run("2024-05-20", 13_000.0)
    assert weekly([run("2024-05-10", 10_000.0), candidate], candidate) is None


def test_more_than_thirty_percent_is_a_weekly_increase() -> None:
    candidate = run("2024-05-20", 13_001.0)
    assert weekly([run("2024-05-10", 10_000.0), candidate], candidate) == {
        "this_week_m": 13_001.0,
        "previous_week_m": 10_000.0,
        "increase_pct": 30.01,
    }


def test_thirty_percent_is_exact_on_sums_of_miles() -> None:
    # 18 mi, then 2.4 + 21 mi = 23.4 mi: exactly +30 %. Summed in binary floats the
    # week comes out above 1.3 × 18 mi.
    previous, short, long = miles("18"), miles("2.4"), miles("21")
    assert short + long > previous * 1.3
    candidate = run("2024-05-20", long)
    assert weekly([run("2024-05-10", previous), run("2024-05-19", short), candidate], candidate) is None


def test_no_weekly_increase_after_a_week_without_running() -> None:
    candidate = run("2024-05-20", 30_000.0)
    assert weekly([walk("2024-05-10", 5_000.0), candidate], candidate) is None


@pytest.mark.parametrize(
    ("previous_date", "expected"),
    [
        ("2024-05-07", True),  # d−13: the earlier week's first day
        ("2024-05-06", False),  # d−14: outside both weeks
        ("2024-05-13", True),  # d−7: the earlier week's last day
        ("2024-05-14", False),  # d−6: this week, so the earlier week is empty
    ],
)
def test_the_two_weeks_are_d_minus_13_to_7_and_d_minus_6_to_d(previous_date: str, expected: bool) -> None:
    candidate = run("2024-05-20", 13_500.0)
    assert (weekly([run(previous_date, 10_000.0), candidate], candidate) is not None) is expected


def test_this_week_includes_every_run_of_the_day_also_later_ones() -> None:
    previous = run("2024-05-10", 10_000.0)
    morning = run("2024-05-20T07:00", 6_000.0)
    evening = run("2024-05-20T18:00", 7_500.0)
    analyses = analyse_runs([previous, morning, evening], {})
    for record in (morning, evening):
        assert analyses[record.id].evidence["weekly_increase"]["this_week_m"] == 13_500.0
        assert "weekly_increase" in analyses[record.id].flags


def test_walks_add_nothing_to_the_weeks() -> None:
    previous = run("2024-05-10", 10_000.0)
    candidate = run("2024-05-20", 12_000.0)
    assert weekly([previous, walk("2024-05-19", 8_000.0), candidate], candidate) is None


def test_weeks_are_dates_across_the_autumn_clock_change() -> None:
    # New York set its clocks back on 3 November 2024.
    previous = run("2024-10-29T00:30", 10_000.0, zone=NEW_YORK)  # d−13
    candidate = run("2024-11-11T23:30", 13_500.0, zone=NEW_YORK)
    assert weekly([previous, candidate], candidate) is not None
    earlier = run("2024-10-28T23:30", 10_000.0, zone=NEW_YORK)  # d−14
    assert weekly([earlier, candidate], candidate) is None
