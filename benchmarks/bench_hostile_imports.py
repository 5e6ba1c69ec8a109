"""``make bench``: the worst files an account can send, one request each, under the budgets.

Sign-up is open, so anyone may send the most expensive file the importer still reads (or
the cheapest one that makes it work hardest before refusing). For each parser this builds
such files at the limits of ``imports/parsers/budget.py`` and the 25 MB upload cap, and
imports each through :func:`imports.services.import_file` — parse, checks, storing and the
analytics refresh, for a fresh user — in a child process of its own, so that its figures
are its own:

- the outcome (runs created, or the message of the 400);
- the wall time and the CPU time of the whole import;
- the peak memory: the child's peak resident set, less what it held before the import
  (lxml and the zip reader allocate outside Python, so tracemalloc would miss them).

Figures, not assertions: shared machines are too noisy for timed tests. The budget keeps
the reading under about 8 CPU seconds; the storing of an accepted file comes on top.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable

import support
from django.core.files.uploadedfile import SimpleUploadedFile

from backpainlog.accounts.services import user_sign_up
from imports import services
from imports.parsers import MAX_FILE_BYTES, UnreadableFile
from imports.parsers.budget import (
    MAX_ACTIVITIES,
    MAX_CSV_ROWS,
    MAX_FIT_MESSAGES,
    MAX_FIT_SESSIONS,
    MAX_TRACK_POINTS,
)
from tests.imports.builders import fit_file, fit_session, gpx, strava_csv, strava_row, tcx, zipped

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)


def _iso(seconds: int) -> str:
    return (START + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx_at_point_cap(points: int = MAX_TRACK_POINTS) -> bytes:
    """One run of ``points`` (by default the cap) a second apart, with elevation: every
    point parsed, measured and kept."""
    return gpx((46.0 + n * 1e-5, 14.0, 300.0 + n // 1_000, _iso(n)) for n in range(points))


def xml_flood() -> bytes:
    """25 MB of empty elements: refused at the element cap."""
    opening, closing = b"<gpx>", b"</gpx>"
    return opening + b"<x/>" * ((MAX_FILE_BYTES - len(opening) - len(closing)) // 4) + closing


def gpx_in_utf16() -> bytes:
    """Nine tenths of the cap in UTF-16: twice the bytes, decoded before parsing."""
    text = (
        gpx_at_point_cap(MAX_TRACK_POINTS * 9 // 10).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    )
    return text.encode("utf-16")


def tcx_at_point_cap() -> bytes:
    point = "<Trackpoint><Time>{}</Time><DistanceMeters>{}</DistanceMeters></Trackpoint>"
    points = "".join(point.format(_iso(n), n * 3) for n in range(MAX_TRACK_POINTS - 2))
    return tcx().decode().replace("<Track>", "<Track>" + points, 1).encode()


def fit_at_message_cap() -> bytes:
    """The most messages a FIT file may hold, with the most sessions that are read (a
    larger file is refused once its reader has counted this many: it costs no more)."""
    sessions = [fit_session(START + dt.timedelta(hours=n)) for n in range(MAX_FIT_SESSIONS)]
    # Frames read: the header, the file_id's and the records' definitions and data, a
    # definition and a data message per session, and the CRC.
    return fit_file(*sessions, records=MAX_FIT_MESSAGES - 2 * MAX_FIT_SESSIONS - 5)


def fit_of_many_sessions() -> bytes:
    """20,000 sessions in 360 KB: once 20,000 runs; now the first 50."""
    return fit_file(*(fit_session(START + dt.timedelta(hours=n)) for n in range(20_000)))


def _csv_runs(count: int, *, rides: int = 0) -> bytes:
    def row(number: int, kind: str) -> list[str]:
        when = START - dt.timedelta(hours=number)
        return strava_row(
            activity_id=number,
            date=when.strftime("%b %d, %Y, %I:%M:%S %p"),
            name=f"{kind} {number}",
            kind=kind,
            elapsed_s=1800,
            moving_s=1800,
            km="5.0",
            metres="5000.0",
            gear="Brooks Ghost 13",
        )

    return strava_csv([row(n, "Run") for n in range(count)] + [row(count + n, "Ride") for n in range(rides)])


def csv_at_caps() -> bytes:
    """10,000 rows of which 5,000 are runs: every row read, 5,000 runs stored."""
    return _csv_runs(MAX_ACTIVITIES, rides=MAX_CSV_ROWS - MAX_ACTIVITIES)


def csv_over_row_cap() -> bytes:
    return _csv_runs(0, rides=MAX_CSV_ROWS + 1)


def zip_of_large_gpx() -> bytes:
    """The 686 KB zip of 8 × 24 MB GPX that once took 77 s: now one budget for all."""
    member = gpx((46.0, 14.0, None, _iso(0)) for _ in range(MAX_FILE_BYTES // 60))[: MAX_FILE_BYTES - 1]
    return zipped({f"activities/{n}.gpx": member for n in range(8)})


def zip_of_many_files() -> bytes:
    """The 20,000 members a zip may hold, each a small run: refused at the activities cap."""
    return zipped({f"activities/{n}.gpx": _small_gpx(n) for n in range(20_000)})


def _small_gpx(number: int) -> bytes:
    return gpx((46.0 + n * 1e-3, 14.0, None, _iso(number * 7_200 + n * 30)) for n in range(11))


CASES: dict[str, tuple[str, Callable[[], bytes]]] = {
    f"gpx: {MAX_TRACK_POINTS:,} points": ("points.gpx", gpx_at_point_cap),
    f"gpx: {MAX_TRACK_POINTS * 9 // 10:,} points in UTF-16": ("points16.gpx", gpx_in_utf16),
    "gpx: 25 MB element flood": ("flood.gpx", xml_flood),
    f"tcx: {MAX_TRACK_POINTS:,} points": ("points.tcx", tcx_at_point_cap),
    f"fit: {MAX_FIT_MESSAGES:,} messages, {MAX_FIT_SESSIONS} sessions": ("messages.fit", fit_at_message_cap),
    "fit: 20,000 sessions": ("sessions.fit", fit_of_many_sessions),
    f"csv: {MAX_CSV_ROWS:,} rows, {MAX_ACTIVITIES:,} runs": ("activities.csv", csv_at_caps),
    f"csv: {MAX_CSV_ROWS + 1:,} rows": ("over.csv", csv_over_row_cap),
    "zip: 8 × 25 MB of GPX": ("export.zip", zip_of_large_gpx),
    "zip: 20,000 small runs": ("many.zip", zip_of_many_files),
}


def run_case(name: str, path: str) -> dict[str, object]:
    """In the child: import the file the parent built, once, and report."""
    filename, _ = CASES[name]
    support.create_database()
    with open(path, "rb") as file:
        content = file.read()
    user = user_sign_up(username="hostile", password=support.PASSWORD)
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = services.import_file(user=user, upload=SimpleUploadedFile(filename, content))
        outcome = f"{result.created:,} created, {len(result.skipped):,} skipped"
    except UnreadableFile as refused:
        outcome = f"400: {refused}"
    return {
        "size_kib": len(content) / 1024,
        "outcome": outcome,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        # ru_maxrss is the peak of the whole child: what the import added on top.
        "peak_mib": max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kib) / 1024,
    }


def main() -> None:
    print(f"{'file':38} {'size':>9} {'wall':>7} {'CPU':>7} {'+peak':>9}  outcome")
    for name, (filename, build) in CASES.items():
        # Built here, so that building it does not raise the child's peak.
        path = support.WORKDIR / filename
        path.write_bytes(build())
        child = subprocess.run(
            [sys.executable, __file__, name, str(path)], capture_output=True, text=True, check=True
        )
        path.unlink()
        figures = json.loads(child.stdout.splitlines()[-1])
        print(
            f"{name:38} {figures['size_kib']:>7,.0f} K {figures['wall_s']:>6.1f}s {figures['cpu_s']:>6.1f}s "
            f"{figures['peak_mib']:>7.0f} M  {figures['outcome'][:90]}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(run_case(sys.argv[1], sys.argv[2])))
    else:
        main()
