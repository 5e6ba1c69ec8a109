"""The flags of each run (docs/analytics.md#flags), with the figures that triggered them."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from runs.analytics.definitions import FLAG_ORDER
from runs.analytics.load import (
    EXACT,
    AcwrPoint,
    AcwrSeries,
    DailyLoad,
    EwmaState,
    LongestBefore,
    exact,
    percent_increase,
)
from runs.analytics.records import RunRecord, ShoeRecord
from shoes import wear

__all__ = ["FLAG_ORDER", "RunAnalysis", "analyse_runs", "spike_band"]

ACWR_HIGH = 1.5
PAIN_RISE = 2  # points on the 0–10 scale: the smallest change that matters (Farrar 2001)
PAIN_TOO_MUCH = 5  # pain-monitoring model: above 5 after exercise is too much

Evidence = dict[str, object]


@dataclass(frozen=True, slots=True)
class RunAnalysis:
    flags: tuple[str, ...]  # in FLAG_ORDER
    spike_band: str | None  # small | moderate | large when long_run_spike
    acwr: float | None
    evidence: dict[str, Evidence]  # per flag present, JSON-serialisable
    # The raw EWMAs after the run's date (runs only, not walks): see EwmaState.
    ewma: tuple[float, float] | None = None


def analyse_runs(
    runs: Sequence[RunRecord],
    shoes: Mapping[int, ShoeRecord],
    *,
    since: EwmaState | None = None,
    worn_before: Mapping[int, Decimal] | None = None,
) -> dict[object, RunAnalysis]:
    """The flags, spike band, ACWR and evidence of every run and walk, by id.

    ``runs`` is the user's whole log in any order: each run's windows, moving averages
    and shoe odometer depend on the runs before it. Or the log from some date on, with
    where the ACWR stood before it (``since``) and the distance logged in each pair
    before it (``worn_before``): then the figures of the runs dated at least the longest
    window (30 days) after that date are those of the whole log.
    """
    load = DailyLoad(runs)
    longest = load.longest_before()
    acwr_series = AcwrSeries(runs, since)
    acwr = {day: acwr_series.on(day) for day in {run.local_date for run in runs}}
    # weekly_increase and acwr_high depend on the date alone: found once per date.
    date_flags = {
        day: _date_flags(this_week, previous_week, acwr[day])
        for day, (this_week, previous_week) in load.weekly().items()
    }
    shoe_flags = _shoe_flags(runs, shoes, worn_before or {})

    analyses = {}
    for run in runs:
        day = run.local_date
        # Filled in FLAG_ORDER, so that its keys are the run's flags in order.
        evidence: dict[str, Evidence] = {}
        spike = None
        if run.is_load:
            spike = _long_run_spike(run, longest[day])
            if spike:
                evidence["long_run_spike"] = spike
            evidence.update(date_flags[day])
        if run.id in shoe_flags:
            kind, wear = shoe_flags[run.id]
            evidence[kind] = wear
        flare = _pain_flare(run)
        if flare:
            evidence["pain_flare"] = flare
        point = acwr[day]
        analyses[run.id] = RunAnalysis(
            flags=tuple(evidence),
            spike_band=str(spike["band"]) if spike else None,
            acwr=point.acwr if point else None,
            evidence=evidence,
            ewma=acwr_series.raw(day) if run.is_load else None,
        )
    return analyses


def spike_band(distance: Decimal, longest: Decimal) -> str | None:
    """``small`` for an increase of >10–30 %, ``moderate`` >30–100 %, ``large`` >100 %
    (Frandsen et al. 2025); None for 10 % or less. Exact: +10 % is not a spike."""
    with decimal.localcontext(EXACT):
        if distance * 100 <= longest * 110:
            return None
        if distance * 100 <= longest * 130:
            return "small"
        if distance <= longest * 2:
            return "moderate"
        return "large"


def _long_run_spike(run: RunRecord, longest: LongestBefore | None) -> Evidence | None:
    if longest is None:
        return None
    distance, before = exact(run.distance_m), exact(longest.distance_m)
    band = spike_band(distance, before)
    if band is None:
        return None
    return {
        "distance_m": run.distance_m,
        "longest_before_m": longest.distance_m,
        "longest_before_date": longest.local_date.isoformat(),
        "increase_pct": percent_increase(distance, before),
        "band": band,
    }


def _date_flags(this_week: Decimal, previous_week: Decimal, acwr: AcwrPoint | None) -> dict[str, Evidence]:
    """The flags of a run that depend on its date alone: the weekly increase and ACWR."""
    flags: dict[str, Evidence] = {}
    with decimal.localcontext(EXACT):
        increase = previous_week > 0 and this_week * 100 > previous_week * 130
    if increase:
        flags["weekly_increase"] = {
            "this_week_m": float(this_week),
            "previous_week_m": float(previous_week),
            "increase_pct": percent_increase(this_week, previous_week),
        }
    if acwr and acwr.acwr is not None and acwr.acwr >= ACWR_HIGH:
        flags["acwr_high"] = {
            "acwr": acwr.acwr,
            "acute": acwr.acute,
            "chronic": acwr.chronic,
            "day_number": acwr.day_number,
        }
    return flags


def _shoe_flags(
    runs: Sequence[RunRecord], shoes: Mapping[int, ShoeRecord], worn_before: Mapping[int, Decimal]
) -> dict[object, tuple[str, Evidence]]:
    """``shoe_worn`` or ``shoe_nearing`` with its evidence, for the runs and walks that
    have one, from the shoe's odometer at the start of each: its initial distance, the
    distance ``worn_before`` these runs, and every run and walk in it that started
    strictly earlier (runs starting at the same instant do not count each other, as the
    stored ``shoe_distance_m`` does)."""
    by_shoe: dict[int, list[tuple[dt.datetime, RunRecord]]] = {}
    for run in runs:
        if run.shoe_id is not None and run.shoe_id in shoes:
            by_shoe.setdefault(run.shoe_id, []).append((run.started_at.astimezone(dt.UTC), run))
    flags: dict[object, tuple[str, Evidence]] = {}
    with decimal.localcontext(EXACT):
        for shoe_id, shoe_runs in by_shoe.items():
            shoe = shoes[shoe_id]
            threshold = exact(shoe.replacement_threshold_m)
            odometer = exact(shoe.initial_distance_m) + worn_before.get(shoe_id, Decimal(0))
            pending = Decimal(0)  # runs of the current instant, added once it has passed
            instant = None
            for started, run in sorted(shoe_runs, key=lambda started_run: started_run[0]):
                if started != instant:
                    odometer += pending
                    pending = Decimal(0)
                    instant = started
                pending += exact(run.distance_m)
                kind = wear.STATUS_FLAG.get(wear.wear_status(odometer, threshold))
                if kind is None:
                    continue
                flags[run.id] = (
                    kind,
                    {
                        "shoe_id": shoe.id,
                        "shoe_name": shoe.name,
                        "shoe_distance_m": float(odometer),
                        "threshold_m": shoe.replacement_threshold_m,
                        "wear_pct": float(odometer * 100 / threshold),
                    },
                )
    return flags


def _pain_flare(run: RunRecord) -> Evidence | None:
    """Pain up 2 points during the run, above 5 after it (and above before), or up 2
    points by the next morning. A rule that needs a score not recorded does not hold."""
    before, after, morning = run.pain_before, run.pain_after, run.pain_next_morning
    rules = []
    if before is not None and after is not None and after - before >= PAIN_RISE:
        rules.append("after_minus_before")
    if before is not None and after is not None and after > PAIN_TOO_MUCH and after > before:
        rules.append("after_over_5")
    if before is not None and morning is not None and morning - before >= PAIN_RISE:
        rules.append("next_morning_minus_before")
    if not rules:
        return None
    return {"pain_before": before, "pain_after": after, "pain_next_morning": morning, "rules": rules}
