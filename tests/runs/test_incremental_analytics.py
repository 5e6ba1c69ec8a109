"""A write recomputes the stored analytics from the earliest date it affects, resuming from
what is stored before it; whatever the edits, every stored figure is exactly what a
recomputation of the whole log gives (docs/product.md#writes-stay-cheap), and each pair's
run totals are the sums over its runs."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpainlog.accounts.selectors import user_zone
from backpainlog.accounts.services import profile_update
from runs import analytics, services
from runs.models import PainCheckin, Pattern, Run
from runs.services import PATTERN_FIELDS, RUN_FIGURES
from shoes.models import Shoe
from shoes.services import gear_create, gear_update
from tests.factories import UserFactory

HISTORY_DAYS = 150  # several times the 32 days the refresh reads before an edit
ZONE = "Europe/Berlin"  # clocks that change: local dates are not UTC dates

CHECKIN_FIGURES = ["flare", "flare_evidence", "episode"]
PAIR_TOTALS = ["logged_distance_m", "run_count", "first_run_at"]
users = itertools.count()

pains = st.none() | st.integers(0, 10)
moments = st.tuples(st.integers(1, HISTORY_DAYS), st.integers(0, 23))
# Figures as typed, 5 mi among them (8046.72 m, which binary cannot hold exactly).
distances = st.sampled_from([3000.0, 5000.0, 8046.72, 10000.0, 12500.5, 21097.5, 42195.0]) | st.builds(
    float, st.integers(1000, 30000)
)
run_fields = st.fixed_dictionaries(
    {
        "activity": st.sampled_from(["run", "run", "run", "walk"]),
        "distance_m": distances,
        "surface": st.sampled_from(["road", "trail"]),
        "shoe": st.sampled_from([None, 0, 1]),
        "pain_before": pains,
        "pain_after": pains,
        "pain_next_morning": pains,
    }
)
# Each edit names the entry it changes by a number, taken modulo the entries there are.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("run_create"), moments, run_fields),
        st.tuples(st.just("run_move"), st.integers(0, 99), moments),
        st.tuples(st.just("run_distance"), st.integers(0, 99), distances),
        st.tuples(st.just("run_pain"), st.integers(0, 99), pains, pains, pains),
        st.tuples(st.just("run_shoe"), st.integers(0, 99), st.sampled_from([None, 0, 1])),
        st.tuples(st.just("run_delete"), st.integers(0, 99)),
        st.tuples(st.just("checkin_create"), moments, st.integers(0, 10), st.booleans()),
        st.tuples(st.just("checkin_move"), st.integers(0, 99), moments),
        st.tuples(st.just("checkin_score"), st.integers(0, 99), st.integers(0, 10)),
        st.tuples(st.just("checkin_delete"), st.integers(0, 99)),
        st.tuples(st.just("shoe_initial"), st.integers(0, 1), st.integers(0, 700_000)),
    ),
    min_size=1,
    max_size=25,
)


def at(user: User, moment: tuple[int, int]) -> dt.datetime:
    days_ago, hour = moment
    zone = user_zone(user)
    day = timezone.localdate(timezone.now(), zone) - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), zone)


def stored(user: User) -> dict[str, Any]:
    """Every figure the refresh stores for ``user``."""
    return {
        "runs": {row.pop("id"): row for row in Run.objects.filter(user=user).values("id", *RUN_FIGURES)},
        "checkins": {
            row.pop("id"): row for row in PainCheckin.objects.filter(user=user).values("id", *CHECKIN_FIGURES)
        },
        "patterns": {
            row.pop("exposure"): row
            for row in Pattern.objects.filter(user=user).values(*PATTERN_FIELDS, "exposure", "likely_since")
        },
        "shoes": {row.pop("id"): row for row in Shoe.objects.filter(user=user).values("id", *PAIR_TOTALS)},
    }


def summed(user: User) -> dict[int, dict[str, Any]]:
    """The pair totals of ``user``'s shoes, summed here from the runs (shoes.totals)."""
    totals: dict[int, dict[str, Any]] = {
        pk: {"logged_distance_m": 0.0, "run_count": 0, "first_run_at": None}
        for pk in Shoe.objects.filter(user=user).values_list("id", flat=True)
    }
    for shoe_id, distance, started_at in (
        Run.objects.filter(user=user, shoe__isnull=False)
        .order_by("started_at")
        .values_list("shoe_id", "distance_m", "started_at")
    ):
        pair = totals[shoe_id]
        pair["logged_distance_m"] += distance
        pair["run_count"] += 1
        pair["first_run_at"] = pair["first_run_at"] or started_at
    return totals


