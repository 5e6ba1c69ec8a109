"""Where it hurts and red flags (docs/product.md#where-it-hurts, docs/analytics.md#red-flags) in a browser at
360 px: the body map's regions are real controls (touch, keyboard), they are stored, and a red flag puts the
instruction to see a doctor first on the screen, before anything else."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Locator, Page, Playwright, expect

from runs.models import PainCheckin, Run
from tests.e2e.conftest import NARROW_VIEWPORT, PHONE, PhoneFactory, screenshot, sign_in
from tests.e2e.test_core_flow import scale_button

pytestmark = pytest.mark.e2e

# The first element of <main> that is shown (the outbox panel is there, hidden, when empty).
FIRST_SHOWN_IN_MAIN = """() => {
  const shown = [...document.querySelector("main").children].find(element => element.checkVisibility());
  return shown ? shown.id || shown.tagName : null;
}"""


@pytest.fixture
def page(open_phone: PhoneFactory, runner: User) -> Page:
    """A touch phone, 360 px wide, signed in, on the pain check-in."""
    page = open_phone(viewport=NARROW_VIEWPORT)
    sign_in(page, runner)
    page.goto("/pain/new/")
    return page


def region(page: Page, name: str) -> Locator:
    """The region's tap target on the body map: its label."""
    return page.locator("[data-body-map] label").filter(has_text=name)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).tap()


def test_regions_are_tapped_on_the_drawing_and_stored(page: Page, runner: User) -> None:
    assert page.context.browser is not None
    scale_button(page, "Pain", 4).tap()
    region(page, "Left thigh").tap()
    region(page, "Right leg, below the knee").tap()
    region(page, "Lower back, centre").tap()
    region(page, "Lower back, centre").tap()  # a second tap takes it off again

    expect(page.get_by_label("Left thigh")).to_be_checked()
    expect(page.get_by_label("Right leg, below the knee")).to_be_checked()
    expect(page.get_by_label("Lower back, centre")).not_to_be_checked()
    # Below the knee is named apart; a leg region is pain down the leg.
    expect(page.locator("[data-body-map-summary]")).to_have_text("Marked: Left thigh; below the knee: right.")
    expect(page.get_by_label("Radiates down the leg")).to_be_checked()
    for name in ("Left thigh", "Lower back, left", "Right leg, below the knee"):
        box = region(page, name).bounding_box()
        assert box, name
        assert min(box["width"], box["height"]) >= 44, (name, box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "body-map-checkin-360.png", full_page=True)

    save(page)

    expect(page.get_by_text("Pain check-in saved.")).to_be_visible()
    checkin = PainCheckin.objects.get(user=runner)
    assert checkin.pain_regions == ["thigh_left", "below_knee_right"]
    assert checkin.radiating_leg_pain
    assert checkin.red_flags == []


def test_regions_are_ticked_with_the_keyboard(page: Page, runner: User) -> None:
    page.get_by_label("Pain", exact=True).fill("3")
    page.get_by_label("Radiates down the leg").focus()
    page.keyboard.press("Tab")  # "Show as a list"
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lower back, centre")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lower back, left")).to_be_focused()
    page.keyboard.press("Space")
    # The focused region shows where the focus is.
    outline = page.evaluate("getComputedStyle(document.activeElement.labels[0]).outlineStyle")
    assert outline != "none"

    save(page)

    expect(page.get_by_text("Pain check-in saved.")).to_be_visible()
    checkin = PainCheckin.objects.get(user=runner)
    assert checkin.pain_regions == ["low_back_center", "low_back_left"]
    assert not checkin.radiating_leg_pain


def test_the_regions_read_as_a_plain_list(page: Page) -> None:
    page.get_by_text("Show as a list").tap()
    expect(page.locator(".body-map-drawing")).to_be_hidden()
    expect(page.get_by_text("Left buttock")).to_be_visible()
    # One line each at 360 px: the names are not squeezed into the drawing's boxes.
    name = page.locator("[data-body-map] label").filter(has_text="Left leg, below the knee").bounding_box()
    assert name
    assert name["height"] < 40
    expect(page.locator("[data-body-map]").get_by_text("Below the knee", exact=True)).to_be_visible()
    page.get_by_label("Left buttock").tap()
    expect(page.get_by_label("Left buttock")).to_be_checked()


