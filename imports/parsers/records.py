"""The plain records every reader returns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import uuid
from collections.abc import Callable

MAX_FILE_BYTES = 25 * 1024 * 1024

#: Told ``(done, total)`` now and then while a file is read (rows of a CSV, files of a
#: zip), so that an import in the background can show how far it has got.
Progress = Callable[[int, int], None]


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Source:
    """Where a record came from (the values of ``runs.models.Run.Source``)."""

    MANUAL = "manual"
    FIT = "fit"
    GPX = "gpx"
    TCX = "tcx"
    CSV = "csv"
    STRAVA = "strava"
    ALL = (MANUAL, FIT, GPX, TCX, CSV, STRAVA)


@dataclasses.dataclass(frozen=True, slots=True)
class Activity:
    """One run or walk read from a file, in SI units, its start in UTC."""

    item: str  # how the user recognises it in the result: a file name, "row 3", a title
    source: str
    started_at: dt.datetime
    activity: str  # "run" or "walk" (the app's own CSV: whatever the file says)
    sport: str  # the file's own word for it: "running", "Run", "Trail Run"
    distance_m: float
    duration_s: int | None = None
    elevation_gain_m: float | None = None
    surface: str | None = None  # only when the file says (a treadmill, a trail)
    shoe: str = ""  # a shoe's name, when the file names one (CSV, Strava)
    insole: str = ""
    notes: str = ""
    id: uuid.UUID | None = None  # the app's own CSV only
    pain_before: int | None = None
    pain_after: int | None = None
    pain_next_morning: int | None = None
    rpe: int | None = None
    pain_regions: tuple[str, ...] = ()  # the app's own CSV only: codes, checked by the model
    names_gear: bool = False  # CSV and Strava rows say which shoes were worn (or none)


@dataclasses.dataclass(frozen=True, slots=True)
class Skipped:
    item: str
    reason: str


@dataclasses.dataclass(slots=True)
class ParsedFile:
    activities: list[Activity] = dataclasses.field(default_factory=list)
    skipped: list[Skipped] = dataclasses.field(default_factory=list)

    def extend(self, other: ParsedFile) -> None:
        self.activities.extend(other.activities)
        self.skipped.extend(other.skipped)


# What the files call their sports, and what the app makes of them: a run or a walk (with
# a surface when the sport names one), anything else is skipped. Keys are lower-case with
# spaces and underscores removed, so "Trail Run", "trail_running" and "TrailRun" agree.
RUNS = {
    "run": None,
    "running": None,
    "trailrun": "trail",
    "trailrunning": "trail",
    "trail": "trail",
    "treadmill": "treadmill",
    "treadmillrunning": "treadmill",
    "indoorrunning": "treadmill",
    "virtualrun": "treadmill",
    "virtualrunning": "treadmill",
    "virtualactivity": "treadmill",
    "track": "track",
    "trackrunning": "track",
    "streetrunning": "road",
}
WALKS = {"walk": None, "walking": None, "hike": "trail", "hiking": "trail", "speedwalking": None}
# FIT's sub_sport refines a session: a treadmill run, a trail run.
SUB_SPORT_SURFACES = {
    "treadmill": "treadmill",
    "indoorrunning": "treadmill",
    "indoorwalking": "treadmill",
    "virtualactivity": "treadmill",
    "trail": "trail",
    "track": "track",
    "street": "road",
}


def sport_key(label: str) -> str:
    return "".join(label.lower().replace("_", " ").split())


def classify(sport: str, sub_sport: str = "") -> tuple[str, str | None] | None:
    """``(activity, surface)`` for a run or a walk, None for anything else."""
    key, sub_key = sport_key(sport), sport_key(sub_sport)
    if key == "fitnessequipment" and sub_key in {"treadmill", "indoorwalking"}:
        # Older watches file a treadmill session under fitness equipment.
        key = "walking" if sub_key == "indoorwalking" else "treadmill"
    if key in WALKS:
        return "walk", SUB_SPORT_SURFACES.get(sub_key) or WALKS[key]
    if key in RUNS:
        return "run", SUB_SPORT_SURFACES.get(sub_key) or RUNS[key]
    return None


def sport_label(sport: str) -> str:
    """ "trail_running" → "Trail running", for messages."""
    text = " ".join(sport.replace("_", " ").split())
    return text[:1].upper() + text[1:] if text else "This activity"


def not_a_run(item: str, sport: str) -> Skipped:
    label = sport_label(sport)
    if sport_key(sport) == "other":
        return Skipped(item, "An activity of type “Other” is not a run or walk.")
    return Skipped(item, f"{label} is not a run or walk.")


def finite(value: float | str | None) -> float | None:
    """The number (or the number a text spells), or None for a missing, infinite or NaN one."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def whole_seconds(value: float | None) -> int | None:
    """A duration in whole seconds; None for none, or for nothing (0 s)."""
    number = finite(value)
    if number is None or number <= 0:
        return None
    # Bounded before rounding: a hostile "1e308" would round to a huge integer.
    return round(min(number, 10**9))


# Satellite navigation and these formats are younger: a device file dated earlier had its
# clock unset (Mojstrovka.gpx says 13 Dec 1901 20:45:52, the lowest 32-bit Unix time).
EARLIEST_DEVICE_TIME = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


def unset_clock(
    item: str, start: dt.datetime, earliest: dt.datetime = EARLIEST_DEVICE_TIME
) -> Skipped | None:
    """A skip when a device file's start is before ``earliest``, else None."""
    if start >= earliest:
        return None
    return Skipped(
        item,
        f"The start time in the file ({start:%d %b %Y}) cannot be right: the device's clock was not set.",
    )


def as_utc(value: dt.datetime) -> dt.datetime:
    """A file's time as UTC; a time without an offset is UTC (FIT, GPX and TCX say so)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # Year 1 or 9999 with an offset: outside what datetime holds in UTC. Clamped,
        # such a time is refused with the rest of the impossible dates.
        return (dt.datetime.min if value.year < 5000 else dt.datetime.max).replace(tzinfo=dt.UTC)
