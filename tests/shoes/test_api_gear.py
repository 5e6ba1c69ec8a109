"""The shoes and insoles API (docs/api.md#shoes-and-insoles): the same fields, verbs and rules
for both, so every test runs for each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from backpainlog.accounts.selectors import local_today, profile_of, user_zone
from runs.models import Run
from shoes.models import Gear, Insole, Shoe
from tests.factories import InsoleFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


class Kind:
    def __init__(self, url: str, model: type[Gear], factory: Any, run_field: str) -> None:
        self.url, self.model, self.factory, self.run_field = url, model, factory, run_field

    def detail(self, pk: object) -> str:
        return f"{self.url}{pk}/"

    def __repr__(self) -> str:
        return self.model.__name__


SHOES = Kind("/api/v1/shoes/", Shoe, ShoeFactory, "shoe")
INSOLES = Kind("/api/v1/insoles/", Insole, InsoleFactory, "insole")


@pytest.fixture(params=[SHOES, INSOLES], ids=repr)
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param


def snapshot(pair: Gear) -> dict[str, Any]:
    pair.refresh_from_db()
    return model_to_dict(pair)


def wear_run(user: User, pair: Gear, kind: Kind, distance_m: float, days_ago: float) -> Run:
    return RunFactory(
        user=user,
        distance_m=distance_m,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
        **{kind.run_field: pair},
    )


# --- Isolation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get", None),
        ("patch", {"name": "Mine now"}),
        ("put", {"name": "Mine now", "started_on": "2025-01-01"}),
        ("delete", None),
    ],
)
def test_another_users_pair_is_not_found(
    alice: User, bob_api: APIClient, kind: Kind, method: str, body: dict[str, Any] | None
) -> None:
    pair = kind.factory(user=alice, name="Alice's secret pair")
    before = snapshot(pair)

    response = getattr(bob_api, method)(kind.detail(pair.pk), body, format="json")

    assert response.status_code == 404
    assert "secret" not in response.content.decode()
    assert snapshot(pair) == before


def test_list_shows_only_the_callers_pairs(alice: User, bob: User, bob_api: APIClient, kind: Kind) -> None:
    kind.factory.create_batch(2, user=alice)
    own = kind.factory(user=bob)

    body = bob_api.get(kind.url).json()

    assert body["count"] == 1
    assert [item["id"] for item in body["results"]] == [own.pk]


def test_another_users_runs_do_not_wear_my_pair(alice: User, bob: User, alice_api: APIClient) -> None:
    shoe = ShoeFactory(user=alice)
    RunFactory(user=bob, distance_m=5000)

    body = alice_api.get(SHOES.detail(shoe.pk)).json()

    assert (body["distance_m"], body["run_count"]) == (0, 0)


def test_setting_a_default_does_not_touch_another_users_default(
    alice: User, bob: User, bob_api: APIClient, kind: Kind
) -> None:
    alices = kind.factory(user=alice, is_default=True)

    response = bob_api.post(kind.url, {"name": "Bob's", "is_default": True}, format="json")

    assert response.status_code == 201
    alices.refresh_from_db()
    assert alices.is_default


# --- Create, defaults and validation ------------------------------------------------------


def test_create_with_defaults(alice: User, alice_api: APIClient, kind: Kind) -> None:
    profile = profile_of(alice)
    profile.default_replacement_threshold_m = 700_000
    profile.save()

    response = alice_api.post(kind.url, {"name": "Daily trainers"}, format="json")

    assert response.status_code == 201
    body = response.json()
    pair = kind.model.objects.get()
    assert pair.user == alice
    assert body["id"] == pair.pk
    assert body["started_on"] == local_today(alice).isoformat()
    assert body["initial_distance_m"] == 0
    assert body["replacement_threshold_m"] == 700_000
    assert (body["retired_on"], body["is_default"]) == (None, False)
    assert (body["distance_m"], body["remaining_m"], body["wear_ratio"]) == (0, 700_000, 0)
    assert (body["status"], body["run_count"], body["projected_replacement_date"]) == ("ok", 0, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", None),
        ("name", "x" * 101),
        ("initial_distance_m", -1),
        ("initial_distance_m", "lots"),
        ("initial_distance_m", True),
        ("initial_distance_m", None),
        ("initial_distance_m", "NaN"),
        ("replacement_threshold_m", 0),
        ("replacement_threshold_m", -640_000),
        ("replacement_threshold_m", True),
        ("replacement_threshold_m", "Infinity"),
        ("replacement_threshold_m", 999.9),
        ("replacement_threshold_m", 1e-320),
        ("started_on", "2025-02-30"),
        ("started_on", "yesterday"),
        ("retired_on", "2025-13-01"),
        ("is_default", "maybe"),
    ],
)
def test_invalid_field_is_rejected_and_nothing_stored(
    alice_api: APIClient, kind: Kind, field: str, value: object
) -> None:
    response = alice_api.post(kind.url, {"name": "Pair", **{field: value}}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert kind.model.objects.count() == 0


def test_the_database_refuses_a_threshold_under_a_kilometre(alice: User, kind: Kind) -> None:
    pair = kind.factory(user=alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        kind.model.objects.filter(pk=pair.pk).update(replacement_threshold_m=999)


def test_name_is_required(alice_api: APIClient, kind: Kind) -> None:
    response = alice_api.post(kind.url, {"brand": "Brooks"}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
    assert kind.model.objects.count() == 0


def test_retired_before_started_is_rejected(alice_api: APIClient, kind: Kind) -> None:
    response = alice_api.post(
        kind.url, {"name": "Pair", "started_on": "2025-03-01", "retired_on": "2025-02-28"}, format="json"
    )

    assert response.status_code == 400
    assert "retired_on" in response.json()
    assert kind.model.objects.count() == 0


def test_patch_retired_before_started_is_rejected(alice: User, alice_api: APIClient, kind: Kind) -> None:
    pair = kind.factory(user=alice, started_on=dt.date(2025, 3, 1))
    before = snapshot(pair)

    response = alice_api.patch(kind.detail(pair.pk), {"retired_on": "2025-02-01"}, format="json")

    assert response.status_code == 400
    assert "retired_on" in response.json()
    assert snapshot(pair) == before


def test_a_new_default_replaces_the_old_one(alice: User, alice_api: APIClient, kind: Kind) -> None:
    first = alice_api.post(kind.url, {"name": "First", "is_default": True}, format="json").json()
    second = alice_api.post(kind.url, {"name": "Second", "is_default": True}, format="json").json()

    assert (first["is_default"], second["is_default"]) == (True, True)
    assert list(kind.model.objects.filter(user=alice, is_default=True).values_list("pk", flat=True)) == [
        second["id"]
    ]
    listed = {item["id"]: item["is_default"] for item in alice_api.get(kind.url).json()["results"]}
    assert listed == {first["id"]: False, second["id"]: True}


def test_patching_a_pair_to_default_replaces_the_old_one(
    alice: User, alice_api: APIClient, kind: Kind
) -> None:
    old = kind.factory(user=alice, is_default=True)
    new = kind.factory(user=alice)

    response = alice_api.patch(kind.detail(new.pk), {"is_default": True}, format="json")

    assert response.status_code == 200
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.is_default, new.is_default) == (False, True)


def test_a_retired_pair_cannot_be_the_default(alice: User, alice_api: APIClient, kind: Kind) -> None:
    current = kind.factory(user=alice, is_default=True)

    response = alice_api.post(
        kind.url,
        {"name": "Old", "started_on": "2024-01-01", "retired_on": "2024-06-01", "is_default": True},
        format="json",
    )

    assert response.status_code == 400
    assert "is_default" in response.json()
    assert kind.model.objects.count() == 1
    current.refresh_from_db()
    assert current.is_default


@pytest.mark.parametrize("body", ["[]", '"shoe"', "null", "{"])
def test_body_that_is_not_an_object_is_rejected(alice_api: APIClient, kind: Kind, body: str) -> None:
    response = alice_api.post(kind.url, body, content_type="application/json")

    assert response.status_code == 400
    assert kind.model.objects.count() == 0


def test_unknown_or_malformed_id_is_not_found(alice_api: APIClient, kind: Kind) -> None:
    for pk in (999_999, "abc", 10**30):
        assert alice_api.get(kind.detail(pk)).status_code == 404
        assert alice_api.patch(kind.detail(pk), {"name": "x"}, format="json").status_code == 404


def test_put_and_delete_own_pair(alice: User, alice_api: APIClient, kind: Kind) -> None:
    pair = kind.factory(user=alice, brand="Brooks")

    response = alice_api.put(
        kind.detail(pair.pk), {"name": "Renamed", "initial_distance_m": 1000}, format="json"
    )
    assert response.status_code == 200
    pair.refresh_from_db()
    assert (pair.name, pair.initial_distance_m) == ("Renamed", 1000)

    assert alice_api.delete(kind.detail(pair.pk)).status_code == 204
    assert not kind.model.objects.exists()


# --- Derived fields -----------------------------------------------------------------------


def test_odometer_and_status_move_through_ok_nearing_replace_retired(
    alice: User, alice_api: APIClient, kind: Kind
) -> None:
    pair = kind.factory(user=alice, initial_distance_m=70_000, replacement_threshold_m=100_000)

    def state() -> dict[str, Any]:
        body = alice_api.get(kind.detail(pair.pk)).json()
        return {key: body[key] for key in ("distance_m", "remaining_m", "wear_ratio", "status", "run_count")}

    assert state() == pytest.approx(
        {"distance_m": 70_000, "remaining_m": 30_000, "wear_ratio": 0.7, "status": "ok", "run_count": 0}
    )
    wear_run(alice, pair, kind, 9_999, days_ago=40)
    assert state()["status"] == "ok"
    wear_run(alice, pair, kind, 1, days_ago=39)
    assert state() == pytest.approx(
        {"distance_m": 80_000, "remaining_m": 20_000, "wear_ratio": 0.8, "status": "nearing", "run_count": 2}
    )
    wear_run(alice, pair, kind, 20_000, days_ago=38)
    assert state() == pytest.approx(
        {"distance_m": 100_000, "remaining_m": 0, "wear_ratio": 1.0, "status": "replace", "run_count": 3}
    )
    wear_run(alice, pair, kind, 5_000, days_ago=37)
    assert state() == pytest.approx(
        {"distance_m": 105_000, "remaining_m": 0, "wear_ratio": 1.05, "status": "replace", "run_count": 4}
    )

    response = alice_api.patch(kind.detail(pair.pk), {"retired_on": "2025-06-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "retired"
    assert response.json()["projected_replacement_date"] is None


def test_projected_replacement_date_from_the_last_28_days(
    alice: User, alice_api: APIClient, kind: Kind
) -> None:
    pair = kind.factory(user=alice, replacement_threshold_m=100_000)
    wear_run(alice, pair, kind, 50_000, days_ago=60)  # older than the window: wear, not pace
    wear_run(alice, pair, kind, 14_000, days_ago=10)
    wear_run(alice, pair, kind, 14_000, days_ago=1)

    body = alice_api.get(kind.detail(pair.pk)).json()

    # 28 km in 28 days is 1 km a day; 22 km remain.
    assert body["remaining_m"] == pytest.approx(22_000)
    expected = local_today(alice) + dt.timedelta(days=22)
    assert body["projected_replacement_date"] == expected.isoformat()
    listed = alice_api.get(kind.url).json()["results"][0]
    assert listed["projected_replacement_date"] == expected.isoformat()


def test_a_pair_younger_than_28_days_is_projected_from_its_days_in_use(
    alice: User, alice_api: APIClient, kind: Kind
) -> None:
    pair = kind.factory(
        user=alice, started_on=local_today(alice) - dt.timedelta(days=6), replacement_threshold_m=100_000
    )
    wear_run(alice, pair, kind, 14_000, days_ago=0.01)

    body = alice_api.get(kind.detail(pair.pk)).json()

    # 14 km in its 7 days is 2 km a day; 86 km remain → 43 days, not 28 × 86 / 14 = 172.
    assert body["projected_replacement_date"] == (local_today(alice) + dt.timedelta(days=43)).isoformat()


def test_runs_logged_before_the_start_date_count_as_days_in_use(
    alice: User, alice_api: APIClient, kind: Kind
) -> None:
    today = local_today(alice)
    pair = kind.factory(user=alice, started_on=today, replacement_threshold_m=100_000)
    noon_13_days_ago = dt.datetime.combine(today - dt.timedelta(days=13), dt.time(12), user_zone(alice))
    RunFactory(user=alice, distance_m=7_000, started_at=noon_13_days_ago, **{kind.run_field: pair})
    wear_run(alice, pair, kind, 7_000, days_ago=0.001)

    body = alice_api.get(kind.detail(pair.pk)).json()

    # In use for 14 local days since the first run: 1 km a day, 86 km left.
    assert body["projected_replacement_date"] == (today + dt.timedelta(days=86)).isoformat()


def test_projected_replacement_date_is_null_without_recent_use(
    alice: User, alice_api: APIClient, kind: Kind
) -> None:
    pair = kind.factory(user=alice)
    wear_run(alice, pair, kind, 10_000, days_ago=40)

    assert alice_api.get(kind.detail(pair.pk)).json()["projected_replacement_date"] is None


def test_a_worn_out_pair_is_due_today(alice: User, alice_api: APIClient, kind: Kind) -> None:
    pair = kind.factory(user=alice, initial_distance_m=700_000)

    body = alice_api.get(kind.detail(pair.pk)).json()

    assert body["status"] == "replace"
    assert body["projected_replacement_date"] == local_today(alice).isoformat()


def test_deleting_a_pair_keeps_its_runs(alice: User, alice_api: APIClient, kind: Kind) -> None:
    pair = kind.factory(user=alice)
    runs = [wear_run(alice, pair, kind, 5000, days_ago=days) for days in (1, 2)]

    response = alice_api.delete(kind.detail(pair.pk))

    assert response.status_code in {204, 409}
    assert Run.objects.filter(pk__in=[run.pk for run in runs]).count() == 2
    if response.status_code == 204:
        for run in runs:
            run.refresh_from_db()
            assert getattr(run, kind.run_field) is None


# --- Query counts -------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_rows(alice: User, alice_api: APIClient, kind: Kind) -> None:
    first = kind.factory(user=alice)
    wear_run(alice, first, kind, 5000, days_ago=1)
    alice_api.get(kind.url)  # creates the profile

    with CaptureQueriesContext(connection) as one:
        assert alice_api.get(kind.url).status_code == 200
    for number in range(49):
        pair = kind.factory(user=alice, retired_on=dt.date(2025, 6, 1) if number % 5 == 0 else None)
        wear_run(alice, pair, kind, 5000, days_ago=number % 40)
    with CaptureQueriesContext(connection) as fifty:
        assert len(alice_api.get(kind.url).json()["results"]) == 50

    assert len(one) == len(fifty)


@pytest.mark.django_db
def test_retiring_the_default_pair_through_the_api_clears_the_default(
    alice_api: object, alice: object
) -> None:
    from tests.factories import ShoeFactory

    pair = ShoeFactory(user=alice, is_default=True, started_on="2025-01-01")
    response = alice_api.patch(f"/api/v1/shoes/{pair.pk}/", {"retired_on": "2025-06-01"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["is_default"] is False
    assert response.json()["status"] == "retired"
