"""The dashboard's trends as tables: the charts' figures as text (docs/product.md#dashboard).

Their rows are built here rather than in a template loop: the dashboard rebuilds them after
every write, and a template spends about ten times as long on each cell (a variable lookup,
localisation, a filter) as ``format_html`` does. The text is what the template filters
(``day``, ``distance``, ``floatformat``) write, so the page reads the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backpainlog.units import format_distance
from runs.analytics import RegionCount, WeekStats
from runs.charts import WEEKDAYS, long_date

NONE = "–"


def _or_dash(text: str) -> str:
    return text or NONE


def weekly_rows(weeks: Iterable[WeekStats], unit: str) -> SafeString:
    """A row per week: week of, distance, runs, average pain after, highest pain, flare-ups,
    session load (with its change against the week before)."""
    return format_html_join(
        "\n",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>',
        (
            (
                long_date(week.week_start),
                format_distance(week.distance_m, unit),
                week.run_count,
                _or_dash(floatformat(week.pain_after_avg, 1)),
                NONE if week.pain_max is None else week.pain_max,
                week.flare_count,
                _or_dash(floatformat(week.session_load, 0)),
                ""
                if week.session_load_change_pct is None
                else f" ({floatformat(week.session_load_change_pct, 0)} %)",
            )
            for week in weeks
        ),
    )


def pain_by_day_rows(pain_by_day: Mapping[dt.date, int]) -> SafeString:
    """A row per day with a pain score: the date and its highest score; one row saying so
    when there is none."""
    if not pain_by_day:
        return format_html('<tr><td colspan="2">{}</td></tr>', "No pain recorded in this period.")
    return format_html_join(
        "\n",
        '<tr><th scope="row">{}</th><td>{}/10</td></tr>',
        ((f"{WEEKDAYS[date.weekday()]} {long_date(date)}", pain) for date, pain in pain_by_day.items()),
    )


def region_rows(regions: Iterable[tuple[str, RegionCount]]) -> SafeString:
    """A row per body-map region (its name given): check-ins and runs that marked it."""
    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
        ((label, count.checkins, count.runs) for label, count in regions),
    )
