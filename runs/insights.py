"""What the analytics found, told to the user: the flags (alerts) with a title, the
figures that triggered them in the user's unit, and a link to the definition.

Built from what :func:`runs.services.analytics_refresh` stored (run flags and their
evidence, check-in flares, patterns), so that showing them costs a few reads, not a
recomputation of the whole log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse

from backpainlog.units import format_distance
from runs.analytics import definitions
from shoes import wear

# Shoe flags are told once per pair (when it crossed the line), not on every run in it.
SHOE_KINDS = wear.FLAG_RATIO


@dataclasses.dataclass(frozen=True, slots=True)
class Flag:
    kind: str
    severity: str
    date: dt.date
    run: object | None
    shoe: int | None
    title: str
    detail: str
    evidence: Mapping[str, Any]

    @property
    def definition_url(self) -> str:
        return f"{reverse('definitions')}#{self.kind}"


@dataclasses.dataclass(frozen=True, slots=True)
class ShoeUse:
    """One run or walk in a pair, for finding when the pair crossed a line."""

    run: object
    started_at: dt.datetime
    local_date: dt.date
    distance_m: float
    shoe_id: int


def _pct(value: float | None) -> str:
    # None: an increase over a distance too small to compare with, stored without its
    # infinite figure (runs.services.finite_json).
    return f"{value:.0f} %" if value is not None else "over 1,000,000 %"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "over 1,000,000"


def _date(value: dt.date | str) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%b %Y}"


#: Who reads a flag's detail: the runner ("your longest run"), or a clinician reading the
#: report ("the runner's longest run").
READERS = ("runner", "clinician")


def _whose(reader: str) -> tuple[str, str]:
    """The possessive for the first mention of the runner, and for the next ones."""
    if reader not in READERS:
        raise ValueError(f"not a reader: {reader}")
    return ("your", "your") if reader == "runner" else ("the runner's", "their")


def run_flag(
    kind: str,
    *,
    run: object,
    local_date: dt.date,
    shoe: int | None,
    evidence: Mapping[str, Any],
    unit: str,
    reader: str = "runner",
) -> Flag:
    """The flag ``kind`` of one run, from the evidence the analytics stored for it, worded
    for ``reader`` (one of :data:`READERS`)."""
    whose, their = _whose(reader)

    def distance(metres: float) -> str:
        return format_distance(metres, unit)

    band = evidence.get("band")
    if kind == "long_run_spike":
        title = f"Long-run spike ({band})"
        detail = (
            f"{distance(evidence['distance_m'])} on {_date(local_date)}: "
            f"{_pct(evidence['increase_pct'])} longer than {whose} longest run of the 30 days before "
            f"({distance(evidence['longest_before_m'])} on {_date(evidence['longest_before_date'])})."
        )
    elif kind == "weekly_increase":
        title = f"Weekly distance up {_pct(evidence['increase_pct'])}"
        detail = (
            f"{distance(evidence['this_week_m'])} in the 7 days to {_date(local_date)}, "
            f"against {distance(evidence['previous_week_m'])} in the 7 days before."
        )
    elif kind == "acwr_high":
        title = f"Acute:chronic load ratio {_ratio(evidence['acwr'])}"
        detail = (
            f"On {_date(local_date)} {whose} load of the last week was {_ratio(evidence['acwr'])} times "
            f"{their} longer-term load (1.5 or more is flagged). It describes {their} load; it does not "
            "predict injury."
        )
    elif kind == "pain_flare":
        title = "Pain flare-up after a run"
        detail = f"Run of {_date(local_date)}: {_pain_story(evidence)}."
    else:
        raise ValueError(f"not a run flag: {kind}")
    return Flag(
        kind=kind,
        severity=definitions.severity(kind),
        date=local_date,
        run=run,
        shoe=shoe,
        title=title,
        detail=detail,
        evidence=evidence,
    )


def _pain_story(evidence: Mapping[str, Any]) -> str:
    before, after, morning = evidence["pain_before"], evidence["pain_after"], evidence["pain_next_morning"]
    scores = f"pain {_score(before)} before, {_score(after)} after"
    if morning is not None:
        scores += f", {morning} the next morning"
    reasons = {
        "after_minus_before": "up 2 points or more during the run",
        "after_over_5": "above 5 after the run",
        "next_morning_minus_before": "up 2 points or more by the next morning",
    }
    return f"{scores} — {'; '.join(reasons[rule] for rule in evidence['rules'])}"


def _score(value: int | None) -> str:
    return "not recorded" if value is None else str(value)


def checkin_flag(
    *, checkin: object, local_date: dt.date, evidence: Mapping[str, Any], reader: str = "runner"
) -> Flag:
    whose, their = _whose(reader)
    return Flag(
        kind="checkin_flare",
        severity=definitions.severity("checkin_flare"),
        date=local_date,
        run=None,
        shoe=None,
        title=f"Pain flare-up: {evidence['score']}/10",
        detail=(
            f"Check-in of {_date(local_date)}: pain {evidence['score']}/10, at least 2 points above "
            f"{whose} usual {evidence['median']:g} (the median of {their} {evidence['scores_count']} "
            "pain scores in the 14 days before)."
        ),
        evidence=evidence,
    )


def shoe_crossings(
    uses: Sequence[ShoeUse], shoes: Mapping[int, Any], ratio: float
) -> dict[int, tuple[dt.date, object | None]]:
    """When each pair's odometer reached ``ratio`` × its replacement distance: the date of
    the run during which it did (and that run), or the pair's first day when it already
    had that much on it. ``shoes`` maps ids to records with ``initial_distance_m``,
    ``replacement_threshold_m`` and ``started_on``; ``uses`` must be in time order."""
    odometer = {pk: shoe.initial_distance_m for pk, shoe in shoes.items()}
    crossed = {
        pk: (shoe.started_on, None)
        for pk, shoe in shoes.items()
        if shoe.initial_distance_m >= ratio * shoe.replacement_threshold_m
    }
    for use in uses:
        if use.shoe_id in crossed or use.shoe_id not in shoes:
            continue
        odometer[use.shoe_id] += use.distance_m
        if odometer[use.shoe_id] >= ratio * shoes[use.shoe_id].replacement_threshold_m:
            crossed[use.shoe_id] = (use.local_date, use.run)
    return crossed


def shoe_flags(uses: Sequence[ShoeUse], shoes: Mapping[int, Any], unit: str) -> list[Flag]:
    """One ``shoe_nearing`` and one ``shoe_worn`` flag per pair, on the date it crossed."""
    flags = []
    for kind, ratio in SHOE_KINDS.items():
        for pk, (day, run) in shoe_crossings(uses, shoes, ratio).items():
            shoe = shoes[pk]
            threshold = format_distance(shoe.replacement_threshold_m, unit)
            if kind == "shoe_worn":
                title = f"{shoe.name}: past the replacement distance"
                detail = (
                    f"Passed its replacement distance of {threshold} on {_date(day)}. "
                    "Runs in these shoes are flagged from then on."
                )
            else:
                title = f"{shoe.name}: nearing the replacement distance"
                detail = (
                    f"Passed {format_distance(ratio * shoe.replacement_threshold_m, unit)}, 80 % of its "
                    f"replacement distance of {threshold}, on {_date(day)}."
                )
            flags.append(
                Flag(
                    kind=kind,
                    severity=definitions.severity(kind),
                    date=day,
                    run=run,
                    shoe=pk,
                    title=title,
                    detail=detail,
                    evidence={
                        "shoe_name": shoe.name,
                        "threshold_m": shoe.replacement_threshold_m,
                        "crossed_m": ratio * shoe.replacement_threshold_m,
                    },
                )
            )
    return flags


# A pair in use whose status calls for an alert, and the flag kind it is told as.
SHOE_STATUS_KINDS = wear.STATUS_FLAG


def shoe_alert(pair: Any, *, today: dt.date, unit: str) -> Flag:
    """A pair in use that is past (or near) its replacement distance, as it stands today.

    ``pair`` comes with its wear (``distance_m``, ``wear_ratio``, ``status``), as the shoe
    list shows it."""
    kind = SHOE_STATUS_KINDS[pair.status]
    wear = (
        f"{format_distance(pair.distance_m, unit)} of its {format_distance(pair.replacement_threshold_m, unit)} "
        f"replacement distance ({_pct(pair.wear_ratio * 100)})"
    )
    return Flag(
        kind=kind,
        severity=definitions.severity(kind),
        date=today,
        run=None,
        shoe=pair.pk,
        title=f"{pair.name}: {'time to replace' if kind == 'shoe_worn' else 'nearing the replacement distance'}",
        detail=f"{wear}. Runs in them are flagged {'as in worn shoes' if kind == 'shoe_worn' else 'from 80 %'}.",
        evidence={
            "shoe_distance_m": pair.distance_m,
            "threshold_m": pair.replacement_threshold_m,
            "wear_pct": pair.wear_ratio * 100,
        },
    )


def pattern_flag(pattern: Any, *, on: dt.date) -> Flag:
    """A ``likely`` pattern as a flag, dated ``on`` (the day it became likely)."""
    return Flag(
        kind="pattern",
        severity=definitions.severity("pattern"),
        date=on,
        run=None,
        shoe=int(pattern.exposure.split(":")[1]) if pattern.exposure.startswith("shoe:") else None,
        title=f"Pattern: {pattern.label}",
        detail=pattern.message,
        evidence={
            name: getattr(pattern, name)
            for name in (
                "exposure",
                "exposed_runs",
                "exposed_flares",
                "unexposed_runs",
                "unexposed_flares",
                "risk_ratio",
                "ci95_low",
                "ci95_high",
                "p_value",
                "p_adjusted",
                "exposed_periods",
                "same_as",
                "outcome",
            )
        },
    )


# The home page's groups, in the order of docs/analytics.md#home-page-alerts: flare-ups, shoes, long-run
# spikes, patterns.
ALERT_GROUPS = {
    "pain_flare": 0,
    "checkin_flare": 0,
    "shoe_worn": 1,
    "shoe_nearing": 1,
    "long_run_spike": 2,
    "pattern": 3,
}


def home_alerts(flags: Iterable[Flag]) -> list[Flag]:
    """The flags the home page raises, in the order of docs/analytics.md#home-page-alerts (by group, newest
    first in each), at most one per kind and subject (pair of shoes, pattern) in a Monday-started
    week: the latest. Patterns that select the same runs are told once. Kinds that are
    not home alerts (``acwr_high``, ``weekly_increase``) are left out."""
    shown: list[Flag] = []
    seen: set[tuple[str, object, dt.date]] = set()
    told_patterns: set[str] = set()
    ordered = sorted(newest_first(flags), key=lambda flag: ALERT_GROUPS.get(flag.kind, len(ALERT_GROUPS)))
    for flag in ordered:
        if not definitions.FLAG_KINDS[flag.kind].home_alert:
            continue
        exposure = flag.evidence.get("exposure") if flag.kind == "pattern" else None
        key = (flag.kind, exposure or flag.shoe, flag.date - dt.timedelta(days=flag.date.weekday()))
        if key in seen or exposure in told_patterns:
            continue
        seen.add(key)
        if exposure is not None:
            told_patterns.update([exposure, *flag.evidence.get("same_as", ())])
        shown.append(flag)
    return shown


@dataclasses.dataclass(frozen=True, slots=True)
class PatternRow:
    """A pattern as pages and reports list it: once, naming those that select the same runs."""

    item: Any  # a stored Pattern or an Association
    also: tuple[str, ...]  # the labels of its twins (``same_as``)

    @property
    def label(self) -> str:
        return " = ".join([self.item.label, *self.also])


def shown_once(patterns: Iterable[Any]) -> list[PatternRow]:
    """The patterns in their order, each group of ``same_as`` twins once (at the first)."""
    patterns = list(patterns)
    labels = {pattern.exposure: pattern.label for pattern in patterns}
    told: set[str] = set()
    rows = []
    for pattern in patterns:
        if pattern.exposure in told:
            continue
        told.update([pattern.exposure, *pattern.same_as])
        rows.append(PatternRow(pattern, tuple(labels[key] for key in pattern.same_as if key in labels)))
    return rows


def newest_first(flags: Iterable[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda flag: (flag.date, flag.kind), reverse=True)
