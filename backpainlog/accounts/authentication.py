from __future__ import annotations

import hashlib

from django.contrib.auth.models import User
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from backpainlog.accounts.models import ApiToken


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class HashedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <token>``, looked up by the token's SHA-256 digest.

    A database leak then reveals no usable token. The token carries 256 random bits, so a
    fast unsalted hash is enough (there is nothing to brute-force, unlike a password).
    """

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token
