from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from backpainlog.accounts.models import ApiToken


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: How stale a token's "last used" may be: a write per request would cost more than it tells.
TOKEN_USE_PRECISION = dt.timedelta(minutes=5)


class HashedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <token>``, looked up by the token's SHA-256 digest.

    A database leak then reveals no usable token. The token carries 256 random bits, so a
    fast unsalted hash is enough (there is nothing to brute-force, unlike a password).
    """

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.expires_at <= now:
            # Not used for the idle period: it is gone for good, as if revoked.
            token.delete()
            raise exceptions.AuthenticationFailed(
                f"This token expired: it was not used for {settings.API_TOKEN_IDLE_DAYS} days."
            )
        if token.last_used_at is None or token.last_used_at < now - TOKEN_USE_PRECISION:
            # A conditional update: no write on most requests, none lost between two at once.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
