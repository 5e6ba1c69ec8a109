"""Requests at the same moment, from threads with connections of their own: on
PostgreSQL, where transactions really run side by side (SQLite's immediate transactions
take turns, so some of these races cannot happen there)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from sharing import throttle
from shoes.models import Shoe
from tests.conftest import token_client as token_for
from tests.factories import ShoeFactory
from tests.helpers import at_once

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes the write lock at the start of each transaction: these writes take turns there",
)


@postgresql_only
def test_ten_new_default_pairs_at_once_leave_exactly_one_default(alice: User) -> None:
    """Four of ten were a 500 (UniqueViolation)."""
    clients = [token_for(alice) for _ in range(10)]

    statuses = at_once(
        10,
        lambda n: (
            clients[n]
            .post("/api/v1/shoes/", {"name": f"Pair {n}", "is_default": True}, format="json")
            .status_code
        ),
    )

    assert statuses == [201] * 10
    assert Shoe.objects.filter(user=alice).count() == 10
    assert Shoe.objects.filter(user=alice, is_default=True).count() == 1


@postgresql_only
def test_make_default_edits_at_once_do_not_deadlock(alice: User) -> None:
    pairs = [ShoeFactory(user=alice, name=f"Pair {n}", is_default=n == 0) for n in range(6)]
    clients = [token_for(alice) for _ in range(12)]

    statuses = at_once(
        12,
        lambda n: (
            clients[n]
            .patch(f"/api/v1/shoes/{pairs[n % 6].pk}/", {"is_default": True}, format="json")
            .status_code
        ),
    )

    assert statuses == [200] * 12
    assert Shoe.objects.filter(user=alice, is_default=True).count() == 1


def test_forty_guesses_at_once_get_no_more_than_the_limit_answered(db: None) -> None:
    """The counter was read and written back: 28 of 40 were answered before the 429."""
    statuses = at_once(
        40, lambda n: Client(REMOTE_ADDR="198.51.100.99").get(f"/shared/{'G' * 42}{n % 10}/").status_code
    )

    assert sorted(set(statuses)) == [404, 429], statuses
    assert statuses.count(404) == throttle.MAX_FAILURES
