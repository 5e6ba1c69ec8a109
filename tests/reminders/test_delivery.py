"""Sending reminders: exactly once (two workers racing, a retry, an interrupted send), a
subscription the push service reports gone is deleted, other failures back off and retry,
and the server posts only to allowed hosts, even when the row says otherwise."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.utils import timezone

from backpainlog.accounts.selectors import profile_of
from reminders import delivery
from reminders.models import PushSubscription, Reminder, ReminderSettings
from reminders.scan import make_due_reminders
from reminders.selectors import reminder_settings_of
from tests.factories import RunFactory, UserFactory
from tests.helpers import at_once
from tests.reminders.browser import BrowserKeys
from tests.reminders.conftest import PushService

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)  # 11:00 in Berlin: no quiet hours


def device(user: User, service: PushService, name: str) -> tuple[PushSubscription, BrowserKeys]:
    keys = BrowserKeys()
    subscription = PushSubscription.objects.create(
        user=user, endpoint=service.endpoint(name), p256dh=keys.p256dh, auth=keys.auth
    )
    return subscription, keys


def reminder(
    user: User, subject: str = "shoe-1", kind: str = Reminder.Kind.SHOE_NEARING, **fields: Any
) -> Reminder:
    reminder_settings_of(user)
    fields = {
        "date": NOW.date(),
        "due_at": NOW - dt.timedelta(minutes=1),
        "payload": {"title": "Shoes", "body": "80 %", "url": "/shoes/1/edit/", "tag": "shoe-1-80"},
        **fields,
    }
    return Reminder.objects.create(user=user, kind=kind, subject=subject, **fields)


def test_sent_to_every_device_of_the_user_only(alice: User, bob: User, push_service: PushService) -> None:
    _, phone_keys = device(alice, push_service, "alice-phone")
    device(alice, push_service, "alice-laptop")
    device(bob, push_service, "bob-phone")
    sent = reminder(alice)
    assert delivery.send_due(NOW) == 1
    assert len(push_service.to("alice-phone")) == len(push_service.to("alice-laptop")) == 1
    assert push_service.to("bob-phone") == []
    payload = json.loads(phone_keys.decrypt(push_service.to("alice-phone")[0].body))
    assert payload == {"title": "Shoes", "body": "80 %", "url": "/shoes/1/edit/", "tag": "shoe-1-80"}
    sent.refresh_from_db()
    assert (sent.status, sent.sent_at, sent.attempts) == ("sent", NOW, 1)
    # The next tick, a retry or a second worker: nothing more.
    assert delivery.send_due(NOW + dt.timedelta(minutes=1)) == 0
    assert delivery.deliver(sent.pk, now=NOW + dt.timedelta(minutes=2)) is False
    assert len(push_service.received) == 2


def test_not_before_its_time(alice: User, push_service: PushService) -> None:
    device(alice, push_service, "phone")
    reminder(alice, due_at=NOW + dt.timedelta(minutes=5))
    assert delivery.send_due(NOW) == 0
    assert push_service.received == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_reports_gone_is_deleted(
    alice: User, push_service: PushService, status: int
) -> None:
    gone, _ = device(alice, push_service, "old-laptop")
    kept, _ = device(alice, push_service, "phone")
    push_service.answer("old-laptop", status)
    sent = reminder(alice)
    assert delivery.send_due(NOW) == 1
    assert list(PushSubscription.objects.filter(user=alice)) == [kept]
    sent.refresh_from_db()
    assert (sent.status, sent.delivered_to) == ("sent", [kept.pk])
    assert not PushSubscription.objects.filter(pk=gone.pk).exists()


@pytest.mark.parametrize("status", [500, 503, 429, 400, 413, 301])
def test_other_failures_back_off_and_retry_only_the_device_that_failed(
    alice: User, push_service: PushService, status: int
) -> None:
    device(alice, push_service, "phone")
    device(alice, push_service, "laptop")
    push_service.answer("laptop", status)
    failing = reminder(alice)
    assert delivery.send_due(NOW) == 0
    failing.refresh_from_db()
    assert (failing.status, failing.attempts) == ("pending", 1)
    assert failing.due_at == NOW + dt.timedelta(minutes=1)
    assert str(status) in failing.last_error
    # Not before the back-off ends; then only the laptop again, and it works.
    assert delivery.send_due(NOW + dt.timedelta(seconds=59)) == 0
    assert delivery.send_due(NOW + dt.timedelta(minutes=1)) == 1
    assert (len(push_service.to("phone")), len(push_service.to("laptop"))) == (1, 2)
    failing.refresh_from_db()
    assert failing.status == "sent"


def test_after_five_tries_a_reminder_is_failed(alice: User, push_service: PushService) -> None:
    device(alice, push_service, "phone")
    push_service.answer("phone", *[500] * 10)
    failing = reminder(alice)
    now, waits = NOW, []
    for _ in range(10):
        delivery.send_due(now)
        failing.refresh_from_db()
        if failing.status != "pending":
            break
        waits.append(failing.due_at - now)
        now = failing.due_at
    assert failing.status == "failed"
    assert failing.attempts == delivery.MAX_ATTEMPTS == 5
    assert waits == [dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]
    assert len(push_service.to("phone")) == 5


def test_a_retry_waits_past_quiet_hours(alice: User, push_service: PushService) -> None:
    device(alice, push_service, "phone")
    push_service.answer("phone", 500)
    evening = dt.datetime(2026, 6, 10, 19, 59, 30, tzinfo=dt.UTC)  # 21:59:30 in Berlin
    failing = reminder(alice, due_at=evening)
    profile = profile_of(alice)
    profile.timezone = "Europe/Berlin"
    profile.save()
    delivery.send_due(evening)
    failing.refresh_from_db()
    assert failing.due_at == dt.datetime(2026, 6, 11, 5, 0, tzinfo=dt.UTC)  # 07:00 in Berlin


def test_an_endpoint_outside_the_allowlist_is_never_posted_to(
    alice: User, push_service: PushService, settings: Any
) -> None:
    device(alice, push_service, "phone")
    # The operator narrowed PUSH_ENDPOINT_HOSTS after this subscription was stored.
    settings.PUSH_ENDPOINT_HOSTS = settings.PUSH_ENDPOINT_HOSTS[:-1]
    failing = reminder(alice)
    delivery.send_due(NOW)
    assert push_service.received == []
    failing.refresh_from_db()
    assert "PUSH_ENDPOINT_HOSTS" in failing.last_error


def test_a_send_interrupted_by_a_dead_worker_is_not_sent_again(
    alice: User, push_service: PushService
) -> None:
    device(alice, push_service, "phone")
    interrupted = reminder(alice, status=Reminder.Status.SENDING, claimed_at=NOW - dt.timedelta(minutes=30))
    recent = reminder(
        alice, subject="shoe-2", status=Reminder.Status.SENDING, claimed_at=NOW - dt.timedelta(minutes=1)
    )
    delivery.send_due(NOW)
    interrupted.refresh_from_db()
    recent.refresh_from_db()
    assert (interrupted.status, recent.status) == ("failed", "sending")
    assert push_service.received == []


def test_a_next_morning_reminder_answered_before_its_retry_is_dropped(
    alice: User, push_service: PushService
) -> None:
    device(alice, push_service, "phone")
    run = RunFactory(user=alice, pain_next_morning=None)
    waiting = reminder(alice, kind=Reminder.Kind.NEXT_MORNING, subject=str(run.pk))
    run.pain_next_morning = 3
    run.save()
    delivery.send_due(NOW)
    waiting.refresh_from_db()
    assert waiting.status == "skipped"
    assert push_service.received == []


def test_email_as_well_when_chosen_once_even_when_push_is_retried(
    alice: User, push_service: PushService, settings: Any
) -> None:
    settings.EMAIL_HOST = "smtp.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    device(alice, push_service, "phone")
    push_service.answer("phone", 500)
    reminder(alice)
    ReminderSettings.objects.filter(user=alice).update(email=True, link_origin="https://bp.example.com/")
    delivery.send_due(NOW)
    delivery.send_due(NOW + dt.timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == "Shoes"
    assert "https://bp.example.com/shoes/1/edit/" in message.body
    assert len(push_service.to("phone")) == 2


# ------------------------------------------------------------------ workers racing


def needs_separate_connections() -> None:
    # is_in_memory_db() is SQLite's own, asked after the vendor check.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("threads cannot share SQLite's in-memory test database; run with a file or PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_workers_racing_send_each_reminder_once(push_service: PushService) -> None:
    """Four workers tick at the same moment over 12 reminders of 3 users with 2 devices each:
    on PostgreSQL their claims really run side by side; on SQLite they take turns."""
    needs_separate_connections()
    users = [UserFactory(username=f"racer{n}") for n in range(3)]
    for user in users:
        device(user, push_service, f"{user.username}-phone")
        device(user, push_service, f"{user.username}-laptop")
        for n in range(4):
            reminder(user, subject=f"shoe-{n}")

    sent = at_once(4, lambda _: delivery.send_due(NOW))

    assert all(isinstance(count, int) for count in sent), sent
    assert sum(sent) == 12
    for user in users:
        assert len(push_service.to(f"{user.username}-phone")) == 4
        assert len(push_service.to(f"{user.username}-laptop")) == 4
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_reminder_send_it_once(push_service: PushService) -> None:
    needs_separate_connections()
    user = UserFactory(username="alice")
    device(user, push_service, "phone")
    one = reminder(user)

    results = at_once(8, lambda _: delivery.deliver(one.pk, now=timezone.now()))

    assert sorted(results) == [False] * 7 + [True]
    assert len(push_service.to("phone")) == 1


@pytest.mark.django_db(transaction=True)
def test_workers_ticking_together_make_and_send_each_reminder_once(push_service: PushService) -> None:
    """The whole periodic job in four workers at the same moment: the scan's copies of one
    reminder collapse into one row, and that row goes out once."""
    needs_separate_connections()
    users = [UserFactory(username=f"morning{n}") for n in range(3)]
    for user in users:
        device(user, push_service, user.username)
        reminder_settings_of(user)  # 08:00 UTC, the default zone
        for hours in (20, 22):
            RunFactory(user=user, started_at=NOW - dt.timedelta(hours=hours), pain_next_morning=None)
    now = NOW.replace(hour=8, minute=0, second=5)

    def tick(_: int) -> int:
        make_due_reminders(now)
        return delivery.send_due(now)

    results = at_once(4, tick)

    assert all(isinstance(count, int) for count in results), results
    assert Reminder.objects.count() == 6
    assert sum(results) == 6
    for user in users:
        assert len(push_service.to(user.username)) == 2


def test_a_reminder_of_a_kind_turned_off_meanwhile_is_dropped(alice: User, push_service: PushService) -> None:
    device(alice, push_service, "phone")
    waiting = reminder(alice)
    ReminderSettings.objects.filter(user=alice).update(shoes=False)
    delivery.send_due(NOW)
    waiting.refresh_from_db()
    assert waiting.status == "skipped"
    assert push_service.received == []
