"""Associations (docs/analytics.md#patterns): 2×2 tables, risk ratios, intervals, p-values, the adjustment,
periods, the delayed outcome, ``same_as`` and verdicts."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests

from runs.analytics import Association, RunAnalysis, RunRecord, analyse_runs, associations
from runs.analytics.patterns import association
from tests.runs.analytics.build import NEW_YORK, checkin, run, shoe, walk

Z = NormalDist().inv_cdf(0.975)


def table(
    exposed_runs: int, exposed_flares: int, unexposed_runs: int, unexposed_flares: int, **kwargs: object
) -> Association:
    return association(  # type: ignore[misc]
        exposure="shoe_worn",
        label="Shoes past their replacement distance",
        who="runs in shoes past their replacement distance",
        exposed_runs=exposed_runs,
        exposed_flares=exposed_flares,
        unexposed_runs=unexposed_runs,
        unexposed_flares=unexposed_flares,
        **kwargs,  # type: ignore[arg-type]
    )


def log_method(a: float, b: float, c: float, d: float) -> tuple[float, float, float]:
    """Risk ratio and 95 % interval by the log method, by hand."""
    ratio = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    return ratio, math.exp(math.log(ratio) - Z * se), math.exp(math.log(ratio) + Z * se)


def fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact test by hand: the hypergeometric tables with the same margins that
    are no more likely than the one observed."""
    row, column, n = a + b, a + c, a + b + c + d

    def probability(x: int) -> float:
        return math.comb(row, x) * math.comb(n - row, column - x) / math.comb(n, column)

    observed = probability(a)
    low, high = max(0, column - (n - row)), min(row, column)
    return sum(p for x in range(low, high + 1) if (p := probability(x)) <= observed * (1 + 1e-7))


def test_the_spec_example() -> None:
    found = table(8, 5, 30, 3)
    ratio, low, high = log_method(5, 3, 3, 27)
    assert found.risk_ratio == pytest.approx(ratio) == 6.25
    assert (found.ci95_low, found.ci95_high) == (pytest.approx(low), pytest.approx(high))
    assert (round(found.ci95_low, 2), round(found.ci95_high, 2)) == (1.88, 20.76)
    assert found.p_value == pytest.approx(fisher_two_sided(5, 3, 3, 27))
    assert found.p_adjusted == pytest.approx(found.p_value)  # the only test
    assert (found.exposed_periods, found.verdict) == (8, "likely")
    assert found.message == (
        "Runs in shoes past their replacement distance ended in a flare-up 5 of 8 times (63 %), "
        "other runs 3 of 30 times (10 %): 6.3× as often (95 % CI 1.9–21), in 8 separate periods "
        "(p = 0.005 adjusted for the 1 patterns tested). "
        "This is a pattern in this one log, not proof of cause."
    )


def test_a_zero_cell_adds_one_half_to_every_cell() -> None:
    # a = 5 flares of 5 exposed (b = 0), c = 3 of 30 unexposed (d = 27).
    found = table(5, 5, 30, 3)
    ratio, low, high = log_method(5.5, 0.5, 3.5, 27.5)
    assert ratio == pytest.approx((5.5 / 6) / (3.5 / 31))
    assert found.risk_ratio == pytest.approx(ratio)
    assert (found.ci95_low, found.ci95_high) == (pytest.approx(low), pytest.approx(high))
    # statsmodels' own shift only replaces the zero cell, which gives another answer.
    only_zeros = Table2x2(np.array([[5, 0], [3, 27]]), shift_zeros=True)
    assert only_zeros.riskratio != pytest.approx(ratio)
    # The exact test runs on the counts themselves.
    assert found.p_value == pytest.approx(fisher_two_sided(5, 0, 3, 27))
    # The counts reported are the real ones.
    assert (found.exposed_runs, found.exposed_flares, found.unexposed_runs, found.unexposed_flares) == (
        5,
        5,
        30,
        3,
    )


JUNE = (dt.date(2026, 6, 3), dt.date(2026, 7, 16))
SCATTERED = [(dt.date(2026, month, 1), dt.date(2026, month, 2)) for month in (1, 4, 8)]


