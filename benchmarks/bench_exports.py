"""``make bench``: the exports in constant memory, however long the log.

Seeds users with 1, 5 and 10 years of daily runs (10 shoes, a check-in a day) in a throw-away
SQLite database, then downloads ``runs.csv``, ``fhir.json`` and ``account.zip`` through the
real views (Django's test client, reading the streamed body piece by piece as a socket
would) and reports for each:

- the time, median of several downloads;
- the peak of Python memory allocated during one download (tracemalloc), which must not
  grow with the length of the log: the ratios 10 years / 1 year and 10 years / 5 years
  should stay near 1, while the file itself grows tenfold. (A year of runs is not much
  more than one database chunk of rows, so the 1-year peak sits a little lower: the
  ceiling is reached with the first full chunks, then stays.)

Figures, not assertions: shared machines are too noisy for timed tests.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import random
import shutil
import time
import tracemalloc
import warnings

os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"  # the test client's host name
# Production settings look for collected static files, which downloads do not need.
warnings.filterwarnings("ignore", message="No directory at")

import support
from django.contrib.auth.models import User
from django.db import connections
from django.http import StreamingHttpResponse
from django.test import Client

YEARS = (1, 5, 10)
SHOES = 10
REPEATS = 3
EXPORTS = ("/export/runs.csv", "/export/fhir.json", "/export/account.zip")
NOTES = ["", "", "", "Easy, felt fine", "Tight lower back after the hills", "=1+1 (a formula)", "Müde 🏃"]
FLAGS = [[], [], [], ["long_run_spike"], ["weekly_increase", "acwr_high"], ["pain_flare"]]


def varied_run(rng: random.Random, n: int, day: dt.date) -> dict[str, object]:
    """3–25 km, some runs without a duration, an elevation or a next-morning score, every
    effort, notes (one a spreadsheet formula, some non-ASCII) and flags."""
    before = rng.choice([0, 1, 1, 2, 2, 3])
    return {
        "distance_m": float(rng.randint(3_000, 25_000)),
        "duration_s": rng.choice([None, *range(1_200, 7_200, 37)]),
        "elevation_gain_m": rng.choice([None, 12.5, 80.0]),
        "surface": rng.choice(["road", "road", "trail", "track", "treadmill"]),
        "pain_before": before,
        "pain_after": min(10, before + rng.choice([0, 0, 0, 1, 2, 3])),
        "pain_next_morning": rng.choice([None, min(10, before + rng.choice([0, 0, 1, 2]))]),
        "rpe": rng.randint(1, 10),
        "notes": rng.choice(NOTES),
        "flags": rng.choice(FLAGS),
    }


def seed(username: str, years: int) -> User:
    """A daily runner for ``years`` years: 3–25 km a day, ten pairs of shoes in turn, a
    check-in every morning, some notes and flags."""
    return support.seed_daily_runner(
        username,
        days=365 * years,
        rng_seed=years,
        run_fields=varied_run,
        shoes=SHOES,
        timezone="America/Los_Angeles",
        distance_unit="mi",
    )


def download(client: Client, path: str) -> int:
    """Reads the body as a socket would, a piece at a time, keeping none of it."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert isinstance(response, StreamingHttpResponse), path
    size = sum(len(piece) for piece in response)
    response.close()
    return size


def peak_kib(client: Client, path: str) -> tuple[float, int]:
    """The peak of memory allocated while one download runs, above what was allocated
    before it, and the size of the file."""
    download(client, path)  # warm up: imports, caches, the profile
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        size = download(client, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - baseline) / 1024, size


def main() -> None:
    support.create_database()
    clients = {}
    for years in YEARS:
        started = time.perf_counter()
        user = seed(f"exporter{years}y", years)
        clients[years] = Client()
        clients[years].force_login(user)
        print(
            f"Seeded {years:>2} year(s): {365 * years} runs, {365 * years} check-ins "
            f"({time.perf_counter() - started:.1f} s)"
        )

    for path in EXPORTS:
        print(f"\n{path}: time (median of {REPEATS}) and peak memory of one download (tracemalloc)")
        peaks = {}
        for years, client in clients.items():
            took = support.median_ms(functools.partial(download, client, path), REPEATS)
            peaks[years], size = peak_kib(client, path)
            print(
                f"  {years:>2} year(s): {took:8.1f} ms   peak {peaks[years]:8.1f} KiB   "
                f"file {size / 1024:8.1f} KiB"
            )
        first, middle, last = YEARS
        print(
            f"  peak ratio {last} years / {first} year: {peaks[last] / peaks[first]:.2f}×, "
            f"{last} years / {middle} years: {peaks[last] / peaks[middle]:.2f}×"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        shutil.rmtree(support.WORKDIR, ignore_errors=True)
