from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.lookups import Exact
from django.utils import timezone

from backpainlog.accounts.models import validate_finite, validate_positive
from backpainlog.units import format_distance, format_pace
from runs.analytics.records import session_load

# The limits of what can be recorded: the model fields, the forms, the API serializers
# and the database constraints are all built from these.
MAX_DISTANCE_M = 500_000.0
MAX_DURATION_S = 172_800
MAX_ELEVATION_GAIN_M = 20_000.0
PAIN_MIN, PAIN_MAX = 0, 10
RPE_MIN, RPE_MAX = 1, 10
NOTES_MAX_LENGTH = 2000
MAX_FUTURE = dt.timedelta(days=1)
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


# Plausibility (docs/analytics.md#plausibility): no one covers 1 km or more faster than this, so such an entry
# is a typo (500 km in 30 min) and is refused through every door, before it floods the
# analytics with spikes. Exactly the limit is allowed; only faster is refused.
PLAUSIBLE_FROM_M = 1000
FASTEST_PACE_S_PER_KM = {"run": 120, "walk": 210}


def implausible_pace(
    activity: str, distance_m: float | None, duration_s: int | None, unit: str = "km"
) -> str | None:
    """Why a run or walk this fast cannot be right, in ``unit``; None when it can."""
    fastest = FASTEST_PACE_S_PER_KM.get(activity)
    # Values the fields' own validators refuse (none, NaN, text) are theirs to report.
    if fastest is None or not isinstance(distance_m, int | float) or not isinstance(duration_s, int):
        return None
    if not math.isfinite(distance_m) or distance_m < PLAUSIBLE_FROM_M or duration_s <= 0:
        return None
    # Exact: a float product could put a pace of exactly the limit on the wrong side.
    if Decimal(duration_s) * 1000 >= Decimal(repr(float(distance_m))) * fastest:
        return None
    pace = duration_s * 1000 / distance_m
    kind = "walk" if activity == "walk" else "run"
    return (
        f"A pace of {format_pace(pace, unit, down=True)} over {format_distance(distance_m, unit)} is "
        f"faster than anyone can {kind} 1 km or more (the limit is "
        f"{format_pace(fastest, unit, down=True)}). Check the distance and the duration."
    )


def validate_recorded_time(value: dt.datetime) -> None:
    """At most a day ahead (time zones, a watch's clock); nothing before 1900."""
    if value > timezone.now() + MAX_FUTURE:
        raise ValidationError("This is more than a day in the future.", code="future")
    if value < EARLIEST:
        raise ValidationError("This is before 1900.", code="too_early")


SURFACES = ["road", "concrete", "track", "treadmill", "trail", "grass", "sand", "mixed"]

# Where it hurts (docs/product.md#where-it-hurts): the body map's nine regions, seen from behind, in the order
# every list shows them. A thigh or below the knee is pain down the leg; below the knee is
# shown apart (clinicians read it as a sign of nerve-root pain).
PAIN_REGIONS = {
    "low_back_center": "Lower back, centre",
    "low_back_left": "Lower back, left",
    "low_back_right": "Lower back, right",
    "buttock_left": "Left buttock",
    "buttock_right": "Right buttock",
    "thigh_left": "Left thigh",
    "thigh_right": "Right thigh",
    "below_knee_left": "Left leg, below the knee",
    "below_knee_right": "Right leg, below the knee",
}
LEG_REGIONS = frozenset({"thigh_left", "thigh_right", "below_knee_left", "below_knee_right"})
BELOW_KNEE_REGIONS = frozenset({"below_knee_left", "below_knee_right"})

# Red flags (docs/analytics.md#red-flags): any one needs a doctor the same day.
RED_FLAGS = {
    "saddle_numbness": "Numbness in the groin or buttocks (saddle area)",
    "bladder_bowel": "New trouble controlling your bladder or bowel",
    "leg_weakness": "New weakness in a leg",
}


