"""A real push delivery: pywebpush posts to a push service on this machine, which receives
what a browser would: a payload only the subscription's keys decrypt, and a VAPID token
signed by the server's key."""

from __future__ import annotations

import json

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from reminders.keys import b64url_decode
from reminders.models import Reminder
from tests.helpers import run_queued_tasks
from tests.reminders.browser import BrowserKeys
from tests.reminders.conftest import PushService


def verify_vapid(authorization: str, public_key: str, audience: str) -> dict[str, object]:
    """Check ``vapid t=<JWT>,k=<key>`` (RFC 8292) independently of the libraries that made it:
    the key is the server's, the ES256 signature holds, the audience is the push service's
    origin. Returns the claims."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(b64url_decode(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = b64url_decode(signature_b64)
    assert len(signature) == 64  # JOSE: r and s, 32 bytes each
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    try:
        key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AssertionError("the VAPID token's signature does not verify against the public key") from None
    claims = json.loads(b64url_decode(claims_b64))
    assert claims["aud"] == audience
    assert claims["sub"].startswith("mailto:")
    assert claims["exp"] > timezone.now().timestamp()
    return claims


@pytest.mark.django_db(transaction=True)
def test_test_notification_reaches_the_push_service_encrypted_and_signed(
    alice: User, alice_api: APIClient, push_service: PushService
) -> None:
    browser = BrowserKeys()
    created = alice_api.post(
        "/api/v1/push-subscriptions/",
        browser.subscription(push_service.endpoint("alice-phone")),
        format="json",
    )
    assert created.status_code == 201, created.json()
    public_key = alice_api.get("/api/v1/push/key/").json()["public_key"]

    assert alice_api.post("/api/v1/push/test/").status_code == 202
    run_queued_tasks()

    [message] = push_service.to("alice-phone")
    assert message.headers["content-encoding"] == "aes128gcm"
    assert int(message.headers["ttl"]) > 0
    payload = json.loads(browser.decrypt(message.body))
    assert payload["title"] == "Test notification"
    assert payload["url"] == "/settings/#reminders"
    assert payload["tag"] == "test"
    verify_vapid(message.headers["authorization"], public_key, audience=push_service.origin)
    # Another browser's keys cannot read it.
    with pytest.raises(http_ece.ECEException, match="InvalidTag"):
        BrowserKeys().decrypt(message.body)
    reminder = Reminder.objects.get(user=alice)
    assert reminder.status == Reminder.Status.SENT
    assert reminder.sent_at is not None
    assert reminder.delivered_to == [created.json()["id"]]
