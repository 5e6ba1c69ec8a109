"""The runs API (docs/api.md#runs): isolation, validation edges, idempotent create, date
filters, derived fields and query counts."""

from __future__ import annotations

import datetime as dt
import json
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
from runs.models import Run
from shoes.models import Shoe
from tests.factories import InsoleFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

URL = "/api/v1/runs/"
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def detail(pk: object) -> str:
    return f"{URL}{pk}/"


def an_hour_ago() -> str:
    return (timezone.now() - dt.timedelta(hours=1)).isoformat()


def valid_run(**overrides: Any) -> dict[str, Any]:
    """A run none of the flags of docs/analytics.md#flags would hold for (one run, pain +1, no shoe wear)."""
    return {
        "started_at": an_hour_ago(),
        "distance_m": 8000,
        "duration_s": 2700,
        "surface": "road",
        "pain_before": 2,
        "pain_after": 3,
        **overrides,
    }


def snapshot(run: Run) -> dict[str, Any]:
    run.refresh_from_db()
    return {**model_to_dict(run), "updated_at": run.updated_at}


def set_timezone(user: User, name: str) -> None:
    profile = profile_of(user)
    profile.timezone = name
    profile.save()


# --- Isolation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get", None),
        ("patch", {"distance_m": 1234}),
        ("put", valid_run(distance_m=1234)),
        ("delete", None),
    ],
)
def test_another_users_run_is_not_found(
    alice: User, bob_api: APIClient, method: str, body: dict[str, Any] | None
) -> None:
    run = RunFactory(user=alice, notes="private")
    before = snapshot(run)

    response = getattr(bob_api, method)(detail(run.pk), body, format="json")

    assert response.status_code == 404
    assert "private" not in response.content.decode()
    assert snapshot(run) == before


def test_list_shows_only_the_callers_runs(alice: User, bob: User, bob_api: APIClient) -> None:
    RunFactory.create_batch(3, user=alice)
    own = RunFactory(user=bob)

    response = bob_api.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [item["id"] for item in response.json()["results"]] == [str(own.pk)]


