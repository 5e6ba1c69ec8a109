"""Start-up checks of the VAPID configuration: a wrong key found by ``manage.py check``
(and ``check --deploy``), not by the first reminder that fails to go out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from reminders import vapid


@register()
def vapid_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    try:
        vapid.configured_private_key()
    except ImproperlyConfigured as exc:
        errors.append(Error(str(exc), id="reminders.E001"))
    subject = settings.VAPID_SUBJECT
    if subject and not subject.startswith(("mailto:", "https://")):
        errors.append(
            Error(
                "VAPID_SUBJECT must be a mailto: or https:// address the push services can reach you at.",
                id="reminders.E002",
            )
        )
    return errors
