"""Associations between exposures and pain flare-ups in the user's own log (SPEC §2
"Associations"): 2×2 tables, risk ratios with a 95 % interval, Fisher's exact test."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from scipy.stats import fisher_exact
from statsmodels.stats.contingency_tables import Table2x2

from runs.analytics.flags import RunAnalysis
from runs.analytics.records import RunRecord, ShoeRecord

OUTCOME = "pain_flare"
MIN_EXPOSED = 5
MIN_UNEXPOSED = 5
MIN_FLARES = 3
POSSIBLE_RISK_RATIO = 1.5
HALDANE = 0.5

# Flag exposures: (label, who the runs are, as in "... ended in a flare-up").
FLAG_EXPOSURES = {
    "long_run_spike": ("Long-run spike", "runs that were a long-run spike"),
    "weekly_increase": ("Weekly distance up > 30 %", "runs in a week with distance up more than 30 %"),
    "acwr_high": ("ACWR ≥ 1.5", "runs on days with an acute:chronic load ratio of 1.5 or more"),
    "shoe_worn": ("Shoes past their replacement distance", "runs in shoes past their replacement distance"),
}


@dataclass(frozen=True, slots=True)
class Association:
    exposure: str
    label: str
    exposed_runs: int
    exposed_flares: int
    unexposed_runs: int
    unexposed_flares: int
    risk_ratio: float | None
    ci95_low: float | None
    ci95_high: float | None
    p_value: float | None
    verdict: str  # insufficient_data | likely | possible | none
    message: str


def associations(
    runs: Sequence[RunRecord], analyses: Mapping[object, RunAnalysis], shoes: Mapping[int, ShoeRecord]
) -> list[Association]:
    """One association per exposure, in SPEC order: the run flags, each pair of shoes
    worn in the population (by name), each surface in it (alphabetically).

    The population is the runs (not walks: several exposures are about load) with pain
    recorded both before and after; the outcome is their ``pain_flare`` flag.
    """
    population = [
        run for run in runs if run.is_load and run.pain_before is not None and run.pain_after is not None
    ]
    # One pass: how many runs each exposure covers, with and without a flare-up.
    tally: Counter[tuple[str, bool]] = Counter()
    flares = 0
    shoe_ids: set[int] = set()
    surfaces: set[str] = set()
    for run in population:
        flags = analyses[run.id].flags
        flared = OUTCOME in flags
        flares += flared
        for kind in FLAG_EXPOSURES:
            if kind in flags:
                tally[kind, flared] += 1
        if run.shoe_id is not None:
            shoe_ids.add(run.shoe_id)
            tally[f"shoe:{run.shoe_id}", flared] += 1
        surfaces.add(run.surface)
        tally[f"surface:{run.surface}", flared] += 1

    def shoe_key(shoe_id: int) -> tuple[bool, str, int]:
        # Pairs the caller did not pass (none in the app) go last, by id.
        return (shoe_id not in shoes, shoes[shoe_id].name if shoe_id in shoes else "", shoe_id)

    # (exposure, label, who the exposed runs are)
    exposures = [(kind, label, who) for kind, (label, who) in FLAG_EXPOSURES.items()]
    for shoe_id in sorted(shoe_ids, key=shoe_key):
        name = shoes[shoe_id].name if shoe_id in shoes else f"pair #{shoe_id}"
        exposures.append((f"shoe:{shoe_id}", f"Shoes: {name}", f"runs in {name}"))
    exposures += [
        (f"surface:{surface}", f"Surface: {surface}", f"runs on {surface}") for surface in sorted(surfaces)
    ]

    found = []
    for exposure, label, who in exposures:
        exposed_flares = tally[exposure, True]
        exposed_runs = exposed_flares + tally[exposure, False]
        found.append(
            association(
                exposure=exposure,
                label=label,
                who=who,
                exposed_runs=exposed_runs,
                exposed_flares=exposed_flares,
                unexposed_runs=len(population) - exposed_runs,
                unexposed_flares=flares - exposed_flares,
            )
        )
    return found


def association(
    *,
    exposure: str,
    label: str,
    who: str,
    exposed_runs: int,
    exposed_flares: int,
    unexposed_runs: int,
    unexposed_flares: int,
) -> Association:
    """The statistics, verdict and message of one 2×2 table; ``who`` names the exposed
    runs in the message ("runs on trail")."""
    counts = (exposed_runs, exposed_flares, unexposed_runs, unexposed_flares)
    # Without exposed or without unexposed runs there is nothing to compare.
    statistics = _statistics(*counts) if exposed_runs and unexposed_runs else None
    if (
        statistics is None
        or exposed_runs < MIN_EXPOSED
        or unexposed_runs < MIN_UNEXPOSED
        or exposed_flares + unexposed_flares < MIN_FLARES
    ):
        verdict = "insufficient_data"
        message = _too_few(who, *counts)
    else:
        risk_ratio, ci95_low, _, _ = statistics
        if ci95_low > 1:
            verdict = "likely"
        elif risk_ratio >= POSSIBLE_RISK_RATIO:
            verdict = "possible"
        else:
            verdict = "none"
        message = _finding(verdict, who, *counts, *statistics[:3])
    risk_ratio, ci95_low, ci95_high, p_value = statistics or (None, None, None, None)
    return Association(
        exposure=exposure,
        label=label,
        exposed_runs=exposed_runs,
        exposed_flares=exposed_flares,
        unexposed_runs=unexposed_runs,
        unexposed_flares=unexposed_flares,
        risk_ratio=risk_ratio,
        ci95_low=ci95_low,
        ci95_high=ci95_high,
        p_value=p_value,
        verdict=verdict,
        message=message,
    )


def _statistics(
    exposed_runs: int, exposed_flares: int, unexposed_runs: int, unexposed_flares: int
) -> tuple[float, float, float, float]:
    """Risk ratio, its 95 % interval (log method) and Fisher's exact two-sided p-value."""
    # Rows exposed / unexposed, columns flare / no flare.
    table = np.array(
        [
            [exposed_flares, exposed_runs - exposed_flares],
            [unexposed_flares, unexposed_runs - unexposed_flares],
        ]
    )
    # SPEC: 0.5 added to every cell when any is 0 (Haldane). statsmodels' shift_zeros=True
    # only replaces the zero cells (whatever its docstring says), so the shift is done here.
    shifted = Table2x2(table + HALDANE if (table == 0).any() else table, shift_zeros=False)
    low, high = shifted.riskratio_confint(alpha=0.05, method="normal")
    # The test runs on the counts as they are: an exact test needs no correction.
    p_value = fisher_exact(table, alternative="two-sided").pvalue
    return float(shifted.riskratio), float(low), float(high), float(p_value)


