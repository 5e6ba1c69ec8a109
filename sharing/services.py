"""Writes of share links; the /share/ page and the API both come through here."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import period_detail, record_event
from backpainlog.accounts.authentication import token_digest
from backpainlog.accounts.selectors import local_today
from backpainlog.clients import coarse_client
from backpainlog.forms import EARLIEST_DATE
from sharing.models import LABEL_MAX_LENGTH, MAX_DAYS, MIN_DAYS, SEVERAL_CLIENTS, ShareAccess, ShareLink

# A shared period may end a year ahead (a link made at the start of a rehab block), no more.
MAX_DAYS_AHEAD = 366


def validate_share(
    *, user: User, label: str, expires_in_days: object, start: dt.date | None, end: dt.date | None
) -> None:
    """The rules of a new share link, as field errors (the form and the API show them)."""
    errors: dict[str, str] = {}
    if len(label) > LABEL_MAX_LENGTH:
        errors["label"] = f"At most {LABEL_MAX_LENGTH} characters."
    if (
        not isinstance(expires_in_days, int)
        or isinstance(expires_in_days, bool)
        or not MIN_DAYS <= expires_in_days <= MAX_DAYS
    ):
        errors["expires_in_days"] = f"Choose a whole number of days from {MIN_DAYS} to {MAX_DAYS}."
    latest = local_today(user) + dt.timedelta(days=MAX_DAYS_AHEAD)
    for name, value in (("from", start), ("to", end)):
        if value is not None and not EARLIEST_DATE <= value <= latest:
            errors[name] = f"Choose a date between 1900 and {latest:%d %b %Y}."
    if start and end and start > end and "to" not in errors:
        errors["to"] = "“To” must not be before “From”."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def share_link_create(
    *,
    user: User,
    label: str = "",
    expires_in_days: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    request: HttpRequest | None = None,
) -> tuple[ShareLink, str]:
    """A new link; returns the stored record and the token (shown once, never stored)."""
    label = label.strip()
    validate_share(user=user, label=label, expires_in_days=expires_in_days, start=start, end=end)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = ShareLink.objects.create(
        user=user,
        label=label,
        digest=token_digest(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=expires_in_days),
        period_start=start,
        period_end=end,
    )
    record_event(
        user=user,
        kind=AuditEvent.Kind.SHARE_CREATED,
        detail={
            **_link_detail(link),
            **period_detail(start, end),
            "expires_at": link.expires_at.isoformat(),
        },
        request=request,
    )
    return link, token


@transaction.atomic
def share_link_revoke(*, link: ShareLink, request: HttpRequest | None = None) -> ShareLink:
    """Revoke at once; the row stays for the owner's record. Revoking twice changes nothing
    (and is recorded once)."""
    now = timezone.now()
    # A conditional update, not a check of the loaded row: of two revokes at once, only
    # the one that changed the row records the event.
    if ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now):
        link.revoked_at = now
        record_event(
            user=link.user, kind=AuditEvent.Kind.SHARE_REVOKED, detail=_link_detail(link), request=request
        )
    return link


@transaction.atomic
def share_access_record(*, link: ShareLink, kind: str, user_agent: str = "") -> ShareAccess:
    """Count one request under the link: into the row of its kind for the current clock
    hour, and the matching event in the owner's account activity (without an address, as
    the access itself), both created by the hour's first request: the only writes a share
    URL makes. The link's row is locked meanwhile (PostgreSQL; SQLite's writers take
    turns anyway), so that two requests at once count two, in one row."""
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    client = coarse_client(user_agent)[:64]
    ShareLink.objects.select_for_update().filter(pk=link.pk).values_list("pk").first()
    access = ShareAccess.objects.filter(link=link, kind=kind, accessed_at__gte=hour).first()
    if access is None:
        access = ShareAccess.objects.create(link=link, kind=kind, client=client, accessed_at=now)
    else:
        access.count += 1
        access.accessed_at = now
        if access.client != client:
            access.client = SEVERAL_CLIENTS
        access.save(update_fields=["count", "accessed_at", "client"])
    event = AuditEvent.objects.filter(
        user=link.user,
        kind=AuditEvent.Kind.SHARE_OPENED,
        occurred_at__gte=hour,
        detail__link_id=link.pk,
        detail__opened=kind,
    ).first()
    detail = {**_link_detail(link), "opened": kind, "count": access.count}
    if event is None:
        record_event(user=link.user, kind=AuditEvent.Kind.SHARE_OPENED, detail=detail, user_agent=user_agent)
    else:
        event.detail, event.occurred_at, event.client = detail, now, access.client
        event.save(update_fields=["detail", "occurred_at", "client"])
    return access


def _link_detail(link: ShareLink) -> dict[str, object]:
    return {"link_id": link.pk, "label": link.label}
