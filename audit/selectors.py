"""Reads of the account activity log, always scoped to one user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_events_for_user(user: AbstractBaseUser) -> QuerySet[AuditEvent]:
    """The user's events, newest first (the ``auditevent_user_occurred`` index's order)."""
    return AuditEvent.objects.filter(user=user).order_by("-occurred_at", "-id")
