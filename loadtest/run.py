"""``make loadtest``: concurrent clients against the app under gunicorn, on SQLite (WAL) and
on PostgreSQL, then a database outage in the middle of the load.

For each database: a fresh one (a new SQLite file; the PostgreSQL database
``backpainlog_loadtest``, created and dropped here), migrated, with one user and API token
per client; gunicorn with the production settings. Then ``--clients`` threads, one user
each, loop for ``--duration`` seconds: log a run with a client id (now and then sending
the same create again, which must answer 200 and store nothing new), edit one of their
runs, read their list and the run just edited (which must show the edit), and every few
rounds the dashboard, signed in through the login form once. Every request's status and
latency is recorded; anything but 2xx is an error.

Afterwards the database is compared with what the clients believe: every run they created
exists once, with the values of its last edit, and there is no other row.

The outage phase (PostgreSQL only; ``--fault`` runs it alone): gunicorn reaches the
database through a TCP proxy that is cut for ``--outage`` seconds mid-run (every
connection closed, new ones turned away; the real server keeps running). Requests then
must get a 503 with ``Retry-After`` (JSON for the API, the short page for the dashboard),
never a 500 or a stack trace; clients retry a 503 after a short pause, creates with the
same client id; the app must answer normally again within ``RECOVERY_SECONDS`` of the
restore without being restarted, and the comparison must still find every run once.

Prints per database: requests, errors, lost and duplicated rows, p50/p95/p99 per operation
and overall, throughput. Exits non-zero on any error, loss or duplicate.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import http.client
import json
import os
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from loadtest.proxy import TcpProxy  # noqa: E402

PYTHON = sys.executable
PASSWORD = "loadtest-password-1"  # noqa: S105 (throw-away accounts in a throw-away database)
# The server comes from the environment; the database is always this script's own, which
# it drops and creates: pointing the variable at a real database must not destroy it.
LOADTEST_DATABASE = "backpainlog_loadtest"
POSTGRES_URL = (
    urllib.parse.urlsplit(os.environ.get("LOADTEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/"))
    ._replace(path=f"/{LOADTEST_DATABASE}")
    .geturl()
)
# Each Nth round a client sends its create twice, and reads the dashboard.
REPEAT_CREATE_EVERY = 5
DASHBOARD_EVERY = 5
# A client that gets a 503 waits this long before sending the request again (the app
# says 5 s in Retry-After; shorter here, to see how soon the app is back).
RETRY_PAUSE_SECONDS = 0.5
# How long after the database is back the app may still answer 503 (its connections
# notice at their next request that the old ones are dead).
RECOVERY_SECONDS = 3.0
# One user per client, each created in the manage.py shell: prints {username: token}.
CREATE_USERS = """
import json
from backpainlog.accounts.services import api_token_create, user_sign_up
tokens = {}
for n in range(%(clients)d):
    user = user_sign_up(username=f"load{n:03d}", password=%(password)r)
    tokens[user.username] = api_token_create(user=user, label="loadtest")[1]
