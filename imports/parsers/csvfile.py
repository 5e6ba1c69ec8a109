"""CSV files: the app's own export (docs/api.md#export) or Strava's ``activities.csv``, told
apart by their header.

Strava's header repeats names (``Distance`` twice: first in the profile's unit, then in
metres; ``Elapsed Time`` twice), so rows are read as lists and columns found by position,
not with ``csv.DictReader``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from exports.csvformat import REGION_SEPARATOR, SI_COLUMNS, spreadsheet_text
from imports.parsers.budget import Budget
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
    whole_seconds,
)

OWN_REQUIRED = ["id", "started_at", "activity", "distance_m"]
STRAVA_REQUIRED = ["Activity Date", "Activity Type", "Distance"]
# How many rows are read between two looks at the budget (rows and CPU time).
COUNT_EVERY = 256


class RowError(ValueError):
    """A cell that cannot be read: the row is skipped with this message."""


def decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("The file is not UTF-8 text.") from None


def _rows(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableFile(f"This is not a readable CSV file (line {reader.line_num}: {exc}).") from None


def parse_csv(
    data: bytes, *, zone: dt.tzinfo = dt.UTC, name: str = "file.csv", budget: Budget | None = None
) -> ParsedFile:
    budget = budget or Budget()
    if b"\x00" in data:
        # Text never holds NUL (PostgreSQL cannot store it): this is binary data.
        raise UnreadableFile("This is not a CSV file (it holds binary data).")
    rows = _rows(decode_csv(data))
    header = [cell.strip() for cell in next(rows, [])]
    if "Activity Date" in header or "Activity Type" in header or "Activity ID" in header:
        result = _strava(header, rows, budget)
    elif set(header) & set(SI_COLUMNS):
        result = _own(header, rows, zone, budget)
    else:
        raise UnreadableFile(
            "This CSV is neither a backpainlog export (columns id, started_at, distance_m, …) "
            "nor Strava's activities.csv (columns Activity Date, Activity Type, Distance, …)."
        )
    if not result.activities and not result.skipped:
        # Readable, and empty: said so, rather than a result of noughts that explains nothing.
        result.skipped.append(Skipped(name, "The file has a header but no rows: nothing to import."))
    return result


def _require(header: list[str], names: list[str], what: str) -> None:
    missing = [name for name in names if name not in header]
    if missing:
        raise UnreadableFile(
            f"This {what} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}."
        )


def _each_row(
    rows: Iterator[list[str]], read: Callable[[list[str], str], Activity | Skipped], budget: Budget
) -> ParsedFile:
    result = ParsedFile()
    counted = 0
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        counted += 1
        if counted == COUNT_EVERY:
            budget.spend("rows", counted)
            budget.check_time()
            counted = 0
        if not any(cell.strip() for cell in row):
            continue
        item = f"Row {number}"
        try:
            record = read(row, item)
        except RowError as exc:
            record = Skipped(item, str(exc))
        if isinstance(record, Activity):
            result.activities.append(record)
        else:
            result.skipped.append(record)
    budget.spend("rows", counted)
    return result


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _number(text: str, column: str) -> float | None:
    if not text:
        return None
    number = finite(text) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text) else None
    if number is None:
        raise RowError(f"{column}: “{text[:40]}” is not a number.")
    return number


def _integer(text: str, column: str) -> int | None:
    number = _number(text, column)
    if number is None:
        return None
    if number != int(number) or abs(number) > 10**9:
        raise RowError(f"{column}: “{text[:40]}” is not a whole number.")
    return int(number)


# --- The app's own export ---------------------------------------------------------------


def _own(header: list[str], rows: Iterator[list[str]], zone: dt.tzinfo, budget: Budget) -> ParsedFile:
    _require(header, OWN_REQUIRED, "backpainlog CSV")
    # The SI columns by name; "flags" and the columns for people (in km or miles) are
    # ignored: flags are recomputed, the SI columns say the same more precisely.
    index = {name: header.index(name) for name in SI_COLUMNS if name in header}

    def read(row: list[str], item: str) -> Activity:
        def get(name: str) -> str:
            return _cell(row, index.get(name))

        try:
            run_id = uuid.UUID(get("id"))
        except ValueError:
            raise RowError(f"id: “{get('id')[:40]}” is not a UUID.") from None
        started_at = _iso_time(get("started_at"), zone)
        distance = _number(get("distance_m"), "distance_m")
        return Activity(
            item=item,
            # A restored backup keeps where each run first came from (typed in, a watch):
            # the app asks for the pain scores of imported runs only.
            source=get("source") if get("source") in Source.ALL else Source.CSV,
            started_at=started_at,
            activity=get("activity") or "run",
            sport=get("activity") or "run",
            distance_m=distance if distance is not None else 0.0,
            duration_s=_integer(get("duration_s"), "duration_s"),
            elevation_gain_m=_number(get("elevation_gain_m"), "elevation_gain_m"),
            surface=get("surface") or None,
            shoe=spreadsheet_text(get("shoe")),
            insole=spreadsheet_text(get("insole")),
            # Not stripped: the notes come back as they were written.
            notes=spreadsheet_text(
                row[index["notes"]] if "notes" in index and index["notes"] < len(row) else ""
            ),
            id=run_id,
            pain_before=_integer(get("pain_before"), "pain_before"),
            pain_after=_integer(get("pain_after"), "pain_after"),
            pain_next_morning=_integer(get("pain_next_morning"), "pain_next_morning"),
            rpe=_integer(get("rpe"), "rpe"),
            pain_regions=tuple(
                code.strip() for code in get("pain_regions").split(REGION_SEPARATOR) if code.strip()
            ),
            names_gear=True,
        )

    return _each_row(rows, read, budget)


def _iso_time(text: str, zone: dt.tzinfo) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"started_at: “{text[:40]}” is not a date and time (ISO 8601).") from None
    if value.tzinfo is None:
        # A hand-edited file without offsets: the times are the user's own.
        value = value.replace(tzinfo=zone)
    return as_utc(value)


# --- Strava's activities.csv --------------------------------------------------------------

STRAVA_DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",  # Oct 7, 2020, 2:43:11 PM
    "%b %d, %Y %I:%M:%S %p",
    "%d %b %Y, %H:%M:%S",  # 7 Oct 2020, 14:43:11 (some locales)
    "%Y-%m-%d %H:%M:%S",
)


def strava_date(text: str) -> dt.datetime:
    """Strava writes the start in UTC, in English, with the time's narrow no-break space
    in newer exports."""
    cleaned = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    for layout in STRAVA_DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, layout).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    try:
        return as_utc(dt.datetime.fromisoformat(cleaned))
    except ValueError:
        raise RowError(f"Activity Date: “{text[:40]}” is not a date Strava writes.") from None


def _positions(header: list[str], name: str) -> list[int]:
    return [number for number, column in enumerate(header) if column == name]


def _strava(header: list[str], rows: Iterator[list[str]], budget: Budget) -> ParsedFile:
    _require(header, STRAVA_REQUIRED, "Strava activities.csv")
    column: dict[str, Any] = {
        name: (_positions(header, name) or [None])[0]
        for name in (
            "Activity ID",
            "Activity Date",
            "Activity Name",
            "Activity Type",
            "Activity Description",
            "Activity Gear",
            "Moving Time",
            "Elevation Gain",
        )
    }
    distances = _positions(header, "Distance")
    elapsed = _positions(header, "Elapsed Time")

    def read(row: list[str], item: str) -> Activity | Skipped:
        name = _cell(row, column["Activity Name"])
        started = strava_date(_cell(row, column["Activity Date"]))
        label = f"{name or item} ({started:%d %b %Y})"
        sport = _cell(row, column["Activity Type"])
        kind = classify(sport)
        if kind is None:
            return not_a_run(label, sport or "Other")
        if len(distances) > 1:
            # The second Distance is in metres; the first is in the profile's unit.
            distance = _number(_cell(row, distances[1]), "Distance")
        else:
            # Older exports have one Distance, in kilometres.
            km = _number(_cell(row, distances[0]).replace(",", ""), "Distance")
            distance = km * 1000 if km is not None else None
        seconds = _number(_cell(row, column["Moving Time"]), "Moving Time")
        if seconds is None:
            seconds = next(
                (
                    value
                    for position in elapsed
                    if (value := _number(_cell(row, position), "Elapsed Time")) is not None
                ),
                None,
            )
        gain = _number(_cell(row, column["Elevation Gain"]), "Elevation Gain")
        activity, surface = kind
        return Activity(
            item=label,
            source=Source.STRAVA,
            started_at=started,
            activity=activity,
            sport=sport,
            distance_m=distance if distance is not None else 0.0,
            duration_s=whole_seconds(seconds),
            elevation_gain_m=gain if gain is None or math.isfinite(gain) else None,
            surface=surface,
            shoe=" ".join(_cell(row, column["Activity Gear"]).split()),
            notes=_notes(name, _cell(row, column["Activity Description"])),
            names_gear=True,
        )

    return _each_row(rows, read, budget)


# Strava names an activity by the time of day unless the athlete renames it: no note.
STRAVA_DEFAULT_NAME = re.compile(
    r"(Morning|Lunch|Afternoon|Evening|Night) (Run|Walk|Hike|Trail Run)", re.IGNORECASE
)


def _notes(name: str, description: str) -> str:
    title = "" if STRAVA_DEFAULT_NAME.fullmatch(name) else name
    return "\n".join(part for part in (title, description) if part)[:2000]
