"""The dashboard in a real browser on a 360 px phone: charts that fit and follow the light
and dark themes, and a range picker that swaps only the trends (htmx)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NARROW_VIEWPORT, sign_in
from tests.e2e.test_core_flow import assert_fits, seed_a_busy_log

BAR_FILL = "() => getComputedStyle(document.querySelector('svg.chart .chart-bar')).fill"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_charts_fit_and_follow_the_theme(narrow_phone: Page, runner: User, scheme: str) -> None:
    page = narrow_phone
    page.emulate_media(color_scheme=scheme)
    seed_a_busy_log(runner)
    sign_in(page, runner)

    for name in ("Weekly distance and pain", "Acute:chronic load ratio (ACWR)", "Pain calendar"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
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
