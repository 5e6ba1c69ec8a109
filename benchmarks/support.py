"""What the benchmarks share; not a benchmark itself (``make bench`` runs ``bench_*.py``).

Imported before any Django model: it points Django, with production settings and a
throw-away secret key, at an SQLite database in a new temporary folder and sets Django up.
A benchmark that needs more settings puts them in the environment before importing it.

Then: a daily runner's log to seed, timings and their medians, and the app under gunicorn
with a signed-in user.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.cookiejar
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar, Unpack

ROOT = Path(__file__).resolve().parent.parent
# backpainlog-bench-analytics-…, backpainlog-bench-report-…: one folder per run of a benchmark.
WORKDIR = Path(tempfile.mkdtemp(prefix=f"backpainlog-{Path(sys.argv[0]).stem.replace('_', '-')}-"))
# Whatever DATABASE_URL says, a benchmark never touches a real database: a throw-away
# SQLite file, or the dedicated database a benchmark names in BENCH_DATABASE_URL.
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpainlog.settings")
sys.path.insert(0, str(ROOT))

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from backpainlog.accounts.services import ProfileFields, profile_update, user_sign_up
from runs.models import PainCheckin, Run
from runs.services import pair_totals_refresh
from shoes.models import Shoe

PASSWORD = "bench-password-1"  # noqa: S105

T = TypeVar("T")
# What a seeded day's run is made of, besides its user, start and shoe: drawn from the
# seed's random numbers, for the ``n``-th day of the log, ``day``.
RunFields = Callable[[random.Random, int, dt.date], dict[str, object]]


def create_database(*, collectstatic: bool = False) -> None:
    """Creates the tables (the shared cache's among them: the share pages' rate limits use
    it); with ``collectstatic``, also the hashed static files that the production settings
    serve (for the benchmarks that run gunicorn)."""
    print(f"Database: {os.environ['DATABASE_URL']}")
    call_command("migrate", verbosity=0)
    if collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)


def seed_daily_runner(
    username: str,
    *,
    days: int,
    rng_seed: int,
    run_fields: RunFields,
    shoes: int = 10,
    shoe_name: str = "Pair {}",
    through_today: bool = False,
    **profile: Unpack[ProfileFields],
) -> User:
    """A user with ``profile`` settings who runs every day at 7:30 for ``days`` days up to
    yesterday (or up to today), wears ``shoes`` pairs in turn (named ``shoe_name`` with
    their number) and checks in every morning an hour before the run. ``run_fields`` draws
    the rest of each run, then the check-in's score is drawn."""
    rng = random.Random(rng_seed)
    user = user_sign_up(username=username, password=PASSWORD)
    profile_update(user=user, **profile)
    first = timezone.localdate() - dt.timedelta(days=days - 1 if through_today else days)
    pairs = [
        Shoe.objects.create(
            user=user, name=shoe_name.format(n + 1), started_on=first + dt.timedelta(days=n * days // shoes)
        )
        for n in range(shoes)
    ]
    runs, checkins = [], []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 30)))
        runs.append(
            Run(user=user, started_at=start, shoe=pairs[n * shoes // days], **run_fields(rng, n, day))
        )
        checkins.append(
            PainCheckin(
                user=user, recorded_at=start - dt.timedelta(hours=1), score=rng.choice([1, 2, 2, 3, 5])
            )
        )
    Run.objects.bulk_create(runs)
    PainCheckin.objects.bulk_create(checkins)
    # bulk_create skips the services: the pairs' run totals, as a write keeps them (the
    # flags are left to each benchmark, which refreshes or draws them).
    pair_totals_refresh(Shoe.objects.filter(user=user))
    return user


def training(*, walk_every: int = 0, notes: Sequence[str] = ()) -> RunFields:
    """3–12 km a day and 12–25 km on Sundays in 20 minutes to 2 hours, mostly on the road,
    with pain that sometimes flares; with ``walk_every``, a walk instead every so many days
    (the first day included); with ``notes``, a note drawn from them."""

    def fields(rng: random.Random, n: int, day: dt.date) -> dict[str, object]:
        before = rng.choice([0, 1, 1, 2, 2, 3])
        drawn: dict[str, object] = {
            "activity": "walk" if walk_every and n % walk_every == 0 else "run",
            "distance_m": float(
                rng.randint(3_000, 12_000) if day.weekday() != 6 else rng.randint(12_000, 25_000)
            ),
            "duration_s": rng.randint(1_200, 7_200),
            "surface": rng.choice(["road", "road", "trail", "track", "treadmill"]),
            "pain_before": before,
            "pain_after": min(10, before + rng.choice([0, 0, 0, 1, 2, 3])),
            "pain_next_morning": min(10, before + rng.choice([0, 0, 1, 2])),
        }
        if notes:
            drawn["notes"] = rng.choice(notes)
        return drawn

    return fields


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """How many milliseconds ``action`` took, and what it returned."""
    began = time.perf_counter()
    result = action()
    return (time.perf_counter() - began) * 1000, result


def median_ms(action: Callable[[], object], repeats: int) -> float:
    return statistics.median(timed(action)[0] for _ in range(repeats))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn_signed_in(username: str) -> Iterator[Callable[[str], float]]:
    """The app under gunicorn (one worker) on a free port, with ``username`` signed in
    through the login form. Yields ``fetch(path)``: the milliseconds a GET of ``path``
    takes, the whole body read; any status but 200 fails."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backpainlog.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/accounts/login/")
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
        )
        opener.open(
            urllib.request.Request(f"{base}/accounts/login/", form.encode(), headers={"Referer": f"{base}/"})
        )

        def fetch(path: str) -> float:
            started = time.perf_counter()
            with opener.open(f"{base}{path}", timeout=60) as response:
                response.read()
                assert response.status == 200, (path, response.status)
            return (time.perf_counter() - started) * 1000

        yield fetch
    finally:
        server.terminate()
        server.wait()
