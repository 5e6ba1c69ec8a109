"""Signing in: the lock-out after failed attempts (pages and token endpoint), the token
endpoint's rate limit, Argon2 password hashes, and sessions (new at sign-in, ended
elsewhere by a password change or reset, their length)."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory
from tests.helpers import ClientResponse, reset_password_by_email, settings_in_process

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"
LIMIT = 5


def sign_in(client: Client, username: str, password: str) -> ClientResponse:
    return client.post("/accounts/login/", {"username": username, "password": password})


def is_signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def move_failures_back(minutes: int) -> None:
    """As if the counted failures had happened ``minutes`` earlier."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


# --- Lock-out on the sign-in page ---


def test_five_wrong_passwords_from_two_addresses_pause_the_account(alice: User) -> None:
    first, second = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="203.0.113.2")
    for _ in range(3):
        assert sign_in(first, "alice", "wrong-password").status_code == 200
    assert sign_in(second, "alice", "wrong-password").status_code == 200

    fifth = sign_in(second, "alice", "wrong-password")

    assert fifth.status_code == 429
    # The right password from a third address is refused too while paused.
    third = Client(REMOTE_ADDR="192.0.2.3")
    locked = sign_in(third, "alice", PASSWORD)
    assert locked.status_code == 429
    assert not is_signed_in(third)
    # Someone else's account is not affected.
    UserFactory(username="bob")
    assert sign_in(third, "bob", PASSWORD).status_code == 302


def test_the_paused_page_says_what_happened_and_when_to_retry(client: Client, alice: User) -> None:
    for _ in range(LIMIT):
        response = sign_in(client, "alice", "wrong-password")

    assert response.status_code == 429
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    html = response.content.decode()
    assert "<h1>Signing in is paused</h1>" in html
    assert "paused for about 15 minutes" in html
    assert 'href="/accounts/password_reset/"' in html
    assert "Please enter a correct username" not in html  # not the wrong-password message


def test_the_username_counts_whatever_its_case(client: Client, alice: User) -> None:
    for name in ["alice", "ALICE", "Alice", "aLiCe", "alicE"]:
        sign_in(client, name, "wrong-password")

    assert sign_in(Client(REMOTE_ADDR="192.0.2.50"), "alice", PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_paused(alice: User) -> None:
    sprayer = Client(REMOTE_ADDR="198.51.100.66")
    for n in range(LIMIT):
        sign_in(sprayer, f"someone{n}", "password1")

    assert sign_in(sprayer, "alice", PASSWORD).status_code == 429
    # The account itself is fine from anywhere else.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.7"), "alice", PASSWORD).status_code == 302


def test_the_pause_ends_after_the_cool_off(client: Client, alice: User) -> None:
    for _ in range(LIMIT):
        sign_in(client, "alice", "wrong-password")
    move_failures_back(minutes=14)
    assert sign_in(client, "alice", PASSWORD).status_code == 429

    move_failures_back(minutes=2)

    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_attempts_while_paused_do_not_extend_the_pause(client: Client, alice: User) -> None:
    """Otherwise whoever keeps guessing could keep the real user out for good."""
    for _ in range(LIMIT):
        sign_in(client, "alice", "wrong-password")
    move_failures_back(minutes=10)
    assert sign_in(client, "alice", "wrong-again").status_code == 429

    move_failures_back(minutes=6)

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client: Client, alice: User) -> None:
    for _ in range(LIMIT - 1):
        sign_in(client, "alice", "wrong-password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(LIMIT - 1):
        sign_in(client, "alice", "wrong-password")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_guesses_at_another(
    client: Client, alice: User
) -> None:
    UserFactory(username="mallory")
    for _ in range(LIMIT - 1):
        sign_in(client, "alice", "wrong-password")
    assert sign_in(client, "mallory", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    assert sign_in(client, "alice", "wrong-password").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="203.0.113.9"), "alice", PASSWORD).status_code == 429


def test_an_administrator_lifts_the_pause(client: Client, alice: User) -> None:
    for _ in range(LIMIT):
        sign_in(client, "alice", "wrong-password")

    call_command("axes_reset_username", "alice")

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_behind_the_proxy_the_forwarded_address_is_counted(settings: Settings, alice: User) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(LIMIT):
        proxy.post(
            "/accounts/login/",
            {"username": f"someone{n}", "password": "password1"},
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, 203.0.113.{n}",
            HTTP_X_FORWARDED_PROTO="https",
            secure=True,
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        f"203.0.113.{n}" for n in range(LIMIT)
    }
    # Five visitors behind one proxy, one failure each: nobody is paused.
    response = proxy.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.0",
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )
    assert response.status_code == 302


def test_ipv6_addresses_count_per_64_block(alice: User) -> None:
    """One household or server usually has a whole /64: its addresses are one address."""
    for n in range(LIMIT):
        sign_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1}"), f"someone{n}", "password1")

    assert sign_in(Client(REMOTE_ADDR="2001:db8:1:2:ffff::9"), "alice", PASSWORD).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="2001:db8:1:3::1"), "alice", PASSWORD).status_code == 302


def test_a_forwarded_address_that_is_no_address_is_still_counted(settings: Settings, alice: User) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    for _ in range(LIMIT):
        response = proxy.post(
            "/accounts/login/",
            {"username": "alice", "password": "nope"},
            HTTP_X_FORWARDED_FOR="garbage",
            secure=True,
        )

    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address is None


# --- Lock-out and rate limit on the token endpoint ---


def test_the_token_endpoint_counts_wrong_passwords_and_answers_429(alice: User) -> None:
    api = APIClient(REMOTE_ADDR="198.51.100.9")
    for _ in range(LIMIT - 1):
        assert (
            api.post(
                "/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json"
            ).status_code
            == 400
        )

    fifth = api.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    right = APIClient(REMOTE_ADDR="192.0.2.9").post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )

    for response in (fifth, right):
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert "signing in is paused" in response.json()["detail"]
        assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    assert "token" not in right.json()


