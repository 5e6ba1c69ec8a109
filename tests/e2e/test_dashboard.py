"""The dashboard in a real browser on a 360 px phone: charts that fit and follow the light
and dark themes, and a range picker that swaps only the trends (htmx)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from runs import services
from tests.e2e.conftest import NARROW_VIEWPORT, sign_in
from tests.e2e.test_core_flow import assert_fits, seed_a_busy_log

BAR_FILL = "() => getComputedStyle(document.querySelector('svg.chart .chart-bar')).fill"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_charts_fit_and_follow_the_theme(narrow_phone: Page, runner: User, scheme: str) -> None:
    page = narrow_phone
    page.emulate_media(color_scheme=scheme)
    seed_a_busy_log(runner)
    sign_in(page, runner)

    for name in ("Weekly distance and pain", "Weekly session load", "Pain calendar"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    # ACWR is for the report and the API, not the home page (docs/analytics.md#acwr).
    expect(page.get_by_role("heading", name=re.compile("ACWR"))).to_have_count(0)
    charts = page.locator("figure.chart svg[role=img]")
    expect(charts).to_have_count(3)
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= NARROW_VIEWPORT["width"]
    assert_fits(page, "/")
    # The bars take the theme's accent colour from the page's style sheet.
    accent = {"light": "rgb(15, 118, 110)", "dark": "rgb(45, 212, 191)"}[scheme]
    assert page.evaluate(BAR_FILL) == accent


def test_the_range_picker_swaps_only_the_trends(narrow_phone: Page, runner: User) -> None:
    page = narrow_phone
    seed_a_busy_log(runner)
    sign_in(page, runner)
    page.get_by_text("Pain check-ins").first.evaluate("element => element.setAttribute('data-kept', 'yes')")

    page.get_by_role("navigation", name="Period").get_by_role("link", name="4 weeks").click()

    expect(page.get_by_role("link", name="4 weeks")).to_have_attribute("aria-current", "true")
    expect(page).to_have_url(re.compile(r"/\?weeks=4$"))
    # The rest of the page was not reloaded: the mark set on it is still there.
    assert page.locator("[data-kept=yes]").count() == 1
    page.get_by_text("Weekly figures as a table").click()
    expect(page.get_by_role("table").first).to_be_visible()

    page.goto("/definitions/")
    assert_fits(page, "/definitions/")
    expect(page.locator("#long_run_spike")).to_contain_text("Frandsen")


def test_three_alerts_then_show_all(narrow_phone: Page, runner: User) -> None:
    """More than three alerts: the first three, and the rest behind "Show all (n)"."""
    now = timezone.now()
    # The spikes 7 days apart, so always in two different weeks: two spikes and two or
    # three flare-ups.
    for days, distance in ((9, 5_000.0), (8, 9_000.0), (1, 12_000.0)):
        services.run_create(
            user=runner,
            started_at=now - dt.timedelta(days=days),
            distance_m=distance,
            pain_before=1,
            pain_after=6,
        )
    sign_in(page := narrow_phone, runner)
    alerts = page.locator("section[aria-labelledby=alerts-title] > ul.alerts > li")
    expect(alerts).to_have_count(3)
    more = page.get_by_text(re.compile(r"Show all \(\d+\)"))
    expect(more).to_be_visible()
    more.click()
    expect(page.locator("details.more-alerts li").first).to_be_visible()


def test_the_header_is_one_line_at_360_px(narrow_phone: Page, runner: User) -> None:
    page = narrow_phone
    sign_in(page, runner)
    header = page.locator("header.topbar").bounding_box()
    assert header is not None
    # One row of 44 px buttons plus its padding; the name is never wrapped under them.
    assert header["height"] <= 64
    brand = page.locator("header.topbar .brand").bounding_box()
    log = page.locator("header.topbar").get_by_role("link", name="Log a run").bounding_box()
    assert brand is not None
    assert log is not None
    assert abs((brand["y"] + brand["height"] / 2) - (log["y"] + log["height"] / 2)) < 4
    assert_fits(page, "/")
    # "Log a run" is in the header and the tab bar, not a third time on the page.
    expect(page.get_by_role("link", name=re.compile("Log a run"))).to_have_count(2)
