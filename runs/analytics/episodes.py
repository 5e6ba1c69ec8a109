"""Flare-up episodes (docs/analytics.md#flare-up-episodes): flare days with gaps of at most 3 days, shown as
one row or one band instead of one line per run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from runs.analytics.flags import RunAnalysis
from runs.analytics.records import CheckinRecord, RunRecord

EPISODE_GAP_DAYS = 3  # a flare day at most this many days after the one before continues it
NEXT_MORNING_ONLY = ["next_morning_minus_before"]


@dataclass(frozen=True, slots=True)
class FlareDay:
    """One flare-up (a run's or a check-in's) on the local date it counts on."""

    local_date: dt.date
    run: object | None
    checkin: object | None
    peak: int | None  # the highest of pain after / next morning, or the check-in's score


@dataclass(frozen=True, slots=True)
class Episode:
    start: dt.date
    end: dt.date
    flare_days: tuple[dt.date, ...]
    peak: int | None
    runs: tuple[object, ...]  # ids of the flare-up runs, in time order
    checkins: tuple[object, ...]  # ids of the flare-up check-ins, in time order


def flare_ups(
    runs: Sequence[RunRecord],
    analyses: Mapping[object, RunAnalysis],
    checkins: Sequence[CheckinRecord],
    flare_checkin_ids: Collection[object],
) -> list[FlareDay]:
    """Every flare-up of runs and walks (``pain_flare``) and of check-ins, on its flare
    day, in date order. A run's counts on its date, except one raised by next-morning pain
    alone, which was felt the day after."""
    found = []
    for run in runs:
        analysis = analyses.get(run.id)
        if analysis is None or "pain_flare" not in analysis.flags:
            continue
        rules = analysis.evidence.get("pain_flare", {}).get("rules")
        day = run.local_date + dt.timedelta(days=1) if rules == NEXT_MORNING_ONLY else run.local_date
        scores = [score for score in (run.pain_after, run.pain_next_morning) if score is not None]
        found.append(FlareDay(day, run.id, None, max(scores, default=None)))
    flare_ids = set(flare_checkin_ids)
    found += [
        FlareDay(checkin.local_date, None, checkin.id, checkin.score)
        for checkin in checkins
        if checkin.id in flare_ids
    ]
    # Stable: runs and check-ins keep the time order they came in within a date.
    return sorted(found, key=lambda flare: flare.local_date)


def episodes(flares: Sequence[FlareDay], *, first_start: dt.date | None = None) -> list[Episode]:
    """The flare-ups grouped into episodes, oldest first (``flares`` in date order, as
    :func:`flare_ups` gives them).

    ``first_start``: when ``flares`` are the log's from some date on, the start of the
    episode the first of them belongs to, which may lie before that date."""
    groups: list[list[FlareDay]] = []
    for flare in flares:
        if groups and (flare.local_date - groups[-1][-1].local_date).days <= EPISODE_GAP_DAYS:
            groups[-1].append(flare)
        else:
            groups.append([flare])
    return [
        Episode(
            start=first_start if first_start and index == 0 else group[0].local_date,
            end=group[-1].local_date,
            flare_days=tuple(dict.fromkeys(flare.local_date for flare in group)),
            peak=max((flare.peak for flare in group if flare.peak is not None), default=None),
            runs=tuple(flare.run for flare in group if flare.run is not None),
            checkins=tuple(flare.checkin for flare in group if flare.checkin is not None),
        )
        for index, group in enumerate(groups)
    ]
