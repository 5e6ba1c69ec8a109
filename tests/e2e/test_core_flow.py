"""The core flows on a phone, driven the way a runner would: controls found by their
labels and roles, tapped, typed into."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from runs import services as run_services
from runs.models import Run
from shoes import services as shoe_services
from shoes.models import Insole, Shoe
from tests.e2e.conftest import NARROW_VIEWPORT, PhoneFactory, sign_in

pytestmark = pytest.mark.e2e

# docs/product.md#log-a-run: a typical run is logged in under 15 seconds.
RUN_LOGGING_BUDGET_S = 15.0
# Keystroke-level estimates for a person on a phone: find a control and tap it; type one
# character on the on-screen keyboard.
HUMAN_TAP_S = 1.0
HUMAN_KEYSTROKE_S = 0.4

ODOMETER = re.compile(r"([\d.,]+) km of ")


@dataclass
class Interactions:
    """Taps and typing, counted as they are done."""

    taps: int = 0
    fields_typed: int = 0
    keystrokes: int = 0

    def tap(self, target: Locator) -> None:
        target.tap()
        self.taps += 1

    def type_into(self, field: Locator, text: str) -> None:
        self.tap(field)
        field.press_sequentially(text)
        self.fields_typed += 1
        self.keystrokes += len(text)

    @property
    def human_estimate_s(self) -> float:
        return self.taps * HUMAN_TAP_S + self.keystrokes * HUMAN_KEYSTROKE_S


def scale_button(page: Page, label: str, score: int) -> Locator:
    """The score's button in the 0–10 row drawn under the labelled number box."""
    field = page.get_by_label(label, exact=True).locator("xpath=..")
    return field.get_by_text(str(score), exact=True)


def odometer_km(page: Page, shoe_name: str) -> float:
    item = page.get_by_role("listitem").filter(has_text=shoe_name)
    match = ODOMETER.search(item.inner_text())
    assert match, f"no odometer in {item.inner_text()!r}"
    return float(match.group(1).replace(",", ""))


@pytest.mark.parametrize("viewport", [None, NARROW_VIEWPORT], ids=["pixel-7", "360px"])
def test_sign_up_add_shoes_and_log_a_run(open_phone: PhoneFactory, viewport: dict[str, int] | None) -> None:
    # A British browser: the new account starts in kilometres (an American one, in miles).
    page = open_phone(viewport=viewport, locale="en-GB")

    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("new-runner")
    page.get_by_label("Password").fill("slow-and-steady-42")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()

    page.goto("/shoes/new/")
    page.get_by_label("Name", exact=True).fill("Ghost 16")
    page.get_by_label("Brand").fill("Brooks")
    page.get_by_label("Model", exact=True).fill("Ghost 16")
    page.get_by_label("Distance already on them").fill("100")
    page.get_by_label("Default pair for new runs").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/shoes/$"))
    expect(page.get_by_text("default", exact=True)).to_be_visible()
    odometer_before = odometer_km(page, "Ghost 16")
    assert odometer_before == pytest.approx(100)

    # From opening the form to seeing "Saved": what a runner does after a run.
    flow = Interactions()
    started = time.perf_counter()
    page.goto("/runs/new/")
    flow.type_into(page.get_by_label("Distance"), "8.4")
    flow.type_into(page.get_by_label("Duration"), "46:12")
    expect(page.get_by_text("Pace 5:30 /km")).to_be_visible()
    flow.tap(scale_button(page, "Pain before", 2))
    expect(page.get_by_label("Pain before")).to_have_value("2")
    expect(scale_button(page, "Pain before", 2)).to_have_attribute("aria-pressed", "true")
    flow.type_into(page.get_by_label("Pain after"), "3")
    expect(scale_button(page, "Pain after", 3)).to_have_attribute("aria-pressed", "true")
    shoes = page.get_by_label("Shoes")
    assert shoes.evaluate("select => select.selectedOptions[0].text") == "Ghost 16"
    expect(page.get_by_label("Surface")).to_have_value("road")

    page.evaluate("window.__marker = 1")  # gone if the page reloads
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        flow.tap(page.get_by_role("button", name="Save", exact=True))
    saved = page.get_by_role("status").filter(has_text="Saved")
    expect(saved).to_be_visible()
    elapsed = time.perf_counter() - started

    assert posted.value.request.headers.get("hx-request") == "true"
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping in the result"
    expect(page).to_have_url(re.compile(r"/runs/new/$"))
    expect(saved).to_contain_text("8.40 km")
    expect(saved).to_contain_text("Ghost 16")
    expect(saved).to_contain_text("Pain 2 → 3")
    screen = "Pixel 7" if viewport is None else f"{viewport['width']} px wide"
    print(
        f"\n[{screen}] logged a run in {elapsed:.2f} s (browser time) with "
        f"{flow.taps} taps, {flow.fields_typed} fields typed, {flow.keystrokes} keystrokes; "
        f"a person: about {flow.human_estimate_s:.1f} s "
        f"({HUMAN_TAP_S:.1f} s a tap, {HUMAN_KEYSTROKE_S:.1f} s a keystroke)"
    )
    assert flow.taps <= 5
    assert elapsed < RUN_LOGGING_BUDGET_S
    assert flow.human_estimate_s < RUN_LOGGING_BUDGET_S

    page.get_by_role("link", name="See all runs").tap()
    expect(page.get_by_role("heading", name="Runs", exact=True)).to_be_visible()
    run_row = page.get_by_role("listitem").filter(has_text="8.40 km")
    expect(run_row).to_have_count(1)
    expect(run_row).to_contain_text("46:12")
    expect(run_row).to_contain_text("Ghost 16")
    expect(run_row).to_contain_text("Pain 2 → 3")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Shoes").tap()
    expect(page.get_by_role("heading", name="Shoes", exact=True)).to_be_visible()
    assert odometer_km(page, "Ghost 16") == pytest.approx(odometer_before + 8.4)
    expect(page.get_by_role("listitem").filter(has_text="Ghost 16")).to_contain_text("1 run")


