"""Push subscriptions, each user's reminder settings, the reminders themselves (one row per
reminder, keyed so that it is sent once), and the VAPID key pair when the environment has none."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from reminders.keys import validate_auth_secret, validate_p256dh

DEFAULT_TIME = dt.time(8, 0)
DEFAULT_QUIET_START = dt.time(22, 0)
DEFAULT_QUIET_END = dt.time(7, 0)


class PushSubscription(models.Model):
    """A browser's ``PushSubscription``: where to post (an allowed push service's URL) and the
    keys the payload is encrypted to. One row per endpoint: a browser signed in as someone
    else hands the same endpoint over, and then reminders follow the person signed in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(max_length=2048, unique=True)
    p256dh = models.CharField("P-256 public key", max_length=100, validators=[validate_p256dh])
    auth = models.CharField("auth secret", max_length=40, validators=[validate_auth_secret])
    # Coarse ("Firefox on Android"), so that the owner can tell the devices apart.
    client = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Push subscription {self.pk} of {self.user}"

    @property
    def info(self) -> dict[str, object]:
        """As the browser gave it: what pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class ReminderSettings(models.Model):
    """Which reminders a user wants, and when (local wall-clock times in the profile's zone).

    Quiet hours run from ``quiet_start`` to ``quiet_end``, across midnight when the end is
    earlier; equal times mean none. A reminder due inside them waits for their end."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="reminder_settings"
    )
    next_morning = models.BooleanField(default=True)
    questionnaires = models.BooleanField(default=True)
    shoes = models.BooleanField(default=True)
    time = models.TimeField(default=DEFAULT_TIME)
    quiet_start = models.TimeField(default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(default=DEFAULT_QUIET_END)
    # E-mail as well as push, for browsers without it (offered only when the server sends e-mail).
    email = models.BooleanField(default=False)
    # Where the links in e-mails point: the address the settings were saved from.
    link_origin = models.CharField(max_length=200, blank=True, editable=False)
    # The last local date whose reminders were made: each day is looked at once.
    scanned_through = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return f"Reminder settings of {self.user}"


class ReminderKind(models.TextChoices):
    NEXT_MORNING = "next_morning", "Next-morning pain"
    QUESTIONNAIRE = "questionnaire", "Questionnaire due"
    SHOE_NEARING = "shoe_nearing", "Shoes at 80 %"
    SHOE_WORN = "shoe_worn", "Shoes at 100 %"
    TEST = "test", "Test notification"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not needed any more"


# Once per subject for good, whatever the date: a run is asked about one morning, and a pair
# of shoes reaches each threshold once.
ONCE_EVER_KINDS = [ReminderKind.NEXT_MORNING, ReminderKind.SHOE_NEARING, ReminderKind.SHOE_WORN]


class Reminder(models.Model):
    """One reminder for one user: made by the scan (or the test button), then claimed and
    sent by one worker. The unique key (user, kind, subject, date) makes it exist once;
    the claim (``pending`` → ``sending``, a conditional update) makes it go out once."""

    Kind = ReminderKind
    Status = ReminderStatus

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    # What it is about: a run's id, a questionnaire's key, a pair's id.
    subject = models.CharField(max_length=64)
    date = models.DateField(help_text="The user's local date the reminder is for.")
    status = models.CharField(max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    # When it may go out: first its local time, after a failure the end of the back-off.
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Subscription ids (and "email") already reached: a retry goes only to the others.
    delivered_to = models.JSONField(default=list, blank=True)
    # Title, body, url and tag, fixed when it is made, so that a retry sends the same.
    payload = models.JSONField()
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "subject", "date"], name="reminder_once_per_day"),
            models.UniqueConstraint(
                fields=["user", "kind", "subject"],
                condition=models.Q(kind__in=ONCE_EVER_KINDS),
                name="reminder_once_ever",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values),
                name="reminder_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReminderStatus.values),
                name="reminder_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="reminder_pending_due",
                condition=models.Q(status=ReminderStatus.PENDING),
            ),
            models.Index(
                fields=["claimed_at"],
                name="reminder_sending_claimed",
                condition=models.Q(status=ReminderStatus.SENDING),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user} on {self.date}"


class VapidKeyPair(models.Model):
    """The server's VAPID key, made once when ``VAPID_PRIVATE_KEY`` is not set. A single row
    (id 1): whichever process makes it first wins, and every other one reads it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    # The private scalar, 32 bytes in URL-safe base64 (the form `web-push generate-vapid-keys` prints).
    private_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="vapid_key_pair_single")]

    def __str__(self) -> str:
        return "VAPID key pair"
