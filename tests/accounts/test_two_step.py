"""Two-step sign-in: setting it up (QR code, secret, confirmation, recovery codes), the
code step at sign-in (right, wrong, recovery code, expiry), turning it off, and the
token endpoint's ``otp`` field."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from backpainlog.accounts import services
from backpainlog.accounts.models import RecoveryCode
from backpainlog.accounts.signin import PENDING_KEY, PENDING_SECONDS
from tests.conftest import HtmlPage
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` 30-second steps on:
    a code is accepted once, so a second sign-in needs the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enable_two_step(user: User) -> tuple[TOTPDevice, list[str]]:
    device = services.two_step_setup_start(user=user)
    codes = services.two_step_enable(device=device, code=totp_code(device))
    device.refresh_from_db()
    return device, codes


def password_step(
    client: Client, username: str = "alice", password: str = PASSWORD, next_url: str = ""
) -> Any:
    url = f"/accounts/login/?next={next_url}" if next_url else "/accounts/login/"
    return client.post(url, {"username": username, "password": password, "next": next_url})


def is_signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def failed_sign_ins() -> Any:
    seen: list[dict[str, Any]] = []

    def receiver(
        sender: object, credentials: dict[str, Any], request: object = None, **kwargs: object
    ) -> None:
        seen.append({"credentials": credentials, "request": request})

    user_login_failed.connect(receiver)
    yield seen
    user_login_failed.disconnect(receiver)


# --- Setting it up ---


def test_setting_up_shows_a_qr_code_and_the_secret_then_needs_a_code(
    alice_client: Client, alice: User
) -> None:
    settings_page = alice_client.get("/settings/").content.decode()
    assert "Two-step sign-in" in settings_page
    assert (
        alice_client.post("/settings/two-step/start/", {"two_step_on-password": PASSWORD})["Location"]
        == "/settings/two-step/"
    )

    response = alice_client.get("/settings/two-step/")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    assert '<svg role="img" aria-label="QR code: scan it with your authenticator app"' in html
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    code = HtmlPage(html).assert_labels_one_control("6-digit code")
    assert code["autocomplete"] == "one-time-code"
    assert code["inputmode"] == "numeric"
    assert "style=" not in html
    assert "<script>" not in html
    # Until confirmed, signing in is unchanged.
    assert password_step(Client())["Location"] == "/"


def test_a_wrong_code_does_not_turn_it_on(alice_client: Client, alice: User) -> None:
    alice_client.post("/settings/two-step/start/", {"two_step_on-password": PASSWORD})
    device = TOTPDevice.objects.get(user=alice)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = alice_client.post("/settings/two-step/", {"code": wrong})

    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


def test_the_right_code_turns_it_on_and_shows_ten_recovery_codes_once(
    alice_client: Client, alice: User
) -> None:
    alice_client.post("/settings/two-step/start/", {"two_step_on-password": PASSWORD})
    device = TOTPDevice.objects.get(user=alice)

    response = alice_client.post("/settings/two-step/", {"code": totp_code(device)})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    listed = re.search(r'<ul class="recovery-codes"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert listed is not None
    shown = re.findall(r"<li>([^<]*)</li>", listed.group(1))
    assert len(set(shown)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code) for code in shown)
    assert TOTPDevice.objects.get(user=alice).confirmed
    # Only digests are stored.
    stored = set(RecoveryCode.objects.filter(user=alice).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not stored & set(shown)
    assert {services.recovery_code_digest(code) for code in shown} == stored
    # Shown once: the setup page is gone, the settings page says it is on.
    assert alice_client.get("/settings/two-step/")["Location"] == "/settings/"
    assert "Recovery codes left: 10" in alice_client.get("/settings/").content.decode()


def test_starting_again_replaces_an_unconfirmed_secret(alice_client: Client, alice: User) -> None:
    alice_client.post("/settings/two-step/start/", {"two_step_on-password": PASSWORD})
    first = TOTPDevice.objects.get(user=alice).key
    alice_client.post("/settings/two-step/start/", {"two_step_on-password": PASSWORD})
    assert list(TOTPDevice.objects.filter(user=alice).values_list("key", flat=True)) != [first]
    assert TOTPDevice.objects.filter(user=alice).count() == 1


# --- Signing in with it ---


def test_the_password_alone_does_not_sign_in(client: Client, alice: User) -> None:
    enable_two_step(alice)

    response = password_step(client)

    assert response["Location"] == "/accounts/login/code/"
    assert not is_signed_in(client)
    page = HtmlPage(client.get("/accounts/login/code/").content)
    code = page.assert_labels_one_control("6-digit code")
    assert code["autocomplete"] == "one-time-code"
    assert code["inputmode"] == "numeric"


def test_the_right_code_signs_in_and_goes_on_to_next(client: Client, alice: User) -> None:
    device, _ = enable_two_step(alice)
    signed_in: list[User] = []

    def receiver(sender: object, user: User, **kwargs: object) -> None:
        signed_in.append(user)

    user_logged_in.connect(receiver)
    try:
        password_step(client, next_url="/runs/new/")
        assert signed_in == []
        response = client.post("/accounts/login/code/", {"code": totp_code(device, steps_ahead=1)})
    finally:
        user_logged_in.disconnect(receiver)

    assert response.status_code == 302
    assert response["Location"] == "/runs/new/"
    assert signed_in == [alice]
    assert is_signed_in(client)
    assert PENDING_KEY not in client.session


def test_a_code_works_once(client: Client, alice: User) -> None:
    device, _ = enable_two_step(alice)
    code = totp_code(device, steps_ahead=1)
    password_step(client)
    assert client.post("/accounts/login/code/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")

    other = Client()
    password_step(other)
    assert other.post("/accounts/login/code/", {"code": code}).status_code == 400
    assert not is_signed_in(other)


def test_a_wrong_code_is_a_failed_sign_in(
    client: Client, alice: User, failed_sign_ins: list[dict[str, Any]]
) -> None:
    device, _ = enable_two_step(alice)
    password_step(client)
    wrong = f"{(int(totp_code(device, steps_ahead=1)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/login/code/", {"code": wrong})

    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert not is_signed_in(client)
    assert [event["credentials"] for event in failed_sign_ins] == [{"username": "alice"}]
    assert failed_sign_ins[0]["request"] is not None
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1


def test_five_wrong_codes_pause_signing_in(client: Client, alice: User) -> None:
    device, _ = enable_two_step(alice)
    password_step(client)
    for _ in range(4):
        assert client.post("/accounts/login/code/", {"code": "000000"}).status_code == 400

    fifth = client.post("/accounts/login/code/", {"code": "000000"})

    assert fifth.status_code == 429
    assert "Signing in is paused" in fifth.content.decode()
    # The right code now gets nowhere either, nor does the password elsewhere.
    assert client.post("/accounts/login/code/", {"code": totp_code(device, steps_ahead=1)}).status_code == 429
    assert not is_signed_in(client)
    assert password_step(Client(REMOTE_ADDR="192.0.2.1")).status_code == 429


def test_a_recovery_code_signs_in_once(alice: User) -> None:
    _, codes = enable_two_step(alice)
    first = Client()
    password_step(first)
    page = HtmlPage(first.get("/accounts/login/code/?recovery=1").content)
    assert "inputmode" not in page.assert_labels_one_control("Recovery code")

    # Typed in capitals and without the dashes, as people do.
    response = first.post("/accounts/login/code/?recovery=1", {"code": codes[3].replace("-", "").upper()})

    assert response.status_code == 302
    assert is_signed_in(first)
    assert RecoveryCode.objects.filter(user=alice).count() == 9
    second = Client()
    password_step(second)
    assert second.post("/accounts/login/code/?recovery=1", {"code": codes[3]}).status_code == 400
    assert not is_signed_in(second)


def test_the_code_step_expires_after_five_minutes(client: Client, alice: User) -> None:
    device, _ = enable_two_step(alice)
    password_step(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "started": time.time() - PENDING_SECONDS - 1}
    session.save()

    response = client.post("/accounts/login/code/", {"code": totp_code(device, steps_ahead=1)})

    assert response["Location"] == "/accounts/login/"
    assert not is_signed_in(client)


def test_the_code_step_belongs_to_the_browser_that_gave_the_password(alice: User) -> None:
    device, _ = enable_two_step(alice)
    password_step(Client())

    stranger = Client()
    response = stranger.post("/accounts/login/code/", {"code": totp_code(device, steps_ahead=1)})

    assert response["Location"] == "/accounts/login/"
    assert not is_signed_in(stranger)


def test_a_password_change_in_between_ends_the_code_step(client: Client, alice: User) -> None:
    device, _ = enable_two_step(alice)
    password_step(client)
    alice.set_password("a-brand-new-passphrase")
    alice.save()

    response = client.post("/accounts/login/code/", {"code": totp_code(device, steps_ahead=1)})

    assert response["Location"] == "/accounts/login/"


def test_the_password_step_gives_a_new_session(client: Client, alice: User) -> None:
    enable_two_step(alice)
    session = client.session
    session.save()
    before = client.cookies["sessionid"].value
    password_step(client)
    assert client.cookies["sessionid"].value != before


# --- Turning it off ---


def test_turning_it_off_needs_the_password(alice_client: Client, alice: User) -> None:
    enable_two_step(alice)
    page = HtmlPage(alice_client.get("/settings/").content)
    assert page.assert_labels_one_control("Password to turn it off")["type"] == "password"

    refused = alice_client.post("/settings/two-step/off/", {"two_step_off-password": "wrong"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=alice).exists()

    response = alice_client.post("/settings/two-step/off/", {"two_step_off-password": PASSWORD})

    assert response["Location"] == "/settings/"
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
    assert password_step(Client())["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(alice_client: Client, alice: User) -> None:
    _, old_codes = enable_two_step(alice)
    page = HtmlPage(alice_client.get("/settings/").content)
    assert page.assert_labels_one_control("Password for new codes")["type"] == "password"
    assert alice_client.post("/settings/two-step/codes/", {"new_codes-password": "wrong"}).status_code == 400

    response = alice_client.post("/settings/two-step/codes/", {"new_codes-password": PASSWORD})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new_codes = re.findall(r"<li>([a-z2-7-]{19})</li>", response.content.decode())
    assert len(set(new_codes)) == 10
    assert not set(new_codes) & set(old_codes)
    stranger = Client()
    password_step(stranger)
    assert stranger.post("/accounts/login/code/?recovery=1", {"code": old_codes[0]}).status_code == 400
    assert stranger.post("/accounts/login/code/?recovery=1", {"code": new_codes[0]}).status_code == 302


def test_new_recovery_codes_need_two_step_on(alice_client: Client, alice: User) -> None:
    response = alice_client.post("/settings/two-step/codes/", {"new_codes-password": PASSWORD})
    assert response["Location"] == "/settings/"
    assert not RecoveryCode.objects.filter(user=alice).exists()


def test_another_users_two_step_is_not_touched(alice_client: Client, bob: User) -> None:
    enable_two_step(bob)
    alice_client.post("/settings/two-step/off/", {"two_step_off-password": PASSWORD})
    alice_client.post("/settings/two-step/codes/", {"new_codes-password": PASSWORD})
    alice_client.post("/settings/two-step/start/", {"two_step_on-password": PASSWORD})
    assert TOTPDevice.objects.filter(user=bob, confirmed=True).count() == 1
    assert RecoveryCode.objects.filter(user=bob).count() == 10


# --- The token endpoint ---


def token(api: APIClient, **body: str) -> Any:
    return api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD, **body}, format="json")


def test_the_token_endpoint_asks_for_the_code(alice: User) -> None:
    enable_two_step(alice)

    response = token(APIClient())

    assert response.status_code == 400
    assert "otp" in response.json()
    assert "token" not in response.json()


def test_the_token_endpoint_refuses_a_wrong_code(alice: User, failed_sign_ins: list[dict[str, Any]]) -> None:
    enable_two_step(alice)

    response = token(APIClient(), otp="000000")

    assert response.status_code == 400
    assert response.json() == {"otp": ["This code is not right."]}
    assert [event["credentials"] for event in failed_sign_ins] == [{"username": "alice"}]


def test_the_fifth_wrong_code_on_the_token_endpoint_is_a_json_429(alice: User) -> None:
    enable_two_step(alice)
    for _ in range(4):
        assert token(APIClient(), otp="000000").status_code == 400

    fifth = token(APIClient(), otp="000000")

    assert fifth.status_code == 429
    assert fifth["Content-Type"] == "application/json"
    assert "signing in is paused" in fifth.json()["detail"]
    assert int(fifth["Retry-After"]) > 0


def test_the_token_endpoint_takes_the_code_or_a_recovery_code(alice: User) -> None:
    device, codes = enable_two_step(alice)

    with_app = token(APIClient(), otp=totp_code(device, steps_ahead=1))
    with_recovery = token(APIClient(), otp=codes[0])

    assert with_app.status_code == 200
    assert with_app.json()["token"]
    assert with_recovery.status_code == 200
    assert token(APIClient(), otp=codes[0]).status_code == 400  # used up


def test_without_two_step_the_otp_field_is_ignored(alice: User) -> None:
    assert token(APIClient(), otp="123456").status_code == 200


def test_turning_two_step_on_needs_the_password(alice: User, alice_client: Client) -> None:
    """A stolen session alone must not put another phone between the owner and the account."""
    refused = alice_client.post("/settings/two-step/start/", {"two_step_on-password": "wrong-password"})

    assert refused.status_code == 400
    assert "Incorrect password." in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_wrong_passwords_in_settings_count_as_failed_sign_ins(alice: User, alice_client: Client) -> None:
    def turn_on(password: str) -> Any:
        return alice_client.post("/settings/two-step/start/", {"two_step_on-password": password})

    assert [turn_on("wrong").status_code for _ in range(5)] == [400, 400, 400, 400, 429]
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 5

    # Paused: even the right password is refused here now, as at the sign-in page.
    locked = turn_on(PASSWORD)
    assert locked.status_code == 400
    assert "Too many wrong passwords" in locked.content.decode()
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_the_admin_signs_in_through_the_two_step_sign_in(alice: User) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    enable_two_step(alice)
    client = Client()

    answer = client.post("/admin/login/?next=/admin/", {"username": "alice", "password": PASSWORD})

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/admin/"
    assert not is_signed_in(client)
    assert client.get("/admin/").status_code == 302
