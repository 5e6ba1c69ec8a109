"""Load: daily distances of runs, the windows over them, and the EWMA acute:chronic
workload ratio (docs/analytics.md#acwr).

Thresholds are compared exactly on the figures the user typed. A distance arrives as a
float (5 mi is 8046.72 m, which binary cannot hold exactly, and 8046.72 × 1.1 is
8851.392000000002 in floats), so every comparison and every sum that feeds one is done in
``Decimal`` on ``repr(distance)``, the shortest decimal that round-trips to the float: the
figure as entered. Ratios that are only described (ACWR) stay in floats.
"""

from __future__ import annotations

import bisect
import datetime as dt
import decimal
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from runs.analytics.records import RunRecord

# Enough digits to add up a lifetime of distances (each at most 17 significant digits)
# without rounding, so that sums compared with a threshold are exact.
EXACT = decimal.Context(prec=60)

LONG_RUN_WINDOW_DAYS = 30
WEEK_DAYS = 7
ACUTE_LAMBDA = 2 / 8  # 2 / (N + 1) with N = 7 days
CHRONIC_LAMBDA = 2 / 29  # N = 28 days
ACWR_FIRST_DAY = 28


def exact(value: float) -> Decimal:
    """The figure as typed: 8046.72, not the binary 8046.7199999999993088…"""
    return Decimal(repr(value))


def percent_increase(new: Decimal, old: Decimal) -> float:
    """(new / old − 1) × 100, from exact values so that +10 % shows as 10.0."""
    with decimal.localcontext(EXACT):
        return float((new / old - 1) * 100)


@dataclass(frozen=True, slots=True)
class LongestBefore:
    distance_m: float
    local_date: dt.date


class DailyLoad:
    """The run load of each date (walks add nothing), with exact window sums."""

    __slots__ = ("_days", "_longest", "_prefix")

    def __init__(self, runs: Iterable[RunRecord]) -> None:
        totals: dict[int, Decimal] = {}
        longest: dict[int, float] = {}
        with decimal.localcontext(EXACT):
            for run in runs:
                if not run.is_load:
                    continue
                day = run.local_date.toordinal()
                totals[day] = totals.get(day, Decimal(0)) + exact(run.distance_m)
                longest[day] = max(longest.get(day, 0.0), run.distance_m)
            self._days = sorted(totals)
            # _prefix[i] is the load of the first i dates: a window's sum is one subtraction.
            self._prefix = [Decimal(0)]
            for day in self._days:
                self._prefix.append(self._prefix[-1] + totals[day])
        self._longest = longest

    def weekly(self) -> dict[dt.date, tuple[Decimal, Decimal]]:
        """For every date d with a run: the load dated d−6 … d and the load dated
        d−13 … d−7 (every run of day d counts in the first, also those later that day)."""
        found = {}
        with decimal.localcontext(EXACT):
            for day in self._days:
                this_week = self._total(day - WEEK_DAYS + 1, day)
                previous_week = self._total(day - 2 * WEEK_DAYS + 1, day - WEEK_DAYS)
                found[dt.date.fromordinal(day)] = (this_week, previous_week)
        return found

    def _total(self, first: int, last: int) -> Decimal:
        """Load dated ``first`` … ``last`` (ordinals, both included)."""
        low = bisect.bisect_left(self._days, first)
        high = bisect.bisect_right(self._days, last)
        return self._prefix[high] - self._prefix[low]

    def longest_before(self) -> dict[dt.date, LongestBefore | None]:
        """For every date with a run: the longest run dated in the 30 days before it
        (d−30 … d−1), or None when there was none. When several are equally long, the most
        recent one is named.

        A sliding-window maximum: the deque holds the dates that can still be the longest
        of some later window, their distances decreasing, so each date enters and leaves
        it once.
        """
        found: dict[dt.date, LongestBefore | None] = {}
        candidates: deque[int] = deque()
        for day in self._days:
            while candidates and candidates[0] < day - LONG_RUN_WINDOW_DAYS:
                candidates.popleft()
            found[dt.date.fromordinal(day)] = (
                LongestBefore(self._longest[candidates[0]], dt.date.fromordinal(candidates[0]))
                if candidates
                else None
            )
            while candidates and self._longest[candidates[-1]] <= self._longest[day]:
                candidates.pop()
            candidates.append(day)
        return found


