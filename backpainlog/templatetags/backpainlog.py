"""Template helpers: figures in the user's unit, and the pain-scale control."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from backpainlog import units
from runs.models import BELOW_KNEE_REGIONS, PAIN_MAX, PAIN_MIN, PAIN_REGIONS, region_names

register = template.Library()


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
