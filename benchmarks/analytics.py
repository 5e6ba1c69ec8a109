"""``make bench``: how the analytics and the dashboard scale with the length of a log.

Seeds users with 1, 5 and 10 years of daily runs (10 shoes, a check-in a day) in a
throw-away SQLite database, then reports:

- all analytics (reading the log, run flags, check-in flares, patterns, weekly stats) per
  history length, as the median of several runs — they should grow linearly;
- the stored-figures refresh that every write runs, per history length;
- under gunicorn, the median latency of the dashboard against a trivial login-required page
  (the pain check-in form), interleaved in the same run, as a ratio.

Figures, not assertions: shared machines are too noisy for timed tests.
"""

from __future__ import annotations

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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = Path(tempfile.mkdtemp(prefix="backpainlog-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpainlog.settings")
sys.path.insert(0, str(ROOT))

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from backpainlog.accounts.models import Profile
from backpainlog.accounts.services import profile_update, user_sign_up
from runs import analytics, selectors, services
from runs.models import PainCheckin, Run
from shoes.models import Shoe

PASSWORD = "bench-password-1"  # noqa: S105
YEARS = (1, 5, 10)
SHOES = 10
REPEATS = 7
REQUESTS = 40


def seed(username: str, years: int) -> User:
    """A daily runner for ``years`` years: 3–20 km a day, a weekly long run, ten pairs of
    shoes in turn, a check-in every morning, pain that sometimes flares."""
    rng = random.Random(years)
    user = user_sign_up(username=username, password=PASSWORD)
    profile_update(user=user, timezone="Europe/Berlin")
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
        day = first + dt.timedelta(days=n)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 30)))
        before = rng.choice([0, 1, 1, 2, 2, 3])
        runs.append(
            Run(
                user=user,
                started_at=start,
                distance_m=float(
                    rng.randint(3_000, 12_000) if day.weekday() != 6 else rng.randint(12_000, 25_000)
                ),
                duration_s=rng.randint(1_200, 7_200),
                surface=rng.choice(["road", "road", "trail", "track", "treadmill"]),
                shoe=shoes[n * SHOES // days],
                pain_before=before,
                pain_after=min(10, before + rng.choice([0, 0, 0, 1, 2, 3])),
                pain_next_morning=min(10, before + rng.choice([0, 0, 1, 2])),
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


def median_ms(action: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def computed_analytics(user: User) -> Callable[[], object]:
    """All of SPEC §2 over the user's whole log, already read: run flags, check-in
    flares, patterns, and the weekly figures with their ACWR."""
    runs, _, checkins, _ = selectors.stored_log(user)
    shoes = selectors.shoe_records(Shoe.objects.filter(user=user))
    weeks = (analytics.week_start(runs[0].local_date), analytics.week_start(runs[-1].local_date))

    def compute() -> object:
        analyses = analytics.analyse_runs(runs, shoes)
        flares = analytics.checkin_flares(checkins, runs)
        analytics.associations(runs, analyses, shoes)
        return analytics.weekly_stats(
            runs, checkins, analyses, flares, *weeks, analytics.AcwrSeries(runs).ratio
        )

    return compute


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_and_compare(username: str) -> tuple[float, float, float]:
    port = free_port()
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
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
        env=env,
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
        request = urllib.request.Request(
            f"{base}/accounts/login/", form.encode(), headers={"Referer": f"{base}/"}
        )
        opener.open(request)

        def fetch(path: str) -> float:
            started = time.perf_counter()
            with opener.open(f"{base}{path}") as response:
                response.read()
                assert response.status == 200, (path, response.status)
            return (time.perf_counter() - started) * 1000

        for path in ("/", "/pain/new/"):  # warm up
            fetch(path)
        dashboard, trivial, first_after_write = [], [], []
        for _ in range(REQUESTS):
            dashboard.append(fetch("/"))
            trivial.append(fetch("/pain/new/"))
        profile = Profile.objects.get(user__username=username)
        for _ in range(REQUESTS // 4):
            # What a write does to the dashboard's cache, without the write's own cost.
            Profile.objects.filter(pk=profile.pk).update(analytics_version=F("analytics_version") + 1)
            first_after_write.append(fetch("/"))
        return statistics.median(dashboard), statistics.median(trivial), statistics.median(first_after_write)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    print(f"Database: {os.environ['DATABASE_URL']}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production settings serve hashed files
    users = {}
    for years in YEARS:
        started = time.perf_counter()
        users[years] = seed(f"runner{years}y", years)
        print(
            f"Seeded {years:>2} year(s): {365 * years} runs, {365 * years} check-ins, {SHOES} shoes "
            f"({time.perf_counter() - started:.1f} s)"
        )

    print(
        f"\nAll analytics (flags, flares, patterns, weekly stats) on the log in memory, median of {REPEATS}"
    )
    per_year = None
    for years, user in users.items():
        services.analytics_refresh(user)
        took = median_ms(computed_analytics(user))
        per_year = per_year or took / years
        print(
            f"  {years:>2} year(s): {took:7.1f} ms   ({took / years:5.1f} ms per year; "
            f"{took / (per_year * years):4.2f}× the 1-year rate)"
        )

    print(f"\nReading the whole log (runs and check-ins with their stored figures), median of {REPEATS}")
    for years, user in users.items():
        print(f"  {years:>2} year(s): {median_ms(lambda user=user: selectors.stored_log(user)):7.1f} ms")

    print(
        "\nRefresh of the stored figures (read, compute, write what changed: every write runs it), median of",
        REPEATS,
    )
    for years, user in users.items():
        print(
            f"  {years:>2} year(s): {median_ms(lambda user=user: services.analytics_refresh(user)):7.1f} ms"
        )

    print(f"\nDashboard vs a trivial login-required page under gunicorn (10 years, median of {REQUESTS})")
    dashboard, trivial, first_after_write = serve_and_compare(users[10].username)
    print(f"  dashboard {dashboard:.1f} ms, check-in form {trivial:.1f} ms: ratio {dashboard / trivial:.2f}×")
    print(
        f"  first dashboard after a write (nothing cached): {first_after_write:.1f} ms: "
        f"ratio {first_after_write / trivial:.2f}×"
    )


if __name__ == "__main__":
    main()
