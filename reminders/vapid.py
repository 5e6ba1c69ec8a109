"""The server's VAPID key pair (RFC 8292): from ``VAPID_PRIVATE_KEY`` when set, otherwise
made once and kept in the database, so that every process and machine signs with one key
and the browsers' subscriptions (made for that public key) keep working."""

from __future__ import annotations

from email.utils import parseaddr

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

from reminders.keys import b64url, b64url_decode
from reminders.models import VapidKeyPair


def private_key_from_text(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key as people keep them: the 32-byte scalar in URL-safe base64 (what
    ``web-push generate-vapid-keys`` and ``vapid --gen`` print), PEM, or base64 DER."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text.replace("\n", ""))
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except ValueError as exc:
        raise ImproperlyConfigured(f"VAPID_PRIVATE_KEY is not a P-256 private key ({exc}).") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key.")
    return key


def public_key_text(key: ec.EllipticCurvePrivateKey) -> str:
    """The uncompressed point in URL-safe base64: ``PushManager.subscribe``'s applicationServerKey."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def new_private_key_text() -> str:
    scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return b64url(scalar.to_bytes(32, "big"))


def configured_private_key() -> ec.EllipticCurvePrivateKey | None:
    """The key of the environment, checked against ``VAPID_PUBLIC_KEY`` when that is set too."""
    if not settings.VAPID_PRIVATE_KEY:
        if settings.VAPID_PUBLIC_KEY:
            raise ImproperlyConfigured(
                "VAPID_PUBLIC_KEY is set without VAPID_PRIVATE_KEY: set both or neither."
            )
        return None
    key = private_key_from_text(settings.VAPID_PRIVATE_KEY)
    if settings.VAPID_PUBLIC_KEY and settings.VAPID_PUBLIC_KEY.strip().rstrip("=") != public_key_text(key):
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.")
    return key


def private_key() -> ec.EllipticCurvePrivateKey:
    """The environment's key, or the database's (made by whichever process asks first:
    ``get_or_create`` on the single row re-reads the winner's after a conflicting insert)."""
    key = configured_private_key()
    if key is not None:
        return key
    stored, _ = VapidKeyPair.objects.get_or_create(pk=1, defaults={"private_key": new_private_key_text})
    return private_key_from_text(stored.private_key)


def public_key() -> str:
    return public_key_text(private_key())


def signer() -> Vapid:
    return Vapid(private_key())


def subject() -> str:
    """``VAPID_SUBJECT``, or a mailto: of the sender address of the app's e-mails: the
    contact the push services may write to about this server."""
    if settings.VAPID_SUBJECT:
        return settings.VAPID_SUBJECT
    return "mailto:" + parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
