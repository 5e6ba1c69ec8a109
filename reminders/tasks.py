"""Queued work: a notification that should go out now (the test button), not at the next tick."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from reminders.delivery import deliver


@task()
def deliver_reminder(reminder_id: int) -> None:
    deliver(reminder_id, now=timezone.now())
