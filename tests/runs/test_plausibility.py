"""Plausibility (docs/analytics.md#plausibility): a run or walk of 1 km or more faster than 2:00 /km (run) or
3:30 /km (walk) is refused through every door; the log and edit pages ask "Is this
right?" before an unlikely run is saved, the API does not."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backpainlog.accounts.services import profile_update
from runs import services
from runs.models import Run, implausible_pace
from tests.conftest import HtmlPage
from tests.imports.builders import csv_text, strava_csv, strava_row

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


# --- The limit itself: exact at 2:00 and 3:30 /km, from 1000 m on ---


@pytest.mark.parametrize(
    ("activity", "distance_m", "duration_s", "refused"),
    [
        ("run", 10_000, 1200, False),  # exactly 2:00 /km
        ("run", 10_000, 1199, True),  # a second faster
        ("run", 1000, 120, False),
        ("run", 1000, 119, True),  # 1 km is the first distance checked
        ("run", 999, 1, False),  # under 1 km nothing is refused
        ("walk", 10_000, 2100, False),  # exactly 3:30 /km
        ("walk", 10_000, 2099, True),
        ("walk", 10_000, 1500, True),  # a run's pace, logged as a walk
        ("run", 500_000, 1800, True),  # the typo: 500 km in 30 min
        ("run", 10_000, None, False),  # no duration, no pace
    ],
)
def test_the_pace_limit(activity: str, distance_m: float, duration_s: int | None, refused: bool) -> None:
    assert (implausible_pace(activity, distance_m, duration_s) is not None) is refused


def test_the_message_says_the_pace_and_the_limit() -> None:
    message = implausible_pace("run", 500_000, 1800)
    assert message is not None
    assert "0:03 /km" in message
    assert "2:00 /km" in message
    assert "3:13 /mi" in (implausible_pace("run", 10_000, 1199, "mi") or "")


def test_the_model_refuses_it_on_duration(alice: User) -> None:
    run = Run(user=alice, started_at=timezone.now(), distance_m=10_000, duration_s=1199)
    with pytest.raises(ValidationError) as caught:
        run.full_clean()
    assert list(caught.value.message_dict) == ["duration_s"]


def test_the_service_refuses_it_and_stores_nothing(alice: User) -> None:
    with pytest.raises(ValidationError):
        services.run_create(user=alice, started_at=timezone.now(), distance_m=500_000, duration_s=1800)
    assert not Run.objects.exists()


# --- The API: a 400 that says the pace; no question ---


def api_run(**fields: Any) -> dict[str, Any]:
    return {
        "started_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "distance_m": 10_000,
        **fields,
    }


def test_the_api_refuses_a_pace_no_one_runs(alice_api: APIClient) -> None:
    response = alice_api.post("/api/v1/runs/", api_run(duration_s=1199), format="json")
    assert response.status_code == 400
    assert "1:59 /km" in response.json()["duration_s"][0]
    assert not Run.objects.exists()


@pytest.mark.parametrize(("activity", "duration_s"), [("run", 1200), ("walk", 2100)])
def test_the_api_takes_exactly_the_limit(alice_api: APIClient, activity: str, duration_s: int) -> None:
    response = alice_api.post(
        "/api/v1/runs/", api_run(activity=activity, duration_s=duration_s), format="json"
    )
    assert response.status_code == 201, response.json()


def test_the_api_refuses_an_edit_into_a_pace_no_one_runs(alice: User, alice_api: APIClient) -> None:
    run, _ = services.run_create(user=alice, started_at=timezone.now(), distance_m=10_000, duration_s=3000)
    response = alice_api.patch(f"/api/v1/runs/{run.pk}/", {"distance_m": 42_195}, format="json")
    assert response.status_code == 400
    assert "duration_s" in response.json()
    run.refresh_from_db()
    assert run.distance_m == 10_000


def test_a_walk_changed_to_a_run_is_checked_against_the_walk_limit_no_more(
    alice: User, alice_api: APIClient
) -> None:
    run, _ = services.run_create(
        user=alice, started_at=timezone.now(), distance_m=10_000, duration_s=1500, activity="run"
    )
    response = alice_api.patch(f"/api/v1/runs/{run.pk}/", {"activity": "walk"}, format="json")
    assert response.status_code == 400
    assert "walk" in response.json()["duration_s"][0]


def test_the_api_does_not_ask_about_an_unlikely_run(alice_api: APIClient) -> None:
    # A marathon at 2:50 /km out of nowhere: the pages ask, the API stores it.
    response = alice_api.post("/api/v1/runs/", api_run(distance_m=42_195, duration_s=7172), format="json")
    assert response.status_code == 201


# --- Imports: the row is skipped with the reason ---


def upload(client: APIClient, name: str, content: bytes) -> dict[str, Any]:
    response = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_imported_csv_row_too_fast_is_skipped_with_the_pace(alice_api: APIClient) -> None:
    start = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)
    header = ["id", "started_at", "activity", "distance_m", "duration_s"]
    rows = [
        [str(uuid.uuid4()), start.isoformat(), "run", "500000", "1800"],
        [str(uuid.uuid4()), (start + dt.timedelta(days=1)).isoformat(), "run", "10000", "1200"],
    ]
    body = upload(alice_api, "runs.csv", csv_text(header, rows))
    assert body["created"] == 1
    [skipped] = body["skipped"]
    assert skipped["item"] == "Row 2"
    assert "Duration" in skipped["reason"]
    assert "0:03 /km" in skipped["reason"]
    assert list(Run.objects.values_list("distance_m", flat=True)) == [10_000]


def test_a_strava_row_too_fast_is_skipped_with_the_reason(alice_api: APIClient) -> None:
    # 50 km in 10 minutes.
    named = {"activity_id": 1, "date": "Oct 7, 2020, 2:43:11 PM", "name": "Typo", "kind": "Run"}
    typo = strava_row(**named, elapsed_s=600, moving_s=600, km="50.00", metres="50000.0")  # type: ignore[arg-type]
    body = upload(alice_api, "activities.csv", strava_csv([typo]))
    assert body["created"] == 0
    assert "faster than anyone can run" in body["skipped"][0]["reason"]


# --- The pages: refused in the user's unit; "Is this right?" before an unlikely run ---


def log_form(client: Client) -> Any:
    return HtmlPage(client.get("/runs/new/").content).form(id="run-form")


def post_run(client: Client, **fields: Any) -> Any:
    return client.post("/runs/new/", log_form(client).data(**fields), headers=HTMX)


def test_the_log_page_refuses_it_on_duration_in_the_users_unit(alice: User, alice_client: Client) -> None:
    profile_update(user=alice, distance_unit="mi")
    response = alice_client.post("/runs/new/", log_form(alice_client).data(distance="6,2", duration="18:00"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["duration"]
    assert "/mi" in errors["duration"][0]
    assert not Run.objects.exists()


def seed_longest(user: User, distance_m: float, days_ago: int = 3) -> None:
    services.run_create(
        user=user,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
        distance_m=distance_m,
        duration_s=round(distance_m * 0.36),
        pain_before=1,
        pain_after=1,
    )


@pytest.mark.parametrize(
    ("distance", "duration", "asked"),
    [
        ("25", "2:30:00", True),  # more than twice 12 km and over 21.1 km
        ("24", "2:24:00", False),  # exactly twice: not more
        ("21,1", "2:00:00", False),  # twice and more, but not over a half marathon
        ("10", "29:59", True),  # faster than 3:00 /km
        ("10", "30:00", False),  # exactly 3:00 /km
        ("0,999", "2:00", False),  # fast, but under 1 km
    ],
)
def test_the_log_page_asks_before_an_unlikely_run(
    alice: User, alice_client: Client, distance: str, duration: str, asked: bool
) -> None:
    seed_longest(alice, 12_000)
    response = post_run(alice_client, distance=distance, duration=duration, pain_before="1", pain_after="2")
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Is this right?" in html) is asked
    assert Run.objects.count() == (1 if asked else 2)
    if asked:
        form = HtmlPage(html).form(id="run-form")
        assert [button.text.strip() for button in form.buttons()] == ["Save", "Save anyway", "Change it"]
        # As typed: nothing is lost by being asked.
        assert form.control("distance").attrs["value"] == distance
        assert form.control("duration").attrs["value"] == duration


def test_a_first_long_run_with_nothing_before_is_asked_about(alice_client: Client) -> None:
    response = post_run(alice_client, distance="42,2", duration="4:10:00")
    assert "Is this right?" in response.content.decode()
    assert "nothing logged in the 30 days before" in response.content.decode()
    assert not Run.objects.exists()


def test_save_anyway_saves_once_and_change_it_saves_nothing(alice: User, alice_client: Client) -> None:
    seed_longest(alice, 10_000)
    asked = HtmlPage(post_run(alice_client, distance="30", duration="3:00:00").content).form(id="run-form")

    changed = alice_client.post("/runs/new/", asked.data(change_it="1"), headers=HTMX)
    assert "Is this right?" not in changed.content.decode()
    assert Run.objects.count() == 1
    assert HtmlPage(changed.content).form(id="run-form").control("distance").attrs["value"] == "30"

    for _ in range(2):  # a double tap on "Save anyway"
        saved = alice_client.post("/runs/new/", asked.data(save_anyway="1"), headers=HTMX)
        assert "Saved" in saved.content.decode()
    assert Run.objects.filter(distance_m=30_000).count() == 1


def test_the_runs_of_more_than_30_days_ago_do_not_count(alice: User, alice_client: Client) -> None:
    seed_longest(alice, 30_000, days_ago=40)
    response = post_run(alice_client, distance="25", duration="2:30:00")
    assert "Is this right?" in response.content.decode()


def test_the_edit_page_asks_only_when_what_it_asks_about_changed(alice: User, alice_client: Client) -> None:
    run, _ = services.run_create(
        user=alice, started_at=timezone.now() - dt.timedelta(hours=2), distance_m=42_195, duration_s=12_600
    )
    edit = HtmlPage(alice_client.get(f"/runs/{run.pk}/edit/").content).form(id="run-form")
    assert alice_client.post(f"/runs/{run.pk}/edit/", edit.data(notes="Race day")).status_code == 302

    response = alice_client.post(f"/runs/{run.pk}/edit/", edit.data(duration="1:50:00"))
    assert response.status_code == 200
    assert "Is this right?" in response.content.decode()
    run.refresh_from_db()
    assert run.duration_s == 12_600
    assert (
        alice_client.post(f"/runs/{run.pk}/edit/", edit.data(duration="1:50:00", save_anyway="1")).status_code
        == 302
    )
    run.refresh_from_db()
    assert run.duration_s == 6600
