"""Reads for the exports. Every query is scoped to one user and reads only what a file
needs, so that ten years of runs stream through in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import User
from django.db.models import F, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from backpainlog.accounts.selectors import user_zone
from clinical.models import QuestionnaireResponse, Treatment
from clinical.selectors import responses_for_user, treatments_for_user
from runs.models import PainCheckin, Run
from runs.selectors import checkins_for_user, local_day_bounds
from shoes.models import Insole, Shoe

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Rows fetched per round trip while streaming. A chunk's rows are what an export holds
# in memory (about 1 MB per 500 runs with their shoes): large enough to keep round trips
# few, small enough that memory stays flat and low whatever the length of the log.
CHUNK_SIZE = 250


def runs_for_export(user: User, *, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Run]:
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
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[PainCheckin]:
    """The user's pain check-ins recorded ``start`` … ``end`` (local dates), oldest first."""
    return checkins_for_user(user, start=start, end=end).order_by("recorded_at", "id")


def responses_for_export(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[QuestionnaireResponse]:
    """The user's questionnaire responses completed ``start`` … ``end``, oldest first."""
    return responses_for_user(user, start=start, end=end).order_by("completed_at", "id")


def treatments_for_export(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Treatment]:
    """The user's treatments under way ``start`` … ``end``, oldest first."""
    return treatments_for_user(user, start=start, end=end).order_by("started_at", "id")


def shoes_for_export(user: User) -> QuerySet[Shoe]:
    return Shoe.objects.filter(user=user).order_by("started_on", "id")


def insoles_for_export(user: User) -> QuerySet[Insole]:
    return Insole.objects.filter(user=user).order_by("started_on", "id")


# ------------------------------------------------------------------------ the report


def first_entry_date(user: User) -> dt.date | None:
    """The local date of the user's first run or check-in, whichever came first (two
    queries); None for an empty log."""
    firsts = [
        Run.objects.filter(user=user).order_by("started_at").values_list("started_at", flat=True).first(),
        PainCheckin.objects.filter(user=user)
        .order_by("recorded_at")
        .values_list("recorded_at", flat=True)
        .first(),
    ]
    zone = user_zone(user)
    dates = [moment.astimezone(zone).date() for moment in firsts if moment is not None]
    return min(dates, default=None)


def checkin_count(user: User, *, start: dt.date, end: dt.date) -> int:
    """How many pain check-ins the user recorded ``start`` … ``end`` (local dates)."""
    return checkins_for_user(user, start=start, end=end).count()


class Odometer(TypedDict):
    odometer_m: float


def shoes_with_odometer(
    user: User, pks: Iterable[int], *, end: dt.date
) -> dict[int, WithAnnotations[Shoe, Odometer]]:
    """The user's pairs among ``pks`` by id, each with ``odometer_m``: the distance on it
    at the end of the local date ``end`` (its initial distance and the runs up to then),
    not today's (one query)."""
    _, high = local_day_bounds(user, None, end)
    return {
        pair.pk: pair
        for pair in Shoe.objects.filter(user=user, pk__in=list(pks)).annotate(
            odometer_m=F("initial_distance_m")
            + Coalesce(
                Sum("runs__distance_m", filter=Q(runs__started_at__lt=high)),
                Value(0.0),
                output_field=FloatField(),
            )
        )
    }


def red_flag_checkins(user: User, *, start: dt.date, end: dt.date) -> list[tuple[dt.date, list[str]]]:
    """The local date and the red flags of each check-in ``start`` … ``end`` that recorded
    any, oldest first (one query)."""
    zone = user_zone(user)
    return [
        (recorded_at.astimezone(zone).date(), flags)
        for recorded_at, flags in checkins_for_user(user, start=start, end=end)
        .exclude(red_flags=[])
        .order_by("recorded_at", "id")
        .values_list("recorded_at", "red_flags")
    ]
