from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from backpainlog.accounts.models import ApiToken, Profile, RecoveryCode


def profile_of(user: User) -> Profile:
    """The user's profile, created with defaults on first use.

    Users come from sign-up, the admin, ``createsuperuser`` and ``create_user`` alike;
    creating the profile lazily here means every one of them works at once.
    The result is cached on the user object for the rest of the request.
    """
    cached = getattr(user, "_profile_cache", None)
    if cached is not None:
        return cached
    profile, _ = Profile.objects.get_or_create(user=user)
    user._profile_cache = profile  # type: ignore[attr-defined]
    return profile


def user_zone(user: User) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(profile_of(user).timezone)


def local_today(user: User) -> dt.date:
    return timezone.localtime(timezone.now(), user_zone(user)).date()


def api_tokens_for_user(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first (an expired one is deleted at its
    next use; until then it is left out here)."""
    cutoff = timezone.now() - dt.timedelta(days=settings.API_TOKEN_IDLE_DAYS)
    return (
        ApiToken.objects.filter(user=user)
        .filter(Q(last_used_at__gt=cutoff) | Q(last_used_at__isnull=True, created_at__gt=cutoff))
        .order_by("-created_at", "-id")
    )


def two_step_enabled(user: User) -> bool:
    """Whether signing in asks for a code after the password."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_step_pending_device(user: User) -> TOTPDevice | None:
    """The authenticator being set up: shown as a QR code until a code from it confirms it."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user).count()
