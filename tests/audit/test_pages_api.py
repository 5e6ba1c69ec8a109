"""The "Account activity" page and ``GET /api/v1/audit-events/``: newest first, paginated,
in the user's time zone, failures highlighted, each user's own only, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import record_event
from backpainlog.accounts.services import profile_update
from tests.conftest import HtmlPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

URL = "/settings/activity/"
API = "/api/v1/audit-events/"


def add_events(user: User, count: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            user=user, kind=AuditEvent.Kind.EXPORTED, detail={"format": "csv", "from": None, "to": None}
        )
        for _ in range(count)
    )


def test_login_required(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert APIClient().get(API).status_code == 401


def test_linked_from_settings(alice_client: Client) -> None:
    html = alice_client.get("/settings/").content.decode()
    assert f'href="{URL}"' in html
    assert "Account activity" in html


def test_the_page_lists_newest_first_in_the_users_time_zone(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, timezone="America/Los_Angeles")
    AuditEvent.objects.all().delete()
    older = record_event(user=alice, kind=AuditEvent.Kind.SIGNED_OUT)
    older.occurred_at = dt.datetime(2026, 7, 1, 3, 30, tzinfo=dt.UTC)  # 30 Jun, 20:30 in LA
    older.save()
    newer = record_event(
        user=alice,
        kind=AuditEvent.Kind.EXPORTED,
        detail={"format": "pdf", "from": "2026-01-01", "to": "2026-03-31"},
    )
    newer.occurred_at = dt.datetime(2026, 7, 2, 12, 0, tzinfo=dt.UTC)
    newer.save()

    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f'id="event-{newer.pk}"') < html.index(f'id="event-{older.pk}"')
    assert "Tue 30 Jun 2026, 20:30" in html
    assert "Report as PDF, 1 Jan 2026 – 31 Mar 2026" in html


def test_a_failed_sign_in_is_highlighted_with_its_address(alice: User, alice_client: Client) -> None:
    failed = AuditEvent.objects.create(
        user=alice,
        kind=AuditEvent.Kind.SIGN_IN_FAILED,
        detail={"via": "web"},
        client="Chrome on Windows",
        address="203.0.113.9",
    )
    signed_in = AuditEvent.objects.get(user=alice, kind=AuditEvent.Kind.SIGNED_IN)  # the test client's
    html = alice_client.get(URL).content.decode()
    assert f'<li class="item failure" id="event-{failed.pk}">' in html
    assert f'<li class="item" id="event-{signed_in.pk}">' in html
    row = html[html.index(f'id="event-{failed.pk}"') :].split("</li>", 1)[0]
    assert "Failed sign-in" in row
    assert "Chrome on Windows" in row
    assert "203.0.113.9" in row


def test_no_inline_script_or_style(alice: User, alice_client: Client) -> None:
    add_events(alice, 3)
    html = alice_client.get(URL).content.decode()
    assert " style=" not in html
    assert "<script>" not in html


def test_the_page_is_paginated(alice: User, alice_client: Client) -> None:
    add_events(alice, 60)
    first = alice_client.get(URL).content.decode()
    assert first.count('<li class="item') == 50
    assert "Page 1 of 2" in first
    second = alice_client.get(URL, {"page": 2}).content.decode()
    assert second.count('<li class="item') == AuditEvent.objects.filter(user=alice).count() - 50
    # A page that is not a number shows the first, never an error.
    assert alice_client.get(URL, {"page": "x"}).status_code == 200


def test_page_queries_do_not_grow_with_events(alice: User, alice_client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get(URL).status_code == 200
        return len(queries)

    alice_client.get(URL)  # the first request of a session creates the profile
    one = count()
    add_events(alice, 120)
    assert count() == one
    assert one <= 5  # session, user, profile, the count and the page


def test_the_api_lists_the_callers_events(alice: User, alice_api: APIClient) -> None:
    AuditEvent.objects.all().delete()
    add_events(alice, 3)
    response = alice_api.get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    event = body["results"][0]
    assert set(event) == {"id", "kind", "occurred_at", "summary", "detail", "browser", "address"}
    assert event["kind"] == "exported"
    assert event["summary"] == "Runs as CSV, whole log"
    assert alice_api.get(f"{API}{event['id']}/").json() == event


def test_the_api_is_read_only(alice: User, alice_api: APIClient) -> None:
    add_events(alice, 1)
    event = AuditEvent.objects.filter(user=alice).first()
    assert event is not None
    assert alice_api.post(API, {"kind": "signed_in"}, format="json").status_code == 405
    assert alice_api.delete(f"{API}{event.pk}/").status_code == 405
    assert alice_api.patch(f"{API}{event.pk}/", {}, format="json").status_code == 405


def test_the_api_is_paginated_like_the_others(alice: User, alice_api: APIClient) -> None:
    add_events(alice, 7)
    body = alice_api.get(API, {"page_size": 5}).json()
    assert len(body["results"]) == 5
    assert body["next"]


def test_api_queries_do_not_grow_with_events(alice: User, alice_api: APIClient) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_api.get(API).status_code == 200
        return len(queries)

    alice_api.get(API)  # the first request creates the profile
    one = count()
    add_events(alice, 120)
    assert count() == one


def test_another_users_events_are_never_shown(
    alice: User, bob: User, alice_client: Client, bob_client: Client, bob_api: APIClient
) -> None:
    secret = AuditEvent.objects.create(
        user=alice, kind=AuditEvent.Kind.SHARE_CREATED, detail={"link_id": 1, "label": "alice-only"}
    )
    assert "alice-only" not in bob_client.get(URL).content.decode()
    listed = bob_api.get(API).json()["results"]
    assert listed
    assert all(event["id"] != secret.pk for event in listed)
    assert "alice-only" not in str(listed)
    assert bob_api.get(f"{API}{secret.pk}/").status_code == 404
    assert bob_api.get(f"{API}not-a-number/").status_code == 404
    assert "alice-only" in alice_client.get(URL).content.decode()


def test_the_empty_page(alice: User, alice_client: Client) -> None:
    AuditEvent.objects.all().delete()
    response = alice_client.get(URL)
    page = HtmlPage(response.content)
    assert response.status_code == 200
    assert "Nothing yet." in response.content.decode()
    assert page.forms == []
