"""FIT files (Garmin, Wahoo, Coros, Suunto, Strava's app), read with fitdecode.

Each ``session`` message is one activity, with the watch's own totals: distance, timer
time (pauses excluded) and ascent. A file holds a handful at most (a multisport race);
past ``MAX_FIT_SESSIONS`` the rest are not read, and the result says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import warnings
from typing import Any

import fitdecode

from imports.parsers.budget import MAX_FIT_SESSIONS, Budget, OverBudget
from imports.parsers.records import (
    Activity,
    ParsedFile,
    Skipped,
    Source,
    UnreadableFile,
    as_utc,
    classify,
    finite,
    not_a_run,
    unset_clock,
    whole_seconds,
)

# FIT times below 0x10000000 count seconds since the device was switched on, not since
# FIT's epoch (1989-12-31): the clock was not set.
EARLIEST_FIT_TIME = dt.datetime(1989, 12, 31, tzinfo=dt.UTC) + dt.timedelta(seconds=0x10000000)
SESSION_FIELDS = {"sport", "sub_sport", "start_time", "total_distance", "total_timer_time", "total_ascent"}


@dataclasses.dataclass
class _Read:
    sessions: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    error: Exception | None = None
    refused: int = 0  # sessions past the cap, not read


# How many messages are decoded between two looks at the budget.
COUNT_EVERY = 1024


def _sessions(data: bytes, budget: Budget) -> _Read:
    """The session messages read before the end of the file or the first error.

    Truncated files and files with a stray second header are common: watches lose power,
    apps append junk. What was read before the error is kept; the CRC is not checked, so
    that a file cut after its session still counts. Every message decoded is spent from
    ``budget`` (a file of a million records would take a minute).
    """
    read = _Read()
    messages = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = fitdecode.FitReader(
                io.BytesIO(data),
                check_crc=fitdecode.CrcCheck.DISABLED,
                # A field value the profile cannot decode becomes None, not an error.
                error_handling=fitdecode.ErrorHandling.IGNORE,
            )
            with reader:
                for frame in reader:
                    messages += 1
                    if messages == COUNT_EVERY:
                        budget.spend("messages", messages)
                        budget.check_time()
                        messages = 0
                    if not (isinstance(frame, fitdecode.FitDataMessage) and frame.name == "session"):
                        continue
                    if len(read.sessions) >= MAX_FIT_SESSIONS:
                        read.refused += 1
                        continue
                    read.sessions.append(
                        {field.name: field.value for field in frame.fields if field.name in SESSION_FIELDS}
                    )
    except OverBudget:
        raise
    except Exception as exc:
        read.error = exc
    budget.spend("messages", messages)
    return read


def parse_fit(data: bytes, *, name: str = "file.fit", budget: Budget | None = None) -> ParsedFile:
    read = _sessions(data, budget or Budget())
    sessions = read.sessions
    if not sessions:
        if read.error is not None:
            raise UnreadableFile(f"This is not a readable FIT file ({_describe(read.error)}).")
        raise UnreadableFile("This FIT file holds no activity (no session).")
    result = ParsedFile()
    for number, session in enumerate(sessions, start=1):
        item = name if len(sessions) == 1 else f"{name}, session {number}"
        result.extend(_session(session, item))
    if read.refused:
        result.skipped.append(
            Skipped(
                name,
                f"The file holds {MAX_FIT_SESSIONS + read.refused:,} sessions: only the first "
                f"{MAX_FIT_SESSIONS} were read, the other {read.refused:,} were not imported.",
            )
        )
    return result


def _session(session: dict[str, Any], item: str) -> ParsedFile:
    sport = _text(session.get("sport")) or "generic"
    kind = classify(sport, _text(session.get("sub_sport")))
    if kind is None:
        return ParsedFile(skipped=[not_a_run(item, sport)])
    start = session.get("start_time")
    if not isinstance(start, dt.datetime):
        return ParsedFile(skipped=[Skipped(item, "The session has no start time.")])
    if skip := unset_clock(item, as_utc(start), EARLIEST_FIT_TIME):
        return ParsedFile(skipped=[skip])
    activity, surface = kind
    distance = finite(session.get("total_distance"))
    ascent = finite(session.get("total_ascent"))
    return ParsedFile(
        activities=[
            Activity(
                item=item,
                source=Source.FIT,
                started_at=as_utc(start),
                activity=activity,
                sport=sport,
                distance_m=distance if distance is not None else 0.0,
                duration_s=whole_seconds(session.get("total_timer_time")),
                elevation_gain_m=ascent,
                surface=surface,
            )
        ]
    )


def _text(value: object) -> str:
    # fitdecode gives a profile's name ("running") or, for values newer than its profile, a number.
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _describe(error: Exception) -> str:
    if isinstance(error, fitdecode.FitHeaderError):
        return "no FIT header"
    if isinstance(error, fitdecode.FitEOFError):
        return "it ends early"
    return "it is damaged"
