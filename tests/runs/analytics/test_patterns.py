"""Associations (SPEC §2): 2×2 tables, risk ratios, intervals, p-values, verdicts."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table2x2

from runs.analytics import Association, RunAnalysis, RunRecord, analyse_runs, associations
from runs.analytics.patterns import association
from tests.runs.analytics.build import run, shoe, walk

Z = NormalDist().inv_cdf(0.975)


def table(exposed_runs: int, exposed_flares: int, unexposed_runs: int, unexposed_flares: int) -> Association:
    return association(
        exposure="shoe_worn",
        label="Shoes past their replacement distance",
        who="runs in shoes past their replacement distance",
        exposed_runs=exposed_runs,
        exposed_flares=exposed_flares,
        unexposed_runs=unexposed_runs,
        unexposed_flares=unexposed_flares,
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
    assert found.verdict == "likely"
    assert found.message == (
        "Runs in shoes past their replacement distance ended in a flare-up 5 of 8 times (63 %), "
        "other runs 3 of 30 times (10 %): 6.3× as often (95 % CI 1.9–21). "
        "This is a pattern in your own log, not proof of cause."
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


@pytest.mark.parametrize(
    ("counts", "verdict"),
    [
        ((4, 3, 30, 3), "insufficient_data"),  # 4 exposed runs
        ((30, 3, 4, 3), "insufficient_data"),  # 4 unexposed runs
        ((10, 2, 30, 0), "insufficient_data"),  # 2 flare-ups in all
        ((5, 3, 30, 0), "likely"),  # 5, and 3 flare-ups: enough
        ((10, 3, 30, 5), "possible"),  # RR 1.8, interval 0.52–6.2
        ((10, 1, 30, 3), "none"),  # RR 1.0
        ((20, 1, 20, 10), "none"),  # RR 0.1: fewer, not more
    ],
)
def test_verdicts(counts: tuple[int, int, int, int], verdict: str) -> None:
    assert table(*counts).verdict == verdict


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
        "other runs: 40 (1 with a flare-up). At least 5 of each and 3 flare-ups in all are needed."
    )
    # The figures are still given where they exist.
    assert found.risk_ratio is not None


def test_no_difference_and_fewer_flares_are_said_plainly() -> None:
    same = table(10, 1, 30, 3)
    assert same.message == (
        "Runs in shoes past their replacement distance ended in a flare-up 1 of 10 times (10 %), "
        "other runs 3 of 30 times (10 %): no clear difference shows (1.0×, 95 % CI 0.12–8.6)."
    )
    fewer = table(20, 1, 20, 10)
    assert "0.10× as often (95 % CI 0.014–0.71), fewer flare-ups rather than more" in fewer.message


@pytest.mark.parametrize("counts", [(0, 0, 30, 3), (30, 3, 0, 0)])
def test_no_numbers_without_both_groups(counts: tuple[int, int, int, int]) -> None:
    found = table(*counts)
    assert (found.risk_ratio, found.ci95_low, found.ci95_high, found.p_value) == (None, None, None, None)
    assert found.verdict == "insufficient_data"


def analysed(record: RunRecord, *flags: str) -> tuple[RunRecord, RunAnalysis]:
    return record, RunAnalysis(flags=flags, spike_band=None, acwr=None, evidence={})


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
    assert [(a.exposure, a.label) for a in found] == [
        ("long_run_spike", "Long-run spike"),
        ("weekly_increase", "Weekly distance up > 30 %"),
        ("acwr_high", "ACWR ≥ 1.5"),
        ("shoe_worn", "Shoes past their replacement distance"),
        ("shoe:2", "Shoes: Alpha"),
        ("shoe:1", "Shoes: Zoom"),
        ("shoe:3", "Shoes: Zoom"),
        ("surface:road", "Surface: road"),
        ("surface:sand", "Surface: sand"),
        ("surface:trail", "Surface: trail"),
    ]
    counts = {
        a.exposure: (a.exposed_runs, a.exposed_flares, a.unexposed_runs, a.unexposed_flares) for a in found
    }
    assert counts["long_run_spike"] == (1, 0, 3, 1)
    assert counts["weekly_increase"] == (0, 0, 4, 1)
    assert counts["shoe:3"] == (1, 1, 3, 0)
    assert counts["surface:road"] == (2, 0, 2, 1)
    assert all(a.verdict == "insufficient_data" for a in found)
    assert found[1].risk_ratio is None


def test_a_likely_pattern_from_analysed_runs() -> None:
    pairs = {7: shoe(7, name="Old faithful")}
    runs = [
        run(f"2024-05-{n:02d}", 5_000.0, shoe=7, before=1, after=1 + 3 * (n <= 5)) for n in range(1, 9)
    ] + [run(f"2024-06-{n:02d}", 5_000.0, before=1, after=1 + 3 * (n <= 3)) for n in range(1, 31)]
    found = {a.exposure: a for a in associations(runs, analyse_runs(runs, pairs), pairs)}
    pair = found["shoe:7"]
    assert (pair.exposed_runs, pair.exposed_flares, pair.unexposed_runs, pair.unexposed_flares) == (
        8,
        5,
        30,
        3,
    )
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


def test_a_planted_effect_of_worn_shoes_is_found() -> None:
    worn = synthetic_history(flare_after_wear=True)["shoe_worn"]

    assert (worn.exposed_runs, worn.unexposed_runs) == (45, 75)
    assert worn.exposed_flares > 2 * worn.exposed_runs / 3 - 1
    assert worn.verdict == "likely"
    assert worn.ci95_low > 1


def test_no_effect_is_not_reported_as_one() -> None:
    found = synthetic_history(flare_after_wear=False)

    worn = found["shoe_worn"]
    assert (worn.exposed_flares, worn.unexposed_flares) == (7, 13)  # every 6th run either way
    assert worn.verdict == "none"
    assert all(item.verdict in {"none", "insufficient_data"} for item in found.values())
