"""Two-step sign-in in the browser: the runner turns it on from Settings (the key is
read off the page, as an authenticator app would take it), saves the recovery codes,
and then signs in on another phone with the password and a code from the app."""

from __future__ import annotations

import base64
import time

import pytest
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.conftest import NARROW_VIEWPORT, PhoneFactory, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app given ``secret`` (base32, spaced) shows."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def test_turn_on_two_step_and_sign_in_with_a_code(open_phone: PhoneFactory, runner: User) -> None:
    page = open_phone(viewport=NARROW_VIEWPORT)
    sign_in(page, runner)

    page.goto("/settings/")
    page.get_by_label("Password to turn it on").fill(PASSWORD)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Turn on two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code: scan it with your authenticator app")).to_be_visible()
    secret = page.locator("#two-step-secret").inner_text()
    code_box = page.get_by_label("6-digit code from the app")
    expect(code_box).to_have_attribute("autocomplete", "one-time-code")
    expect(code_box).to_have_attribute("inputmode", "numeric")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_VIEWPORT["width"]
    code_box.fill(app_code(secret))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("Recovery codes left: 10")).to_be_visible()

    other = open_phone()
    other.goto("/accounts/login/")
    other.get_by_label("Username").fill(runner.username)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    other.get_by_label("6-digit code").fill(app_code(secret, steps_ahead=1))
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("heading", name=f"Hello, {runner.username}")).to_be_visible()
