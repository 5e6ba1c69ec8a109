"""The Content-Security-Policy in a real browser: every page of the app, the API docs,
the admin and a clinician's shared report load and work with no violation reported, so the
policy neither blocks anything the app needs nor had to be loosened for it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, Page, expect

from sharing.services import share_link_create
from tests.e2e.conftest import PhoneFactory, sign_in
from tests.e2e.test_core_flow import scale_button, seed_a_busy_log
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

# Registered before any page script runs, on every document the tab opens; the binding
# outlives navigations, so a violation on one page is still reported after the next.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${document.location.pathname}`
    + (event.sample ? `: ${event.sample}` : "")
  );
});
"""

# The pain line's dash comes only from the fallback rules inside the chart's own <style>
# (charts.css sets colours): a dash proves the browser applied that element.
PAIN_DASH = "() => getComputedStyle(document.querySelector('svg.chart .chart-pain')).strokeDasharray"


def record_violations(page: Page) -> list[str]:
    """Every CSP violation the page reports from now on: the DOM event, and Chromium's
    console message as a second witness (it also covers what fires no event)."""
    violations: list[str] = []

    def on_event(description: str) -> None:
        violations.append(description)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console on {page.url}: {message.text}")

    page.expose_function("reportCspViolation", on_event)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", on_console)
    return violations


def visit(page: Page, path: str, ready: Callable[[], None]) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    ready()


def test_every_page_works_without_a_csp_violation(open_phone: PhoneFactory, runner: User) -> None:
    seed_a_busy_log(runner)
    _, token = share_link_create(user=runner, label="Physio", expires_in_days=14)
    page = open_phone()
    violations = record_violations(page)
    sign_in(page, runner)

    # Dashboard: the three server-drawn charts, styled by their own inline rules.
    charts = page.locator("figure.chart svg[role=img]")
    expect(charts).to_have_count(3)
    assert page.evaluate(PAIN_DASH) == "5px, 3px"
    # The period switch goes through htmx: only the trends are swapped in.
    page.evaluate("window.__marker = 1")
    page.get_by_role("navigation", name="Period").get_by_role("link", name="4 weeks").click()
    expect(page.get_by_role("link", name="4 weeks")).to_have_attribute("aria-current", "true")
    expect(page).to_have_url(re.compile(r"/\?weeks=4$"))
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping the trends"
    expect(charts).to_have_count(3)

    visit(
        page, "/runs/", lambda: expect(page.get_by_role("heading", name="Runs", exact=True)).to_be_visible()
    )

    # Logging a run: the form is swapped for the confirmation by htmx.
    visit(page, "/runs/new/", lambda: expect(page.get_by_label("Distance")).to_be_visible())
    page.get_by_label("Distance").fill("7.5")
    page.get_by_label("Duration").fill("40:00")
    scale_button(page, "Pain before", 1).tap()
    page.get_by_label("Pain after").fill("2")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Save", exact=True).tap()
    assert posted.value.request.headers.get("hx-request") == "true"
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text("7.50 km")

    visit(
        page, "/pain/new/", lambda: expect(page.get_by_role("heading", name="Pain check-in")).to_be_visible()
    )
    scale_button(page, "Pain", 4).tap()
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.get_by_text("Pain check-in saved.")).to_be_visible()

    visit(
        page, "/shoes/", lambda: expect(page.get_by_role("heading", name="Shoes", exact=True)).to_be_visible()
    )
    visit(
        page,
        "/settings/",
        lambda: expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible(),
    )
    visit(page, "/import/", lambda: expect(page.get_by_label("Files")).to_be_visible())
    visit(page, "/definitions/", lambda: expect(page.locator("#long_run_spike")).to_be_visible())

    # Creating a share link (htmx) shows its QR code, an inline SVG.
    visit(page, "/share/", lambda: expect(page.get_by_role("heading", name="Share & export")).to_be_visible())
    page.get_by_label("Label").fill("GP")
    page.get_by_role("button", name="Create link").click()
    expect(page.locator(".share-qr svg")).to_be_visible()

    # Swagger UI renders the schema's operations from its separately served init script.
    visit(page, "/api/docs/", lambda: expect(page.locator(".opblock").first).to_be_visible())
    expect(page.get_by_text("backpainlog API").first).to_be_visible()

    # The clinician: no session, the public report with its chart.
    clinic = open_phone()
    clinic_violations = record_violations(clinic)
    visit(
        clinic,
        f"/shared/{token}/",
        lambda: expect(clinic.get_by_role("heading", name="Running and back-pain report")).to_be_visible(),
    )
    clinic.get_by_role("button", name="Weekly distance and pain").click()  # folded on a phone
    expect(clinic.locator("svg.chart-weekly")).to_be_visible()
    assert clinic.evaluate(PAIN_DASH) == "5px, 3px"

    assert violations == []
    assert clinic_violations == []


def test_the_admin_works_without_a_csp_violation(open_phone: PhoneFactory, runner: User) -> None:
    seed_a_busy_log(runner)
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    page = open_phone()
    violations = record_violations(page)

    # The admin sends staff through the app's own sign-in (two-step code included).
    page.goto("/admin/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    visit(page, "/admin/runs/run/", lambda: expect(page.locator("#result_list")).to_be_visible())
    # The change form's date and time shortcuts are drawn by the admin's scripts.
    page.locator("#result_list tbody a").first.click()
    expect(page.get_by_role("link", name="Today").first).to_be_visible()

    assert violations == []
