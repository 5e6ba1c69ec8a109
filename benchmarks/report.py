"""``make bench``: how long the clinician's PDF report and the public share page take.

Seeds one user with a year of daily runs (a check-in every morning, four pairs of shoes,
notes with accents and emoji) in a throw-away SQLite database, then reports:

- gathering the report's figures and rendering the PDF (one year), median of several runs
  (the target is under 3 s for the whole request);
- under gunicorn, the median latency of ``GET /export/report.pdf`` and of the public share
  page ``/shared/<token>/`` (26 weeks, and the whole year), against a trivial page.

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
WORKDIR = Path(tempfile.mkdtemp(prefix="backpainlog-bench-report-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpainlog.settings")
sys.path.insert(0, str(ROOT))

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from backpainlog.accounts.services import profile_update, user_sign_up
from exports import report
from runs import services
from runs.models import PainCheckin, Run
from sharing.services import share_link_create
from shoes.models import Shoe

PASSWORD = "bench-password-1"  # noqa: S105
DAYS = 365
SHOES = 4
REPEATS = 5
REQUESTS = 10
NOTES = ["", "", "", "Tight hamstrings, easy pace", "Hills — lower back sore after 🏃", "Rücken ok, Ωμέγα"]


def seed(username: str) -> User:
    rng = random.Random(7)
    user = user_sign_up(username=username, password=PASSWORD)
    profile_update(user=user, timezone="Europe/Berlin")
    first = timezone.localdate() - dt.timedelta(days=DAYS - 1)
    shoes = [
        Shoe.objects.create(
            user=user, name=f"Pair {n + 1} 👟", started_on=first + dt.timedelta(days=n * DAYS // SHOES)
        )
        for n in range(SHOES)
    ]
    runs, checkins = [], []
    for n in range(DAYS):
        day = first + dt.timedelta(days=n)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 30)))
        before = rng.choice([0, 1, 1, 2, 2, 3])
        runs.append(
            Run(
                user=user,
                started_at=start,
                activity="walk" if n % 9 == 0 else "run",
                distance_m=float(
                    rng.randint(3_000, 12_000) if day.weekday() != 6 else rng.randint(12_000, 25_000)
                ),
                duration_s=rng.randint(1_200, 7_200),
                surface=rng.choice(["road", "road", "trail", "track", "treadmill"]),
                shoe=shoes[n * SHOES // DAYS],
                pain_before=before,
                pain_after=min(10, before + rng.choice([0, 0, 0, 1, 2, 3])),
                pain_next_morning=min(10, before + rng.choice([0, 0, 1, 2])),
                notes=rng.choice(NOTES),
            )
        )
        checkins.append(
            PainCheckin(
                user=user, recorded_at=start - dt.timedelta(hours=1), score=rng.choice([1, 2, 2, 3, 5])
            )
        )
    Run.objects.bulk_create(runs)
    PainCheckin.objects.bulk_create(checkins)
    services.analytics_refresh(user)
    return user


def median_ms(action: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_and_measure(username: str, paths: dict[str, str]) -> dict[str, float]:
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
        opener.open(
            urllib.request.Request(f"{base}/accounts/login/", form.encode(), headers={"Referer": f"{base}/"})
        )

        def fetch(path: str) -> float:
            started = time.perf_counter()
            with opener.open(f"{base}{path}", timeout=60) as response:
                response.read()
                assert response.status == 200, (path, response.status)
            return (time.perf_counter() - started) * 1000

        results = {}
        for name, path in paths.items():
            fetch(path)  # warm up
            results[name] = statistics.median(fetch(path) for _ in range(REQUESTS))
        return results
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    print(f"Database: {os.environ['DATABASE_URL']}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    user = seed("runner-report")
    print(
        f"Seeded {DAYS} days: {DAYS} runs and walks, {DAYS} check-ins ({time.perf_counter() - started:.1f} s)"
    )

    start, end = report.resolve_period(user, None, None, whole_log=True)
    print(f"\nOne year ({start} to {end}), median of {REPEATS}")
    data = report.report_for_user(user, start=start, end=end)
    gather = median_ms(lambda: report.report_for_user(user, start=start, end=end))
    render = median_ms(lambda: report.render_pdf(data))
    pdf = report.render_pdf(data)
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    print(f"  gather figures {gather:7.1f} ms")
    print(f"  render PDF     {render:7.1f} ms   ({len(pdf) / 1024:.0f} KiB, about {pages} pages)")
    print(f"  together       {gather + render:7.1f} ms   (target < 3000 ms)")

    _, half_year_token = share_link_create(
        user=user,
        label="26 weeks",
        expires_in_days=14,
        start=end - dt.timedelta(weeks=26) + dt.timedelta(days=1),
        end=end,
    )
    _, year_token = share_link_create(user=user, label="whole log", expires_in_days=14, start=None, end=None)
    print(f"\nUnder gunicorn (1 worker), median of {REQUESTS} requests")
    results = serve_and_measure(
        user.username,
        {
            "check-in form (trivial page)": "/pain/new/",
            "GET /export/report.pdf (26 weeks)": "/export/report.pdf",
            f"GET /export/report.pdf ({DAYS} days)": f"/export/report.pdf?from={start}&to={end}",
            "public share page (26 weeks)": f"/shared/{half_year_token}/",
            "public share page (whole log, 1 year)": f"/shared/{year_token}/",
            "shared report.pdf (whole log, 1 year)": f"/shared/{year_token}/report.pdf",
        },
    )
    for name, took in results.items():
        print(f"  {name:<42} {took:8.1f} ms")


if __name__ == "__main__":
    main()
