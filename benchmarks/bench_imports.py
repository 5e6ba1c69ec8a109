"""``make bench``: importing a Strava ``activities.csv`` of 1,000 activities.

Builds the file (ten years of runs, walks and rides with Strava's real header), then
imports it through :func:`imports.services.import_file` for a fresh user each time, in a
throw-away SQLite database, and reports:

- the time of the whole import (parse, checks, bulk insert, one analytics refresh), as
  the median of several runs, and of the parse alone;
- the peak memory the import allocates (tracemalloc);
- a second import of the same file (every activity a duplicate).

Figures, not assertions: shared machines are too noisy for timed tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import random
import statistics
import tracemalloc
from typing import Protocol

import support
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from backpainlog.accounts.services import user_sign_up
from imports import services
from imports.parsers import parse

ACTIVITIES = 1_000
REPEATS = 5

# Strava's header (the names repeat: Distance and Elapsed Time twice).
HEADER_LINE = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
    "Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,"
    "Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss,"
    "Elevation Low,Elevation High,Max Grade,Average Grade,Average Positive Grade,Average Negative Grade,"
    "Max Cadence,Average Cadence,Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories"
)
HEADER = HEADER_LINE.split(",")


def strava_csv(count: int) -> bytes:
    """``count`` activities every 3–4 days: mostly runs (five pairs of shoes), some walks
    and rides."""
    rng = random.Random(1)
    start = dt.datetime(2015, 3, 1, 6, 30, tzinfo=dt.UTC)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    second_distance = HEADER.index("Distance", HEADER.index("Distance") + 1)
    second_elapsed = HEADER.index("Elapsed Time", HEADER.index("Elapsed Time") + 1)
    for number in range(count):
        when = start + dt.timedelta(days=number * 3.5, minutes=rng.randint(0, 600))
        kind = rng.choices(["Run", "Walk", "Ride", "Trail Run"], weights=[80, 8, 8, 4])[0]
        metres = rng.uniform(3_000, 21_000) if kind != "Ride" else rng.uniform(20_000, 80_000)
        seconds = int(metres / rng.uniform(2.6, 3.6))
        row = [""] * len(HEADER)
        row[0] = str(4_000_000_000 + number)
        row[1] = f"{when:%b} {when.day}, {when:%Y}, {when.hour % 12 or 12}:{when:%M:%S} {when:%p}"
        row[2] = f"{kind} {number}"
        row[3] = kind
        row[5] = str(seconds + 60)
        row[6] = f"{metres / 1000:.2f}"
        row[11] = f"Brooks Ghost {14 + number * 5 // count}" if kind != "Ride" else "Canyon Endurace"
        row[12] = f"activities/{4_000_000_000 + number}.fit.gz"
        row[second_elapsed] = f"{seconds + 60}.0"
        row[HEADER.index("Moving Time")] = f"{seconds}.0"
        row[second_distance] = f"{metres:.1f}"
        row[HEADER.index("Elevation Gain")] = f"{rng.uniform(0, 300):.1f}"
        writer.writerow(row)
    return buffer.getvalue().encode()


REFRESH_MS: list[float] = []


class _Refresh(Protocol):
    def __call__(self, user: User, since: dt.date | None = None) -> None: ...


def _timing_refresh(refresh: _Refresh) -> _Refresh:
    """The analytics refresh the import calls once, timed (what the import costs beyond
    its own work)."""

    def timed_refresh(user: User, since: dt.date | None = None) -> None:
        REFRESH_MS.append(support.timed(lambda: refresh(user, since))[0])

    return timed_refresh


def main() -> None:
    support.create_database()
    content = strava_csv(ACTIVITIES)
    print(f"activities.csv: {ACTIVITIES:,} activities, {len(content) / 1024:.0f} KiB")

    parse_ms = support.median_ms(lambda: parse("activities.csv", content), REPEATS)
    print(f"\nParse alone, median of {REPEATS}: {parse_ms:.0f} ms")

    services.analytics_refresh = _timing_refresh(services.analytics_refresh)
    times, result = [], None
    for number in range(REPEATS):
        user = user_sign_up(username=f"importer{number}", password=support.PASSWORD)
        upload = SimpleUploadedFile("activities.csv", content)
        elapsed, result = support.timed(functools.partial(services.import_file, user=user, upload=upload))
        times.append(elapsed)
    assert isinstance(result, services.ImportResult)
    print(
        f"Import for a fresh user, median of {REPEATS}: {statistics.median(times):.0f} ms "
        f"(min {min(times):.0f}, max {max(times):.0f}); "
        f"{result.created} created, {len(result.skipped)} skipped, {result.duplicates} duplicates"
    )
    print(
        f"  of which the one analytics refresh (flags, ACWR, patterns of {result.created} runs): "
        f"median {statistics.median(REFRESH_MS):.0f} ms"
    )

    user = User.objects.get(username=f"importer{REPEATS - 1}")
    again_ms, again = support.timed(
        lambda: services.import_file(user=user, upload=SimpleUploadedFile("activities.csv", content))
    )
    assert isinstance(again, services.ImportResult)
    print(f"The same file again: {again_ms:.0f} ms ({again.created} created, {again.duplicates} duplicates)")

    fresh = user_sign_up(username="importer-memory", password=support.PASSWORD)
    tracemalloc.start()
    services.import_file(user=fresh, upload=SimpleUploadedFile("activities.csv", content))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"Peak memory allocated by one import (tracemalloc): {peak / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
