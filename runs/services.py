"""Writes of runs and pain check-ins; the pages and the API both come through here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import uuid
from decimal import Decimal
from typing import Any, TypedDict, TypeVar, Unpack, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from backpainlog.accounts.models import Profile
from backpainlog.accounts.selectors import profile_of, user_zone
from backpainlog.services import create_idempotently, update_validated
from runs import analytics, selectors
from runs.analytics.patterns import DELAYED_DAYS
from runs.models import PainCheckin, Pattern, Run
from shoes.models import Insole, Shoe
from shoes.selectors import default_pair
from shoes.totals import logged_totals

Pair = TypeVar("Pair", Shoe, Insole)


class RunFields(TypedDict, total=False):
    """What the pages and the API may set on a run (the rest is derived)."""

    started_at: dt.datetime
    activity: str
    distance_m: float
    duration_s: int | None
    elevation_gain_m: float | None
    surface: str
    shoe: Shoe | None
    insole: Insole | None
    pain_before: int | None
    pain_after: int | None
    pain_next_morning: int | None
    rpe: int | None
    notes: str
    pain_regions: list[str]


class CheckinFields(TypedDict, total=False):
    """What the pages and the API may set on a pain check-in (the rest is derived)."""

    recorded_at: dt.datetime
    score: int
    radiating_leg_pain: bool
    pain_regions: list[str]
    red_flags: list[str]
    notes: str


@transaction.atomic
def run_create(*, user: User, id: uuid.UUID | None = None, **fields: Unpack[RunFields]) -> tuple[Run, bool]:
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
        analytics_refresh(user, earliest_date(user, run.started_at))
    return run, created


@transaction.atomic
def run_update(run: Run, **fields: Unpack[RunFields]) -> Run:
    # As stored: a bound form has already set the new values on ``run``.
    was_at = Run.objects.values_list("started_at", flat=True).get(pk=run.pk)
    update_validated(run, **fields)
    analytics_refresh(run.user, earliest_date(run.user, was_at, run.started_at))
    return run


@transaction.atomic
def run_delete(run: Run) -> None:
    run.delete()
    analytics_refresh(run.user, earliest_date(run.user, run.started_at))


@transaction.atomic
def checkin_create(
    *, user: User, id: uuid.UUID | None = None, **fields: Unpack[CheckinFields]
) -> tuple[PainCheckin, bool]:
    checkin, created = create_idempotently(PainCheckin, id=id, user=user, **fields)
    if created:
        analytics_refresh(user, earliest_date(user, checkin.recorded_at))
    return checkin, created


@transaction.atomic
def checkin_update(checkin: PainCheckin, **fields: Unpack[CheckinFields]) -> PainCheckin:
    was_at = PainCheckin.objects.values_list("recorded_at", flat=True).get(pk=checkin.pk)
    update_validated(checkin, **fields)
    analytics_refresh(checkin.user, earliest_date(checkin.user, was_at, checkin.recorded_at))
    return checkin


@transaction.atomic
def checkin_delete(checkin: PainCheckin) -> None:
    checkin.delete()
    analytics_refresh(checkin.user, earliest_date(checkin.user, checkin.recorded_at))


def earliest_date(user: User, *moments: dt.datetime) -> dt.date:
    """The earliest local date of ``moments``: where a write's recompute starts."""
    zone = user_zone(user)
    return min(moment.astimezone(zone).date() for moment in moments)


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


# How far before the first date a write affects the refresh reads the log: the longest
# window (the 30 days before a run's date, for its spike) and a day either side for clocks
# that change. Figures dated from that date on are recomputed from what the runs read and
# what is stored just before them; all earlier rows keep their stored figures.
CONTEXT_DAYS = 32


@dataclasses.dataclass(frozen=True, slots=True)
class _Resume:
    since: dt.date  # the first local date whose figures are recomputed
    low: dt.datetime  # the log is read from this instant on
    ewma: analytics.EwmaState
    tally: analytics.PatternTally  # over the rated runs dated before tally_start(since)


