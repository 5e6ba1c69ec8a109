"""Imports of runs from files: the API (``POST /api/v1/imports/``) and the import page
both come through :func:`import_file`.

A file is parsed first (pure readers in :mod:`imports.parsers`, outside any
transaction), then its activities are checked against the user's log and stored in one
transaction: validated like any run (``full_clean``), inserted in bulk, and the derived
figures refreshed once at the end. A Strava export holds a thousand activities; logging
each through ``runs.services.run_create`` would recompute the analytics a thousand times.

Duplicates. An imported run gets a deterministic id, derived from the user and its start
to the second and keyed with the secret key (the app's own CSV brings its ids), so a
retried or concurrent import of the same file collides on the primary key instead of
storing the run twice. A run of the user starting within a minute of an imported one is
the same run too (typed in by hand, or the same activity from another format, such as a
FIT file and Strava's CSV). Two activities of one file within a minute of each other (or
with one id) are one too: the first is kept, the other skipped with the reason.

Shoes. A watch file says nothing about shoes: its runs get the user's default pair, as a
run logged in the app does. The CSV and Strava rows name the pair worn (or none): it is
matched by name among the user's shoes (of several pairs with that name, the one worn on
the run's day), and created when missing.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from backpainlog.accounts.selectors import profile_of, user_zone
from imports.parsers import MAX_FILE_BYTES, Activity, Budget, ParsedFile, Skipped, UnreadableFile, parse
from runs.models import NOTES_MAX_LENGTH, Run, validate_recorded_time
from runs.services import analytics_refresh, earliest_date
from shoes.models import Gear, Insole, Shoe
from shoes.selectors import default_pair

SAME_RUN_WITHIN = dt.timedelta(seconds=60)
# The namespace of the ids derived for imported runs (a fixed, random UUID).
IMPORT_NAMESPACE = uuid.UUID("6f1d4a3e-2c0b-5e8f-9a47-3b1c2d5e7f90")

FIELD_LABELS = {
    "started_at": "Start",
    "activity": "Activity",
    "distance_m": "Distance",
    "duration_s": "Duration",
    "elevation_gain_m": "Elevation gain",
    "surface": "Surface",
    "pain_before": "Pain before",
    "pain_after": "Pain after",
    "pain_next_morning": "Pain next morning",
    "rpe": "RPE",
    "notes": "Notes",
    "pain_regions": "Where it hurt",
}
# Checked here, not by full_clean: the gear is the user's own by construction.
NOT_VALIDATED = ["user", "shoe", "insole"]


@dataclasses.dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = dataclasses.field(default_factory=list)
    runs: list[uuid.UUID] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "skipped": [{"item": skip.item, "reason": skip.reason} for skip in self.skipped],
            "runs": [str(pk) for pk in self.runs],
        }


def read_upload(upload: UploadedFile) -> bytes:
    """The upload's bytes; :class:`UnreadableFile` past the limit (checked on what is
    read, not only on the size the client declared)."""
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise UnreadableFile("The file is larger than 25 MB.")
    upload.seek(0)
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("The file is larger than 25 MB.")
    return data


# Each attempt that collides sees the rows of the import it collided with; only yet another
# import committing in between makes the next attempt collide again.
STORE_ATTEMPTS = 5


def import_file(*, user: User, upload: UploadedFile, budget: Budget | None = None) -> ImportResult:
    """Import the runs and walks in ``upload``.

    Raises :class:`UnreadableFile` (and stores nothing) when the file cannot be read as
    what its name says, or reading or storing it would go over ``budget`` (the request's,
    shared by the files it sends; a fresh one if not given); activities that cannot be
    imported are listed as skipped.
    """
    budget = budget or Budget()
    parsed = parse(upload.name or "", read_upload(upload), zone=user_zone(user), budget=budget)
    # Counted before anything is stored: storing is what costs most, and a file is
    # imported whole or not at all.
    budget.spend("activities", len(parsed.activities))
    return import_activities(user=user, parsed=parsed)


def import_activities(*, user: User, parsed: ParsedFile) -> ImportResult:
    profile_of(user)  # created, if need be, outside the transaction a retry rolls back
    for _ in range(STORE_ATTEMPTS - 1):
        try:
            return _store(user, parsed)
        except IntegrityError:
            # A concurrent import of the same file stored some of these runs first (their
            # ids collided): this attempt was rolled back; again, they are now duplicates.
            continue
    return _store(user, parsed)


def derived_id(user: User, started_at: dt.datetime) -> uuid.UUID:
    """The same id for the same user and start, which no one else can work out: keyed
    with the secret key, so that another account cannot take the id of a run the user
    has yet to import (the app's own CSV brings its ids) or test whether it exists."""
    instant = started_at.astimezone(dt.UTC).replace(microsecond=0)
    key = salted_hmac("imports.derived_id", f"{user.pk}:{instant.isoformat()}", algorithm="sha256")
    return uuid.uuid5(IMPORT_NAMESPACE, key.hexdigest())


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


G = TypeVar("G", bound=Gear)


class _GearFinder(Generic[G]):
    """The user's pairs by name; pairs a file names but the user lacks are made (and
    saved only if a run keeps them)."""

    def __init__(self, model: type[G], user: User) -> None:
        self.model, self.user = model, user
        # Pairs in use first, the default at the top: the pair a name means when no pair of
        # that name was worn on the run's day. Sorted here, not by the database, which
        # puts the null ``retired_on`` of pairs in use first or last depending on its kind.
        pairs = sorted(
            model._default_manager.filter(user=user),
            key=lambda pair: (pair.retired_on is not None, not pair.is_default, pair.pk),
        )
        # Runners buy the same model again and give the new pair the old one's name: all
        # the pairs of a name are kept, and a run gets the one worn on its day.
        names: dict[str, list[G]] = {}
        # Strava names a pair as "brand model name" or by its name alone; a pair's own
        # name wins over another's brand and model.
        spellings: dict[str, list[G]] = {}
        for pair in pairs:
            names.setdefault(_normalised(pair.name), []).append(pair)
            for spelling in {f"{pair.brand} {pair.model}", f"{pair.brand} {pair.model} {pair.name}"}:
                spellings.setdefault(_normalised(spelling), []).append(pair)
        self.by_name = {**spellings, **names}
        self.new: dict[str, G] = {}

    def get(self, name: str, day: dt.date) -> G | None:
        key = _normalised(name)
        if not key:
            return None
        if pairs := self.by_name.get(key):
            return next((pair for pair in pairs if _worn_on(pair, day)), pairs[0])
        if key not in self.new:
            self.new[key] = self.model(
                user=self.user,
                name=" ".join(name.split())[:100],
                replacement_threshold_m=profile_of(self.user).default_replacement_threshold_m,
            )
        return self.new[key]

    def save_used(self, runs: list[Run], field: str, zone: dt.tzinfo) -> None:
        """Save the new pairs the runs wear, first worn on the day of the earliest of them."""
        for pair in self.new.values():
            wearing = [run for run in runs if getattr(run, field) is pair]
            if not wearing:
                continue
            pair.started_on = min(run.started_at.astimezone(zone).date() for run in wearing)
            try:
                pair.full_clean(exclude=["user"], validate_unique=False)
            except ValidationError:
                # A name no pair can have: the runs come in without one.
                for run in wearing:
                    setattr(run, field, None)
                continue
            pair.save()


def _validate_notes_length(notes: str) -> None:
    # A TextField's max_length is enforced by forms only, not by full_clean.
    try:
        MaxLengthValidator(NOTES_MAX_LENGTH)(notes)
    except ValidationError as exc:
        raise ValidationError({"notes": exc.messages}) from None


def _worn_on(pair: Gear, day: dt.date) -> bool:
    return pair.started_on <= day and (pair.retired_on is None or day <= pair.retired_on)


def _reason(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return " ".join(
        f"{FIELD_LABELS.get(field, field.replace('_', ' ').capitalize())}: {' '.join(messages)}"
        if field != "__all__"
        else " ".join(messages)
        for field, messages in error.message_dict.items()
    )


class _Starts:
    """Start instants, sorted, each with the item it came from; a look-up of one within a
    minute."""

    def __init__(self, starts: Iterable[tuple[dt.datetime, str]] = ()) -> None:
        self.starts = sorted(starts)

    def near(self, instant: dt.datetime) -> str | None:
        """The item of a start within a minute of ``instant``, or None."""
        # A 1-tuple sorts before every pair of the same instant.
        index = bisect.bisect_left(self.starts, (instant - SAME_RUN_WITHIN,))
        if index < len(self.starts) and self.starts[index][0] <= instant + SAME_RUN_WITHIN:
            return self.starts[index][1]
        return None

    def add(self, instant: dt.datetime, item: str) -> None:
        bisect.insort(self.starts, (instant, item))


# Ids per look-up: SQLite refuses a statement with more than a few thousand parameters
# ("too many SQL variables").
IDS_PER_QUERY = 500


def owners_of(ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The user id of each run among ``ids`` that exists, whoever's it is."""
    ordered = sorted(ids)
    owners: dict[uuid.UUID, int] = {}
    for offset in range(0, len(ordered), IDS_PER_QUERY):
        chunk = ordered[offset : offset + IDS_PER_QUERY]
        owners.update(Run.objects.filter(pk__in=chunk).values_list("pk", "user_id"))
    return owners


@transaction.atomic
def _store(user: User, parsed: ParsedFile) -> ImportResult:
    result = ImportResult(skipped=list(parsed.skipped))
    activities = []
    for activity in parsed.activities:
        # Refused before any date arithmetic: a start in the year 9999 plus a minute
        # overflows.
        try:
            validate_recorded_time(activity.started_at)
        except ValidationError as exc:
            result.skipped.append(
                Skipped(activity.item, _reason(ValidationError({"started_at": exc.messages})))
            )
        else:
            activities.append(activity)
    if not activities:
        return result
    zone = user_zone(user)
    ids = [activity.id or derived_id(user, activity.started_at) for activity in activities]
    owners = owners_of(set(ids))
    earliest = min(activity.started_at for activity in activities) - SAME_RUN_WITHIN
    latest = max(activity.started_at for activity in activities) + SAME_RUN_WITHIN
    logged = _Starts(
        (started_at, "")
        for started_at in Run.objects.filter(
            user=user, started_at__gte=earliest, started_at__lte=latest
        ).values_list("started_at", flat=True)
    )
    shoes, insoles = _GearFinder(Shoe, user), _GearFinder(Insole, user)
    default_shoe, default_insole = default_pair(Shoe, user=user), default_pair(Insole, user=user)
    new_runs: list[Run] = []
    # The activities of this file kept so far, by id and by start.
    kept_ids: dict[uuid.UUID, str] = {}
    kept = _Starts()
    for activity, run_id in zip(activities, ids, strict=True):
        owner = owners.get(run_id)
        if owner is not None and owner != user.pk:
            result.skipped.append(
                Skipped(
                    activity.item, "This id belongs to a run of another account; that run was left alone."
                )
            )
            continue
        if owner is not None or logged.near(activity.started_at) is not None:
            result.duplicates += 1
            continue
        if twin := kept_ids.get(run_id):
            result.skipped.append(Skipped(activity.item, f"The same id as {twin}: imported once."))
            continue
        if twin := kept.near(activity.started_at):
            result.skipped.append(
                Skipped(activity.item, f"Starts within a minute of {twin}: the same activity, imported once.")
            )
            continue
        run = _run(user, run_id, activity)
        if activity.names_gear:
            day = activity.started_at.astimezone(zone).date()
            run.shoe, run.insole = shoes.get(activity.shoe, day), insoles.get(activity.insole, day)
        else:
            run.shoe, run.insole = default_shoe, default_insole
        try:
            # The field validators state every rule of the model's check constraints (both
            # are built from the same limits); checking the constraints here too would
            # cost a query each, ten per run.
            run.full_clean(exclude=NOT_VALIDATED, validate_unique=False, validate_constraints=False)
            _validate_notes_length(run.notes)
        except ValidationError as exc:
            result.skipped.append(Skipped(activity.item, _reason(exc)))
            continue
        new_runs.append(run)
        kept_ids[run_id] = activity.item
        kept.add(activity.started_at, activity.item)
    if new_runs:
        shoes.save_used(new_runs, "shoe", zone)
        insoles.save_used(new_runs, "insole", zone)
        Run.objects.bulk_create(new_runs, batch_size=500)
        analytics_refresh(user, earliest_date(user, *(run.started_at for run in new_runs)))
    result.created = len(new_runs)
    result.runs = [run.pk for run in new_runs]
    return result


def _run(user: User, run_id: uuid.UUID, activity: Activity) -> Run:
    fields: dict[str, Any] = {
        "started_at": activity.started_at,
        "activity": activity.activity,
        "distance_m": activity.distance_m,
        "duration_s": activity.duration_s,
        "elevation_gain_m": activity.elevation_gain_m,
        "notes": activity.notes,
        "pain_before": activity.pain_before,
        "pain_after": activity.pain_after,
        "pain_next_morning": activity.pain_next_morning,
        "rpe": activity.rpe,
        "pain_regions": list(activity.pain_regions),
        "source": activity.source,
    }
    if activity.surface:
        fields["surface"] = activity.surface
    return Run(id=run_id, user=user, **fields)
