"""The account's activity: what happened to it and to its data, for its owner to see.

Kept for each event: when, what, a small detail (the export's format and period, the
share link's label, ...) and the coarse name of the browser ("Firefox on Android"). The
client address is kept only for the account's own sign-ins (successful, failed, and an
API token obtained with the password): an address from another town or country is how an
owner spots someone else in their account, and it is their own, or an intruder's. A
clinician opening a share link is recorded without one, as in :class:`sharing.models.ShareAccess`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date


class EventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGNED_OUT = "signed_out", "Signed out"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    EXPORTED = "exported", "Data exported"
    SHARE_CREATED = "share_created", "Share link created"
    SHARE_REVOKED = "share_revoked", "Share link revoked"
    SHARE_OPENED = "share_opened", "Share link opened"
    TWO_STEP_ON = "two_step_on", "Two-step sign-in turned on"
    TWO_STEP_OFF = "two_step_off", "Two-step sign-in turned off"
    RECOVERY_CODES_NEW = "recovery_codes_new", "New recovery codes"


#: The kinds that keep the client address: the account's own sign-ins.
ADDRESS_KINDS = frozenset({EventKind.SIGNED_IN, EventKind.SIGN_IN_FAILED, EventKind.TOKEN_CREATED})


class AuditEvent(models.Model):
    Kind = EventKind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)
    client = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["user", "-occurred_at", "-id"], name="auditevent_user_occurred")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="auditevent_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(address="")
                | models.Q(kind__in=sorted(kind.value for kind in ADDRESS_KINDS)),
                name="auditevent_address_only_for_sign_ins",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_failure(self) -> bool:
        return self.kind == self.Kind.SIGN_IN_FAILED

    def summary(self) -> str:
        """What the detail says, in words: "CSV, 1 Jan 2026 – 31 Mar 2026", "“Physio”: PDF"."""
        detail, kind = self.detail, self.Kind
        if self.kind == kind.EXPORTED:
            return f"{EXPORT_FORMATS.get(detail.get('format'), detail.get('format'))}, {_period(detail)}"
        if self.kind in {kind.SHARE_CREATED, kind.SHARE_REVOKED, kind.SHARE_OPENED}:
            label = f"“{detail['label']}”" if detail.get("label") else "A link without a label"
            if self.kind == kind.SHARE_OPENED:
                opened = f"{label}: {SHARE_OPENED.get(detail.get('opened'), detail.get('opened'))}"
                # The opens of one hour are one event (sharing.services.share_access_record).
                count = detail.get("count", 1)
                return f"{opened}, {count} times this hour" if count > 1 else opened
            if self.kind == kind.SHARE_CREATED:
                return f"{label}, {_period(detail)}"
            return label
        if self.kind == kind.TOKEN_REVOKED and detail.get("all"):
            reason = TOKENS_REVOKED_BECAUSE.get(detail.get("reason", ""), "")
            return f"All {detail.get('count')} tokens{reason}"
        if self.kind in {kind.TOKEN_CREATED, kind.TOKEN_REVOKED}:
            return f"“{detail['label']}”" if detail.get("label") else ""
        if self.kind == kind.SIGN_IN_FAILED:
            via = "API token request" if detail.get("via") == "api" else "Sign-in page"
            if detail.get("step") == "password_check":
                via = f"Wrong password given while signed in ({'API' if detail.get('via') == 'api' else 'settings'})"
            elif detail.get("step") == "code":
                via += ", wrong two-step code"
            return f"{via}, locked out after too many attempts" if detail.get("locked_out") else via
        if self.kind == kind.PASSWORD_CHANGED and detail.get("via") == "reset":
            return "Reset with a link sent by e-mail"
        return ""


TOKENS_REVOKED_BECAUSE = {
    "password_changed": ", as the password was changed",
    "password_reset": ", as the password was reset",
}
EXPORT_FORMATS = {"csv": "Runs as CSV", "pdf": "Report as PDF", "fhir": "FHIR file", "zip": "All data (zip)"}
SHARE_OPENED = {"page": "report page", "pdf": "PDF", "csv": "CSV"}


def _period(detail: dict[str, object]) -> str:
    """ "1 Jan 2026 – 31 Mar 2026", "from 1 Jan 2026", "whole log" from ISO dates in ``detail``."""
    start, end = (
        format_date(dt.date.fromisoformat(str(detail[name])), "j M Y") if detail.get(name) else None
        for name in ("from", "to")
    )
    if start and end:
        return f"{start} – {end}"
    if start:
        return f"from {start}"
    if end:
        return f"up to {end}"
    return "whole log"
