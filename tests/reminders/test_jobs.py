"""The worker's periodic job end to end: the reminder made at its time, sent once to the
device, and its link opening the screen that answers it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from backpainlog.worker import PeriodicJobs
from reminders import jobs
from reminders.models import PushSubscription, Reminder
from reminders.selectors import reminder_settings_of
from tests.factories import RunFactory, ShoeFactory
from tests.reminders.browser import BrowserKeys
from tests.reminders.conftest import PushService

pytestmark = pytest.mark.django_db


def test_the_jobs_are_in_every_worker() -> None:
    assert settings.WORKER_PERIODIC_JOBS["reminders.jobs.reminders_tick"] == 60
    assert settings.WORKER_PERIODIC_JOBS["reminders.jobs.prune_old_reminders"] == 24 * 60 * 60
    PeriodicJobs(settings.WORKER_PERIODIC_JOBS)  # every path imports


def test_a_tick_makes_and_sends_the_mornings_reminder_whose_link_answers_it(
    alice: User, alice_client: Client, push_service: PushService, monkeypatch: Any
) -> None:
    keys = BrowserKeys()
    PushSubscription.objects.create(
        user=alice, endpoint=push_service.endpoint("phone"), p256dh=keys.p256dh, auth=keys.auth
    )
    now = dt.datetime(2026, 6, 10, 8, 0, 20, tzinfo=dt.UTC)  # reminders at 08:00 (UTC, the default zone)
    monkeypatch.setattr(timezone, "now", lambda: now)
    reminder_settings_of(alice)
    alice.date_joined = now - dt.timedelta(days=30)  # no questionnaire due today
    alice.save()
    run = RunFactory(user=alice, started_at=now - dt.timedelta(days=1), pain_next_morning=None)
    pair = ShoeFactory(user=alice, initial_distance_m=520_000)

    jobs.reminders_tick()
    jobs.reminders_tick()

    payloads = [json.loads(keys.decrypt(message.body)) for message in push_service.to("phone")]
    assert sorted(p["tag"] for p in payloads) == [f"next-morning-{run.pk}", f"shoe-{pair.pk}-80"]
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    by_tag = {p["tag"]: p for p in payloads}
    # Tapping opens the one-tap question for that run, and the pair's page.
    dashboard = alice_client.get(by_tag[f"next-morning-{run.pk}"]["url"].split("#")[0]).content.decode()
    assert f'id="next-morning-{run.pk}"' in dashboard
    assert alice_client.get(by_tag[f"shoe-{pair.pk}-80"]["url"]).status_code == 200


def test_each_questionnaire_link_opens_its_form(alice_client: Client) -> None:
    from reminders.payloads import questionnaire_due

    for key in ("rmdq", "psfs", "pain_7d"):
        assert alice_client.get(questionnaire_due(key=key)["url"]).status_code == 200


def test_old_reminders_are_pruned_but_shoes_keep_theirs(alice: User) -> None:
    today = timezone.localdate()

    def add(kind: str, subject: str, days_ago: int, status: str = Reminder.Status.SENT) -> None:
        day = today - dt.timedelta(days=days_ago)
        Reminder.objects.create(
            user=alice, kind=kind, subject=subject, date=day, due_at=timezone.now(), status=status, payload={}
        )

    add(Reminder.Kind.NEXT_MORNING, "old-run", 40)
    add(Reminder.Kind.QUESTIONNAIRE, "rmdq", 40)
    add(Reminder.Kind.SHOE_NEARING, "1", 400)
    add(Reminder.Kind.NEXT_MORNING, "recent-run", 5)
    add(Reminder.Kind.QUESTIONNAIRE, "psfs", 40, status=Reminder.Status.PENDING)
    assert jobs.prune_old_reminders() == 2
    assert sorted(Reminder.objects.values_list("subject", flat=True)) == ["1", "psfs", "recent-run"]
