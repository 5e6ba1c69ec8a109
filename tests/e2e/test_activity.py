"""Account activity in the browser: a wrong password from one phone, then the right one
from another, and the runner finds both on the page (the failure marked) at 360 px,
reached from Settings, with no error in the console (a strict CSP reports there)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.e2e.conftest import NARROW_VIEWPORT, PhoneFactory, sign_in

pytestmark = pytest.mark.e2e


def test_the_runner_sees_a_failed_sign_in(open_phone: PhoneFactory, runner: User) -> None:
    intruder = open_phone()
    intruder.goto("/accounts/login/")
    intruder.get_by_label("Username").fill(runner.username)
    intruder.get_by_label("Password").fill("a-wrong-guess")
    intruder.get_by_role("button", name="Sign in").click()
    expect(intruder.get_by_role("heading", name="Sign in")).to_be_visible()

    page = open_phone(viewport=NARROW_VIEWPORT)
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    sign_in(page, runner)
    page.goto("/settings/")
    page.get_by_role("link", name="Account activity").click()
    expect(page.get_by_role("heading", name="Account activity")).to_be_visible()

    items = page.locator(".activity > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Signed in")
    expect(items.nth(1)).to_contain_text("Failed sign-in")
    expect(items.nth(1)).to_contain_text("Chrome on Android")
    expect(items.nth(1)).to_have_class("item failure")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_VIEWPORT["width"]
    assert console_errors == []
