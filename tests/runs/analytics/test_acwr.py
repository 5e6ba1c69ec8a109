"""EWMA acute:chronic workload ratio and ``acwr_high`` (docs/analytics.md#acwr)."""

from __future__ import annotations

import datetime as dt

import pytest

from runs.analytics import AcwrSeries, RunRecord, analyse_runs
from tests.runs.analytics.build import run, walk

START = dt.date(2024, 1, 1)
ACUTE, CHRONIC = 2 / 8, 2 / 29


def on_day(t: int) -> dt.date:
    """The date of day number t (1 on START)."""
    return START + dt.timedelta(days=t - 1)


def daily_runs(loads: list[float]) -> list[RunRecord]:
    """One run a day from START with these distances; 0 is a rest day."""
    return [run(on_day(t).isoformat(), load) for t, load in enumerate(loads, start=1) if load]


def by_hand(loads: list[float], t: int) -> tuple[float, float]:
    """Bias-corrected acute and chronic EWMAs on day t, iterated day by day from the
    formula of docs/analytics.md#acwr (independently of the closed-form gaps the series uses)."""
    acute = chronic = 0.0
    for load in (loads + [0.0] * t)[:t]:
        acute = ACUTE * load + (1 - ACUTE) * acute
        chronic = CHRONIC * load + (1 - CHRONIC) * chronic
    return acute / (1 - (1 - ACUTE) ** t), chronic / (1 - (1 - CHRONIC) ** t)


def test_constant_load_gives_a_ratio_of_one_from_day_28() -> None:
    series = AcwrSeries(daily_runs([8_000.0] * 40))
    assert series.ratio(on_day(27)) is None
    for t in (28, 29, 40):
        point = series.on(on_day(t))
        assert point is not None
        assert point.day_number == t
        assert point.acwr == pytest.approx(1.0, rel=1e-12)
        # Bias-corrected, both averages are the daily load itself.
        assert point.acute == pytest.approx(8_000.0, rel=1e-12)
        assert point.chronic == pytest.approx(8_000.0, rel=1e-12)


def test_a_small_example_worked_by_hand() -> None:
    # Day 1: 10 km, day 2: rest, day 3: 5 km.
    # Acute: E1 = 0.25·10000 = 2500; E2 = 0.75·2500 = 1875; E3 = 0.25·5000 + 0.75·1875
    # = 2656.25; Ê3 = 2656.25 / (1 − 0.75³) = 2656.25 / 0.578125.
    # Chronic: E1 = 20000/29; E2 = (27/29)·E1; E3 = 10000/29 + (27/29)·E2;
    # Ê3 = E3 / (1 − (27/29)³).
    series = AcwrSeries(daily_runs([10_000.0, 0.0, 5_000.0]))
    point = series.on(on_day(3))
    assert point is not None
    chronic_e3 = 10_000 / 29 + (27 / 29) ** 2 * 20_000 / 29
    assert point.acute == pytest.approx(2656.25 / 0.578125, rel=1e-12)
    assert point.chronic == pytest.approx(chronic_e3 / (1 - (27 / 29) ** 3), rel=1e-12)
    assert point.acwr is None  # t = 3 < 28


def test_a_ratio_matches_the_day_by_day_iteration() -> None:
    loads = [5_000.0, 0.0, 0.0, 8_000.0, 0.0, 12_000.0, 0.0] * 4 + [0.0, 15_000.0, 0.0, 21_000.0]
    series = AcwrSeries(daily_runs(loads))
    for t in range(1, len(loads) + 10):  # also rest days after the last run
        acute, chronic = by_hand(loads, t)
        point = series.on(on_day(t))
        assert point is not None
        assert (point.acute, point.chronic) == (
            pytest.approx(acute, rel=1e-12),
            pytest.approx(chronic, rel=1e-12),
        )
        if t >= 28:
            assert point.acwr == pytest.approx(acute / chronic, rel=1e-12)
        else:
            assert point.acwr is None


def test_daily_load_sums_the_runs_of_a_day() -> None:
    one = AcwrSeries(daily_runs([10_000.0] * 30))
    split = AcwrSeries(
        [run(f"{on_day(t)}T07:00", 4_000.0) for t in range(1, 31)]
        + [run(f"{on_day(t)}T18:00", 6_000.0) for t in range(1, 31)]
    )
    assert split.on(on_day(30)) == one.on(on_day(30))


def test_nothing_before_the_first_session() -> None:
    series = AcwrSeries(daily_runs([5_000.0] * 30))
    assert series.on(on_day(0)) is None
    assert AcwrSeries([]).on(START) is None


def test_a_walk_starts_the_clock_but_adds_no_load() -> None:
    runs = daily_runs([0.0] + [6_000.0] * 30)  # runs from day 2
    without_walk = AcwrSeries(runs)
    with_walk = AcwrSeries([walk(START.isoformat(), 4_000.0), *runs])
    assert without_walk.ratio(on_day(28)) is None  # its day 27
    point = with_walk.on(on_day(28))
    assert point is not None
    acute, chronic = by_hand([0.0] + [6_000.0] * 30, 28)
    assert point.acwr == pytest.approx(acute / chronic, rel=1e-12)


def test_no_ratio_while_the_chronic_load_is_zero() -> None:
    walks = [walk(on_day(t).isoformat(), 3_000.0) for t in range(1, 31)]
    assert AcwrSeries(walks).ratio(on_day(30)) is None


def test_acwr_high_from_one_and_a_half() -> None:
    loads = [3_000.0] * 28 + [9_000.0] * 5
    runs = daily_runs(loads)
    walk_on_a_high_day = walk(on_day(33).isoformat(), 2_000.0)
    analyses = analyse_runs([*runs, walk_on_a_high_day], {})
    flagged = []
    for record in runs:
        t = (record.local_date - START).days + 1
        acute, chronic = by_hand(loads, t)
        expected = acute / chronic if t >= 28 else None
        analysis = analyses[record.id]
        assert analysis.acwr == (pytest.approx(expected, rel=1e-12) if expected else None)
        if expected is not None and expected >= 1.5:
            flagged.append(t)
            assert analysis.evidence["acwr_high"] == {
                "acwr": analysis.acwr,
                "acute": pytest.approx(acute, rel=1e-12),
                "chronic": pytest.approx(chronic, rel=1e-12),
                "day_number": t,
            }
        else:
            assert "acwr_high" not in analysis.flags
    assert flagged == [31, 32, 33]
    # The walk gets its date's ratio, never the flag.
    walk_analysis = analyses[walk_on_a_high_day.id]
    assert walk_analysis.acwr == analyses[runs[-1].id].acwr
    assert walk_analysis.flags == ()
