"""The import page's results: the queries of an import do not grow with the runs in the
file (they are checked against the log, and stored, in bulk)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from runs.models import Run
from tests.imports.builders import strava_csv, strava_row

FIRST_DAY = dt.date(2024, 1, 1)


def rows(first: int, count: int) -> list[list[str]]:
    return [
        strava_row(
            activity_id=1000 + n,
            date=f"{FIRST_DAY + dt.timedelta(days=n):%b %-d, %Y}, 7:00:00 AM",
            name=f"Run {n}",
            kind="Run",
            elapsed_s=1800,
            moving_s=1790,
            km="5.00",
            metres="5000.0",
            gear="Brooks Ghost 13",
        )
        for n in range(first, first + count)
    ]


def post_queries(client: Client, file_rows: list[list[str]]) -> int:
    upload = SimpleUploadedFile("activities.csv", strava_csv(file_rows))
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/import/", {"files": [upload]})
    assert response.status_code == 200
    assert f"{len(file_rows)} imported" in response.content.decode()
    return len(captured)


def test_the_queries_of_an_import_do_not_grow_with_its_runs(alice: User, alice_client: Client) -> None:
    post_queries(alice_client, rows(0, 1))  # the pair named in the file is made once
    one = post_queries(alice_client, rows(1, 1))
    many = post_queries(alice_client, rows(2, 60))
    # Sixty runs cost what one does, but for the insert split into batches (the database's
    # limit on parameters) and one update of the flags the new runs raise.
    assert many - one <= 3
    assert Run.objects.filter(user=alice).count() == 62
