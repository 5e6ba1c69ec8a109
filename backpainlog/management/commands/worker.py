from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backpainlog.worker import run_forever


class Command(BaseCommand):
    help = (
        "Run queued tasks (background imports, reminders) and the periodic jobs until SIGTERM. "
        "Several workers may run at once, on one machine or many."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--poll", type=float, default=None, help="Seconds to wait when nothing is queued."
        )

    def handle(self, *args: Any, poll: float | None, verbosity: int, **options: Any) -> None:
        logging.getLogger("backpainlog.worker").setLevel(logging.INFO if verbosity else logging.WARNING)
        run_forever(poll_seconds=poll)