print("TOKENS " + json.dumps(tokens))
"""


@dataclasses.dataclass
class Outcome:
    operation: str
    status: int  # 0: no HTTP response (connection error)
    started: float  # time.monotonic()
    milliseconds: float
    problem: str = ""  # why a response is wrong although its status may be fine


@dataclasses.dataclass
class ExpectedRun:
    distance_m: float
    notes: str


@dataclasses.dataclass
class Outage:
    """When the database was cut and restored (``time.monotonic()``), for judging 503s."""

    cut_at: float = float("inf")
    restored_at: float = float("inf")

    def tolerates_503(self, at: float) -> bool:
        return self.cut_at <= at <= self.restored_at + RECOVERY_SECONDS


class Client:
    """One user's HTTP client: its token for the API, a session for the dashboard.

    gunicorn's gthread workers keep connections alive; http.client opens a new one after
    an answer that closes it.
    """

    def __init__(self, port: int, username: str, token: str, outage: Outage) -> None:
        self.port = port
        self.username = username
        self.token = token
        self.outage = outage
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.outcomes: list[Outcome] = []
        self.runs: dict[str, ExpectedRun] = {}

    def request(
        self,
        operation: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expected: tuple[int, ...] = (200, 201),
    ) -> tuple[int, dict[str, str], bytes]:
        """Sends the request, and again after a pause while it answers 503 during the outage.

        Records every answer; one that is not ``expected`` (or a 503 out of the outage, or
        without Retry-After and its JSON or page) is recorded with its problem."""
        while True:
            started = time.monotonic()
            try:
                self.connection.request(method, path, body, headers or {})
                response = self.connection.getresponse()
                content = response.read()
                status, answer = response.status, {k.lower(): v for k, v in response.getheaders()}
            except (OSError, http.client.HTTPException) as exc:
                self.connection.close()
                self.outcomes.append(
                    Outcome(operation, 0, started, _ms(started), f"{type(exc).__name__}: {exc}")
                )
                return 0, {}, b""
            outcome = Outcome(operation, status, started, _ms(started))
            self.outcomes.append(outcome)
            if status == 503:
                outcome.problem = self._wrong_503(path, answer, content)
                if not outcome.problem:
                    # Judged when it answers: a request sent just before the cut fails too.
                    if self.outage.tolerates_503(time.monotonic()):
                        time.sleep(RETRY_PAUSE_SECONDS)
                        continue
                    outcome.problem = "503 while the database was up"
            elif status not in expected:
                outcome.problem = f"HTTP {status}"
            return status, answer, content

    @staticmethod
    def _wrong_503(path: str, headers: dict[str, str], content: bytes) -> str:
        if "retry-after" not in headers:
            return "503 without Retry-After"
        if path.startswith("/api/"):
            if "detail" not in json.loads(content or b"{}"):
                return "503 without a JSON detail"
        elif b"Back in a moment" not in content:
            return "503 without the outage page"
        return ""

    def api(
        self,
        operation: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        expected: tuple[int, ...] = (200, 201),
    ) -> Any:
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, _, content = self.request(operation, method, path, data, headers, expected)
        return status, (json.loads(content) if content and status in expected else None)

    def page(
        self, operation: str, method: str, path: str, form: dict[str, str] | None = None, expected: int = 200
    ) -> int:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{self.port}{path}",
                }
            )
        status, answer, _ = self.request(operation, method, path, data, headers, (expected,))
        for header, value in self._set_cookies(answer):
            self.cookies[header] = value
        return status

    def _set_cookies(self, headers: dict[str, str]) -> Iterator[tuple[str, str]]:
        # getheaders() joins repeated Set-Cookie headers with ", ".
        for cookie in headers.get("set-cookie", "").split(", "):
            name, _, rest = cookie.partition("=")
            if name.strip() in {"csrftoken", "sessionid"}:
                yield name.strip(), rest.split(";", 1)[0]

    def sign_in(self) -> None:
        self.page("sign-in", "GET", "/accounts/login/")
        form = {
            "username": self.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
        }
        # Signed in: redirected to the dashboard with a session cookie.
        if self.page("sign-in", "POST", "/accounts/login/", form, expected=302) == 302 and (
            "sessionid" not in self.cookies
        ):
            self.outcomes[-1].problem = "signed in without a session cookie"
        # Waiting for the others to sign in outlasts gunicorn's keep-alive (2 s): start anew.
        self.connection.close()

    def loop(self, until: float, seed: int) -> None:
        rng = random.Random(seed)
        # Each client's runs an hour apart, all in the past.
        first_start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=200)
        round_ = 0
        while time.monotonic() < until:
            round_ += 1
            distance_m = float(rng.randint(3_000, 15_000))
            body = {
                "id": str(uuid.uuid4()),
                "started_at": (first_start + dt.timedelta(hours=round_)).isoformat(),
                "distance_m": distance_m,
                "duration_s": plausible_duration(rng, distance_m),
                "pain_before": rng.randint(0, 4),
                "pain_after": rng.randint(0, 6),
                "notes": "",
            }
            self.create(body)
            if round_ % REPEAT_CREATE_EVERY == 0:
                self.create(body, repeated=True)
            if self.runs:
                distance_m = float(rng.randint(3_000, 15_000))
                self.edit(
                    rng.choice(list(self.runs)),
                    distance_m,
                    plausible_duration(rng, distance_m),
                    f"edit {round_}",
                )
            self.api("list", "GET", "/api/v1/runs/")
            if round_ % DASHBOARD_EVERY == 0 and "sessionid" in self.cookies:
                self.page("dashboard", "GET", "/")

    def create(self, body: dict[str, Any], *, repeated: bool = False) -> None:
        # The first send answers 201, or 200 when a 503 came after its commit and the retry
        # found the run stored; sending it again answers 200 and stores nothing.
        _, stored = self.api(
            "create-again" if repeated else "create",
            "POST",
            "/api/v1/runs/",
            body,
            expected=(200,) if repeated else (200, 201),
        )
        if stored is not None:
            self.runs[body["id"]] = ExpectedRun(stored["distance_m"], stored["notes"])

    def edit(self, run_id: str, distance_m: float, duration_s: int, notes: str) -> None:
        status, _ = self.api(
            "edit",
            "PATCH",
            f"/api/v1/runs/{run_id}/",
            {"distance_m": distance_m, "duration_s": duration_s, "notes": notes},
        )
        if status == 200:
            self.runs[run_id] = ExpectedRun(distance_m, notes)
            status, stored = self.api("detail", "GET", f"/api/v1/runs/{run_id}/")
            if status == 200 and (stored["distance_m"], stored["notes"]) != (distance_m, notes):
                self.outcomes[-1].problem = "the detail does not show the edit just made"


def plausible_duration(rng: random.Random, distance_m: float) -> int:
    """A time at an everyday pace (4:30–7:00 /km): faster than 2:00 /km is refused as a
    typing slip (docs/analytics.md#plausibility)."""
    return round(distance_m / 1000 * rng.randint(270, 420))


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


# --- Databases ---


@dataclasses.dataclass
class Database:
    name: str
    url: str  # what the app is given
    rows: Callable[[], list[tuple[Any, ...]]]  # [(username, run id, distance_m, notes, started_at)]


def sqlite_database(folder: Path) -> Database:
    path = folder / "loadtest.sqlite3"

    def rows() -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(path)) as db:
            return db.execute(RUN_ROWS.replace("%s", "?"), ("load%",)).fetchall()

    return Database("SQLite (WAL)", f"sqlite:///{path}", rows)


