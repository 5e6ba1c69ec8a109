from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders by Web Push"

    def ready(self) -> None:
        from reminders import checks  # noqa: F401 (registers the VAPID configuration checks)
