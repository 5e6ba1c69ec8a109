"""Reads of push subscriptions and reminder settings, scoped to one user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet

from reminders.models import PushSubscription, ReminderSettings


def reminder_settings_of(user: User) -> ReminderSettings:
    """The user's reminder settings, made with the defaults on first use (as the profile)."""
    found, _ = ReminderSettings.objects.get_or_create(user=user)
    return found


def push_subscriptions_for_user(user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user).order_by("-created_at", "-id")


def email_offered() -> bool:
    """Whether reminders can go by e-mail: only where the server has a mail server to send through."""
    return bool(settings.EMAIL_HOST)


def email_refusal(user: User) -> str | None:
    """Why reminders cannot go to ``user`` by e-mail, or None when they can."""
    if not email_offered():
        return "This server does not send e-mail (EMAIL_HOST is not set)."
    if not user.email:
        return "Your account has no e-mail address to send reminders to."
    return None
