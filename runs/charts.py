"""Server-rendered SVG charts for the dashboard and the clinician PDF (docs/product.md#dashboard,
docs/product.md#pdf-report).

Why SVG strings built here rather than a JavaScript library: nothing may come from a CDN,
the charts must fit a 360 px phone, follow the light and dark themes, and the same markup
must feed a pure-Python PDF renderer (svglib + reportlab) that has no browser and no
app.css. So:

- every chart is a standalone ``<svg>`` scaled by its ``viewBox`` (``width="100%"``, no
  pixel width), with ``role="img"`` and a ``<title>`` + one-sentence ``<desc>``;
- colours come from ``class`` attributes only. ``static/css/charts.css`` colours them
  with the app's variables (``svg.chart .x``, which outranks the fallback); the
  ``<style>`` inside each SVG holds fallback rules (``.chart .x``: grey shades and
  ``currentColor``; :mod:`backpainlog.chart_css`) that print readably in black and white
  where app.css is absent;
- series differ by shape, not colour alone: distance is solid bars, pain a dashed line with
  round markers, flare-ups triangles, the ACWR threshold a dashed rule;
- coordinates are rounded to one decimal so the markup stays small and diffable.

The functions take plain values (no ORM); the caller converts units and picks the period.
The charts are pictures: the page must still offer the same figures as text or a table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import mark_safe

from backpainlog.chart_css import FALLBACK_CSS
from backpainlog.units import from_metres

if TYPE_CHECKING:
    from runs.selectors import Trends

__all__ = [
    "ACWR_NOT_ENOUGH_DATA",
    "WeekPoint",
    "acwr_svg",
    "long_date",
    "pain_calendar_svg",
    "trend_charts",
    "weekly_distance_pain_svg",
    "weekly_session_load_svg",
]

# Month and day names are fixed English abbreviations, like the rest of the UI: strftime's
# %b and %a would follow the server's locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

ACWR_NOT_ENOUGH_DATA = "Not enough data yet: ACWR needs 28 days"
PAIN_MAX = 10

# The drawing is 360 units wide: at a 360 px phone (less the page padding) one unit is
# about 0.9 px, so a 12-unit label reads as 11 px there.
WIDTH = 360
FONT_SIZE = 12
SMALL_FONT_SIZE = 10
# Labels are about this many units wide per character at FONT_SIZE (system sans-serif).
CHAR_WIDTH = 6.6
MAX_X_LABELS = 6


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One Monday-started week of the weekly distance and pain chart.

    ``distance`` is already in the user's unit; ``pain`` is a 0–10 summary of the week
    (mean or max, the caller's choice) or None when nothing was scored; ``flares`` counts
    the week's flare-ups.
    """

    week_start: dt.date
    distance: float
    pain: float | None
    flares: int


@dataclass(frozen=True, slots=True)
class _Plot:
    """The plotting rectangle inside the viewBox."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


# ---------------------------------------------------------------------------- helpers


def _n(value: float) -> str:
    """A coordinate or figure in at most one decimal: "12.3", "40", never "12.300000001"."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _figure(value: float) -> str:
    """A human figure: one decimal below 100, whole numbers above."""
    return _n(value) if abs(value) < 100 else f"{round(value):,}"


def _short_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def long_date(day: dt.date) -> str:
    """A date no reader can misread, in any country: "3 Dec 2026"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _finite(value: float | None) -> float | None:
    """None for missing, NaN or infinite values: they are gaps, not points."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


# What quoteattr leaves as it is: most attributes are figures, class names and dates.
_PLAIN_ATTRIBUTE = re.compile(r"[^&<>\"'\n\r\t]*")
_ATTRIBUTE_NAMES: dict[str, str] = {}  # keyword → attribute name: "class_" → "class"


