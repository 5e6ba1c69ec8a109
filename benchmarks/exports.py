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
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = Path(tempfile.mkdtemp(prefix="backpainlog-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpainlog.settings")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"  # the test client's host name
# Production settings look for collected static files, which downloads do not need.
warnings.filterwarnings("ignore", message="No directory at")
sys.path.insert(0, str(ROOT))

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

from backpainlog.accounts.services import profile_update, user_sign_up
from runs.models import PainCheckin, Run
from shoes.models import Shoe

PASSWORD = "bench-password-1"  # noqa: S105
YEARS = (1, 5, 10)
SHOES = 10
REPEATS = 3
EXPORTS = ("/export/runs.csv", "/export/fhir.json", "/export/account.zip")
NOTES = ["", "", "", "Easy, felt fine", "Tight lower back after the hills", "=1+1 (a formula)", "Müde 🏃"]
FLAGS = [[], [], [], ["long_run_spike"], ["weekly_increase", "acwr_high"], ["pain_flare"]]


def seed(username: str, years: int) -> User:
    """A daily runner for ``years`` years: 3–25 km a day, ten pairs of shoes in turn, a
    check-in every morning, some notes and flags."""
    rng = random.Random(years)
    user = user_sign_up(username=username, password=PASSWORD)
    profile_update(user=user, timezone="America/Los_Angeles", distance_unit="mi")
    days = 365 * years
    first = timezone.localdate() - dt.timedelta(days=days)
    shoes = [
        Shoe.objects.create(
            user=user, name=f"Pair {n + 1}", started_on=first + dt.timedelta(days=n * days // SHOES)
        )
        for n in range(SHOES)
    ]
    runs, checkins = [], []
    for n in range(days):
        start = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=n), dt.time(7, 30)))
        before = rng.choice([0, 1, 1, 2, 2, 3])
        runs.append(
            Run(
                user=user,
                started_at=start,
                distance_m=float(rng.randint(3_000, 25_000)),
                duration_s=rng.choice([None, *range(1_200, 7_200, 37)]),
                elevation_gain_m=rng.choice([None, 12.5, 80.0]),
                surface=rng.choice(["road", "road", "trail", "track", "treadmill"]),
                shoe=shoes[n * SHOES // days],
                pain_before=before,
                pain_after=min(10, before + rng.choice([0, 0, 0, 1, 2, 3])),
                pain_next_morning=rng.choice([None, min(10, before + rng.choice([0, 0, 1, 2]))]),
                rpe=rng.randint(1, 10),
                notes=rng.choice(NOTES),
                flags=rng.choice(FLAGS),
            )
        )
        checkins.append(
            PainCheckin(
                user=user, recorded_at=start - dt.timedelta(hours=1), score=rng.choice([1, 2, 2, 3, 5])
            )
        )
    Run.objects.bulk_create(runs)
    PainCheckin.objects.bulk_create(checkins)
    return user


def download(client: Client, path: str) -> int:
    """Reads the body as a socket would, a piece at a time, keeping none of it."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.streaming, path
    size = sum(len(piece) for piece in response.streaming_content)
    response.close()
    return size


def timed_ms(client: Client, path: str) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        download(client, path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


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
    print(f"Database: {os.environ['DATABASE_URL']}")
    call_command("migrate", verbosity=0)
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
            took = timed_ms(client, path)
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
        shutil.rmtree(WORKDIR, ignore_errors=True)
