"""The questionnaire and treatment API (docs/api.md#questionnaires-treatments-red-flags)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from clinical.models import QuestionnaireResponse, QuestionnaireSchedule, Treatment
from tests.factories import QuestionnaireResponseFactory, TreatmentFactory

RESPONSES = "/api/v1/questionnaire-responses/"
TREATMENTS = "/api/v1/treatments/"


def rmdq(ticked: int) -> list[bool]:
    return [n < ticked for n in range(24)]


def post(client: APIClient, url: str, body: object) -> object:
    return client.post(url, body, format="json")


# --- Questionnaires and schedules ---


def test_questionnaires_list_items_ranges_schedules_and_due_dates(alice_api: APIClient) -> None:
    answer = alice_api.get("/api/v1/questionnaires/")
    assert answer.status_code == 200
    items = {item["key"]: item for item in answer.json()["results"]}
    assert list(items) == ["rmdq", "psfs", "pain_7d"]
    assert len(items["rmdq"]["items"]) == 24
    assert items["rmdq"]["items"][0] == "I stay at home most of the time because of my back."
    assert (items["rmdq"]["min"], items["rmdq"]["max"], items["rmdq"]["meaningful_change"]) == (0, 24, 5)
    assert (items["psfs"]["schedule"], items["rmdq"]["schedule"], items["pain_7d"]["schedule"]) == (
        "2w",
        "weekly",
        "weekly",
    )
    # Never answered: due today.
    assert items["rmdq"]["due_on"] == timezone.localdate().isoformat()


def test_due_on_is_the_interval_after_the_last_answer_in_the_users_local_date(
    alice: User, alice_api: APIClient
) -> None:
    from backpainlog.accounts.services import profile_update

    profile_update(user=alice, timezone="Pacific/Auckland")
    # 23:30 UTC is already the next day in Auckland.
    completed = dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.UTC)
    QuestionnaireResponseFactory(user=alice, completed_at=completed)
    rmdq_item = alice_api.get("/api/v1/questionnaires/rmdq/").json()
    assert rmdq_item["due_on"] == "2026-01-13"


def test_patch_changes_a_schedule(alice: User, alice_api: APIClient) -> None:
    answer = alice_api.patch("/api/v1/questionnaires/psfs/", {"schedule": "4w"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["schedule"] == "4w"
    assert QuestionnaireSchedule.objects.get(user=alice, questionnaire="psfs").schedule == "4w"
    off = alice_api.patch("/api/v1/questionnaires/psfs/", {"schedule": "off"}, format="json")
    assert off.json()["due_on"] is None


@pytest.mark.parametrize("body", [{"schedule": "daily"}, {"schedule": "off", "extra": 1}, {"schedule": None}])
def test_patch_refuses_a_bad_schedule(alice: User, alice_api: APIClient, body: dict[str, object]) -> None:
    answer = alice_api.patch("/api/v1/questionnaires/rmdq/", body, format="json")
    assert answer.status_code == 400
    assert not QuestionnaireSchedule.objects.filter(user=alice).exists()


def test_unknown_questionnaire_is_not_found(alice_api: APIClient) -> None:
    assert (
        alice_api.patch("/api/v1/questionnaires/odi/", {"schedule": "off"}, format="json").status_code == 404
    )


# --- Responses ---


def test_rmdq_response_scores_and_compares_with_the_first(alice_api: APIClient) -> None:
    first = post(alice_api, RESPONSES, {"questionnaire": "rmdq", "answers": rmdq(12)})
    assert first.status_code == 201
    body = first.json()
    assert (body["score"], body["change_from_first"], body["meaningful_change"]) == (12, None, None)
    later = post(alice_api, RESPONSES, {"questionnaire": "rmdq", "answers": rmdq(6)}).json()
    assert (later["score"], later["change_from_first"], later["meaningful_change"]) == (6, -6, True)
    assert later["change_text"] == "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)"


def test_psfs_and_pain_7d_responses(alice_api: APIClient) -> None:
    psfs = post(
        alice_api,
        RESPONSES,
        {
            "questionnaire": "psfs",
            "answers": [{"activity": "run 10 km", "score": 3}, {"activity": "sit", "score": 6}],
        },
    )
    assert psfs.status_code == 201
    assert psfs.json()["score"] == 4.5
    pain = post(alice_api, RESPONSES, {"questionnaire": "pain_7d", "answers": {"score": 4}})
    assert pain.status_code == 201
    assert pain.json()["score"] == 4


@pytest.mark.parametrize(
    ("questionnaire", "answers"),
    [
        ("rmdq", rmdq(0)[:23]),
        ("rmdq", [*rmdq(0), False]),
        ("psfs", [{"activity": "run", "score": 11}]),
        ("psfs", [{"activity": "x" * 500, "score": 5}]),
        ("psfs", []),
        ("psfs", [{"activity": f"a{n}", "score": 5} for n in range(6)]),
        ("pain_7d", {"score": 11}),
        ("pain_7d", rmdq(3)),
        ("odi", {"score": 3}),
    ],
    ids=[
        "rmdq-23",
        "rmdq-25",
        "psfs-11",
        "psfs-long-name",
        "psfs-none",
        "psfs-six",
        "pain-11",
        "pain-list",
        "unknown",
    ],
)
def test_invalid_answers_are_400_and_nothing_is_stored(
    alice: User, alice_api: APIClient, questionnaire: str, answers: object
) -> None:
    answer = post(alice_api, RESPONSES, {"questionnaire": questionnaire, "answers": answers})
    assert answer.status_code == 400, answer.content
    assert set(answer.json()) <= {"answers", "questionnaire"}
    assert not QuestionnaireResponse.objects.filter(user=alice).exists()


def test_unknown_fields_are_400(alice: User, alice_api: APIClient) -> None:
    answer = post(alice_api, RESPONSES, {"questionnaire": "rmdq", "answers": rmdq(3), "total": 3})
    assert answer.status_code == 400
    assert answer.json() == {"total": ["Unknown field."]}
    assert not QuestionnaireResponse.objects.filter(user=alice).exists()


def test_completed_at_far_in_the_future_is_400(alice: User, alice_api: APIClient) -> None:
    future = (timezone.now() + dt.timedelta(days=30)).isoformat()
    answer = post(alice_api, RESPONSES, {"questionnaire": "rmdq", "answers": rmdq(3), "completed_at": future})
    assert answer.status_code == 400
    assert "completed_at" in answer.json()


def test_the_same_id_twice_is_one_response_and_200_the_second_time(alice: User, alice_api: APIClient) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "questionnaire": "rmdq",
        "answers": rmdq(4),
        "completed_at": "2026-01-05T08:00:00Z",
    }
    assert post(alice_api, RESPONSES, body).status_code == 201
    again = post(alice_api, RESPONSES, body)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert QuestionnaireResponse.objects.filter(user=alice).count() == 1
    conflict = post(alice_api, RESPONSES, {**body, "answers": rmdq(5)})
    assert conflict.status_code == 409


def test_another_users_id_is_400_and_their_response_404(alice: User, bob_api: APIClient) -> None:
    response = QuestionnaireResponseFactory(user=alice)
    url = f"{RESPONSES}{response.pk}/"
    assert bob_api.get(url).status_code == 404
    assert bob_api.patch(url, {"answers": rmdq(1)}, format="json").status_code == 404
    assert bob_api.delete(url).status_code == 404
    assert bob_api.get(RESPONSES).json()["count"] == 0
    taken = post(bob_api, RESPONSES, {"id": str(response.pk), "questionnaire": "rmdq", "answers": rmdq(1)})
    assert taken.status_code == 400
    assert QuestionnaireResponse.objects.get(pk=response.pk).score == 6


def test_editing_or_deleting_the_first_recomputes_the_changes(alice: User, alice_api: APIClient) -> None:
    first = QuestionnaireResponseFactory(
        user=alice, ticked=12, completed_at=timezone.now() - dt.timedelta(days=14)
    )
    middle = QuestionnaireResponseFactory(
        user=alice, ticked=10, completed_at=timezone.now() - dt.timedelta(days=7)
    )
    last = QuestionnaireResponseFactory(user=alice, ticked=6)
    assert (
        alice_api.patch(f"{RESPONSES}{first.pk}/", {"answers": rmdq(20)}, format="json").json()["score"] == 20
    )
    assert alice_api.get(f"{RESPONSES}{last.pk}/").json()["change_from_first"] == -14
    assert alice_api.delete(f"{RESPONSES}{first.pk}/").status_code == 204
    middle_now = alice_api.get(f"{RESPONSES}{middle.pk}/").json()
    assert (middle_now["change_from_first"], middle_now["meaningful_change"]) == (None, None)
    assert alice_api.get(f"{RESPONSES}{last.pk}/").json()["change_from_first"] == -4


def test_responses_list_filters_by_questionnaire_and_date(alice: User, alice_api: APIClient) -> None:
    QuestionnaireResponseFactory(user=alice, completed_at=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC))
    QuestionnaireResponseFactory(
        user=alice,
        questionnaire="pain_7d",
        answers={"score": 3},
        completed_at=dt.datetime(2026, 2, 5, 8, tzinfo=dt.UTC),
    )
    assert alice_api.get(RESPONSES, {"questionnaire": "pain_7d"}).json()["count"] == 1
    assert alice_api.get(RESPONSES, {"from": "2026-02-01"}).json()["count"] == 1
    assert alice_api.get(RESPONSES, {"questionnaire": "odi"}).status_code == 400


def test_responses_list_query_count_does_not_grow(alice: User, alice_api: APIClient) -> None:
    QuestionnaireResponseFactory(user=alice)
    alice_api.get(RESPONSES)  # the token's first use of the day is written once
    with CaptureQueriesContext(connection) as one:
        assert alice_api.get(RESPONSES).status_code == 200
    for _ in range(30):
        QuestionnaireResponseFactory(user=alice)
    with CaptureQueriesContext(connection) as many:
        assert alice_api.get(RESPONSES).json()["count"] == 31
    assert len(many) == len(one) <= 6


# --- Treatments ---


def test_treatment_create_and_idempotent_retry(alice: User, alice_api: APIClient) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "kind": "medication",
        "name": "Ibuprofen",
        "dose": "400 mg",
        "started_at": "2026-01-05T08:00:00Z",
        "ended_at": "2026-01-12T08:00:00Z",
        "notes": "",
    }
    assert post(alice_api, TREATMENTS, body).status_code == 201
    assert post(alice_api, TREATMENTS, body).status_code == 200
    assert Treatment.objects.filter(user=alice).count() == 1
    assert post(alice_api, TREATMENTS, {**body, "dose": "200 mg"}).status_code == 409


@pytest.mark.parametrize(
    "change",
    [
        {"ended_at": "2026-01-04T08:00:00Z"},
        {"kind": "surgery"},
        {"name": "x" * 500},
        {"colour": "blue"},
        {"started_at": "2099-01-01T00:00:00Z", "ended_at": None},
        {"kind": "medication", "name": ""},
    ],
    ids=[
        "ends-before-start",
        "unknown-kind",
        "long-name",
        "unknown-field",
        "far-future",
        "medication-unnamed",
    ],
)
def test_treatment_validation(alice: User, alice_api: APIClient, change: dict[str, object]) -> None:
    body = {"kind": "physiotherapy", "name": "Physio", "started_at": "2026-01-05T08:00:00Z", **change}
    answer = post(alice_api, TREATMENTS, body)
    assert answer.status_code == 400, answer.content
    assert not Treatment.objects.filter(user=alice).exists()


def test_another_users_treatment_is_404(alice: User, bob_api: APIClient) -> None:
    treatment = TreatmentFactory(user=alice)
    url = f"{TREATMENTS}{treatment.pk}/"
    assert bob_api.get(url).status_code == 404
    assert bob_api.patch(url, {"name": "bob"}, format="json").status_code == 404
    assert bob_api.delete(url).status_code == 404
    assert Treatment.objects.get(pk=treatment.pk).name == "Physio"


def test_treatment_update_and_delete(alice: User, alice_api: APIClient) -> None:
    treatment = TreatmentFactory(user=alice)
    url = f"{TREATMENTS}{treatment.pk}/"
    assert alice_api.patch(url, {"notes": "helped"}, format="json").json()["notes"] == "helped"
    assert alice_api.delete(url).status_code == 204
    assert not Treatment.objects.exists()
