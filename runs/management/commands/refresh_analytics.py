"""``manage.py refresh_analytics``: recompute every user's flags, flares, episodes and
patterns, e.g. after an upgrade that changed their definitions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from runs.services import analytics_refresh


class Command(BaseCommand):
    help = "Recompute the stored analytics (flags, flare-ups, episodes, patterns) of every user."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for user in User.objects.order_by("pk").iterator():
            analytics_refresh(user)
            count += 1
        self.stdout.write(f"Recomputed the analytics of {count} user{'s' if count != 1 else ''}.")
