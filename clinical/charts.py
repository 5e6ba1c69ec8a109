"""A questionnaire's scores over time as a small server-rendered SVG, drawn the way the
dashboard's other charts are (runs/charts.py: classes for colours, a title and a
description, the same fallback styles)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from clinical import instruments
from runs.charts import (
    WIDTH,
    _line,
    _message_svg,
    _n,
    _Plot,
    _points,
    _short_date,
    _svg,
    _text,
    _title,
    long_date,
)


def score_trend_svg(key: str, points: Sequence[tuple[dt.date, float]]) -> str:
    """Scores (oldest first) on the questionnaire's whole range, with the first score as
    a rule and the line a meaningful change from it would cross, in the direction of
    improvement (dashed)."""
    instrument = instruments.INSTRUMENTS[key]
    title = f"{instrument.short} over time"
    if not points:
        return _message_svg(kind="chart-score", title=title, message="No answers yet")
    points = sorted(points, key=lambda point: point[0])
    height = 150
    plot = _Plot(left=30, top=12, right=WIDTH - 70, bottom=height - 22)
    low, high = instrument.minimum, instrument.maximum
    first_day, last_day = points[0][0], points[-1][0]
    span = (last_day - first_day).days

    def x_of(day: dt.date) -> float:
        if span == 0:
            return plot.left + plot.width / 2
        return plot.left + (day - first_day).days / span * plot.width

    def y_of(value: float) -> float:
        value = min(high, max(low, value))
        return plot.bottom - (value - low) / (high - low) * plot.height

    body: list[str] = []
    for tick in (low, (low + high) / 2, high):
        y = y_of(tick)
        body.append(_line(plot.left, y, plot.right, y, class_="chart-grid"))
        body.append(_text(plot.left - 4, y + 4, _n(tick), class_="chart-tick", text_anchor="end"))

    first = points[0][1]
    threshold = instruments.meaningful_threshold(key, first)
    target = first + threshold if instrument.higher_is_better else first - threshold
    body.append(_line(plot.left, y_of(first), plot.right, y_of(first), class_="chart-axis chart-first"))
    body.append(
        _text(
            plot.right + 4,
            y_of(first) + 4,
            f"First {instruments.format_score(key, first)}",
            class_="chart-label",
        )
    )
    if low <= target <= high:
        body.append(_line(plot.left, y_of(target), plot.right, y_of(target), class_="chart-threshold"))
        body.append(
            _text(plot.right + 4, y_of(target) + 4, "Meaningful", class_="chart-label chart-threshold-label")
        )

    if len(points) > 1:
        line = [(x_of(day), y_of(value)) for day, value in points]
        body.append(f'<polyline points="{_points(line)}" class="chart-line chart-score-line"/>')
    for day, value in points:
        body.append(
            f'<circle cx="{_n(x_of(day))}" cy="{_n(y_of(value))}" r="3" class="chart-marker chart-score-marker">'
            f"{_title(f'{long_date(day)}: {instruments.format_score(key, value)}')}</circle>"
        )
    body.append(_text(plot.left, plot.bottom + 15, _short_date(first_day), class_="chart-tick"))
    if span:
        body.append(
            _text(plot.right, plot.bottom + 15, _short_date(last_day), class_="chart-tick", text_anchor="end")
        )

    better = "higher is better" if instrument.higher_is_better else "lower is better"
    desc = (
        f"{len(points)} score{'s' if len(points) != 1 else ''} from {long_date(first_day)}"
        + (f" to {long_date(last_day)}" if span else "")
        + f", on {low}–{high} ({better}): first {instruments.format_score(key, first)}, "
        f"latest {instruments.format_score(key, points[-1][1])}; a change patients notice would reach "
        f"{instruments.format_score(key, target)}."
    )
    return _svg(kind="chart-score", height=height, title=title, desc=desc, body=body)
