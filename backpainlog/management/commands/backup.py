"""``manage.py backup <path>``: a consistent copy of the SQLite database, taken while the
app keeps running.

SQLite's online backup reads the database as one snapshot (in WAL mode writers carry on
meanwhile, and what they commit during the copy is simply not in it), so the copy is never
half a write. It is written next to its destination under a temporary name, checked with
``PRAGMA integrity_check`` and only then renamed into place: an interrupted backup never
replaces a good one. PostgreSQL has its own tools for this (``pg_dump``, see README).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

PG_DUMP_HINT = (
    "This database is PostgreSQL: back it up with "
    "`pg_dump --format=custom --file=backpainlog.dump <database>` and restore with "
    "`pg_restore --clean --if-exists --no-owner --dbname=<database> backpainlog.dump` "
    '(README, "Backups").'
)


class Command(BaseCommand):
    help = "Write a consistent copy of the SQLite database to PATH while the app keeps running."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file to write (replaced if it exists)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias to back up")

    def handle(self, *, path: Path, database: str, **options: object) -> None:
        connection = connections[database]
        if connection.vendor != "sqlite":
            raise CommandError(
                PG_DUMP_HINT
                if connection.vendor == "postgresql"
                else f"Cannot back up {connection.vendor} databases."
            )
        target = path.expanduser().absolute()
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a directory.")
        source = str(connection.settings_dict["NAME"])
        if Path(source).resolve() == target.resolve():
            raise CommandError("The backup must not overwrite the database itself.")

        connection.ensure_connection()
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=target.parent
        )
        os.close(descriptor)
        try:
            with contextlib.closing(sqlite3.connect(temporary)) as copy:
                # All pages in one step: one read snapshot, so the copy is consistent even
                # while other connections write (they are not blocked in WAL mode).
                connection.connection.backup(copy)
                # A self-contained file: restoring is copying it, with no -wal beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
                tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if problems != ["ok"]:
                raise CommandError(f"The copy failed its integrity check: {'; '.join(problems[:5])}")
            os.replace(temporary, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
        self.stdout.write(
            f"Backed up {source} to {target}: {tables} tables, {target.stat().st_size:,} bytes, integrity ok."
        )
