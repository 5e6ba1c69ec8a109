"""Associations between exposures and pain flare-ups in the user's own log
(docs/analytics.md#patterns): 2×2 tables, risk ratios with a 95 % interval, Fisher's exact test, the
Benjamini–Hochberg adjustment over all patterns of one request, and the number of separate
periods the exposed runs fall in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.stats import fisher_exact
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests

from runs.analytics.definitions import FLAG_EXPOSURES
from runs.analytics.flags import RunAnalysis
from runs.analytics.records import RunRecord, ShoeRecord

OUTCOME = "pain_flare"
DELAYED_OUTCOME = "pain_flare_48h"
DELAYED_SUFFIX = "_48h"
DELAYED_DAYS = 2  # the delayed outcome: a flare day on either of the two days after the run
DELAYED_KINDS = ("long_run_spike", "weekly_increase", "acwr_high")
MIN_EXPOSED = 5
MIN_UNEXPOSED = 5
MIN_FLARES = 3
MIN_PERIODS = 3
SIGNIFICANCE = 0.05
POSSIBLE_RISK_RATIO = Fraction(3, 2)
HALDANE = 0.5

INSUFFICIENT = "insufficient_data"
LIKELY, LIKELY_FEWER = "likely", "likely_fewer"
POSSIBLE, POSSIBLE_FEWER = "possible", "possible_fewer"
NONE = "none"
VERDICTS = (INSUFFICIENT, LIKELY, LIKELY_FEWER, POSSIBLE, POSSIBLE_FEWER, NONE)

# Read by the runner and, in the report, by a clinician: worded for both.
CAVEAT = "This is a pattern in this one log, not proof of cause."
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Association:
    exposure: str
    label: str
    outcome: str  # pain_flare | pain_flare_48h
    exposed_runs: int
    exposed_flares: int
    unexposed_runs: int
    unexposed_flares: int
    risk_ratio: float | None
    ci95_low: float | None
    ci95_high: float | None
    p_value: float | None
    p_adjusted: float | None  # Benjamini–Hochberg over the patterns with a verdict
    exposed_periods: int
    same_as: tuple[str, ...]  # exposures with the same outcome that select the same runs
    verdict: str  # one of VERDICTS
    message: str


@dataclass(slots=True)
class _Exposure:
    """One exposure's counts over the rated runs (in time order) so far."""

    runs: int = 0
    flares: int = 0  # of its own outcome: the delayed one for the ``_48h`` exposures
    periods: int = 0
    last: int = -2  # position of the latest exposed run among the rated runs
    # The periods themselves while there are fewer than MIN_PERIODS: only then does a
    # message name them.
    spans: list[tuple[dt.date, dt.date]] = field(default_factory=list)