def _attrs(**attributes: object) -> str:
    """Escaped attributes; a trailing underscore is dropped (``class_``) and ``_`` in the
    middle becomes ``-`` (``text_anchor``)."""
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        attribute = _ATTRIBUTE_NAMES.get(name) or _ATTRIBUTE_NAMES.setdefault(
            name, name.rstrip("_").replace("_", "-")
        )
        text = _n(value) if isinstance(value, float) else str(value)
        # A calendar alone has hundreds: quoteattr's escaping only for those that need it.
        quoted = f'"{text}"' if _PLAIN_ATTRIBUTE.fullmatch(text) else quoteattr(text)
        parts.append(f" {attribute}={quoted}")
    return "".join(parts)


def _text(x: float, y: float, content: str, *, class_: str, **attributes: object) -> str:
    return f"<text{_attrs(x=float(x), y=float(y), class_=class_, **attributes)}>{escape(content)}</text>"


def _title(content: str) -> str:
    return f"<title>{escape(content)}</title>"


def _line(x1: float, y1: float, x2: float, y2: float, *, class_: str) -> str:
    return f"<line{_attrs(x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), class_=class_)}/>"


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _segments(values: Sequence[float | None]) -> list[list[int]]:
    """Indices of the runs of consecutive non-None values: a None is a gap, never joined."""
    segments: list[list[int]] = []
    current: list[int] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(index)
    if current:
        segments.append(current)
    return segments


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at least ``raw``: tick steps people can read."""
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw * (1 - 1e-9):
            return step
    return 10 * magnitude  # pragma: no cover (factor 10 always qualifies)


def _ticks(axis_max: float, step: float) -> list[float]:
    """0, step, 2·step … axis_max, computed by multiplication so no float drift creeps in."""
    return [step * i for i in range(round(axis_max / step) + 1)]


def _label_indices(count: int, max_labels: int = MAX_X_LABELS) -> list[int]:
    """Every k-th index so that at most ``max_labels`` labels show (52 weeks: 6)."""
    if count <= 0:
        return []
    step = max(1, math.ceil(count / max_labels))
    return list(range(0, count, step))


def _svg(*, kind: str, height: float, title: str, desc: str, body: Sequence[str]) -> str:
    """Wrap the body in the root element shared by every chart.

    Ids derive from the content so that several charts on one page do not collide and the
    same input always gives the same markup.
    """
    content = "".join(body)
    digest = hashlib.blake2s(f"{kind}|{title}|{desc}|{content}".encode(), digest_size=4).hexdigest()
    chart_id = f"{kind}-{digest}"
    root = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {_n(height)}",
        width="100%",
        role="img",
        aria_labelledby=f"{chart_id}-title {chart_id}-desc",
        class_=f"chart {kind}",
        font_size=FONT_SIZE,
    )
    return (
        f"<svg{root}>"
        f"<title{_attrs(id=f'{chart_id}-title')}>{escape(title)}</title>"
        f"<desc{_attrs(id=f'{chart_id}-desc')}>{escape(desc)}</desc>"
        f"<style>{FALLBACK_CSS}</style>"
        f"{content}</svg>"
    )


def _message_svg(*, kind: str, title: str, message: str) -> str:
    """A chart-sized box with a sentence instead of a chart (no data yet)."""
    height = 80
    body = [_text(WIDTH / 2, height / 2 + 4, message, class_="chart-message", text_anchor="middle")]
    return _svg(kind=kind, height=height, title=title, desc=f"{message}.", body=body)


def _swatch_label(x: float, y: float, content: str) -> tuple[str, float]:
    """A legend label after a swatch; returns the markup and the x where the next starts."""
    return _text(x, y, content, class_="chart-label"), x + len(content) * CHAR_WIDTH + 14


# ------------------------------------------------------------ weekly distance + pain


def weekly_distance_pain_svg(
    weeks: Sequence[WeekPoint], *, unit: str, treatments: Sequence[tuple[dt.date, str]] = ()
) -> str:
    """Weekly distance as bars (left axis, in ``unit``) with pain as a dashed line with round
    markers on a fixed 0–10 right axis, and a triangle above each week with a flare-up.
    ``treatments`` (local date, label) add a row of diamonds under the weeks they began in.

    Load and pain share one chart because the point is to see whether they move together;
    pain keeps a fixed 0–10 scale so that a calm period does not look alarming. A week
    without a pain score breaks the line: joining across it would invent a trend.
    """
    title = "Weekly distance and pain"
    if not weeks:
        return _message_svg(kind="chart-weekly", title=title, message="No weeks to show yet")

    weeks = sorted(weeks, key=lambda week: week.week_start)
    distances = [max(0.0, _finite(week.distance) or 0.0) for week in weeks]
    pains = [_finite(week.pain) for week in weeks]
    pains = [None if pain is None else min(float(PAIN_MAX), max(0.0, pain)) for pain in pains]

    week_of = {week.week_start: index for index, week in enumerate(weeks)}
    marked: dict[int, list[str]] = {}
    for day, label in treatments:
        index = week_of.get(day - dt.timedelta(days=day.weekday()))
        if index is not None:
            marked.setdefault(index, []).append(f"{_short_date(day)}: {label}")

    height = 230 + (16 if marked else 0)
    plot = _Plot(left=36, top=34, right=WIDTH - 26, bottom=230 - 24)
    slot = plot.width / len(weeks)
    bar_width = min(slot * 0.7, 40)

    step = _nice_step(max(distances) / 4) if max(distances) > 0 else _nice_step(2.5)
    axis_max = step * max(1, math.ceil(max(distances) / step - 1e-9))

    def y_distance(value: float) -> float:
        return plot.bottom - value / axis_max * plot.height

    def y_pain(value: float) -> float:
        return plot.bottom - value / PAIN_MAX * plot.height

    def x_center(index: int) -> float:
        return plot.left + slot * (index + 0.5)

    body: list[str] = []

    # Legend across the top: the unit is user data, so it goes through _text's escaping.
    legend_y = 12
    body.append(f"<rect{_attrs(x=0.0, y=3.0, width=10.0, height=10.0, class_='chart-bar')}/>")
    label, x = _swatch_label(14, legend_y, f"Distance ({unit})")
    body.append(label)
    body.append(f"<polyline{_attrs(points=_points([(x, 8), (x + 18, 8)]), class_='chart-line chart-pain')}/>")
    body.append(f"<circle{_attrs(cx=float(x + 9), cy=8.0, r=2.5, class_='chart-marker')}/>")
    label, x = _swatch_label(x + 22, legend_y, "Pain (0–10)")
    body.append(label)
    body.append(f"<path{_attrs(d=_triangle(x + 5, 8), class_='chart-flare')}/>")
    label, _ = _swatch_label(x + 14, legend_y, "Flare-up")
    body.append(label)

    # Grid and left ticks (distance), right ticks (pain 0, 5, 10).
    for tick in _ticks(axis_max, step):
        y = y_distance(tick)
        body.append(_line(plot.left, y, plot.right, y, class_="chart-grid"))
        body.append(_text(plot.left - 4, y + 4, _n(tick), class_="chart-tick", text_anchor="end"))
    for pain_tick in (0, 5, 10):
        body.append(
            _text(plot.right + 4, y_pain(pain_tick) + 4, str(pain_tick), class_="chart-tick chart-pain-tick")
        )

    # Bars: none for a zero week (a zero-height rectangle would only be noise).
    for index, (week, distance) in enumerate(zip(weeks, distances, strict=True)):
        if distance <= 0:
            continue
        top = y_distance(distance)
        body.append(
            f"<rect{_attrs(x=x_center(index) - bar_width / 2, y=top, width=bar_width, height=plot.bottom - top, class_='chart-bar')}>"
            f"{_title(_week_summary(week, distance, pains[index], unit))}</rect>"
        )

    for index, week in enumerate(weeks):
        if week.flares > 0:
            top = y_distance(distances[index]) - 6
            flare_text = f"Week of {_short_date(week.week_start)}: {week.flares} flare-up" + (
                "s" if week.flares != 1 else ""
            )
            body.append(
                f"<path{_attrs(d=_triangle(x_center(index), top), class_='chart-flare')}>{_title(flare_text)}</path>"
            )

    # Pain: one polyline per run of scored weeks; a lone week shows as its marker only.
    for segment in _segments(pains):
        points = [(x_center(i), y_pain(pains[i] or 0.0)) for i in segment]
        if len(points) > 1:
            body.append(f"<polyline{_attrs(points=_points(points), class_='chart-line chart-pain')}/>")
    for index, pain in enumerate(pains):
        if pain is not None:
            body.append(
                f"<circle{_attrs(cx=x_center(index), cy=y_pain(pain), r=2.5, class_='chart-marker')}>"
                f"{_title(f'Week of {_short_date(weeks[index].week_start)}: pain {_n(pain)}/10')}</circle>"
            )

    body.append(_line(plot.left, plot.bottom, plot.right, plot.bottom, class_="chart-axis"))
    for index in _label_indices(len(weeks)):
        body.append(
            _text(
                x_center(index),
                plot.bottom + 15,
                _short_date(weeks[index].week_start),
                class_="chart-tick chart-xlabel",
                text_anchor="middle",
            )
        )

    # Treatments: a diamond under each week one began in (not a load or a pain figure,
    # so on a row of their own), its title naming them.
    for index, labels in marked.items():
        x, y = x_center(index), plot.bottom + 28
        body.append(
            f"<path{_attrs(d=f'M{_n(x)},{_n(y - 5)}L{_n(x + 5)},{_n(y)}L{_n(x)},{_n(y + 5)}L{_n(x - 5)},{_n(y)}Z', class_='chart-marker chart-treatment')}>"
            f"{_title('Treatment ' + '; '.join(labels))}</path>"
        )
    desc = _weekly_desc(weeks, distances, pains, unit)
    if marked:
        count = sum(len(labels) for labels in marked.values())
        desc += f" Diamonds under the weeks: {count} treatment{'s' if count != 1 else ''}."

    return _svg(kind="chart-weekly", height=height, title=title, desc=desc, body=body)


def _triangle(x: float, y: float) -> str:
    """A downward triangle centred on (x, y): the flare-up marker."""
    return f"M{_n(x - 4)},{_n(y - 3.5)}H{_n(x + 4)}L{_n(x)},{_n(y + 3.5)}Z"


def _week_summary(week: WeekPoint, distance: float, pain: float | None, unit: str) -> str:
    pain_text = "no pain score" if pain is None else f"pain {_n(pain)}/10"
    return f"Week of {_short_date(week.week_start)}: {_figure(distance)} {unit}, {pain_text}"


def _weekly_desc(
    weeks: Sequence[WeekPoint], distances: Sequence[float], pains: Sequence[float | None], unit: str
) -> str:
    count = len(weeks)
    period = f"{count} week{'s' if count != 1 else ''} from {long_date(weeks[0].week_start)}"
    if count > 1:
        period += f" to {long_date(weeks[-1].week_start)}"
    total = sum(distances)
    if total > 0:
        busiest = max(range(count), key=lambda i: distances[i])
        load = (
            f"{_figure(total)} {unit} in all, most {_figure(distances[busiest])} {unit} "
            f"in the week of {_short_date(weeks[busiest].week_start)}"
        )
    else:
        load = "no distance logged"
    scored = [pain for pain in pains if pain is not None]
    pain_text = f"mean weekly pain {_n(sum(scored) / len(scored))}/10" if scored else "no pain scores"
    flare_weeks = sum(1 for week in weeks if week.flares > 0)
    flare_text = (
        f"flare-ups in {flare_weeks} week{'s' if flare_weeks != 1 else ''}" if flare_weeks else "no flare-ups"
    )
    return f"{period}: {load}; {pain_text}; {flare_text}."


# ------------------------------------------------------------------ weekly session load


def weekly_session_load_svg(weeks: Sequence[tuple[dt.date, float | None]]) -> str:
    """Weekly session load (RPE × minutes, AU) as bars, one per Monday-started week; a
    week with no session that has both RPE and duration has no bar (and says so in its
    title). No threshold is drawn: none is validated (docs/analytics.md#session-load)."""
    title = "Weekly session load"
    loads = [(monday, _finite(load)) for monday, load in sorted(weeks, key=lambda week: week[0])]
    present = [load for _, load in loads if load is not None]
    if not present or max(present) <= 0:
        return _message_svg(
            kind="chart-load", title=title, message="No sessions with effort (RPE) and duration yet"
        )
    height = 170
    plot = _Plot(left=40, top=10, right=WIDTH - 10, bottom=height - 24)
    slot = plot.width / len(loads)
    bar_width = min(slot * 0.7, 40)
    step = _nice_step(max(present) / 4)
    axis_max = step * max(1, math.ceil(max(present) / step - 1e-9))
    body: list[str] = []
    for tick in _ticks(axis_max, step):
        y = plot.bottom - tick / axis_max * plot.height
        body.append(_line(plot.left, y, plot.right, y, class_="chart-grid"))
        body.append(_text(plot.left - 4, y + 4, _figure(tick), class_="chart-tick", text_anchor="end"))
    for index, (monday, load) in enumerate(loads):
        if not load:
            continue
        top = plot.bottom - load / axis_max * plot.height
        x = plot.left + slot * (index + 0.5) - bar_width / 2
        body.append(
            f"<rect{_attrs(x=x, y=top, width=bar_width, height=plot.bottom - top, class_='chart-bar chart-load-bar')}>"
            f"{_title(f'Week of {_short_date(monday)}: {round(load):,} AU')}</rect>"
        )
    body.append(_line(plot.left, plot.bottom, plot.right, plot.bottom, class_="chart-axis"))
    for index in _label_indices(len(loads)):
        body.append(
            _text(
                plot.left + slot * (index + 0.5),
                plot.bottom + 15,
                _short_date(loads[index][0]),
                class_="chart-tick chart-xlabel",
                text_anchor="middle",
            )
        )
    peak_monday, peak = max(((m, load) for m, load in loads if load is not None), key=lambda week: week[1])
    desc = (
        f"Session load per week from {long_date(loads[0][0])} to {long_date(loads[-1][0])}: highest "
        f"{round(peak):,} AU in the week of {_short_date(peak_monday)}; "
        f"{len(present)} of {len(loads)} weeks with a load."
    )
    return _svg(kind="chart-load", height=height, title=title, desc=desc, body=body)


# ---------------------------------------------------------------------------- ACWR


def acwr_svg(points: Sequence[tuple[dt.date, float | None]], *, high: float = 1.5) -> str:
    """The EWMA acute:chronic workload ratio over time, with a dashed rule at ``high``
    (where the app flags it, for information). No "sweet spot" band: none is validated
    (docs/analytics.md#acwr).

    The y axis always reaches at least 2.0 so that the threshold sits in the same place
    from one period to the next; a None (ratio not yet defined) is a gap.
    """
    title = "Acute:chronic workload ratio (ACWR)"
    cleaned = sorted(((day, _finite(value)) for day, value in points), key=lambda point: point[0])
    present = [value for _, value in cleaned if value is not None]
    if not present:
        return _message_svg(kind="chart-acwr", title=title, message=ACWR_NOT_ENOUGH_DATA)
    values = [None if value is None else max(0.0, value) for _, value in cleaned]
    days = [day for day, _ in cleaned]

    top_value = max(2.0, math.ceil(max(present) * 2) / 2)
    step = 0.5 if top_value <= 3 else 1.0 if top_value <= 6 else 2.0
    axis_max = step * math.ceil(top_value / step - 1e-9)

    height = 200
    plot = _Plot(left=30, top=10, right=WIDTH - 30, bottom=height - 24)
    span = (days[-1] - days[0]).days

    def x_of(day: dt.date) -> float:
        if span == 0:
            return plot.left + plot.width / 2
        return plot.left + (day - days[0]).days / span * plot.width

    def y_of(value: float) -> float:
        return plot.bottom - min(value, axis_max) / axis_max * plot.height

    body: list[str] = []

    for tick in _ticks(axis_max, step):
        y = y_of(tick)
        body.append(_line(plot.left, y, plot.right, y, class_="chart-grid"))
        body.append(_text(plot.left - 4, y + 4, f"{tick:.1f}", class_="chart-tick", text_anchor="end"))

    high_y = y_of(high)
    body.append(_line(plot.left, high_y, plot.right, high_y, class_="chart-threshold"))
    body.append(_text(plot.right + 4, high_y + 4, _n(high), class_="chart-label chart-threshold-label"))

    for segment in _segments(values):
        coordinates = [(x_of(days[i]), y_of(values[i] or 0.0)) for i in segment]
        if len(coordinates) > 1:
            body.append(
                f"<polyline{_attrs(points=_points(coordinates), class_='chart-line chart-acwr-line')}/>"
            )
        else:
            (x, y), index = coordinates[0], segment[0]
            body.append(
                f"<circle{_attrs(cx=x, cy=y, r=2.5, class_='chart-marker')}>"
                f"{_title(f'{_short_date(days[index])}: ACWR {values[index]:.2f}')}</circle>"
            )

    body.append(_line(plot.left, plot.bottom, plot.right, plot.bottom, class_="chart-axis"))
    label_count = min(5, span + 1)
    label_days = sorted(
        {days[0] + dt.timedelta(days=round(span * k / max(1, label_count - 1))) for k in range(label_count)}
    )
    for index, day in enumerate(label_days):
        # The end labels lean inwards so that they stay inside the drawing.
        anchor = "middle"
        if len(label_days) > 1 and index == 0:
            anchor = "start"
        elif len(label_days) > 1 and index == len(label_days) - 1:
            anchor = "end"
        body.append(
            _text(
                x_of(day),
                plot.bottom + 15,
                _short_date(day),
                class_="chart-tick chart-xlabel",
                text_anchor=anchor,
            )
        )

    return _svg(
        kind="chart-acwr",
        height=height,
        title=title,
        desc=_acwr_desc(days, values, high),
        body=body,
    )


def _acwr_desc(days: Sequence[dt.date], values: Sequence[float | None], high: float) -> str:
    dated = [(day, value) for day, value in zip(days, values, strict=True) if value is not None]
    last_day, last_value = dated[-1]
    peak_day, peak_value = max(dated, key=lambda point: point[1])
    at_or_above = sum(1 for _, value in dated if value >= high)
    return (
        f"ACWR from {long_date(days[0])} to {long_date(days[-1])}: latest {last_value:.2f} on "
        f"{_short_date(last_day)}, highest {peak_value:.2f} on {_short_date(peak_day)}; "
        f"{at_or_above} day{'s' if at_or_above != 1 else ''} at or above {_n(high)}."
    )


# ---------------------------------------------------------------------- pain calendar


def pain_calendar_svg(
    days: Mapping[dt.date, int | None],
    *,
    start: dt.date,
    end: dt.date,
    episodes: Sequence[tuple[dt.date, dt.date, int | None]] = (),
    radiating: Collection[dt.date] = (),
) -> str:
    """A GitHub-style calendar of the daily maximum pain from ``start`` to ``end`` inclusive:
    one column per Monday-started week, rows Monday to Sunday, one square per day.

    Each square has ``class="pain-N"`` (or ``pain-none``) and a ``<title>`` with the date
    and score, so the colour is never the only carrier of the number. Each flare-up
    episode (first day, last day, peak) is a band: every day of it outlined, so that a bad
    spell reads as one stretch (docs/analytics.md#flare-up-episodes). A day in ``radiating`` (pain
    down the leg reported) carries a dot in its corner, and says so in its title.
    """
    title = "Pain calendar"
    if end < start:
        return _message_svg(kind="chart-calendar", title=title, message="No days in this range")

    grid_start = start - dt.timedelta(days=start.weekday())
    columns = (end - grid_start).days // 7 + 1

    label_width = 28
    available = WIDTH - label_width - 4
    pitch = min(18.0, available / columns)  # 4 weeks: 18-unit squares, not 80
    cell = pitch * 0.86
    grid_top = 18
    grid_bottom = grid_top + 7 * pitch

    def x_of(column: int) -> float:
        return label_width + column * pitch

    def y_of(row: int) -> float:
        return grid_top + row * pitch

    body: list[str] = []
    # Every other weekday while the rows are tall enough for the labels not to touch.
    for row in (0, 2, 4, 6) if pitch >= 8 else (0, 3, 6):
        body.append(
            _text(
                label_width - 4,
                y_of(row) + cell / 2 + 3.5,
                WEEKDAYS[row],
                class_="chart-tick",
                text_anchor="end",
                font_size=SMALL_FONT_SIZE,
            )
        )

    # Month labels over the column of each month's first day in range; one squeezed
    # against the next (a range starting on the 30th) gives way to it.
    min_gap = math.ceil(3 * CHAR_WIDTH / pitch)
    month_labels: list[tuple[int, str]] = []
    day = start
    while day <= end:
        if day == start or day.day == 1:
            column = (day - grid_start).days // 7
            if month_labels and column - month_labels[-1][0] < min_gap:
                month_labels.pop()
            month_labels.append((column, MONTHS[day.month - 1]))
        day = _next_month_start(day)
    for column, text in month_labels:
        body.append(_text(x_of(column), grid_top - 5, text, class_="chart-tick", font_size=SMALL_FONT_SIZE))

    scores: dict[dt.date, int] = {}
    # A square a day: what _attrs would write for its figures, worked out once per row,
    # column and size rather than once per day (all plain figures: nothing to escape).
    cell_text, corner_text = _n(cell), _n(min(2.0, cell / 5))
    row_y = [_n(y_of(row)) for row in range(7)]
    column_x: dict[int, str] = {}
    day = start
    while day <= end:
        score = _pain_score(days.get(day))
        css_class = "pain-none" if score is None else f"pain-{score}"
        if score is not None:
            scores[day] = score
        label = f"{WEEKDAYS[day.weekday()]} {_short_date(day)}: " + (
            "no entry" if score is None else f"pain {score}/10"
        )
        if day in radiating:
            label += ", radiating down the leg"
        column = (day - grid_start).days // 7
        x_text = column_x.get(column) or column_x.setdefault(column, _n(x_of(column)))
        body.append(
            f'<rect x="{x_text}" y="{row_y[day.weekday()]}" width="{cell_text}" height="{cell_text}" '
            f'rx="{corner_text}" class="cal-day {css_class}" data-date="{day.isoformat()}">'
            f"{_title(label)}</rect>"
        )
        if day in radiating:
            body.append(
                f"<circle{_attrs(cx=x_of(column) + cell * 0.75, cy=y_of(day.weekday()) + cell * 0.25, r=max(1.2, cell * 0.14), class_='cal-radiating', data_date=day.isoformat())}>"
                f"{_title(label)}</circle>"
            )
        day += dt.timedelta(days=1)

    outline_text = _n(cell + 1.6)
    for first, last, peak in episodes:
        label = f"Flare-up episode {_short_date(first)} – {_short_date(last)}" + (
            f", peak {peak}/10" if peak is not None else ""
        )
        episode_title = _title(label)
        day = max(first, start)
        while day <= min(last, end):
            column = (day - grid_start).days // 7
            body.append(
                f'<rect x="{_n(x_of(column) - 0.8)}" y="{_n(y_of(day.weekday()) - 0.8)}" width="{outline_text}" '
                f'height="{outline_text}" rx="{corner_text}" class="cal-episode" data-episode="{first.isoformat()}">'
                f"{episode_title}</rect>"
            )
            day += dt.timedelta(days=1)

    # Legend: 0 … 10 and "no entry", at a fixed readable size below the grid.
    key = 10.0
    legend_y = grid_bottom + 10
    text_y = legend_y + key - 1.5
    body.append(
        _text(label_width, text_y, "0", class_="chart-tick", text_anchor="end", font_size=SMALL_FONT_SIZE)
    )
    x: float = label_width + 4
    for score in range(PAIN_MAX + 1):
        body.append(
            f"<rect{_attrs(x=x, y=legend_y, width=key, height=key, rx=2.0, class_=f'cal-key pain-{score}')}>"
            f"{_title(f'pain {score}/10')}</rect>"
        )
        x += key + 2
    body.append(_text(x + 2, text_y, "10", class_="chart-tick", font_size=SMALL_FONT_SIZE))
    x += 26
    body.append(
        f"<rect{_attrs(x=x, y=legend_y, width=key, height=key, rx=2.0, class_='cal-key pain-none')}/>"
    )
    body.append(_text(x + key + 4, text_y, "no entry", class_="chart-tick", font_size=SMALL_FONT_SIZE))

    shown = [(first, last) for first, last, _ in episodes if first <= end and last >= start]
    marked = [day for day in radiating if start <= day <= end]
    if marked:
        legend_y += key + 6
        body.append(
            f"<circle{_attrs(cx=float(label_width + 4 + key / 2), cy=legend_y + key / 2, r=2.5, class_='cal-radiating')}/>"
        )
        body.append(
            _text(
                label_width + key + 8,
                legend_y + key - 1.5,
                "pain radiating down the leg",
                class_="chart-tick",
                font_size=SMALL_FONT_SIZE,
            )
        )
    if shown:
        legend_y += key + 6
        body.append(
            f"<rect{_attrs(x=float(label_width + 4), y=legend_y, width=key, height=key, rx=2.0, class_='cal-episode')}/>"
        )
        body.append(
            _text(
                label_width + key + 8,
                legend_y + key - 1.5,
                "flare-up episode",
                class_="chart-tick",
                font_size=SMALL_FONT_SIZE,
            )
        )
    desc = _calendar_desc(start, end, scores)
    if shown:
        desc += f" {len(shown)} flare-up episode{'s' if len(shown) != 1 else ''} outlined."
    if marked:
        desc += (
            f" {len(marked)} day{'s' if len(marked) != 1 else ''} with pain radiating down the leg marked."
        )
    return _svg(kind="chart-calendar", height=legend_y + key + 4, title=title, desc=desc, body=body)


def _pain_score(value: int | None) -> int | None:
    """A 0–10 integer, or None; out-of-range values are clamped rather than dropped."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return min(PAIN_MAX, max(0, round(number)))


def _next_month_start(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _calendar_desc(start: dt.date, end: dt.date, scores: Mapping[dt.date, int]) -> str:
    total = (end - start).days + 1
    period = f"Pain from {long_date(start)} to {long_date(end)}"
    if not scores:
        return f"{period}: no pain entries in {total} day{'s' if total != 1 else ''}."
    peak_day = max(scores, key=lambda day: (scores[day], day))
    return (
        f"{period}: {len(scores)} of {total} days with an entry, highest {scores[peak_day]}/10 "
        f"(last on {_short_date(peak_day)})."
    )


# ------------------------------------------------------------------- the trends' charts


def trend_charts(
    trends: Trends, unit: str, *, treatments: Sequence[tuple[dt.date, str]] = (), acwr: bool = True
) -> dict[str, str]:
    """The dashboard's charts as SVG (server-rendered, so the PDF report can use them too);
    ``treatments`` (local date, label) are marked on the weekly chart. Without ``acwr``, no
    ACWR chart (docs/analytics.md#acwr: not on the home page)."""
    weeks = [
        WeekPoint(
            week_start=week.week_start,
            distance=float(from_metres(week.distance_m, unit)),
            pain=week.pain_max,
            flares=week.flare_count,
        )
        for week in trends.weeks
    ]
    return {
        "weekly": mark_safe(  # noqa: S308 (escaped here)
            weekly_distance_pain_svg(weeks, unit=unit, treatments=treatments)
        ),
        "session_load": mark_safe(  # noqa: S308
            weekly_session_load_svg([(week.week_start, week.session_load) for week in trends.weeks])
        ),
        **({"acwr": mark_safe(acwr_svg(trends.acwr))} if acwr else {}),  # noqa: S308
        "calendar": mark_safe(  # noqa: S308
            pain_calendar_svg(
                trends.pain_by_day,
                start=trends.start,
                end=trends.end,
                episodes=[(episode.start, episode.end, episode.peak) for episode in trends.episodes],
                radiating=trends.radiating_days,
            )
        ),
    }
