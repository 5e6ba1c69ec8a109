"""Home-page alerts (docs/analytics.md#home-page-alerts): one per kind and subject a week, in its
order, never ACWR or the weekly increase, never a pattern about a retired pair."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from runs.insights import Flag, home_alerts, shown_once
from runs.models import Pattern
from runs.selectors import dashboard_alerts
from tests.factories import ShoeFactory

MONDAY = dt.date(2026, 11, 16)


def flag(kind: str, day: dt.date, *, shoe: int | None = None, **evidence: object) -> Flag:
    return Flag(
        kind=kind,
        severity="alert",
        date=day,
        run=None,
        shoe=shoe,
        title=f"{kind} {day}",
        detail="",
        evidence=evidence,
    )


def test_one_per_kind_and_week_the_latest_in_spec_order() -> None:
    found = home_alerts(
        [
            flag("long_run_spike", MONDAY),
            flag("long_run_spike", MONDAY + dt.timedelta(days=6)),  # Sunday: the same week
            flag("long_run_spike", MONDAY + dt.timedelta(days=7)),  # the next Monday
            flag("pain_flare", MONDAY + dt.timedelta(days=1)),
            flag("pain_flare", MONDAY + dt.timedelta(days=2)),
            flag("checkin_flare", MONDAY + dt.timedelta(days=2)),
            flag("pattern", MONDAY + dt.timedelta(days=9), exposure="surface:trail", same_as=[]),
            flag("shoe_worn", MONDAY + dt.timedelta(days=9), shoe=1),
            flag("shoe_nearing", MONDAY + dt.timedelta(days=9), shoe=2),
            flag("acwr_high", MONDAY + dt.timedelta(days=9)),
            flag("weekly_increase", MONDAY + dt.timedelta(days=9)),
        ]
    )
    assert [(alert.kind, alert.date - MONDAY) for alert in found] == [
        ("pain_flare", dt.timedelta(days=2)),
        ("checkin_flare", dt.timedelta(days=2)),
        ("shoe_worn", dt.timedelta(days=9)),
        ("shoe_nearing", dt.timedelta(days=9)),
        ("long_run_spike", dt.timedelta(days=7)),
        ("long_run_spike", dt.timedelta(days=6)),
        ("pattern", dt.timedelta(days=9)),
    ]


def test_two_pairs_are_two_subjects_and_twin_patterns_are_told_once() -> None:
    day = MONDAY + dt.timedelta(days=3)
    found = home_alerts(
        [
            flag("shoe_worn", day, shoe=1),
            flag("shoe_worn", day, shoe=2),
            flag("pattern", day, exposure="shoe_worn", same_as=["shoe:3"]),
            flag("pattern", day, exposure="shoe:3", same_as=["shoe_worn"]),
            flag("pattern", day, exposure="surface:trail", same_as=[]),
        ]
    )
    assert [(alert.kind, alert.shoe, alert.evidence.get("exposure")) for alert in found] == [
        ("shoe_worn", 1, None),  # pairs as given (the dashboard: most worn first)
        ("shoe_worn", 2, None),
        ("pattern", None, "shoe_worn"),
        ("pattern", None, "surface:trail"),
    ]


def test_shown_once_names_the_twins() -> None:
    patterns = [
        Pattern(exposure="shoe_worn", label="Shoes past their replacement distance", same_as=["shoe:3"]),
        Pattern(exposure="shoe:3", label="Shoes: Blue Ghosts", same_as=["shoe_worn"]),
        Pattern(exposure="surface:trail", label="Surface: trail", same_as=[]),
    ]
    rows = shown_once(patterns)
    assert [row.label for row in rows] == [
        "Shoes past their replacement distance = Shoes: Blue Ghosts",
        "Surface: trail",
    ]


@pytest.mark.django_db
def test_a_likely_pattern_about_a_retired_pair_is_history(alice: User) -> None:
    old = ShoeFactory(user=alice, name="Old pair")
    new = ShoeFactory(user=alice, name="New pair")
    now = timezone.now()
    values = dict(
        label="x",
        exposed_runs=10,
        exposed_flares=8,
        unexposed_runs=10,
        unexposed_flares=1,
        verdict="likely",
        message="…",
        likely_since=now,
    )
    Pattern.objects.create(user=alice, exposure=f"shoe:{old.pk}", same_as=["shoe_worn"], **values)
    Pattern.objects.create(user=alice, exposure="shoe_worn", same_as=[f"shoe:{old.pk}"], **values)
    Pattern.objects.create(user=alice, exposure=f"shoe:{new.pk}", same_as=[], **values)
    exposures = lambda: {alert.evidence["exposure"] for alert in dashboard_alerts(alice, shoes_in_use=[])}  # noqa: E731
    assert exposures() == {f"shoe:{old.pk}", f"shoe:{new.pk}"}  # the twins once

    # Retired (without the refresh that gear_retire runs, which would recompute the rows).
    type(old).objects.filter(pk=old.pk).update(retired_on=timezone.localdate())

    assert exposures() == {f"shoe:{new.pk}"}