@pytest.mark.parametrize(
    ("counts", "periods", "verdict"),
    [
        ((4, 3, 30, 3), SCATTERED, "insufficient_data"),  # 4 exposed runs
        ((30, 3, 4, 3), SCATTERED, "insufficient_data"),  # 4 unexposed runs
        ((10, 2, 30, 0), SCATTERED, "insufficient_data"),  # 2 flare-ups in all
        ((5, 3, 30, 0), SCATTERED, "likely"),  # 5, 3 flare-ups and 3 periods: enough
        ((5, 3, 30, 0), SCATTERED[:2], "possible"),  # the same counts in 2 periods
        ((5, 3, 30, 0), [JUNE], "possible"),  # ... or in one
        ((20, 1, 20, 10), SCATTERED, "likely_fewer"),  # RR 0.1, interval below 1
        ((20, 1, 20, 10), [JUNE], "possible_fewer"),  # the same in one period
        ((10, 3, 30, 5), SCATTERED, "possible"),  # RR 1.8, interval 0.52–6.2
        ((10, 1, 30, 3), SCATTERED, "none"),  # RR 1.0
        ((20, 2, 20, 3), SCATTERED, "possible_fewer"),  # RR 0.67 = 1/1.5 exactly, interval wide
        ((20, 3, 20, 2), SCATTERED, "possible"),  # RR 1.5 exactly
        ((20, 4, 20, 5), SCATTERED, "none"),  # RR 0.8
    ],
)
def test_verdicts(
    counts: tuple[int, int, int, int], periods: list[tuple[dt.date, dt.date]], verdict: str
) -> None:
    assert table(*counts, periods=periods).verdict == verdict


def test_likely_needs_the_adjusted_p_value_below_005() -> None:
    # p = 0.0049 alone; adjusted with 9 other patterns at p = 1 it is 0.0049 × 10 ≈ 0.049.
    alone = table(8, 5, 30, 3)
    assert alone.p_value is not None
    others = [1.0] * 9
    assert table(8, 5, 30, 3, tested_with=others).p_adjusted == pytest.approx(alone.p_value * 10)
    assert table(8, 5, 30, 3, tested_with=others).verdict == "likely"
    # One more pattern tested, and the same counts may be chance.
    crowded = table(8, 5, 30, 3, tested_with=[1.0] * 10)
    assert crowded.p_adjusted is not None
    assert crowded.p_adjusted >= 0.05
    assert crowded.ci95_low is not None
    assert crowded.ci95_low > 1
    assert crowded.verdict == "possible"
    assert "with 11 patterns tested at once this may be chance" in crowded.message


def test_one_period_is_said_with_its_dates() -> None:
    found = table(8, 5, 30, 3, periods=[JUNE], subject="the shoes")
    assert found.message == (
        "Runs in shoes past their replacement distance ended in a flare-up 5 of 8 times (63 %), "
        "other runs 3 of 30 times (10 %): 6.3× as often (95 % CI 1.9–21), but all of those runs "
        "fall in one period (3 Jun – 16 Jul 2026), so the log cannot tell the shoes apart from "
        "whatever else changed then. This is a pattern in this one log, not proof of cause."
    )
    two = table(8, 5, 30, 3, periods=[(dt.date(2025, 12, 30), dt.date(2026, 1, 5)), JUNE])
    assert "only 2 periods (30 Dec 2025 – 5 Jan 2026 and 3 Jun – 16 Jul 2026)" in two.message


def test_possible_means_a_large_ratio_whose_interval_includes_one() -> None:
    found = table(10, 3, 30, 5)
    assert found.risk_ratio == pytest.approx(1.8)
    assert found.ci95_low is not None
    assert found.ci95_low < 1
    assert "3 of 10 times (30 %), other runs 5 of 30 times (17 %): 1.8× as often" in found.message
    assert "may be chance" in found.message


def test_too_few_runs_say_what_is_missing_with_the_counts() -> None:
    found = table(3, 1, 40, 1)
    assert found.message == (
        "Too few runs to tell. Runs in shoes past their replacement distance: 3 (1 with a flare-up); "
        "other runs: 40 (1). At least 5 of each and 3 flare-ups in all are needed."
    )
    # The figures are still given where they exist, but nothing is adjusted or judged.
    assert found.risk_ratio is not None
    assert found.p_adjusted is None