def test_a_red_flag_puts_the_doctor_first_on_the_screen(page: Page, runner: User) -> None:
    notice = page.get_by_role("alert").filter(has_text="These symptoms need a doctor today")
    expect(notice).to_be_hidden()
    scale_button(page, "Pain", 5).tap()
    page.get_by_text("New symptoms?").tap()
    page.get_by_text("New weakness in a leg").tap()

    expect(notice).to_be_visible()
    expect(notice).to_be_in_viewport()
    expect(notice).to_contain_text("If you cannot reach your doctor, go to an emergency department.")
    assert page.evaluate(FIRST_SHOWN_IN_MAIN) == "see-doctor"
    notice_box, form_box = notice.bounding_box(), page.locator("form[data-checkin-form]").bounding_box()
    assert notice_box
    assert form_box
    assert notice_box["y"] + notice_box["height"] <= form_box["y"]
    screenshot(page, "red-flag-checkin-360.png")

    # Unticked again, it goes; ticked, it is back.
    page.get_by_text("New weakness in a leg").tap()
    expect(notice).to_be_hidden()
    page.get_by_text("New weakness in a leg").tap()
    expect(notice).to_be_visible()

    save(page)

    # The home page after saving says it first too.
    expect(page.get_by_role("heading", name=f"Hello, {runner.username}")).to_be_visible()
    notice = page.get_by_role("alert").filter(has_text="These symptoms need a doctor today")
    expect(notice).to_contain_text("new weakness in a leg")
    assert page.evaluate(FIRST_SHOWN_IN_MAIN) == "see-doctor"
    screenshot(page, "red-flag-home-360.png")
    checkin = PainCheckin.objects.get(user=runner)
    assert checkin.red_flags == ["leg_weakness"]
    assert checkin.see_doctor


def test_without_javascript_the_red_flag_is_first_after_saving(
    playwright: Playwright, browser: Browser, live_server: Any, runner: User
) -> None:
    options = {**playwright.devices[PHONE], "base_url": live_server.url, "java_script_enabled": False}
    options.pop("default_browser_type", None)
    options["viewport"] = options["screen"] = NARROW_VIEWPORT
    context = browser.new_context(**options)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(runner.username)
        page.get_by_label("Password").fill("correct-horse-battery-staple")
        page.get_by_role("button", name="Sign in").click()
        page.goto("/pain/new/")
        page.get_by_label("Pain", exact=True).fill("4")
        page.locator("summary", has_text="New symptoms?").click()
        page.get_by_label("Numbness in the groin or buttocks (saddle area)").check()
        region(page, "Right thigh").click()
        page.get_by_role("button", name="Save", exact=True).click()

        notice = page.locator("#see-doctor")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("numbness in the groin or buttocks (saddle area)")
        assert page.evaluate(FIRST_SHOWN_IN_MAIN) == "see-doctor"
    finally:
        context.close()
    checkin = PainCheckin.objects.get(user=runner)
    assert (checkin.red_flags, checkin.pain_regions, checkin.radiating_leg_pain) == (
        ["saddle_numbness"],
        ["thigh_right"],
        True,
    )


def test_the_run_log_has_the_body_map_folded(page: Page, runner: User) -> None:
    page.goto("/runs/new/")
    page.get_by_label("Distance").fill("6")
    scale_button(page, "Pain before", 2).tap()
    scale_button(page, "Pain after", 3).tap()
    expect(region(page, "Left buttock")).to_be_hidden()
    page.get_by_text("Where it hurt", exact=True).tap()
    region(page, "Left buttock").tap()
    region(page, "Left leg, below the knee").tap()
    page.get_by_role("button", name="Save", exact=True).tap()

    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    assert Run.objects.get(user=runner).pain_regions == ["buttock_left", "below_knee_left"]
    page.goto("/runs/")
    expect(page.get_by_text("Where: Left buttock; below the knee: left")).to_be_visible()


def test_a_check_in_saved_offline_keeps_its_regions_and_red_flags(page: Page, runner: User) -> None:
    page.context.set_offline(True)
    page.get_by_label("Pain", exact=True).fill("6")
    region(page, "Right buttock").tap()
    region(page, "Left leg, below the knee").tap()
    page.get_by_text("New symptoms?").tap()
    page.get_by_text("New trouble controlling your bladder or bowel").tap()
    save(page)
    expect(page.locator("[data-outbox-count]")).to_have_text("Waiting to sync (1)")
    # Saved on the phone: the form is empty for the next entry, the instruction stays up.
    expect(page.locator("[data-body-map-summary]")).to_have_text("Nothing marked.")
    expect(page.locator("#see-doctor")).to_be_visible()
    assert PainCheckin.objects.count() == 0

    page.context.set_offline(False)
    page.goto("/")
    page.wait_for_function("async () => (await BackpainlogOutbox.all()).length === 0")

    checkin = PainCheckin.objects.get(user=runner)
    assert checkin.pain_regions == ["buttock_right", "below_knee_left"]
    assert checkin.red_flags == ["bladder_bowel"]
    assert checkin.radiating_leg_pain
    page.reload()
    expect(page.locator("#see-doctor")).to_contain_text("new trouble controlling your bladder or bowel")
