"""Writes of the account activity log.

An event is written in the same transaction as what it records (the share access, the
new link, the new token), and synchronously before a download starts. A failure to
record is not swallowed, even for reads: an export or a share-link access that could not
be recorded is refused (a server error) rather than given out without a trace, since
the log exists to account for every time the data left the account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from audit.models import ADDRESS_KINDS, AuditEvent
from backpainlog.clients import client_address, coarse_client

#: Events older than this may be pruned (``manage.py prune_audit_events``): over a year,
#: so that the same season last year can still be looked back on.
RETENTION_DAYS = 400


def record_event(
    *,
    user: User,
    kind: str,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    user_agent: str | None = None,
) -> AuditEvent:
    """One event for ``user``: one insert. The browser is kept as a coarse name, from
    ``user_agent`` or else ``request``'s; the address of ``request`` only for a sign-in."""
    if user_agent is None:
        user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    address = client_address(request) if request is not None and kind in ADDRESS_KINDS else ""
    return AuditEvent.objects.create(
        user=user, kind=kind, detail=detail or {}, client=coarse_client(user_agent)[:64], address=address
    )


def record_export(
    *,
    request: HttpRequest,
    user: User,
    export_format: str,
    start: dt.date | None,
    end: dt.date | None,
) -> AuditEvent:
    """A download of the user's data, with its period (None: open on that side)."""
    return record_event(
        request=request,
        user=user,
        kind=AuditEvent.Kind.EXPORTED,
        detail={"format": export_format, **period_detail(start, end)},
    )


def period_detail(start: dt.date | None, end: dt.date | None) -> dict[str, str | None]:
    """A period as an event's detail keeps it: ISO dates, None where it is open."""
    return {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None}


def audit_events_prune(*, older_than_days: int = RETENTION_DAYS) -> int:
    """Delete every account's events older than ``older_than_days``; returns how many."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _ = AuditEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted
