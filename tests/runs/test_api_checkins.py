"""The pain check-ins API (docs/api.md#pain-check-ins): same verbs and idempotent-create rule
as runs."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from backpainlog.accounts.selectors import profile_of
from runs.models import PainCheckin
from tests.factories import PainCheckinFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

URL = "/api/v1/pain-checkins/"
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def detail(pk: object) -> str:
    return f"{URL}{pk}/"


def valid_checkin(**overrides: Any) -> dict[str, Any]:
    return {"recorded_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(), "score": 3, **overrides}


def snapshot(checkin: PainCheckin) -> dict[str, Any]:
    checkin.refresh_from_db()
    return {**model_to_dict(checkin), "updated_at": checkin.updated_at}


# --- Isolation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("patch", {"score": 9}), ("put", valid_checkin(score=9)), ("delete", None)],
)
def test_another_users_checkin_is_not_found(
    alice: User, bob_api: APIClient, method: str, body: dict[str, Any] | None
) -> None:
    checkin = PainCheckinFactory(user=alice, notes="private")
    before = snapshot(checkin)

    response = getattr(bob_api, method)(detail(checkin.pk), body, format="json")

    assert response.status_code == 404
    assert "private" not in response.content.decode()
    assert snapshot(checkin) == before


def test_list_shows_only_the_callers_checkins(alice: User, bob: User, bob_api: APIClient) -> None:
    PainCheckinFactory.create_batch(2, user=alice)
    own = PainCheckinFactory(user=bob)

    body = bob_api.get(URL).json()

    assert body["count"] == 1
    assert [item["id"] for item in body["results"]] == [str(own.pk)]


# --- Validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("score", -1),
        ("score", 11),
        ("score", "x"),
        ("score", 2.5),
        ("score", None),
        ("score", True),
        ("recorded_at", None),
        ("recorded_at", "now"),
        ("recorded_at", "2024-13-01T08:00:00Z"),
        ("recorded_at", (timezone.now() + dt.timedelta(days=2)).isoformat()),
        ("recorded_at", "1800-01-01T08:00:00Z"),
        ("radiating_leg_pain", "perhaps"),
        ("notes", "x" * 2001),
        ("notes", "x" * 10_000),
        ("id", "123"),
    ],
)
def test_invalid_field_is_rejected_and_nothing_stored(
    alice_api: APIClient, field: str, value: object
) -> None:
    response = alice_api.post(URL, valid_checkin(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert PainCheckin.objects.count() == 0


@pytest.mark.parametrize("field", ["recorded_at", "score"])
def test_required_fields(alice_api: APIClient, field: str) -> None:
    body = valid_checkin()
    del body[field]

    response = alice_api.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert PainCheckin.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("score", 0),
        ("score", 10),
        ("radiating_leg_pain", True),
        ("notes", "x" * 2000),
    ],
)
def test_edge_values_are_accepted(alice_api: APIClient, field: str, value: object) -> None:
    response = alice_api.post(URL, valid_checkin(**{field: value}), format="json")

    assert response.status_code == 201
    assert response.json()[field] == value
    assert getattr(PainCheckin.objects.get(), field) == value


def test_23_hours_ahead_is_accepted(alice_api: APIClient) -> None:
    soon = (timezone.now() + dt.timedelta(hours=23)).isoformat()

    assert alice_api.post(URL, valid_checkin(recorded_at=soon), format="json").status_code == 201


def test_defaults(alice: User, alice_api: APIClient) -> None:
    body = alice_api.post(URL, valid_checkin(), format="json").json()

    assert body["radiating_leg_pain"] is False
    assert body["notes"] == ""
    assert body["flare"] is False
    assert PainCheckin.objects.get().user == alice


@pytest.mark.parametrize("body", ["[]", '"sore"', "7", "null", "{"])
def test_body_that_is_not_an_object_is_rejected(alice_api: APIClient, body: str) -> None:
    response = alice_api.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert PainCheckin.objects.count() == 0


def test_invalid_patch_changes_nothing(alice: User, alice_api: APIClient) -> None:
    checkin = PainCheckinFactory(user=alice)
    before = snapshot(checkin)

    for body in ({"score": 11}, {"recorded_at": "soon"}, {"notes": "x" * 2001}):
        response = alice_api.patch(detail(checkin.pk), body, format="json")
        assert response.status_code == 400
        assert set(response.json()) == set(body)

    assert snapshot(checkin) == before


def test_patch_put_and_delete_own_checkin(alice: User, alice_api: APIClient) -> None:
    checkin = PainCheckinFactory(user=alice, score=3)

    assert alice_api.patch(detail(checkin.pk), {"score": 5}, format="json").json()["score"] == 5
    response = alice_api.put(detail(checkin.pk), valid_checkin(score=1, notes="better"), format="json")
    assert response.status_code == 200
    checkin.refresh_from_db()
    assert (checkin.score, checkin.notes) == (1, "better")

    assert alice_api.delete(detail(checkin.pk)).status_code == 204
    assert not PainCheckin.objects.exists()


# --- Idempotent create --------------------------------------------------------------------


def test_retry_with_the_same_id_and_content_returns_the_stored_checkin(alice_api: APIClient) -> None:
    body = valid_checkin(id=str(uuid.uuid4()), radiating_leg_pain=True)

    first = alice_api.post(URL, body, format="json")
    second = alice_api.post(URL, body, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert PainCheckin.objects.count() == 1


def test_retry_in_another_offset_is_the_same_checkin(alice_api: APIClient) -> None:
    recorded = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    body = valid_checkin(id=str(uuid.uuid4()), recorded_at=recorded.astimezone(dt.UTC).isoformat())
    assert alice_api.post(URL, body, format="json").status_code == 201

    elsewhere = recorded.astimezone(dt.timezone(dt.timedelta(hours=-7))).isoformat()
    response = alice_api.post(URL, {**body, "recorded_at": elsewhere}, format="json")

    assert response.status_code == 200
    assert PainCheckin.objects.count() == 1


def test_same_id_with_different_content_is_a_conflict(alice_api: APIClient) -> None:
    body = valid_checkin(id=str(uuid.uuid4()))
    assert alice_api.post(URL, body, format="json").status_code == 201
    before = snapshot(PainCheckin.objects.get())

    response = alice_api.post(URL, {**body, "score": 8}, format="json")

    assert response.status_code == 409
    assert snapshot(PainCheckin.objects.get()) == before


def test_another_user_cannot_take_an_id(alice_api: APIClient, bob_api: APIClient) -> None:
    body = valid_checkin(id=str(uuid.uuid4()), notes="private")
    assert alice_api.post(URL, body, format="json").status_code == 201
    before = snapshot(PainCheckin.objects.get())

    response = bob_api.post(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["id"]
    assert "private" not in response.content.decode()
    assert PainCheckin.objects.count() == 1
    assert snapshot(PainCheckin.objects.get()) == before


def test_without_an_id_the_server_chooses_one(alice_api: APIClient) -> None:
    first = alice_api.post(URL, valid_checkin(), format="json").json()
    second = alice_api.post(URL, valid_checkin(), format="json").json()

    assert uuid.UUID(first["id"]) != uuid.UUID(second["id"])
    assert PainCheckin.objects.count() == 2


# --- Date filters and query counts --------------------------------------------------------


def test_date_filters_use_the_users_local_date(alice: User, alice_api: APIClient) -> None:
    profile = profile_of(alice)
    profile.timezone = "America/New_York"
    profile.save()
    late = PainCheckinFactory(user=alice, recorded_at=dt.datetime(2024, 5, 1, 23, 30, tzinfo=NEW_YORK))
    early = PainCheckinFactory(user=alice, recorded_at=dt.datetime(2024, 5, 2, 0, 30, tzinfo=NEW_YORK))

    def ids(query: str) -> list[str]:
        return [item["id"] for item in alice_api.get(URL + query).json()["results"]]

    assert ids("?from=2024-05-01&to=2024-05-01") == [str(late.pk)]
    assert ids("?from=2024-05-02") == [str(early.pk)]
    assert ids("") == [str(early.pk), str(late.pk)]


@pytest.mark.parametrize(
    ("query", "key"), [("?from=2024-13-01", "from"), ("?from=2024-05-10&to=2024-05-01", "to")]
)
def test_invalid_date_filters_are_rejected(alice_api: APIClient, query: str, key: str) -> None:
    response = alice_api.get(URL + query)

    assert response.status_code == 400
    assert key in response.json()


def test_list_query_count_does_not_grow_with_rows(alice: User, alice_api: APIClient) -> None:
    PainCheckinFactory(user=alice)
    alice_api.get(URL)  # creates the profile

    with CaptureQueriesContext(connection) as one:
        assert alice_api.get(URL).status_code == 200
    PainCheckinFactory.create_batch(49, user=alice)
    with CaptureQueriesContext(connection) as fifty:
        assert len(alice_api.get(URL).json()["results"]) == 50

    assert len(one) == len(fifty)