def test_no_difference_and_fewer_flares_are_said_plainly() -> None:
    same = table(10, 1, 30, 3)
    assert same.message == (
        "Runs in shoes past their replacement distance ended in a flare-up 1 of 10 times (10 %), "
        "other runs 3 of 30 times (10 %): no clear difference shows (1.0×, 95 % CI 0.12–8.6)."
    )
    fewer = table(20, 1, 20, 10)
    assert fewer.verdict == "likely_fewer"
    assert "0.10× as often (95 % CI 0.014–0.71), fewer flare-ups rather than more, in 20" in fewer.message


@pytest.mark.parametrize("counts", [(0, 0, 30, 3), (30, 3, 0, 0)])
def test_no_numbers_without_both_groups(counts: tuple[int, int, int, int]) -> None:
    found = table(*counts)
    assert (found.risk_ratio, found.ci95_low, found.ci95_high, found.p_value) == (None, None, None, None)
    assert found.verdict == "insufficient_data"


def analysed(record: RunRecord, *flags: str) -> tuple[RunRecord, RunAnalysis]:
    return record, RunAnalysis(flags=flags, spike_band=None, acwr=None, evidence={})


def judged(log: list[tuple[RunRecord, RunAnalysis]], **kwargs: object) -> dict[str, Association]:
    runs = [record for record, _ in log]
    analyses = {record.id: analysis for record, analysis in log}
    return {
        found.exposure: found for found in associations(runs, analyses, kwargs.pop("shoes", {}), **kwargs)
    }  # type: ignore[arg-type]


def test_exposures_population_and_order() -> None:
    pairs = {
        3: shoe(3, name="Zoom"),
        1: shoe(1, name="Zoom"),
        2: shoe(2, name="Alpha"),
        4: shoe(4, name="Unworn"),
    }
    log = [
        analysed(run("2024-05-01", 5_000.0, shoe=3, surface="trail", before=1, after=4), "pain_flare"),
        analysed(run("2024-05-02", 5_000.0, shoe=1, surface="road", before=1, after=1), "shoe_worn"),
        analysed(run("2024-05-03", 5_000.0, shoe=2, surface="road", before=1, after=1), "long_run_spike"),
        analysed(run("2024-05-04", 5_000.0, surface="sand", before=2, after=2), "acwr_high"),
        # Not in the population: a walk, a run without pain after, one without pain before.
        analysed(walk("2024-05-05", 5_000.0, shoe=4, surface="grass", before=1, after=5), "pain_flare"),
        analysed(run("2024-05-06", 5_000.0, shoe=4, surface="track", before=1), "shoe_worn"),
        analysed(run("2024-05-07", 5_000.0, shoe=4, surface="track", after=8), "pain_flare"),
    ]
    runs = [record for record, _ in log]
    analyses = {record.id: analysis for record, analysis in log}
    found = associations(runs, analyses, pairs)
    assert [(a.exposure, a.label, a.outcome) for a in found] == [
        ("long_run_spike", "Long-run spike", "pain_flare"),
        ("weekly_increase", "Weekly distance up more than 30 %", "pain_flare"),
        ("acwr_high", "Acute:chronic load ratio ≥ 1.5", "pain_flare"),
        ("shoe_worn", "Shoes past their replacement distance", "pain_flare"),
        ("shoe:2", "Shoes: Alpha", "pain_flare"),
        ("shoe:1", "Shoes: Zoom", "pain_flare"),
        ("shoe:3", "Shoes: Zoom", "pain_flare"),
        ("surface:road", "Surface: road", "pain_flare"),
        ("surface:sand", "Surface: sand", "pain_flare"),
        ("surface:trail", "Surface: trail", "pain_flare"),
        ("long_run_spike_48h", "Long-run spike, flare-up within two days", "pain_flare_48h"),
        (
            "weekly_increase_48h",
            "Weekly distance up more than 30 %, flare-up within two days",
            "pain_flare_48h",
        ),
        ("acwr_high_48h", "Acute:chronic load ratio ≥ 1.5, flare-up within two days", "pain_flare_48h"),
    ]
    counts = {
        a.exposure: (a.exposed_runs, a.exposed_flares, a.unexposed_runs, a.unexposed_flares) for a in found
    }
    assert counts["long_run_spike"] == (1, 0, 3, 1)
    assert counts["weekly_increase"] == (0, 0, 4, 1)
    assert counts["shoe:3"] == (1, 1, 3, 0)
    assert counts["surface:road"] == (2, 0, 2, 1)
    assert all(a.verdict == "insufficient_data" for a in found)
    assert all(a.p_adjusted is None for a in found)
    assert found[1].risk_ratio is None


