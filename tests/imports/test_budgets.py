"""Hostile files against the request's budget (imports.parsers.budget): each is refused
with a 400 that says why, stores nothing, and costs a bounded amount of work. The files
are built here, at the smallest size that crosses each limit."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from imports import services
from imports.parsers import Budget, UnreadableFile, parse
from imports.parsers.budget import (
    MAX_ACTIVITIES,
    MAX_CSV_ROWS,
    MAX_FIT_SESSIONS,
    MAX_TRACK_POINTS,
    MAX_XML_ELEMENTS,
    OverBudget,
)
from runs.models import Run
from tests.imports.builders import (
    fit_file,
    fit_session,
    gpx,
    strava_csv,
    strava_row,
    tcx,
    zipped,
)
from tests.imports.test_api_imports import START, upload


def refused(response: Any, message: str) -> None:
    assert response.status_code == 400, response.content[:500]
    [reason] = response.json()["file"]
    assert message in reason, reason


def xml_declaring(encoding: str, root: bytes = b"<gpx></gpx>") -> bytes:
    return f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + root


# ------------------------------------------------------------------ text encodings


@pytest.mark.parametrize("encoding", ["undefined", "punycode", "utf-7", "utf-32", "rot13", "base64"])
@pytest.mark.parametrize("name", ["a.gpx", "a.tcx"])
def test_a_declared_encoding_outside_the_readable_ones_is_a_400(
    alice_api: APIClient, name: str, encoding: str
) -> None:
    """``undefined`` raised a UnicodeError (a 500); ``punycode`` decodes in quadratic time
    (a megabyte: half a minute of CPU). Neither is decoded at all now."""
    started = time.process_time()
    response = upload(alice_api, name, xml_declaring(encoding, b"<gpx>" + b"a" * 200_000 + b"</gpx>"))

    refused(response, "save it as UTF-8")
    assert time.process_time() - started < 2
    assert not Run.objects.exists()


def test_punycode_is_refused_before_it_is_decoded() -> None:
    # Digits after the last "-" make punycode's decoder work through every one of them.
    hostile = xml_declaring("punycode", b"<gpx>-" + b"9" * 20_000 + b"</gpx>")
    started = time.process_time()
    with pytest.raises(UnreadableFile, match="punycode, which an import does not read"):
        parse("slow.gpx", hostile)
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("ISO-8859-1", "Lauf am Fluß"),
        ("latin-1", "Côte"),
        ("windows-1252", "“Tempo” – 10 €"),
        ("US-ASCII", "Easy"),
        ("utf-16", "Läufchen"),
        ("UTF8", "Ljubljana – Šmarna gora"),
    ],
)
def test_the_readable_encodings_still_read(encoding: str, text: str) -> None:
    content = tcx(notes="NOTE").decode().replace('encoding="UTF-8"', f'encoding="{encoding}"')
    [run] = parse("a.tcx", content.replace("NOTE", text).encode(encoding)).activities
    assert run.notes == text


def test_a_byte_order_mark_wins_over_the_declaration() -> None:
    """The parser is given the decoded text: a declaration expat would act on by itself
    (here a refused one behind a UTF-16 mark) is not looked at again."""
    content = tcx().decode().replace('encoding="UTF-8"', 'encoding="punycode"').encode("utf-16")
    [run] = parse("a.tcx", content).activities
    assert run.distance_m == pytest.approx(3218.68)


# ------------------------------------------------------------------ FIT


def test_a_fit_file_is_read_up_to_its_session_cap_and_says_so(alice: User, alice_api: APIClient) -> None:
    """20,000 sessions in 360 KB made 20,000 runs; a multisport file has a handful."""
    sessions = [fit_session(START + dt.timedelta(hours=n)) for n in range(MAX_FIT_SESSIONS + 10)]
    response = upload(alice_api, "many.fit", fit_file(*sessions))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] == MAX_FIT_SESSIONS == Run.objects.filter(user=alice).count()
    [skip] = body["skipped"]
    assert skip["item"] == "many.fit"
    assert f"holds {MAX_FIT_SESSIONS + 10} sessions" in skip["reason"]
    assert "other 10 were not imported" in skip["reason"]


def test_fit_messages_are_counted_against_the_budget() -> None:
    content = fit_file(fit_session(START), records=5_000)
    assert parse("a.fit", content, budget=Budget(messages=5_100)).activities
    with pytest.raises(OverBudget, match="more than 300,000 messages"):
        parse("a.fit", content, budget=Budget(messages=4_000))


# ------------------------------------------------------------------ GPX and TCX


def test_a_gpx_over_the_track_point_cap_is_a_400(alice_api: APIClient) -> None:
    points = [(46.0, 14.0, None, None)] * (MAX_TRACK_POINTS + 1)
    started = time.process_time()
    response = upload(alice_api, "long.gpx", gpx(points))

    refused(response, f"more than {MAX_TRACK_POINTS:,} track points")
    assert time.process_time() - started < 10
    assert not Run.objects.exists()


def test_an_xml_flood_stops_at_the_element_cap() -> None:
    flood = b"<gpx>" + b"<x/>" * 20_000 + b"</gpx>"
    with pytest.raises(OverBudget, match=f"XML than one import reads \\({MAX_XML_ELEMENTS:,} elements"):
        parse("flood.gpx", flood, budget=Budget(elements=20_000))
    assert parse("flood.gpx", flood, budget=Budget(elements=20_001)).skipped


def test_tcx_track_points_are_counted_too() -> None:
    point = "<Trackpoint><Time>2024-05-04T07:30:00Z</Time></Trackpoint>"
    content = tcx().decode().replace("<Track>", "<Track>" + point * 100).encode()
    assert parse("a.tcx", content, budget=Budget(points=202)).activities
    with pytest.raises(OverBudget, match="track points"):
        parse("a.tcx", content, budget=Budget(points=150))


def test_a_small_zip_of_large_gpx_files_is_counted_as_one_request(alice_api: APIClient) -> None:
    """8 × 24 MB of GPX packed in 686 KB stayed under the 200 MB unpacked limit and took
    77 s: the members' points come out of the one budget of the request."""
    member = gpx([(46.0, 14.0, None, "2024-05-04T07:30:00Z")] * (MAX_TRACK_POINTS // 2 + 1))
    members = {f"activities/{n}.gpx": member for n in range(2)}
    content = zipped(members)
    assert len(content) < len(member)  # smaller than one of its members

    response = upload(alice_api, "export.zip", content)

    refused(response, "track points")
    assert not Run.objects.exists()


# ------------------------------------------------------------------ CSV and activities


def rides(count: int) -> bytes:
    row = strava_row(
        activity_id=1,
        date="Oct 8, 2020, 6:02:40 AM",
        name="Ride",
        kind="Ride",
        elapsed_s=60,
        moving_s=60,
        km="1.0",
        metres="1000.0",
    )
    return strava_csv([row] * count)


def test_a_csv_over_the_row_cap_is_a_400(alice_api: APIClient) -> None:
    """The 100,000 rows the importer accepted took 84 s."""
    refused(upload(alice_api, "activities.csv", rides(MAX_CSV_ROWS + 1)), f"more than {MAX_CSV_ROWS:,} rows")


def test_a_csv_at_the_row_cap_is_read() -> None:
    parsed = parse("activities.csv", rides(MAX_CSV_ROWS))
    assert len(parsed.skipped) == MAX_CSV_ROWS


def test_a_file_with_more_activities_than_one_request_stores_is_a_400_not_a_503(
    alice: User, alice_api: APIClient
) -> None:
    rows = [
        strava_row(
            activity_id=n,
            date=(START - dt.timedelta(hours=n)).strftime("%b %d, %Y, %I:%M:%S %p"),
            name="Run",
            kind="Run",
            elapsed_s=1800,
            moving_s=1800,
            km="5.0",
            metres="5000.0",
        )
        for n in range(MAX_ACTIVITIES + 1)
    ]
    response = upload(alice_api, "activities.csv", strava_csv(rows))

    refused(response, f"more than {MAX_ACTIVITIES:,} runs and walks")
    assert not Run.objects.filter(user=alice).exists()


def test_the_import_page_shares_one_budget_among_its_files(alice: User, alice_client: Client) -> None:
    """Two files of 60 % of the rows each: the second is refused, the first imported."""
    part = rides(MAX_CSV_ROWS * 6 // 10)
    response = alice_client.post(
        "/import/",
        {"files": [SimpleUploadedFile("a.csv", part), SimpleUploadedFile("activities.csv", part)]},
    )
    assert response.status_code == 200
    outcomes = response.context["outcomes"]
    assert outcomes[0].result is not None
    assert "more than 10,000 rows" in outcomes[1].error


def test_the_cpu_budget_stops_a_slow_read() -> None:
    with pytest.raises(OverBudget, match="takes longer than an import may"):
        parse("activities.csv", rides(1_000), budget=Budget(cpu_seconds=0))


def test_run_ids_are_looked_up_in_chunks(alice: User) -> None:
    """300,000 sessions failed with SQLite's "too many SQL variables", shown as a 503."""
    import uuid

    ids = {uuid.uuid4() for _ in range(40_000)}
    assert services.owners_of(ids) == {}


def test_unknown_budget_limits_are_an_error() -> None:
    with pytest.raises(TypeError):
        Budget(bytes=1)
