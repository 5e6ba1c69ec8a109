"""What each notification says, and the screen that tapping it opens: the JSON the service
worker shows (``title``, ``body``, ``url``, ``tag``; a newer one with the same tag replaces
the older one on the device)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from backpainlog.units import format_distance
from clinical import instruments

Payload = dict[str, str]


def next_morning(*, run_id: str, activity: str, distance_m: float, unit: str, run_day: dt.date) -> Payload:
    return {
        "title": "How is your back this morning?",
        "body": (
            f"After your {format_distance(distance_m, unit, decimals=1)} {activity.lower()} of "
            f"{run_day:%A}: tap a score from 0 to 10."
        ),
        # The dashboard's one-tap question for that run.
        "url": f"{reverse('dashboard')}#next-morning-{run_id}",
        "tag": f"next-morning-{run_id}",
    }


def questionnaire_due(*, key: str) -> Payload:
    instrument = instruments.INSTRUMENTS[key]
    return {
        "title": f"Questionnaire due: {instrument.title}",
        "body": "It takes under a minute, and shows your clinician how you are doing.",
        "url": reverse(f"questionnaire_{key}"),
        "tag": f"questionnaire-{key}",
    }


def shoe_wear(
    *, shoe_id: int, name: str, distance_m: float, threshold_m: float, unit: str, worn: bool
) -> Payload:
    so_far = (
        f"{format_distance(distance_m, unit, decimals=0)} of {format_distance(threshold_m, unit, decimals=0)}"
    )
    if worn:
        title, body = (
            f"Time to replace your shoes: {name}",
            f"They have reached their replacement distance: {so_far}.",
        )
    else:
        title, body = f"Shoes nearing replacement: {name}", f"{so_far}: 80 % of their replacement distance."
    return {
        "title": title,
        "body": body,
        "url": reverse("shoe_edit", args=[shoe_id]),
        "tag": f"shoe-{shoe_id}-{'100' if worn else '80'}",
    }


def test_notification() -> Payload:
    return {
        "title": "Test notification",
        "body": "Reminders reach this device. Tap to open your settings.",
        "url": reverse("settings") + "#reminders",
        "tag": "test",
    }
