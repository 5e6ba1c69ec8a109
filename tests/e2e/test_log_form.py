"""The log form forgives how people type and says what it did (docs/analytics.md#plausibility,
docs/product.md#log-a-run), at 360 px and on a Pixel 7: a decimal comma in any browser language,
stopwatch digits, the question before a run without pain scores or an unlikely one, the
confirmation's flags, 44 px targets, nothing scrolling sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from backpainlog.accounts.services import profile_update
from runs import services as run_services
from runs.models import Run
from shoes import services as shoe_services
from shoes.models import Shoe
from tests.e2e.conftest import NARROW_VIEWPORT, PhoneFactory, screenshot, sign_in
from tests.e2e.test_core_flow import scale_button

pytestmark = pytest.mark.e2e

SCREENS = pytest.mark.parametrize("viewport", [None, NARROW_VIEWPORT], ids=["pixel-7", "360px"])
# The buttons of the question drawn before saving; the Save bar while it is asked.
QUESTION = "[data-question]"


def open_log_form(page: Page, user: User) -> None:
    sign_in(page, user)
    page.goto("/runs/new/")
    expect(page.get_by_label("Distance")).to_be_visible()


def give_pain(page: Page, before: int = 1, after: int = 2) -> None:
    scale_button(page, "Pain before", before).tap()
    scale_button(page, "Pain after", after).tap()


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).tap()


def saved(page: Page) -> object:
    return page.get_by_role("status").filter(has_text="Saved")


def assert_no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def earlier_run(user: User, distance_m: float, *, days_ago: int = 3, shoe: Shoe | None = None) -> None:
    run_services.run_create(
        user=user,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
        distance_m=distance_m,
        duration_s=round(distance_m * 0.33),
        shoe=shoe,
        pain_before=1,
        pain_after=1,
    )


# --- B. Numbers as people type them ---


@pytest.mark.parametrize("locale", ["de-DE", "en-US"])
@pytest.mark.parametrize("typed", ["8,2", "8.2"])
@SCREENS
def test_a_decimal_comma_or_point_is_8_2_in_any_language(
    open_phone: PhoneFactory, runner: User, locale: str, typed: str, viewport: dict[str, int] | None
) -> None:
    page = open_phone(viewport=viewport, locale=locale)
    assert page.evaluate("navigator.language") == locale
    open_log_form(page, runner)
    distance = page.get_by_label("Distance")
    distance.press_sequentially(typed)
    expect(distance).to_have_value(typed)  # a text box keeps what was typed, comma and all
    page.get_by_label("Duration").press_sequentially("4100")
    expect(page.get_by_text("Pace 5:00 /km")).to_be_visible()
    give_pain(page)
    save(page)
    expect(saved(page)).to_contain_text("8.20 km")
    assert Run.objects.get(user=runner).distance_m == 8200
    assert_no_sideways_scroll(page)


def test_a_value_with_both_separators_is_refused_with_a_message(phone: Page, runner: User) -> None:
    open_log_form(phone, runner)
    phone.get_by_label("Distance").fill("1.234,5")
    give_pain(phone)
    save(phone)
    expect(phone.get_by_text("Use a decimal point or a decimal comma, not both")).to_be_visible()
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("typed", "shown", "seconds"),
    [
        ("4530", "Read as 45:30 (45 min 30 s)", 2730),
        ("10530", "Read as 1:05:30 (1 h 5 min 30 s)", 3930),
        ("30", "Read as 30:00 (30 min)", 1800),
        ("45:30", "Read as 45:30 (45 min 30 s)", 2730),
    ],
)
@SCREENS
def test_the_duration_is_read_as_typed_and_says_how(
    open_phone: PhoneFactory,
    runner: User,
    typed: str,
    shown: str,
    seconds: int,
    viewport: dict[str, int] | None,
) -> None:
    page = open_phone(viewport=viewport)
    open_log_form(page, runner)
    duration = page.get_by_label("Duration")
    assert duration.get_attribute("inputmode") == "numeric"  # the phone's number pad
    page.get_by_label("Distance").fill("8")
    duration.press_sequentially(typed)
    expect(page.get_by_text(shown)).to_be_visible()
    give_pain(page)
    save(page)
    expect(saved(page)).to_be_visible()
    assert Run.objects.get(user=runner).duration_s == seconds


def test_stopwatch_digits_that_are_no_time_say_so_as_you_type(phone: Page, runner: User) -> None:
    open_log_form(phone, runner)
    phone.get_by_label("Duration").press_sequentially("4575")
    expect(phone.get_by_text("Minutes and seconds go up to 59")).to_be_visible()


def test_an_entry_saved_offline_stores_what_an_online_save_does(
    open_phone: PhoneFactory, runner: User
) -> None:
    profile_update(user=runner, distance_unit="mi")
    page = open_phone(locale="de-DE")
    open_log_form(page, runner)
    page.get_by_label("Distance").fill("8,2")
    page.get_by_label("Duration").fill("10530")
    give_pain(page)
    save(page)
    expect(saved(page)).to_be_visible()
    online = Run.objects.get(user=runner)

    page.goto("/runs/new/")
    page.context.set_offline(True)
    page.get_by_label("Date and time").fill("2026-01-10T07:30")
    page.get_by_label("Distance").fill("8,2")
    page.get_by_label("Duration").fill("10530")
    give_pain(page)
    save(page)
    expect(page.get_by_role("status").filter(has_text="waiting to sync")).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text="Sent: it is in your log now.")).to_be_visible()
    offline = Run.objects.exclude(pk=online.pk).get(user=runner)
    assert (offline.distance_m, offline.duration_s) == (online.distance_m, online.duration_s)
    assert offline.distance_m == 13196.6208  # 8.2 mi, exactly
    assert offline.duration_s == 3930


def test_the_edit_form_reads_the_same_way(phone: Page, runner: User) -> None:
    earlier_run(runner, 5000)
    run = Run.objects.get()
    sign_in(phone, runner)
    phone.goto(f"/runs/{run.pk}/edit/")
    phone.get_by_label("Distance").fill("6,4")
    phone.get_by_label("Duration").fill("3415")
    expect(phone.get_by_text("Read as 34:15")).to_be_visible()
    save(phone)
    expect(phone.get_by_text("Run updated.")).to_be_visible()
    run.refresh_from_db()
    assert (run.distance_m, run.duration_s) == (6400, 2055)


# --- C. Pain is hard to skip ---


@SCREENS
def test_saving_without_pain_asks_once_and_saves_without(
    open_phone: PhoneFactory, runner: User, viewport: dict[str, int] | None
) -> None:
    page = open_phone(viewport=viewport)
    open_log_form(page, runner)
    page.get_by_label("Distance").fill("6")
    save(page)
    question = page.get_by_role("group", name="Save without pain scores?")
    expect(question).to_be_visible()
    expect(question).to_contain_text("No pain before or pain after")
    assert not Run.objects.exists()

    # "Add pain scores" goes back to the scale; saving again does not ask a second time.
    question.get_by_role("button", name="Add pain scores").tap()
    expect(question).to_be_hidden()
    expect(scale_button(page, "Pain before", 0)).to_be_in_viewport()
    scale_button(page, "Pain after", 4).tap()
    save(page)
    expect(saved(page)).to_be_visible()
    run = Run.objects.get()
    assert (run.pain_before, run.pain_after) == (None, 4)


def test_save_without_saves_the_run_without_pain(phone: Page, runner: User) -> None:
    open_log_form(phone, runner)
    phone.get_by_label("Distance").fill("6")
    save(phone)
    phone.get_by_role("button", name="Save without").tap()
    expect(saved(phone)).to_contain_text("No pain scores")
    assert Run.objects.filter(pain_before=None, pain_after=None).count() == 1


def test_a_run_with_both_pain_scores_is_not_asked(phone: Page, runner: User) -> None:
    open_log_form(phone, runner)
    phone.get_by_label("Distance").fill("6")
    give_pain(phone, 0, 0)  # 0 is a score, not a missing one
    save(phone)
    expect(saved(phone)).to_be_visible()


@SCREENS
def test_the_pain_scale_is_44_px_square_and_reachable_with_the_keyboard_open(
    open_phone: PhoneFactory, runner: User, viewport: dict[str, int] | None
) -> None:
    width = (viewport or {"width": 412})["width"]
    # The keyboard open: the page gets the top 45 % of the screen.
    page = open_phone(viewport={"width": width, "height": 380}, screen={"width": width, "height": 840})
    open_log_form(page, runner)
    page.get_by_label("Duration").tap()
    page.get_by_label("Duration").press_sequentially("4530")
    expect(page.locator("html.keyboard-open")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    for score in range(11):
        button = scale_button(page, "Pain before", score)
        # Scrolled just into view at the bottom of what is left of the screen: nothing
        # (the Save bar, the tab bar) may be drawn over it there.
        button.evaluate("element => element.scrollIntoView({block: 'end'})")
        hit = button.evaluate(
            """element => {
              const box = element.getBoundingClientRect();
              const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
              return top === element;
            }"""
        )
        assert hit, f"pain score {score} is covered with the keyboard open"
        box = button.bounding_box()
        assert box is not None
        assert box["width"] >= 44
        assert box["height"] >= 44
    assert_no_sideways_scroll(page)


# --- A. "Is this right?" before an unlikely run ---


@SCREENS
def test_an_unlikely_run_is_asked_about_change_it_keeps_the_form_save_anyway_saves_once(
    open_phone: PhoneFactory, runner: User, viewport: dict[str, int] | None
) -> None:
    earlier_run(runner, 10_000)
    page = open_phone(viewport=viewport)
    open_log_form(page, runner)
    page.get_by_label("Distance").fill("30")
    page.get_by_label("Duration").fill("3:00:00")
    page.get_by_label("Notes").fill("Felt strong")
    give_pain(page)
    save(page)

    question = page.get_by_role("group", name="Is this right?")
    expect(question).to_be_visible()
    expect(question).to_contain_text(
        "30.00 km is more than twice your longest in the 30 days before (10.00 km)"
    )
    assert Run.objects.count() == 1
    assert_no_sideways_scroll(page)
    for button in ("Save anyway", "Change it"):
        box = question.get_by_role("button", name=button).bounding_box()
        assert box is not None
        assert box["height"] >= 44

    question.get_by_role("button", name="Change it").tap()
    expect(question).to_be_hidden()
    expect(page.get_by_label("Distance")).to_be_focused()
    expect(page.get_by_label("Distance")).to_have_value("30")
    expect(page.get_by_label("Duration")).to_have_value("3:00:00")
    expect(page.get_by_label("Notes")).to_have_value("Felt strong")
    expect(page.get_by_label("Pain after")).to_have_value("2")
    assert Run.objects.count() == 1

    save(page)  # unchanged: asked again
    expect(question).to_be_visible()
    with page.expect_response(lambda response: response.request.method == "POST"):
        question.get_by_role("button", name="Save anyway").tap()
    expect(saved(page)).to_contain_text("30.00 km")
    assert Run.objects.filter(distance_m=30_000).count() == 1
    assert Run.objects.count() == 2


def test_a_pace_no_one_runs_is_refused_on_the_page(phone: Page, runner: User) -> None:
    open_log_form(phone, runner)
    phone.get_by_label("Distance").fill("10")
    phone.get_by_label("Duration").fill("19:59")
    give_pain(phone)
    save(phone)
    expect(
        phone.get_by_text("A pace of 1:59 /km over 10.00 km is faster than anyone can run")
    ).to_be_visible()
    assert not Run.objects.exists()


# --- D. The confirmation names what the run raised ---


@SCREENS
def test_the_confirmation_names_the_flags_with_links_and_has_done(
    open_phone: PhoneFactory, runner: User, viewport: dict[str, int] | None
) -> None:
    shoes = shoe_services.gear_create(
        Shoe, user=runner, name="Ghost 16", initial_distance_m=520_000.0, is_default=True
    )
    earlier_run(runner, 10_000, shoe=shoes)
    page = open_phone(viewport=viewport)
    open_log_form(page, runner)
    page.get_by_label("Distance").fill("15")
    page.get_by_label("Duration").fill("1:20:00")
    give_pain(page, 1, 6)
    screenshot(page, f"log-form-{page.viewport_size['width']}.png", full_page=True)
    save(page)

    confirmation = saved(page)
    expect(confirmation).to_contain_text("This run raised 3 flags")
    expect(confirmation).not_to_contain_text("✓")
    spike = confirmation.get_by_role("link", name="Long-run spike")
    expect(spike).to_have_attribute("href", "/definitions/#long_run_spike")
    expect(confirmation.get_by_role("listitem").filter(has_text="Long-run spike")).to_contain_text(
        "moderate, +50\u00a0%"
    )
    expect(
        confirmation.get_by_role("link", name="Shoes nearing their replacement distance")
    ).to_have_attribute("href", "/definitions/#shoe_nearing")
    expect(confirmation.get_by_role("link", name="Pain flare-up after a run")).to_have_attribute(
        "href", "/definitions/#pain_flare"
    )
    assert_no_sideways_scroll(page)
    screenshot(page, f"confirmation-{page.viewport_size['width']}.png")

    spike.tap()
    expect(page.get_by_role("heading", name="Long-run spike")).to_be_in_viewport()
    page.go_back()
    page.goto("/runs/new/")
    page.get_by_label("Distance").fill("5")
    page.get_by_label("Shoes").select_option(label="No shoes recorded")
    give_pain(page, 1, 1)
    save(page)
    expect(saved(page)).to_contain_text("Saved ✓")
    expect(saved(page)).to_contain_text("It raised no flags.")
    done = saved(page).get_by_role("link", name="Done")
    assert (done.bounding_box() or {"height": 0})["height"] >= 44
    done.tap()
    expect(page.get_by_role("heading", name=f"Hello, {runner.username}")).to_be_visible()
