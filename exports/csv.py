"""The runs CSV (docs/api.md#export): written row by row into a small buffer and streamed, so
that ten years of runs export in constant memory (Django's "Streaming large CSV files").

Share links serve the same file through :func:`stream_runs_csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.http import StreamingHttpResponse

from backpainlog.accounts.selectors import local_today, profile_of, user_zone
from backpainlog.units import METRES_PER_UNIT, format_pace
from exports.csvformat import REGION_SEPARATOR, header, spreadsheet_safe
from exports.http import attachment, batched
from exports.selectors import CHUNK_SIZE, runs_for_export
from runs.models import Run

# Excel reads a UTF-8 file as UTF-8 only when it starts with a byte order mark; the
# importer reads it with "utf-8-sig", which drops the mark.
BOM = "\ufeff"
FLAG_SEPARATOR = ";"


def _number(value: float | int | None) -> str:
    """A plain number, exact (the importer reads it back): ``8000`` rather than
    ``8000.0``, the shortest exact decimal otherwise; empty for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clock(seconds: int | None) -> str:
    """h:mm:ss, always with the hours (unlike the pages' m:ss under an hour), so that a
    spreadsheet reads every cell of the column as the same kind of duration."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _distance(metres: float, unit: str) -> str:
    return f"{Decimal(repr(metres)) / METRES_PER_UNIT[unit]:.2f}"


def run_row(run: Run, *, zone: dt.tzinfo, unit: str) -> list[str]:
    """One run as the cells of :func:`exports.csvformat.header`."""
    local = run.started_at.astimezone(zone)
    return [
        str(run.id),
        local.isoformat(),
        local.date().isoformat(),
        run.activity,
        _number(run.distance_m),
        _number(run.duration_s),
        _number(run.elevation_gain_m),
        run.surface,
        spreadsheet_safe(run.shoe.name if run.shoe else ""),
        spreadsheet_safe(run.insole.name if run.insole else ""),
        _number(run.pain_before),
        _number(run.pain_after),
        _number(run.pain_next_morning),
        _number(run.rpe),
        spreadsheet_safe(FLAG_SEPARATOR.join(run.flags or [])),
        spreadsheet_safe(run.notes),
        run.source,
        REGION_SEPARATOR.join(run.pain_regions),
        local.strftime("%H:%M"),
        _distance(run.distance_m, unit),
        _clock(run.duration_s),
        format_pace(run.pace_s_per_km, unit).removesuffix(f" /{unit}"),  # the column names the unit
    ]


class _Echo:
    """A file for :func:`csv.writer` that hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def runs_csv_rows(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> Iterator[str]:
    """The CSV text in chunks of a few kilobytes, byte order mark first.

    Nothing is read before the first chunk is asked for; then the runs come from the
    database :data:`~exports.selectors.CHUNK_SIZE` at a time and are never all in memory.
    """
    return batched(_csv_lines(user, start=start, end=end))


def _csv_lines(user: AbstractBaseUser, *, start: dt.date | None, end: dt.date | None) -> Iterator[str]:
    zone, unit = user_zone(user), profile_of(user).distance_unit
    writer = csv.writer(_Echo())
    yield BOM
    yield writer.writerow(header(unit))
    for run in runs_for_export(user, start=start, end=end).iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow(run_row(run, zone=zone, unit=unit))


def runs_csv_filename(user: AbstractBaseUser) -> str:
    return f"backpainlog-runs-{local_today(user).isoformat()}.csv"


def stream_runs_csv(
    user: AbstractBaseUser, *, start: dt.date | None, end: dt.date | None
) -> StreamingHttpResponse:
    """The user's runs dated ``start`` … ``end`` (inclusive local dates; None: unbounded) as
    a downloaded CSV file. The caller decides who may see it."""
    response = StreamingHttpResponse(
        runs_csv_rows(user, start=start, end=end), content_type="text/csv; charset=utf-8"
    )
    return attachment(response, runs_csv_filename(user))