@dataclass(frozen=True, slots=True)
class AcwrPoint:
    """The bias-corrected EWMAs (metres per day) on one date and their ratio."""

    day_number: int  # t: 1 on the first date with any logged session
    acute: float
    chronic: float
    acwr: float | None  # None before t = 28 or while the chronic load is 0


@dataclass(frozen=True, slots=True)
class EwmaState:
    """Where the series stands before some date: the log's first session date, and the raw
    EWMAs (before bias correction) after the last earlier date with load (None if none)."""

    first_day: dt.date
    last_load_day: dt.date | None = None
    acute: float = 0.0
    chronic: float = 0.0


class AcwrSeries:
    """EWMA acute:chronic workload ratio of daily load (Williams et al. 2017), for any
    date from the first logged session on, rest days and days after the last run too.

    From t = 1 on the first date with any session (run or walk; walks add no load):
    E_t = λ·load_t + (1−λ)·E_{t−1}, E_0 = 0, Ê_t = E_t / (1 − (1−λ)^t). A stretch of k
    days without load multiplies E by (1−λ)^k, so only the dates with load are stored and
    any other date is reached in one step: linear in the number of runs, not of days.

    ``since`` resumes the series where an earlier computation left it, for ``runs`` that
    are all dated after its last load day: the same steps from the same stored floats, so
    the figures are the very ones a computation over the whole log gives.
    """

    __slots__ = ("_acute", "_chronic", "_days", "_first")

    def __init__(self, runs: Sequence[RunRecord], since: EwmaState | None = None) -> None:
        # Daily totals summed exactly, so that the result does not depend on the order of
        # the runs.
        totals: dict[int, Decimal] = {}
        with decimal.localcontext(EXACT):
            for run in runs:
                if run.is_load:
                    day = run.local_date.toordinal()
                    totals[day] = totals.get(day, Decimal(0)) + exact(run.distance_m)
        if since is None:
            self._first = min((run.local_date.toordinal() for run in runs), default=None)
        else:
            self._first = since.first_day.toordinal()
        self._days: list[int] = []
        self._acute: list[float] = []
        self._chronic: list[float] = []
        # E is 0 until the first day with load, whatever the gap before it.
        acute = chronic = 0.0
        previous = None
        if since is not None and since.last_load_day is not None:
            previous = since.last_load_day.toordinal()
            acute, chronic = since.acute, since.chronic
            self._days.append(previous)
            self._acute.append(acute)
            self._chronic.append(chronic)
        for day in sorted(totals):
            gap = 0 if previous is None else day - previous
            load = float(totals[day])
            acute = ACUTE_LAMBDA * load + (1 - ACUTE_LAMBDA) ** gap * acute
            chronic = CHRONIC_LAMBDA * load + (1 - CHRONIC_LAMBDA) ** gap * chronic
            self._days.append(day)
            self._acute.append(acute)
            self._chronic.append(chronic)
            previous = day

    def raw(self, day: dt.date) -> tuple[float, float]:
        """The EWMAs after ``day``, a date with load, before bias correction: what
        :class:`EwmaState` resumes from."""
        index = bisect.bisect_left(self._days, day.toordinal())
        return self._acute[index], self._chronic[index]

    def on(self, day: dt.date) -> AcwrPoint | None:
        """The EWMAs and ACWR on ``day`` (its load included); None before the first session."""
        ordinal = day.toordinal()
        if self._first is None or ordinal < self._first:
            return None
        t = ordinal - self._first + 1
        index = bisect.bisect_right(self._days, ordinal) - 1
        if index < 0:  # sessions so far, but only walks
            acute = chronic = 0.0
        else:
            gap = ordinal - self._days[index]
            acute = self._acute[index] * (1 - ACUTE_LAMBDA) ** gap / (1 - (1 - ACUTE_LAMBDA) ** t)
            chronic = self._chronic[index] * (1 - CHRONIC_LAMBDA) ** gap / (1 - (1 - CHRONIC_LAMBDA) ** t)
        ratio = acute / chronic if t >= ACWR_FIRST_DAY and chronic > 0 else None
        return AcwrPoint(day_number=t, acute=acute, chronic=chronic, acwr=ratio)

    def ratio(self, day: dt.date) -> float | None:
        point = self.on(day)
        return point.acwr if point else None
