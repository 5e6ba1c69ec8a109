"""``POST /api/v1/imports/``: the response, duplicates, isolation, and hostile files that
get a clear 400 and store nothing."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from backpainlog.accounts.selectors import profile_of
from exports.csvformat import SI_COLUMNS, spreadsheet_safe
from imports import services
from imports.parsers import MAX_FILE_BYTES
from runs.models import Run
from shoes.models import Insole, Shoe
from tests.factories import InsoleFactory, RunFactory, ShoeFactory
from tests.imports.builders import (
    RUN_FIELDS,
    SAMPLES,
    csv_text,
    fit_file,
    fit_session,
    gpx_line,
    strava_csv,
    tcx,
    zipped,
)

URL = "/api/v1/imports/"
START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)


def upload(client: APIClient | Client, name: str, content: bytes) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def test_a_fit_file_becomes_a_run(alice: User, alice_api: APIClient) -> None:
    response = upload(alice_api, "watch.fit", fit_file(fit_session(START, distance_m=10_000, timer_s=3000)))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"created", "duplicates", "skipped", "runs"}
    assert (body["created"], body["duplicates"], body["skipped"]) == (1, 0, [])
    run = Run.objects.get(pk=body["runs"][0], user=alice)
    assert (run.started_at, run.distance_m, run.duration_s, run.elevation_gain_m) == (START, 10_000, 3000, 42)
    assert (run.source, run.activity, run.pain_before, run.pain_after) == ("fit", "run", None, None)


def test_the_analytics_are_refreshed_once(alice: User, alice_api: APIClient) -> None:
    version = profile_of(alice).analytics_version
    response = upload(alice_api, "activities.csv", strava_csv())
    assert response.json()["created"] == 3
    alice._profile_cache = None  # type: ignore[attr-defined]
    assert profile_of(alice).analytics_version == version + 1


def test_the_same_file_twice_creates_nothing_the_second_time(alice: User, alice_api: APIClient) -> None:
    first = upload(alice_api, "activities.csv", strava_csv()).json()
    second = upload(alice_api, "activities.csv", strava_csv()).json()

    assert (first["created"], first["duplicates"]) == (3, 0)
    assert (second["created"], second["duplicates"], second["runs"]) == (0, 3, [])
    assert len(second["skipped"]) == 1  # the ride, again
    assert Run.objects.filter(user=alice).count() == 3


def test_the_same_run_from_two_formats_is_a_duplicate(alice: User, alice_api: APIClient) -> None:
    upload(alice_api, "watch.fit", fit_file(fit_session(START)))
    # The GPX of the same run starts 20 s later (the watch needed a fix).
    again = upload(alice_api, "phone.gpx", gpx_line(START + dt.timedelta(seconds=20))).json()
    assert (again["created"], again["duplicates"]) == (0, 1)


def test_a_run_typed_in_near_the_same_time_is_a_duplicate(alice: User, alice_api: APIClient) -> None:
    RunFactory(user=alice, started_at=START + dt.timedelta(seconds=45))
    body = upload(alice_api, "a.tcx", tcx()).json()
    assert (body["created"], body["duplicates"]) == (0, 1)
    later = upload(alice_api, "b.fit", fit_file(fit_session(START + dt.timedelta(seconds=106)))).json()
    assert later["created"] == 1


def test_two_activities_within_a_minute_in_one_file_keep_one_and_say_why(
    alice: User, alice_api: APIClient
) -> None:
    content = zipped(
        {"a/1.fit": fit_file(fit_session(START)), "a/2.gpx": gpx_line(START + dt.timedelta(seconds=59))}
    )
    body = upload(alice_api, "export.zip", content).json()
    assert (body["created"], body["duplicates"]) == (1, 0)
    assert body["skipped"] == [
        {"item": "2.gpx", "reason": "Starts within a minute of 1.fit: the same activity, imported once."}
    ]
    assert Run.objects.get(user=alice).source == "fit"
    # Again: both are in the log now.
    again = upload(alice_api, "export.zip", content).json()
    assert (again["created"], again["duplicates"], again["skipped"]) == (0, 2, [])


def test_one_id_twice_in_a_csv_keeps_the_first_row_and_says_why(alice_api: APIClient) -> None:
    run_id = str(uuid.uuid4())
    header = ["id", "started_at", "activity", "distance_m"]
    later = (START + dt.timedelta(days=1)).isoformat()
    content = csv_text(header, [[run_id, START.isoformat(), "run", "5000"], [run_id, later, "run", "6000"]])
    body = upload(alice_api, "runs.csv", content).json()
    assert (body["created"], body["duplicates"]) == (1, 0)
    assert body["skipped"] == [{"item": "Row 3", "reason": "The same id as Row 2: imported once."}]
    assert Run.objects.get(pk=run_id).distance_m == 5000


def test_imported_runs_have_deterministic_ids(alice: User, alice_api: APIClient) -> None:
    body = upload(alice_api, "watch.fit", fit_file(fit_session(START))).json()
    assert body["runs"] == [str(services.derived_id(alice, START))]


def test_the_derived_ids_cannot_be_worked_out_without_the_secret_key(alice: User, bob: User) -> None:
    """Otherwise bob could take the id of a run alice has yet to import, from her user id
    and the start, and her import would be refused."""
    known = uuid.uuid5(services.IMPORT_NAMESPACE, f"{alice.pk}:{START.isoformat()}")
    squatter = upload_as(bob, "runs.csv", export_csv([export_row(RunFactory.build(id=known, user=bob))]))
    assert squatter["created"] == 1

    body = upload_as(alice, "watch.fit", fit_file(fit_session(START)))

    assert (body["created"], body["skipped"]) == (1, [])
    first = services.derived_id(alice, START)
    with override_settings(SECRET_KEY="another secret key, another server, " * 2):
        assert services.derived_id(alice, START) != first


def test_a_concurrent_import_that_stored_the_run_first_is_a_duplicate(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another import stored the same run after this one read the log: the insert
    collides on the derived id, the attempt is rolled back, and the retry counts a
    duplicate."""
    from imports.parsers import parse

    RunFactory(id=services.derived_id(alice, START), user=alice, started_at=START - dt.timedelta(hours=1))
    real_owners_of = services.owners_of
    reads: list[int] = []

    def stale_then_real(ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
        reads.append(1)
        return {} if len(reads) == 1 else real_owners_of(ids)

    monkeypatch.setattr(services, "owners_of", stale_then_real)
    result = services.import_activities(user=alice, parsed=parse("watch.fit", fit_file(fit_session(START))))

    assert len(reads) == 2
    assert (result.created, result.duplicates) == (0, 1)
    assert Run.objects.filter(user=alice).count() == 1


def test_watch_files_get_the_default_pair_and_strava_rows_the_named_one(
    alice: User, alice_api: APIClient
) -> None:
    default = ShoeFactory(user=alice, name="Daily", is_default=True)
    insole = InsoleFactory(user=alice, name="Green", is_default=True)
    ghost = ShoeFactory(user=alice, name="Ghost 13", brand="Brooks", model="Ghost")

    fit_run = upload(alice_api, "watch.fit", fit_file(fit_session(START))).json()["runs"][0]
    strava = upload(alice_api, "activities.csv", strava_csv()).json()

    assert (Run.objects.get(pk=fit_run).shoe, Run.objects.get(pk=fit_run).insole) == (default, insole)
    runs = Run.objects.filter(pk__in=strava["runs"]).order_by("started_at")
    # "Brooks Ghost 13" is brand, model… no: brand + name. Matched whatever the spacing and case.
    assert [run.shoe.name if run.shoe else None for run in runs] == [
        "Brooks Ghost 13",
        None,
        "Brooks Ghost 13",
    ]
    assert Shoe.objects.filter(user=alice).count() == 3
    new = Shoe.objects.get(user=alice, name="Brooks Ghost 13")
    assert new.started_on == dt.date(2020, 10, 7)
    assert all(run.insole is None for run in runs)
    assert ghost.runs.count() == 0


def test_a_strava_pair_is_matched_by_name_case_and_spacing_aside(alice: User, alice_api: APIClient) -> None:
    pair = ShoeFactory(user=alice, name="brooks ghost  13")
    body = upload(alice_api, "activities.csv", strava_csv()).json()
    assert {run.shoe for run in Run.objects.filter(pk__in=body["runs"], activity="run")} == {pair}
    assert Shoe.objects.filter(user=alice).count() == 1


def test_a_strava_pair_is_matched_by_brand_and_model(alice: User, alice_api: APIClient) -> None:
    pair = ShoeFactory(user=alice, name="Blue ones", brand="Brooks", model="Ghost 13")
    body = upload(alice_api, "activities.csv", strava_csv()).json()
    assert {run.shoe for run in Run.objects.filter(pk__in=body["runs"], activity="run")} == {pair}


def test_bobs_pair_of_the_same_name_is_never_used(alice: User, bob: User, alice_api: APIClient) -> None:
    bobs = ShoeFactory(user=bob, name="Brooks Ghost 13")
    body = upload(alice_api, "activities.csv", strava_csv()).json()
    shoes = {run.shoe for run in Run.objects.filter(pk__in=body["runs"], activity="run")}
    assert bobs not in shoes
    assert {shoe.user for shoe in shoes} == {alice}


# --- The app's own CSV: a round trip -------------------------------------------------------


def export_row(run: Run, **overrides: str) -> dict[str, str]:
    """A row as the export writes it (docs/api.md#export): SI values, escaped text."""
    row = {
        "id": str(run.pk),
        "started_at": run.started_at.isoformat(),
        "date": run.started_at.date().isoformat(),
        "activity": run.activity,
        "distance_m": repr(run.distance_m),
        "duration_s": str(run.duration_s or ""),
        "elevation_gain_m": "" if run.elevation_gain_m is None else repr(run.elevation_gain_m),
        "surface": run.surface,
        "shoe": spreadsheet_safe(run.shoe.name if run.shoe else ""),
        "insole": spreadsheet_safe(run.insole.name if run.insole else ""),
        "pain_before": "" if run.pain_before is None else str(run.pain_before),
        "pain_after": "" if run.pain_after is None else str(run.pain_after),
        "pain_next_morning": "" if run.pain_next_morning is None else str(run.pain_next_morning),
        "rpe": "" if run.rpe is None else str(run.rpe),
        "flags": "long_run_spike",
        "notes": spreadsheet_safe(run.notes),
        "pain_regions": ";".join(run.pain_regions),
    }
    return {**row, **overrides}


def export_csv(rows: list[dict[str, str]]) -> bytes:
    header = [*SI_COLUMNS, "time", "distance_km", "duration", "pace_per_km"]
    return csv_text(header, [[row.get(column, "x") for column in header] for row in rows])


def test_an_exported_csv_recreates_the_same_runs(alice: User, bob: User) -> None:
    shoe = ShoeFactory(user=alice, name="=Pegasus 40")
    insole = InsoleFactory(user=alice, name="Green")
    runs = [
        RunFactory(
            user=alice,
            started_at=START - dt.timedelta(days=n),
            distance_m=5000.123 + n,
            elevation_gain_m=12.5,
            surface="trail",
            shoe=shoe,
            insole=insole,
            pain_next_morning=1,
            rpe=5,
            notes='-tight hamstring, "quoted", ü\nsecond line',
            activity="walk" if n else "run",
            pain_regions=[["low_back_left", "below_knee_right"], [], ["thigh_left"]][n],
        )
        for n in range(3)
    ]
    content = export_csv([export_row(run) for run in runs])
    expected = {run.pk: [getattr(run, name) for name in RUN_FIELDS] for run in runs}
    Run.objects.filter(user=alice).delete()
    Shoe.objects.filter(user=alice).delete()
    Insole.objects.filter(user=alice).delete()

    body = upload_as(alice, "backpainlog-runs.csv", content)

    assert body["created"] == 3
    assert {uuid.UUID(pk) for pk in body["runs"]} == set(expected)
    for run in Run.objects.filter(user=alice):
        assert [getattr(run, name) for name in RUN_FIELDS] == expected[run.pk]
        assert (run.shoe.name, run.insole.name, run.source) == ("=Pegasus 40", "Green", "csv")
    # Imported again: the ids are there, nothing new.
    again = upload_as(alice, "backpainlog-runs.csv", content)
    assert (again["created"], again["duplicates"]) == (0, 3)


def upload_as(user: User, name: str, content: bytes) -> dict[str, object]:
    client = APIClient()
    client.force_authenticate(user)
    response = upload(client, name, content)
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_csv_with_alices_ids_imported_by_bob_never_touches_hers(alice: User, bob: User) -> None:
    alices = RunFactory(user=alice, started_at=START, distance_m=7000.0, notes="mine")
    before = Run.objects.values().get(pk=alices.pk)
    content = export_csv([export_row(alices, distance_m="42000", notes="bob's", pain_after="9")])

    body = upload_as(bob, "stolen.csv", content)

    assert (body["created"], body["duplicates"]) == (0, 0)
    assert body["skipped"] == [
        {"item": "Row 2", "reason": "This id belongs to a run of another account; that run was left alone."}
    ]
    assert Run.objects.values().get(pk=alices.pk) == before
    assert not Run.objects.filter(user=bob).exists()


def test_bobs_imports_never_count_alices_runs_as_his(alice: User, bob: User, bob_api: APIClient) -> None:
    RunFactory(user=alice, started_at=START)
    body = upload(bob_api, "watch.fit", fit_file(fit_session(START))).json()
    assert (body["created"], body["duplicates"]) == (1, 0)
    assert Run.objects.filter(user=alice).count() == 1
    assert Run.objects.get(pk=body["runs"][0]).user == bob


def test_rows_the_model_refuses_are_skipped_with_its_reason(alice: User, alice_api: APIClient) -> None:
    good = uuid.uuid4()
    rows = [
        {"id": str(good), "started_at": START.isoformat(), "activity": "run", "distance_m": "5000"},
        {"id": str(uuid.uuid4()), "started_at": START.isoformat(), "activity": "run", "distance_m": "0"},
        {
            "id": str(uuid.uuid4()),
            "started_at": "1899-12-31T00:00:00+00:00",
            "activity": "run",
            "distance_m": "1",
        },
        {
            "id": str(uuid.uuid4()),
            "started_at": "2024-06-01T00:00:00+00:00",
            "activity": "swim",
            "distance_m": "1",
        },
        {
            "id": str(uuid.uuid4()),
            "started_at": "2024-06-02T00:00:00+00:00",
            "distance_m": "1",
            "pain_after": "11",
        },
        {
            "id": str(uuid.uuid4()),
            "started_at": "2999-01-01T00:00:00+00:00",
            "activity": "run",
            "distance_m": "1",
        },
    ]
    header = ["id", "started_at", "activity", "distance_m", "pain_after"]
    body = upload(
        alice_api, "a.csv", csv_text(header, [[row.get(c, "") for c in header] for row in rows])
    ).json()

    assert body["created"] == 1
    reasons = {skip["item"]: skip["reason"] for skip in body["skipped"]}
    # Row 3 starts at the same time as row 2: the same run, before its distance is looked at.
    assert body["duplicates"] == 0
    assert reasons["Row 3"] == "Starts within a minute of Row 2: the same activity, imported once."
    assert reasons["Row 4"] == "Start: This is before 1900."
    assert reasons["Row 5"].startswith("Activity: ")
    assert reasons["Row 6"] == "Pain after: Ensure this value is less than or equal to 10."
    assert reasons["Row 7"] == "Start: This is more than a day in the future."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "a.csv",
            b"id,started_at,activity,distance_m\n0b0e7c4e-7a4f-4c51-9f5e-2b1a8f0e9d11,9999-12-31T23:59:59+00:00,run,5\n",
            "Start: This is more than a day in the future.",
        ),
        (
            "a.csv",
            b"id,started_at,activity,distance_m\n0b0e7c4e-7a4f-4c51-9f5e-2b1a8f0e9d11,0001-01-01T00:00:00+14:00,run,5\n",
            "Start: This is before 1900.",
        ),
        (
            "activities.csv",
            b'Activity Date,Activity Type,Distance\n"Dec 31, 9999, 11:59:59 PM",Run,5\n',
            "Start: This is more than a day in the future.",
        ),
        (
            "a.gpx",
            gpx_line(START).replace(b"2024-05-04T07:30:00Z", b"9999-12-31T23:59:59-05:00"),
            "Start: This is more than a day in the future.",
        ),
        (
            "a.gpx",
            gpx_line(START).replace(b"2024-05-04T07:30:00Z", b"0001-01-01T00:00:00+05:00"),
            "the device's clock was not set",
        ),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_skipped(
    alice_api: APIClient, name: str, content: bytes, reason: str
) -> None:
    response = upload(alice_api, name, content)
    assert response.status_code == 201, response.content
    [skip] = response.json()["skipped"]
    assert reason in skip["reason"]
    assert Run.objects.count() == 0


