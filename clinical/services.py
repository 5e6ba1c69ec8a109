"""Writes of questionnaire answers, schedules and treatments; the pages and the API both
come through here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypedDict, Unpack

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from backpainlog.accounts.models import Profile
from backpainlog.services import create_idempotently, update_validated
from clinical import instruments
from clinical.models import QuestionnaireResponse, QuestionnaireSchedule, Treatment


class ResponseFields(TypedDict, total=False):
    """What the pages and the API may set on a response (the score and changes are derived)."""

    questionnaire: str
    completed_at: dt.datetime
    # JSON in the instrument's own shape (ticks, ratings, activities): instruments checks it.
    answers: Any


class TreatmentFields(TypedDict, total=False):
    kind: str
    name: str
    dose: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    notes: str


@transaction.atomic
def response_create(
    *, user: User, id: uuid.UUID | None = None, **fields: Unpack[ResponseFields]
) -> tuple[QuestionnaireResponse, bool]:
    """Store one completed questionnaire; returns ``(response, created)``. With a
    client-generated ``id`` a retry returns the stored response."""
    response, created = create_idempotently(QuestionnaireResponse, id=id, user=user, **fields)
    if created:
        changes_refresh(user, response.questionnaire)
    return response, created


@transaction.atomic
def response_update(
    response: QuestionnaireResponse, **fields: Unpack[ResponseFields]
) -> QuestionnaireResponse:
    before = response.questionnaire
    update_validated(response, **fields)
    for key in {before, response.questionnaire}:
        changes_refresh(response.user, key)
    response.refresh_from_db()
    return response


@transaction.atomic
def response_delete(response: QuestionnaireResponse) -> None:
    response.delete()
    changes_refresh(response.user, response.questionnaire)


def changes_refresh(user: User, key: str) -> None:
    """Recompute every response's change from the first one of the same questionnaire:
    an edit or deletion can make another response the first."""
    responses = list(
        QuestionnaireResponse.objects.filter(user=user, questionnaire=key).order_by("completed_at", "id")
    )
    if not responses:
        return
    first, changed = responses[0], []
    for position, response in enumerate(responses):
        if position == 0:
            values: dict[str, Any] = {"change_from_first": None, "meaningful_change": None, "change_text": ""}
        else:
            result = instruments.change(key, first.answers, response.answers)
            values = {
                "change_from_first": float(result.difference),
                "meaningful_change": result.meaningful,
                "change_text": instruments.describe_change(key, result),
            }
        if any(getattr(response, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(response, name, value)
            changed.append(response)
    QuestionnaireResponse.objects.bulk_update(
        changed, ["change_from_first", "meaningful_change", "change_text"]
    )


@transaction.atomic
def schedule_set(*, user: User, questionnaire: str, schedule: str) -> QuestionnaireSchedule:
    row = QuestionnaireSchedule.objects.filter(user=user, questionnaire=questionnaire).first()
    row = row or QuestionnaireSchedule(user=user, questionnaire=questionnaire)
    return update_validated(row, schedule=schedule)


def dashboard_changed(user: User) -> None:
    # Treatments are drawn on the dashboard's weekly chart, which is cached under the
    # profile's analytics version (runs.views.cached_partials): a new one redraws it.
    Profile.objects.filter(user=user).update(analytics_version=F("analytics_version") + 1)
    cached = getattr(user, "_profile_cache", None)
    if cached is not None:
        cached.refresh_from_db(fields=["analytics_version"])


@transaction.atomic
def treatment_create(
    *, user: User, id: uuid.UUID | None = None, **fields: Unpack[TreatmentFields]
) -> tuple[Treatment, bool]:
    treatment, created = create_idempotently(Treatment, id=id, user=user, **fields)
    if created:
        dashboard_changed(user)
    return treatment, created


@transaction.atomic
def treatment_update(treatment: Treatment, **fields: Unpack[TreatmentFields]) -> Treatment:
    update_validated(treatment, **fields)
    dashboard_changed(treatment.user)
    return treatment


@transaction.atomic
def treatment_delete(treatment: Treatment) -> None:
    treatment.delete()
    dashboard_changed(treatment.user)
