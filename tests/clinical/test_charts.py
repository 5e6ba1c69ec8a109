"""The score-over-time chart and the treatment markers on the weekly chart, as markup."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from clinical.charts import score_trend_svg
from runs.charts import WeekPoint, weekly_distance_pain_svg
from tests.helpers import text_of

SVG = "{http://www.w3.org/2000/svg}"


def test_score_chart_draws_first_meaningful_line_and_each_answer() -> None:
    svg = score_trend_svg("rmdq", [(dt.date(2026, 1, 5), 12.0), (dt.date(2026, 1, 19), 6.0)])
    tree = ET.fromstring(svg)
    assert tree.get("role") == "img"
    assert [t.text for t in tree.iter(f"{SVG}text")][-4:-2] == ["First 12", "Meaningful"]
    assert len(list(tree.iter(f"{SVG}circle"))) == 2
    assert "a change patients notice would reach 8.4" in text_of(tree.find(f"{SVG}desc"))  # 30 % of 12


def test_psfs_meaningful_line_is_above_the_first() -> None:
    tree = ET.fromstring(score_trend_svg("psfs", [(dt.date(2026, 1, 5), 3.0)]))
    assert "would reach 5.0" in text_of(tree.find(f"{SVG}desc"))


def test_no_answers_is_a_sentence() -> None:
    assert "No answers yet" in score_trend_svg("pain_7d", [])


def test_treatments_are_diamonds_under_their_weeks() -> None:
    weeks = [WeekPoint(dt.date(2026, 1, 5) + dt.timedelta(weeks=n), 10.0, 3, 0) for n in range(3)]
    plain = weekly_distance_pain_svg(weeks, unit="km")
    marked = weekly_distance_pain_svg(
        weeks,
        unit="km",
        treatments=[
            (dt.date(2026, 1, 14), "Physiotherapy session"),
            (dt.date(2025, 1, 1), "Before the period"),
        ],
    )
    assert "chart-treatment" not in plain
    tree = ET.fromstring(marked)
    [diamond] = [p for p in tree.iter(f"{SVG}path") if "chart-treatment" in (p.get("class") or "")]
    assert text_of(diamond.find(f"{SVG}title")) == "Treatment 14 Jan: Physiotherapy session"
    assert "1 treatment." in text_of(tree.find(f"{SVG}desc"))
