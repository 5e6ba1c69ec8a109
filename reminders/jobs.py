"""The reminders' periodic job (``settings.WORKER_PERIODIC_JOBS``): every worker runs it;
the reminders' unique keys and the claim before sending make that safe."""

from __future__ import annotations

from django.utils import timezone

from reminders.delivery import send_due
from reminders.scan import make_due_reminders


def reminders_tick() -> None:
    now = timezone.now()
    make_due_reminders(now)
    send_due(now)
