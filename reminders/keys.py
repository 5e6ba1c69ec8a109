"""The browser's subscription keys (RFC 8291) and the URL-safe base64 they travel in."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ValidationError

P256_POINT_BYTES = 65  # an uncompressed point: 0x04, then x and y
AUTH_SECRET_BYTES = 16
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Strict URL-safe base64, with or without padding; ValueError otherwise."""
    compact = text.strip().rstrip("=")
    if not compact or any(c not in _B64URL for c in compact):
        raise ValueError("not URL-safe base64")
    return base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))


def validate_p256dh(value: str) -> None:
    """A point on P-256, uncompressed: a payload can be encrypted to nothing else, so a wrong
    key is refused when the browser hands it over rather than at every send."""
    try:
        point = b64url_decode(value)
        if len(point) != P256_POINT_BYTES:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ValidationError(
            "Not a P-256 public key: the subscription's keys.p256dh, in URL-safe base64."
        ) from None


def validate_auth_secret(value: str) -> None:
    try:
        if len(b64url_decode(value)) != AUTH_SECRET_BYTES:
            raise ValueError
    except ValueError:
        raise ValidationError(
            "Not an auth secret: the subscription's keys.auth, 16 bytes in URL-safe base64."
        ) from None
