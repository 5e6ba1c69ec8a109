"""Server-rendered SVG charts (runs/charts.py): well-formed, accessible, class-coloured,
geometrically right, and safe with odd input. Pure functions: no database."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from runs.charts import (
    ACWR_NOT_ENOUGH_DATA,
    WeekPoint,
    acwr_svg,
    pain_calendar_svg,
    weekly_distance_pain_svg,
    weekly_session_load_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = dt.date(2025, 3, 3)


def parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg"
    return root


def with_class(root: ET.Element, name: str, tag: str | None = None) -> list[ET.Element]:
    return [
        element
        for element in root.iter(f"{SVG}{tag}" if tag else None)
        if name in element.get("class", "").split()
    ]


def texts(root: ET.Element, class_name: str) -> list[str]:
    return [element.text or "" for element in with_class(root, class_name, "text")]


def weeks_of(
    distances: list[float], pains: list[float | None] | None = None, flares: list[int] | None = None
) -> list[WeekPoint]:
    pains = pains if pains is not None else [None] * len(distances)
    flares = flares if flares is not None else [0] * len(distances)
    return [
        WeekPoint(week_start=MONDAY + dt.timedelta(weeks=i), distance=d, pain=p, flares=f)
        for i, (d, p, f) in enumerate(zip(distances, pains, flares, strict=True))
    ]


def data_bars(root: ET.Element) -> list[ET.Element]:
    """The week bars: the legend swatch is a bar too, but without a title."""
    return [bar for bar in with_class(root, "chart-bar", "rect") if bar.find(f"{SVG}title") is not None]


def x_axis_y(root: ET.Element) -> float:
    (axis,) = with_class(root, "chart-axis", "line")
    assert axis.get("y1") == axis.get("y2")
    return float(axis.get("y1", "nan"))


def all_charts() -> list[str]:
    days = {MONDAY + dt.timedelta(days=i): i % 11 for i in range(60)}
    return [
        weekly_distance_pain_svg(weeks_of([10, 0, 22.5], [3, None, 5], [0, 1, 0]), unit="km"),
        weekly_distance_pain_svg([], unit="km"),
        acwr_svg([(MONDAY + dt.timedelta(days=i), 0.9 + i / 100) for i in range(40)]),
        acwr_svg([]),
        pain_calendar_svg(days, start=MONDAY, end=MONDAY + dt.timedelta(days=59)),
        pain_calendar_svg({}, start=MONDAY, end=MONDAY - dt.timedelta(days=1)),
    ]


# -- every chart -----------------------------------------------------------------------


@pytest.mark.parametrize("markup", all_charts())
def test_every_chart_is_a_standalone_accessible_svg(markup: str) -> None:
    root = parse(markup)
    assert markup.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert root.get("width") == "100%"
    assert root.get("height") is None  # scales with its container: the viewBox sets the shape
    assert re.fullmatch(r"0 0 360 \d+(\.\d)?", root.get("viewBox", ""))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == title_id
    assert title.text
    assert desc is not None
    assert desc.get("id") == desc_id
    assert desc.text
    assert desc.text.endswith(".")
    assert desc.text.count(". ") == 0
    assert "chart" in root.get("class", "").split()


@pytest.mark.parametrize("markup", all_charts())
def test_colours_come_from_classes_with_an_inline_fallback(markup: str) -> None:
    root = parse(markup)
    style = root.find(f"{SVG}style")
    assert style is not None
    assert style.text
    assert "currentColor" in style.text
    assert "@media (prefers-color-scheme: dark)" in style.text
    for element in root.iter():
        assert element.get("fill") is None
        assert element.get("stroke") is None
        assert element.get("style") is None


@pytest.mark.parametrize("markup", all_charts())
def test_coordinates_have_at_most_one_decimal(markup: str) -> None:
    root = parse(markup)
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in {
                "viewBox",
                "x",
                "y",
                "x1",
                "x2",
                "y1",
                "y2",
                "cx",
                "cy",
                "r",
                "width",
                "height",
                "points",
                "d",
            }:
                assert not re.search(r"\d\.\d{2,}", value), (name, value)


def test_ids_differ_between_charts_on_one_page() -> None:
    ids = [parse(markup).get("aria-labelledby") for markup in all_charts()]
    assert len(set(ids)) == len(ids)


# -- weekly distance and pain ----------------------------------------------------------


def test_bar_heights_are_proportional_to_distance_and_stand_on_the_axis() -> None:
    distances = [10.0, 20.0, 5.0, 40.0]
    root = parse(weekly_distance_pain_svg(weeks_of(distances), unit="km"))
    bars = data_bars(root)
    assert len(bars) == 4
    heights = [float(bar.get("height", "nan")) for bar in bars]
    per_unit = heights[3] / 40
    for height, distance in zip(heights, distances, strict=True):
        assert height == pytest.approx(distance * per_unit, abs=0.15)
    baseline = x_axis_y(root)
    for bar in bars:
        assert float(bar.get("y", "nan")) + float(bar.get("height", "nan")) == pytest.approx(
            baseline, abs=0.15
        )
    xs = [float(bar.get("x", "nan")) for bar in bars]
    assert xs == sorted(xs)


def test_weeks_are_drawn_in_date_order_whatever_the_input_order() -> None:
    weeks = weeks_of([10.0, 20.0])
    root = parse(weekly_distance_pain_svg(list(reversed(weeks)), unit="km"))
    bars = data_bars(root)
    assert [bar.find(f"{SVG}title").text.split(":")[0] for bar in bars] == ["Week of 3 Mar", "Week of 10 Mar"]


def test_a_zero_week_has_no_bar_and_all_zero_weeks_do_not_divide_by_zero() -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([12.0, 0.0, 8.0]), unit="km"))
    titles = [bar.find(f"{SVG}title").text for bar in data_bars(root)]
    assert len(titles) == 2
    assert not any("10 Mar" in title for title in titles)

    root = parse(weekly_distance_pain_svg(weeks_of([0.0, 0.0], [2, 4]), unit="mi"))
    assert data_bars(root) == []
    assert "no distance logged" in (root.find(f"{SVG}desc").text or "")
    assert len(with_class(root, "chart-marker", "circle")) == 1 + 2  # legend + two weeks


def test_pain_is_on_a_fixed_0_to_10_scale() -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([5.0, 5.0, 5.0], [0, 5, 10]), unit="km"))
    markers = [m for m in with_class(root, "chart-marker", "circle") if m.find(f"{SVG}title") is not None]
    ys = [float(m.get("cy", "nan")) for m in markers]
    baseline = x_axis_y(root)
    assert ys[0] == pytest.approx(baseline)
    assert baseline - ys[1] == pytest.approx((baseline - ys[2]) / 2, abs=0.1)
    assert texts(root, "chart-pain-tick") == ["0", "5", "10"]


def test_a_week_without_pain_breaks_the_line() -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([5, 6, 7, 8, 9], [3, 4, None, 5, 6]), unit="km"))
    # The first is the legend swatch; the data are two separate runs of two points each.
    data_lines = with_class(root, "chart-pain", "polyline")[1:]
    assert len(data_lines) == 2
    assert [len(line.get("points", "").split()) for line in data_lines] == [2, 2]
    first_end_x = float(data_lines[0].get("points", "").split()[-1].split(",")[0])
    second_start_x = float(data_lines[1].get("points", "").split()[0].split(",")[0])
    assert second_start_x > first_end_x


def test_all_pain_missing_draws_no_pain_line() -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([5, 6, 7]), unit="km"))
    assert len(with_class(root, "chart-pain", "polyline")) == 1  # the legend swatch
    assert "no pain scores" in (root.find(f"{SVG}desc").text or "")


def test_flare_weeks_get_a_marker_above_their_bar() -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([5, 10, 0], [1, 2, 3], [0, 2, 1]), unit="km"))
    flares = [f for f in with_class(root, "chart-flare", "path") if f.find(f"{SVG}title") is not None]
    assert [f.find(f"{SVG}title").text for f in flares] == [
        "Week of 10 Mar: 2 flare-ups",
        "Week of 17 Mar: 1 flare-up",
    ]


def test_the_unit_is_escaped() -> None:
    markup = weekly_distance_pain_svg(weeks_of([5.0]), unit="<script>alert(1)</script>")
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)
    assert "Distance (<script>alert(1)</script>)" in texts(root, "chart-label")


@pytest.mark.parametrize("count", [1, 4, 12, 26, 52, 53])
def test_x_labels_stay_few_enough_not_to_overlap(count: int) -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([float(i % 5) for i in range(count)]), unit="km"))
    labels = texts(root, "chart-xlabel")
    assert 1 <= len(labels) <= 8
    assert labels[0] == "3 Mar"
    xs = [float(label.get("x", "nan")) for label in with_class(root, "chart-xlabel", "text")]
    assert all(b - a >= 40 for a, b in itertools.pairwise(xs))


def test_one_week_gets_a_bar_of_sensible_width() -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([7.5], [4], [1]), unit="km"))
    bars = data_bars(root)
    assert len(bars) == 1
    assert 0 < float(bars[0].get("width", "nan")) <= 40


def test_no_weeks_gives_a_message() -> None:
    root = parse(weekly_distance_pain_svg([], unit="km"))
    assert texts(root, "chart-message") == ["No weeks to show yet"]


def test_distance_ticks_are_round_numbers_reaching_the_top_week() -> None:
    root = parse(weekly_distance_pain_svg(weeks_of([13.7, 42.2]), unit="km"))
    ticks = [label for label in texts(root, "chart-tick") if label.replace(".", "").isdigit()]
    distance_ticks = [float(t) for t in ticks[: len(ticks) - 3]]  # the last three are the pain axis
    assert distance_ticks[0] == 0
    assert distance_ticks[-1] >= 42.2
    steps = {round(b - a, 6) for a, b in itertools.pairwise(distance_ticks)}
    assert len(steps) == 1


# -- ACWR ------------------------------------------------------------------------------


def acwr_points(values: list[float | None]) -> list[tuple[dt.date, float | None]]:
    return [(MONDAY + dt.timedelta(days=i), value) for i, value in enumerate(values)]


def test_no_sweet_spot_band_and_the_threshold_at_its_value() -> None:
    root = parse(acwr_svg(acwr_points([None, 0.9, 1.1, 1.4, 1.6])))
    baseline = x_axis_y(root)
    # docs/analytics.md#acwr: no "sweet spot" band anywhere.
    assert with_class(root, "chart-band", "rect") == []
    assert "0.8–1.3" not in "".join(root.itertext())
    # The axis runs from 0 to 2.0 when every value is below it.
    grid = sorted(float(line.get("y1", "nan")) for line in with_class(root, "chart-grid", "line"))
    assert grid[-1] == pytest.approx(baseline)
    per_unit = (baseline - grid[0]) / 2.0
    (threshold,) = with_class(root, "chart-threshold", "line")
    assert float(threshold.get("y1", "nan")) == pytest.approx(baseline - 1.5 * per_unit, abs=0.15)
    assert texts(root, "chart-threshold-label") == ["1.5"]


def test_axis_grows_to_the_highest_value_rounded_up() -> None:
    root = parse(acwr_svg(acwr_points([1.0, 2.7, 1.2])))
    ticks = texts(root, "chart-tick")
    assert ticks[0] == "0.0"
    assert "3.0" in ticks
    assert "3.5" not in ticks


def test_acwr_gaps_are_not_joined() -> None:
    root = parse(acwr_svg(acwr_points([1.0, 1.1, None, 1.2, 1.3, None, 0.9])))
    lines = with_class(root, "chart-acwr-line", "polyline")
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]
    assert (
        len(with_class(root, "chart-marker", "circle")) == 1
    )  # the single point after the last gap still shows


@pytest.mark.parametrize("points", [[], acwr_points([None, None]), acwr_points([float("nan")])])
def test_acwr_without_values_says_why(points: list[tuple[dt.date, float | None]]) -> None:
    root = parse(acwr_svg(points))
    assert texts(root, "chart-message") == [ACWR_NOT_ENOUGH_DATA]
    assert root.find(f"{SVG}desc").text == f"{ACWR_NOT_ENOUGH_DATA}."


def test_acwr_single_day_and_a_year_render() -> None:
    parse(acwr_svg(acwr_points([1.2])))
    root = parse(acwr_svg(acwr_points([0.8 + (i % 30) / 40 for i in range(365)])))
    assert len(texts(root, "chart-xlabel")) <= 5


# -- pain calendar ---------------------------------------------------------------------


def squares(root: ET.Element) -> dict[dt.date, ET.Element]:
    return {dt.date.fromisoformat(sq.get("data-date", "")): sq for sq in with_class(root, "cal-day", "rect")}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2025, 3, 3), dt.date(2025, 3, 30)),  # 4 weeks, Monday to Sunday
        (dt.date(2025, 3, 5), dt.date(2025, 4, 1)),  # Wednesday to Tuesday
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # a year: 53 columns
        (dt.date(2024, 12, 29), dt.date(2025, 12, 31)),  # Sunday start, 54 weeks of grid
        (dt.date(2025, 3, 4), dt.date(2025, 3, 4)),  # one day
    ],
)
def test_one_square_per_day_in_a_monday_started_grid(start: dt.date, end: dt.date) -> None:
    root = parse(pain_calendar_svg({}, start=start, end=end))
    cells = squares(root)
    assert len(cells) == (end - start).days + 1
    assert min(cells) == start
    assert max(cells) == end
    rows = sorted({float(sq.get("y", "nan")) for sq in cells.values()})
    for day, square in cells.items():
        assert "pain-none" in square.get("class", "").split()
        if (end - start).days >= 6:
            assert rows.index(float(square.get("y", "nan"))) == day.weekday()  # Sunday: row 6
    # Squares fit the 360-unit drawing.
    assert max(float(sq.get("x", "0")) + float(sq.get("width", "0")) for sq in cells.values()) <= 360


def test_a_sunday_is_in_the_last_row_and_the_same_column_as_its_monday() -> None:
    root = parse(pain_calendar_svg({}, start=dt.date(2025, 3, 5), end=dt.date(2025, 3, 20)))
    cells = squares(root)
    monday, sunday, tuesday = (
        cells[dt.date(2025, 3, 10)],
        cells[dt.date(2025, 3, 16)],
        cells[dt.date(2025, 3, 11)],
    )
    pitch = float(tuesday.get("y", "nan")) - float(monday.get("y", "nan"))
    assert float(sunday.get("y", "nan")) - float(monday.get("y", "nan")) == pytest.approx(6 * pitch, abs=0.15)
    assert sunday.get("x") == monday.get("x")
    assert float(cells[dt.date(2025, 3, 9)].get("x", "nan")) < float(monday.get("x", "nan"))


def test_squares_carry_their_pain_class_and_a_title() -> None:
    days: dict[dt.date, int | None] = {
        dt.date(2025, 3, 4): 6,
        dt.date(2025, 3, 5): 0,
        dt.date(2025, 3, 6): None,
    }
    root = parse(pain_calendar_svg(days, start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 30)))
    cells = squares(root)
    assert cells[dt.date(2025, 3, 4)].get("class") == "cal-day pain-6"
    assert cells[dt.date(2025, 3, 4)].find(f"{SVG}title").text == "Tue 4 Mar: pain 6/10"
    assert cells[dt.date(2025, 3, 5)].get("class") == "cal-day pain-0"
    assert cells[dt.date(2025, 3, 6)].get("class") == "cal-day pain-none"
    assert cells[dt.date(2025, 3, 7)].find(f"{SVG}title").text == "Fri 7 Mar: no entry"
    assert "highest 6/10" in (root.find(f"{SVG}desc").text or "")


def test_scores_outside_the_range_are_ignored_or_clamped() -> None:
    days: dict[dt.date, int | None] = {
        dt.date(2025, 3, 2): 9,
        dt.date(2025, 3, 3): 14,
        dt.date(2025, 3, 4): -1,
    }
    root = parse(pain_calendar_svg(days, start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 30)))
    cells = squares(root)
    assert dt.date(2025, 3, 2) not in cells
    assert cells[dt.date(2025, 3, 3)].get("class") == "cal-day pain-10"
    assert cells[dt.date(2025, 3, 4)].get("class") == "cal-day pain-0"


def test_calendar_has_month_labels_and_a_0_to_10_legend() -> None:
    root = parse(pain_calendar_svg({}, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)))
    labels = texts(root, "chart-tick")
    months = [
        label
        for label in labels
        if label in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
    ]
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    keys = with_class(root, "cal-key", "rect")
    assert [k.get("class") for k in keys] == [f"cal-key pain-{n}" for n in range(11)] + ["cal-key pain-none"]
    assert {"0", "10", "no entry"} <= set(labels)


def test_a_month_squeezed_at_the_start_gives_way_to_the_next() -> None:
    root = parse(pain_calendar_svg({}, start=dt.date(2025, 3, 30), end=dt.date(2025, 6, 30)))
    months = [label for label in texts(root, "chart-tick") if label in {"Mar", "Apr", "May", "Jun"}]
    assert months == ["Apr", "May", "Jun"]


def test_an_empty_range_gives_a_message() -> None:
    root = parse(pain_calendar_svg({}, start=dt.date(2025, 3, 5), end=dt.date(2025, 3, 4)))
    assert texts(root, "chart-message") == ["No days in this range"]
    assert with_class(root, "cal-day") == []


def test_session_load_bars_and_their_titles() -> None:
    monday = dt.date(2026, 1, 5)
    weeks = [(monday + dt.timedelta(weeks=n), load) for n, load in enumerate([1200.0, None, 1800.0, 0.0])]
    root = parse(weekly_session_load_svg(weeks))
    bars = with_class(root, "chart-load-bar", "rect")
    assert len(bars) == 2  # none for the week without a load, none for zero
    assert float(bars[1].get("height", "nan")) == pytest.approx(
        1.5 * float(bars[0].get("height", "nan")), rel=0.01
    )
    assert [bar.findtext(f"{SVG}title") for bar in bars] == [
        "Week of 5 Jan: 1,200 AU",
        "Week of 19 Jan: 1,800 AU",
    ]
    assert "highest 1,800 AU in the week of 19 Jan" in "".join(root.itertext())
    assert with_class(root, "chart-threshold", "line") == []


def test_session_load_without_any_load_says_so() -> None:
    root = parse(weekly_session_load_svg([(dt.date(2026, 1, 5), None)]))
    assert "No sessions with effort (RPE) and duration yet" in "".join(root.itertext())


def test_episodes_are_outlined_day_by_day_on_the_calendar() -> None:
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 29)
    svg = pain_calendar_svg(
        {dt.date(2026, 3, 10): 7},
        start=start,
        end=end,
        episodes=[
            (dt.date(2026, 3, 9), dt.date(2026, 3, 12), 7),
            (dt.date(2026, 2, 20), dt.date(2026, 3, 3), 5),
        ],
    )
    root = parse(svg)
    outlined = [
        rect.get("data-episode")
        for rect in with_class(root, "cal-episode", "rect")
        if rect.get("data-episode")
    ]
    # 4 days of the first episode; of the second, only the 2 days inside the period.
    assert outlined.count("2026-03-09") == 4
    assert outlined.count("2026-02-20") == 2
    titles = [rect.findtext(f"{SVG}title") for rect in with_class(root, "cal-episode", "rect")]
    assert "Flare-up episode 9 Mar – 12 Mar, peak 7/10" in titles
    assert "2 flare-up episodes outlined" in "".join(root.itertext())


def test_radiating_days_carry_a_dot_and_say_so() -> None:
    day = dt.date(2026, 3, 10)
    root = parse(
        pain_calendar_svg({day: 5}, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 29), radiating={day})
    )
    dots = with_class(root, "cal-radiating", "circle")
    assert [dot.get("data-date") for dot in dots if dot.get("data-date")] == ["2026-03-10"]
    titles = [rect.findtext(f"{SVG}title") for rect in with_class(root, "cal-day", "rect")]
    assert "Tue 10 Mar: pain 5/10, radiating down the leg" in titles
    assert "1 day with pain radiating down the leg marked" in "".join(root.itertext())