def test_failures_on_the_page_and_the_api_add_up(client: Client, alice: User) -> None:
    for _ in range(LIMIT - 1):
        sign_in(client, "alice", "wrong-password")
    api = APIClient()
    assert (
        api.post("/api/v1/auth/token/", {"username": "alice", "password": "x"}, format="json").status_code
        == 429
    )


def test_the_token_endpoint_takes_ten_requests_a_minute_per_address(alice: User) -> None:
    busy = APIClient(REMOTE_ADDR="198.51.100.77")
    for _ in range(10):
        assert busy.post("/api/v1/auth/token/", {}, format="json").status_code == 400

    limited = busy.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")

    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert "detail" in limited.json()
    other = APIClient(REMOTE_ADDR="192.0.2.77")
    assert (
        other.post(
            "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
        ).status_code
        == 200
    )


def test_the_token_endpoint_documents_its_429() -> None:
    schema = Client().get("/api/schema/?format=json").json()
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in responses
    request_body = schema["components"]["schemas"]["TokenRequestRequest"]["properties"]
    assert "otp" in request_body


# --- Argon2 ---


def production_hashers() -> list[str]:
    """PASSWORD_HASHERS as the settings module sets them (tests override them for speed)."""
    return importlib.import_module("backpainlog.settings").PASSWORD_HASHERS


def test_production_hashes_new_passwords_with_argon2(settings: Settings) -> None:
    assert production_hashers()[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production_hashers()

    user = User.objects.create_user("carol", password=NEW_PASSWORD)

    assert user.password.startswith("argon2$argon2id$")


def test_an_old_pbkdf2_hash_still_works_and_becomes_argon2(settings: Settings, client: Client) -> None:
    settings.PASSWORD_HASHERS = production_hashers()
    user = UserFactory(username="carol")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    assert sign_in(client, "carol", PASSWORD).status_code == 302

    user.refresh_from_db()
    assert user.password.startswith("argon2$")


# --- Sessions ---


def test_signing_in_starts_a_new_session(client: Client, alice: User) -> None:
    before = client.session
    before["theme"] = "dark"
    before.save()
    old_key = client.cookies["sessionid"].value

    assert sign_in(client, "alice", PASSWORD).status_code == 302

    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert is_signed_in(client)


def test_changing_the_password_signs_out_every_other_session(alice: User) -> None:
    phone, laptop = Client(), Client()
    assert sign_in(phone, "alice", PASSWORD).status_code == 302
    assert sign_in(laptop, "alice", PASSWORD).status_code == 302

    response = laptop.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_resetting_the_password_signs_out_every_session(client: Client, alice: User) -> None:
    phone = Client()
    assert sign_in(phone, "alice", PASSWORD).status_code == 302

    response = reset_password_by_email(client, alice, NEW_PASSWORD)

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert sign_in(Client(), "alice", NEW_PASSWORD).status_code == 302


def test_a_session_lasts_fourteen_days_unless_configured(client: Client, alice: User) -> None:
    sign_in(client, "alice", PASSWORD)
    assert client.cookies["sessionid"]["max-age"] == 14 * 24 * 60 * 60
    assert "signed in on this device for 14 days" in client.get("/settings/").content.decode()


def _session_age(days: str) -> subprocess.CompletedProcess[str]:
    return settings_in_process("s.SESSION_COOKIE_AGE", DJANGO_SESSION_DAYS=days)


def test_the_session_length_comes_from_the_environment() -> None:
    assert _session_age("3").stdout.strip() == str(3 * 24 * 60 * 60)
    refused = _session_age("0")
    assert refused.returncode != 0
    assert "DJANGO_SESSION_DAYS must be 1 or more" in refused.stderr


# --- Passwords given again while signed in ---


def _change_password(client: Client, old: str) -> ClientResponse:
    return client.post(
        "/accounts/password_change/",
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_wrong_old_passwords_at_the_password_change_lock_the_account_out(alice: User) -> None:
    """20 wrong guesses went uncounted, then the right one worked."""
    client = Client()
    client.force_login(alice)
    for _ in range(LIMIT - 1):
        assert _change_password(client, "wrong guess").status_code == 200
    assert _change_password(client, "wrong guess").status_code == 429

    response = _change_password(client, PASSWORD)

    assert response.status_code == 200
    assert "Too many wrong passwords" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert sign_in(Client(), "alice", PASSWORD).status_code == 429
    assert AccessAttempt.objects.filter(username="alice", failures_since_start=LIMIT).exists()


def test_wrong_passwords_at_the_api_account_deletion_lock_the_account_out(alice: User) -> None:
    api = APIClient()
    api.force_authenticate(alice)
    for _ in range(LIMIT - 1):
        response = api.delete("/api/v1/account/", {"password": "wrong guess"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"password": ["Incorrect password."]}
    assert api.delete("/api/v1/account/", {"password": "wrong guess"}, format="json").status_code == 429

    response = api.delete("/api/v1/account/", {"password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert User.objects.filter(pk=alice.pk).exists()
    events = alice.audit_events.filter(kind="sign_in_failed")
    assert events.count() == LIMIT
    event = events.first()
    assert event is not None
    assert event.detail["via"] == "api"
    assert event.detail["step"] == "password_check"


def test_the_right_password_at_the_api_account_deletion_still_deletes(alice: User) -> None:
    api = APIClient()
    api.force_authenticate(alice)
    assert api.delete("/api/v1/account/", {"password": PASSWORD}, format="json").status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()
