from __future__ import annotations

import datetime as dt
import functools
import math
import sys
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

DEFAULT_REPLACEMENT_THRESHOLD_M = 640_000.0  # ≈ 400 mi, the middle of the usual 480–800 km
# No pair of shoes wears out within a kilometre; the floor also keeps wear ratios finite.
MIN_REPLACEMENT_THRESHOLD_M = 1_000.0
MAX_REPLACEMENT_THRESHOLD_M = 5_000_000.0


# Files in the time zone database that are not places: "Factory" means "zone not set",
# "localtime" and "posixrules" are the server's own settings, not a user's.
NOT_A_TIME_ZONE = frozenset({"Factory", "localtime", "posixrules"})


@functools.cache
def timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - NOT_A_TIME_ZONE


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            "Unknown time zone %(value)s: use an IANA name such as Europe/Berlin.",
            params={"value": value},
        )


def validate_finite(value: float) -> None:
    """A finite number, and a normal one: a subnormal (5e-324) is not a measurement but
    the edge of what a float holds, and divisions by it overflow to infinity."""
    if value is None:
        return
    if not math.isfinite(value):
        raise ValidationError("Enter a finite number.")
    if value != 0 and abs(value) < sys.float_info.min:
        raise ValidationError("Enter a number further from 0: this one is too small to measure.")


def validate_positive(value: float) -> None:
    validate_finite(value)
    if value is None or not value > 0:
        raise ValidationError("Must be more than 0.")


REPLACEMENT_THRESHOLD_VALIDATORS: list[Callable[[float], None]] = [
    validate_finite,
    MinValueValidator(MIN_REPLACEMENT_THRESHOLD_M),
    MaxValueValidator(MAX_REPLACEMENT_THRESHOLD_M),
]


class Profile(models.Model):
    class DistanceUnit(models.TextChoices):
        KM = "km", "Kilometres"
        MI = "mi", "Miles"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    distance_unit = models.CharField(max_length=2, choices=DistanceUnit.choices, default=DistanceUnit.KM)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    default_replacement_threshold_m = models.FloatField(
        default=DEFAULT_REPLACEMENT_THRESHOLD_M,
        validators=REPLACEMENT_THRESHOLD_VALIDATORS,
    )
    # Raised whenever the stored analytics change: what was computed from them (the
    # dashboard's charts) can be cached under it, on any number of servers.
    analytics_version = models.PositiveIntegerField(default=0, editable=False)
    # When the offer of next-morning reminders was shown after a saved run. Kept here, not in
    # the browser: the offer is made once per person (a first run is logged once, on whatever
    # phone or laptop), so that signing in on a second device or clearing site data does not
    # bring it back; turning reminders on for another device is in Settings.
    reminder_offer_shown_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_replacement_threshold_m__gte=MIN_REPLACEMENT_THRESHOLD_M),
                name="profile_replacement_threshold_at_least_1_km",
            ),
            models.CheckConstraint(
                condition=models.Q(distance_unit__in=["km", "mi"]),
                name="profile_distance_unit_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class ApiToken(models.Model):
    """An API token. Only its SHA-256 digest is stored; the token is shown once.

    It stops working after ``settings.API_TOKEN_IDLE_DAYS`` without use, and when the
    password is changed or reset; its owner sees and revokes it in Settings or the API.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Updated at most every few minutes (``TOKEN_USE_PRECISION``), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The coarse name of the program that asked for it ("Python script", "Firefox on Android").
    client = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Token {self.label or self.pk} of {self.user}"

    @property
    def expires_at(self) -> dt.datetime:
        """When it stops working unless used before (each use moves it on)."""
        return (self.last_used_at or self.created_at) + dt.timedelta(days=settings.API_TOKEN_IDLE_DAYS)


class RecoveryCode(models.Model):
    """A single-use code for two-step sign-in without the authenticator app.

    Only its SHA-256 digest is stored (django-otp's static tokens are kept in clear): a
    database leak then reveals no usable code. Codes carry 80 random bits, so a fast
    unsalted hash is enough, as for API tokens.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.user}"