@dataclass(slots=True)
class PatternTally:
    """What the associations count, over the rated runs in time order up to some run: a
    fold that a later write resumes from the stored tally of the run before the first one
    it changed, instead of walking the whole log again (see :meth:`as_json`).

    ``twins`` are the exposures exposed in exactly the same rated runs so far (each
    group in the order they were first exposed); an exposure never exposed is in none.
    """

    runs: int = 0
    flares: int = 0
    delayed_flares: int = 0
    exposures: dict[str, _Exposure] = field(default_factory=dict)
    twins: list[list[str]] = field(default_factory=list)

    def add(self, run: RunRecord, flags: Collection[str], flared_later: bool) -> None:
        """Count the next rated run, with its flags and the delayed outcome."""
        position = self.runs
        flared = OUTCOME in flags
        self.runs += 1
        self.flares += flared
        self.delayed_flares += flared_later
        keys = [kind for kind in FLAG_EXPOSURES if kind in flags]
        keys += [f"{kind}{DELAYED_SUFFIX}" for kind in DELAYED_KINDS if kind in flags]
        if run.shoe_id is not None:
            keys.append(f"shoe:{run.shoe_id}")
        keys.append(f"surface:{run.surface}")
        exposed = set(keys)
        # Groups of twins split by this run; the exposures seen for the first time are
        # twins of each other only (their runs so far: this one).
        twins = [
            part
            for group in self.twins
            for part in (
                [key for key in group if key in exposed],
                [key for key in group if key not in exposed],
            )
            if part
        ]
        first_seen = [key for key in keys if key not in self.exposures]
        if first_seen:
            twins.append(first_seen)
        self.twins = twins
        for key in keys:
            exposure = self.exposures.setdefault(key, _Exposure())
            if exposure.last == position - 1:
                if exposure.spans:
                    exposure.spans[-1] = (exposure.spans[-1][0], run.local_date)
            else:
                exposure.periods += 1
                exposure.spans = (
                    [*exposure.spans, (run.local_date, run.local_date)]
                    if exposure.periods < MIN_PERIODS
                    else []
                )
            exposure.runs += 1
            exposure.last = position
            exposure.flares += flared_later if key.endswith(DELAYED_SUFFIX) else flared

    def as_json(self) -> dict[str, object]:
        """The tally as JSON, to be stored with the run it was counted up to."""
        return {
            "runs": self.runs,
            "flares": self.flares,
            "delayed_flares": self.delayed_flares,
            "exposures": {
                key: [
                    exposure.runs,
                    exposure.flares,
                    exposure.periods,
                    exposure.last,
                    [[first.isoformat(), last.isoformat()] for first, last in exposure.spans],
                ]
                for key, exposure in self.exposures.items()
            },
            "twins": [list(group) for group in self.twins],
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> PatternTally:
        return cls(
            runs=stored["runs"],
            flares=stored["flares"],
            delayed_flares=stored["delayed_flares"],
            exposures={
                key: _Exposure(
                    runs,
                    flares,
                    periods,
                    last,
                    [(dt.date.fromisoformat(first), dt.date.fromisoformat(end)) for first, end in spans],
                )
                for key, (runs, flares, periods, last, spans) in stored["exposures"].items()
            },
            twins=[list(group) for group in stored["twins"]],
        )


def rated_runs(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The runs (not walks: several exposures are about load) with pain before and after,
    in time order: the population of every pattern."""
    return sorted((run for run in runs if is_rated(run)), key=lambda run: run.started_at)


def is_rated(run: RunRecord) -> bool:
    return run.is_load and run.pain_before is not None and run.pain_after is not None


def flared_later(run: RunRecord, flags: Collection[str], flare_days: Collection[dt.date]) -> bool:
    """The delayed outcome: the run's own flare-up, or a flare day (``flare_days``) on
    either of the two days after its date."""
    return OUTCOME in flags or any(
        run.local_date + dt.timedelta(days=days) in flare_days for days in range(1, DELAYED_DAYS + 1)
    )


def associations(
    runs: Sequence[RunRecord],
    analyses: Mapping[object, RunAnalysis],
    shoes: Mapping[int, ShoeRecord],
    flare_days: Collection[dt.date] = (),
) -> list[Association]:
    """One association per exposure, in the order of docs/analytics.md#exposures: the run flags, each pair of
    shoes worn in the population (by name), each surface in it (alphabetically), then the
    delayed variants of the load flags.

    The outcome is the run's own ``pain_flare``; for the delayed variants also any of
    ``flare_days`` (local dates of flare-ups of runs, walks and check-ins, from the whole
    log) on either of the two days after the run's date.
    """
    flare_dates = set(flare_days)
    tally = PatternTally()
    for run in rated_runs(runs):
        flags = analyses[run.id].flags
        tally.add(run, flags, flared_later(run, flags, flare_dates))
    return associations_of(tally, shoes)


def associations_of(tally: PatternTally, shoes: Mapping[int, ShoeRecord]) -> list[Association]:
    """The associations of a tally over all the rated runs (see :func:`associations`)."""

    def shoe_order(key: str) -> tuple[bool, str, int]:
        # Pairs the caller did not pass (none in the app) go last, by id.
        shoe_id = int(key.split(":")[1])
        return (shoe_id not in shoes, shoes[shoe_id].name if shoe_id in shoes else "", shoe_id)

    def described(key: str) -> _Described:
        kind, _, subject = key.partition(":")
        if kind == "shoe":
            shoe_id = int(subject)
            name = shoes[shoe_id].name if shoe_id in shoes else f"pair #{shoe_id}"
            return _Described(key, f"Shoes: {name}", f"runs in {name}", "these shoes")
        if kind == "surface":
            return _Described(key, f"Surface: {subject}", f"runs on {subject}", "the surface")
        if key.endswith(DELAYED_SUFFIX):
            definition = FLAG_EXPOSURES[key.removesuffix(DELAYED_SUFFIX)]
            return _Described(
                key,
                f"{definition.title}, flare-up within two days",
                definition.runs_with or "",
                definition.subject,
                delayed=True,
            )
        definition = FLAG_EXPOSURES[key]
        return _Described(key, definition.title, definition.runs_with or "", definition.subject)

    seen = tally.exposures
    keys = [
        *FLAG_EXPOSURES,
        *sorted((key for key in seen if key.startswith("shoe:")), key=shoe_order),
        *sorted(key for key in seen if key.startswith("surface:")),
        *(f"{kind}{DELAYED_SUFFIX}" for kind in DELAYED_KINDS),
    ]
    tables = []
    for key in keys:
        exposure = seen.get(key, _Exposure())
        description = described(key)
        tables.append(
            _Table(
                exposure=description,
                exposed_runs=exposure.runs,
                exposed_flares=exposure.flares,
                unexposed_runs=tally.runs - exposure.runs,
                unexposed_flares=(tally.delayed_flares if description.delayed else tally.flares)
                - exposure.flares,
                periods=exposure.periods,
                spans=tuple(exposure.spans),
            )
        )
    group_of = {key: index for index, group in enumerate(tally.twins) for key in group}
    same_runs: dict[tuple[bool, int], list[str]] = {}
    for table in tables:
        if table.exposed_runs:
            same_runs.setdefault((table.exposure.delayed, group_of[table.exposure.key]), []).append(
                table.exposure.key
            )
    return _judged(
        tables,
        twins={
            table.exposure.key: tuple(
                key
                for key in same_runs[(table.exposure.delayed, group_of[table.exposure.key])]
                if key != table.exposure.key
            )
            for table in tables
            if table.exposed_runs
        },
    )


@dataclass(frozen=True, slots=True)
class _Described:
    """What an exposure is called and how its messages speak of it."""

    key: str
    label: str
    who: str  # who the exposed runs are: "runs on trail"
    subject: str  # what the log cannot tell apart: "the surface"
    delayed: bool = False


@dataclass(frozen=True, slots=True)
class _Table:
    exposure: _Described
    exposed_runs: int
    exposed_flares: int
    unexposed_runs: int
    unexposed_flares: int
    periods: int
    spans: tuple[tuple[dt.date, dt.date], ...]  # the periods, when fewer than MIN_PERIODS

    @property
    def counts(self) -> tuple[int, int, int, int]:
        return (self.exposed_runs, self.exposed_flares, self.unexposed_runs, self.unexposed_flares)

    @property
    def enough(self) -> bool:
        return (
            self.exposed_runs >= MIN_EXPOSED
            and self.unexposed_runs >= MIN_UNEXPOSED
            and self.exposed_flares + self.unexposed_flares >= MIN_FLARES
        )


def _judged(
    tables: Sequence[_Table],
    *,
    twins: Mapping[str, tuple[str, ...]] | None = None,
    also_tested: Sequence[float] = (),
) -> list[Association]:
    """Statistics, the adjustment over the tables with enough data (and the p-values
    ``also_tested``), verdicts and messages; ``twins`` are each exposure's ``same_as``."""
    statistics = [
        _statistics(*table.counts) if table.exposed_runs and table.unexposed_runs else None
        for table in tables
    ]
    tested = [index for index, table in enumerate(tables) if table.enough]
    adjusted: dict[int, float] = {}
    if tested:
        p_values = [statistics[index][3] for index in tested]  # type: ignore[index]
        corrected = multipletests([*p_values, *also_tested], alpha=SIGNIFICANCE, method="fdr_bh")[1]
        adjusted = {index: float(p) for index, p in zip(tested, corrected, strict=False)}
    found = []
    for index, table in enumerate(tables):
        exposure = table.exposure
        stats = statistics[index]
        p_adjusted = adjusted.get(index)
        verdict = INSUFFICIENT
        if table.enough and stats is not None and p_adjusted is not None:
            verdict = _verdict(stats, _exact_risk_ratio(*table.counts), p_adjusted, table.periods)
        risk_ratio, ci95_low, ci95_high, p_value = stats or (None, None, None, None)
        found.append(
            Association(
                exposure=exposure.key,
                label=exposure.label,
                outcome=DELAYED_OUTCOME if exposure.delayed else OUTCOME,
                exposed_runs=table.exposed_runs,
                exposed_flares=table.exposed_flares,
                unexposed_runs=table.unexposed_runs,
                unexposed_flares=table.unexposed_flares,
                risk_ratio=risk_ratio,
                ci95_low=ci95_low,
                ci95_high=ci95_high,
                p_value=p_value,
                p_adjusted=p_adjusted,
                exposed_periods=table.periods,
                same_as=(twins or {}).get(exposure.key, ()),
                verdict=verdict,
                message=_message(verdict, table, stats, p_adjusted, len(tested) + len(also_tested)),
            )
        )
    return found


def _verdict(
    statistics: tuple[float, float, float, float], risk_ratio: Fraction, p_adjusted: float, periods: int
) -> str:
    """The verdicts of docs/analytics.md#verdicts in their order, for a table with enough data. ``risk_ratio``
    is exact, so that 3 of 20 against 2 of 20 is 1.5 (possible), not 1.4999999999999998."""
    _, low, high, _ = statistics
    convincing = p_adjusted < SIGNIFICANCE and periods >= MIN_PERIODS
    if convincing and low > 1:
        return LIKELY
    if convincing and high < 1:
        return LIKELY_FEWER
    if risk_ratio >= POSSIBLE_RISK_RATIO:
        return POSSIBLE
    if risk_ratio <= 1 / POSSIBLE_RISK_RATIO:
        return POSSIBLE_FEWER
    return NONE


def _exact_risk_ratio(
    exposed_runs: int, exposed_flares: int, unexposed_runs: int, unexposed_flares: int
) -> Fraction:
    """The risk ratio as a fraction, with the same 0.5 shift as :func:`_statistics`."""
    cells = [
        exposed_flares,
        exposed_runs - exposed_flares,
        unexposed_flares,
        unexposed_runs - unexposed_flares,
    ]
    a, b, c, d = (Fraction(cell) + (Fraction(HALDANE) if 0 in cells else 0) for cell in cells)
    return (a / (a + b)) / (c / (c + d))


def association(
    *,
    exposure: str,
    label: str,
    who: str,
    exposed_runs: int,
    exposed_flares: int,
    unexposed_runs: int,
    unexposed_flares: int,
    periods: Sequence[tuple[dt.date, dt.date]] | None = None,
    subject: str = "this",
    tested_with: Sequence[float] = (),
) -> Association:
    """One 2×2 table judged on its own, adjusted together with the p-values
    ``tested_with`` of other patterns. ``periods`` default to one per exposed run, every
    other day from 1 Jan 2024 (scattered)."""
    if periods is None:
        first = dt.date(2024, 1, 1)
        periods = [(first + dt.timedelta(days=2 * n),) * 2 for n in range(exposed_runs)]  # type: ignore[misc]
    table = _Table(
        exposure=_Described(exposure, label, who, subject),
        exposed_runs=exposed_runs,
        exposed_flares=exposed_flares,
        unexposed_runs=unexposed_runs,
        unexposed_flares=unexposed_flares,
        periods=len(periods),
        spans=tuple(periods) if len(periods) < MIN_PERIODS else (),
    )
    return _judged([table], also_tested=tested_with)[0]


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
    # docs/analytics.md#statistics: 0.5 added to every cell when any is 0 (Haldane). statsmodels'
    # shift_zeros=True only replaces the zero cells (whatever its docstring says), so the shift is done here.
    shifted = Table2x2(table + HALDANE if (table == 0).any() else table, shift_zeros=False)
    low, high = shifted.riskratio_confint(alpha=0.05, method="normal")
    # The test runs on the counts as they are: an exact test needs no correction.
    p_value = fisher_exact(table, alternative="two-sided").pvalue
    return float(shifted.riskratio), float(low), float(high), float(p_value)


# --------------------------------------------------------------------------- messages


def _message(
    verdict: str,
    table: _Table,
    statistics: tuple[float, float, float, float] | None,
    p_adjusted: float | None,
    tested: int,
) -> str:
    exposure = table.exposure
    who = _sentence(exposure.who)
    outcome = "were followed by a flare-up within two days" if exposure.delayed else "ended in a flare-up"
    exposed_runs, exposed_flares, unexposed_runs, unexposed_flares = table.counts
    if verdict == INSUFFICIENT or statistics is None or p_adjusted is None:
        return (
            f"Too few runs to tell. {who}: {exposed_runs} ({exposed_flares} with a flare-up"
            f"{' within two days' if exposure.delayed else ''}); other runs: {unexposed_runs} "
            f"({unexposed_flares}). At least {MIN_EXPOSED} of each and {MIN_FLARES} flare-ups in "
            "all are needed."
        )
    risk_ratio, low, high, _ = statistics
    counts = (
        f"{who} {outcome} {exposed_flares} of {exposed_runs} times "
        f"({_percent(exposed_flares, exposed_runs)}), other runs {unexposed_flares} of "
        f"{unexposed_runs} times ({_percent(unexposed_flares, unexposed_runs)})"
    )
    interval = f"95 % CI {_figure(low)}–{_figure(high)}"
    clear = low > 1 or high < 1
    if verdict == NONE and not clear:
        return f"{counts}: no clear difference shows ({_figure(risk_ratio)}×, {interval})."
    story = f"{counts}: {_figure(risk_ratio)}× as often ({interval})"
    if risk_ratio < 1:
        story += ", fewer flare-ups rather than more"
    adjusted = f"p {_p(p_adjusted)} adjusted for the {tested} patterns tested"
    if verdict in (LIKELY, LIKELY_FEWER):
        return f"{story}, in {table.periods} separate periods ({adjusted}). {CAVEAT}"
    if not clear:
        return f"{story}. The interval includes 1 (no difference), so this may be chance. {CAVEAT}"
    # The interval excludes 1, yet the log cannot make the claim: say why.
    reasons = []
    if table.periods < MIN_PERIODS:
        reasons.append(
            f"but {_periods(table.spans)}, so the log cannot tell {exposure.subject} apart from "
            "whatever else changed then"
        )
    if p_adjusted >= SIGNIFICANCE:
        reasons.append(
            f"{'and' if reasons else 'but'} with {tested} patterns tested at once this may be chance "
            f"(adjusted p {_p(p_adjusted)})"
        )
    return f"{story}, {', '.join(reasons)}. {CAVEAT}"


def _periods(periods: Sequence[tuple[dt.date, dt.date]]) -> str:
    spans = [_span(first, last) for first, last in periods]
    if len(spans) == 1:
        return f"all of those runs fall in one period ({spans[0]})"
    return f"those runs fall in only {len(spans)} periods ({' and '.join(spans)})"


def _span(first: dt.date, last: dt.date) -> str:
    def date(day: dt.date, *, year: bool = True) -> str:
        return f"{day.day} {MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")

    if first == last:
        return date(first)
    return f"{date(first, year=first.year != last.year)} – {date(last)}"


def _sentence(words: str) -> str:
    return words[0].upper() + words[1:]


def _percent(part: int, whole: int) -> str:
    # Half up, as people round: 5 of 8 is 63 %.
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal(1), ROUND_HALF_UP)} %"


def _p(value: float) -> str:
    """A p-value as people read it: "= 0.004", "= 0.41", or "< 0.001"."""
    return "< 0.001" if value < 0.001 else f"= {_figure(value, figures=1 if value < 0.01 else 2)}"


def _figure(value: float, *, figures: int = 2) -> str:
    """Two significant figures, whole numbers from 10 on: 6.25 → 6.3, 0.456 → 0.46,
    0.9996 → 1.0, 20.76 → 21."""
    exact = Decimal(repr(value))
    if exact >= Decimal("9.95"):
        return str(exact.quantize(Decimal(1), ROUND_HALF_UP))
    rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - figures + 1), ROUND_HALF_UP)
    # Rounding up to the next power of ten (0.996 → 1.00) adds a figure: drop it.
    return str(rounded.quantize(Decimal(1).scaleb(rounded.adjusted() - figures + 1)))
