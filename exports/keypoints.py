"""The report's first page (docs/product.md#key-points): what a clinician acts on, in the third
person, each point with its figures. Pure: built from a gathered :class:`Report`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from typing import TYPE_CHECKING

from backpainlog.units import format_distance
from runs import analytics, insights
from runs.charts import long_date
from shoes import wear

if TYPE_CHECKING:
    from exports.report import Report

TREND_WEEKS = 4  # the pain trend compares the first four weeks with the last four
PAIN_CHANGE_NOTICED = 2  # points on the 0–10 scale that patients notice (Farrar et al. 2001)
EPISODES_LISTED = 5
SHOWN_VERDICTS = {
    "likely": "likely",
    "likely_fewer": "likely fewer flare-ups",
    "possible": "possible",
    "possible_fewer": "possibly fewer flare-ups",
}


@dataclasses.dataclass(frozen=True, slots=True)
class KeyPoint:
    title: str
    lines: tuple[str, ...]
    strong: bool = False  # a point that needs attention (printed in bold)
    urgent: bool = False  # red flags: framed, first on every page that shows the points


def key_points(report: Report) -> list[KeyPoint]:
    """In the order of docs/product.md#key-points; red flags, when any were recorded, before everything else,
    and the questionnaires and pain below the knee once there is something to say."""
    points = [
        _red_flags(report),
        KeyPoint("Period", (f"{report.period_label} ({(report.end - report.start).days + 1} days).",)),
        _activity(report),
        _pain_trend(report),
        _questionnaires(report),
        _episodes(report),
        _radiating(report),
        _below_knee(report),
        _patterns(report),
        _worn_shoes(report),
    ]
    return [point for point in points if point is not None]


def _red_flags(report: Report) -> KeyPoint | None:
    """Calm and first: what was recorded and when, and what the runner was told."""
    if not report.red_flags:
        return None
    dates: dict[str, list[dt.date]] = {}
    for flag in report.red_flags:
        for words in flag.words:
            dates.setdefault(words, []).append(flag.date)
    found = "; ".join(f"{words} on {_dates_text(days)}" for words, days in dates.items())
    return KeyPoint(
        "New symptoms that need a doctor",
        (
            f"New symptoms that need a doctor the same day were recorded: {found}.",
            "The app told the runner at once to see a doctor that day (an emergency department "
            "if no doctor could be reached).",
        ),
        strong=True,
        urgent=True,
    )


def _dates_text(days: list[dt.date]) -> str:
    named = [long_date(day) for day in dict.fromkeys(days)]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _questionnaires(report: Report) -> KeyPoint | None:
    """Each questionnaire's first and latest score in the period, with the verdict."""
    if not report.questionnaires:
        return None
    lines = []
    for scores in report.questionnaires:
        line = scores.change_text
        if len(scores.scores) > 1:
            head, _, verdict = line.partition(": ")
            line = (
                f"{head} ({long_date(scores.first.date)} – {long_date(scores.latest.date)}, "
                f"{len(scores.scores)} responses): {verdict}"
            )
        line = line if line.endswith(".") else f"{line}."
        if since := scores.since_first_text:
            line += f" Since the runner's first response, before the period: {since}."
        lines.append(line)
    return KeyPoint("Questionnaires (first → latest in the period)", tuple(lines))


def _below_knee(report: Report) -> KeyPoint | None:
    days = report.below_knee_days
    if not days:
        return None
    times = {count.region: count.total for count in report.regions}
    sides = ", ".join(
        f"{side} leg {_times(times.get(f'below_knee_{side}', 0))}" for side in ("left", "right")
    )
    return KeyPoint(
        "Pain below the knee",
        (
            f"Marked on {len(days)} day{'s' if len(days) != 1 else ''}; the latest {long_date(days[-1])} "
            f"({sides}; check-ins and runs).",
        ),
        strong=True,
    )


def _activity(report: Report) -> KeyPoint:
    totals, unit = report.totals, report.unit
    line = f"{totals.runs} run{'s' if totals.runs != 1 else ''}, {format_distance(totals.run_distance_m, unit, 1)}"
    if totals.walks:
        line += f"; {totals.walks} walk{'s' if totals.walks != 1 else ''}, {format_distance(totals.walk_distance_m, unit, 1)}"
    return KeyPoint("Runs and distance", (f"{line}.",))