def _too_few(
    who: str, exposed_runs: int, exposed_flares: int, unexposed_runs: int, unexposed_flares: int
) -> str:
    return (
        f"Too few runs to tell. {_sentence(who)}: {exposed_runs} ({exposed_flares} with a flare-up); "
        f"other runs: {unexposed_runs} ({unexposed_flares} with a flare-up). At least "
        f"{MIN_EXPOSED} of each and {MIN_FLARES} flare-ups in all are needed."
    )


def _finding(
    verdict: str,
    who: str,
    exposed_runs: int,
    exposed_flares: int,
    unexposed_runs: int,
    unexposed_flares: int,
    risk_ratio: float,
    ci95_low: float,
    ci95_high: float,
) -> str:
    counts = (
        f"{_sentence(who)} ended in a flare-up {exposed_flares} of {exposed_runs} times "
        f"({_percent(exposed_flares, exposed_runs)}), other runs {unexposed_flares} of "
        f"{unexposed_runs} times ({_percent(unexposed_flares, unexposed_runs)})"
    )
    interval = f"95 % CI {_figure(ci95_low)}–{_figure(ci95_high)}"
    ratio = f"{_figure(risk_ratio)}× as often ({interval})"
    caveat = "This is a pattern in your own log, not proof of cause."
    if verdict == "likely":
        return f"{counts}: {ratio}. {caveat}"
    if verdict == "possible":
        return f"{counts}: {ratio}. The interval includes 1 (no difference), so this may be chance. {caveat}"
    if ci95_high < 1:
        return f"{counts}: {ratio}, fewer flare-ups rather than more. {caveat}"
    return f"{counts}: no clear difference shows ({_figure(risk_ratio)}×, {interval})."


def _sentence(words: str) -> str:
    return words[0].upper() + words[1:]


def _percent(part: int, whole: int) -> str:
    # Half up, as people round: 5 of 8 is 63 %.
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal(1), ROUND_HALF_UP)} %"


def _figure(value: float) -> str:
    """Two significant figures, whole numbers from 10 on: 6.25 → 6.3, 0.456 → 0.46,
    0.9996 → 1.0, 20.76 → 21."""
    exact = Decimal(repr(value))
    if exact >= Decimal("9.95"):
        return str(exact.quantize(Decimal(1), ROUND_HALF_UP))
    rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 1), ROUND_HALF_UP)
    # Rounding up to the next power of ten (0.996 → 1.00) adds a figure: drop it.
    return str(rounded.quantize(Decimal(1).scaleb(rounded.adjusted() - 1)))
