"""Making reminders: each kind at the runner's local time, once, in any zone; a fixed
number of queries per tick, whatever the number of users."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backpainlog.accounts.selectors import profile_of
from clinical.models import QuestionnaireSchedule
from reminders.models import Reminder, ReminderSettings
from reminders.scan import make_due_reminders
from reminders.selectors import reminder_settings_of
from tests.factories import (
    PushSubscriptionFactory,
    QuestionnaireResponseFactory,
    RunFactory,
    ShoeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
# Sunday 25 October 2026: Europe's clocks go back an hour at 03:00.
AUTUMN = dt.date(2026, 10, 25)


def local(day: dt.date, at: str, zone: ZoneInfo = BERLIN) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(at), tzinfo=zone)


def reachable(user: User, zone: str = "Europe/Berlin", time: str = "07:30", **changes: object) -> User:
    """``user`` with a browser subscribed, in ``zone``, reminded at ``time``; every
    questionnaire off unless a test turns it on (they are on by default)."""
    profile = profile_of(user)
    profile.timezone = zone
    profile.save()
    PushSubscriptionFactory(user=user)
    settings = reminder_settings_of(user)
    settings.time = dt.time.fromisoformat(time)
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()
    for key in ("rmdq", "psfs", "pain_7d"):
        QuestionnaireSchedule.objects.update_or_create(
            user=user, questionnaire=key, defaults={"schedule": "off"}
        )
    user.date_joined = dt.datetime(2026, 9, 1, tzinfo=UTC)
    user.save()
    return user


def made(user: User, kind: str | None = None) -> list[Reminder]:
    reminders = Reminder.objects.filter(user=user).order_by("id")
    return list(reminders.filter(kind=kind) if kind else reminders)


# ------------------------------------------------------------------ next-morning pain


def test_next_morning_reminder_at_0730_on_the_morning_the_clocks_go_back(alice: User) -> None:
    reachable(alice)
    run = RunFactory(
        user=alice, started_at=local(AUTUMN - dt.timedelta(days=1), "18:00"), pain_next_morning=None
    )
    at_0730 = local(AUTUMN, "07:30")
    assert at_0730.astimezone(UTC) == dt.datetime(2026, 10, 25, 6, 30, tzinfo=UTC)

    make_due_reminders(at_0730 - dt.timedelta(minutes=1))
    assert made(alice) == []
    make_due_reminders(at_0730)
    [reminder] = made(alice)
    assert (reminder.kind, reminder.subject, reminder.date) == ("next_morning", str(run.pk), AUTUMN)
    assert reminder.due_at == at_0730
    assert reminder.payload["url"] == f"/#next-morning-{run.pk}"
    assert reminder.payload["tag"] == f"next-morning-{run.pk}"
    assert "8.0 km run of Saturday" in reminder.payload["body"]


def test_next_morning_reminder_is_made_once(alice: User) -> None:
    reachable(alice)
    RunFactory(user=alice, started_at=local(AUTUMN - dt.timedelta(days=1), "18:00"), pain_next_morning=None)
    make_due_reminders(local(AUTUMN, "07:30"))
    make_due_reminders(local(AUTUMN, "07:31"))
    # A worker that read the settings before the first one marked the day (or a restart).
    ReminderSettings.objects.filter(user=alice).update(scanned_through=None)
    make_due_reminders(local(AUTUMN, "07:32"))
    # The next morning the run is two days old: still without a score, never asked again.
    make_due_reminders(local(AUTUMN + dt.timedelta(days=1), "07:30"))
    assert len(made(alice)) == 1


def test_no_reminder_for_a_run_already_scored_or_with_the_kind_off(alice: User, bob: User) -> None:
    reachable(alice)
    reachable(bob, next_morning=False)
    yesterday_evening = local(AUTUMN - dt.timedelta(days=1), "18:00")
    RunFactory(user=alice, started_at=yesterday_evening, pain_next_morning=2)
    RunFactory(user=bob, started_at=yesterday_evening, pain_next_morning=None)
    make_due_reminders(local(AUTUMN, "09:00"))
    assert Reminder.objects.count() == 0


def test_no_reminder_without_a_device_or_email(alice: User) -> None:
    profile_of(alice)
    reminder_settings_of(alice)
    RunFactory(user=alice, started_at=local(AUTUMN - dt.timedelta(days=1), "18:00"), pain_next_morning=None)
    make_due_reminders(local(AUTUMN, "09:00"))
    assert made(alice) == []


def test_each_runner_at_their_own_0730(alice: User, bob: User) -> None:
    reachable(alice, "Europe/Berlin")
    reachable(bob, "America/New_York")
    for user, zone in ((alice, BERLIN), (bob, ZoneInfo("America/New_York"))):
        RunFactory(
            user=user, started_at=local(AUTUMN - dt.timedelta(days=1), "18:00", zone), pain_next_morning=None
        )
    make_due_reminders(dt.datetime(2026, 10, 25, 6, 30, tzinfo=UTC))  # 07:30 in Berlin, 02:30 in New York
    assert (len(made(alice)), len(made(bob))) == (1, 0)
    make_due_reminders(dt.datetime(2026, 10, 25, 11, 30, tzinfo=UTC))  # 07:30 EDT
    assert len(made(bob)) == 1


def test_quiet_hours_until_0900_hold_the_0730_reminder(alice: User) -> None:
    reachable(alice, quiet_start=dt.time(22), quiet_end=dt.time(9))
    RunFactory(user=alice, started_at=local(AUTUMN - dt.timedelta(days=1), "18:00"), pain_next_morning=None)
    make_due_reminders(local(AUTUMN, "08:59"))
    assert made(alice) == []
    make_due_reminders(local(AUTUMN, "09:00"))
    assert [r.due_at for r in made(alice)] == [local(AUTUMN, "09:00")]


# ------------------------------------------------------------------ questionnaires


def test_questionnaire_reminder_on_its_due_day_only(alice: User) -> None:
    reachable(alice)
    QuestionnaireSchedule.objects.filter(user=alice, questionnaire="rmdq").update(schedule="weekly")
    QuestionnaireResponseFactory(user=alice, completed_at=local(AUTUMN - dt.timedelta(days=7), "20:00"))
    make_due_reminders(local(AUTUMN - dt.timedelta(days=1), "07:30"))
    assert made(alice) == []
    make_due_reminders(local(AUTUMN, "07:30"))
    make_due_reminders(local(AUTUMN, "12:00"))
    [reminder] = made(alice)
    assert (reminder.kind, reminder.subject, reminder.date) == ("questionnaire", "rmdq", AUTUMN)
    assert reminder.payload["url"] == "/questionnaires/rmdq/"
    # Answered that morning: due again a week after the answer, not before.
    QuestionnaireResponseFactory(user=alice, completed_at=local(AUTUMN, "08:00"))
    make_due_reminders(local(AUTUMN + dt.timedelta(days=1), "07:30"))
    assert len(made(alice)) == 1
    make_due_reminders(local(AUTUMN + dt.timedelta(days=7), "07:30"))
    assert [r.date for r in made(alice)] == [AUTUMN, AUTUMN + dt.timedelta(days=7)]


def test_a_questionnaire_never_answered_is_due_every_interval_from_sign_up(alice: User) -> None:
    reachable(alice)
    QuestionnaireSchedule.objects.filter(user=alice, questionnaire="pain_7d").update(schedule="2w")
    alice.date_joined = local(AUTUMN - dt.timedelta(days=14), "10:00")
    alice.save()
    for offset in range(-1, 16):
        make_due_reminders(local(AUTUMN + dt.timedelta(days=offset), "07:30"))
    assert [r.date for r in made(alice)] == [AUTUMN, AUTUMN + dt.timedelta(days=14)]


def test_questionnaire_reminders_off(alice: User) -> None:
    reachable(alice, questionnaires=False)
    QuestionnaireSchedule.objects.filter(user=alice).update(schedule="weekly")
    alice.date_joined = local(AUTUMN - dt.timedelta(days=7), "10:00")
    alice.save()
    make_due_reminders(local(AUTUMN, "07:30"))
    assert made(alice) == []


# ------------------------------------------------------------------ shoes


def test_a_pair_is_told_at_80_and_at_100_percent_once_each(alice: User) -> None:
    reachable(alice, next_morning=False)
    pair = ShoeFactory(user=alice, name="Ghosts", initial_distance_m=500_000, replacement_threshold_m=640_000)
    day = AUTUMN
    make_due_reminders(local(day, "07:30"))
    assert made(alice) == []  # 78 %
    RunFactory(user=alice, shoe=pair, distance_m=12_000, started_at=local(day, "18:00"))  # exactly 80 %
    for offset in (1, 2, 3):
        make_due_reminders(local(day + dt.timedelta(days=offset), "07:30"))
    [nearing] = made(alice)
    assert (nearing.kind, nearing.subject, nearing.date) == (
        "shoe_nearing",
        str(pair.pk),
        day + dt.timedelta(days=1),
    )
    assert nearing.payload["url"] == f"/shoes/{pair.pk}/edit/"
    assert "512 km of 640 km" in nearing.payload["body"]
    RunFactory(
        user=alice, shoe=pair, distance_m=128_000, started_at=local(day + dt.timedelta(days=3), "18:00")
    )
    for offset in (4, 5):
        make_due_reminders(local(day + dt.timedelta(days=offset), "07:30"))
    assert [r.kind for r in made(alice)] == ["shoe_nearing", "shoe_worn"]
    assert made(alice)[1].payload["tag"] == f"shoe-{pair.pk}-100"


def test_a_pair_past_100_percent_at_once_is_told_that_only(alice: User) -> None:
    reachable(alice)
    ShoeFactory(user=alice, initial_distance_m=700_000, replacement_threshold_m=640_000)
    make_due_reminders(local(AUTUMN, "07:30"))
    reminders = {r.kind: r.status for r in made(alice)}
    assert reminders == {"shoe_worn": "pending", "shoe_nearing": "skipped"}


def test_retired_pairs_and_shoe_reminders_off(alice: User, bob: User) -> None:
    reachable(alice)
    reachable(bob, shoes=False)
    ShoeFactory(user=alice, initial_distance_m=700_000, retired_on=dt.date(2026, 10, 1))
    ShoeFactory(user=bob, initial_distance_m=700_000)
    make_due_reminders(local(AUTUMN, "07:30"))
    assert Reminder.objects.count() == 0


# ------------------------------------------------------------------ cost


def test_a_tick_costs_the_same_queries_for_1_and_for_20_runners() -> None:
    def tick_queries(count: int, day: dt.date) -> int:
        for n in range(count):
            user = reachable(UserFactory(username=f"runner-{day}-{n}"))
            QuestionnaireSchedule.objects.filter(user=user, questionnaire="rmdq").update(schedule="weekly")
            user.date_joined = local(day - dt.timedelta(days=7), "12:00")
            user.save()
            RunFactory(
                user=user, started_at=local(day - dt.timedelta(days=1), "18:00"), pain_next_morning=None
            )
            ShoeFactory(user=user, initial_distance_m=600_000)
        with CaptureQueriesContext(connection) as queries:
            make_due_reminders(local(day, "07:30"))
        return len(queries)

    one = tick_queries(1, AUTUMN)
    Reminder.objects.all().delete()
    ReminderSettings.objects.update(next_morning=False, questionnaires=False, shoes=False)
    twenty = tick_queries(20, AUTUMN + dt.timedelta(days=1))
    assert Reminder.objects.count() == 20 * 3
    assert twenty == one