RUN_ROWS = """
    SELECT u.username, r.id, r.distance_m, r.notes, r.started_at
    FROM runs_run r JOIN auth_user u ON u.id = r.user_id WHERE u.username LIKE %s
"""


@contextlib.contextmanager
def postgres_database() -> Iterator[Database | None]:
    """A new, empty PostgreSQL database for the run, dropped afterwards; None when the
    server cannot be reached."""
    parts = urllib.parse.urlsplit(POSTGRES_URL)
    name = LOADTEST_DATABASE
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        print(f"\nPostgreSQL is not reachable at {admin_url} ({exc}); skipped.", flush=True)
        yield None
        return
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    with admin:
        admin.execute(drop)
        admin.execute(f'CREATE DATABASE "{name}"')

        def rows() -> list[tuple[Any, ...]]:
            with psycopg.connect(POSTGRES_URL) as db:
                return [(u, str(i), d, n, s) for u, i, d, n, s in db.execute(RUN_ROWS, ("load%",)).fetchall()]

        try:
            yield Database("PostgreSQL", POSTGRES_URL, rows)
        finally:
            admin.execute(drop)


# --- The app ---


def app_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        # Persistent connections as README's production example has them for PostgreSQL
        # (an outage then breaks connections that are already open, the harder case).
        "DATABASE_CONN_MAX_AGE": "60" if database_url.startswith("postgres") else "0",
        "DJANGO_LOG_LEVEL": "ERROR",
    }


