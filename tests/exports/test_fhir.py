"""GET /export/fhir.json: a FHIR R4 collection Bundle that a maintained library accepts,
pain scores dated when they were taken, runs as exercise Observations, only the caller's."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.bundle import Bundle
from rest_framework.test import APIClient

from backpainlog.accounts.services import profile_update
from exports.fhir import patient_id
from runs.models import Run
from tests.exports.helpers import body
from tests.factories import InsoleFactory, PainCheckinFactory, RunFactory, ShoeFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

URL = "/export/fhir.json"
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
PAIN = "72514-3"
EXERCISE = "55411-3"


def bundle(client: Client | APIClient, query: str = "") -> dict[str, Any]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content
    assert response.streaming is True
    raw = body(response)
    # The models of fhir.resources accept it (they raise on anything invalid).
    parsed = Bundle.model_validate_json(raw)
    assert parsed.type == "collection"
    return json.loads(raw)


def resources(data: dict[str, Any], kind: str = "Observation") -> list[dict[str, Any]]:
    return [entry["resource"] for entry in data["entry"] if entry["resource"]["resourceType"] == kind]


def codes(resource: dict[str, Any]) -> set[str]:
    return {coding["code"] for coding in resource["code"]["coding"]}


def pains(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [obs for obs in resources(data) if PAIN in codes(obs)]


def exercises(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [obs for obs in resources(data) if EXERCISE in codes(obs)]


def component(obs: dict[str, Any], code: str) -> dict[str, Any]:
    [found] = [c for c in obs["component"] if c["code"]["coding"][0]["code"] == code]
    return found


@pytest.fixture
def californian(alice: User) -> User:
    profile_update(user=alice, timezone="America/Los_Angeles")
    return alice


def test_no_runs_is_a_bundle_with_only_the_patient(alice: User, alice_client: Client) -> None:
    data = bundle(alice_client)
    assert data["resourceType"] == "Bundle"
    assert data["type"] == "collection"
    [entry] = data["entry"]
    assert entry["resource"] == {"resourceType": "Patient", "id": patient_id(alice)}
    assert entry["fullUrl"] == f"urn:uuid:{patient_id(alice)}"


def test_patient_has_no_identifying_data_beyond_a_name_entered(alice: User, alice_client: Client) -> None:
    raw = body(alice_client.get(URL)).decode()
    assert "alice" not in raw  # neither the username nor the e-mail address
    assert str(alice.pk) != patient_id(alice)
    assert patient_id(alice) == patient_id(alice)  # stable between exports

    alice.first_name, alice.last_name = "Alice", "Liddell"
    alice.save()
    [person] = resources(bundle(alice_client), "Patient")
    assert person["name"] == [{"text": "Alice Liddell", "family": "Liddell", "given": ["Alice"]}]


def test_run_and_its_pain_scores(californian: User, alice_client: Client) -> None:
    shoe = ShoeFactory(user=californian, name="Pegasus")
    insole = InsoleFactory(user=californian, name="Green")
    run = RunFactory(
        user=californian,
        started_at=dt.datetime(2026, 3, 14, 23, 30, tzinfo=LOS_ANGELES),
        distance_m=8046.72,
        duration_s=2700,
        elevation_gain_m=40.0,
        surface=Run.Surface.TRAIL,
        shoe=shoe,
        insole=insole,
        pain_before=1,
        pain_after=4,
        pain_next_morning=2,
        rpe=6,
        notes="Hilly",
    )
    data = bundle(alice_client)
    subject = f"urn:uuid:{patient_id(californian)}"

    [exercise] = exercises(data)
    assert exercise["status"] == "final"
    assert exercise["category"][0]["coding"][0]["code"] == "activity"
    assert exercise["subject"] == {"reference": subject}
    assert exercise["valueQuantity"] == {
        "value": 45.0,
        "unit": "min",
        "system": "http://unitsofmeasure.org",
        "code": "min",
    }
    assert exercise["effectivePeriod"] == {
        "start": "2026-03-14T23:30:00-07:00",
        "end": "2026-03-15T00:15:00-07:00",
    }
    assert component(exercise, "distance")["valueQuantity"]["value"] == 8046.72
    assert component(exercise, "distance")["valueQuantity"]["code"] == "m"
    assert component(exercise, "activity")["valueCodeableConcept"]["coding"][0]["code"] == "run"
    assert component(exercise, "surface")["valueCodeableConcept"]["coding"][0]["code"] == "trail"
    assert component(exercise, "shoe")["valueString"] == "Pegasus"
    assert component(exercise, "insole")["valueString"] == "Green"
    assert component(exercise, "elevation-gain")["valueQuantity"]["value"] == 40.0
    assert component(exercise, "rpe")["valueInteger"] == 6
    assert exercise["note"] == [{"text": "Hilly"}]

    scores = pains(data)
    assert [(p["valueInteger"], p["effectiveDateTime"]) for p in scores] == [
        (1, "2026-03-14T23:30:00-07:00"),  # before: at the start
        (4, "2026-03-15T00:15:00-07:00"),  # after: at the end
        (2, "2026-03-15"),  # next morning: the date after the run, no made-up hour
    ]
    for pain in scores:
        assert pain["status"] == "final"
        assert pain["category"][0]["coding"][0]["code"] == "survey"
        assert pain["code"]["coding"][0]["display"] == (
            "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
        )
        assert pain["bodySite"]["coding"][0] == {
            "system": "http://snomed.info/sct",
            "code": "37822005",
            "display": "Lower back structure",
        }
        assert pain["subject"] == {"reference": subject}
    # The run groups the scores taken around it.
    assert [m["reference"] for m in exercise["hasMember"]] == [
        next(e["fullUrl"] for e in data["entry"] if e["resource"]["id"] == p["id"]) for p in scores
    ]
    assert run.pk is not None  # ids are derived, not the run's own
    assert str(run.pk) not in {p["id"] for p in scores}


def test_run_without_duration_says_the_value_is_unknown(alice: User, alice_client: Client) -> None:
    RunFactory(
        user=alice,
        started_at=dt.datetime(2026, 4, 1, 7, 0, tzinfo=dt.UTC),
        activity=Run.Activity.WALK,
        duration_s=None,
        pain_before=None,
        pain_after=3,
    )
    data = bundle(alice_client)
    [exercise] = exercises(data)
    assert "valueQuantity" not in exercise
    assert exercise["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert exercise["effectiveDateTime"] == "2026-04-01T07:00:00+00:00"
    assert component(exercise, "activity")["valueCodeableConcept"]["coding"][0]["code"] == "walk"
    # Pain after an unknown duration: at the start, the only time known.
    assert [(p["valueInteger"], p["effectiveDateTime"]) for p in pains(data)] == [
        (3, "2026-04-01T07:00:00+00:00")
    ]


def test_checkin_only(californian: User, alice_client: Client) -> None:
    PainCheckinFactory(
        user=californian,
        recorded_at=dt.datetime(2026, 2, 1, 8, 15, tzinfo=LOS_ANGELES),
        score=6,
        radiating_leg_pain=True,
        notes="Stiff",
    )
    data = bundle(alice_client)
    assert exercises(data) == []
    [pain] = pains(data)
    assert pain["valueInteger"] == 6
    assert pain["effectiveDateTime"] == "2026-02-01T08:15:00-08:00"
    assert component(pain, "radiating-leg-pain")["valueBoolean"] is True
    assert pain["note"] == [{"text": "Stiff"}]


def test_references_resolve_within_the_bundle(alice: User, alice_client: Client) -> None:
    RunFactory.create_batch(3, user=alice, pain_next_morning=1)
    PainCheckinFactory.create_batch(2, user=alice)
    data = bundle(alice_client)
    full_urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(full_urls) == len(set(full_urls)) == 1 + 3 * 4 + 2
    for entry in data["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    references = [obs["subject"]["reference"] for obs in resources(data)]
    references += [m["reference"] for obs in exercises(data) for m in obs["hasMember"]]
    assert set(references) <= set(full_urls)


def test_a_year_of_daily_runs_validates(alice: User, alice_client: Client) -> None:
    first = dt.datetime(2025, 1, 1, 7, 0, tzinfo=dt.UTC)
    shoe = ShoeFactory(user=alice)
    Run.objects.bulk_create(
        Run(
            user=alice,
            started_at=first + dt.timedelta(days=day),
            distance_m=5000.0 + day,
            duration_s=1500 + day if day % 7 else None,
            shoe=shoe if day % 2 else None,
            pain_before=day % 11,
            pain_after=(day + 1) % 11,
            pain_next_morning=(day + 2) % 11 if day % 3 else None,
            notes='<&> "quoted" ünïcode' if day % 5 == 0 else "",
        )
        for day in range(365)
    )
    PainCheckinFactory.create_batch(30, user=alice)
    data = bundle(alice_client)
    assert len(exercises(data)) == 365
    assert len(pains(data)) == 365 * 2 + 243 + 30


def test_from_and_to(californian: User, alice_client: Client) -> None:
    RunFactory(user=californian, started_at=dt.datetime(2026, 3, 13, 23, 59, tzinfo=LOS_ANGELES))
    inside = RunFactory(user=californian, started_at=dt.datetime(2026, 3, 14, 0, 0, tzinfo=LOS_ANGELES))
    PainCheckinFactory(user=californian, recorded_at=dt.datetime(2026, 3, 14, 22, 0, tzinfo=LOS_ANGELES))
    PainCheckinFactory(user=californian, recorded_at=dt.datetime(2026, 3, 15, 0, 1, tzinfo=LOS_ANGELES))
    data = bundle(alice_client, "?from=2026-03-14&to=2026-03-14")
    [exercise] = exercises(data)
    assert exercise["effectivePeriod"]["start"] == inside.started_at.astimezone(LOS_ANGELES).isoformat()
    assert len(pains(data)) == 2 + 1  # the run's two scores and one check-in


def test_bad_dates_are_400(alice_client: Client) -> None:
    response = alice_client.get(URL + "?to=2026-02-31")
    assert response.status_code == 400
    assert "to" in response.json()


def test_isolation_and_token_auth(alice: User, bob: User, bob_api: APIClient) -> None:
    RunFactory.create_batch(2, user=alice, notes="alice's run")
    PainCheckinFactory(user=alice, notes="alice's check-in")
    RunFactory(user=bob)
    data = bundle(bob_api)
    raw = json.dumps(data)
    assert "alice" not in raw
    [person] = resources(data, "Patient")
    assert person["id"] == patient_id(bob) != patient_id(alice)
    assert len(exercises(data)) == 1


def test_unauthenticated(alice: User) -> None:
    RunFactory(user=alice)
    assert APIClient().get(URL).status_code == 401
    assert Client().get(URL, HTTP_ACCEPT="text/html").status_code == 302


def test_queries_do_not_depend_on_the_number_of_entries(alice: User, alice_client: Client) -> None:
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body(alice_client.get(URL))
        return len(captured)

    RunFactory(user=alice, shoe=ShoeFactory(user=alice))
    PainCheckinFactory(user=alice)
    count_queries()
    one = count_queries()
    for _ in range(49):
        RunFactory(user=alice, shoe=ShoeFactory(user=alice), insole=InsoleFactory(user=alice))
        PainCheckinFactory(user=alice)
    assert one == count_queries()


def test_free_text_is_a_valid_fhir_string(alice: User, alice_client: Client) -> None:
    """FHIR strings are never empty and hold no control characters but tab, CR and LF."""
    RunFactory(user=alice, notes="  \x01", shoe=ShoeFactory(user=alice, name="\x02Pegasus\x1f "))
    PainCheckinFactory(user=alice, notes="Stiff\x07 back\r\nin the morning ")
    alice.first_name, alice.last_name = "   ", "Liddell\x0b"
    alice.save()
    data = bundle(alice_client)
    [person] = resources(data, "Patient")
    assert person["name"] == [{"text": "Liddell", "family": "Liddell"}]
    [exercise] = exercises(data)
    assert "note" not in exercise
    assert component(exercise, "shoe")["valueString"] == "Pegasus"
    [checkin] = [pain for pain in pains(data) if "note" in pain]
    assert checkin["note"] == [{"text": "Stiff back\r\nin the morning"}]


def test_date_times_of_a_zone_with_an_offset_in_seconds(alice: User, alice_client: Client) -> None:
    """Amsterdam kept its local mean time, +00:19:32, until 1937; FHIR offsets are whole
    minutes, so such a moment is written in UTC."""
    profile_update(user=alice, timezone="Europe/Amsterdam")
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    RunFactory(user=alice, started_at=dt.datetime(1935, 6, 1, 8, 0, tzinfo=amsterdam), duration_s=600)
    PainCheckinFactory(user=alice, recorded_at=dt.datetime(1935, 6, 2, 9, 0, tzinfo=amsterdam))
    data = bundle(alice_client, "?from=1935-06-01&to=1935-06-30")
    [exercise] = exercises(data)
    assert exercise["effectivePeriod"] == {
        "start": "1935-06-01T06:40:28+00:00",
        "end": "1935-06-01T06:50:28+00:00",
    }
    assert [pain["effectiveDateTime"] for pain in pains(data)] == [
        "1935-06-01T06:40:28+00:00",
        "1935-06-01T06:50:28+00:00",
        "1935-06-02T07:40:28+00:00",
    ]
