"""Check-in flares (docs/analytics.md#check-in-flare): a pain check-in well above the user's usual pain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from runs.analytics.records import CheckinRecord, RunRecord

CHECKIN_WINDOW = dt.timedelta(days=14)
CHECKIN_MIN_SCORES = 3
CHECKIN_RISE = 2
PAIN_SCORES = 11  # 0 … 10


def checkin_flares(
    checkins: Sequence[CheckinRecord], runs: Sequence[RunRecord]
) -> dict[object, dict[str, object]]:
    """The check-ins that are flares, by id, with their evidence: a score at least 2
    above the median of the user's pain scores in ``[recorded_at − 14 days,
    recorded_at)``, with at least 3 such scores.

    The scores are the other check-ins and the pain before every run and walk, each timed
    when it was taken. The 14 days are 336 hours, whatever the clocks did meanwhile.
    Scores are integers 0–10, so the window is kept as a count per score and slides over
    the log once.
    """
    scores = sorted(
        [(_instant(checkin.recorded_at), checkin.score) for checkin in checkins]
        + [(_instant(run.started_at), run.pain_before) for run in runs if run.pain_before is not None]
    )
    counts = [0] * PAIN_SCORES
    entered = left = 0
    flares: dict[object, dict[str, object]] = {}
    for checkin in sorted(checkins, key=lambda checkin: _instant(checkin.recorded_at)):
        end = _instant(checkin.recorded_at)
        start = end - CHECKIN_WINDOW
        while entered < len(scores) and scores[entered][0] < end:
            counts[scores[entered][1]] += 1
            entered += 1
        while left < entered and scores[left][0] < start:
            counts[scores[left][1]] -= 1
            left += 1
        size = entered - left
        if size < CHECKIN_MIN_SCORES:
            continue
        median = _median(counts, size)
        if checkin.score >= CHECKIN_RISE + median:
            flares[checkin.id] = {
                "score": checkin.score,
                "median": median,
                "scores_count": size,
                "window_start": start.astimezone(checkin.recorded_at.tzinfo).isoformat(),
            }
    return flares


def _instant(moment: dt.datetime) -> dt.datetime:
    # In UTC, aware datetimes order by the instant even across a change of the clocks.
    return moment.astimezone(dt.UTC)


def _median(counts: list[int], size: int) -> int | float:
    """The median of ``size`` scores given as a count per score, as ``statistics.median``
    gives it: the middle score, or the mean of the two middle ones."""
    if size % 2:
        return _nth(counts, size // 2)
    return (_nth(counts, size // 2 - 1) + _nth(counts, size // 2)) / 2


def _nth(counts: list[int], index: int) -> int:
    """The score at ``index`` (from 0) in the sorted scores."""
    seen = 0
    for score, count in enumerate(counts):
        seen += count
        if seen > index:
            return score
    raise IndexError(index)