def test_a_zero_distance_is_skipped_with_the_reason(alice: User, alice_api: APIClient) -> None:
    body = upload(alice_api, "a.fit", fit_file(fit_session(START, distance_m=0))).json()
    assert body["created"] == 0
    assert body["skipped"] == [{"item": "a.fit", "reason": "Distance: Must be more than 0."}]


def test_a_file_with_nothing_to_import_is_a_201(alice: User, alice_api: APIClient) -> None:
    response = upload(alice_api, "ride.fit", fit_file(fit_session(START, sport="cycling")))
    assert response.status_code == 201
    assert response.json() == {
        "created": 0,
        "duplicates": 0,
        "skipped": [{"item": "ride.fit", "reason": "Cycling is not a run or walk."}],
        "runs": [],
    }


# --- Hostile and broken files: 400, nothing stored -------------------------------------------------

BOMB = zipped({"activities.csv": b"0" * (30 * 1024 * 1024)})
ENTITIES = (
    gpx_line(START)
    .replace(b"?>", b'?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', 1)
    .replace(b"Morning", b"&b;")
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.fit", gpx_line(START), "not a readable FIT file"),
        ("run.gpx", fit_file(fit_session(START)), "not UTF-8"),
        ("run.tcx", b"<TrainingCenterDatabase><Activities>", "malformed"),
        ("run.txt", b"hello", "Choose a .fit, .gpx, .tcx, .csv or .zip file."),
        ("run.csv", b"a,b\n1,2\n", "neither a backpainlog export"),
        ("run.csv", "id,started_at\ncaf\xe9".encode("latin-1"), "not UTF-8"),
        ("run.csv", b"id,notes\n1,x\n", "lacks the columns started_at, activity, distance_m"),
        ("run.zip", b"PK\x03\x04 not really", "not a readable zip"),
        ("bomb.zip", BOMB, "unpacks to more"),
        ("laughs.gpx", ENTITIES, "entities"),
        ("cut.fit", fit_file(fit_session(START), records=30)[:100], "ends early"),
        # NUL cannot be stored in PostgreSQL text: refused with a reason, never sent to it.
        (
            "notes.csv",
            b"id,started_at,activity,distance_m,notes\r\n"
            b"0b0e7c4e-7a4f-4c51-9f5e-2b1a8f0e9d11,2024-05-04T07:30:00+00:00,run,5000,a\x00b\r\n",
            "binary data",
        ),
        ("activities.csv", strava_csv().replace(b"Easy, back fine", b"Easy\x00"), "binary data"),
        ("notes.tcx", tcx(notes="a&#0;b"), "malformed"),
    ],
)
def test_an_unreadable_file_is_a_400_and_stores_nothing(
    alice: User, alice_api: APIClient, name: str, content: bytes, message: str
) -> None:
    RunFactory(user=alice)
    shoes, runs = Shoe.objects.count(), Run.objects.count()

    response = upload(alice_api, name, content)

    assert response.status_code == 400
    [reason] = response.json()["file"]
    assert message in reason
    assert (Run.objects.count(), Shoe.objects.count()) == (runs, shoes)


