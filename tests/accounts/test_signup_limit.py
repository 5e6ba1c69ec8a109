"""Sign-up is open, so it is limited: 5 new accounts per address and 100 in all per
hour, counted in the shared database cache."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.test import Client, RequestFactory

from backpainlog.accounts.lockout import SIGNUPS_IN_ALL, SIGNUPS_PER_ADDRESS
from backpainlog.clients import address_key
from tests.helpers import ClientResponse

pytestmark = pytest.mark.django_db


def sign_up(client: Client, username: str, **extra: Any) -> ClientResponse:
    return client.post(
        "/accounts/signup/",
        {"username": username, "password": "a-long-passphrase-for-tests"},
        **extra,
    )


def test_one_address_makes_five_accounts_an_hour() -> None:
    """25 accounts in 8.5 s from one address went through."""
    for number in range(SIGNUPS_PER_ADDRESS.limit):
        assert sign_up(Client(REMOTE_ADDR="198.51.100.30"), f"user{number}").status_code == 302

    refused = sign_up(Client(REMOTE_ADDR="198.51.100.30"), "one-too-many")

    assert refused.status_code == 429
    assert "Too many new accounts from your network" in refused.content.decode()
    assert not User.objects.filter(username="one-too-many").exists()
    cache.clear()  # the count is in the database, not in a process's memory
    assert sign_up(Client(REMOTE_ADDR="198.51.100.30"), "again").status_code == 429
    assert sign_up(Client(REMOTE_ADDR="192.0.2.31"), "elsewhere").status_code == 302


def test_a_form_with_errors_uses_up_nothing() -> None:
    client = Client(REMOTE_ADDR="198.51.100.32")
    for _ in range(SIGNUPS_PER_ADDRESS.limit + 2):
        assert client.post("/accounts/signup/", {"username": "x", "password": "short"}).status_code == 200
    assert sign_up(client, "finally").status_code == 302


def test_all_addresses_together_make_a_hundred_an_hour() -> None:
    for number in range(SIGNUPS_IN_ALL.limit):
        assert SIGNUPS_IN_ALL.take("all") is not None, number

    refused = sign_up(Client(REMOTE_ADDR="203.0.113.33"), "late")

    assert refused.status_code == 429
    assert "Too many new accounts at the moment" in refused.content.decode()
    # The address's own count was given back: it was not the address's doing.
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.33")
    assert caches["shared"].get_many(SIGNUPS_PER_ADDRESS._keys(address_key(request), time.time())) == {}
    assert not User.objects.filter(username="late").exists()
