"""``manage.py prune_audit_events``: delete account activity older than the retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import RETENTION_DAYS, audit_events_prune


class Command(BaseCommand):
    help = f"Delete account activity events older than --days (default {RETENTION_DAYS})."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=RETENTION_DAYS)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        # Fewer than a month would take away what an owner needs to notice an intrusion.
        if days < 30:
            raise CommandError("--days must be at least 30.")
        deleted = audit_events_prune(older_than_days=days)
        self.stdout.write(f"Deleted {deleted} event{'s' if deleted != 1 else ''} older than {days} days.")