class CodeSetField(models.Field):
    """A set of codes from a fixed list, read and written as a list (in the list's order).

    Stored as one bit per code in a small integer, so that the database itself holds
    nothing else: a code cannot be there twice, and a check constraint
    (:func:`code_set_check`) refuses any number that is not a set of these codes. Django
    has no portable way to constrain the items of a JSON list on SQLite and PostgreSQL.
    """

    description = "A set of codes"

    def __init__(self, *args: Any, codes: Sequence[str] = (), **kwargs: Any) -> None:
        self.codes = tuple(codes)
        self._decoded: dict[int, tuple[str, ...]] = {}  # stored number → codes, as read
        kwargs.setdefault("default", list)
        # The empty set in the database too: a row written by other means (an older
        # version during an upgrade, a restore, plain SQL) is valid without the column.
        kwargs.setdefault("db_default", 0)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["codes"] = list(self.codes)
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("db_default") == 0:
            del kwargs["db_default"]
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "PositiveSmallIntegerField"

    @property
    def largest(self) -> int:
        return (1 << len(self.codes)) - 1

    def to_python(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value <= self.largest:
                raise ValidationError("Not a set of known codes.", code="invalid")
            return [code for bit, code in enumerate(self.codes) if value & (1 << bit)]
        if isinstance(value, str):
            try:  # a fixture or a serialised dump: the list as JSON
                value = json.loads(value)
            except ValueError:
                raise ValidationError("Enter a list of codes.", code="invalid") from None
        if not isinstance(value, list | tuple) or not all(isinstance(code, str) for code in value):
            raise ValidationError("Enter a list of codes.", code="invalid")
        errors = [
            ValidationError(
                "“%(code)s” is not one of: %(known)s.",
                code="unknown",
                params={"code": code[:40], "known": ", ".join(self.codes)},
            )
            for code in dict.fromkeys(value)
            if code not in self.codes
        ]
        errors += [
            ValidationError("“%(code)s” is listed twice.", code="duplicate", params={"code": code})
            for code in dict.fromkeys(value)
            if value.count(code) > 1 and code in self.codes
        ]
        if errors:
            raise ValidationError(errors)
        return [code for code in self.codes if code in value]

    def from_db_value(self, value: int | None, expression: Any, connection: Any) -> list[str]:
        # Every row read decodes one: each stored number is decoded once per process (there
        # are at most ``largest + 1``), and every row gets a list of its own.
        decoded = self._decoded.get(value) if isinstance(value, int) else None
        if decoded is None:
            decoded = tuple(self.to_python(value))
            if isinstance(value, int):
                self._decoded[value] = decoded
        return list(decoded)

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        codes = self.to_python(value)
        return sum(1 << self.codes.index(code) for code in codes)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    # Always a MultipleChoiceField: no form_class or choices_form_class to choose from.
    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        from django import forms

        return forms.MultipleChoiceField(
            **{
                "required": not self.blank,
                "label": self.verbose_name,
                "help_text": self.help_text,
                "choices": [(code, code) for code in self.codes],
                "widget": forms.CheckboxSelectMultiple,
                **kwargs,
            }
        )


def code_set_check(field: str, codes: Sequence[str], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0, f"{field}__lte": (1 << len(codes)) - 1}), name=name
    )


def leg_regions_radiate(name: str) -> models.CheckConstraint:
    """A check-in with a region in a leg says the pain radiates (docs/product.md#where-it-hurts)."""
    leg_bits = sum(1 << list(PAIN_REGIONS).index(code) for code in LEG_REGIONS)
    in_a_leg = models.ExpressionWrapper(
        models.F("pain_regions").bitand(leg_bits), output_field=models.IntegerField()
    )
    return models.CheckConstraint(
        condition=models.Q(radiating_leg_pain=True) | models.Q(Exact(in_a_leg, 0)), name=name
    )


def region_names(codes: Sequence[str]) -> list[str]:
    """The regions as a sentence lists them: below the knee last and apart."""
    above = [PAIN_REGIONS[code] for code in codes if code not in BELOW_KNEE_REGIONS]
    below = [code.removeprefix("below_knee_") for code in codes if code in BELOW_KNEE_REGIONS]
    return [*above, *([f"below the knee: {' and '.join(below)}"] if below else [])]


def pain_field(**kwargs: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(PAIN_MIN), MaxValueValidator(PAIN_MAX)], **kwargs
    )


def range_check(field: str, low: float, high: float, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": low, f"{field}__lte": high})
        | models.Q(**{f"{field}__isnull": True}),
        name=name,
    )


# An imported run without pain before or after: files carry no pain scores, so the runs
# list and the dashboard ask for them. The dashboard counts them on every view, so a
# partial index holds just these runs.
NEEDS_PAIN = ~models.Q(source="manual") & (
    models.Q(pain_before__isnull=True) | models.Q(pain_after__isnull=True)
)