def test_pain_check_in_in_three_taps(phone: Page, runner: User) -> None:
    sign_in(phone, runner)
    taps = 0

    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Pain check-in").tap()
    taps += 1
    expect(phone.get_by_role("heading", name="Pain check-in")).to_be_visible()
    scale_button(phone, "Pain", 6).tap()
    taps += 1
    expect(phone.get_by_label("Pain", exact=True)).to_have_value("6")
    phone.get_by_role("button", name="Save", exact=True).tap()
    taps += 1

    assert taps == 3
    expect(phone.get_by_role("heading", name=f"Hello, {runner.username}")).to_be_visible()
    expect(phone.get_by_text("Pain check-in saved.")).to_be_visible()
    recent = phone.get_by_role("region", name="Pain check-ins")
    expect(recent.get_by_role("listitem")).to_have_count(1)
    expect(recent.get_by_role("listitem")).to_contain_text("Pain 6/10")


def seed_a_busy_log(user: User) -> None:
    """Long names and notes, worn and retired pairs: what stretches a narrow layout."""
    daily = shoe_services.gear_create(
        Shoe,
        user=user,
        name="Pegasus 40 (blue, the everyday trainer with the torn heel)",
        brand="Nike",
        model="Pegasus 40",
        initial_distance_m=600_000.0,
        is_default=True,
    )
    trail = shoe_services.gear_create(Shoe, user=user, name="Speedgoat", brand="Hoka", model="Speedgoat 5")
    retired = shoe_services.gear_create(Shoe, user=user, name="Old racers", initial_distance_m=700_000.0)
    shoe_services.gear_retire(retired)
    shoe_services.gear_create(Insole, user=user, name="Orthotics", brand="Superfeet", model="Green")
    now = timezone.now()
    for day in range(12):
        run_services.run_create(
            user=user,
            started_at=now - dt.timedelta(days=day, hours=1),
            distance_m=5_000.0 + day * 1_500,
            duration_s=1_650 + day * 500,
            surface=Run.Surface.TRAIL if day % 3 else Run.Surface.ROAD,
            shoe=trail if day % 2 else daily,
            pain_before=day % 4,
            pain_after=(day * 3) % 11,
            notes="Tight lower back from kilometre six, eased off after stretching; "
            "left_hamstring_felt_like_a_guitar_string_all_the_way_home" * (day % 2),
        )
    for day in range(4):
        run_services.checkin_create(
            user=user,
            recorded_at=now - dt.timedelta(days=day, hours=3),
            score=day + 2,
            radiating_leg_pain=day == 1,
            notes="Stiff getting out of bed",
        )


TAP_TARGETS = """() => {
  // Everything tapped on a phone, beside links inside sentences; the 0–10 buttons are
  // narrow by design (eleven across), so only their height counts.
  const selector = "button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
    + " .button, .tabbar a, .item-actions a, .choices label, summary, .pagination a";
  return [...document.querySelectorAll(selector)]
    .filter(el => el.getClientRects().length && el.getBoundingClientRect().left >= 0)
    .map(el => ({ what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height }))
    .filter(target => target.height < 44);
}"""

TAB_BAR_CLEARANCE = """() => {
  window.scrollTo(0, document.documentElement.scrollHeight);
  const main = document.querySelector("main");
  const last = main.lastElementChild.getBoundingClientRect();
  const tabs = document.querySelector("nav[aria-label=Main]").getBoundingClientRect();
  return { lastBottom: last.bottom, tabBarTop: tabs.top };
}"""


def assert_fits(page: Page, path: str) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path} scrolls sideways at {width[1]} px: {width[0]} px wide"
    small = page.evaluate(TAP_TARGETS)
    assert not small, f"{path}: tap targets under 44 px: {small}"


def test_nothing_scrolls_sideways_at_360_px(narrow_phone: Page, runner: User) -> None:
    page = narrow_phone
    assert page.viewport_size == NARROW_VIEWPORT
    for path in ["/accounts/login/", "/accounts/signup/"]:
        page.goto(path)
        assert_fits(page, path)

    seed_a_busy_log(runner)
    sign_in(page, runner)
    for path in ["/", "/runs/new/", "/runs/", "/shoes/", "/pain/new/", "/pain/", "/settings/"]:
        page.goto(path)
        assert_fits(page, path)
        clearance = page.evaluate(TAB_BAR_CLEARANCE)
        assert clearance["lastBottom"] <= clearance["tabBarTop"], f"{path}: the tab bar covers the end"

    # The pain scale: every score 44 × 44 px at least (docs/product.md#log-a-run), inside the screen, in
    # reading order (0–5, then 6–10).
    page.goto("/runs/new/")
    boxes = [scale_button(page, "Pain before", score).bounding_box() for score in range(11)]
    assert all(box is not None for box in boxes)
    assert min(box["width"] for box in boxes) >= 44
    assert min(box["height"] for box in boxes) >= 44
    assert min(box["x"] for box in boxes) >= 0
    assert max(box["x"] + box["width"] for box in boxes) <= NARROW_VIEWPORT["width"]
    rows = sorted({round(box["y"]) for box in boxes})
    assert len(rows) == 2, "eleven 44 px scores do not fit one line at 360 px"
    assert [round(box["y"]) for box in boxes] == [rows[0]] * 6 + [rows[1]] * 5
