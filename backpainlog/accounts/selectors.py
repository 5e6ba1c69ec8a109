from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from backpainlog.accounts.models import Profile


def profile_of(user: AbstractBaseUser) -> Profile:
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


def user_zone(user: AbstractBaseUser) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(profile_of(user).timezone)


def local_today(user: AbstractBaseUser) -> dt.date:
    return timezone.localtime(timezone.now(), user_zone(user)).date()
