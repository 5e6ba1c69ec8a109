"""The analytics endpoints (docs/api.md#analytics): flags, insights and weekly stats, scoped
to the caller, filtered by local dates, paginated, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backpainlog.accounts.selectors import local_today, user_zone
from runs import services
from runs.models import PainCheckin, Run
from tests.factories import ShoeFactory

FLAGS, INSIGHTS, WEEKLY = "/api/v1/flags/", "/api/v1/insights/", "/api/v1/stats/weekly/"
EPISODES = "/api/v1/episodes/"
ENDPOINTS = [FLAGS, INSIGHTS, WEEKLY, EPISODES]


def at(user: User, day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), user_zone(user))


def history(user: User, runs: int, *, spike_on: dt.date | None = None) -> None:
    """``runs`` daily 5 km runs up to yesterday, pain 1 → 2, then a check-in a day; the
    flags and patterns computed once at the end, as ``seed_demo`` does."""
    today = local_today(user)
    shoe = ShoeFactory(user=user, name="Trainers", initial_distance_m=0, replacement_threshold_m=5_000_000)
    Run.objects.bulk_create(
        Run(
            user=user,
            started_at=at(user, today - dt.timedelta(days=runs - n)),
            distance_m=5_000.0,
            shoe=shoe,
            pain_before=1,
            pain_after=2,
        )
        for n in range(runs)
    )
    PainCheckin.objects.bulk_create(
        PainCheckin(user=user, recorded_at=at(user, today - dt.timedelta(days=runs - n), 20), score=1)
        for n in range(runs)
    )
    services.analytics_refresh(user)


def results(client: APIClient, url: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(url, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Access and isolation -----------------------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS)
def test_credentials_are_required(client: Any, db: None, url: str) -> None:
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_only_the_callers_log_counts(alice: User, bob: User, bob_api: APIClient, url: str) -> None:
    history(alice, 40)
    services.run_create(user=alice, started_at=at(alice, local_today(alice)), distance_m=30_000, pain_after=9)

    found = results(bob_api, url)

    if url == FLAGS:
        assert found == []
    elif url == INSIGHTS:
        assert all(item["exposed_runs"] + item["unexposed_runs"] == 0 for item in found)
    else:
        assert all(week["distance_m"] == 0 and week["pain_max"] is None for week in found)


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(
    "query", ["from=2025-02-30", "to=yesterday", "from=2025-03-10&to=2025-03-01", "from=1800-01-01"]
)
def test_bad_date_filters_are_a_400_naming_the_parameter(alice_api: APIClient, url: str, query: str) -> None:
    response = alice_api.get(f"{url}?{query}")

    assert response.status_code == 400
    assert set(response.json()) <= {"from", "to"}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_writes_are_not_allowed(alice_api: APIClient, url: str) -> None:
    assert alice_api.post(url, {}, format="json").status_code == 405


# --- Flags --------------------------------------------------------------------------------


def test_flags_list_each_kind_with_its_evidence_and_definition(alice: User, alice_api: APIClient) -> None:
    today = local_today(alice)
    shoe = ShoeFactory(
        user=alice, name="Old pair", initial_distance_m=639_000, replacement_threshold_m=640_000
    )
    services.run_create(
        user=alice, started_at=at(alice, today - dt.timedelta(days=9)), distance_m=5_000, shoe=shoe
    )
    spike, _ = services.run_create(
        user=alice,
        started_at=at(alice, today - dt.timedelta(days=2)),
        distance_m=12_000,
        shoe=shoe,
        pain_before=1,
        pain_after=6,
    )

    flags = results(alice_api, FLAGS)

    by_kind = {flag["kind"]: flag for flag in flags}
    # The pair started past 80 % of its distance (nearing from its first day) and crossed
    # 100 % during the first run.
    assert set(by_kind) == {"long_run_spike", "weekly_increase", "shoe_nearing", "shoe_worn", "pain_flare"}
    assert by_kind["long_run_spike"] == {
        "kind": "long_run_spike",
        "severity": "warning",
        "date": (today - dt.timedelta(days=2)).isoformat(),
        "run": str(spike.pk),
        "shoe": shoe.pk,
        "title": "Long-run spike (large)",
        "detail": by_kind["long_run_spike"]["detail"],
        "evidence": {
            "distance_m": 12_000,
            "longest_before_m": 5_000,
            "longest_before_date": (today - dt.timedelta(days=9)).isoformat(),
            "increase_pct": 140.0,
            "band": "large",
        },
        "definition_url": "http://testserver/definitions/#long_run_spike",
    }
    assert "12.00 km" in by_kind["long_run_spike"]["detail"]
    assert "5.00 km" in by_kind["long_run_spike"]["detail"]
    # One shoe_worn flag for the pair, on the date of the run in which it crossed 640 km.
    assert [flag["kind"] for flag in flags].count("shoe_worn") == 1
    assert by_kind["shoe_worn"]["date"] == (today - dt.timedelta(days=9)).isoformat()
    assert by_kind["shoe_worn"]["shoe"] == shoe.pk
    assert [flag["date"] for flag in flags] == sorted((flag["date"] for flag in flags), reverse=True)


def test_flags_follow_the_unit_in_their_text_not_in_their_evidence(alice: User, alice_api: APIClient) -> None:
    from backpainlog.accounts.services import profile_update

    profile_update(user=alice, distance_unit="mi")
    today = local_today(alice)
    services.run_create(user=alice, started_at=at(alice, today - dt.timedelta(days=9)), distance_m=8_046.72)
    services.run_create(user=alice, started_at=at(alice, today - dt.timedelta(days=2)), distance_m=16_093.44)

    spike = next(flag for flag in results(alice_api, FLAGS) if flag["kind"] == "long_run_spike")

    assert "10.00 mi" in spike["detail"]
    assert spike["evidence"]["distance_m"] == 16_093.44


def test_flags_filter_by_local_date(alice: User, alice_api: APIClient) -> None:
    today = local_today(alice)
    for days_ago, pain_after in ((30, 6), (10, 6), (3, 6)):
        services.run_create(
            user=alice,
            started_at=at(alice, today - dt.timedelta(days=days_ago), 23),
            distance_m=5_000,
            pain_before=1,
            pain_after=pain_after,
        )

    start, end = today - dt.timedelta(days=10), today - dt.timedelta(days=3)
    flags = results(alice_api, FLAGS, **{"from": start.isoformat(), "to": end.isoformat()})

    assert {flag["kind"] for flag in flags} >= {"pain_flare"}
    assert {flag["date"] for flag in flags} == {end.isoformat(), start.isoformat()}


def test_check_in_flares_and_likely_patterns_are_flags(alice: User, alice_api: APIClient) -> None:
    today = local_today(alice)
    for days_ago in (5, 4, 3):
        services.checkin_create(
            user=alice, recorded_at=at(alice, today - dt.timedelta(days=days_ago)), score=2
        )
    services.checkin_create(user=alice, recorded_at=at(alice, today - dt.timedelta(days=1)), score=5)

    flare = next(flag for flag in results(alice_api, FLAGS) if flag["kind"] == "checkin_flare")

    assert flare["severity"] == "alert"
    assert flare["evidence"]["median"] == 2
    assert "5/10" in flare["title"]


# --- Insights -----------------------------------------------------------------------------


def test_insights_give_the_counts_interval_and_verdict(alice: User, alice_api: APIClient) -> None:
    worn = ShoeFactory(user=alice, name="Worn", initial_distance_m=700_000, replacement_threshold_m=640_000)
    fresh = ShoeFactory(user=alice, name="Fresh", initial_distance_m=0)
    today = local_today(alice)
    for n in range(10):
        for shoe, pain_after in ((worn, 5 if n < 8 else 1), (fresh, 3 if n < 1 else 1)):
            services.run_create(
                user=alice,
                started_at=at(alice, today - dt.timedelta(days=2 * n + (shoe == fresh)), 7),
                distance_m=5_000,
                shoe=shoe,
                pain_before=1,
                pain_after=pain_after,
            )

    insights = {item["exposure"]: item for item in results(alice_api, INSIGHTS)}

    worn_item = insights["shoe_worn"]
    assert {
        key: worn_item[key]
        for key in ("exposed_runs", "exposed_flares", "unexposed_runs", "unexposed_flares")
    } == {
        "exposed_runs": 10,
        "exposed_flares": 8,
        "unexposed_runs": 10,
        "unexposed_flares": 1,
    }
    assert worn_item["outcome"] == "pain_flare"
    assert worn_item["risk_ratio"] == pytest.approx(8.0)
    # Log method: SE = √(1/8 − 1/10 + 1/1 − 1/10), interval 8·exp(±1.96·SE).
    se = math.sqrt(1 / 8 - 1 / 10 + 1 / 1 - 1 / 10)
    assert worn_item["ci95_low"] == pytest.approx(8 * math.exp(-1.959964 * se), rel=1e-4)
    assert worn_item["ci95_high"] == pytest.approx(8 * math.exp(1.959964 * se), rel=1e-4)
    assert worn_item["p_value"] == pytest.approx(0.005477, rel=1e-3)  # Fisher's exact, two-sided
    assert worn_item["verdict"] == "likely"
    assert worn_item["exposed_periods"] == 10  # the pairs worn in turn
    assert worn_item["same_as"] == [f"shoe:{worn.pk}"]
    tested = [item["p_value"] for item in insights.values() if item["verdict"] != "insufficient_data"]
    from statsmodels.stats.multitest import multipletests

    adjusted = dict(zip(tested, multipletests(tested, method="fdr_bh")[1], strict=True))
    assert worn_item["p_adjusted"] == pytest.approx(adjusted[worn_item["p_value"]])
    assert "8 of 10" in worn_item["message"]
    assert {f"shoe:{worn.pk}", f"shoe:{fresh.pk}", "surface:road"} <= set(insights)
    delayed = insights["long_run_spike_48h"]
    assert (delayed["outcome"], delayed["verdict"]) == ("pain_flare_48h", "insufficient_data")
    assert delayed["p_adjusted"] is None
    assert insights[f"shoe:{fresh.pk}"]["verdict"] == "likely_fewer"


def test_episodes_group_flare_days_three_days_apart(alice: User, alice_api: APIClient) -> None:
    today = local_today(alice)
    first = services.run_create(
        user=alice,
        started_at=at(alice, today - dt.timedelta(days=20)),
        distance_m=5_000,
        pain_before=1,
        pain_after=5,
    )[0]
    second = services.run_create(
        user=alice,
        started_at=at(alice, today - dt.timedelta(days=17)),
        distance_m=5_000,
        pain_before=1,
        pain_after=7,
    )[0]
    for days in (16, 15, 14):
        services.checkin_create(
            user=alice, recorded_at=at(alice, today - dt.timedelta(days=days), 20), score=1
        )
    flare = services.checkin_create(
        user=alice, recorded_at=at(alice, today - dt.timedelta(days=2), 20), score=8
    )[0]
    calm = services.checkin_create(
        user=alice, recorded_at=at(alice, today - dt.timedelta(days=1), 20), score=1
    )[0]

    found = results(alice_api, EPISODES)

    assert found == [
        {
            "start": (today - dt.timedelta(days=2)).isoformat(),
            "end": (today - dt.timedelta(days=2)).isoformat(),
            "flare_days": [(today - dt.timedelta(days=2)).isoformat()],
            "peak": 8,
            "runs": [],
            "checkins": [str(flare.pk)],
        },
        {
            "start": (today - dt.timedelta(days=20)).isoformat(),
            "end": (today - dt.timedelta(days=17)).isoformat(),
            "flare_days": [
                (today - dt.timedelta(days=20)).isoformat(),
                (today - dt.timedelta(days=17)).isoformat(),
            ],
            "peak": 7,
            "runs": [str(first.pk), str(second.pk)],
            "checkins": [],
        },
    ]
    # From/to filter on the start date.
    recent = results(alice_api, EPISODES, **{"from": (today - dt.timedelta(days=5)).isoformat()})
    assert [episode["start"] for episode in recent] == [(today - dt.timedelta(days=2)).isoformat()]
    # Each check-in names its episode.
    checkins = {item["id"]: item for item in results(alice_api, "/api/v1/pain-checkins/")}
    assert checkins[str(flare.pk)]["episode"] == (today - dt.timedelta(days=2)).isoformat()
    assert checkins[str(calm.pk)]["episode"] is None


def test_session_load_per_run_and_per_week(alice: User, alice_api: APIClient) -> None:
    today = local_today(alice)
    monday = today - dt.timedelta(days=today.weekday())
    for days_before, rpe in ((7, 4), (6, None), (0, 6)):
        services.run_create(
            user=alice,
            started_at=at(alice, monday - dt.timedelta(days=days_before)),
            distance_m=5_000,
            duration_s=1_800,
            rpe=rpe,
        )
    services.checkin_create(user=alice, recorded_at=at(alice, monday, 20), score=3, radiating_leg_pain=True)

    runs = results(alice_api, "/api/v1/runs/")
    assert sorted((run["rpe"], run["session_load"]) for run in runs if run["rpe"]) == [(4, 120.0), (6, 180.0)]
    assert [run["session_load"] for run in runs if run["rpe"] is None] == [None]
    weeks = results(
        alice_api,
        WEEKLY,
        **{"from": (monday - dt.timedelta(days=7)).isoformat(), "to": monday.isoformat()},
    )
    assert [
        (week["session_load"], week["session_load_change_pct"], week["radiating_days"]) for week in weeks
    ] == [
        (120.0, None, 0),
        (180.0, pytest.approx(50.0), 1),
    ]


def test_insights_over_a_period_count_only_its_runs(alice: User, alice_api: APIClient) -> None:
    history(alice, 30)
    today = local_today(alice)

    insights = results(alice_api, INSIGHTS, **{"from": (today - dt.timedelta(days=9)).isoformat()})

    spike = next(item for item in insights if item["exposure"] == "long_run_spike")
    assert spike["exposed_runs"] + spike["unexposed_runs"] == 9
    assert spike["verdict"] == "insufficient_data"
    assert spike["risk_ratio"] is None


# --- Weekly stats -------------------------------------------------------------------------


def test_weekly_stats_include_empty_weeks_in_the_users_zone(alice: User, alice_api: APIClient) -> None:
    from backpainlog.accounts.services import profile_update

    profile_update(user=alice, timezone="America/New_York")
    monday = dt.date(2025, 6, 2)
    # Sunday 23:30 in New York is already Monday in UTC: it belongs to the first week.
    services.run_create(
        user=alice,
        started_at=at(alice, monday + dt.timedelta(days=6)).replace(hour=23, minute=30),
        distance_m=10_000,
        pain_before=2,
        pain_after=5,
    )
    services.run_create(
        user=alice, started_at=at(alice, monday + dt.timedelta(days=14)), distance_m=4_000, activity="walk"
    )

    weeks = results(alice_api, WEEKLY, **{"from": "2025-06-04", "to": "2025-06-20"})

    assert [week["week_start"] for week in weeks] == ["2025-06-02", "2025-06-09", "2025-06-16"]
    first, empty, walk = weeks
    assert (first["distance_m"], first["run_count"], first["pain_max"], first["flare_count"]) == (
        10_000,
        1,
        5,
        1,
    )
    assert first["pain_after_avg"] == 5
    assert (empty["distance_m"], empty["run_count"], empty["change_pct"], empty["pain_max"]) == (
        0,
        0,
        -100.0,
        None,
    )
    assert (walk["distance_m"], walk["walk_distance_m"], walk["change_pct"]) == (0, 4_000, None)


def test_weekly_stats_default_from_the_first_entry_to_this_week(alice: User, alice_api: APIClient) -> None:
    history(alice, 20)
    today = local_today(alice)

    weeks = results(alice_api, WEEKLY)

    first_monday = today - dt.timedelta(days=20)
    first_monday -= dt.timedelta(days=first_monday.weekday())
    assert weeks[0]["week_start"] == first_monday.isoformat()
    assert weeks[-1]["week_start"] == (today - dt.timedelta(days=today.weekday())).isoformat()
    assert weeks[-1]["acwr"] is None or weeks[-1]["acwr"] > 0


# --- Query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS)
def test_query_count_does_not_grow_with_the_log(alice: User, bob: User, url: str) -> None:
    from tests.conftest import token_client

    history(alice, 10)
    history(bob, 1_000)
    counts = []
    for user in (alice, bob):
        client = token_client(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