def tally_start(since: dt.date) -> dt.date:
    """The first local date whose runs a recompute from ``since`` tallies again for the
    patterns: the Monday of the week of ``since`` − 2 days (a flare-up changes the delayed
    outcome of the runs of the two days before it).

    A tally is stored only on the last rated run of each local week, not on every rated
    run: one in seven or so at a run a day, so that the run rows stay small (scans of the
    runs table, the whole-log recompute) while a write still resumes from the tally of the
    week before, at most a week's rated runs earlier, inside the days it reads anyway."""
    return analytics.week_start(since - dt.timedelta(days=DELAYED_DAYS))


@transaction.atomic
def analytics_refresh(user: User, since: dt.date | None = None) -> None:
    """Recompute and store the derived figures of the user's log
    (docs/analytics.md#keeping-the-figures-current) from the local date ``since`` on (the whole log when
    None): run flags, spike bands and ACWR, check-in flares, flare-up episodes and the patterns.

    Every write that can change them calls this with the earliest date it touches (of a
    moved run, both its old and new date). An edit moves the windows, odometers and moving
    averages of every run after it, so all figures from that date on are recomputed; the
    whole-log ones resume from what is stored on the rows just before it (the ACWR's
    EWMAs, the distance in each pair, the episode under way, the patterns' tally), so that
    logging today's run costs the same on a ten-year log as on a one-year log. Only rows
    whose figures changed are written.
    """
    # One recompute per user at a time, so the last one sees every committed write: a
    # row lock on PostgreSQL (SQLite's immediate transactions already serialise writers).
    profile = profile_of(user)
    locked = Profile.objects.select_for_update().only("analytics_version").get(pk=profile.pk)
    profile.analytics_version = locked.analytics_version + 1
    Profile.objects.filter(pk=profile.pk).update(analytics_version=profile.analytics_version)

    shoes = selectors.shoe_records(Shoe.objects.filter(user=user))
    resume = _resume(user, since) if since is not None else None
    # A log stored before these figures were kept, or rows inserted in bulk, have nothing
    # to resume from: then the whole log.
    if not _recompute(user, shoes, resume) and resume is not None:
        _recompute(user, shoes, None)
    pair_totals_refresh(Shoe.objects.filter(user=user))
    pair_totals_refresh(Insole.objects.filter(user=user))


def pair_totals_refresh(pairs: QuerySet[Pair]) -> None:
    """Store on each of ``pairs`` the distance, number and first start of its runs
    (shoes.totals), writing only the pairs whose totals changed. The refresh passes all
    the user's pairs: a run moved to another pair changes the one it left, which nothing
    read from the run's date on names any more; and summing each pair's runs from the
    index of the pairs' runs costs a fraction of the refresh."""
    totals = logged_totals(Run.objects.all(), "shoe" if pairs.model is Shoe else "insole")
    rows = pairs.annotate(**{f"summed_{name}": total for name, total in totals.items()}).values_list(
        "pk", *totals, *(f"summed_{name}" for name in totals)
    )
    changed = [
        pairs.model(pk=pk, **dict(zip(totals, summed, strict=True)))
        for pk, *figures in rows
        if (summed := figures[len(totals) :]) != figures[: len(totals)]
    ]
    pairs.model._default_manager.bulk_update(changed, list(totals))


def _resume(user: User, since: dt.date) -> _Resume | None:
    """Where a recompute from ``since`` starts; None for the whole log (nothing before
    it, or nothing stored to resume from)."""
    low, _ = selectors.local_day_bounds(user, since - dt.timedelta(days=CONTEXT_DAYS), None)
    patterns_low, _ = selectors.local_day_bounds(user, tally_start(since), None)
    # A start date gives a start.
    assert low is not None
    assert patterns_low is not None
    ewma = selectors.ewma_before(user, low)
    tally = selectors.pattern_tally_before(user, patterns_low)
    if ewma is None or tally is None:
        return None
    return _Resume(since, low, ewma, analytics.PatternTally.from_json(tally))