@pytest.mark.parametrize(("field", "factory"), [("shoe", ShoeFactory), ("insole", InsoleFactory)])
def test_cannot_create_a_run_with_another_users_gear(
    alice: User, bob: User, bob_api: APIClient, field: str, factory: Any
) -> None:
    pair = factory(user=alice)

    response = bob_api.post(URL, valid_run(**{field: pair.pk}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Run.objects.count() == 0


def test_another_users_shoe_looks_like_no_shoe(alice: User, bob: User, bob_api: APIClient) -> None:
    """The answer does not confirm that alice's shoe exists."""
    alices = ShoeFactory(user=alice)
    missing = alices.pk + 1000

    theirs = bob_api.post(URL, valid_run(shoe=alices.pk), format="json").json()["shoe"]
    nobodys = bob_api.post(URL, valid_run(shoe=missing), format="json").json()["shoe"]

    assert [message.replace(str(alices.pk), "N") for message in theirs] == [
        message.replace(str(missing), "N") for message in nobodys
    ]


@pytest.mark.parametrize(("field", "factory"), [("shoe", ShoeFactory), ("insole", InsoleFactory)])
def test_cannot_patch_a_run_onto_another_users_gear(
    alice: User, bob: User, bob_api: APIClient, field: str, factory: Any
) -> None:
    pair = factory(user=alice)
    own_pair = factory(user=bob)
    run = RunFactory(user=bob, **{field: own_pair})
    before = snapshot(run)

    response = bob_api.patch(detail(run.pk), {field: pair.pk}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(run) == before


@pytest.mark.parametrize(("field", "factory"), [("shoe", ShoeFactory), ("insole", InsoleFactory)])
def test_own_gear_can_be_worn(alice: User, alice_api: APIClient, field: str, factory: Any) -> None:
    pair = factory(user=alice)

    response = alice_api.post(URL, valid_run(**{field: pair.pk}), format="json")

    assert response.status_code == 201
    assert response.json()[field] == pair.pk
    assert getattr(Run.objects.get(), f"{field}_id") == pair.pk


@pytest.mark.parametrize("value", [10**30, -1, "abc", True, 1.5])
def test_gear_id_that_is_no_id_is_rejected(alice_api: APIClient, value: object) -> None:
    response = alice_api.post(URL, valid_run(shoe=value), format="json")

    assert response.status_code == 400
    assert "shoe" in response.json()
    assert Run.objects.count() == 0


# --- Validation ---------------------------------------------------------------------------

INVALID_VALUES = [
    ("distance_m", 0),
    ("distance_m", -1),
    ("distance_m", 500_000.01),
    ("distance_m", "abc"),
    ("distance_m", True),
    ("distance_m", False),
    ("distance_m", None),
    ("distance_m", "NaN"),
    ("distance_m", "Infinity"),
    ("distance_m", [8000]),
    ("distance_m", {"m": 8000}),
    ("distance_m", "8000"),  # a string is not a JSON number
    ("distance_m", "5e3"),
    ("duration_s", 0),
    ("duration_s", 172_801),
    ("duration_s", 1.5),
    ("duration_s", -60),
    ("duration_s", "long"),
    ("duration_s", True),
    ("duration_s", "2700"),
    ("elevation_gain_m", -1),
    ("elevation_gain_m", 20_001),
    ("elevation_gain_m", "NaN"),
    ("elevation_gain_m", True),
    ("pain_before", -1),
    ("pain_before", 11),
    ("pain_before", "x"),
    ("pain_before", "3"),
    ("pain_after", -1),
    ("pain_after", 11),
    ("pain_after", "x"),
    ("pain_next_morning", -1),
    ("pain_next_morning", 11),
    ("pain_next_morning", "x"),
    ("rpe", 0),
    ("rpe", 11),
    ("rpe", "hard"),
    ("surface", "ice"),
    ("surface", ""),
    ("surface", None),
    ("activity", "swim"),
    ("activity", True),
    ("started_at", None),
    ("started_at", "yesterday"),
    ("started_at", "2024-02-30T10:00:00Z"),
    ("started_at", 1714600000),
    ("started_at", "1800-06-01T10:00:00Z"),
    ("started_at", "0001-01-01T00:00:00+05:00"),
    ("notes", "x" * 2001),
    ("notes", "x" * 10_000),
    ("notes", True),
    ("id", "not-a-uuid"),
]


@pytest.mark.parametrize(("field", "value"), INVALID_VALUES)
def test_invalid_field_is_rejected_and_nothing_stored(
    alice_api: APIClient, field: str, value: object
) -> None:
    response = alice_api.post(URL, valid_run(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Run.objects.count() == 0


@pytest.mark.parametrize("field", ["started_at", "distance_m"])
def test_required_fields(alice_api: APIClient, field: str) -> None:
    body = valid_run()
    del body[field]

    response = alice_api.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Run.objects.count() == 0


def test_two_days_ahead_is_rejected(alice_api: APIClient) -> None:
    response = alice_api.post(
        URL, valid_run(started_at=(timezone.now() + dt.timedelta(days=2)).isoformat()), format="json"
    )

    assert response.status_code == 400
    assert "started_at" in response.json()
    assert Run.objects.count() == 0


def test_23_hours_ahead_is_accepted(alice_api: APIClient) -> None:
    """A watch in another time zone, or a clock that is off: up to a day ahead is fine."""
    response = alice_api.post(
        URL, valid_run(started_at=(timezone.now() + dt.timedelta(hours=23)).isoformat()), format="json"
    )

    assert response.status_code == 201
    assert Run.objects.count() == 1


# Edge values that need another field to stay a pace someone can run (docs/analytics.md#plausibility).
COMPANION: dict[tuple[str, object], dict[str, object]] = {
    ("distance_m", 500_000): {"duration_s": 172_800},
    ("duration_s", 1): {"distance_m": 999},
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("distance_m", 500_000),
        ("distance_m", 0.5),
        ("duration_s", 1),  # over 999 m (COMPANION): under 1 km no pace is refused
        ("duration_s", 172_800),
        ("duration_s", None),
        ("elevation_gain_m", 0),
        ("elevation_gain_m", 20_000),
        ("elevation_gain_m", None),
        ("pain_before", 0),
        ("pain_after", 10),
        ("pain_next_morning", None),
        ("rpe", 1),
        ("rpe", 10),
        ("surface", "treadmill"),
        ("activity", "walk"),
        ("notes", "x" * 2000),
        ("notes", "Ondřej's 10 km 🏃"),
    ],
)
def test_edge_values_are_accepted(alice_api: APIClient, field: str, value: object) -> None:
    response = alice_api.post(
        URL, valid_run(**COMPANION.get((field, value), {}), **{field: value}), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()[field] == value
    stored = Run.objects.get()
    assert getattr(stored, field) == value


@pytest.mark.parametrize(
    "raw",
    [
        '{"started_at": "%s", "distance_m": NaN}',
        '{"started_at": "%s", "distance_m": Infinity}',
        '{"started_at": "%s", "distance_m": -Infinity}',
        '{"started_at": "%s", "distance_m": 1e999}',
        '{"started_at": "%s", "distance_m": 8000, "elevation_gain_m": NaN}',
        '{"started_at": "%s", "distance_m": 8000, "elevation_gain_m": 1e999}',
    ],
)
def test_non_finite_numbers_in_raw_json_are_rejected(alice_api: APIClient, raw: str) -> None:
    response = alice_api.post(URL, raw % an_hour_ago(), content_type="application/json")

    assert response.status_code == 400
    assert Run.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", "[1, 2]", '"a run"', "42", "null", "true", "{", ""])
def test_body_that_is_not_an_object_is_rejected(alice_api: APIClient, body: str) -> None:
    response = alice_api.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert Run.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", '"a run"', "null"])
def test_update_body_that_is_not_an_object_is_rejected(alice: User, alice_api: APIClient, body: str) -> None:
    run = RunFactory(user=alice)
    before = snapshot(run)

    for method in (alice_api.patch, alice_api.put):
        response = method(detail(run.pk), body, content_type="application/json")
        assert response.status_code == 400

    assert snapshot(run) == before


def test_form_encoded_body_is_refused(alice_api: APIClient) -> None:
    response = alice_api.post(URL, valid_run(), format="multipart")

    assert response.status_code == 415
    assert Run.objects.count() == 0


# Every third value keeps the test quick; an id is chosen at creation only.
@pytest.mark.parametrize(("field", "value"), [pair for pair in INVALID_VALUES[::3] if pair[0] != "id"])
def test_invalid_patch_changes_nothing(alice: User, alice_api: APIClient, field: str, value: object) -> None:
    run = RunFactory(user=alice)
    before = snapshot(run)

    response = alice_api.patch(detail(run.pk), {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(run) == before


def test_unknown_run_id_is_not_found(alice_api: APIClient) -> None:
    for pk in (uuid.uuid4(), "not-a-uuid", "12345"):
        assert alice_api.get(detail(pk)).status_code == 404
        assert alice_api.patch(detail(pk), {"rpe": 3}, format="json").status_code == 404
        assert alice_api.delete(detail(pk)).status_code == 404


# --- Reading, updating and deleting one's own runs -----------------------------------------


def test_create_returns_the_stored_run(alice: User, alice_api: APIClient) -> None:
    response = alice_api.post(URL, valid_run(notes="easy", rpe=4), format="json")

    assert response.status_code == 201
    body = response.json()
    run = Run.objects.get()
    assert body["id"] == str(run.pk)
    assert run.user == alice
    assert (run.distance_m, run.duration_s, run.rpe, run.notes) == (8000, 2700, 4, "easy")
    assert body["activity"] == "run"
    assert body["surface"] == "road"


def test_patch_changes_only_the_fields_sent(alice: User, alice_api: APIClient) -> None:
    run = RunFactory(user=alice, notes="before", rpe=5)

    response = alice_api.patch(detail(run.pk), {"pain_next_morning": 4}, format="json")

    assert response.status_code == 200
    assert response.json()["pain_next_morning"] == 4
    run.refresh_from_db()
    assert (run.pain_next_morning, run.notes, run.rpe) == (4, "before", 5)


def test_put_replaces_the_run(alice: User, alice_api: APIClient) -> None:
    run = RunFactory(user=alice, notes="before")

    response = alice_api.put(detail(run.pk), valid_run(distance_m=5000, notes=""), format="json")

    assert response.status_code == 200
    run.refresh_from_db()
    assert (run.distance_m, run.notes) == (5000, "")


def test_put_cannot_change_the_id(alice: User, alice_api: APIClient) -> None:
    run = RunFactory(user=alice)
    other = uuid.uuid4()

    response = alice_api.put(detail(run.pk), valid_run(id=str(other)), format="json")

    assert response.status_code == 200
    assert response.json()["id"] == str(run.pk)
    assert not Run.objects.filter(pk=other).exists()


def test_delete(alice: User, alice_api: APIClient) -> None:
    run = RunFactory(user=alice)

    assert alice_api.delete(detail(run.pk)).status_code == 204
    assert not Run.objects.filter(pk=run.pk).exists()
    assert alice_api.get(detail(run.pk)).status_code == 404


def test_list_is_newest_first(alice: User, alice_api: APIClient) -> None:
    now = timezone.now()
    runs = [RunFactory(user=alice, started_at=now - dt.timedelta(days=days)) for days in (3, 1, 2)]

    results = alice_api.get(URL).json()["results"]

    assert [item["id"] for item in results] == [str(runs[1].pk), str(runs[2].pk), str(runs[0].pk)]


# --- Idempotent create --------------------------------------------------------------------


def test_retry_with_the_same_id_and_content_returns_the_stored_run(alice_api: APIClient) -> None:
    body = valid_run(id=str(uuid.uuid4()), notes="tempo")

    first = alice_api.post(URL, body, format="json")
    second = alice_api.post(URL, body, format="json")

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert Run.objects.count() == 1
    assert str(Run.objects.get().pk) == body["id"]


def test_retry_with_the_same_instant_in_another_offset_is_the_same_run(alice_api: APIClient) -> None:
    started = (timezone.now() - dt.timedelta(hours=5)).replace(microsecond=0)
    body = valid_run(id=str(uuid.uuid4()), started_at=started.astimezone(dt.UTC).isoformat())
    assert alice_api.post(URL, body, format="json").status_code == 201

    elsewhere = started.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat()
    response = alice_api.post(URL, {**body, "started_at": elsewhere}, format="json")

    assert response.status_code == 200
    assert Run.objects.count() == 1


def test_same_id_with_different_content_is_a_conflict(alice_api: APIClient) -> None:
    body = valid_run(id=str(uuid.uuid4()))
    assert alice_api.post(URL, body, format="json").status_code == 201
    before = snapshot(Run.objects.get())

    response = alice_api.post(URL, {**body, "distance_m": 9000}, format="json")

    assert response.status_code == 409
    assert "id" in response.json()
    assert Run.objects.count() == 1
    assert snapshot(Run.objects.get()) == before


def test_another_user_cannot_take_or_overwrite_an_id(alice_api: APIClient, bob_api: APIClient) -> None:
    body = valid_run(id=str(uuid.uuid4()))
    assert alice_api.post(URL, body, format="json").status_code == 201
    run = Run.objects.get()
    before = snapshot(run)

    response = bob_api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"id": ["This id is already in use: generate a new one."]}
    assert Run.objects.count() == 1
    assert snapshot(run) == before
    assert bob_api.get(URL).json()["count"] == 0


def test_a_retry_without_a_shoe_is_the_same_run_after_the_default_pair_changed(
    alice: User, alice_api: APIClient
) -> None:
    first_default = ShoeFactory(user=alice, is_default=True)
    body = valid_run(id=str(uuid.uuid4()))
    assert alice_api.post(URL, body, format="json").status_code == 201
    first_default.is_default = False
    first_default.save()
    ShoeFactory(user=alice, is_default=True)

    response = alice_api.post(URL, body, format="json")

    assert response.status_code == 200
    assert response.json()["shoe"] == first_default.pk
    assert Run.objects.count() == 1


def test_a_retry_that_names_another_shoe_is_a_conflict(alice: User, alice_api: APIClient) -> None:
    worn, other = ShoeFactory(user=alice, is_default=True), ShoeFactory(user=alice)
    body = valid_run(id=str(uuid.uuid4()))
    assert alice_api.post(URL, body, format="json").status_code == 201

    response = alice_api.post(URL, {**body, "shoe": other.pk}, format="json")

    assert response.status_code == 409
    assert Run.objects.get().shoe == worn


@pytest.mark.parametrize("client_id", [7, 1.5, True, ["0d9e8c1a-61a4-4f43-9a51-0e4f4d7b7c11"], "not-a-uuid"])
def test_a_client_id_must_be_a_uuid_string(alice_api: APIClient, client_id: object) -> None:
    response = alice_api.post(URL, valid_run(id=client_id), format="json")

    assert response.status_code == 400
    assert "id" in response.json()
    assert not Run.objects.exists()


def test_without_an_id_the_server_chooses_one(alice_api: APIClient) -> None:
    first = alice_api.post(URL, valid_run(), format="json")
    second = alice_api.post(URL, valid_run(), format="json")

    assert first.status_code == second.status_code == 201
    assert uuid.UUID(first.json()["id"]) != uuid.UUID(second.json()["id"])
    assert Run.objects.count() == 2


def test_an_invalid_retry_is_a_validation_error_not_a_conflict(alice_api: APIClient) -> None:
    body = valid_run(id=str(uuid.uuid4()))
    assert alice_api.post(URL, body, format="json").status_code == 201

    response = alice_api.post(URL, {**body, "pain_after": 11}, format="json")

    assert response.status_code == 400
    assert "pain_after" in response.json()


# --- Date filters and pagination ----------------------------------------------------------


def test_date_filters_use_the_users_local_date(alice: User, alice_api: APIClient) -> None:
    set_timezone(alice, "America/New_York")
    late_evening = RunFactory(user=alice, started_at=dt.datetime(2024, 5, 1, 23, 30, tzinfo=NEW_YORK))
    next_midnight = RunFactory(user=alice, started_at=dt.datetime(2024, 5, 2, 0, 0, tzinfo=NEW_YORK))
    day_before = RunFactory(user=alice, started_at=dt.datetime(2024, 4, 30, 23, 59, tzinfo=NEW_YORK))

    def ids(query: str) -> set[str]:
        response = alice_api.get(URL + query)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["results"]}

    # 23:30 in New York is 03:30 UTC on the next day: still 1 May for alice.
    assert ids("?from=2024-05-01&to=2024-05-01") == {str(late_evening.pk)}
    assert ids("?from=2024-05-02") == {str(next_midnight.pk)}
    assert ids("?to=2024-05-01") == {str(late_evening.pk), str(day_before.pk)}
    assert ids("?from=2024-04-30&to=2024-05-02") == {
        str(late_evening.pk),
        str(next_midnight.pk),
        str(day_before.pk),
    }


def test_date_times_are_shown_in_the_users_zone(alice: User, alice_api: APIClient) -> None:
    set_timezone(alice, "America/New_York")
    run = RunFactory(user=alice, started_at=dt.datetime(2024, 5, 2, 3, 30, tzinfo=dt.UTC))

    started_at = alice_api.get(detail(run.pk)).json()["started_at"]

    assert started_at == "2024-05-01T23:30:00-04:00"


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("?from=2024-13-01", "from"),
        ("?to=2024-02-30", "to"),
        ("?from=yesterday", "from"),
        ("?from=1800-01-01", "from"),
        ("?to=9999-12-31", "to"),
        ("?from=2024-05-10&to=2024-05-01", "to"),
    ],
)
def test_invalid_date_filters_are_rejected(alice: User, alice_api: APIClient, query: str, key: str) -> None:
    RunFactory(user=alice)

    response = alice_api.get(URL + query)

    assert response.status_code == 400
    assert key in response.json()


def test_page_size_is_honoured_up_to_500(alice: User, alice_api: APIClient) -> None:
    start = timezone.now() - dt.timedelta(days=600)
    Run.objects.bulk_create(
        Run(user=alice, started_at=start + dt.timedelta(days=day), distance_m=5000) for day in range(501)
    )

    default = alice_api.get(URL).json()
    assert default["count"] == 501
    assert len(default["results"]) == 50
    assert default["next"] is not None
    assert default["previous"] is None

    assert len(alice_api.get(URL + "?page_size=10").json()["results"]) == 10
    assert len(alice_api.get(URL + "?page_size=500").json()["results"]) == 500
    assert len(alice_api.get(URL + "?page_size=100000").json()["results"]) == 500

    last = alice_api.get(URL + "?page_size=500&page=2").json()
    assert len(last["results"]) == 1
    assert last["next"] is None

    assert alice_api.get(URL + "?page=99").status_code == 404


# --- Derived fields -----------------------------------------------------------------------


def test_pace(alice_api: APIClient) -> None:
    with_duration = alice_api.post(URL, valid_run(distance_m=10_000, duration_s=3000), format="json")
    without = alice_api.post(URL, valid_run(duration_s=None), format="json")

    assert with_duration.json()["pace_s_per_km"] == pytest.approx(300)
    assert without.json()["pace_s_per_km"] is None


def test_flags_are_empty_for_an_unremarkable_run(alice_api: APIClient) -> None:
    body = alice_api.post(URL, valid_run(), format="json").json()

    assert body["flags"] == []
    assert body["spike_band"] is None


def test_shoe_distance_is_the_odometer_at_the_start_of_the_run(alice: User, alice_api: APIClient) -> None:
    shoe = ShoeFactory(user=alice, initial_distance_m=100_000)
    other_shoe = ShoeFactory(user=alice)
    now = timezone.now()
    first = RunFactory(user=alice, shoe=shoe, started_at=now - dt.timedelta(days=5), distance_m=5000)
    RunFactory(user=alice, shoe=other_shoe, started_at=now - dt.timedelta(days=4), distance_m=9000)
    RunFactory(user=alice, shoe=None, started_at=now - dt.timedelta(days=4), distance_m=11_000)
    second = RunFactory(user=alice, shoe=shoe, started_at=now - dt.timedelta(days=3), distance_m=7000)
    third = RunFactory(user=alice, shoe=shoe, started_at=now - dt.timedelta(days=1), distance_m=6000)
    shoeless = RunFactory(user=alice, shoe=None, started_at=now - dt.timedelta(days=2))

    by_id = {item["id"]: item for item in alice_api.get(URL).json()["results"]}

    assert by_id[str(first.pk)]["shoe_distance_m"] == pytest.approx(100_000)
    assert by_id[str(second.pk)]["shoe_distance_m"] == pytest.approx(105_000)
    assert by_id[str(third.pk)]["shoe_distance_m"] == pytest.approx(112_000)
    assert by_id[str(shoeless.pk)]["shoe_distance_m"] is None
    assert alice_api.get(detail(third.pk)).json()["shoe_distance_m"] == pytest.approx(112_000)


def test_omitted_shoe_means_the_default_pair_and_null_means_none(alice: User, alice_api: APIClient) -> None:
    ShoeFactory(user=alice)
    default = ShoeFactory(user=alice, is_default=True)
    default_insole = InsoleFactory(user=alice, is_default=True)

    omitted = alice_api.post(URL, valid_run(), format="json").json()
    explicit_none = alice_api.post(URL, valid_run(shoe=None, insole=None), format="json").json()

    assert (omitted["shoe"], omitted["insole"]) == (default.pk, default_insole.pk)
    assert (explicit_none["shoe"], explicit_none["insole"]) == (None, None)
    assert Run.objects.get(pk=explicit_none["id"]).shoe is None


def test_patch_without_shoe_keeps_the_shoe(alice: User, alice_api: APIClient) -> None:
    shoe = ShoeFactory(user=alice)
    ShoeFactory(user=alice, is_default=True)
    run = RunFactory(user=alice, shoe=shoe)

    response = alice_api.patch(detail(run.pk), {"rpe": 3}, format="json")

    assert response.json()["shoe"] == shoe.pk


def test_deleting_a_shoe_keeps_its_runs(alice: User, alice_api: APIClient) -> None:
    shoe = ShoeFactory(user=alice)
    run = RunFactory(user=alice, shoe=shoe)

    assert alice_api.delete(f"/api/v1/shoes/{shoe.pk}/").status_code == 204

    assert not Shoe.objects.filter(pk=shoe.pk).exists()
    body = alice_api.get(detail(run.pk)).json()
    assert (body["shoe"], body["shoe_distance_m"]) == (None, None)


# --- Query counts -------------------------------------------------------------------------


def count_queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(alice: User, alice_api: APIClient) -> None:
    shoe = ShoeFactory(user=alice)
    insole = InsoleFactory(user=alice)
    RunFactory(user=alice, shoe=shoe, insole=insole)
    alice_api.get(URL)  # creates the profile

    one = count_queries(alice_api, URL)
    for _ in range(49):
        RunFactory(user=alice, shoe=ShoeFactory(user=alice), insole=insole)
    fifty = count_queries(alice_api, URL)

    assert alice_api.get(URL).json()["count"] == 50
    assert one == fifty
    assert fifty <= 4  # token, profile, count, page


def test_json_dump_of_a_run_is_complete(alice_api: APIClient) -> None:
    """Every field docs/api.md#runs names is in the response."""
    body = alice_api.post(URL, valid_run(), format="json").json()

    expected = {
        "id",
        "started_at",
        "activity",
        "distance_m",
        "duration_s",
        "elevation_gain_m",
        "surface",
        "shoe",
        "insole",
        "pain_before",
        "pain_after",
        "pain_next_morning",
        "rpe",
        "notes",
        "pace_s_per_km",
        "shoe_distance_m",
        "flags",
        "spike_band",
        "acwr",
    }
    assert expected <= set(body), json.dumps(body)
