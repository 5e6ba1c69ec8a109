"""The VAPID key pair: from the environment when set (checked at start-up), otherwise made
once and kept in the database, whichever process asks first."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection
from rest_framework.test import APIClient

from reminders import vapid
from reminders.checks import vapid_configuration
from reminders.keys import b64url
from reminders.models import VapidKeyPair
from tests.reminders.test_delivery import at_once

pytestmark = pytest.mark.django_db


def raw_private(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def test_the_environments_key_is_used_and_nothing_is_stored(alice_api: APIClient, settings: Any) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = raw_private(key)
    settings.VAPID_PUBLIC_KEY = vapid.public_key_text(key)
    assert alice_api.get("/api/v1/push/key/").json() == {"public_key": settings.VAPID_PUBLIC_KEY}
    assert not VapidKeyPair.objects.exists()
    assert vapid_configuration() == []


def test_a_pem_private_key_works_too(settings: Any) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert vapid.public_key() == vapid.public_key_text(key)


@pytest.mark.parametrize(
    ("private", "public", "message"),
    [
        ("not-a-key", "", "not a P-256 private key"),
        (None, "B" + "A" * 86, "is not the public key of VAPID_PRIVATE_KEY"),
        ("", "B" + "A" * 86, "set both or neither"),
    ],
)
def test_a_wrong_key_is_found_by_manage_py_check(
    settings: Any, private: str | None, public: str, message: str
) -> None:
    settings.VAPID_PRIVATE_KEY = (
        raw_private(ec.generate_private_key(ec.SECP256R1())) if private is None else private
    )
    settings.VAPID_PUBLIC_KEY = public
    [error] = vapid_configuration()
    assert error.id == "reminders.E001"
    assert message in error.msg


def test_a_subject_must_be_mailto_or_https(settings: Any) -> None:
    settings.VAPID_SUBJECT = "admin@example.com"
    assert [error.id for error in vapid_configuration()] == ["reminders.E002"]
    settings.VAPID_SUBJECT = "mailto:admin@example.com"
    assert vapid_configuration() == []
    assert vapid.subject() == "mailto:admin@example.com"


def test_without_a_subject_the_apps_sender_address_is_the_contact(settings: Any) -> None:
    settings.VAPID_SUBJECT = ""
    settings.DEFAULT_FROM_EMAIL = "backpainlog <reminders@bp.example.com>"
    assert vapid.subject() == "mailto:reminders@bp.example.com"


def test_the_stored_key_is_made_once() -> None:
    first = vapid.public_key()
    assert vapid.public_key() == first
    assert VapidKeyPair.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_processes_asking_at_once_agree_on_one_stored_key() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot share SQLite's in-memory test database; run with a file or PostgreSQL")
    keys = at_once(6, lambda _: vapid.public_key())
    assert all(isinstance(key, str) for key in keys), keys
    assert len(set(keys)) == 1
    assert VapidKeyPair.objects.count() == 1