class Run(models.Model):
    class Activity(models.TextChoices):
        RUN = "run", "Run"
        WALK = "walk", "Walk"

    class Surface(models.TextChoices):
        ROAD = "road", "Road"
        CONCRETE = "concrete", "Concrete"
        TRACK = "track", "Track"
        TREADMILL = "treadmill", "Treadmill"
        TRAIL = "trail", "Trail"
        GRASS = "grass", "Grass"
        SAND = "sand", "Sand"
        MIXED = "mixed", "Mixed"

    class Source(models.TextChoices):
        MANUAL = "manual", "Logged in the app"
        FIT = "fit", "FIT file"
        GPX = "gpx", "GPX file"
        TCX = "tcx", "TCX file"
        CSV = "csv", "backpainlog CSV"
        STRAVA = "strava", "Strava export"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(validators=[validate_recorded_time])
    activity = models.CharField(max_length=8, choices=Activity.choices, default=Activity.RUN)
    distance_m = models.FloatField(validators=[validate_positive, MaxValueValidator(MAX_DISTANCE_M)])
    duration_s = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_S)]
    )
    elevation_gain_m = models.FloatField(
        null=True,
        blank=True,
        validators=[validate_finite, MinValueValidator(0), MaxValueValidator(MAX_ELEVATION_GAIN_M)],
    )
    surface = models.CharField(max_length=16, choices=Surface.choices, default=Surface.ROAD)
    shoe = models.ForeignKey(
        "shoes.Shoe", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    insole = models.ForeignKey(
        "shoes.Insole", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    pain_before = pain_field(null=True, blank=True)
    pain_after = pain_field(null=True, blank=True)
    pain_next_morning = pain_field(null=True, blank=True)
    rpe = models.PositiveSmallIntegerField(
        "RPE", null=True, blank=True, validators=[MinValueValidator(RPE_MIN), MaxValueValidator(RPE_MAX)]
    )
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)
    pain_regions = CodeSetField("Where it hurt", codes=list(PAIN_REGIONS))
    # Where the run came from: typed in, or imported from a file (which has no pain scores,
    # so the app asks for them).
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL, editable=False)

    # Derived by the analytics (docs/analytics.md#flags) and stored so that lists stay cheap.
    flags = models.JSONField(default=list, blank=True, editable=False)
    spike_band = models.CharField(max_length=8, null=True, blank=True, editable=False)
    acwr = models.FloatField(null=True, blank=True, editable=False)
    # Per flag kind, the figures that triggered it, for the alerts' "why".
    flag_evidence = models.JSONField(default=dict, blank=True, editable=False)
    # Where a later write resumes the whole-log figures instead of recomputing them from the
    # first run: the EWMAs of daily load after the run's date, before bias correction (runs
    # only, not walks); the start of the flare-up episode its flare-up belongs to; and, on
    # the last run with pain before and after of each local week, the patterns' counts over
    # those runs up to this one (about 1 KB: on every such run it made the rows twice as big).
    ewma_acute = models.FloatField(null=True, blank=True, editable=False)
    ewma_chronic = models.FloatField(null=True, blank=True, editable=False)
    episode = models.DateField(null=True, blank=True, editable=False)
    pattern_tally = models.JSONField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="run_user_started"),
            # Covering: a pair's wear (shown on the dashboard and the shoe pages) and its
            # odometer before a run sum its runs' distances from the index alone, not
            # from rows spread over the whole table (2.7x faster with 10 years of runs).
            models.Index(fields=["shoe", "started_at", "distance_m", "id"], name="run_shoe_started_distance"),
            models.Index(fields=["user"], condition=NEEDS_PAIN, name="run_user_needs_pain"),
            models.Index(fields=["insole", "started_at"], name="run_insole_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(distance_m__gt=0, distance_m__lte=MAX_DISTANCE_M),
                name="run_distance_in_range",
            ),
            range_check("duration_s", 1, MAX_DURATION_S, "run_duration_in_range"),
            range_check("elevation_gain_m", 0, MAX_ELEVATION_GAIN_M, "run_elevation_in_range"),
            range_check("pain_before", PAIN_MIN, PAIN_MAX, "run_pain_before_0_10"),
            range_check("pain_after", PAIN_MIN, PAIN_MAX, "run_pain_after_0_10"),
            range_check("pain_next_morning", PAIN_MIN, PAIN_MAX, "run_pain_next_morning_0_10"),
            range_check("rpe", RPE_MIN, RPE_MAX, "run_rpe_1_10"),
            models.CheckConstraint(
                condition=models.Q(activity__in=["run", "walk"]), name="run_activity_valid"
            ),
            models.CheckConstraint(condition=models.Q(surface__in=SURFACES), name="run_surface_valid"),
            models.CheckConstraint(
                condition=models.Q(source__in=["manual", "fit", "gpx", "tcx", "csv", "strava"]),
                name="run_source_valid",
            ),
            code_set_check("pain_regions", list(PAIN_REGIONS), "run_pain_regions_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} {self.distance_m / 1000:.2f} km on {self.started_at:%Y-%m-%d}"

    @property
    def pace_s_per_km(self) -> float | None:
        if not self.duration_s or not self.distance_m:
            return None
        # Any distance above 0 is valid, down to the smallest float; the pace of a
        # vanishing distance is no number (infinite), and then there is none to show.
        pace = self.duration_s * 1000 / self.distance_m
        return pace if math.isfinite(pace) else None

    @property
    def session_load(self) -> float | None:
        """RPE × minutes (AU, docs/analytics.md#session-load); None unless both are recorded."""
        return session_load(self.rpe, self.duration_s)

    @property
    def region_names(self) -> list[str]:
        return region_names(self.pain_regions)

    def clean(self) -> None:
        # Another user's gear never ends up on a run, whichever door the write came through.
        errors = {}
        if self.shoe is not None and self.shoe.user_id != self.user_id:
            errors["shoe"] = "Choose one of your own shoes."
        if self.insole is not None and self.insole.user_id != self.user_id:
            errors["insole"] = "Choose one of your own insoles."
        if refusal := implausible_pace(self.activity, self.distance_m, self.duration_s):
            errors["duration_s"] = refusal
        if errors:
            raise ValidationError(errors)


class PainCheckin(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pain_checkins")
    recorded_at = models.DateTimeField(default=timezone.now, validators=[validate_recorded_time])
    score = pain_field()
    radiating_leg_pain = models.BooleanField(default=False)
    pain_regions = CodeSetField("Where it hurts", codes=list(PAIN_REGIONS))
    red_flags = CodeSetField("New symptoms", codes=list(RED_FLAGS))
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)

    # Derived by the analytics (docs/analytics.md: check-in flare, and the start of the flare-up
    # episode a flare belongs to).
    flare = models.BooleanField(default=False, editable=False)
    flare_evidence = models.JSONField(null=True, blank=True, editable=False)
    episode = models.DateField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["user", "-recorded_at"], name="checkin_user_recorded")]
        constraints = [
            range_check("score", PAIN_MIN, PAIN_MAX, "checkin_score_0_10"),
            code_set_check("pain_regions", list(PAIN_REGIONS), "checkin_pain_regions_known"),
            code_set_check("red_flags", list(RED_FLAGS), "checkin_red_flags_known"),
            leg_regions_radiate("checkin_leg_regions_radiate"),
        ]

    def __str__(self) -> str:
        return f"Pain {self.score}/10 at {self.recorded_at:%Y-%m-%d %H:%M}"

    @property
    def see_doctor(self) -> bool:
        """Any red flag: the app says to see a doctor today (docs/analytics.md#red-flags)."""
        return bool(self.red_flags)

    @property
    def red_flag_names(self) -> list[str]:
        return [RED_FLAGS[code] for code in self.red_flags]

    @property
    def region_names(self) -> list[str]:
        return region_names(self.pain_regions)

    def clean(self) -> None:
        # Pain in a thigh or below the knee is pain down the leg, whichever door it came
        # through (the form, the API, the outbox); the box alone may say so without a region.
        if LEG_REGIONS.intersection(self.pain_regions or []):
            self.radiating_leg_pain = True