def _recompute(user: User, shoes: dict[int, analytics.ShoeRecord], resume: _Resume | None) -> bool:
    """Recompute and store the figures from ``resume`` on (or of the whole log); False,
    with nothing written, when a stored figure it needs is missing."""
    runs, stored_runs, checkins, stored_checkins = selectors.refresh_log(user, resume.low if resume else None)
    worn: dict[int, Decimal] = {}
    if resume:
        worn = selectors.distance_worn_before(user, resume.low, {run.shoe_id for run in runs if run.shoe_id})

    def recomputed(day: dt.date) -> bool:
        return resume is None or day >= resume.since

    def tallied(day: dt.date) -> bool:
        return resume is None or day >= tally_start(resume.since)

    # The runs and check-ins read before ``since`` are context only: their own windows
    # reach back before the first one read, so they keep their stored figures.
    computed = analytics.analyse_runs(runs, shoes, since=resume.ewma if resume else None, worn_before=worn)
    analyses = {
        run.id: computed[run.id] if recomputed(run.local_date) else stored_runs[run.id].analysis
        for run in runs
    }
    computed_flares = analytics.checkin_flares(checkins, runs)
    flares = {
        checkin.id: evidence
        for checkin in checkins
        if (
            evidence := computed_flares.get(checkin.id)
            if recomputed(checkin.local_date)
            else stored_checkins[checkin.id].flare_evidence
        )
        is not None
    }
    flare_ups = analytics.flare_ups(runs, analyses, checkins, flares)
    # The first episode read may have begun before the first row read: it keeps its stored start.
    first_start = None
    if resume and flare_ups and not recomputed(flare_ups[0].local_date):
        first = flare_ups[0]
        first_start = (
            stored_runs[first.run].episode
            if first.run is not None
            else stored_checkins[first.checkin].episode
        )
        if first_start is None:
            return False
    episode_of = {
        entry: episode.start
        for episode in analytics.episodes(flare_ups, first_start=first_start)
        for entry in (*episode.runs, *episode.checkins)
    }
    # A flare-up changes the delayed outcome of the runs of the two days before it; the
    # tally is stored on the last rated run of each week (see tally_start).
    tally = resume.tally if resume else analytics.PatternTally()
    flare_days = {flare.local_date for flare in flare_ups}
    tallies = {}
    rated = [run for run in runs if analytics.is_rated(run) and tallied(run.local_date)]
    for run, following in itertools.zip_longest(rated, rated[1:]):
        flags = analyses[run.id].flags
        tally.add(run, flags, analytics.flared_later(run, flags, flare_days))
        if following is None or analytics.week_start(following.local_date) != analytics.week_start(
            run.local_date
        ):
            tallies[run.id] = tally.as_json()

    changed_runs = []
    for run in runs:
        if not tallied(run.local_date):
            continue
        new, stored = analyses[run.id], stored_runs[run.id]
        ewma = (None, None) if new.ewma is None else tuple(finite_or_none(value) for value in new.ewma)
        if (new, episode_of.get(run.id), tallies.get(run.id)) != (
            stored.analysis,
            stored.episode,
            stored.pattern_tally,
        ):
            changed_runs.append(
                Run(
                    # cast: the records of a stored log carry the rows' UUIDs (any hashable id
                    # to the analytics).
                    id=cast(uuid.UUID, run.id),
                    flags=list(new.flags),
                    spike_band=new.spike_band,
                    acwr=finite_or_none(new.acwr),
                    flag_evidence=finite_json(new.evidence),
                    ewma_acute=ewma[0],
                    ewma_chronic=ewma[1],
                    episode=episode_of.get(run.id),
                    pattern_tally=tallies.get(run.id),
                )
            )
    Run.objects.bulk_update(changed_runs, RUN_FIGURES, batch_size=500)
    PainCheckin.objects.bulk_update(
        [
            PainCheckin(
                id=cast(uuid.UUID, checkin.id),  # cast: as for the runs above
                flare=checkin.id in flares,
                flare_evidence=finite_json(flares.get(checkin.id)),
                episode=episode_of.get(checkin.id),
            )
            for checkin in checkins
            if recomputed(checkin.local_date)
            and (flares.get(checkin.id), episode_of.get(checkin.id))
            != (stored_checkins[checkin.id].flare_evidence, stored_checkins[checkin.id].episode)
        ],
        ["flare", "flare_evidence", "episode"],
        batch_size=500,
    )
    _store_patterns(user, analytics.associations_of(tally, shoes))
    return True


RUN_FIGURES = [
    "flags",
    "spike_band",
    "acwr",
    "flag_evidence",
    "ewma_acute",
    "ewma_chronic",
    "episode",
    "pattern_tally",
]


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
