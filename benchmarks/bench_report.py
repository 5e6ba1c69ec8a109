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
import statistics
import time

import support
from django.contrib.auth.models import User

from exports import report
from exports.pdf import render_pdf
from runs import services
from sharing.services import share_link_create

DAYS = 365
SHOES = 4
REPEATS = 5
REQUESTS = 10
NOTES = ["", "", "", "Tight hamstrings, easy pace", "Hills — lower back sore after 🏃", "Rücken ok, Ωμέγα"]


def seed(username: str) -> User:
    """A year of daily runs up to today, a walk every ninth day, notes with accents and
    emoji, four pairs of shoes in turn, a check-in every morning; stored figures refreshed."""
    user = support.seed_daily_runner(
        username,
        days=DAYS,
        rng_seed=7,
        run_fields=support.training(walk_every=9, notes=NOTES),
        shoes=SHOES,
        shoe_name="Pair {} 👟",
        through_today=True,
        timezone="Europe/Berlin",
    )
    services.analytics_refresh(user)
    return user


def serve_and_measure(username: str, paths: dict[str, str]) -> dict[str, float]:
    results = {}
    with support.gunicorn_signed_in(username) as fetch:
        for name, path in paths.items():
            fetch(path)  # warm up
            results[name] = statistics.median(fetch(path) for _ in range(REQUESTS))
    return results


def main() -> None:
    support.create_database(collectstatic=True)
    started = time.perf_counter()
    user = seed("runner-report")
    print(
        f"Seeded {DAYS} days: {DAYS} runs and walks, {DAYS} check-ins ({time.perf_counter() - started:.1f} s)"
    )

    start, end = report.resolve_period(user, None, None, whole_log=True)
    print(f"\nOne year ({start} to {end}), median of {REPEATS}")
    data = report.report_for_user(user, start=start, end=end)
    gather = support.median_ms(lambda: report.report_for_user(user, start=start, end=end), REPEATS)
    render = support.median_ms(lambda: render_pdf(data), REPEATS)
    pdf = render_pdf(data)
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
