"""Sending reminders exactly once.

A reminder is claimed before it is sent: a conditional update from ``pending`` to
``sending`` that only one worker can win, so two workers, a restart or a retry never send
it twice. Each device (and the e-mail) reached is recorded on the reminder, and a retry
goes only to the others. A push service that answers 404 or 410 has dropped the
subscription, which is deleted; any other failure is tried again after 1, 4, 16 and 64
minutes (never inside quiet hours), and after the fifth try the reminder is failed.

A reminder left ``sending`` by a worker that died mid-send may or may not have gone out:
it is marked failed, not sent again (once at most, rather than twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F

from clinical.models import QuestionnaireResponse
from reminders import push, vapid
from reminders.models import PushSubscription, Reminder, ReminderSettings
from reminders.schedule import Timing, backoff, out_of_quiet_hours
from runs.models import Run

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Longer than any one send can take (a few devices at 10 s each): a claim older than this
# belongs to a worker that is gone.
CLAIM_LEASE = dt.timedelta(minutes=15)
BATCH = 200
EMAIL = "email"
# The test notification is for now: not kept for a device that is off.
TEST_TTL_SECONDS = 5 * 60


def send_due(now: dt.datetime) -> int:
    """Every reminder whose time has come (up to a batch), each claimed first; how many
    were sent."""
    _release_stale_claims(now)
    due = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(deliver(pk, now=now) for pk in due)


def _release_stale_claims(now: dt.datetime) -> None:
    stale = Reminder.objects.filter(status=Reminder.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
    count = stale.update(
        status=Reminder.Status.FAILED, last_error="Interrupted while sending; not sent again."
    )
    if count:
        logger.warning("%d reminders were interrupted while being sent: marked failed, not resent", count)


def _claim(pk: int, now: dt.datetime) -> bool:
    return bool(
        Reminder.objects.filter(pk=pk, status=Reminder.Status.PENDING, due_at__lte=now).update(
            status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _still_wanted(reminder: Reminder) -> bool:
    """A retry may come hours later: by then the question may have been answered."""
    if reminder.kind == Reminder.Kind.NEXT_MORNING:
        return Run.objects.filter(
            pk=reminder.subject, user=reminder.user_id, pain_next_morning__isnull=True
        ).exists()
    if reminder.kind == Reminder.Kind.QUESTIONNAIRE:
        return not QuestionnaireResponse.objects.filter(
            user=reminder.user_id, questionnaire=reminder.subject, completed_at__gte=reminder.created_at
        ).exists()
    return True


def deliver(pk: int, *, now: dt.datetime) -> bool:
    """Claim reminder ``pk`` and send it to each of the user's devices not reached yet;
    whether this call sent it (False when another worker has it, or it is not due)."""
    if not _claim(pk, now):
        return False
    reminder = Reminder.objects.select_related("user", "user__reminder_settings").get(pk=pk)
    if not _still_wanted(reminder):
        _finish(reminder, status=Reminder.Status.SKIPPED, error="Answered before it went out.")
        return False
    reached = list(reminder.delivered_to)
    failures: list[str] = []
    reached_devices = [entry for entry in reached if entry != EMAIL]
    subscriptions = list(
        PushSubscription.objects.filter(user=reminder.user_id).exclude(pk__in=reached_devices)
    )
    if subscriptions:
        signer = vapid.signer()
        ttl = TEST_TTL_SECONDS if reminder.kind == Reminder.Kind.TEST else push.TIME_TO_LIVE_SECONDS
        for subscription in subscriptions:
            outcome, why = push.send(subscription, reminder.payload, signer=signer, ttl=ttl)
            if outcome is push.Outcome.DELIVERED:
                reached.append(subscription.pk)
                PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
            elif outcome is push.Outcome.GONE:
                logger.info("Push subscription %s is gone (%s): deleted", subscription.pk, why)
                subscription.delete()
            else:
                logger.warning("Reminder %s to subscription %s failed: %s", pk, subscription.pk, why)
                failures.append(why)
            # Recorded at once: a crash after this device must not lead to it twice.
            Reminder.objects.filter(pk=pk, status=Reminder.Status.SENDING).update(delivered_to=reached)
    preferences = _settings(reminder)
    if preferences is not None and preferences.email and EMAIL not in reached and _email_possible(reminder):
        try:
            _send_email(reminder, preferences)
        except OSError as exc:  # smtplib's errors are OSErrors
            logger.warning("Reminder %s by e-mail failed: %s", pk, exc)
            failures.append(f"E-mail: {exc}"[:200])
        else:
            reached.append(EMAIL)
    if not failures:
        if reached:
            _finish(reminder, status=Reminder.Status.SENT, delivered_to=reached, sent_at=now)
            return True
        _finish(
            reminder, status=Reminder.Status.SKIPPED, delivered_to=reached, error="No device to send it to."
        )
        return False
    if reminder.attempts >= MAX_ATTEMPTS:
        _finish(reminder, status=Reminder.Status.FAILED, delivered_to=reached, error=failures[-1])
        return False
    retry_at = now + backoff(reminder.attempts)
    if preferences is not None:
        retry_at = out_of_quiet_hours(retry_at, _timing(reminder, preferences))
    _finish(
        reminder, status=Reminder.Status.PENDING, delivered_to=reached, error=failures[-1], due_at=retry_at
    )
    return False


def _finish(
    reminder: Reminder,
    *,
    status: str,
    delivered_to: list[object] | None = None,
    error: str = "",
    sent_at: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
) -> None:
    changes: dict[str, object] = {"status": status, "last_error": error[:200]}
    if delivered_to is not None:
        changes["delivered_to"] = delivered_to
    if sent_at is not None:
        changes["sent_at"] = sent_at
    if due_at is not None:
        changes["due_at"] = due_at
    # Only while this claim holds: a stale-claim sweep may have taken it meanwhile.
    Reminder.objects.filter(
        pk=reminder.pk, status=Reminder.Status.SENDING, claimed_at=reminder.claimed_at
    ).update(**changes)


def _settings(reminder: Reminder) -> ReminderSettings | None:
    try:
        return reminder.user.reminder_settings
    except ReminderSettings.DoesNotExist:
        return None


def _timing(reminder: Reminder, preferences: ReminderSettings) -> Timing:
    profile = getattr(reminder.user, "profile", None)
    zone = zoneinfo.ZoneInfo(profile.timezone if profile is not None else "UTC")
    return Timing(preferences.time, preferences.quiet_start, preferences.quiet_end, zone)


def _email_possible(reminder: Reminder) -> bool:
    return bool(settings.EMAIL_HOST and reminder.user.email)


def _send_email(reminder: Reminder, preferences: ReminderSettings) -> None:
    payload = reminder.payload
    link = f"{preferences.link_origin.rstrip('/')}{payload['url']}" if preferences.link_origin else ""
    body = payload["body"] + (f"\n\n{link}" if link else "")
    body += "\n\nYou get this because you asked for reminders by e-mail; turn them off in Settings."
    send_mail(payload["title"], body, None, [reminder.user.email])
