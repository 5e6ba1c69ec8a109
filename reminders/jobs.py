"""The reminders' periodic job (``settings.WORKER_PERIODIC_JOBS``): every worker runs it;
the reminders' unique keys and the claim before sending make that safe."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from reminders.delivery import send_due
from reminders.models import Reminder
from reminders.scan import RUN_LOOKBACK, make_due_reminders

# Long enough to see what went out lately (the admin), far longer than any retry.
REMINDERS_KEPT = dt.timedelta(days=30)


def reminders_tick() -> None:
    now = timezone.now()
    make_due_reminders(now)
    send_due(now)


def prune_old_reminders() -> int:
    """Delete reminders done with for good: a month after their date, those whose key can
    never come up again (a run's morning is long past, a questionnaire's day, a test). A
    pair of shoes keeps its rows: they are what makes each threshold reached be told once.
    Deleting is idempotent, so every worker may do it."""
    cutoff = (timezone.now() - max(REMINDERS_KEPT, RUN_LOOKBACK)).date()
    done = [Reminder.Status.SENT, Reminder.Status.FAILED, Reminder.Status.SKIPPED]
    count, _ = (
        Reminder.objects.filter(date__lt=cutoff, status__in=done)
        .exclude(kind__in=[Reminder.Kind.SHOE_NEARING, Reminder.Kind.SHOE_WORN])
        .delete()
    )
    return count
