"""``make bench``: how the analytics and the dashboard scale with the length of a log.

Seeds users with 1, 5 and 10 years of daily runs (10 shoes, a check-in a day) in a
throw-away SQLite database, then reports:

- all analytics (reading the log, run flags, check-in flares, patterns, weekly stats) per
  history length, as the median of several runs — they should grow linearly;
- the recompute of the whole log, and a write (logging today's run, with the refresh from
  its date on), per history length: the write should cost about the same on any;
- under gunicorn, the median latency of the dashboard against a trivial login-required page
  (the pain check-in form), interleaved in the same run, as a ratio.

Figures, not assertions: shared machines are too noisy for timed tests.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import support
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from backpainlog.accounts.models import Profile
from runs import analytics, selectors, services
from shoes.models import Shoe

YEARS = (1, 5, 10)
SHOES = 10
REPEATS = 7
REQUESTS = 40


def seed(username: str, years: int) -> User:
    """A daily runner for ``years`` years: 3–20 km a day, a weekly long run, ten pairs of
    shoes in turn, a check-in every morning, pain that sometimes flares."""
    return support.seed_daily_runner(
        username,
        days=365 * years,
        rng_seed=years,
        run_fields=support.training(),
        shoes=SHOES,
        timezone="Europe/Berlin",
    )


def computed_analytics(user: User) -> Callable[[], object]:
    """All of docs/analytics.md over the user's whole log, already read: run flags, check-in
    flares, flare-up episodes, patterns (with the delayed outcome), and the weekly figures
    with their ACWR and session load."""
    runs, _, checkins, _ = selectors.stored_log(user)
    shoes = selectors.shoe_records(Shoe.objects.filter(user=user))
    weeks = (analytics.week_start(runs[0].local_date), analytics.week_start(runs[-1].local_date))

    def compute() -> object:
        analyses = analytics.analyse_runs(runs, shoes)
        flares = analytics.checkin_flares(checkins, runs)
        flare_ups = analytics.flare_ups(runs, analyses, checkins, flares)
        analytics.episodes(flare_ups)
        analytics.associations(runs, analyses, shoes, {flare.local_date for flare in flare_ups})
        return analytics.weekly_stats(
            runs, checkins, analyses, flares, *weeks, analytics.AcwrSeries(runs).ratio
        )

    return compute


def write_ms(user: User) -> float:
    """Milliseconds to log a run today through the service, as the pages and the API do
    (its refresh included). The run is deleted afterwards, untimed, so that every repeat
    writes to the same log."""
    took, run = support.timed(
        lambda: services.run_create(
            user=user, started_at=timezone.now(), distance_m=8000.0, pain_before=2, pain_after=3, shoe=None
        )[0]
    )
    services.run_delete(run)
    return took


def serve_and_compare(username: str) -> tuple[float, float, float]:
    with support.gunicorn_signed_in(username) as fetch:
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


def main() -> None:
    support.create_database(collectstatic=True)
    users = {}
    for years in YEARS:
        started = time.perf_counter()
        users[years] = seed(f"runner{years}y", years)
        print(
            f"Seeded {years:>2} year(s): {365 * years} runs, {365 * years} check-ins, {SHOES} shoes "
            f"({time.perf_counter() - started:.1f} s)"
        )

    print(
        f"\nAll analytics (flags, flares, episodes, patterns, weekly stats) on the log in memory, median of {REPEATS}"
    )
    per_year = None
    for years, user in users.items():
        services.analytics_refresh(user)
        took = support.median_ms(computed_analytics(user), REPEATS)
        per_year = per_year or took / years
        print(
            f"  {years:>2} year(s): {took:7.1f} ms   ({took / years:5.1f} ms per year; "
            f"{took / (per_year * years):4.2f}× the 1-year rate)"
        )

    print(f"\nReading the whole log (runs and check-ins with their stored figures), median of {REPEATS}")
    for years, user in users.items():
        took = support.median_ms(lambda user=user: selectors.stored_log(user), REPEATS)
        print(f"  {years:>2} year(s): {took:7.1f} ms")

    print(f"\nRecomputing the whole log (manage.py refresh_analytics), median of {REPEATS}")
    for years, user in users.items():
        took = support.median_ms(lambda user=user: services.analytics_refresh(user), REPEATS)
        print(f"  {years:>2} year(s): {took:7.1f} ms")

    print(
        f"\nA write: logging today's run (the refresh from its date on included), median of {REPEATS};"
        " the goal is 10 years within 1.5x of 1 year"
    )
    writes = {
        years: statistics.median(write_ms(user) for _ in range(REPEATS)) for years, user in users.items()
    }
    for years, took in writes.items():
        print(f"  {years:>2} year(s): {took:7.1f} ms   ({took / writes[1]:4.2f}x the 1-year write)")

    print(f"\nDashboard vs a trivial login-required page under gunicorn (10 years, median of {REQUESTS})")
    dashboard, trivial, first_after_write = serve_and_compare(users[10].username)
    print(f"  dashboard {dashboard:.1f} ms, check-in form {trivial:.1f} ms: ratio {dashboard / trivial:.2f}×")
    print(
        f"  first dashboard after a write (nothing cached): {first_after_write:.1f} ms: "
        f"ratio {first_after_write / trivial:.2f}×"
    )


if __name__ == "__main__":
    main()
