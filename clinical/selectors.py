"""Reads of questionnaire answers, schedules and treatments. Every query is scoped to one user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from backpainlog.accounts.selectors import local_today, user_zone
from clinical import instruments
from clinical.models import QuestionnaireResponse, QuestionnaireSchedule, Treatment
from runs.selectors import local_day_bounds


def schedules_for_user(user: User) -> dict[str, str]:
    """Each questionnaire's schedule: the user's choice, or its default."""
    chosen = dict(QuestionnaireSchedule.objects.filter(user=user).values_list("questionnaire", "schedule"))
    return {
        key: chosen.get(key, instrument.default_schedule)
        for key, instrument in instruments.INSTRUMENTS.items()
    }


@dataclass(frozen=True)
class QuestionnaireStatus:
    instrument: instruments.Instrument
    schedule: str
    last_answered: dt.date | None  # local date
    due_on: dt.date | None
    today: dt.date

    @property
    def key(self) -> str:
        return self.instrument.key

    @property
    def is_due(self) -> bool:
        return self.due_on is not None and self.due_on <= self.today

    @property
    def schedule_label(self) -> str:
        return instruments.SCHEDULE_LABELS[self.schedule]


def questionnaires_for_user(
    user: User, *, last: Mapping[str, dt.datetime] | None = None
) -> list[QuestionnaireStatus]:
    """Every questionnaire with its schedule and when it is next due (two queries; one
    when the caller has read when each was ``last`` answered)."""
    schedules = schedules_for_user(user)
    zone, today = user_zone(user), local_today(user)
    if last is None:
        last = dict(
            QuestionnaireResponse.objects.filter(user=user)
            .order_by()
            .values("questionnaire")
            .annotate(last=Max("completed_at"))
            .values_list("questionnaire", "last")
        )
    statuses = []
    for key, instrument in instruments.INSTRUMENTS.items():
        answered = timezone.localtime(last[key], zone).date() if key in last else None
        statuses.append(
            QuestionnaireStatus(
                instrument=instrument,
                schedule=schedules[key],
                last_answered=answered,
                due_on=instruments.due_on(schedules[key], answered, today),
                today=today,
            )
        )
    return statuses


def responses_for_user(
    user: User,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    questionnaire: str | None = None,
) -> QuerySet[QuestionnaireResponse]:
    """Newest first; ``start``/``end`` are local dates, inclusive."""
    low, high = local_day_bounds(user, start, end)
    responses = QuestionnaireResponse.objects.filter(user=user)
    if questionnaire:
        responses = responses.filter(questionnaire=questionnaire)
    if low:
        responses = responses.filter(completed_at__gte=low)
    if high:
        responses = responses.filter(completed_at__lt=high)
    return responses.order_by("-completed_at", "-id")


def last_psfs_activities(user: User) -> list[str]:
    """The activities of the latest PSFS answers: offered again (docs/analytics.md#psfs)."""
    latest = responses_for_user(user, questionnaire=instruments.PSFS).only("answers").first()
    return instruments.previous_activities(latest.answers if latest else None)


@dataclass(frozen=True)
class Outcome:
    """One questionnaire's scores over time, for the dashboard."""

    instrument: instruments.Instrument
    points: list[tuple[dt.date, float]] = field(default_factory=list)  # oldest first
    latest: QuestionnaireResponse | None = None

    @property
    def first(self) -> float | None:
        return self.points[0][1] if self.points else None

    @property
    def threshold(self) -> float | None:
        first = self.first
        return None if first is None else instruments.meaningful_threshold(self.instrument.key, first)


def outcomes_for_user(user: User) -> list[Outcome]:
    """Each questionnaire answered at least once, with all its scores (one query)."""
    zone = user_zone(user)
    by_key: dict[str, list[QuestionnaireResponse]] = {}
    for response in QuestionnaireResponse.objects.filter(user=user).order_by("completed_at", "id"):
        by_key.setdefault(response.questionnaire, []).append(response)
    return [
        Outcome(
            instrument=instrument,
            points=[(timezone.localtime(r.completed_at, zone).date(), r.score) for r in by_key[key]],
            latest=by_key[key][-1],
        )
        for key, instrument in instruments.INSTRUMENTS.items()
        if key in by_key
    ]


def treatments_for_user(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Treatment]:
    """Newest first. With a period: those under way in it (a course that began before
    the period and ends in it is included)."""
    low, high = local_day_bounds(user, start, end)
    treatments = Treatment.objects.filter(user=user)
    if low:
        treatments = treatments.filter(Q(started_at__gte=low) | Q(ended_at__gte=low))
    if high:
        treatments = treatments.filter(started_at__lt=high)
    return treatments.order_by("-started_at", "-id")


def treatment_marks(user: User, *, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """The local date each treatment in the period began (a course before the period:
    none), with its label, oldest first; for the markers on the weekly pain chart."""
    zone = user_zone(user)
    low, high = local_day_bounds(user, start, end)
    return [
        (timezone.localtime(treatment.started_at, zone).date(), treatment.label)
        for treatment in Treatment.objects.filter(
            user=user, started_at__gte=low, started_at__lt=high
        ).order_by("started_at", "id")
    ]
