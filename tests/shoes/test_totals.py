"""Each pair stores the distance, number and first start of its runs (shoes.totals):
every write of runs and of pairs keeps them to the sums over the runs."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from runs import services
from shoes.models import Gear, Insole, Shoe
from shoes.services import gear_create, gear_delete, gear_update

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("shoes.migrations.0003_logged_totals")


def worn(model: type[Gear], pair: Gear) -> dict[str, Any]:
    """The run field that names ``pair``, as run writes take it."""
    return {"shoe" if model is Shoe else "insole": pair}


def totals(pair: Gear) -> tuple[float, int, dt.datetime | None]:
    pair.refresh_from_db()
    return pair.logged_distance_m, pair.run_count, pair.first_run_at


# One instant for the module: days_ago(n) is then the same whenever a test asks for it.
NOW = timezone.now().replace(microsecond=0)


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.mark.parametrize("model", [Shoe, Insole], ids=["shoe", "insole"])
def test_run_writes_keep_the_totals_of_the_pairs_they_touch(alice: User, model: type[Gear]) -> None:
    first, second = (gear_create(model, user=alice, name=name) for name in ("First", "Second"))
    early, _ = services.run_create(
        user=alice, started_at=days_ago(10), distance_m=5000.0, **worn(model, first)
    )
    late, _ = services.run_create(user=alice, started_at=days_ago(2), distance_m=7000.0, **worn(model, first))
    assert totals(first) == (12_000.0, 2, days_ago(10))

    services.run_update(early, **worn(model, second))
    assert totals(first) == (7000.0, 1, days_ago(2))
    assert totals(second) == (5000.0, 1, days_ago(10))

    services.run_update(late, distance_m=8000.0, started_at=days_ago(3))
    services.run_delete(early)
    assert totals(first) == (8000.0, 1, days_ago(3))
    assert totals(second) == (0.0, 0, None)


@pytest.mark.parametrize("model", [Shoe, Insole], ids=["shoe", "insole"])
def test_editing_a_pair_read_before_a_run_was_logged_keeps_that_run(alice: User, model: type[Gear]) -> None:
    pair = gear_create(model, user=alice, name="Daily")
    read_before = model._default_manager.get(pk=pair.pk)
    services.run_create(user=alice, started_at=days_ago(1), distance_m=9000.0, **worn(model, pair))

    gear_update(read_before, name="Daily trainer")

    assert totals(pair) == (9000.0, 1, days_ago(1))


def test_another_users_runs_leave_my_totals_alone(alice: User, bob: User) -> None:
    mine = gear_create(Shoe, user=alice, name="Mine")
    services.run_create(user=alice, started_at=days_ago(1), distance_m=4000.0, shoe=mine)
    theirs = gear_create(Shoe, user=bob, name="Theirs")
    services.run_create(user=bob, started_at=days_ago(1), distance_m=6000.0, shoe=theirs)
    services.run_delete(services.run_create(user=bob, started_at=days_ago(2), distance_m=1.0, shoe=theirs)[0])

    assert totals(mine) == (4000.0, 1, days_ago(1))


def test_the_api_cannot_set_the_totals(alice: User, alice_api: APIClient) -> None:
    response = alice_api.post(
        "/api/v1/shoes/", {"name": "New", "logged_distance_m": 900_000.0, "run_count": 40}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["distance_m"] == 0.0
    assert response.json()["run_count"] == 0
    assert totals(Shoe.objects.get(pk=response.json()["id"])) == (0.0, 0, None)


def test_the_migration_fills_in_the_totals_of_a_log_stored_before_them(alice: User) -> None:
    shoe = gear_create(Shoe, user=alice, name="Old")
    insole = gear_create(Insole, user=alice, name="Old insole")
    services.run_create(user=alice, started_at=days_ago(20), distance_m=3000.0, shoe=shoe, insole=insole)
    services.run_create(user=alice, started_at=days_ago(5), distance_m=2000.0, shoe=shoe)
    unworn = gear_create(Shoe, user=alice, name="Unworn")
    # As the migration finds the rows: the columns just added, at their defaults.
    for model in (Shoe, Insole):
        model.objects.update(logged_distance_m=0.0, run_count=0, first_run_at=None)

    backfill.fill_in_totals(apps, None)

    assert totals(shoe) == (5000.0, 2, days_ago(20))
    assert totals(insole) == (3000.0, 1, days_ago(20))
    assert totals(unworn) == (0.0, 0, None)


def test_a_deleted_pair_leaves_its_runs_and_the_other_pairs_totals(alice: User) -> None:
    gone, kept = (gear_create(Shoe, user=alice, name=name) for name in ("Gone", "Kept"))
    services.run_create(user=alice, started_at=days_ago(4), distance_m=5000.0, shoe=gone)
    services.run_create(user=alice, started_at=days_ago(3), distance_m=6000.0, shoe=kept)

    gear_delete(gone)

    assert totals(kept) == (6000.0, 1, days_ago(3))