def prepare(database: Database, clients: int) -> dict[str, str]:
    """Migrates the database, collects the static files the pages need; returns the tokens."""
    env = app_environment(database.url)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [PYTHON, "manage.py", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    shell = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", CREATE_USERS % {"clients": clients, "password": PASSWORD}],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(line for line in shell.stdout.splitlines() if line.startswith("TOKENS "))
    return json.loads(line.removeprefix("TOKENS "))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int, threads: int, log: Path) -> Iterator[int]:
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "backpainlog.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=app_environment(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(150):
                with contextlib.suppress(OSError, http.client.HTTPException):
                    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    probe.request("GET", "/healthz")
                    if probe.getresponse().status == 200:
                        break
                if server.poll() is not None:
                    sys.exit(f"gunicorn stopped:\n{log.read_text()}")
                time.sleep(0.2)
            else:
                sys.exit(f"gunicorn did not answer on port {port}:\n{log.read_text()}")
            yield port
        finally:
            server.terminate()
            server.wait()


# --- A phase: clients, then the comparison and the figures ---


@dataclasses.dataclass
class Figures:
    title: str
    requests: int
    errors: int
    tolerated_503: int
    lost: int
    duplicated: int
    extra: int
    stale: int

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.lost or self.duplicated or self.extra or self.stale)


