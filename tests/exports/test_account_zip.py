"""GET /export/account.zip: everything the user has, machine-readable, and only theirs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from rest_framework.test import APIClient

from backpainlog.accounts.services import profile_update
from runs.models import Pattern
from tests.conftest import HtmlPage
from tests.exports.helpers import body
from tests.factories import (
    InsoleFactory,
    PainCheckinFactory,
    QuestionnaireResponseFactory,
    RunFactory,
    ShoeFactory,
    TreatmentFactory,
)
from tests.helpers import DEFAULT_REMINDERS

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

URL = "/export/account.zip"
FILES = [
    "README.txt",
    "runs.csv",
    "runs.json",
    "pain_checkins.json",
    "questionnaire_responses.json",
    "treatments.json",
    "shoes.json",
    "insoles.json",
    "profile.json",
    "patterns.json",
    "fhir.json",
    "audit_events.json",
]


def archive(client: Client | APIClient) -> zipfile.ZipFile:
    response = client.get(URL)
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="backpainlog-account-')
    assert "no-store" in response["Cache-Control"]
    zipped = zipfile.ZipFile(io.BytesIO(body(response)))
    assert zipped.testzip() is None
    return zipped


def read_json(zipped: zipfile.ZipFile, name: str) -> Any:
    return json.loads(zipped.read(name).decode())


def seed(user: User, label: str) -> dict[str, Any]:
    shoe = ShoeFactory(user=user, name=f"{label} shoe")
    insole = InsoleFactory(user=user, name=f"{label} insole")
    runs = [RunFactory(user=user, shoe=shoe, insole=insole, notes=f"{label} run") for _ in range(3)]
    checkin = PainCheckinFactory(user=user, notes=f"{label} check-in")
    response = QuestionnaireResponseFactory(user=user, ticked=4)
    treatment = TreatmentFactory(user=user, name=f"{label} physio", notes=f"{label} treatment")
    Pattern.objects.create(
        user=user,
        exposure="surface:trail",
        label=f"{label} trail",
        exposed_runs=4,
        exposed_flares=2,
        unexposed_runs=10,
        unexposed_flares=1,
        verdict=Pattern.Verdict.POSSIBLE,
        message="A possible pattern.",
    )
    return {
        "shoe": shoe,
        "insole": insole,
        "runs": runs,
        "checkin": checkin,
        "response": response,
        "treatment": treatment,
    }


def test_everything_the_user_has(alice: User, bob: User, alice_client: Client) -> None:
    profile_update(user=alice, distance_unit="mi", timezone="Europe/Berlin")
    mine = seed(alice, "alice")
    seed(bob, "bob")

    zipped = archive(alice_client)

    assert zipped.namelist() == FILES
    readme = zipped.read("README.txt").decode()
    for name in FILES:
        assert name in readme

    rows = list(csv.DictReader(io.StringIO(zipped.read("runs.csv").decode("utf-8-sig"))))
    run_ids = sorted(str(run.pk) for run in mine["runs"])
    assert sorted(row["id"] for row in rows) == run_ids
    assert "distance_mi" in rows[0]

    runs = read_json(zipped, "runs.json")
    assert sorted(run["id"] for run in runs) == run_ids
    assert runs[0]["shoe"] == mine["shoe"].pk
    assert runs[0]["started_at"].endswith(("+01:00", "+02:00"))  # Berlin
    assert "shoe_distance_m" not in runs[0]

    checkins = read_json(zipped, "pain_checkins.json")
    assert [c["id"] for c in checkins] == [str(mine["checkin"].pk)]
    assert {"pain_regions", "red_flags"} <= set(checkins[0])

    [response] = read_json(zipped, "questionnaire_responses.json")
    assert response["id"] == str(mine["response"].pk)
    assert response["questionnaire"] == "rmdq"
    assert response["score"] == 4
    assert response["answers"] == [n < 4 for n in range(24)]
    assert response["completed_at"].endswith(("+01:00", "+02:00"))  # Berlin
    [treatment] = read_json(zipped, "treatments.json")
    assert treatment["id"] == str(mine["treatment"].pk)
    assert (treatment["kind"], treatment["name"], treatment["notes"]) == (
        "physiotherapy",
        "alice physio",
        "alice treatment",
    )

    shoes = read_json(zipped, "shoes.json")
    assert [shoe["name"] for shoe in shoes] == ["alice shoe"]
    assert shoes[0]["started_on"] == "2025-01-01"
    assert [pair["name"] for pair in read_json(zipped, "insoles.json")] == ["alice insole"]

    assert read_json(zipped, "profile.json") == {
        "username": "alice",
        "distance_unit": "mi",
        "timezone": "Europe/Berlin",
        "default_replacement_threshold_m": 640000.0,
        "reminders": DEFAULT_REMINDERS,
    }
    patterns = read_json(zipped, "patterns.json")
    assert "alice trail" in [pattern["label"] for pattern in patterns]
    assert {"exposure", "verdict", "risk_ratio", "p_value", "message"} <= set(patterns[0])

    fhir = zipped.read("fhir.json")
    Bundle.model_validate_json(fhir)

    # The account activity, newest first: this very export (recorded before it started),
    # then the sign-in of the test client.
    events = read_json(zipped, "audit_events.json")
    assert [event["kind"] for event in events] == ["exported", "signed_in"]
    assert events[0]["detail"] == {"format": "zip", "from": None, "to": None}
    assert events[0]["occurred_at"].endswith(("+01:00", "+02:00"))  # Berlin

    everything = b"".join(zipped.read(name) for name in FILES)
    assert b"bob" not in everything


def test_a_date_range_narrows_runs_and_checkins_in_every_file(alice: User, alice_client: Client) -> None:
    shoe = ShoeFactory(user=alice, name="Pair")
    inside = RunFactory(user=alice, shoe=shoe, started_at=dt.datetime(2026, 3, 10, 8, tzinfo=dt.UTC))
    RunFactory(user=alice, shoe=shoe, started_at=dt.datetime(2026, 2, 10, 8, tzinfo=dt.UTC))
    kept = PainCheckinFactory(user=alice, recorded_at=dt.datetime(2026, 3, 31, 20, tzinfo=dt.UTC))
    PainCheckinFactory(user=alice, recorded_at=dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC))
    answered = QuestionnaireResponseFactory(
        user=alice, completed_at=dt.datetime(2026, 3, 5, 8, tzinfo=dt.UTC)
    )
    QuestionnaireResponseFactory(user=alice, completed_at=dt.datetime(2026, 2, 5, 8, tzinfo=dt.UTC))
    treated = TreatmentFactory(user=alice, started_at=dt.datetime(2026, 3, 6, 8, tzinfo=dt.UTC))
    TreatmentFactory(user=alice, started_at=dt.datetime(2026, 4, 6, 8, tzinfo=dt.UTC))

    response = alice_client.get(URL, {"from": "2026-03-01", "to": "2026-03-31"})
    zipped = zipfile.ZipFile(io.BytesIO(body(response)))

    rows = list(csv.DictReader(io.StringIO(zipped.read("runs.csv").decode("utf-8-sig"))))
    assert [row["id"] for row in rows] == [str(inside.pk)]
    assert [run["id"] for run in read_json(zipped, "runs.json")] == [str(inside.pk)]
    assert [c["id"] for c in read_json(zipped, "pain_checkins.json")] == [str(kept.pk)]
    assert [r["id"] for r in read_json(zipped, "questionnaire_responses.json")] == [str(answered.pk)]
    assert [t["id"] for t in read_json(zipped, "treatments.json")] == [str(treated.pk)]
    fhir = [entry["resource"] for entry in read_json(zipped, "fhir.json")["entry"][1:]]
    observations = [resource for resource in fhir if resource["resourceType"] == "Observation"]
    assert len([o for o in observations if o["code"]["coding"][0]["code"] == "55411-3"]) == 1
    # The gear is whole: a pair is not cut in two by a date.
    assert [pair["name"] for pair in read_json(zipped, "shoes.json")] == ["Pair"]


def test_a_bad_date_range_is_a_400(alice_client: Client) -> None:
    response = alice_client.get(URL, {"from": "2026-04-01", "to": "2026-03-01"})
    assert response.status_code == 400
    assert "to" in response.json()


def test_an_empty_account(alice: User, alice_api: APIClient) -> None:
    zipped = archive(alice_api)
    assert zipped.namelist() == FILES
    for name in FILES:
        if name.endswith(".json") and name not in {"profile.json", "fhir.json", "audit_events.json"}:
            assert read_json(zipped, name) == []
    Bundle.model_validate_json(zipped.read("fhir.json"))


def test_unauthenticated(alice: User) -> None:
    seed(alice, "alice")
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert b"alice" not in response.content
    page = Client().get(URL, HTTP_ACCEPT="text/html")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/export/account.zip")


def test_settings_link_to_it(alice_client: Client) -> None:
    response = alice_client.get("/settings/")
    assert '<h2 id="data-heading">Your data</h2>' in response.content.decode()
    page = HtmlPage(response.content)
    assert "data-heading" in page.elements
    assert '<a class="button" href="/export/account.zip" download>Download all my data</a>' in (
        response.content.decode()
    )
