"""``/api/v1/share-links/``: create (the token once), list, read, revoke; scoped to the
caller; bad input is a 400 that stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from backpainlog.accounts.authentication import token_digest
from backpainlog.accounts.selectors import local_today
from sharing.models import ShareAccess, ShareLink
from sharing.services import share_access_record
from tests.sharing.helpers import make_link

URL = "/api/v1/share-links/"


def test_create_returns_the_url_once_and_stores_only_a_hash(alice: User, alice_api: APIClient) -> None:
    response = alice_api.post(URL, {"label": "Dr Ruiz", "expires_in_days": 30}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["label"] == "Dr Ruiz"
    assert body["url"].startswith("http://testserver/shared/")
    token = body["url"].removeprefix("http://testserver/shared/").rstrip("/")
    assert len(token) >= 43
    link = ShareLink.objects.get(pk=body["id"])
    assert link.digest == token_digest(token)
    # The token is nowhere in the database: not in this row, not in any column.
    assert token not in str(ShareLink.objects.filter(pk=link.pk).values().get())
    assert body["revoked"] is False
    assert body["status"] == "active"
    assert body["access_count"] == 0
    assert body["last_accessed_at"] is None
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)

    listed = alice_api.get(URL).json()["results"][0]
    detail = alice_api.get(f"{URL}{link.pk}/").json()
    for shown in (listed, detail):
        assert "url" not in shown
        assert token not in str(shown)
        assert set(shown) >= {
            "id",
            "label",
            "created_at",
            "expires_at",
            "revoked",
            "access_count",
            "last_accessed_at",
        }


def test_defaults_14_days_and_the_whole_log(alice_api: APIClient) -> None:
    body = alice_api.post(URL, {}, format="json").json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=14))) < dt.timedelta(minutes=1)
    assert body["from"] is None
    assert body["to"] is None
    assert body["label"] == ""


def test_period_is_kept(alice_api: APIClient) -> None:
    body = alice_api.post(URL, {"from": "2026-01-01", "to": "2026-03-31"}, format="json").json()
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-03-31")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"expires_in_days": -5}, "expires_in_days"),
        ({"expires_in_days": "14"}, "expires_in_days"),
        ({"expires_in_days": 1.5}, "expires_in_days"),
        ({"expires_in_days": True}, "expires_in_days"),
        ({"expires_in_days": None}, "expires_in_days"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "1800-01-01"}, "from"),
        ({"label": "x" * 101}, "label"),
        ({"label": ["a"]}, "label"),
        ({"label": "nul\x00byte"}, "label"),
    ],
)
def test_bad_input_is_400_and_stores_nothing(alice_api: APIClient, payload: dict, field: str) -> None:
    response = alice_api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ShareLink.objects.exists()


def test_a_year_ahead_is_the_latest_end(alice: User, alice_api: APIClient) -> None:
    ahead = local_today(alice) + dt.timedelta(days=366)
    assert alice_api.post(URL, {"to": ahead.isoformat()}, format="json").status_code == 201
    too_far = ahead + dt.timedelta(days=1)
    assert alice_api.post(URL, {"to": too_far.isoformat()}, format="json").status_code == 400


def test_body_that_is_not_an_object_is_400(alice_api: APIClient) -> None:
    assert alice_api.post(URL, "[1, 2]", content_type="application/json").status_code == 400
    assert alice_api.post(URL, "{not json", content_type="application/json").status_code == 400


def test_delete_revokes_and_keeps_the_row(alice: User, alice_api: APIClient) -> None:
    link, token = make_link(alice)

    assert alice_api.delete(f"{URL}{link.pk}/").status_code == 204
    assert alice_api.delete(f"{URL}{link.pk}/").status_code == 204  # again: nothing changes

    link.refresh_from_db()
    assert link.revoked_at is not None
    body = alice_api.get(f"{URL}{link.pk}/").json()
    assert body["revoked"] is True
    assert body["status"] == "revoked"
    assert APIClient().get(f"/shared/{token}/").status_code == 404


def test_access_count_and_last_access(alice: User, alice_api: APIClient) -> None:
    link, _ = make_link(alice)
    for kind in ("page", "pdf", "page"):
        share_access_record(link=link, kind=kind, user_agent="Mozilla/5.0 (iPhone) Safari/605")
    body = alice_api.get(f"{URL}{link.pk}/").json()
    assert body["access_count"] == 3
    assert body["last_accessed_at"] is not None


def test_bob_sees_only_his_links_and_gets_404_on_alices(alice: User, bob: User, bob_api: APIClient) -> None:
    link, _ = make_link(alice)
    make_link(bob, label="Bob's")

    assert [item["label"] for item in bob_api.get(URL).json()["results"]] == ["Bob's"]
    assert bob_api.get(f"{URL}{link.pk}/").status_code == 404
    assert bob_api.delete(f"{URL}{link.pk}/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_without_credentials_401(db: None) -> None:
    client = APIClient()
    assert client.get(URL).status_code == 401
    assert client.post(URL, {}, format="json").status_code == 401


def test_no_update(alice: User, alice_api: APIClient) -> None:
    link, _ = make_link(alice)
    assert alice_api.patch(f"{URL}{link.pk}/", {"label": "x"}, format="json").status_code == 405
    assert alice_api.put(f"{URL}{link.pk}/", {"label": "x"}, format="json").status_code == 405


def test_list_queries_do_not_grow_with_links_or_accesses(alice: User, alice_api: APIClient) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_api.get(URL).status_code == 200
        return len(queries)

    link, _ = make_link(alice)
    share_access_record(link=link, kind="page")
    one = count()
    for _ in range(20):
        other, _ = make_link(alice)
        share_access_record(link=other, kind=ShareAccess.Kind.CSV)
    for _ in range(12):  # more than the ten recent accesses shown
        share_access_record(link=link, kind="pdf")
    assert count() == one
    assert one <= 4  # token, user, profile, the links with their counts: no access rows
