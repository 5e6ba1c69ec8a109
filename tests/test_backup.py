"""Backups restore every row: SQLite through ``manage.py backup`` while the app writes,
PostgreSQL through the documented ``pg_dump`` / ``pg_restore`` commands.

Both work on real databases outside the test database (a file, fresh PostgreSQL
databases): ``manage.py`` runs as a subprocess against them, as an operator would run it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.backup_data import FILLED_TABLES

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRESQL = DATABASE_URL.startswith(("postgres://", "postgresql://"))

Rows = dict[str, list[tuple[object, ...]]]


def run_manage(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py <args>`` against ``database_url``, as an operator runs it."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )


def manage(database_url: str, *args: str) -> str:
    """Its output; fails the test on a non-zero exit."""
    result = run_manage(database_url, *args)
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


def create_filled_database(database_url: str) -> None:
    manage(database_url, "migrate", "--noinput", "--verbosity", "0")
    manage(database_url, "shell", "--command", "from tests.backup_data import fill; fill()")


def sorted_rows(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return sorted(rows, key=repr)


def sqlite_rows(path: Path) -> Rows:
    """Every row of every table, all columns, in a stable order."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted_rows(db.execute(f'SELECT * FROM "{table}"').fetchall()) for table in tables}  # noqa: S608


def assert_filled(rows: Rows) -> None:
    empty = [table for table in FILLED_TABLES if not rows.get(table)]
    assert not empty, f"the test data left these tables empty: {empty}"


