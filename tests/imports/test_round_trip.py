"""The app's own CSV, end to end: downloaded from ``GET /export/runs.csv``, the runs
deleted, the file uploaded to ``POST /api/v1/imports/``: every run comes back as it was."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from backpainlog.accounts.selectors import profile_of
from runs import services as run_services
from runs.models import Run
from shoes.models import Insole, Shoe
from tests.factories import InsoleFactory, RunFactory, ShoeFactory
from tests.imports.builders import RUN_FIELDS

URL = "/api/v1/imports/"
# With the id, the pair worn and the figures the analytics derive from them all.
FIELDS = ["id", *RUN_FIELDS, "shoe_id", "insole_id", "flags", "spike_band", "acwr"]
NOTES = [
    "=SUM(A1:A3)",
    "'quoted from the start",
    "''two apostrophes",
    "'=already escaped",
    "+1 km, -2 min",
    "@coach: see this",
    "line one\nline two\r\nline three",
    'commas, and "quotes", and more',
    "🏃‍♀️ felt great 💪 — ünïcödé",
    "  leading and trailing spaces  ",
    "\ttab first",
    "",
]


def downloaded(client: Client) -> bytes:
    response = client.get("/export/runs.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def uploaded(user: User, content: bytes, name: str = "backpainlog-runs.csv") -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


def snapshot(user: User) -> dict[uuid.UUID, dict[str, Any]]:
    return {row["id"]: row for row in Run.objects.filter(user=user).values(*FIELDS)}


@pytest.fixture
def log(alice: User) -> dict[uuid.UUID, dict[str, Any]]:
    """Alice, in Los Angeles and in miles, with a year of varied runs and walks."""
    profile = profile_of(alice)
    profile.timezone, profile.distance_unit = "America/Los_Angeles", "mi"
    profile.save()
    old_ghost = ShoeFactory(
        user=alice, name="Ghost 15", started_on=dt.date(2023, 1, 1), retired_on=dt.date(2023, 12, 31)
    )
    new_ghost = ShoeFactory(user=alice, name="Ghost 15", started_on=dt.date(2024, 1, 1), is_default=True)
    formula = ShoeFactory(user=alice, name="=HYPERLINK(x)", started_on=dt.date(2023, 1, 1))
    quoted = ShoeFactory(user=alice, name='\'Racer, "fast" 🚀', started_on=dt.date(2023, 1, 1))
    insole = InsoleFactory(user=alice, name="-Green", started_on=dt.date(2023, 1, 1))
    # Late evening in Los Angeles: already the next day in UTC.
    first = dt.datetime(2023, 3, 1, 21, 45, 7, 250_000, tzinfo=dt.UTC)
    shoes = [old_ghost, formula, quoted, None]
    for number, notes in enumerate(NOTES):
        started_at = first + dt.timedelta(days=40 * number, hours=number, seconds=number)
        RunFactory(
            user=alice,
            started_at=started_at,
            activity="walk" if number % 4 == 3 else "run",
            distance_m=[5000.0, 8046.72, 0.1 + 0.2, 21097.5, 1234.5678901234][number % 5],
            # Paces someone can run (docs/analytics.md#plausibility): a half marathon in 33 minutes is
            # refused.
            duration_s=None if number % 3 == 0 else 1500 + number * 610,
            elevation_gain_m=[None, 0.0, 12.25, 300.0][number % 4],
            surface=["road", "trail", "treadmill", "track", "grass", "sand", "mixed", "concrete"][number % 8],
            shoe=new_ghost if started_at.year == 2024 else shoes[number % 4],
            insole=insole if number % 2 else None,
            pain_before=None if number % 5 == 0 else number % 11,
            pain_after=None if number % 6 == 0 else 10 - number % 11,
            pain_next_morning=None if number % 2 else number % 7,
            rpe=None if number % 4 == 0 else 1 + number % 10,
            notes=notes,
            source="strava" if number % 7 == 0 else "manual",
        )
    run_services.analytics_refresh(alice)
    return snapshot(alice)


def test_the_csv_export_imports_back_as_the_same_runs(
    alice: User, alice_client: Client, log: dict[uuid.UUID, dict[str, Any]]
) -> None:
    content = downloaded(alice_client)
    shoes, insoles = Shoe.objects.count(), Insole.objects.count()
    sources = dict(Run.objects.filter(user=alice).values_list("id", "source"))
    Run.objects.filter(user=alice).delete()

    body = uploaded(alice, content)

    assert (body["created"], body["duplicates"], body["skipped"]) == (len(log), 0, [])
    assert snapshot(alice) == log
    assert (Shoe.objects.count(), Insole.objects.count()) == (shoes, insoles)
    # Where each run first came from survives: typed-in runs are not asked for pain again.
    assert dict(Run.objects.filter(user=alice).values_list("id", "source")) == sources
    assert set(sources.values()) == {"manual", "strava"}
    # And the file it gives now is the one it gave then.
    assert downloaded(alice_client) == content


def test_the_csv_export_imported_again_is_all_duplicates(
    alice: User, alice_client: Client, log: dict[uuid.UUID, dict[str, Any]]
) -> None:
    body = uploaded(alice, downloaded(alice_client))
    assert (body["created"], body["duplicates"], body["skipped"]) == (0, len(log), [])
    assert snapshot(alice) == log


def test_alices_export_imported_by_bob_leaves_her_runs_alone(
    alice: User, bob: User, alice_client: Client, log: dict[uuid.UUID, dict[str, Any]]
) -> None:
    content = downloaded(alice_client)
    shoes = Shoe.objects.filter(user=alice).count()

    body = uploaded(bob, content)

    assert (body["created"], body["duplicates"], body["runs"]) == (0, 0, [])
    assert len(body["skipped"]) == len(log)
    # One reason for all: nothing else tells bob whether an id exists.
    assert {skip["reason"] for skip in body["skipped"]} == {
        "This id belongs to a run of another account; that run was left alone."
    }
    assert snapshot(alice) == log
    assert Shoe.objects.filter(user=alice).count() == shoes
    assert not Run.objects.filter(user=bob).exists()
    assert not Shoe.objects.filter(user=bob).exists()