class Pattern(models.Model):
    """An association between an exposure and pain flare-ups over the user's whole log
    (docs/analytics.md#patterns), kept current on every write so the dashboard only reads it.

    ``likely_since`` survives recomputation while the verdict stays ``likely``: the
    dashboard shows new likely patterns as alerts.
    """

    class Verdict(models.TextChoices):
        INSUFFICIENT_DATA = "insufficient_data", "Not enough data"
        LIKELY = "likely", "Likely"
        LIKELY_FEWER = "likely_fewer", "Likely fewer flare-ups"
        POSSIBLE = "possible", "Possible"
        POSSIBLE_FEWER = "possible_fewer", "Possibly fewer flare-ups"
        NONE = "none", "No clear difference"

    class Outcome(models.TextChoices):
        PAIN_FLARE = "pain_flare", "Flare-up after the run"
        PAIN_FLARE_48H = "pain_flare_48h", "Flare-up within two days"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patterns")
    exposure = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)  # the order of docs/analytics.md#exposures
    exposed_runs = models.PositiveIntegerField()
    exposed_flares = models.PositiveIntegerField()
    unexposed_runs = models.PositiveIntegerField()
    unexposed_flares = models.PositiveIntegerField()
    risk_ratio = models.FloatField(null=True)
    ci95_low = models.FloatField(null=True)
    ci95_high = models.FloatField(null=True)
    p_value = models.FloatField(null=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PAIN_FLARE)
    p_adjusted = models.FloatField(null=True)
    exposed_periods = models.PositiveIntegerField(default=0)
    same_as = models.JSONField(default=list)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    message = models.TextField()
    likely_since = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "exposure"], name="pattern_one_per_exposure"),
            models.CheckConstraint(
                condition=models.Q(exposed_flares__lte=models.F("exposed_runs"))
                & models.Q(unexposed_flares__lte=models.F("unexposed_runs")),
                name="pattern_flares_within_runs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_verdict_display()}"
