"""The trends' tables built in Python read exactly as the template filters would write them."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.template import engines

from runs import tables
from runs.analytics import RegionCount, WeekStats

# The rows as the dashboard's template wrote them before they were built in Python.
WEEK_ROW = engines["django"].from_string(
    "{% load backpainlog %}"
    '<tr><th scope="row">{{ week.week_start|day:"j M Y" }}</th><td>{{ week.distance_m|distance:unit }}</td>'
    '<td>{{ week.run_count }}</td><td>{{ week.pain_after_avg|floatformat:1|default:"–" }}</td>'
    '<td>{{ week.pain_max|default_if_none:"–" }}</td><td>{{ week.flare_count }}</td>'
    '<td>{{ week.session_load|floatformat:0|default:"–" }}{% if week.session_load_change_pct is not None %}'
    " ({{ week.session_load_change_pct|floatformat:0 }} %){% endif %}</td></tr>"
)
DAY_ROW = engines["django"].from_string(
    '{% load backpainlog %}<tr><th scope="row">{{ day|day:"D j M Y" }}</th><td>{{ pain }}/10</td></tr>'
)


def week(rng: random.Random, start: dt.date) -> WeekStats:
    def maybe(value: float) -> float | None:
        return None if rng.random() < 0.3 else value

    return WeekStats(
        week_start=start,
        distance_m=rng.choice([0.0, 1234.5, 81_040.0, rng.uniform(0, 200_000)]),
        run_count=rng.randint(0, 14),
        walk_distance_m=0.0,
        duration_s=None,
        change_pct=None,
        acwr=None,
        pain_before_avg=None,
        # Halves and near-halves: where rounding rules differ.
        pain_after_avg=maybe(rng.choice([2.25, 2.35, 2.45, 3.0, rng.uniform(0, 10)])),
        pain_max=None if rng.random() < 0.3 else rng.randint(0, 10),
        flare_count=rng.randint(0, 3),
        session_load=maybe(rng.choice([0.5, 1.5, 2.5, 1234.5, rng.uniform(0, 5000)])),
        session_load_change_pct=maybe(rng.choice([-12.5, 0.5, 100.0, rng.uniform(-100, 300)])),
    )


@pytest.mark.parametrize("unit", ["km", "mi"])
def test_weekly_rows_read_as_the_template_wrote_them(unit: str) -> None:
    rng = random.Random(unit)
    weeks = [week(rng, dt.date(2026, 1, 5) + dt.timedelta(weeks=n)) for n in range(200)]

    expected = "\n".join(WEEK_ROW.render({"week": each, "unit": unit}) for each in weeks)

    assert tables.weekly_rows(weeks, unit) == expected


def test_pain_by_day_rows_read_as_the_template_wrote_them() -> None:
    days = {dt.date(1999, 12, 27) + dt.timedelta(days=n): n % 11 for n in range(400)}

    expected = "\n".join(DAY_ROW.render({"day": day, "pain": pain}) for day, pain in days.items())

    assert tables.pain_by_day_rows(days) == expected


def test_a_period_without_pain_says_so() -> None:
    assert tables.pain_by_day_rows({}) == '<tr><td colspan="2">No pain recorded in this period.</td></tr>'


def test_region_rows_escape_their_labels() -> None:
    rows = tables.region_rows([("Low back <centre>", RegionCount("low_back_center", checkins=3, runs=1))])

    assert rows == '<tr><th scope="row">Low back &lt;centre&gt;</th><td>3</td><td>1</td></tr>'
