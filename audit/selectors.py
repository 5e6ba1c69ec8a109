"""Reads of the account activity log, always scoped to one user."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_events_for_user(user: User) -> QuerySet[AuditEvent]:
    """The user's events, newest first (the ``auditevent_user_occurred`` index's order)."""
    return AuditEvent.objects.filter(user=user).order_by("-occurred_at", "-id")


def lockout_recorded_since(user: User, since: dt.datetime) -> bool:
    """Whether a failed sign-in that met the lock-out is already in the log since ``since``."""
    return AuditEvent.objects.filter(
        user=user, kind=AuditEvent.Kind.SIGN_IN_FAILED, detail__locked_out=True, occurred_at__gte=since
    ).exists()