def test_exposed_periods_count_the_stretches_of_consecutive_exposed_runs() -> None:
    # Trail on runs 1, 2, 4, 7, 8, 9 of ten: three stretches. The walk between does not
    # break or join a stretch; nor does a run without pain scores.
    surfaces = ["trail", "trail", "road", "trail", "road", "road", "trail", "trail", "trail", "road"]
    log = [
        analysed(run(f"2024-05-{n + 1:02d}", 5_000.0, surface=surface, before=1, after=1))
        for n, surface in enumerate(surfaces)
    ]
    log.insert(2, analysed(walk("2024-05-02T18:00", 3_000.0, surface="road", before=1, after=1)))
    log.insert(6, analysed(run("2024-05-05T18:00", 3_000.0, surface="road")))
    found = judged(log)
    assert found["surface:trail"].exposed_periods == 3
    assert found["surface:road"].exposed_periods == 3
    assert found["weekly_increase"].exposed_periods == 0


def test_the_delayed_outcome_counts_flare_days_on_the_two_days_after() -> None:
    log = [
        analysed(run("2024-05-01", 5_000.0, before=1, after=1), "long_run_spike"),  # flare day on the 3rd
        analysed(run("2024-05-10", 5_000.0, before=1, after=1), "long_run_spike"),  # on the 13th: too late
        analysed(run("2024-05-20", 5_000.0, before=1, after=4), "long_run_spike", "pain_flare"),  # its own
        analysed(run("2024-05-25", 5_000.0, before=1, after=1)),  # on the 26th, not exposed
    ]
    flare_days = {dt.date(2024, 5, 3), dt.date(2024, 5, 13), dt.date(2024, 5, 26)}
    found = judged(log, flare_days=flare_days)
    delayed, same_day = found["long_run_spike_48h"], found["long_run_spike"]
    assert (
        delayed.exposed_runs,
        delayed.exposed_flares,
        delayed.unexposed_runs,
        delayed.unexposed_flares,
    ) == (
        3,
        2,
        1,
        1,
    )
    assert (same_day.exposed_flares, same_day.unexposed_flares) == (1, 0)
    # A run and its delayed variant select the same runs but not the same outcome.
    assert delayed.same_as == ()
    assert same_day.same_as == ("surface:road",) or "long_run_spike_48h" not in same_day.same_as


def test_the_48_hours_are_local_dates_across_a_change_of_the_clocks() -> None:
    # New York springs forward on 10 Mar 2024: the night of the 9th has 23 hours. A spike
    # late on the 9th and a check-in flare late on the 11th are two local days apart.
    spike = run("2024-03-09T23:30", 5_000.0, zone=NEW_YORK, before=1, after=1)
    assert spike.local_date == dt.date(2024, 3, 9)
    flare = checkin("2024-03-11T23:45", 7, zone=NEW_YORK)
    assert flare.local_date == dt.date(2024, 3, 11)
    found = judged([analysed(spike, "long_run_spike")], flare_days={flare.local_date})
    assert found["long_run_spike_48h"].exposed_flares == 1
    later = judged([analysed(spike, "long_run_spike")], flare_days={flare.local_date + dt.timedelta(days=1)})
    assert later["long_run_spike_48h"].exposed_flares == 0


def test_exposures_that_select_the_same_runs_name_each_other() -> None:
    pairs = {1: shoe(1, name="Old pair"), 2: shoe(2, name="New pair")}
    log = [
        analysed(run(f"2024-05-{n:02d}", 5_000.0, shoe=1, before=1, after=1), "shoe_worn")
        for n in range(1, 6)
    ] + [analysed(run(f"2024-06-{n:02d}", 5_000.0, shoe=2, before=1, after=1)) for n in range(1, 6)]
    found = judged(log, shoes=pairs)
    assert found["shoe_worn"].same_as == ("shoe:1",)
    assert found["shoe:1"].same_as == ("shoe_worn",)
    assert found["shoe:2"].same_as == ()
    # Every run is on road, and no exposure selects nothing in common with an empty one.
    assert found["surface:road"].same_as == ()
    assert found["long_run_spike"].same_as == ()


def test_the_adjustment_is_benjamini_hochberg_over_the_judged_patterns() -> None:
    rng = np.random.default_rng(7)
    pairs = {pk: shoe(pk, name=f"Pair {pk}") for pk in (1, 2, 3)}
    log = []
    for n in range(90):
        pair = 1 + n % 3
        surface = ["road", "trail", "track", "grass"][rng.integers(0, 4)]
        flare = rng.random() < (0.6 if pair == 1 else 0.15)
        record = run(
            (dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat(),
            5_000.0,
            shoe=pair,
            surface=surface,
            before=1,
            after=4 if flare else 1,
        )
        log.append(analysed(record, *(["pain_flare"] if flare else [])))
    found = list(judged(log, shoes=pairs).values())
    tested = [item for item in found if item.verdict != "insufficient_data"]
    assert len(tested) >= 5
    expected = multipletests([item.p_value for item in tested], method="fdr_bh")[1]
    assert [item.p_adjusted for item in tested] == pytest.approx(list(expected))
    assert all(item.p_adjusted is None for item in found if item.verdict == "insufficient_data")
    assert judged(log, shoes=pairs)["shoe:1"].verdict == "likely"


def test_a_likely_pattern_from_analysed_runs() -> None:
    # An old pair worn on every other day, a flare-up in 5 of its 8 runs, 3 of 30 others.
    pairs = {7: shoe(7, name="Old faithful")}
    runs = []
    for n in range(38):
        in_pair = n % 2 == 0 and n < 16
        flare = (in_pair and n < 10) or (not in_pair and n in (1, 21, 31))
        runs.append(
            run(
                (dt.date(2024, 5, 1) + dt.timedelta(days=n)).isoformat(),
                5_000.0,
                shoe=7 if in_pair else None,
                before=1,
                after=4 if flare else 1,
            )
        )
    found = {a.exposure: a for a in associations(runs, analyse_runs(runs, pairs), pairs)}
    pair = found["shoe:7"]
    assert (pair.exposed_runs, pair.exposed_flares, pair.unexposed_runs, pair.unexposed_flares) == (
        8,
        5,
        30,
        3,
    )
    assert pair.exposed_periods == 8
    assert pair.verdict == "likely"
    assert pair.message.startswith("Runs in Old faithful ended in a flare-up 5 of 8 times (63 %)")


def synthetic_history(flare_after_wear: bool) -> dict[str, Association]:
    """A runner's 120 daily 8 km runs in one pair that passes its 600 km replacement
    distance after run 75. Every 6th run ends in a flare-up; with ``flare_after_wear``,
    so do two in three of the runs in the worn pair (a planted effect)."""
    pairs = {1: shoe(1, name="Daily trainers", threshold=600_000.0)}
    start = dt.date(2024, 1, 1)
    runs = []
    for n in range(120):
        worn = n * 8_000 >= 600_000
        flare = n % 6 == 0 or (flare_after_wear and worn and n % 3 != 0)
        runs.append(
            run(
                (start + dt.timedelta(days=n)).isoformat(), 8_000.0, shoe=1, before=1, after=4 if flare else 1
            )
        )
    return {found.exposure: found for found in associations(runs, analyse_runs(runs, pairs), pairs)}


def test_worn_shoes_in_one_stretch_are_never_likely() -> None:
    worn = synthetic_history(flare_after_wear=True)["shoe_worn"]

    assert (worn.exposed_runs, worn.unexposed_runs) == (45, 75)
    assert worn.exposed_flares > 2 * worn.exposed_runs / 3 - 1
    assert worn.ci95_low is not None
    assert worn.ci95_low > 1
    assert worn.p_adjusted is not None
    assert worn.p_adjusted < 0.05
    # The effect is large, but it fills one stretch of time: the log cannot tell.
    assert worn.exposed_periods == 1
    assert worn.verdict == "possible"
    assert "all of those runs fall in one period (16 Mar – 29 Apr 2024)" in worn.message


def test_no_effect_is_not_reported_as_one() -> None:
    found = synthetic_history(flare_after_wear=False)

    worn = found["shoe_worn"]
    assert (worn.exposed_flares, worn.unexposed_flares) == (7, 13)  # every 6th run either way
    assert worn.verdict == "none"
    # Nothing says "more flare-ups" (5 flare-free weekly increases do say "possibly fewer").
    assert not [item for item in found.values() if item.verdict in {"likely", "possible"}]
