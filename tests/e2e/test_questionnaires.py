"""The questionnaires on a 360 px phone (docs/product.md#questionnaires-on-the-phone): the RMDQ answered by
tapping its rows, the score and its change shown at once, the due card on the home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinical import instruments
from clinical.models import QuestionnaireResponse
from clinical.services import response_create
from tests.e2e import test_pwa
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_log_form import assert_no_sideways_scroll
from tests.e2e.test_pwa import wait_until_sent, waiting

pytestmark = pytest.mark.e2e

# The phone whose pages send to the network themselves (no service worker), from the PWA tests.
phone_without_worker = test_pwa.phone_without_worker


def test_the_rmdq_is_answered_by_tapping_rows_at_360_px(narrow_phone: Page, runner: User) -> None:
    response_create(
        user=runner,
        questionnaire="rmdq",
        answers=[n < 12 for n in range(24)],
        completed_at=timezone.now() - dt.timedelta(days=7),
    )
    page = narrow_phone
    sign_in(page, runner)
    due = page.get_by_role("region", name="Questionnaires due")
    expect(due).to_be_visible()
    screenshot(page, "dashboard-due-360.png", full_page=True)
    # Answered a week ago, weekly: due again today.
    due.get_by_role("link", name="Roland-Morris Disability Questionnaire").tap()

    rows = page.locator(".tick-row")
    expect(rows).to_have_count(24)
    assert_no_sideways_scroll(page)
    for index in range(24):
        box = rows.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= 44, f"row {index + 1} is {box['height']} px tall"
    screenshot(page, "rmdq-360.png", full_page=True)

    # A tap anywhere on a row's text ticks its box.
    for item in instruments.RMDQ_ITEMS[:6]:
        page.get_by_text(item, exact=True).tap()
        expect(page.get_by_label(item, exact=True)).to_be_checked()
    page.get_by_text(instruments.RMDQ_ITEMS[5], exact=True).tap()  # and a second tap unticks it
    expect(page.get_by_label(instruments.RMDQ_ITEMS[5], exact=True)).not_to_be_checked()

    page.get_by_role("button", name="Save", exact=True).tap()
    saved = page.get_by_role("status").filter(has_text="Saved")
    expect(saved).to_contain_text("RMDQ score: 5")
    expect(saved).to_contain_text("RMDQ 12 → 5: 7 points better, a change patients notice (≥ 5)")
    screenshot(page, "rmdq-saved-360.png", full_page=True)
    latest = QuestionnaireResponse.objects.filter(user=runner).latest("completed_at")
    assert latest.answers == [True] * 5 + [False] * 19

    saved.get_by_role("link", name="Done").tap()
    expect(page.get_by_text("RMDQ 12 → 5: 7 points better")).to_be_visible()
    screenshot(page.locator("section", has=page.locator("#outcomes-title")), "outcomes-360.png")


def test_answers_saved_offline_are_sent_on_the_next_page_load(
    phone_without_worker: Page, runner: User
) -> None:
    page = phone_without_worker
    sign_in(page, runner)
    page.goto("/questionnaires/rmdq/")
    page.context.set_offline(True)
    for item in instruments.RMDQ_ITEMS[:3]:
        page.get_by_text(item, exact=True).tap()
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(waiting(page)).to_have_text("Waiting to sync (1)")
    assert not QuestionnaireResponse.objects.exists()

    page.context.set_offline(False)
    page.goto("/")
    wait_until_sent(page)
    response = QuestionnaireResponse.objects.get()
    assert (response.user, response.questionnaire, response.score) == (runner, "rmdq", 3)
    assert response.answers == [True] * 3 + [False] * 21