def _pain_trend(report: Report) -> KeyPoint:
    """Mean of all pain scores (before and after runs, next mornings, check-ins) in the
    first and in the last four weeks of the period."""
    title = "Pain trend"
    window = dt.timedelta(weeks=TREND_WEEKS)
    if report.end - report.start + dt.timedelta(days=1) < 2 * window:
        return KeyPoint(
            title, ("The period is shorter than 8 weeks: too short to compare four weeks with four.",)
        )
    first_end, last_start = (
        report.start + window - dt.timedelta(days=1),
        report.end - window + dt.timedelta(days=1),
    )
    first = [score for day, score in report.pain_scores if day <= first_end]
    last = [score for day, score in report.pain_scores if day >= last_start]
    if not first or not last:
        return KeyPoint(title, ("Not enough pain scores in the first or the last four weeks to compare.",))
    before, after = statistics.fmean(first), statistics.fmean(last)
    change = after - before
    direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
    noticed = abs(change) >= PAIN_CHANGE_NOTICED
    return KeyPoint(
        title,
        (
            f"Mean pain score {before:.1f}/10 in the first four weeks ({long_date(report.start)} – "
            f"{long_date(first_end)}, {len(first)} scores) and {after:.1f}/10 in the last four "
            f"({long_date(last_start)} – {long_date(report.end)}, {len(last)} scores): "
            + (f"{direction} {abs(change):.1f} points" if change else "unchanged")
            + (
                ", a change of at least 2 points, the size patients notice."
                if noticed
                else ", less than the 2-point change patients notice."
            ),
        ),
        strong=noticed and change > 0,
    )


def _episodes(report: Report) -> KeyPoint:
    episodes = list(reversed(report.episodes))  # newest first
    title = "Flare-up episodes"
    if not episodes:
        return KeyPoint(title, ("None in the period.",))
    lines = [
        f"{len(episodes)} episode{'s' if len(episodes) != 1 else ''} (flare-ups at most 3 days apart)"
        + (f"; the {EPISODES_LISTED} latest:" if len(episodes) > EPISODES_LISTED else ":")
    ]
    lines += [
        f"{episode_dates(episode)}: {episode_summary(episode)}" for episode in episodes[:EPISODES_LISTED]
    ]
    if len(episodes) > EPISODES_LISTED:
        lines.append(f"and {len(episodes) - EPISODES_LISTED} more (listed further on).")
    return KeyPoint(title, tuple(lines), strong=True)


def episode_dates(episode: analytics.Episode) -> str:
    if episode.start == episode.end:
        return long_date(episode.start)
    return f"{long_date(episode.start)} – {long_date(episode.end)}"


def episode_summary(episode: analytics.Episode) -> str:
    days = len(episode.flare_days)
    peak = "no score" if episode.peak is None else f"{episode.peak}/10"
    return f"{days} flare day{'s' if days != 1 else ''}, peak {peak}"


def _radiating(report: Report) -> KeyPoint:
    days = report.radiating_days
    title = "Pain radiating down the leg"
    if not days:
        return KeyPoint(title, ("No check-in in the period reported pain radiating down the leg.",))
    return KeyPoint(
        title,
        (
            f"On {len(days)} day{'s' if len(days) != 1 else ''} (check-ins); the latest {long_date(days[-1])}.",
        ),
        strong=True,
    )


def _times(count: int) -> str:
    return "never" if not count else "once" if count == 1 else f"{count} times"


def _patterns(report: Report) -> KeyPoint:
    rows = [row for row in insights.shown_once(report.associations) if row.item.verdict in SHOWN_VERDICTS]
    title = "Patterns (likely and possible)"
    if not rows:
        return KeyPoint(
            title, ("None: no feature of the runs went with more or fewer flare-ups clearly enough.",)
        )
    return KeyPoint(title, tuple(_pattern_line(row) for row in rows))


def _pattern_line(row: insights.PatternRow) -> str:
    item = row.item
    line = (
        f"{row.label} — {SHOWN_VERDICTS[item.verdict]}: flare-ups in {item.exposed_flares} of "
        f"{item.exposed_runs} runs with it vs {item.unexposed_flares} of {item.unexposed_runs} without"
    )
    if item.risk_ratio is not None and item.ci95_low is not None and item.ci95_high is not None:
        line += f", risk ratio {item.risk_ratio:.2g} (95 % CI {item.ci95_low:.2g}–{item.ci95_high:.2g})"
    periods = item.exposed_periods
    return f"{line}, in {periods} separate period{'s' if periods != 1 else ''}."


def _worn_shoes(report: Report) -> KeyPoint:
    worn = [shoe for shoe in report.shoes if shoe.status == wear.REPLACE]
    title = "Shoes past their replacement distance, still in use"
    if not worn:
        return KeyPoint(title, ("None.",))
    return KeyPoint(
        title,
        tuple(
            f"{shoe.name}: {format_distance(shoe.odometer_m, report.unit, 0)} of its "
            f"{format_distance(shoe.threshold_m, report.unit, 0)} ({shoe.wear_pct:.0f} %)."
            for shoe in worn
        ),
        strong=True,
    )
