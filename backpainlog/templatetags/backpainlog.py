"""Template helpers: figures in the user's unit, and the pain-scale control."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import template
from django.forms import BoundField
from django.template import defaultfilters

from backpainlog import units
from runs.charts import MONTHS, WEEKDAYS
from runs.models import BELOW_KNEE_REGIONS, PAIN_MAX, PAIN_MIN, PAIN_REGIONS, region_names

register = template.Library()

# Django's date format characters for the parts of a date the pages write, in English
# (the app's only language): "Fri 4 Dec 2026".
DAY_PARTS: dict[str, Callable[[dt.date], str]] = {
    "D": lambda day: WEEKDAYS[day.weekday()],
    "j": lambda day: str(day.day),
    "M": lambda day: MONTHS[day.month - 1],
    "Y": lambda day: f"{day.year:04d}",
}


@register.filter(expects_localtime=True)
def day(value: dt.date | dt.datetime | str | None, arg: str) -> str:
    """Django's ``date`` filter, the same text, for a date written with ``D``, ``j``, ``M``
    and ``Y`` between spaces in a fraction of the time: the dashboard's tables write one
    per day (its translation and format machinery was a third of rendering them). Any
    other value or format goes to ``date``."""
    parts = arg.split(" ")
    if (
        isinstance(value, dt.date)
        and not isinstance(value, dt.datetime)
        and all(p in DAY_PARTS for p in parts)
    ):
        return " ".join(DAY_PARTS[part](value) for part in parts)
    return defaultfilters.date(value, arg)


@register.filter
def distance(metres: float | None, unit: str) -> str:
    return units.format_distance(metres, unit)


@register.filter
def pace(seconds_per_km: float | None, unit: str) -> str:
    return units.format_pace(seconds_per_km, unit)


@register.filter
def duration(seconds: int | None) -> str:
    return units.format_duration(seconds)


@register.filter
def percent(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio * 100:.0f} %"


@register.filter
def bar_width(ratio: float | None) -> int:
    """A wear ratio as a whole percentage for a bar, capped at 100."""
    return 0 if not ratio else round(min(ratio, 1.0) * 100)


@register.inclusion_tag("includes/pain_field.html")
def pain_field(field: BoundField) -> dict[str, object]:
    return {"field": field, "scale": pain_scale()}


@register.inclusion_tag("includes/body_map.html")
def body_map(field: BoundField, legend: str) -> dict[str, object]:
    """Where it hurts (docs/product.md#where-it-hurts): a checkbox per region over a drawing of the back of
    the body, below the knee apart; the same checkboxes read as a list."""
    boxes = list(field)
    marked = [code for code in PAIN_REGIONS if code in (field.value() or [])]
    return {
        "field": field,
        "legend": legend,
        "above_knee": [box for box in boxes if box.data["value"] not in BELOW_KNEE_REGIONS],
        "below_knee": [box for box in boxes if box.data["value"] in BELOW_KNEE_REGIONS],
        "marked": region_names(marked),
    }


@register.inclusion_tag("includes/field.html")
def form_field(field: BoundField) -> dict[str, object]:
    return {"field": field}


@register.simple_tag
def pain_scale() -> range:
    return range(PAIN_MIN, PAIN_MAX + 1)


@register.inclusion_tag("includes/flag_badges.html")
def flag_badges(flags: list[str], spike_band: str | None = None) -> dict[str, object]:
    """A run's flags as badges (their short names from the registry), each linking to its
    definition; the long-run spike with its band."""
    from runs.analytics import FLAG_KINDS  # the registry lives with the analytics

    badges = []
    for kind in flags or []:
        found = FLAG_KINDS.get(kind)
        if found is None:
            continue
        label = f"{found.short} ({spike_band})" if kind == "long_run_spike" and spike_band else found.short
        badges.append({"kind": kind, "label": label, "title": found.title, "severity": found.severity})
    return {"badges": badges}
