"""Reads of share links. The owner's reads are scoped to the owner; the public look-up
goes by token only and finds nothing expired or revoked."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.db.models import Max, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from backpainlog.accounts.authentication import token_digest
from sharing.models import ShareAccess, ShareLink

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet. Anything else
# is not a token, and is turned away without a database query.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
RECENT_ACCESSES = 10


def share_links_for_user(user: User, *, recent_accesses: bool = False) -> QuerySet[ShareLink]:
    """The user's links, newest first, with ``access_count`` and ``last_accessed_at``; with
    ``recent_accesses``, also the last ten hours of accesses of each (the /share/ page lists them,
    the API does not). One query, two with the accesses, for any number of links."""
    links = (
        ShareLink.objects.filter(user=user)
        .annotate(
            access_count=Coalesce(Sum("accesses__count"), 0), last_accessed_at=Max("accesses__accessed_at")
        )
        .order_by("-created_at", "-id")
    )
    if recent_accesses:
        links = links.prefetch_related(
            Prefetch(
                "accesses",
                queryset=ShareAccess.objects.order_by("-accessed_at", "-id")[:RECENT_ACCESSES],
                to_attr="recent_accesses",
            )
        )
    return links


def share_link_get(user: User, pk: int | str) -> ShareLink:
    """One of the user's links; ``ShareLink.DoesNotExist`` for anyone else's."""
    return share_links_for_user(user).get(pk=pk)


def active_share_link(token: str) -> ShareLink | None:
    """The link ``token`` opens, with its owner; None when it is malformed, unknown,
    expired or revoked, or its owner's account is disabled (all alike to the caller)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    return (
        ShareLink.objects.select_related("user")
        .filter(
            digest=token_digest(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