class CheckinWriter(threading.Thread):
    """Another connection inserting check-ins one committed transaction at a time, as the
    app does while a backup runs. Check-in n has the note ``concurrent n``."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.written = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with contextlib.closing(sqlite3.connect(self.path, timeout=20, isolation_level=None)) as db:
                (user_id,) = db.execute("SELECT id FROM auth_user WHERE username = 'alice'").fetchone()
                while not self.stop.is_set():
                    db.execute(
                        "INSERT INTO runs_paincheckin (id, user_id, recorded_at, score, radiating_leg_pain,"
                        " notes, flare, flare_evidence, created_at, updated_at) VALUES (?, ?,"
                        " '2025-06-01 07:00:00', 4, 0, ?, 0, NULL, '2025-06-01 07:00:00', '2025-06-01 07:00:00')",
                        (uuid.uuid4().hex, user_id, f"concurrent {self.written}"),
                    )
                    self.written += 1
                    time.sleep(0.002)  # a busy app's pace, not a tight loop holding the GIL
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc


def concurrent_numbers(rows: list[tuple[object, ...]]) -> set[int]:
    """The n of every ``concurrent n`` note among ``rows`` (whichever column holds it)."""
    return {
        int(match[1])
        for row in rows
        for value in row
        if (match := re.fullmatch(r"concurrent (\d+)", str(value)))
    }


def test_sqlite_backup_while_writing_restores_every_row(tmp_path: Path) -> None:
    live = tmp_path / "live" / "db.sqlite3"
    live.parent.mkdir()
    backups = tmp_path / "backups"
    backups.mkdir()
    live_url = f"sqlite:///{live}"
    create_filled_database(live_url)

    writer = CheckinWriter(live)
    writer.start()
    try:
        while writer.written < 20 and writer.is_alive():
            time.sleep(0.01)
        written_before = writer.written
        output = manage(live_url, "backup", str(backups / "backup.sqlite3"))
        written_during = writer.written - written_before
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    assert written_during > 0, "the writer was idle during the backup"
    assert "integrity ok" in output
    # The copy is renamed into place whole: no partial file or journal beside it.
    assert sorted(path.name for path in backups.iterdir()) == ["backup.sqlite3"]

    source = sqlite_rows(live)
    # Restore as README says: with the app stopped, the database's -wal and -shm files go
    # and the copy replaces the database file.
    for leftover in ("db.sqlite3-wal", "db.sqlite3-shm"):
        live.with_name(leftover).unlink(missing_ok=True)
    shutil.copyfile(backups / "backup.sqlite3", live)
    manage(live_url, "migrate", "--check")  # the app opens it, with nothing to migrate

    copy = sqlite_rows(live)
    assert_filled(copy)
    assert copy.keys() == source.keys()
    for table in source.keys() - {"runs_paincheckin"}:
        assert copy[table] == source[table], f"{table} differs after restore"
    # The writer's table: everything from before the backup and a gap-free run of the
    # concurrent inserts (one snapshot: whole transactions only), nothing else.
    missing = set(source["runs_paincheckin"]) - set(copy["runs_paincheckin"])
    assert set(copy["runs_paincheckin"]) <= set(source["runs_paincheckin"])
    kept = concurrent_numbers(copy["runs_paincheckin"])
    assert kept == set(range(len(kept)))
    assert len(kept) >= written_before
    assert concurrent_numbers(sorted_rows(list(missing))) == set(range(len(kept), writer.written))


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    result = run_manage(
        "postgres://backpainlog@127.0.0.1:5432/backpainlog", "backup", str(tmp_path / "backup")
    )
    assert result.returncode != 0
    assert "pg_dump --format=custom" in result.stderr
    assert "pg_restore --clean --if-exists --no-owner" in result.stderr
    assert not any(tmp_path.iterdir())


def test_backup_refuses_a_missing_folder_and_the_database_itself(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    missing = run_manage(f"sqlite:///{database}", "backup", str(tmp_path / "nowhere" / "backup.sqlite3"))
    assert missing.returncode != 0
    assert f"{tmp_path / 'nowhere'} is not a directory" in missing.stderr
    itself = run_manage(f"sqlite:///{database}", "backup", str(database))
    assert itself.returncode != 0
    assert "must not overwrite the database itself" in itself.stderr
    assert not any(tmp_path.iterdir())


# --- PostgreSQL: the documented pg_dump / pg_restore path ---


def require_pg_tools() -> None:
    """On a PostgreSQL run, missing tools skip the test, except in CI where they fail it."""
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed (Debian: postgresql-client)."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} The PostgreSQL backup test is never skipped in CI.", pytrace=False)
        pytest.skip(reason)


def tool_major(tool: str) -> int:
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)\.\d+", version)
    assert match is not None, version
    return int(match[1])


def with_database(url: str, name: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


@contextlib.contextmanager
def fresh_databases(*names: str) -> Iterator[list[str]]:
    admin_url = with_database(DATABASE_URL, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield [with_database(DATABASE_URL, name) for name in names]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_rows(url: str) -> Rows:
    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {table: sorted_rows(db.execute(f'SELECT * FROM "{table}"').fetchall()) for table in tables}  # noqa: S608


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the suite runs on SQLite (DATABASE_URL is not PostgreSQL)")
def test_postgresql_dump_restores_every_row(tmp_path: Path) -> None:
    require_pg_tools()
    with psycopg.connect(with_database(DATABASE_URL, "postgres")) as admin:
        server_major = admin.info.server_version // 10_000
    assert tool_major("pg_dump") >= server_major, "pg_dump must be at least the server's major version"

    suffix = uuid.uuid4().hex[:8]
    with fresh_databases(f"backpainlog_backup_{suffix}", f"backpainlog_restore_{suffix}") as (source, target):
        create_filled_database(source)
        dump = tmp_path / "backpainlog.dump"
        # The commands of README "Backups", as written there.
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True)  # noqa: S603, S607
        subprocess.run(  # noqa: S603
            ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={target}", str(dump)],  # noqa: S607
            check=True,
        )
        original, restored = postgres_rows(source), postgres_rows(target)
        manage(target, "migrate", "--check")
    assert_filled(restored)
    assert restored.keys() == original.keys()
    for table in original:
        assert restored[table] == original[table], f"{table} differs after restore"
