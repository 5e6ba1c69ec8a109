"""Two things only a real browser shows: Back after saving a run never shows the dashboard
from before it (the pages are ``no-store``), and in dark mode the pain calendar's low
scores are told apart as they are drawn, not only as the style sheet declares them."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Literal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from backpainlog.accounts.selectors import local_today, user_zone
from runs import services as run_services
from tests.e2e.conftest import NARROW_VIEWPORT, PhoneFactory, sign_in
from tests.e2e.test_log_form import give_pain, save, saved
from tests.test_chart_colours import luminance

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", [None, NARROW_VIEWPORT], ids=["pixel-7", "360px"])
def test_back_after_saving_shows_the_new_run(
    open_phone: PhoneFactory, runner: User, viewport: dict[str, int] | None
) -> None:
    page = open_phone(viewport=viewport)
    sign_in(page, runner)
    expect(page.get_by_role("heading", name=f"Hello, {runner.username}")).to_be_visible()
    page.get_by_role("link", name="Log a run").first.tap()
    page.get_by_label("Distance").fill("7,5")
    page.get_by_label("Notes").fill("Back after save")
    give_pain(page, 1, 2)
    save(page)
    expect(saved(page)).to_be_visible()

    # Back to the dashboard, whatever the number of steps the form took.
    for _ in range(3):
        if page.url.endswith("/") and "/runs/" not in page.url:
            break
        page.go_back()
    expect(page.get_by_role("heading", name=f"Hello, {runner.username}")).to_be_visible()
    expect(page.get_by_text("7.50 km").first).to_be_visible()
    # The form, if Back reaches it, is a new one: saving it again would be a second run
    # by choice, not a silent replay of the first.
    assert run_services.Run.objects.filter(user=runner).count() == 1


def _hex(rgb: str) -> str:
    red, green, blue = (int(part) for part in re.findall(r"\d+", rgb)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_low_pain_scores_are_told_apart_on_the_calendar(
    narrow_phone: Page, runner: User, scheme: Literal["light", "dark"]
) -> None:
    today = local_today(runner)
    for score in range(4):
        run_services.checkin_create(
            user=runner,
            recorded_at=dt.datetime.combine(
                today - dt.timedelta(days=4 - score), dt.time(20), user_zone(runner)
            ),
            score=score,
        )
    page = narrow_phone
    page.emulate_media(color_scheme=scheme)
    sign_in(page, runner)
    expect(page.get_by_role("heading", name="Pain calendar")).to_be_visible()

    fills = [
        _hex(
            page.locator(f"svg rect.cal-day.pain-{score}").first.evaluate(
                "cell => getComputedStyle(cell).fill"
            )
        )
        for score in range(4)
    ]

    assert len(set(fills)) == 4, fills
    for low, high in itertools.pairwise(fills):
        brighter, darker = max(luminance(low), luminance(high)), min(luminance(low), luminance(high))
        assert (brighter + 0.05) / (darker + 0.05) >= 1.15, (scheme, low, high)