def run_clients(
    port: int,
    tokens: dict[str, str],
    duration: float,
    outage: Outage,
    proxy: TcpProxy | None,
    outage_seconds: float,
) -> tuple[list[Client], float]:
    clients = [Client(port, username, token, outage) for username, token in sorted(tokens.items())]
    # Signing in (a deliberately slow password hash) is set-up, before the clock starts.
    signing_in = [threading.Thread(target=client.sign_in) for client in clients]
    for thread in signing_in:
        thread.start()
    for thread in signing_in:
        thread.join()
    started = time.monotonic()
    until = started + duration
    threads = [
        threading.Thread(target=client.loop, args=(until, n), name=client.username)
        for n, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    if proxy is not None:
        # The outage in the middle of the run: load before it, and after it to show recovery.
        time.sleep(max(0.0, (duration - outage_seconds) / 2))
        print(f"  cutting the database for {outage_seconds:g} s …", flush=True)
        outage.cut_at = time.monotonic()
        proxy.cut()
        time.sleep(outage_seconds)
        proxy.restore()
        outage.restored_at = time.monotonic()
        print("  database back.", flush=True)
    for thread in threads:
        thread.join()
    return clients, time.monotonic() - started


def judge(title: str, database: Database, clients: list[Client], elapsed: float, outage: Outage) -> Figures:
    outcomes = [outcome for client in clients for outcome in client.outcomes]
    tolerated = [o for o in outcomes if o.status == 503 and not o.problem]
    errors = [o for o in outcomes if o.problem]
    load = [o for o in outcomes if o.operation != "sign-in"]
    # Latencies of the answers served; the outage's quick 503s are counted apart.
    served = [o for o in outcomes if o.problem or o.status != 503]

    expected = {run_id: run for client in clients for run_id, run in client.runs.items()}
    stored: dict[str, tuple[float, str]] = {}
    per_start: dict[tuple[str, str], int] = {}
    for username, run_id, distance_m, notes, started_at in database.rows():
        stored[str(run_id).replace("-", "")] = (distance_m, notes)
        per_start[(username, str(started_at))] = per_start.get((username, str(started_at)), 0) + 1
    expected_keys = {key.replace("-", ""): run for key, run in expected.items()}
    lost = [key for key in expected_keys if key not in stored]
    extra = [key for key in stored if key not in expected_keys]
    # A create stored twice would have the same user and start under two ids.
    duplicated = sum(count - 1 for count in per_start.values() if count > 1)
    stale = [
        key
        for key, run in expected_keys.items()
        if key in stored and stored[key] != (run.distance_m, run.notes)
    ]

    print(f"\n== {title}: {database.name}")
    print(
        f"  {len(clients)} clients, {elapsed:.1f} s, {len(load)} requests, "
        f"{len(load) / elapsed:.1f} requests/s, {len(expected)} runs created "
        "(signing in comes before the clock and is not counted)"
    )
    if outage.cut_at != float("inf"):
        print(
            f"  outage {outage.restored_at - outage.cut_at:.1f} s: {len(tolerated)} answers were 503 "
            f"with Retry-After during it (and up to {RECOVERY_SECONDS:g} s after): "
            + ", ".join(
                f"{operation} {sum(o.operation == operation for o in tolerated)}"
                for operation in sorted({o.operation for o in tolerated})
            )
        )
        found = sum(o.operation == "create" and o.status == 200 for o in outcomes)
        print(
            f"  {found} creates answered 200 on a retry: their first attempt had been stored before its 503"
        )
        after = [o for o in outcomes if o.started > outage.restored_at and o.status != 503 and not o.problem]
        if after:
            print(
                f"  first success {min(o.started for o in after) - outage.restored_at:.2f} s after the restore"
            )
    print(
        f"  errors {len(errors)}, lost {len(lost)}, duplicated {duplicated}, unknown rows {len(extra)}, "
        f"not as last edited {len(stale)}"
    )
    for outcome in errors[:10]:
        print(f"    error: {outcome.operation} {outcome.status} {outcome.problem}")
    print(f"  {'operation':<14}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    operations = sorted({o.operation for o in served})
    for operation in [*operations, "all"]:
        times = [
            o.milliseconds
            for o in served
            if o.operation == operation or (operation == "all" and o.operation != "sign-in")
        ]
        print(f"  {operation:<14}{len(times):>9}" + "".join(f"{q:>9.0f}" for q in percentiles(times)))
    return Figures(
        title, len(load), len(errors), len(tolerated), len(lost), duplicated, len(extra), len(stale)
    )


def percentiles(times: list[float]) -> tuple[float, float, float]:
    if len(times) < 2:
        return (times[0],) * 3 if times else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def phase(title: str, database: Database, args: argparse.Namespace, folder: Path, *, fault: bool) -> Figures:
    print(f"\n{title} on {database.name}: preparing {args.clients} users …", flush=True)
    tokens = prepare(database, args.clients)
    outage = Outage()
    with contextlib.ExitStack() as stack:
        app_url, proxy = database.url, None
        if fault:
            parts = urllib.parse.urlsplit(database.url)
            proxy = stack.enter_context(TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432))
            credentials = parts.netloc.rpartition("@")[0]
            app_url = urllib.parse.urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{proxy.port}"))
        log = folder / f"gunicorn-{database.name.split()[0].lower()}{'-outage' if fault else ''}.log"
        port = stack.enter_context(gunicorn(app_url, args.workers, args.threads, log))
        print(
            f"  gunicorn: {args.workers} workers × {args.threads} threads; "
            f"{args.clients} clients for {args.duration:g} s …",
            flush=True,
        )
        clients, elapsed = run_clients(port, tokens, args.duration, outage, proxy, args.outage)
    return judge(title, database, clients, elapsed, outage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per phase")
    # Two processes per core, and threads that keep a worker busy while one of its
    # requests waits on the database (a PostgreSQL round trip, SQLite's write lock).
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the database is cut")
    parser.add_argument("--fault", action="store_true", help="only the outage phase (PostgreSQL)")
    args = parser.parse_args()

    print(f"Load test: {os.cpu_count()} CPU cores, shared by gunicorn, the database and the clients.")
    figures: list[Figures] = []
    folder = Path(tempfile.mkdtemp(prefix="backpainlog-loadtest-"))
    if not args.fault:
        figures.append(phase("Load", sqlite_database(folder), args, folder, fault=False))
        with postgres_database() as database:
            if database is not None:
                figures.append(phase("Load", database, args, folder, fault=False))
    with postgres_database() as database:
        if database is not None:
            figures.append(phase("Outage", database, args, folder, fault=True))

    print(f"\ngunicorn logs: {folder}")
    failed = [f for f in figures if f.failed]
    if failed:
        sys.exit(
            "FAILED: "
            + "; ".join(
                f"{f.title} ({f.errors} errors, {f.lost} lost, {f.duplicated} duplicated)" for f in failed
            )
        )
    print("OK: no errors, nothing lost or duplicated.")


if __name__ == "__main__":
    main()