def apply(user: User, shoes: list[Shoe], operation: tuple[Any, ...]) -> None:
    kind, *args = operation
    runs = list(Run.objects.filter(user=user).order_by("started_at", "id"))
    checkins = list(PainCheckin.objects.filter(user=user).order_by("recorded_at", "id"))
    if kind == "run_create":
        moment, fields = args
        shoe = None if fields["shoe"] is None else shoes[fields["shoe"]]
        services.run_create(user=user, started_at=at(user, moment), **{**fields, "shoe": shoe})
    elif kind == "checkin_create":
        moment, score, radiating = args
        services.checkin_create(
            user=user, recorded_at=at(user, moment), score=score, radiating_leg_pain=radiating
        )
    elif kind == "shoe_initial":
        which, initial = args
        gear_update(shoes[which], initial_distance_m=float(initial))
    elif kind.startswith("run_") and runs:
        run, *values = runs[args[0] % len(runs)], *args[1:]
        if kind == "run_move":
            services.run_update(run, started_at=at(user, values[0]))
        elif kind == "run_distance":
            services.run_update(run, distance_m=values[0])
        elif kind == "run_pain":
            before, after, morning = values
            services.run_update(run, pain_before=before, pain_after=after, pain_next_morning=morning)
        elif kind == "run_shoe":
            services.run_update(run, shoe=None if values[0] is None else shoes[values[0]])
        else:
            services.run_delete(run)
    elif kind.startswith("checkin_") and checkins:
        checkin, *values = checkins[args[0] % len(checkins)], *args[1:]
        if kind == "checkin_move":
            services.checkin_update(checkin, recorded_at=at(user, values[0]))
        elif kind == "checkin_score":
            services.checkin_update(checkin, score=values[0])
        else:
            services.checkin_delete(checkin)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=operations, seed=st.lists(st.tuples(moments, run_fields), max_size=40))
def test_every_write_leaves_what_a_whole_log_recompute_gives(
    history: list[tuple[Any, ...]], seed: list[tuple[tuple[int, int], dict[str, Any]]]
) -> None:
    user = UserFactory(username=f"incremental{next(users)}")
    profile_update(user=user, timezone=ZONE)
    shoes = [
        gear_create(Shoe, user=user, name=name, replacement_threshold_m=threshold)
        for name, threshold in (("Daily", 100_000.0), ("Racer", 60_000.0))
    ]
    for moment, fields in seed:
        apply(user, shoes, ("run_create", moment, fields))
    for operation in history:
        apply(user, shoes, operation)
        incremental = stored(user)
        # The distances summed in another order may differ in the last binary digit.
        assert {
            pk: {**totals, "logged_distance_m": pytest.approx(totals["logged_distance_m"])}
            for pk, totals in summed(user).items()
        } == incremental["shoes"], operation
        services.analytics_refresh(user)
        assert stored(user) == incremental, operation


@pytest.mark.django_db
def test_an_edit_far_in_the_past_moves_the_acwr_of_every_later_run(alice: User) -> None:
    profile_update(user=alice, timezone=ZONE)
    for days_ago in range(120, 0, -1):
        services.run_create(
            user=alice, started_at=at(alice, (days_ago, 7)), distance_m=5000.0 + days_ago, shoe=None
        )
    first = Run.objects.filter(user=alice).order_by("started_at").first()
    assert first is not None
    before = dict(Run.objects.filter(user=alice).values_list("id", "acwr"))

    services.run_update(first, distance_m=30_000.0)

    after = dict(Run.objects.filter(user=alice).values_list("id", "acwr"))
    latest = Run.objects.filter(user=alice).order_by("-started_at").first()
    assert latest is not None
    assert after[latest.pk] != before[latest.pk]  # the chronic EWMA remembers, if faintly
    incremental = stored(alice)
    services.analytics_refresh(alice)
    assert stored(alice) == incremental


@pytest.mark.django_db
def test_figures_stored_before_they_were_kept_are_recomputed_whole(alice: User) -> None:
    for days_ago in range(60, 0, -1):
        services.run_create(
            user=alice, started_at=at(alice, (days_ago, 7)), distance_m=5000.0, pain_before=1, pain_after=4
        )
    # As the migration that added them leaves the rows.
    Run.objects.filter(user=alice).update(
        ewma_acute=None, ewma_chronic=None, episode=None, pattern_tally=None
    )

    services.run_create(user=alice, started_at=at(alice, (1, 19)), distance_m=6000.0)

    incremental = stored(alice)
    # The last rated run of each local week carries the patterns' tally, and no other run.
    zone = user_zone(alice)
    last_of_week = {
        analytics.week_start(started_at.astimezone(zone).date()): pk
        for pk, started_at in Run.objects.filter(user=alice, pain_after__isnull=False)
        .order_by("started_at", "id")
        .values_list("id", "started_at")
    }
    assert set(Run.objects.filter(pattern_tally__isnull=False).values_list("id", flat=True)) == set(
        last_of_week.values()
    )
    services.analytics_refresh(alice)
    assert stored(alice) == incremental