def test_a_file_over_25_mb_is_refused_before_reading(alice: User, alice_api: APIClient) -> None:
    response = upload(alice_api, "big.gpx", b" " * (MAX_FILE_BYTES + 1))
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 25 MB."]}


def test_a_file_just_over_25_mb_inside_the_envelope_is_refused(alice: User) -> None:
    """A body under the request limit whose file is still over 25 MB."""
    from django.core.files.uploadedfile import InMemoryUploadedFile

    data = io.BytesIO(b" " * (MAX_FILE_BYTES + 10))
    upload_file = InMemoryUploadedFile(
        data, "file", "big.gpx", "application/gpx+xml", MAX_FILE_BYTES + 10, None
    )
    with pytest.raises(services.UnreadableFile, match="larger than 25 MB"):
        services.import_file(user=alice, upload=upload_file)


def test_a_declared_body_over_the_limit_is_refused_unread(alice_api: APIClient) -> None:
    response = alice_api.post(
        URL, data=b"x", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(MAX_FILE_BYTES * 2)
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 25 MB."]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "No file was submitted."),
        ({"file": SimpleUploadedFile("a.fit", b"")}, "The submitted file is empty."),
    ],
)
def test_no_file_is_a_400(alice_api: APIClient, data: dict[str, object], message: str) -> None:
    response = alice_api.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": [message]}


