"""Share links: a read-only view of the owner's report for a clinician (docs/product.md#share-links).

The token itself is never stored: only its SHA-256 digest, as for API tokens, so that a
leaked database opens no report. Every access is recorded for the owner to see; what is
recorded about the visitor is deliberately little (see :class:`ShareAccess`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 90, 14
SEVERAL_CLIENTS = "Several browsers"
LABEL_MAX_LENGTH = 100


class ShareLink(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(max_length=LABEL_MAX_LENGTH, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The local dates shared, inclusive; null: open (from the first entry / up to today).
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="sharelink_user_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="sharelink_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_start__lte=models.F("period_end")),
                name="sharelink_period_in_order",
                violation_error_message="“To” must not be before “From”.",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("created_at")),
                name="sharelink_revoked_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Share link {self.label or self.pk} of {self.user}"

    def status_at(self, moment: dt.datetime) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= moment:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())


class ShareAccess(models.Model):
    """The requests under a share link for one kind of download in one clock hour: one
    row with their count, so that a link opened 200 times does not push the earlier
    visits out of the owner's "Recent accesses".

    Kept: when (the last of the hour), what was fetched, how often, and a coarse
    description of the browser ("Safari on iPhone"; ``SEVERAL_CLIENTS`` if the hour saw
    more than one), so that the owner can tell their physiotherapist's visit from a
    stranger's.
    Not kept: the IP address (not even truncated), the full user agent, cookies: a visit
    to a health report says something about the visitor too.
    """

    class Kind(models.TextChoices):
        PAGE = "page", "Report page"
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    accessed_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    client = models.CharField(max_length=64, blank=True)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["link", "-accessed_at"], name="shareaccess_link_accessed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["page", "pdf", "csv"]), name="shareaccess_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.accessed_at:%Y-%m-%d %H:%M}"
