from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backpainlog.accounts.authentication import token_digest
from backpainlog.accounts.models import ApiToken, Profile
from backpainlog.accounts.selectors import profile_of
from runs.services import analytics_refresh


@transaction.atomic
def user_sign_up(*, username: str, password: str, email: str = "") -> User:
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError:
        # Two sign-ups with one name at the same moment: the form's check passed for both.
        raise ValidationError({"username": "This username is taken."}) from None
    profile_of(user)
    return user


def api_token_create(*, user: User, label: str = "") -> tuple[ApiToken, str]:
    """Create a token; returns the stored record and the token itself (shown once)."""
    token = secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, digest=token_digest(token), label=label[:100])
    return record, token


def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()


@transaction.atomic
def profile_update(*, user: User, **fields: Any) -> Profile:
    profile = profile_of(user)
    old_timezone = profile.timezone
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if profile.timezone != old_timezone:
        # Local dates, and with them every window of the analytics, move with the zone.
        analytics_refresh(user)
    return profile


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the user and, through the database's cascades, everything they recorded."""
    user.delete()
