"""Writes of shoes and insoles; the pages and the API both come through here."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, TypeVar, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from backpainlog.accounts.models import Profile
from backpainlog.accounts.selectors import local_today, profile_of
from backpainlog.services import update_validated
from runs.services import analytics_refresh, earliest_date, pair_totals_refresh
from shoes.models import Gear, Insole, Shoe

G = TypeVar("G", bound=Gear)


def _clear_other_defaults(pair: Gear) -> None:
    type(pair)._default_manager.filter(user_id=pair.user_id, is_default=True).exclude(pk=pair.pk).update(
        is_default=False
    )


def _lock_default_changes(user: User) -> None:
    """Changes of the user's default pair one at a time: a row lock on the profile
    (PostgreSQL; SQLite's immediate transactions already serialise writers), taken before
    any pair is touched. Without it, two requests making a pair the default at once each
    cleared the other defaults before either had saved its own, and the second insert broke
    the one-default rule (a 500); two edits updating the same pairs in opposite orders
    deadlocked (a 503). The analytics refresh that follows takes the same lock."""
    Profile.objects.select_for_update().filter(pk=profile_of(user).pk).values_list("pk").first()


def _save(pair: G) -> G:
    if pair.is_default:
        if pair.retired_on is not None:
            raise ValidationError({"is_default": "A retired pair cannot be the default."})
        _lock_default_changes(pair.user)
        _clear_other_defaults(pair)
    return update_validated(pair)


def _first_worn(pair: Gear) -> dt.datetime | None:
    if not isinstance(pair, Shoe):
        return None  # insoles are in no figure
    return pair.runs.order_by("started_at").values_list("started_at", flat=True).first()


def _refresh_flags_of_runs_in(pair: Gear, first_worn: dt.datetime | None) -> None:
    # A shoe's distances and name are in its runs' flags from the first one worn on, the
    # patterns and the dashboard (cached under the analytics version the refresh raises,
    # even for a pair not worn yet); insoles are in none. Either way the pair's run
    # totals: its save wrote back those it was read with, which a run logged meanwhile
    # may have changed.
    if isinstance(pair, Shoe):
        since = earliest_date(pair.user, first_worn) if first_worn else local_today(pair.user)
        analytics_refresh(pair.user, since)
    elif isinstance(pair, Insole) and pair.pk is not None:
        pair_totals_refresh(Insole.objects.filter(pk=pair.pk))


class GearFields(TypedDict, total=False):
    """What the pages and the API may set on a shoe or an insole."""

    name: str
    brand: str
    model: str
    started_on: dt.date
    initial_distance_m: float
    replacement_threshold_m: float
    retired_on: dt.date | None
    is_default: bool


@transaction.atomic
def gear_create(model: type[G], /, *, user: User, **fields: Unpack[GearFields]) -> G:
    fields.setdefault("replacement_threshold_m", profile_of(user).default_replacement_threshold_m)
    fields.setdefault("started_on", local_today(user))
    pair = _save(model(user=user, **fields))
    _refresh_flags_of_runs_in(pair, None)
    return pair


@transaction.atomic
def gear_update(pair: G, **fields: Unpack[GearFields]) -> G:
    if fields.get("retired_on") and "is_default" not in fields:
        fields["is_default"] = False  # a retired pair is no longer worn by default
    for name, value in fields.items():
        setattr(pair, name, value)
    _save(pair)
    _refresh_flags_of_runs_in(pair, _first_worn(pair))
    return pair


@transaction.atomic
def gear_set_default(pair: G) -> G:
    return gear_update(pair, is_default=True)


@transaction.atomic
def gear_retire(pair: G, *, on: dt.date | None = None) -> G:
    return gear_update(pair, retired_on=on or local_today(pair.user), is_default=False)


@transaction.atomic
def gear_delete(pair: Gear) -> None:
    """Delete the pair; its runs stay, without the pair (``on_delete=SET_NULL``)."""
    first_worn = _first_worn(pair)  # its runs lose the pair with it
    pair.delete()
    _refresh_flags_of_runs_in(pair, first_worn)
