from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from backpainlog.accounts.models import (
    DEFAULT_REPLACEMENT_THRESHOLD_M,
    MIN_REPLACEMENT_THRESHOLD_M,
    REPLACEMENT_THRESHOLD_VALIDATORS,
    validate_finite,
)
from shoes import wear

MAX_INITIAL_DISTANCE_M = 10_000_000.0
PROJECTION_WINDOW_DAYS = 28  # projected replacement date from the last four weeks of use


def local_today() -> dt.date:
    return timezone.localdate()


class Gear(models.Model):
    """What shoes and insoles share: both wear out with distance and can be retired."""

    class Status(models.TextChoices):
        # The words of the one wear rule (shoes.wear).
        OK = wear.OK, "OK"
        NEARING = wear.NEARING, "Nearing replacement"
        REPLACE = wear.REPLACE, "Replace"
        RETIRED = wear.RETIRED, "Retired"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="%(class)ss")
    name = models.CharField(max_length=100)
    brand = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    started_on = models.DateField(default=local_today)
    initial_distance_m = models.FloatField(
        default=0,
        validators=[validate_finite, MinValueValidator(0), MaxValueValidator(MAX_INITIAL_DISTANCE_M)],
    )
    replacement_threshold_m = models.FloatField(
        default=DEFAULT_REPLACEMENT_THRESHOLD_M,
        validators=REPLACEMENT_THRESHOLD_VALIDATORS,
    )
    retired_on = models.DateField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The sums over the pair's runs (shoes.totals), kept by every write of runs.
    logged_distance_m = models.FloatField(default=0, editable=False)
    run_count = models.PositiveIntegerField(default=0, editable=False)
    first_run_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        abstract = True
        # Pairs in use first, the default pair at the top; retired pairs last.
        ordering = [models.F("retired_on").asc(nulls_first=True), "-is_default", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(initial_distance_m__gte=0),
                name="%(app_label)s_%(class)s_initial_distance_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(replacement_threshold_m__gte=MIN_REPLACEMENT_THRESHOLD_M),
                name="%(app_label)s_%(class)s_threshold_at_least_1_km",
            ),
            models.CheckConstraint(
                condition=models.Q(retired_on__isnull=True)
                | models.Q(retired_on__gte=models.F("started_on")),
                name="%(app_label)s_%(class)s_retired_after_start",
                violation_error_message="A pair cannot be retired before it was first worn.",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default_per_user",
                violation_error_message="You already have a default pair.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Shoe(Gear):
    class Meta(Gear.Meta):
        abstract = False


class Insole(Gear):
    class Meta(Gear.Meta):
        abstract = False