def test_two_files_in_one_request_are_a_400_not_one_dropped(alice_api: APIClient) -> None:
    files = [
        SimpleUploadedFile("a.fit", fit_file(fit_session(START))),
        SimpleUploadedFile("b.fit", fit_file(fit_session(START + dt.timedelta(hours=5)))),
    ]
    response = alice_api.post(URL, {"file": files}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["Send one file per request."]}
    assert Run.objects.count() == 0


def test_a_text_value_for_the_file_is_a_400(alice_api: APIClient) -> None:
    response = alice_api.post(URL, {"file": "watch.fit"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["file"]


@pytest.mark.parametrize("header", [",".join(SI_COLUMNS), "Activity ID,Activity Date,Activity Type,Distance"])
def test_a_csv_with_only_its_header_says_so(alice_api: APIClient, header: str) -> None:
    response = upload(alice_api, "runs.csv", f"\ufeff{header}\r\n\r\n".encode())
    assert response.status_code == 201
    assert response.json()["skipped"] == [
        {"item": "runs.csv", "reason": "The file has a header but no rows: nothing to import."}
    ]
    assert Run.objects.count() == 0


def test_notes_over_the_limit_are_skipped_not_stored(alice_api: APIClient) -> None:
    row = {"id": str(uuid.uuid4()), "started_at": START.isoformat(), "activity": "run", "distance_m": "5000"}
    header = ["id", "started_at", "activity", "distance_m", "notes"]
    content = csv_text(header, [[*row.values(), "a" * 2000], [*row.values(), "b" * 2001]])
    content = content.replace(row["id"].encode(), str(uuid.uuid4()).encode(), 1)
    content = content.replace(
        START.isoformat().encode(), (START + dt.timedelta(hours=2)).isoformat().encode(), 1
    )

    body = upload(alice_api, "runs.csv", content).json()

    assert body["created"] == 1
    assert body["skipped"] == [
        {"item": "Row 3", "reason": "Notes: Ensure this value has at most 2000 characters (it has 2001)."}
    ]
    assert [len(notes) for notes in Run.objects.values_list("notes", flat=True)] == [2000]


def test_json_is_not_accepted(alice_api: APIClient) -> None:
    assert alice_api.post(URL, {"file": "x"}, format="json").status_code == 415


def test_too_many_parts_is_a_400_not_a_500(alice_api: APIClient) -> None:
    files = {f"f{n}": SimpleUploadedFile(f"{n}.fit", b"x") for n in range(101)}
    assert alice_api.post(URL, files, format="multipart").status_code == 400


def test_unauthenticated_is_a_401(db: None) -> None:
    response = upload(APIClient(), "watch.fit", fit_file(fit_session(START)))
    assert response.status_code == 401
    assert Run.objects.count() == 0


def test_a_session_without_the_csrf_token_is_a_403(alice: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert upload(client, "watch.fit", fit_file(fit_session(START))).status_code == 403
    assert Run.objects.count() == 0


def test_a_session_with_the_csrf_token_imports(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get("/import/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        URL,
        {"file": SimpleUploadedFile("w.fit", fit_file(fit_session(START)))},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_get_is_not_allowed(alice_api: APIClient) -> None:
    assert alice_api.get(URL).status_code == 405


def test_the_schema_documents_the_import(client: Client, db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/imports/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"201", "400"} <= set(operation["responses"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    extension=st.sampled_from([".fit", ".gpx", ".tcx", ".csv", ".zip", ".bin"]), data=st.binary(max_size=1024)
)
def test_arbitrary_bytes_are_never_a_server_error(alice_api: APIClient, extension: str, data: bytes) -> None:
    response = upload(alice_api, "upload" + extension, data)
    assert response.status_code in {201, 400}
    if response.status_code == 400:
        assert response.json()["file"]


# --- The real device files ---------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"{SAMPLES} not found")
def test_the_samples_through_the_api(alice: User, alice_api: APIClient) -> None:
    results = {
        path.name: upload(alice_api, path.name, path.read_bytes())
        for path in sorted(SAMPLES.iterdir())
        if path.suffix in {".fit", ".gpx", ".tcx"}
    }
    assert {name: response.status_code for name, response in results.items()} == dict.fromkeys(results, 201)
    bodies = {name: response.json() for name, response in results.items()}
    # The second TCX is the first one without heart rate: the same run.
    assert bodies["tcxparser_test.tcx"]["created"] + bodies["tcxparser_no_hr.tcx"]["created"] == 1
    assert bodies["tcxparser_test.tcx"]["duplicates"] + bodies["tcxparser_no_hr.tcx"]["duplicates"] == 1
    # The truncated file and the one with a corrupt second header are the same run.
    assert (
        bodies["activity-unexpected-eof.fit"]["duplicates"]
        + bodies["activity-settings-corruptheader.fit"]["duplicates"]
        == 1
    )
    assert "clock was not set" in bodies["Mojstrovka.gpx"]["skipped"][0]["reason"]
    assert bodies["gpx1.1_with_all_fields.gpx"]["skipped"][0]["reason"] == "Distance: Must be more than 0."
    walk = Run.objects.get(pk=bodies["garmin-fenix-5-walk.fit"]["runs"][0])
    assert walk.activity == "walk"
    assert sum(body["created"] for body in bodies.values()) == Run.objects.filter(user=alice).count() == 11


def test_the_csvs_regions_come_back_and_unknown_ones_are_skipped_with_the_reason(alice: User) -> None:
    kept = RunFactory.build(user=alice, started_at=START, pain_regions=["low_back_center", "below_knee_left"])
    refused = RunFactory.build(user=alice, started_at=START - dt.timedelta(days=1))
    content = export_csv(
        [
            export_row(kept, shoe="", insole=""),
            export_row(refused, shoe="", insole="", pain_regions="low_back_center;elbow"),
        ]
    )

    body = upload_as(alice, "backpainlog-runs.csv", content)

    assert body["created"] == 1
    assert Run.objects.get(user=alice).pain_regions == ["low_back_center", "below_knee_left"]
    [skipped] = body["skipped"]
    assert skipped["item"] == "Row 3"
    assert skipped["reason"].startswith("Where it hurt: “elbow” is not one of")
