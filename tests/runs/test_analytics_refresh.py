"""The stored analytics (run flags, ACWR, check-in flares, patterns) stay current whatever
door a write comes through and whichever row it touches (docs/analytics.md#keeping-the-figures-current,
docs/api.md#runs)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from backpainlog.accounts.selectors import user_zone
from backpainlog.accounts.services import profile_update
from runs import services
from runs.models import PainCheckin, Pattern, Run
from shoes.services import gear_create, gear_delete, gear_update
from tests.factories import RunFactory, ShoeFactory

URL = "/api/v1/runs/"


def local(user: User, days_ago: int, hour: int = 7) -> dt.datetime:
    today = timezone.localdate(timezone.now(), user_zone(user))
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour), user_zone(user))


def log(user: User, days_ago: int, km: float, **fields: Any) -> Run:
    fields.setdefault("shoe", None)
    run, _ = services.run_create(user=user, started_at=local(user, days_ago), distance_m=km * 1000, **fields)
    run.refresh_from_db()
    return run


def flags_of(run: Run) -> list[str]:
    run.refresh_from_db()
    return run.flags


@pytest.mark.django_db
def test_a_run_logged_through_the_api_comes_back_with_its_flags(alice: User, alice_api: APIClient) -> None:
    log(alice, 10, 10)

    response = alice_api.post(
        URL,
        {"started_at": local(alice, 1).isoformat(), "distance_m": 12_000, "pain_before": 1, "pain_after": 4},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["flags"] == ["long_run_spike", "pain_flare"]  # 12 km is not 30 % over the 10 km week before
    assert body["spike_band"] == "small"
    stored = Run.objects.get(pk=body["id"])
    assert stored.flag_evidence["long_run_spike"]["longest_before_m"] == 10_000


@pytest.mark.django_db
def test_editing_an_old_run_updates_the_flags_of_later_runs(alice: User) -> None:
    old = log(alice, 20, 10)
    later = log(alice, 5, 12)
    assert "long_run_spike" in flags_of(later)

    services.run_update(old, distance_m=11_000)
    assert "long_run_spike" not in flags_of(later)

    services.run_delete(old)
    assert flags_of(later) == []  # no run in the 30 days before: nothing to compare with


@pytest.mark.django_db
def test_a_walk_is_shown_but_never_load(alice: User) -> None:
    log(alice, 20, 5)
    walk = log(alice, 5, 30, activity=Run.Activity.WALK)

    assert flags_of(walk) == []


@pytest.mark.django_db
def test_changing_a_shoe_updates_its_runs(alice: User) -> None:
    shoe = gear_create(type(ShoeFactory.build()), user=alice, name="Daily", replacement_threshold_m=100_000)
    run = log(alice, 3, 10, shoe=shoe)
    assert flags_of(run) == []

    gear_update(shoe, initial_distance_m=85_000)
    assert flags_of(run) == ["shoe_nearing"]
    gear_update(shoe, initial_distance_m=100_000)
    assert flags_of(run) == ["shoe_worn"]
    assert run.flag_evidence["shoe_worn"]["shoe_name"] == "Daily"

    gear_delete(shoe)
    assert flags_of(run) == []


@pytest.mark.django_db
def test_a_new_time_zone_moves_runs_to_other_dates(alice: User) -> None:
    profile_update(user=alice, timezone="UTC")
    base = local(alice, 10, hour=12)
    services.run_create(user=alice, started_at=base - dt.timedelta(days=30, hours=11), distance_m=10_000)
    # 01:00 UTC on d−30, in the window; in Kiritimati (UTC+14) 15:00 on d−30 while the
    # second run moves to d+1 there (02:00): 31 days apart, out of the window.
    second, _ = services.run_create(user=alice, started_at=base, distance_m=12_000)
    assert "long_run_spike" in flags_of(second)

    profile_update(user=alice, timezone="Pacific/Kiritimati")
    assert "long_run_spike" not in flags_of(second)


@pytest.mark.django_db
def test_check_in_flares_are_stored_with_their_evidence(alice: User) -> None:
    for days_ago in (4, 3, 2):
        services.checkin_create(user=alice, recorded_at=local(alice, days_ago), score=2)
    flare, _ = services.checkin_create(user=alice, recorded_at=local(alice, 1), score=4)
    flare.refresh_from_db()

    assert flare.flare
    assert flare.flare_evidence == {
        "score": 4,
        "median": 2,
        "scores_count": 3,
        "window_start": (local(alice, 1) - dt.timedelta(days=14)).isoformat(),
    }
    services.checkin_update(flare, score=3)
    flare.refresh_from_db()
    assert (flare.flare, flare.flare_evidence) == (False, None)


@pytest.mark.django_db
def test_a_run_can_raise_the_median_behind_a_check_in_flare(alice: User) -> None:
    for days_ago in (4, 3, 2):
        services.checkin_create(user=alice, recorded_at=local(alice, days_ago), score=2)
    checkin, _ = services.checkin_create(user=alice, recorded_at=local(alice, 1, hour=20), score=4)
    for hour in (8, 9, 10):  # pre-run pain counts among the scores before the check-in
        services.run_create(user=alice, started_at=local(alice, 1, hour=hour), distance_m=5000, pain_before=4)

    checkin.refresh_from_db()
    assert not checkin.flare


@pytest.mark.django_db
def test_a_retried_create_does_not_recompute(alice: User) -> None:
    entry = uuid.uuid4()
    fields = {"started_at": local(alice, 1), "distance_m": 5000, "shoe": None, "insole": None}
    services.run_create(user=alice, id=entry, **fields)
    with CaptureQueriesContext(connection) as queries:
        _, created = services.run_create(user=alice, id=entry, **fields)

    assert not created
    # The refresh reads the check-ins and the patterns; a retry touches neither.
    assert not [q for q in queries if "runs_paincheckin" in q["sql"] or "runs_pattern" in q["sql"]]


@pytest.mark.django_db
def test_patterns_are_stored_and_keep_the_day_they_became_likely(alice: User) -> None:
    shoe = ShoeFactory(
        user=alice, name="Old pair", initial_distance_m=700_000, replacement_threshold_m=640_000
    )
    other = ShoeFactory(user=alice, name="New pair", initial_distance_m=0)
    for n in range(8):  # worn in turn: flare-ups in the worn pair, none in the other
        RunFactory(user=alice, started_at=local(alice, 60 - 2 * n), shoe=shoe, pain_before=1, pain_after=4)
        RunFactory(user=alice, started_at=local(alice, 59 - 2 * n), shoe=other, pain_before=1, pain_after=1)
    services.analytics_refresh(alice)

    worn = Pattern.objects.get(user=alice, exposure="shoe_worn")
    assert (worn.exposed_runs, worn.exposed_flares, worn.unexposed_runs, worn.unexposed_flares) == (
        8,
        8,
        8,
        0,
    )
    assert (worn.verdict, worn.exposed_periods, worn.outcome) == ("likely", 8, "pain_flare")
    assert worn.same_as == [f"shoe:{shoe.pk}"]
    assert worn.p_adjusted is not None
    assert worn.p_adjusted < 0.05
    assert "8 of 8" in worn.message
    first_seen = worn.likely_since
    assert first_seen is not None

    services.run_create(
        user=alice, started_at=local(alice, 2), distance_m=5000, shoe=other, pain_before=1, pain_after=1
    )
    worn.refresh_from_db()
    assert worn.likely_since == first_seen
    assert worn.unexposed_runs == 9
    exposures = list(Pattern.objects.filter(user=alice).values_list("exposure", flat=True))
    assert exposures[:4] == ["long_run_spike", "weekly_increase", "acwr_high", "shoe_worn"]
    assert {f"shoe:{shoe.pk}", f"shoe:{other.pk}", "surface:road"} <= set(exposures)


@pytest.mark.django_db
def test_another_users_writes_leave_my_figures_alone(alice: User, bob: User) -> None:
    mine = log(alice, 5, 12)
    log(alice, 20, 10)
    before = Run.objects.filter(pk=mine.pk).values("flags", "acwr", "flag_evidence").get()

    log(bob, 6, 30)
    services.checkin_create(user=bob, recorded_at=local(bob, 1), score=9)

    assert Run.objects.filter(pk=mine.pk).values("flags", "acwr", "flag_evidence").get() == before
    assert not Pattern.objects.filter(user=alice, exposed_runs__gt=2).exists()
    assert not PainCheckin.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_a_refresh_with_nothing_new_writes_nothing(alice: User) -> None:
    shoe = ShoeFactory(user=alice, initial_distance_m=600_000, replacement_threshold_m=640_000)
    for days_ago in range(40, 0, -1):
        services.run_create(
            user=alice,
            started_at=local(alice, days_ago),
            distance_m=5_000 + 300 * days_ago % 7_000,
            shoe=shoe,
            pain_before=1,
            pain_after=1 + days_ago % 4,
        )
        services.checkin_create(user=alice, recorded_at=local(alice, days_ago, hour=20), score=days_ago % 5)
    assert Run.objects.filter(user=alice).exclude(flags=[]).exists()
    assert PainCheckin.objects.filter(user=alice, flare=True).exists()

    with CaptureQueriesContext(connection) as queries:
        services.analytics_refresh(alice)

    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes == [writes[0]]  # the analytics version only
    assert "accounts_profile" in writes[0]


@pytest.mark.django_db
def test_admin_edits_keep_the_flags_current(alice: User) -> None:
    admin_user = User.objects.create_superuser("admin", "admin@example.com", "admin-password-1")
    client = Client()
    client.force_login(admin_user)
    log(alice, 20, 10)
    later = log(alice, 5, 12)
    shoe = ShoeFactory(user=alice, name="Admin pair", initial_distance_m=0, replacement_threshold_m=640_000)
    assert "long_run_spike" in flags_of(later)

    earlier = Run.objects.get(user=alice, distance_m=10_000)
    response = client.post(f"/admin/runs/run/{earlier.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert flags_of(later) == []

    data = {
        "user": alice.pk,
        "name": "Admin pair",
        "brand": "",
        "model": "",
        "started_on": "2025-01-01",
        "initial_distance_m": "700000",
        "replacement_threshold_m": "640000",
        "retired_on": "",
    }
    Run.objects.filter(pk=later.pk).update(shoe=shoe)
    response = client.post(f"/admin/shoes/shoe/{shoe.pk}/change/", data)
    assert response.status_code == 302
    assert flags_of(later) == ["shoe_worn"]
