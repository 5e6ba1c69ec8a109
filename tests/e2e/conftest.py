"""Browser tests: Playwright's sync API driving the system Chromium against ``live_server``.

Run with ``pytest tests/e2e``. Without a browser they are skipped with the reason, except
in CI (``CI`` set), where a missing browser fails them: CI installs one, and a skipped
browser test there would hide a broken page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect, sync_playwright

from tests.factories import PASSWORD, UserFactory

# Playwright's sync API runs an event loop in the test's thread, so Django would refuse
# the test's own ORM calls (factories, assertions) as "async unsafe". They are not: the
# loop only waits for the browser.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# The system Chromium (Debian's package). Playwright's own browser download is not used.
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = "Pixel 7"  # 412 × 915, touch, mobile
NARROW_VIEWPORT = {"width": 360, "height": 780}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = f"No Chromium at {CHROMIUM} (install Debian's `chromium`, or set E2E_CHROMIUM)."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} Browser tests are never skipped in CI.", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PhoneFactory(Protocol):
    def __call__(
        self,
        *,
        viewport: dict[str, int] | None = None,
        locale: str | None = None,
        screen: dict[str, int] | None = None,
    ) -> Page: ...


@pytest.fixture
def open_phone(
    playwright: Playwright, browser: Browser, live_server: Any, transactional_db: None
) -> Iterator[PhoneFactory]:
    """Opens a fresh tab (no cookies: signed out) on a Pixel 7 pointed at the live server;
    ``viewport`` narrows the screen, e.g. to 360 px; ``locale`` sets the browser's language
    (``de-DE``); ``screen`` a screen taller than the page (as with the keyboard open)."""
    contexts: list[BrowserContext] = []

    def open_page(
        *,
        viewport: dict[str, int] | None = None,
        locale: str | None = None,
        screen: dict[str, int] | None = None,
    ) -> Page:
        options = {**playwright.devices[PHONE], "base_url": live_server.url}
        options.pop("default_browser_type", None)
        if viewport is not None:
            options["viewport"] = options["screen"] = viewport
        if screen is not None:
            options["screen"] = screen
        if locale is not None:
            options["locale"] = locale
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def phone(open_phone: PhoneFactory) -> Page:
    """A Pixel 7 (412 × 915)."""
    return open_phone()


@pytest.fixture
def narrow_phone(open_phone: PhoneFactory) -> Page:
    """The same phone, 360 px wide: the narrowest screen the app supports."""
    return open_phone(viewport=NARROW_VIEWPORT)


@pytest.fixture
def runner(transactional_db: None) -> User:
    return UserFactory(username="runner")


def sign_in(page: Page, user: User) -> None:
    """Through the sign-in form, as the user would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {user.username}")).to_be_visible()


def screenshot(target: Page | Locator, name: str, *, full_page: bool = False) -> None:
    """For a look at the screens: saved when E2E_SCREENSHOTS names a folder (not asserted)."""
    if folder := os.environ.get("E2E_SCREENSHOTS"):
        path = Path(folder) / name
        if isinstance(target, Page):
            target.screenshot(path=path, full_page=full_page)
        else:
            target.screenshot(path=path)
