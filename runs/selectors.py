"""Reads of runs and pain check-ins. Every query is scoped to one user."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, FloatField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from backpainlog.accounts.selectors import local_today, user_zone
from runs.models import PainCheckin, Run


def local_day_bounds(
    user: AbstractBaseUser, start: dt.date | None, end: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The instants that bound the local dates ``start`` … ``end`` (inclusive) in the
    user's time zone: ``[start 00:00, end+1 00:00)``."""
    zone = user_zone(user)
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone) if start else None
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if end else None
    return low, high


def _shoe_distance_before() -> Coalesce:
    """The shoe's odometer at the start of the run: its initial distance plus every
    earlier run in it, summed in the database by a correlated subquery."""
    earlier = (
        Run.objects.filter(shoe=OuterRef("shoe"), started_at__lt=OuterRef("started_at"))
        .order_by()
        .values("shoe")
        .annotate(total=Sum("distance_m"))
        .values("total")
    )
    return F("shoe__initial_distance_m") + Coalesce(Subquery(earlier), Value(0.0), output_field=FloatField())


def runs_for_user(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Run]:
    """The user's runs, newest first, with their shoes, insoles and ``shoe_distance_m``."""
    low, high = local_day_bounds(user, start, end)
    runs = Run.objects.filter(user=user).select_related("shoe", "insole")
    if low:
        runs = runs.filter(started_at__gte=low)
    if high:
        runs = runs.filter(started_at__lt=high)
    return runs.annotate(shoe_distance_m=_shoe_distance_before()).order_by("-started_at", "-id")


def run_get(user: AbstractBaseUser, pk: object) -> Run:
    """One of the user's runs; ``Run.DoesNotExist`` for anyone else's."""
    return runs_for_user(user).get(pk=pk)


def checkins_for_user(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[PainCheckin]:
    low, high = local_day_bounds(user, start, end)
    checkins = PainCheckin.objects.filter(user=user)
    if low:
        checkins = checkins.filter(recorded_at__gte=low)
    if high:
        checkins = checkins.filter(recorded_at__lt=high)
    return checkins.order_by("-recorded_at", "-id")


def runs_awaiting_next_morning_pain(user: AbstractBaseUser, *, days: int = 2) -> QuerySet[Run]:
    """Runs from the last ``days`` local days before today still without next-morning pain.

    The morning after a run the app asks how the back feels; a run logged today is not
    asked about until tomorrow, and one from the day before yesterday is still asked
    about (in the past tense) for a user who did not open the app yesterday.
    """
    today = local_today(user)
    low, _ = local_day_bounds(user, today - dt.timedelta(days=days), None)
    today_start, _ = local_day_bounds(user, today, None)
    return (
        Run.objects.filter(
            user=user, pain_next_morning__isnull=True, started_at__gte=low, started_at__lt=today_start
        )
        .select_related("shoe")
        .order_by("-started_at")
    )


def last_surface(user: AbstractBaseUser) -> str | None:
    return Run.objects.filter(user=user).order_by("-started_at").values_list("surface", flat=True).first()
