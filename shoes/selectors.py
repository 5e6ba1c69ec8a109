"""Reads of shoes and insoles, with their odometers and wear computed in the database."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

from django.contrib.auth.models import User
from django.db.models import Case, F, FloatField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from backpainlog.accounts.selectors import local_today
from runs.models import Run
from shoes import wear
from shoes.models import PROJECTION_WINDOW_DAYS, Gear, Insole, Shoe

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class WearFigures(TypedDict):
    """What gear_with_wear annotates on each pair (and gear_list and gear_get then add);
    the run totals are stored on the pair (shoes.totals)."""

    distance_m: float
    recent_distance_m: float
    remaining_m: float
    wear_ratio: float
    status: str
    projected_replacement_date: dt.date | None


if TYPE_CHECKING:
    WornGear = WithAnnotations[Gear, WearFigures]
else:
    WornGear = Gear  # what the annotations name when read at run time (the API schema)

GearModel = type[Shoe] | type[Insole]
G = TypeVar("G", bound=Gear)


def _logged_wear(model: GearModel, *, user: User) -> QuerySet[Any]:
    """The user's pairs with ``distance_m`` (the initial distance and the stored logged
    one) and ``recent_distance_m`` (their runs of the last 28 days, from the index of
    the pair's runs by date) annotated, in the model's order."""
    since = timezone.now() - dt.timedelta(days=PROJECTION_WINDOW_DAYS)
    pair_field = "shoe" if model is Shoe else "insole"
    recent = (
        Run.objects.filter(**{pair_field: OuterRef("pk")}, started_at__gte=since)
        .order_by()
        .values(pair_field)
        .annotate(total=Sum("distance_m"))
        .values("total")
    )
    pairs = model.objects.filter(user=user).annotate(
        distance_m=F("initial_distance_m") + F("logged_distance_m"),
        recent_distance_m=Coalesce(Subquery(recent), Value(0.0), output_field=FloatField()),
    )
    # Any: the plugin types the query per model (Shoe or Insole); the callers say what it carries.
    return cast("QuerySet[Any]", pairs)


def gear_with_wear(model: GearModel, *, user: User) -> QuerySet[WornGear]:
    """The user's pairs with ``distance_m``, ``remaining_m``, ``wear_ratio``, ``status``
    and ``recent_distance_m`` (last 28 days) annotated: one query for any number of pairs
    and runs."""
    pairs = (
        _logged_wear(model, user=user)
        .annotate(
            remaining_m=Greatest(F("replacement_threshold_m") - F("distance_m"), Value(0.0)),
            wear_ratio=F("distance_m") / F("replacement_threshold_m"),
        )
        # shoes.wear.wear_status, in the database so that lists can filter and sort on it;
        # _derive_wear below for lists that do neither.
        .annotate(
            status=Case(
                When(retired_on__isnull=False, then=Value(Gear.Status.RETIRED)),
                When(wear_ratio__gte=wear.WORN_RATIO, then=Value(Gear.Status.REPLACE)),
                When(wear_ratio__gte=wear.NEARING_RATIO, then=Value(Gear.Status.NEARING)),
                default=Value(Gear.Status.OK),
            )
        )
    )
    # cast: both models carry WearFigures.
    return cast("QuerySet[WornGear]", pairs)


def _derive_wear(pair: WornGear) -> None:
    """``remaining_m``, ``wear_ratio`` and ``status`` from the pair's ``distance_m``, as
    :func:`gear_with_wear` computes them in the database (the status by the one wear rule,
    :func:`shoes.wear.wear_status`)."""
    pair.remaining_m = max(pair.replacement_threshold_m - pair.distance_m, 0.0)
    pair.wear_ratio = pair.distance_m / pair.replacement_threshold_m
    pair.status = wear.wear_status(
        pair.distance_m, pair.replacement_threshold_m, retired=pair.retired_on is not None
    )


def projected_replacement_date(pair: WornGear, *, today: dt.date) -> dt.date | None:
    """When the pair reaches its replacement distance at the pace of the last 28 days.

    ``pair`` comes from :func:`gear_with_wear`. None for retired pairs and pairs not worn
    in the last 28 days; today for a pair already past its distance. A pair in use for
    less than 28 days (from its start date or its first run, whichever is earlier, in the
    active time zone) is judged by those days, not by a window it was mostly not in.
    """
    if pair.retired_on is not None:
        return None
    if pair.remaining_m <= 0:
        return today
    in_use_since = pair.started_on
    if pair.first_run_at is not None:
        in_use_since = min(in_use_since, timezone.localdate(pair.first_run_at))
    days_in_use = max(1, min(PROJECTION_WINDOW_DAYS, (today - in_use_since).days + 1))
    per_day = pair.recent_distance_m / days_in_use
    if per_day <= 0:
        return None
    days = math.ceil(pair.remaining_m / per_day)
    if days > 365 * 20:
        return None
    return today + dt.timedelta(days=days)


def gear_list(model: GearModel, *, user: User) -> list[WornGear]:
    """All the user's pairs with wear figures and projected replacement dates. The figures
    that follow from the distance are worked out here, not in the query: building it in
    Django took longer than running it (the dashboard reads it after every write)."""
    today = local_today(user)
    pairs: list[WornGear] = list(_logged_wear(model, user=user))
    for pair in pairs:
        _derive_wear(pair)
        pair.projected_replacement_date = projected_replacement_date(pair, today=today)
    return pairs


def gear_get(model: GearModel, *, user: User, pk: int | str) -> WornGear:
    """One of the user's pairs with wear figures; ``model.DoesNotExist`` for anyone else's."""
    pair = gear_with_wear(model, user=user).get(pk=pk)
    pair.projected_replacement_date = projected_replacement_date(pair, today=local_today(user))
    return pair


def default_pair(model: type[G], *, user: User) -> G | None:
    return model._default_manager.filter(user=user, is_default=True, retired_on__isnull=True).first()
