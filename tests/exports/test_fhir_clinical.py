"""The FHIR Bundle's clinical outcomes (docs/product.md#fhir-bundle): questionnaires and their responses with
a total score, body sites from where it hurts, treatments and red flags, each resource
valid against the models of fhir.resources."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from clinical.models import Treatment
from runs import services
from tests.exports.helpers import body
from tests.exports.test_fhir import bundle, resources
from tests.factories import QuestionnaireResponseFactory, RunFactory, TreatmentFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

MODELS = {
    "Questionnaire": Questionnaire,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Observation": Observation,
    "MedicationStatement": MedicationStatement,
    "Procedure": Procedure,
}
SNOMED = "http://snomed.info/sct"


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def validated(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The resources of ``kind``, each accepted by its own model (which raises otherwise)."""
    found = resources(data, kind)
    for resource in found:
        MODELS[kind].model_validate(resource)
    return found


def by_code(data: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [
        obs
        for obs in validated(data, "Observation")
        if any(coding["code"] == code for coding in obs["code"]["coding"])
    ]


def test_questionnaires_responses_and_total_scores(alice: User, alice_client: Client) -> None:
    QuestionnaireResponseFactory(user=alice, completed_at=ago(20), ticked=12)
    QuestionnaireResponseFactory(user=alice, completed_at=ago(2), ticked=6)
    QuestionnaireResponseFactory(
        user=alice,
        questionnaire="psfs",
        completed_at=ago(3),
        answers=[{"activity": "run 10 km", "score": 3}, {"activity": "sit through a film", "score": 6}],
    )
    QuestionnaireResponseFactory(
        user=alice, questionnaire="pain_7d", completed_at=ago(1), answers={"score": 4}
    )

    data = bundle(alice_client)

    questionnaires = {q["url"].rsplit("/", 1)[1]: q for q in validated(data, "Questionnaire")}
    assert set(questionnaires) == {"rmdq", "psfs", "pain_7d"}
    assert len(questionnaires["rmdq"]["item"]) == 24
    assert questionnaires["rmdq"]["item"][0]["text"] == "I stay at home most of the time because of my back."
    responses = validated(data, "QuestionnaireResponse")
    assert len(responses) == 4
    [psfs] = [r for r in responses if r["questionnaire"].endswith("/psfs")]
    assert psfs["item"][0]["item"][0]["answer"] == [{"valueString": "run 10 km"}]
    assert psfs["item"][1]["item"][1]["answer"] == [{"valueInteger": 6}]
    rmdq_totals = by_code(data, "rmdq-total")
    assert [obs["valueInteger"] for obs in rmdq_totals] == [12, 6]
    assert rmdq_totals[1]["note"] == [
        {"text": "RMDQ 12 → 6: 6 points better, a change patients notice (≥ 5)"}
    ]
    [psfs_total] = by_code(data, "psfs-total")
    assert psfs_total["valueQuantity"]["value"] == 4.5
    [pain_total] = by_code(data, "pain-7d-total")
    assert pain_total["valueInteger"] == 4
    urls = {entry["fullUrl"] for entry in data["entry"]}
    for total in [*rmdq_totals, psfs_total, pain_total]:
        assert total["derivedFrom"][0]["reference"] in urls
    # Each questionnaire comes before its first response.
    kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
    assert kinds.index("Questionnaire") < kinds.index("QuestionnaireResponse")


def test_body_sites_from_where_it_hurts(alice: User, alice_client: Client) -> None:
    services.checkin_create(
        user=alice,
        recorded_at=ago(3),
        score=5,
        pain_regions=["low_back_center", "buttock_left", "below_knee_left"],
    )
    services.checkin_create(user=alice, recorded_at=ago(2), score=3, pain_regions=["thigh_right"])
    RunFactory(user=alice, started_at=ago(4), pain_regions=["low_back_right"], pain_next_morning=2)

    data = bundle(alice_client)

    pains = by_code(data, "72514-3")
    several, one = [p for p in pains if "Check-in" in p["code"]["text"] or "check-in" in p["code"]["text"]]
    sites = [
        c["valueCodeableConcept"]["coding"][0]["code"]
        for c in several["component"]
        if c["code"]["coding"][0]["code"] == "363698007"
    ]
    assert sites == ["37822005", "46862004:272741003=7771000", "30021000:272741003=7771000"]
    assert several["bodySite"]["coding"][0]["code"] == "37822005"  # several regions: the lower back
    assert one["bodySite"] == {
        "coding": [{"system": SNOMED, "code": "68367000:272741003=24028007"}],
        "text": "Right thigh",
    }
    run_pains = [p for p in pains if p not in (several, one)]
    marked = [p["bodySite"]["coding"][0]["code"] for p in run_pains]
    # Before and after the run where it hurt; the next morning the lower back alone.
    assert sorted(marked) == ["37822005", "37822005:272741003=24028007", "37822005:272741003=24028007"]


def test_red_flags_are_observations(alice: User, alice_client: Client) -> None:
    services.checkin_create(
        user=alice, recorded_at=ago(1), score=6, red_flags=["saddle_numbness", "bladder_bowel"]
    )
    services.checkin_create(user=alice, recorded_at=ago(2), score=2)

    data = bundle(alice_client)

    flags = by_code(data, "saddle-numbness") + by_code(data, "bladder-bowel")
    assert len(flags) == 2
    assert all(flag["valueBoolean"] is True for flag in flags)
    assert flags[0]["code"]["text"] == "Numbness in the groin or buttocks (saddle area)"
    assert by_code(data, "leg-weakness") == []


def test_medication_statements_and_procedures(alice: User, alice_client: Client) -> None:
    TreatmentFactory(
        user=alice,
        kind=Treatment.Kind.MEDICATION,
        name="ibuprofen",
        dose="400 mg three times a day",
        started_at=ago(20),
        ended_at=ago(10),
        notes="With food",
    )
    TreatmentFactory(user=alice, kind=Treatment.Kind.MEDICATION, name="paracetamol", started_at=ago(3))
    TreatmentFactory(user=alice, kind=Treatment.Kind.PHYSIOTHERAPY, name="", started_at=ago(5))
    TreatmentFactory(user=alice, kind=Treatment.Kind.INJECTION, name="epidural", started_at=ago(4))
    TreatmentFactory(user=alice, kind=Treatment.Kind.MASSAGE, name="", started_at=ago(30), ended_at=ago(29))

    data = bundle(alice_client)

    course, single = validated(data, "MedicationStatement")
    assert course["medicationCodeableConcept"] == {"text": "ibuprofen"}
    assert course["dosage"] == [{"text": "400 mg three times a day"}]
    assert course["status"] == "completed"
    assert set(course["effectivePeriod"]) == {"start", "end"}
    assert course["note"] == [{"text": "With food"}]
    assert "effectiveDateTime" in single
    procedures = validated(data, "Procedure")
    assert [p["code"]["coding"][0]["code"] for p in procedures] == ["massage", "physiotherapy", "injection"]
    assert procedures[2]["code"]["text"] == "Injection: epidural"


def test_only_the_callers_and_the_period(alice: User, bob: User, alice_client: Client) -> None:
    QuestionnaireResponseFactory(user=bob, completed_at=ago(2))
    TreatmentFactory(user=bob, started_at=ago(2))
    QuestionnaireResponseFactory(user=alice, completed_at=ago(40))
    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    data = bundle(alice_client, f"?from={day}")
    assert resources(data, "QuestionnaireResponse") == []
    assert resources(data, "Questionnaire") == []
    assert resources(data, "Procedure") == []


def test_queries_stay_the_same_with_more_clinical_data(alice: User, alice_client: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            body(alice_client.get("/export/fhir.json"))
        return len(captured)

    QuestionnaireResponseFactory(user=alice, completed_at=ago(40))
    TreatmentFactory(user=alice, started_at=ago(40))
    count()
    one = count()
    for days in range(1, 30):
        QuestionnaireResponseFactory(user=alice, completed_at=ago(days), ticked=days % 24)
        TreatmentFactory(user=alice, kind=Treatment.Kind.MEDICATION, name="ibuprofen", started_at=ago(days))
        services.checkin_create(user=alice, recorded_at=ago(days), score=2, red_flags=["leg_weakness"])
    assert count() == one
    json.loads(body(alice_client.get("/export/fhir.json")))
