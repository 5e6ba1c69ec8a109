"""Questionnaire answers, their schedules, and treatments (docs/product.md#clinical-outcomes)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from clinical import instruments
from runs.models import NOTES_MAX_LENGTH, validate_recorded_time

NAME_MAX_LENGTH = 100
DOSE_MAX_LENGTH = 100
# A course of medication may be entered with the day it is meant to end.
MAX_END_AHEAD = dt.timedelta(days=366)


class Questionnaire(models.TextChoices):
    RMDQ = instruments.RMDQ, "Roland-Morris Disability Questionnaire"
    PSFS = instruments.PSFS, "Patient-Specific Functional Scale"
    PAIN_7D = instruments.PAIN_7D, "Average back pain, last 7 days"


class Schedule(models.TextChoices):
    OFF = "off", "Off"
    WEEKLY = "weekly", "Weekly"
    EVERY_2_WEEKS = "2w", "Every 2 weeks"
    EVERY_4_WEEKS = "4w", "Every 4 weeks"


class QuestionnaireSchedule(models.Model):
    """How often the user is asked a questionnaire; without a row, its default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questionnaire_schedules"
    )
    questionnaire = models.CharField(max_length=16, choices=Questionnaire.choices)
    schedule = models.CharField(max_length=8, choices=Schedule.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "questionnaire"], name="schedule_one_per_questionnaire"),
            models.CheckConstraint(
                condition=models.Q(questionnaire__in=instruments.KEYS), name="schedule_questionnaire_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(schedule__in=list(instruments.SCHEDULE_DAYS)), name="schedule_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire}: {self.get_schedule_display()}"


class QuestionnaireResponse(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    questionnaire = models.CharField(max_length=16, choices=Questionnaire.choices)
    completed_at = models.DateTimeField(default=timezone.now, validators=[validate_recorded_time])
    answers = models.JSONField()

    # Derived: the score from the answers (on every save), and the change from the
    # user's first response to the same questionnaire (kept current by the services).
    score = models.FloatField(editable=False)
    change_from_first = models.FloatField(null=True, blank=True, editable=False)
    meaningful_change = models.BooleanField(null=True, blank=True, editable=False)
    change_text = models.CharField(max_length=200, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-completed_at"]
        indexes = [
            models.Index(fields=["user", "questionnaire", "completed_at"], name="response_user_completed")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(questionnaire__in=instruments.KEYS), name="response_questionnaire_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=24), name="response_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.score:g} at {self.completed_at:%Y-%m-%d}"

    @property
    def instrument(self) -> instruments.Instrument:
        return instruments.INSTRUMENTS[self.questionnaire]

    def clean(self) -> None:
        if self.questionnaire not in instruments.INSTRUMENTS:
            return  # the field's own choices say so
        try:
            self.answers = instruments.clean_answers(self.questionnaire, self.answers)
        except instruments.InvalidAnswers as exc:
            raise ValidationError({"answers": str(exc)}) from None
        self.score = instruments.score(self.questionnaire, self.answers)

    def clean_fields(self, exclude: set[str] | None = None) -> None:
        # The score is derived in clean(), after the fields are checked.
        super().clean_fields(exclude={*(exclude or ()), "score"})


class Treatment(models.Model):
    class Kind(models.TextChoices):
        MEDICATION = "medication", "Medication"
        PHYSIOTHERAPY = "physiotherapy", "Physiotherapy session"
        INJECTION = "injection", "Injection"
        MASSAGE = "massage", "Massage"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="treatments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    dose = models.CharField(max_length=DOSE_MAX_LENGTH, blank=True)
    started_at = models.DateTimeField(validators=[validate_recorded_time])
    ended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "-started_at"], name="treatment_user_started")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["medication", "physiotherapy", "injection", "massage", "other"]),
                name="treatment_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="treatment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}".strip()

    @property
    def label(self) -> str:
        """As a list or a chart names it: "Physiotherapy session" or "Medication: ibuprofen 400 mg"."""
        detail = " ".join(part for part in (self.name, self.dose) if part)
        return f"{self.get_kind_display()}: {detail}" if detail else self.get_kind_display()

    def clean(self) -> None:
        errors = {}
        if self.ended_at is not None:
            if self.started_at is not None and self.ended_at < self.started_at:
                errors["ended_at"] = "The end must not be before the start."
            elif self.ended_at > timezone.now() + MAX_END_AHEAD:
                errors["ended_at"] = "This is more than a year in the future."
        if self.kind == self.Kind.MEDICATION and not self.name.strip():
            errors["name"] = "Name the medication."
        if errors:
            raise ValidationError(errors)
