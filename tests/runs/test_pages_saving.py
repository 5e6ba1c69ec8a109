"""Saving from the pages: a double tap on Save or a re-sent POST never logs an entry twice;
edits keep what the form does not show; confirmations speak the user's unit."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from backpainlog.accounts.models import Profile
from runs.models import PainCheckin, Run


def hidden_id(html: str) -> str:
    match = re.search(r'<input type="hidden" name="id" value="([0-9a-f-]{36})"', html)
    assert match, "the form carries a hidden client id"
    return match.group(1)


def run_post(entry_id: str, distance: str = "8") -> dict[str, str]:
    return {
        "id": entry_id,
        "started_at": "2026-01-10T07:30",
        "activity": "run",
        "distance": distance,
        "surface": "road",
        "pain_before": "2",
        "pain_after": "3",
    }


@pytest.mark.django_db
def test_each_new_run_form_gets_its_own_id(alice_client: Client) -> None:
    first = hidden_id(alice_client.get("/runs/new/").content.decode())
    second = hidden_id(alice_client.get("/runs/new/").content.decode())
    assert first != second


@pytest.mark.django_db
def test_saving_the_same_run_form_twice_stores_one_run(alice: User, alice_client: Client) -> None:
    entry_id = hidden_id(alice_client.get("/runs/new/").content.decode())
    first = alice_client.post("/runs/new/", run_post(entry_id), HTTP_HX_REQUEST="true")
    again = alice_client.post("/runs/new/", run_post(entry_id), HTTP_HX_REQUEST="true")
    assert first.status_code == again.status_code == 200
    assert "Saved" in again.content.decode()
    assert list(Run.objects.filter(user=alice).values_list("id", flat=True)) == [uuid.UUID(entry_id)]


@pytest.mark.django_db
def test_the_same_id_with_other_values_is_refused_and_changes_nothing(
    alice: User, alice_client: Client
) -> None:
    entry_id = str(uuid.uuid4())
    alice_client.post("/runs/new/", run_post(entry_id, distance="8"))
    response = alice_client.post("/runs/new/", run_post(entry_id, distance="9"))
    assert response.status_code == 200
    assert "saved already" in response.content.decode()
    assert [run.distance_m for run in Run.objects.filter(user=alice)] == [8000.0]


@pytest.mark.django_db
def test_another_users_id_is_refused_and_their_run_untouched(
    alice: User, alice_client: Client, bob_client: Client
) -> None:
    entry_id = str(uuid.uuid4())
    alice_client.post("/runs/new/", run_post(entry_id))
    response = bob_client.post("/runs/new/", run_post(entry_id))
    assert response.status_code == 200
    assert "This id is already in use" in response.content.decode()
    assert Run.objects.get(pk=entry_id).user == alice


@pytest.mark.django_db
def test_saving_the_same_check_in_twice_stores_one(alice: User, alice_client: Client) -> None:
    entry_id = hidden_id(alice_client.get("/pain/new/").content.decode())
    data = {"id": entry_id, "score": "4", "recorded_at": "2026-01-10T08:00"}
    assert alice_client.post("/pain/new/", data).status_code == 302
    assert alice_client.post("/pain/new/", data).status_code == 302
    assert PainCheckin.objects.filter(user=alice).count() == 1


@pytest.mark.django_db
def test_edit_forms_carry_no_client_id(alice: User, alice_client: Client) -> None:
    run = Run.objects.create(user=alice, started_at="2026-01-10T07:30Z", distance_m=5000)
    html = alice_client.get(f"/runs/{run.pk}/edit/").content.decode()
    assert 'name="id"' not in html


@pytest.mark.django_db
def test_saving_an_edit_keeps_the_seconds_of_an_unchanged_start(alice: User, alice_client: Client) -> None:
    run = Run.objects.create(user=alice, started_at="2026-01-10T07:30:42Z", distance_m=5000)
    html = alice_client.get(f"/runs/{run.pk}/edit/").content.decode()
    assert 'value="2026-01-10T07:30"' in html
    alice_client.post(
        f"/runs/{run.pk}/edit/", {**run_post("", distance="5"), "started_at": "2026-01-10T07:30"}
    )
    run.refresh_from_db()
    assert run.started_at.second == 42
    alice_client.post(
        f"/runs/{run.pk}/edit/", {**run_post("", distance="5"), "started_at": "2026-01-10T07:31"}
    )
    run.refresh_from_db()
    assert (run.started_at.minute, run.started_at.second) == (31, 0)


@pytest.mark.django_db
def test_the_delete_confirmation_describes_the_run_in_the_users_unit(
    alice: User, alice_client: Client
) -> None:
    Profile.objects.update_or_create(user=alice, defaults={"distance_unit": "mi"})
    run = Run.objects.create(user=alice, started_at="2026-01-10T07:30Z", distance_m=8046.72)
    html = alice_client.get(f"/runs/{run.pk}/delete/").content.decode()
    assert "5.00 mi" in html
