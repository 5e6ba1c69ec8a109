"""Reads for the exports. Every query is scoped to one user and reads only what a file
needs, so that ten years of runs stream through in a constant number of queries."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from runs.models import PainCheckin, Run
from runs.selectors import checkins_for_user, local_day_bounds
from shoes.models import Insole, Shoe

# Rows fetched per round trip while streaming. A chunk's rows are what an export holds
# in memory (about 1 MB per 500 runs with their shoes): large enough to keep round trips
# few, small enough that memory stays flat and low whatever the length of the log.
CHUNK_SIZE = 250


def runs_for_export(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Run]:
    """The user's runs dated ``start`` … ``end`` (inclusive local dates), oldest first, with
    their shoe and insole. Unlike :func:`runs.selectors.runs_for_user` it leaves out the
    shoe odometer, a correlated subquery per run that no export shows."""
    low, high = local_day_bounds(user, start, end)
    runs = Run.objects.filter(user=user).select_related("shoe", "insole")
    if low:
        runs = runs.filter(started_at__gte=low)
    if high:
        runs = runs.filter(started_at__lt=high)
    return runs.order_by("started_at", "id")


def checkins_for_export(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[PainCheckin]:
    """The user's pain check-ins recorded ``start`` … ``end`` (local dates), oldest first."""
    return checkins_for_user(user, start=start, end=end).order_by("recorded_at", "id")


def shoes_for_export(user: AbstractBaseUser) -> QuerySet[Shoe]:
    return Shoe.objects.filter(user=user).order_by("started_on", "id")


def insoles_for_export(user: AbstractBaseUser) -> QuerySet[Insole]:
    return Insole.objects.filter(user=user).order_by("started_on", "id")
