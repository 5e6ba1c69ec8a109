"""``make bench-scale``: PostgreSQL with 10,000 users and a year of data each.

Not part of ``make bench``: loading takes minutes. Needs ``DATABASE_URL`` pointing at a
PostgreSQL server; the data goes into a dedicated database on it (``backpainlog_scale``,
or ``BENCH_SCALE_DATABASE``), created if missing and loaded once: a later run with the
same number of users (``BENCH_SCALE_USERS``, 10,000 by default) reuses it.

1. Load, with ``COPY`` in one transaction: users with profiles, API tokens, sessions and
   patterns, 2–3 pairs of shoes each, 3–4 runs a week (pain before, after and the next
   morning), 2 check-ins a week and a share link opened a few times, written week by
   week as they would be logged; then ``VACUUM ANALYZE``.
2. For a user in the middle: every query that the dashboard (warm, and first after a
   write) and the API lists run, captured while the test client renders them, explained
   with ``EXPLAIN (ANALYZE, BUFFERS)``; sequential scans of big tables and big sorts are
   flagged (``--plans`` prints the whole plans).
3. Under gunicorn: the median latency of the dashboard (warm, and first after a write)
   and of the API lists against a trivial page, as ratios.

Figures, not assertions: shared machines are too noisy for timed tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import time
import urllib.parse
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import psycopg

USERS = int(os.environ.get("BENCH_SCALE_USERS", "10000"))
DATABASE = os.environ.get("BENCH_SCALE_DATABASE", "backpainlog_scale")
SERVER_URL = os.environ.get("DATABASE_URL", "")
if not SERVER_URL.startswith(("postgres://", "postgresql://")):
    sys.exit("bench_scale needs DATABASE_URL=postgres://… (the server to create its database on)")
SCALE_URL = urllib.parse.urlsplit(SERVER_URL)._replace(path=f"/{DATABASE}").geturl()
os.environ["BENCH_DATABASE_URL"] = SCALE_URL
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1"  # the test client and gunicorn
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # no line per sign-in in the report
# Production settings look for collected static files, which the test client does not need.
warnings.filterwarnings("ignore", message="No directory at")


def create_database_if_missing() -> None:
    maintenance = urllib.parse.urlsplit(SERVER_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            admin.execute(f'CREATE DATABASE "{DATABASE}"')


create_database_if_missing()

import support
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import F
from django.test import Client
from django.utils import timezone

from backpainlog.accounts.authentication import token_digest
from backpainlog.accounts.models import ApiToken, Profile
from runs import services
from runs.models import Pattern
from sharing.models import ShareAccess, ShareLink
from shoes.models import Insole, Shoe

DAYS = 365
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "UTC"]
# A sequential scan of a table this big, or a sort of this many rows, means a missing index.
BIG_TABLE_ROWS = 10_000
BIG_SORT_ROWS = 1_000
EXPOSURES = [
    ("long_run_spike", "Long-run spike"),
    ("weekly_increase", "Weekly distance up > 30 %"),
    ("acwr_high", "ACWR ≥ 1.5"),
    ("shoe_worn", "Shoes past their replacement distance"),
    ("surface:road", "Surface: road"),
    ("surface:trail", "Surface: trail"),
    ("surface:track", "Surface: track"),
    ("surface:treadmill", "Surface: treadmill"),
]
PAGES = {
    "dashboard": "/",
    "runs API": "/api/v1/runs/",
    "check-ins API": "/api/v1/pain-checkins/",
    "shoes API": "/api/v1/shoes/",
    "flags API": "/api/v1/flags/",
    "insights API": "/api/v1/insights/",
    "weekly stats API": "/api/v1/stats/weekly/",
}
TRIVIAL = "/pain/new/"  # a login-required page with a form and no data: what any page costs
REQUESTS = 30


def username(n: int) -> str:
    return f"runner{n:05d}"


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[tuple[object, ...]]) -> int:
    """``COPY`` ``rows`` into ``table``; how many there were."""
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class Year:
    """Everyone's year of data, table by table, from seeded random numbers."""

    def __init__(self, users: int, today: dt.date) -> None:
        self.users = users
        self.first = today - dt.timedelta(days=DAYS)
        self.now = timezone.now()
        self.password = make_password(support.PASSWORD)  # one hash for all: 10,000 would take most of an hour
        rng = random.Random(2026)
        # Per user: time zone, and shoes (ids, first day worn).
        self.zones = [rng.choice(ZONES) for _ in range(users)]
        self.shoes: list[list[tuple[int, dt.date]]] = []
        shoe_id = 0
        for _ in range(users):
            pairs = rng.choice([2, 3])
            starts = [self.first + dt.timedelta(days=n * DAYS // pairs) for n in range(pairs)]
            self.shoes.append([(shoe_id + n + 1, start) for n, start in enumerate(starts)])
            shoe_id += pairs

    def users_rows(self) -> Iterator[tuple[object, ...]]:
        for n in range(self.users):
            yield (
                n + 1,
                self.password,
                username(n),
                "",
                "",
                f"{username(n)}@example.com",
                False,
                False,
                True,
                self.now,
            )

    def profile_rows(self) -> Iterator[tuple[object, ...]]:
        for n in range(self.users):
            yield (n + 1, n + 1, "mi" if n % 4 == 0 else "km", self.zones[n], 640_000.0, 0)

    def token_rows(self) -> Iterator[tuple[object, ...]]:
        for n in range(self.users):
            yield (n + 1, n + 1, token_digest(f"scale-token-{n}"), "phone", self.now)

    def shoe_rows(self) -> Iterator[tuple[object, ...]]:
        for n, pairs in enumerate(self.shoes):
            for index, (pk, start) in enumerate(pairs):
                last = index == len(pairs) - 1
                retired = None if last else pairs[index + 1][1]
                yield (
                    pk,
                    n + 1,
                    f"Pair {index + 1}",
                    "Brooks",
                    "Ghost",
                    start,
                    0.0,
                    640_000.0,
                    retired,
                    last,
                    self.now,
                )

    def insole_rows(self) -> Iterator[tuple[object, ...]]:
        for n in range(0, self.users, 3):
            yield (
                n // 3 + 1,
                n + 1,
                "Insoles",
                "Superfeet",
                "Green",
                self.first,
                0.0,
                640_000.0,
                None,
                True,
                self.now,
            )

    def weeks_of_users(self) -> Iterator[tuple[int, int]]:
        """Week by week, every user: rows are written in the order they would be logged,
        so one user's rows are spread over the table as in real use (not side by side,
        which would make any index on the user look cheaper than it is)."""
        for week in range(DAYS // 7):
            for n in range(self.users):
                yield week, n

    def run_rows(self) -> Iterator[tuple[object, ...]]:
        rng = random.Random(1)
        for week, n in self.weeks_of_users():
            pairs = self.shoes[n]
            insole = n // 3 + 1 if n % 3 == 0 else None
            for day in sorted(rng.sample(range(7), rng.choice([3, 4]))):
                date = self.first + dt.timedelta(days=week * 7 + day)
                start = dt.datetime.combine(
                    date, dt.time(rng.randint(5, 19), rng.randint(0, 59)), tzinfo=dt.UTC
                )
                shoe = next(pk for pk, since in reversed(pairs) if since <= date)
                before = rng.choice([0, 1, 1, 2, 2, 3])
                long_run = day == 6
                yield (
                    new_uuid(rng),
                    n + 1,
                    start,
                    "walk" if rng.random() < 0.1 else "run",
                    float(rng.randint(12_000, 22_000) if long_run else rng.randint(4_000, 12_000)),
                    rng.randint(1_500, 7_200),
                    float(rng.randint(0, 300)),
                    rng.choice(["road", "road", "trail", "track", "treadmill"]),
                    shoe,
                    insole,
                    before,
                    min(10, before + rng.choice([0, 0, 0, 1, 2, 3])),
                    None if rng.random() < 0.15 else min(10, before + rng.choice([0, 0, 1, 2])),
                    rng.randint(3, 9),
                    "",
                    "manual",
                    "[]",
                    "{}",
                    start,
                    start,
                )

    def checkin_rows(self) -> Iterator[tuple[object, ...]]:
        rng = random.Random(2)
        for week, n in self.weeks_of_users():
            for day in rng.sample(range(7), 2):
                date = self.first + dt.timedelta(days=week * 7 + day)
                at = dt.datetime.combine(date, dt.time(rng.randint(6, 22)), tzinfo=dt.UTC)
                yield (
                    new_uuid(rng),
                    n + 1,
                    at,
                    rng.choice([1, 2, 2, 3, 5]),
                    rng.random() < 0.1,
                    "",
                    False,
                    at,
                    at,
                )

    def share_rows(self) -> Iterator[tuple[object, ...]]:
        for n in range(self.users):
            created = self.now - dt.timedelta(days=n % 60)
            expires = created + dt.timedelta(days=14)
            yield (n + 1, n + 1, "Physio", token_digest(f"scale-link-{n}"), created, expires, None)

    def session_rows(self) -> Iterator[tuple[object, ...]]:
        """A signed-in session per user, as the database-backed sessions keep them."""
        expires = self.now + dt.timedelta(weeks=2)
        for n in range(self.users):
            data = SessionStore().encode({"_auth_user_id": str(n + 1)})
            yield (f"scale{n:035d}", data, expires)

    def pattern_rows(self) -> Iterator[tuple[object, ...]]:
        """What the patterns look like for a year of runs: no pattern, for each flag,
        surface and pair (the user measured gets its own computed ones)."""
        pk = 0
        for n, pairs in enumerate(self.shoes):
            exposures = EXPOSURES + [
                (f"shoe:{shoe}", f"Shoes: Pair {index + 1}") for index, (shoe, _) in enumerate(pairs)
            ]
            for position, (exposure, label) in enumerate(exposures):
                pk += 1
                yield (
                    pk,
                    n + 1,
                    exposure,
                    label,
                    position,
                    40,
                    10,
                    140,
                    35,
                    1.0,
                    0.55,
                    1.8,
                    1.0,
                    "none",
                    f"{label}: no difference.",
                    self.now,
                )

    def access_rows(self) -> Iterator[tuple[object, ...]]:
        pk = 0
        for n in range(self.users):
            created = self.now - dt.timedelta(days=n % 60)
            for visit in range(5):
                pk += 1
                yield (pk, n + 1, created + dt.timedelta(hours=visit), "page", "Safari on iPhone")


@contextlib.contextmanager
def indexes_built_afterwards(cursor: CursorWrapper, tables: list[str]) -> Iterator[None]:
    """The tables' indexes (but their keys) dropped for the load and built again after it:
    one sort per index instead of millions of inserts at random places."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [tables],
    )
    definitions = cursor.fetchall()
    for name, _ in definitions:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    started = time.perf_counter()
    # Django's foreign keys are checked at commit; an index cannot be built while checks
    # on its table wait, so they run now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in definitions:
        cursor.execute(definition)
    print(
        f"  foreign keys checked, {len(definitions)} indexes of {', '.join(tables)} built"
        f" in {time.perf_counter() - started:.1f} s"
    )


def load() -> None:
    """Everything in one transaction: an interrupted load leaves no half-filled database."""
    year = Year(USERS, timezone.localdate())
    steps = [
        (
            "auth_user",
            [
                "id",
                "password",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_superuser",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            year.users_rows(),
        ),
        (
            "accounts_profile",
            [
                "id",
                "user_id",
                "distance_unit",
                "timezone",
                "default_replacement_threshold_m",
                "analytics_version",
            ],
            year.profile_rows(),
        ),
        ("accounts_apitoken", ["id", "user_id", "digest", "label", "created_at"], year.token_rows()),
    ]
    gear_columns = [
        "id",
        "user_id",
        "name",
        "brand",
        "model",
        "started_on",
        "initial_distance_m",
        "replacement_threshold_m",
        "retired_on",
        "is_default",
        "created_at",
    ]
    steps += [
        ("shoes_shoe", gear_columns, year.shoe_rows()),
        ("shoes_insole", gear_columns, year.insole_rows()),
        (
            "runs_run",
            [
                "id",
                "user_id",
                "started_at",
                "activity",
                "distance_m",
                "duration_s",
                "elevation_gain_m",
                "surface",
                "shoe_id",
                "insole_id",
                "pain_before",
                "pain_after",
                "pain_next_morning",
                "rpe",
                "notes",
                "source",
                "flags",
                "flag_evidence",
                "created_at",
                "updated_at",
            ],
            year.run_rows(),
        ),
        (
            "runs_paincheckin",
            [
                "id",
                "user_id",
                "recorded_at",
                "score",
                "radiating_leg_pain",
                "notes",
                "flare",
                "created_at",
                "updated_at",
            ],
            year.checkin_rows(),
        ),
        (
            "sharing_sharelink",
            ["id", "user_id", "label", "digest", "created_at", "expires_at", "period_start"],
            year.share_rows(),
        ),
        ("sharing_shareaccess", ["id", "link_id", "accessed_at", "kind", "client"], year.access_rows()),
        ("django_session", ["session_key", "session_data", "expire_date"], year.session_rows()),
        (
            "runs_pattern",
            [
                "id",
                "user_id",
                "exposure",
                "label",
                "position",
                "exposed_runs",
                "exposed_flares",
                "unexposed_runs",
                "unexposed_flares",
                "risk_ratio",
                "ci95_low",
                "ci95_high",
                "p_value",
                "verdict",
                "message",
                "updated_at",
            ],
            year.pattern_rows(),
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        with indexes_built_afterwards(cursor, ["runs_run", "runs_paincheckin"]):
            for table, columns, rows in steps:
                started = time.perf_counter()
                count = copy_rows(table, columns, rows)
                print(f"  {table:<22} {count:>10,} rows  {time.perf_counter() - started:6.1f} s", flush=True)
        models = [User, Profile, ApiToken, Shoe, Insole, ShareLink, ShareAccess, Pattern]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def loaded_users() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auth_user")
        return cursor.fetchone()[0]


def prepare() -> User:
    support.create_database(collectstatic=True)
    present = loaded_users()
    if present == USERS:
        print(f"Already loaded: {USERS:,} users (delete the database {DATABASE} to load again)")
    else:
        if present:
            sys.exit(
                f"{DATABASE} holds {present:,} users, not {USERS:,}: drop it (dropdb {DATABASE}) and rerun"
            )
        print(f"Loading {USERS:,} users × 1 year with COPY:")
        started = time.perf_counter()
        load()
        print(f"  loaded in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        for table in ("runs_run", "runs_paincheckin", "shoes_shoe", "sharing_shareaccess"):
            cursor.execute(
                "SELECT reltuples::bigint, pg_total_relation_size(oid) FROM pg_class WHERE relname = %s",
                [table],
            )
            rows, size = cursor.fetchone()
            print(f"  {table:<22} ~{rows:>10,} rows  {size / 2**20:7.0f} MiB with indexes")
    user = User.objects.get(username=username(USERS // 2))
    # The stored flags, flares and patterns of the user measured (what every write keeps current).
    services.analytics_refresh(user)
    return user


def captured_queries(client: Client, path: str) -> list[tuple[str, Any]]:
    """The SQL and parameters of every query a GET of ``path`` runs."""
    queries: list[tuple[str, Any]] = []

    def capture(
        execute: Callable[..., object], sql: str, params: object, many: bool, context: object
    ) -> object:
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return queries


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``node`` of a JSON query plan and every node under it."""
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def table_rows() -> dict[str, float]:
    """The planner's row count of every table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        return dict(cursor.fetchall())


def problems_in(nodes: list[dict[str, Any]], sizes: dict[str, float]) -> list[str]:
    """Sequential scans of big tables and sorts of many rows: what an index would avoid."""
    found = []
    for node in nodes:
        if node["Node Type"] == "Seq Scan" and sizes.get(node["Relation Name"], 0) >= BIG_TABLE_ROWS:
            found.append(f"Seq Scan on {node['Relation Name']} ({sizes[node['Relation Name']]:,.0f} rows)")
        if node["Node Type"] == "Sort" and node["Actual Rows"] * node.get("Actual Loops", 1) >= BIG_SORT_ROWS:
            found.append(f"Sort of {node['Actual Rows']:,} rows")
    return found


def explain(path: str, queries: list[tuple[str, Any]], sizes: dict[str, float], *, show: bool) -> list[str]:
    """Explain every read of ``path``: one line per query (index or scan per table, rows
    returned, time, buffers), the whole plan with ``show``. Returns what needs an index."""
    problems = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                print(f"    (a write, not explained) {' '.join(sql.split())[:100]}")
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            [result] = cursor.fetchone()[0]
            plan = result["Plan"]
            nodes = list(plan_nodes(plan))
            scans = dict.fromkeys(
                " ".join(
                    [node["Node Type"], node.get("Relation Name", "")]
                    + (["using", node["Index Name"]] if "Index Name" in node else [])
                ).replace("  ", " ")
                for node in nodes
                if "Relation Name" in node or "Index Name" in node
            )
            found = problems_in(nodes, sizes)
            problems += [f"{path}: {problem}" for problem in found]
            print(
                f"    {result['Execution Time']:6.2f} ms  {plan['Actual Rows']:>4} rows  "
                f"buffers hit {plan['Shared Hit Blocks']:>4} read {plan['Shared Read Blocks']:>3}  "
                + "; ".join([*(f"!! {problem}" for problem in found), *scans])
            )
            print(f"        {' '.join(sql.split())[:140]}")
            if show:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                for (line,) in cursor.fetchall():
                    print(f"          {line}")
    return problems


def invalidate_dashboard(user: User) -> None:
    """What a write does to the dashboard's cache, without the write's own cost."""
    Profile.objects.filter(user=user).update(analytics_version=F("analytics_version") + 1)


def plans(user: User, *, show: bool) -> None:
    print(f"\nQueries of the dashboard and the API lists for {user.username} (EXPLAIN ANALYZE, BUFFERS):")
    sizes = table_rows()
    client = Client()
    client.force_login(user)
    problems = []
    for name, path in PAGES.items():
        client.get(path)  # the first request fills the dashboard's cache; explain a usual one
        queries = captured_queries(client, path)
        print(f"  {name} ({path}): {len(queries)} queries")
        problems += explain(path, queries, sizes, show=show)
    invalidate_dashboard(user)
    queries = captured_queries(client, "/")
    print(f"  dashboard, first after a write (/): {len(queries)} queries")
    problems += explain("/ after a write", queries, sizes, show=show)
    print(
        f"  needing an index: {', '.join(problems) if problems else 'nothing (no big sequential scan or sort)'}"
    )


def latency(user: User) -> None:
    print(
        f"\nUnder gunicorn (1 worker), median of {REQUESTS} rounds (every page once a round, "
        f"so that a busy moment of the machine weighs on all alike), against {TRIVIAL} (trivial):"
    )
    paths = {"trivial page": TRIVIAL, "/healthz": "/healthz", **PAGES}
    times: dict[str, list[float]] = {name: [] for name in [*paths, "dashboard, first after a write"]}
    with support.gunicorn_signed_in(user.username) as fetch:
        for path in paths.values():  # warm up
            fetch(path)
        for _ in range(REQUESTS):
            for name, path in paths.items():
                times[name].append(fetch(path))
            invalidate_dashboard(user)
            times["dashboard, first after a write"].append(fetch("/"))
    medians = {name: statistics.median(taken) for name, taken in times.items()}
    base = medians["trivial page"]
    for name, took in medians.items():
        print(f"  {name:<32} {took:7.1f} ms  {took / base:5.2f}× trivial")


def main() -> None:
    user = prepare()
    plans(user, show="--plans" in sys.argv)
    latency(user)


if __name__ == "__main__":
    main()
