"""``DJANGO_TRUSTED_PROXIES``: only the addresses trusted proxies appended to
``X-Forwarded-For`` are believed. With ``DJANGO_HTTPS=1`` alone, the last entry was
trusted whoever sent it: a client reaching the app directly rotated it to dodge the
lock-out, the token throttle and the share-guess limit, and forged the address shown in
the account activity."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from pytest_django import Settings

from audit.models import AuditEvent
from backpainlog.clients import client_address
from tests.factories import PASSWORD
from tests.helpers import settings_in_process


def address(remote: str, forwarded: str = "") -> str:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored_even_under_https(settings: Settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert address("198.51.100.1", "203.0.113.9") == "198.51.100.1"


def test_a_count_of_proxies_takes_the_entry_the_outermost_one_appended(settings: Settings) -> None:
    settings.TRUSTED_PROXIES = 1
    assert address("10.0.0.1", "6.6.6.6, 203.0.113.5") == "203.0.113.5"
    settings.TRUSTED_PROXIES = 2
    assert address("10.0.0.1", "6.6.6.6, 203.0.113.5, 10.0.0.2") == "203.0.113.5"
    # Fewer entries than proxies: as far as the list goes.
    assert address("10.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert address("10.0.0.1") == "10.0.0.1"


def test_networks_skip_the_hops_inside_them(settings: Settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]
    assert address("10.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.2.3") == "203.0.113.5"
    assert address("2001:db8:ffff::1", "198.51.100.4") == "198.51.100.4"
    # Reached directly from outside the networks: the header is the client's own writing.
    assert address("198.51.100.7", "203.0.113.5") == "198.51.100.7"


@pytest.mark.django_db
def test_a_client_rotating_the_header_is_still_locked_out(settings: Settings, alice: User) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(REMOTE_ADDR="198.51.100.50")
    for n in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"someone{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            HTTP_X_FORWARDED_PROTO="https",
            secure=True,
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.50"}
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.77",
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_account_activity_shows_no_forged_address(alice: User) -> None:
    Client(REMOTE_ADDR="198.51.100.60").post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert AuditEvent.objects.get(user=alice, kind=AuditEvent.Kind.SIGNED_IN).address == "198.51.100.60"


def _trusted(value: str) -> subprocess.CompletedProcess[str]:
    return settings_in_process("s.TRUSTED_PROXIES", DJANGO_TRUSTED_PROXIES=value)


def test_the_setting_takes_a_count_or_networks() -> None:
    assert _trusted("").stdout.strip() == "0"
    assert _trusted("2").stdout.strip() == "2"
    assert _trusted("10.0.0.0/8, ::1").stdout.strip() == "['10.0.0.0/8', '::1']"
    refused = _trusted("proxy.internal")
    assert refused.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES must be a number of proxies or comma-separated networks" in refused.stderr
