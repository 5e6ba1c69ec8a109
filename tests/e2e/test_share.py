"""Sharing with a clinician, in the browser: the runner creates a link on /share/ and copies
it; the clinician's phone (another browser, never signed in) opens it at 360 px and sees
the report with its chart; the PDF answers; the runner sees the visit, then revokes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from backpainlog.accounts.selectors import local_today, user_zone
from runs.services import analytics_refresh
from tests.e2e.conftest import NARROW_VIEWPORT, PhoneFactory, sign_in
from tests.factories import RunFactory, ShoeFactory

pytestmark = pytest.mark.e2e


def seed_log(user: User) -> None:
    shoe = ShoeFactory(user=user, name="Ghost 16")
    for day in range(40):
        RunFactory(
            user=user,
            started_at=dt.datetime.combine(
                local_today(user) - dt.timedelta(days=day), dt.time(7, 30), tzinfo=user_zone(user)
            ),
            distance_m=6000.0 + (day % 5) * 1500,
            shoe=shoe,
            pain_before=1,
            pain_after=4 if day % 6 == 0 else 2,
            notes="Easy run 🏃" if day == 0 else "",
        )
    analytics_refresh(user)


def test_share_a_report_with_a_clinician(open_phone: PhoneFactory, runner: User) -> None:
    seed_log(runner)
    page = open_phone(viewport=NARROW_VIEWPORT)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, runner)

    page.goto("/share/")
    expect(page.get_by_role("heading", name="Share & export")).to_be_visible()
    page.get_by_label("Label").fill("Physio")
    expect(page.get_by_label("Valid for (days)")).to_have_value("14")
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_text("Link created")).to_be_visible()
    expect(page.locator(".share-qr svg")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_VIEWPORT["width"]
    url = page.get_by_label("Share link").input_value()
    assert "/shared/" in url
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    expect(page.get_by_role("listitem").filter(has_text="Physio")).to_contain_text("Opened 0 times")

    # The clinician's phone: a new browser context, no cookies, 360 px wide.
    clinic = open_phone(viewport=NARROW_VIEWPORT)
    response = clinic.goto(url)
    assert response is not None
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in response.headers["cache-control"]
    expect(clinic.get_by_role("heading", name="Running and back-pain report")).to_be_visible()
    # Named as "the runner": the account has no name, and the sign-in name is never shown.
    expect(clinic.get_by_text("The runner", exact=True)).to_be_visible()
    # At 360 px the sections are folded under their headings: the clinician opens one.
    chart = clinic.locator("svg.chart-weekly")
    expect(chart).to_be_hidden()
    clinic.get_by_role("button", name="Weekly distance and pain").click()
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] <= NARROW_VIEWPORT["width"]
    assert clinic.evaluate("document.documentElement.scrollWidth") <= NARROW_VIEWPORT["width"]
    expect(clinic.get_by_role("link", name="Report (PDF)")).to_be_visible()

    pdf_href = clinic.get_by_role("link", name="Report (PDF)").get_attribute("href")
    assert pdf_href is not None
    pdf = clinic.request.get(url + pdf_href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    # The runner sees both visits, then revokes (confirming the dialog).
    page.goto("/share/")
    item = page.get_by_role("listitem").filter(has_text="Physio")
    expect(item).to_contain_text("Opened 2 times")
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("listitem").filter(has_text="Physio")).to_contain_text("Revoked")

    gone = clinic.goto(url)
    assert gone is not None
    assert gone.status == 404
    expect(clinic.get_by_role("heading", name="This link does not open a report")).to_be_visible()
