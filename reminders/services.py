"""Writes: push subscriptions, reminder settings, the test notification. Both doors (the
settings page and the API) come through here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backpainlog.accounts.selectors import local_today
from reminders import payloads, tasks
from reminders.endpoints import EndpointRefused, check_endpoint
from reminders.keys import validate_auth_secret, validate_p256dh
from reminders.models import PushSubscription, Reminder, ReminderSettings
from reminders.selectors import email_refusal, reminder_settings_of

# A test notification is not sent more often than this (each one is a post to every device).
TEST_REPEAT_AFTER = dt.timedelta(seconds=10)


def _check_keys(p256dh: str, auth: str) -> None:
    errors = []
    for name, value, validate in (("p256dh", p256dh, validate_p256dh), ("auth", auth, validate_auth_secret)):
        try:
            validate(value)
        except ValidationError as exc:
            errors += [f"{name}: {message}" for message in exc.messages]
    if errors:
        raise ValidationError({"keys": errors})


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, client: str = ""
) -> tuple[PushSubscription, bool]:
    """Store the browser's subscription for ``user``; ``(subscription, created)``.

    The same endpoint again is the same row (its keys updated), however often and however
    many at once. An endpoint last held by another account moves to this one: the browser
    it belongs to is now signed in as this user, and the other must not get their
    reminders on it."""
    try:
        check_endpoint(endpoint, settings.PUSH_ENDPOINT_HOSTS)
    except EndpointRefused as exc:
        raise ValidationError({"endpoint": str(exc)}) from None
    _check_keys(p256dh, auth)
    reminder_settings_of(user)  # the scan starts from the settings of users with a subscription
    fields = {"p256dh": p256dh, "auth": auth, "client": client[:64]}
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is not None and existing.user_id == user.pk:
        PushSubscription.objects.filter(pk=existing.pk).update(**fields)
        existing.refresh_from_db()
        return existing, False
    if existing is not None:
        existing.delete()
    try:
        with transaction.atomic():
            return PushSubscription.objects.create(user=user, endpoint=endpoint, **fields), True
    except IntegrityError:
        # The same browser sent it twice at once: the other request stored it.
        stored = PushSubscription.objects.get(endpoint=endpoint)
        if stored.user_id != user.pk:
            raise ValidationError(
                {"endpoint": "This subscription was just saved by another account."}
            ) from None
        return stored, False


@transaction.atomic
def push_subscription_delete(*, subscription: PushSubscription) -> None:
    subscription.delete()


@transaction.atomic
def reminder_settings_update(*, user: User, origin: str = "", **fields: Any) -> ReminderSettings:
    """Change the reminder settings; nothing is stored unless every field is valid."""
    current = ReminderSettings.objects.select_for_update().get(pk=reminder_settings_of(user).pk)
    for name, value in fields.items():
        setattr(current, name, value)
    if fields.get("email") and (refusal := email_refusal(user)):
        raise ValidationError({"email": refusal})
    if origin:
        current.link_origin = origin[:200]
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def push_test_send(*, user: User, origin: str = "") -> Reminder:
    """A notification to every device of the user (and by e-mail if chosen), at once:
    queued for the worker, which sends it as it sends reminders. Pressed again within a few
    seconds, the button gives the one already on its way rather than another."""
    if origin:
        ReminderSettings.objects.filter(pk=reminder_settings_of(user).pk).update(link_origin=origin[:200])
    now = timezone.now()
    recent = Reminder.objects.filter(
        user=user, kind=Reminder.Kind.TEST, created_at__gte=now - TEST_REPEAT_AFTER
    ).first()
    if recent is not None:
        return recent
    reminder = Reminder.objects.create(
        user=user,
        kind=Reminder.Kind.TEST,
        subject=uuid.uuid4().hex,
        date=local_today(user),
        due_at=now,
        payload=payloads.test_notification(),
    )
    reminder_id = reminder.pk
    transaction.on_commit(lambda: tasks.deliver_reminder.enqueue(reminder_id))
    return reminder
