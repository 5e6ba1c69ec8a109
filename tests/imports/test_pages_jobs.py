"""Imports in the background on the import page (the form without JavaScript) and on the
job's own page: a progress bar that polls until the job is over, then the result or the
reason it failed; only ever the owner's."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from imports.models import ImportJob
from runs.models import Run
from tests.conftest import HtmlPage
from tests.helpers import run_queued_tasks
from tests.imports.builders import fit_file, fit_session, long_strava_csv, zipped
from tests.imports.test_jobs import RUNS_IN_BIG_FILE, make_jobs

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def big_csv() -> bytes:
    return long_strava_csv(RUNS_IN_BIG_FILE, start=START)


def job_page(job: ImportJob) -> str:
    return f"/import/jobs/{job.pk}/"


def post_files(client: Client, **files: bytes) -> str:
    response = client.post(
        "/import/", {"files": [SimpleUploadedFile(name, content) for name, content in files.items()]}
    )
    assert response.status_code == 200
    return response.content.decode()


def progress_bar(html: str, job: ImportJob) -> str:
    """The job's ``<progress>``, after checking that a ``<label>`` names it."""
    [bar] = re.findall(rf'<progress id="import-job-progress-{job.pk}"[^>]*>', html)
    assert f'<label class="import-status" for="import-job-progress-{job.pk}">' in html
    return bar


def test_a_big_file_from_the_form_is_queued_and_shows_a_progress_bar_that_polls(
    alice: User, alice_client: Client, big_csv: bytes
) -> None:
    html = post_files(alice_client, **{"activities.csv": big_csv, "watch.fit": fit_file(fit_session(START))})

    job = ImportJob.objects.get(user=alice)
    assert job.status == "queued"
    # The small file was imported at once, beside it.
    assert "1 imported · 0 already in your log · 0 skipped" in html
    assert Run.objects.filter(user=alice).count() == 1
    progress_bar(html, job)
    assert "Waiting for its turn" in html
    [poller] = re.findall(rf'<div class="import-job" id="import-job-{job.pk}"[^>]*>', html)
    assert f'hx-get="{job_page(job)}"' in poller
    assert 'hx-trigger="every 1s"' in poller
    assert f'href="{job_page(job)}"' in html  # where to follow it without JavaScript


def test_the_job_page_shows_progress_then_the_result_and_stops_polling(
    alice: User, alice_client: Client, big_csv: bytes
) -> None:
    post_files(alice_client, **{"activities.csv": big_csv})
    job = ImportJob.objects.get(user=alice)
    ImportJob.objects.filter(pk=job.pk).update(status="running", done=300, total=1200)

    page = alice_client.get(job_page(job))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "<h1>Import of" in html
    assert "activities.csv" in html
    bar = progress_bar(html, job)
    assert 'max="1200"' in bar
    assert 'value="300"' in bar
    assert "Reading the file: 25 %" in html
    ImportJob.objects.filter(pk=job.pk).update(status="queued", done=0, total=0)

    run_queued_tasks()

    partial = alice_client.get(job_page(job), headers={"HX-Request": "true"})
    assert partial["Vary"].count("HX-Request") == 1
    fragment = partial.content.decode()
    assert "<html" not in fragment
    assert f"{RUNS_IN_BIG_FILE} imported · 0 already in your log · 0 skipped" in fragment
    assert "hx-trigger" not in fragment  # over: the polling stops
    assert "<progress" not in fragment
    assert 'href="/runs/?needs_pain=1"' in fragment
    # After a reload: the same result, on the job's page and in the import page's list.
    assert f"{RUNS_IN_BIG_FILE} imported" in alice_client.get(job_page(job)).content.decode()
    listed = alice_client.get("/import/").content.decode()
    assert HtmlPage(listed).elements["import-jobs-title"][0] == "h2"
    assert f'<a class="import-name" href="{job_page(job)}">activities.csv</a>' in listed
    assert f"{RUNS_IN_BIG_FILE} imported" in listed


def test_a_failed_job_shows_why(alice: User, alice_client: Client) -> None:
    post_files(alice_client, **{"export.zip": zipped({"notes.txt": b"no runs here"})})
    job = ImportJob.objects.get(user=alice)

    run_queued_tasks()

    html = alice_client.get(job_page(job)).content.decode()
    assert "Not imported: This zip holds no activities.csv and no .fit, .gpx or .tcx files." in html
    assert "<progress" not in html


def test_a_zip_from_the_form_is_always_queued(alice: User, alice_client: Client) -> None:
    html = post_files(alice_client, **{"small.zip": zipped({"a.fit": fit_file(fit_session(START))})})
    job = ImportJob.objects.get(user=alice)
    assert f'href="{job_page(job)}"' in html
    assert not Run.objects.exists()
    run_queued_tasks()
    assert Run.objects.filter(user=alice).count() == 1


def test_another_users_job_page_is_not_found(
    alice: User, alice_client: Client, bob_client: Client, big_csv: bytes
) -> None:
    post_files(alice_client, **{"activities.csv": big_csv})
    job = ImportJob.objects.get(user=alice)

    assert bob_client.get(job_page(job)).status_code == 404
    assert bob_client.get(job_page(job), headers={"HX-Request": "true"}).status_code == 404
    assert bob_client.get(f"/import/jobs/{uuid.uuid4()}/").status_code == 404
    assert str(job.pk) not in bob_client.get("/import/").content.decode()
    assert alice_client.get(job_page(job)).status_code == 200


def test_the_job_page_needs_a_sign_in(client: Client, alice_client: Client, big_csv: bytes) -> None:
    post_files(alice_client, **{"activities.csv": big_csv})
    response = client.get(job_page(ImportJob.objects.get()))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_import_page_lists_recent_jobs_at_a_constant_cost(alice: User, alice_client: Client) -> None:
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get("/import/").status_code == 200
        return len(queries)

    make_jobs(alice, 1)
    queries_for_page()  # the session's first page reads its profile and the like
    one = queries_for_page()
    make_jobs(alice, 49)
    assert queries_for_page() == one
    html = alice_client.get("/import/").content.decode()
    assert html.count('class="import-job"') == 5  # the latest few
