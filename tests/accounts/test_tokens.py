"""API tokens: listed and revoked (one or all) in Settings and the API, expired after the
idle period, and all revoked by a password change or reset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from backpainlog.accounts.models import ApiToken
from backpainlog.accounts.services import api_token_create
from tests.factories import PASSWORD
from tests.helpers import reset_password_by_email, with_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"
TOKENS = "/api/v1/auth/tokens/"


def obtain(username: str = "alice", label: str = "", agent: str = "python-requests/2.32") -> str:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": PASSWORD, "label": label},
        format="json",
        HTTP_USER_AGENT=agent,
    )
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def test_the_list_shows_each_token_without_the_token(alice: User, bob: User) -> None:
    phone = obtain(label="Phone sync", agent="Mozilla/5.0 (Linux; Android 14) Firefox/130.0")
    script = obtain(label="Backup script")
    obtain("bob", label="Bob's")

    response = with_token(script).get(TOKENS)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["label"] for item in results] == ["Backup script", "Phone sync"]
    first, second = results
    assert set(first) == {"id", "label", "client", "created_at", "last_used_at", "expires_at", "current"}
    assert (first["client"], first["current"]) == ("Python script", True)
    assert (second["client"], second["current"]) == ("Firefox on Android", False)
    assert phone not in response.content.decode()


def test_revoking_one_token_stops_it_and_no_other(alice: User) -> None:
    keep, stolen = obtain(label="keep"), obtain(label="stolen")
    stolen_id = ApiToken.objects.get(label="stolen").pk

    assert with_token(keep).delete(f"{TOKENS}{stolen_id}/").status_code == 204

    assert with_token(stolen).get("/api/v1/runs/").status_code == 401
    assert with_token(keep).get("/api/v1/runs/").status_code == 200
    assert alice.audit_events.filter(kind=AuditEvent.Kind.TOKEN_REVOKED).count() == 1


def test_another_users_token_is_a_404(alice: User, bob: User) -> None:
    obtain("bob")
    bobs = ApiToken.objects.get(user=bob).pk
    response = with_token(obtain()).delete(f"{TOKENS}{bobs}/")
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=bobs).exists()


def test_revoke_all_revokes_every_token_the_one_used_included(alice: User, bob: User) -> None:
    tokens = [obtain(), obtain(), obtain()]
    obtain("bob")

    assert with_token(tokens[0]).post(f"{TOKENS}revoke-all/").status_code == 204

    assert all(with_token(token).get("/api/v1/runs/").status_code == 401 for token in tokens)
    assert not ApiToken.objects.filter(user=alice).exists()
    assert ApiToken.objects.filter(user=bob).count() == 1
    event = alice.audit_events.filter(kind=AuditEvent.Kind.TOKEN_REVOKED).get()
    assert event.summary() == "All 3 tokens"


@pytest.mark.parametrize(("idle_days", "works"), [(89, True), (91, False)])
def test_a_token_expires_after_90_days_without_use(alice: User, idle_days: int, works: bool) -> None:
    record, token = api_token_create(user=alice)
    long_ago = timezone.now() - dt.timedelta(days=idle_days)
    ApiToken.objects.filter(pk=record.pk).update(
        created_at=long_ago - dt.timedelta(days=300), last_used_at=long_ago
    )

    response = with_token(token).get("/api/v1/runs/")

    assert response.status_code == (200 if works else 401)
    assert ApiToken.objects.filter(pk=record.pk).exists() is works
    if not works:
        assert "not used for 90 days" in response.json()["detail"]


def test_a_token_from_before_use_was_recorded_expires_90_days_after_it_was_made(alice: User) -> None:
    record, token = api_token_create(user=alice)
    long_ago = timezone.now() - dt.timedelta(days=91)
    ApiToken.objects.filter(pk=record.pk).update(created_at=long_ago, last_used_at=None)
    assert with_token(token).get("/api/v1/runs/").status_code == 401


def test_use_is_recorded_at_most_every_few_minutes(alice: User) -> None:
    record, token = api_token_create(user=alice)
    obtained = record.last_used_at
    assert obtained is not None  # obtaining it was its first use
    client = with_token(token)
    client.get("/api/v1/profile/")
    assert ApiToken.objects.get(pk=record.pk).last_used_at == obtained
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=obtained - dt.timedelta(minutes=6))
    client.get("/api/v1/profile/")
    last_used = ApiToken.objects.get(pk=record.pk).last_used_at
    assert last_used is not None
    assert last_used > obtained


def change_password(client: Client) -> None:
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302


def test_a_password_change_revokes_every_token_and_keeps_the_session(
    alice: User, alice_client: Client
) -> None:
    tokens = [obtain(), obtain()]

    change_password(alice_client)

    assert all(with_token(token).get("/api/v1/runs/").status_code == 401 for token in tokens)
    assert alice_client.get("/settings/").status_code == 200
    event = alice.audit_events.filter(kind=AuditEvent.Kind.TOKEN_REVOKED).get()
    assert event.summary() == "All 2 tokens, as the password was changed"


def test_a_password_reset_revokes_every_token(alice: User) -> None:
    token = obtain()

    response = reset_password_by_email(Client(), alice, NEW_PASSWORD)

    assert response.status_code == 302
    assert with_token(token).get("/api/v1/runs/").status_code == 401
    assert alice.audit_events.filter(
        kind=AuditEvent.Kind.TOKEN_REVOKED, detail__reason="password_reset"
    ).exists()


def test_settings_lists_the_tokens_and_revokes_them(alice: User, alice_client: Client) -> None:
    sync, script = obtain(label="Phone sync"), obtain(label="Backup script")
    page = alice_client.get("/settings/").content.decode()
    for shown in ("Phone sync", "Backup script", "Python script"):
        assert shown in page
    assert sync not in page

    pk = ApiToken.objects.get(label="Phone sync").pk
    response = alice_client.post(f"/settings/tokens/{pk}/revoke/")
    assert response.status_code == 302
    assert with_token(sync).get("/api/v1/runs/").status_code == 401
    assert with_token(script).get("/api/v1/runs/").status_code == 200

    alice_client.post("/settings/tokens/revoke-all/")
    assert with_token(script).get("/api/v1/runs/").status_code == 401
    assert "No tokens" in alice_client.get("/settings/").content.decode()


def test_settings_cannot_revoke_another_users_token(alice: User, bob: User, alice_client: Client) -> None:
    obtain("bob")
    pk = ApiToken.objects.get(user=bob).pk
    assert alice_client.post(f"/settings/tokens/{pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=pk).exists()
