"""The shared report on a phone folds its sections under their headings (docs/product.md#share-links): the key
points first and open, the rest an outline a clinician opens part by part; on a wide
screen, and for a link into a section, everything it needs is open."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from sharing.services import share_link_create
from tests.e2e.conftest import NARROW_VIEWPORT, PhoneFactory, screenshot
from tests.e2e.test_share import seed_log

pytestmark = pytest.mark.e2e


def shared_url(user: User) -> str:
    _, token = share_link_create(user=user, label="Physio", expires_in_days=14)
    return f"/shared/{token}/"


def test_on_a_phone_the_sections_fold_under_their_headings(open_phone: PhoneFactory, runner: User) -> None:
    seed_log(runner)
    url = shared_url(runner)
    page = open_phone(viewport=NARROW_VIEWPORT)
    page.goto(url)

    expect(page.locator(".key-points dl")).to_be_visible()
    screenshot(page, "shared-report-folded-360.png", full_page=True)
    toggles = page.locator(".fold-toggle")
    assert toggles.count() >= 6
    for index in range(toggles.count()):
        expect(toggles.nth(index)).to_have_attribute("aria-expanded", "false")
        box = toggles.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= 44
    # The whole outline in a few screens, where unfolded it was dozens.
    assert page.evaluate("document.documentElement.scrollHeight") < 5 * NARROW_VIEWPORT["height"]

    runs = page.get_by_role("button", name="Every run and walk")
    runs.focus()
    page.keyboard.press("Enter")
    expect(runs).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#runs-title-body table")).to_be_visible()
    page.keyboard.press("Space")
    expect(runs).to_have_attribute("aria-expanded", "false")


def test_a_link_into_a_folded_section_opens_it(open_phone: PhoneFactory, runner: User) -> None:
    seed_log(runner)
    page = open_phone(viewport=NARROW_VIEWPORT)
    page.goto(shared_url(runner) + "#pain_flare")

    expect(page.get_by_role("button", name="Definitions and sources")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.locator("#pain_flare")).to_be_visible()


def test_a_wide_screen_shows_every_section(open_phone: PhoneFactory, runner: User) -> None:
    seed_log(runner)
    page = open_phone(viewport={"width": 1280, "height": 900})
    page.goto(shared_url(runner))

    assert page.locator(".fold-toggle").count() == 0
    expect(page.locator("svg.chart-weekly")).to_be_visible()
