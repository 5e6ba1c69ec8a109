"""Writes of runs and pain check-ins; the pages and the API both come through here."""

from __future__ import annotations

import dataclasses
import math
import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from backpainlog.accounts.models import Profile
from backpainlog.accounts.selectors import profile_of
from backpainlog.services import create_idempotently, update_validated
from runs import analytics, selectors
from runs.models import PainCheckin, Pattern, Run
from shoes.models import Insole, Shoe
from shoes.selectors import default_pair


@transaction.atomic
def run_create(*, user: User, id: uuid.UUID | None = None, **fields: Any) -> tuple[Run, bool]:
    """Log a run; returns ``(run, created)``.

    Without a ``shoe`` (or ``insole``) argument the user's default pair is worn; pass
    ``None`` for none. With a client-generated ``id`` a retry returns the stored run.
    """
    defaults = {
        name: default_pair(model, user=user)
        for name, model in (("shoe", Shoe), ("insole", Insole))
        if name not in fields
    }
    run, created = create_idempotently(Run, id=id, user=user, defaults=defaults, **fields)
    if created:
        analytics_refresh(user)
    return run, created


@transaction.atomic
def run_update(run: Run, **fields: Any) -> Run:
    update_validated(run, **fields)
    analytics_refresh(run.user)
    return run


@transaction.atomic
def run_delete(run: Run) -> None:
    run.delete()
    analytics_refresh(run.user)


@transaction.atomic
def checkin_create(*, user: User, id: uuid.UUID | None = None, **fields: Any) -> tuple[PainCheckin, bool]:
    checkin, created = create_idempotently(PainCheckin, id=id, user=user, **fields)
    if created:
        analytics_refresh(user)
    return checkin, created


@transaction.atomic
def checkin_update(checkin: PainCheckin, **fields: Any) -> PainCheckin:
    update_validated(checkin, **fields)
    analytics_refresh(checkin.user)
    return checkin


@transaction.atomic
def checkin_delete(checkin: PainCheckin) -> None:
    checkin.delete()
    analytics_refresh(checkin.user)


def finite_or_none(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def finite_json(value: Any) -> Any:
    """``value`` with every infinite or NaN number in it replaced by None: JSON has no
    such numbers, and a JSON column refuses them (a ratio over a vanishing distance
    overflows to infinity, and then every write of the account failed)."""
    if isinstance(value, float):
        return finite_or_none(value)
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(item) for item in value]
    return value


@transaction.atomic
def analytics_refresh(user: User) -> None:
    """Recompute and store every derived figure of the user's log (SPEC §2): run flags,
    spike bands and ACWR, check-in flares, and the patterns.

    Every write that can change them calls this. An edit to an old run moves the windows,
    odometers and moving averages of all the runs after it, so the whole log is
    recomputed (linear in its length) rather than guessing which rows are affected; only
    rows whose figures changed are written.
    """
    # One recompute per user at a time, so the last one sees every committed write: a
    # row lock on PostgreSQL (SQLite's immediate transactions already serialise writers).
    profile = profile_of(user)
    locked = Profile.objects.select_for_update().only("analytics_version").get(pk=profile.pk)
    profile.analytics_version = locked.analytics_version + 1
    Profile.objects.filter(pk=profile.pk).update(analytics_version=profile.analytics_version)

    runs, stored, checkins, stored_flares = selectors.stored_log(user)
    shoes = selectors.shoe_records(Shoe.objects.filter(user=user))
    analyses = analytics.analyse_runs(runs, shoes)
    Run.objects.bulk_update(
        [
            Run(
                id=pk,
                flags=list(new.flags),
                spike_band=new.spike_band,
                acwr=finite_or_none(new.acwr),
                flag_evidence=finite_json(new.evidence),
            )
            for pk, new in analyses.items()
            if new != stored[pk]
        ],
        ["flags", "spike_band", "acwr", "flag_evidence"],
        batch_size=500,
    )
    flares = analytics.checkin_flares(checkins, runs)
    stored_episodes = dict(
        PainCheckin.objects.filter(user=user, episode__isnull=False).values_list("id", "episode")
    )
    flare_ups = analytics.flare_ups(runs, analyses, checkins, flares)
    episode_of = {
        checkin: episode.start for episode in analytics.episodes(flare_ups) for checkin in episode.checkins
    }
    PainCheckin.objects.bulk_update(
        [
            PainCheckin(
                id=checkin.id,
                flare=checkin.id in flares,
                flare_evidence=finite_json(flares.get(checkin.id)),
                episode=episode_of.get(checkin.id),
            )
            for checkin in checkins
            if (flares.get(checkin.id), episode_of.get(checkin.id))
            != (stored_flares.get(checkin.id), stored_episodes.get(checkin.id))
        ],
        ["flare", "flare_evidence", "episode"],
        batch_size=500,
    )
    flare_days = {flare.local_date for flare in flare_ups}
    _store_patterns(user, analytics.associations(runs, analyses, shoes, flare_days))


# A pattern row holds an association's fields (its exposure is the row's key) plus
# where it is listed and since when it has been likely.
ASSOCIATION_FIELDS = [
    field.name for field in dataclasses.fields(analytics.Association) if field.name != "exposure"
]


def _stored_value(association: analytics.Association, name: str) -> object:
    value = getattr(association, name)
    return list(value) if name == "same_as" else value  # a JSON list in the row


PATTERN_FIELDS = [*ASSOCIATION_FIELDS, "position", "likely_since"]


def _store_patterns(user: User, associations: list[analytics.Association]) -> None:
    stored = {pattern.exposure: pattern for pattern in Pattern.objects.filter(user=user)}
    now = timezone.now()
    new, changed = [], []
    for position, association in enumerate(associations):
        pattern = stored.pop(association.exposure, None)
        likely = association.verdict == Pattern.Verdict.LIKELY
        values = {
            **{name: _stored_value(association, name) for name in ASSOCIATION_FIELDS},
            "position": position,
            "likely_since": ((pattern and pattern.likely_since) or now) if likely else None,
        }
        if pattern is None:
            new.append(Pattern(user=user, exposure=association.exposure, **values))
        elif any(getattr(pattern, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(pattern, name, value)
            changed.append(pattern)
    Pattern.objects.bulk_create(new)
    Pattern.objects.bulk_update(changed, PATTERN_FIELDS)
    Pattern.objects.filter(pk__in=[pattern.pk for pattern in stored.values()]).delete()
