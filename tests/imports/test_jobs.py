"""Imports in the background: a file over 1 MB or any zip is queued (202), a worker runs
it with the usual parsers, budget and duplicate rules, its progress and result are read
back, a failure stores nothing, and a job whose worker stopped under it is run again
without storing anything twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from imports import jobs
from imports.models import ImportJob, JobStatus
from imports.parsers.budget import MAX_ACTIVITIES
from runs.models import Run
from tests.helpers import run_queued_tasks
from tests.imports.builders import (
    fit_file,
    fit_session,
    gpx_line,
    long_strava_csv,
    strava_csv,
    zipped,
)

URL = "/api/v1/imports/"
START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)
# 600 daily runs with long descriptions: about 1.3 MB.
RUNS_IN_BIG_FILE = 600


@pytest.fixture(scope="module")
def big_csv() -> bytes:
    data = long_strava_csv(RUNS_IN_BIG_FILE, start=START)
    assert len(data) > jobs.BACKGROUND_OVER_BYTES
    return data


def upload(client: APIClient | Client, name: str, content: bytes) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def queue(client: APIClient, name: str, content: bytes) -> dict[str, Any]:
    response = upload(client, name, content)
    assert response.status_code == 202, response.content
    return response.json()


def job_of(client: APIClient, queued: dict[str, Any]) -> dict[str, Any]:
    response = client.get(queued["url"])
    assert response.status_code == 200
    return response.json()


def test_a_file_over_1_mb_is_queued_then_imported_by_a_worker(
    alice: User, alice_api: APIClient, big_csv: bytes
) -> None:
    response = upload(alice_api, "activities.csv", big_csv)

    assert response.status_code == 202, response.content
    queued = response.json()
    assert set(queued) == {"id", "status", "url", "page"}
    assert queued["status"] == "queued"
    assert queued["url"] == f"/api/v1/imports/{queued['id']}/"
    assert queued["page"] == f"/import/jobs/{queued['id']}/"
    assert response["Location"] == queued["url"]
    waiting = job_of(alice_api, queued)
    assert {"id", "status", "done", "total", "result", "error"} <= set(waiting)
    assert (waiting["status"], waiting["done"], waiting["total"], waiting["result"], waiting["error"]) == (
        "queued",
        0,
        0,
        None,
        "",
    )
    assert not Run.objects.filter(user=alice).exists()

    run_queued_tasks()

    finished = job_of(alice_api, queued)
    assert finished["status"] == "done", finished
    assert finished["error"] == ""
    assert finished["done"] == finished["total"] > 0
    result = finished["result"]
    assert set(result) == {"created", "duplicates", "skipped", "runs"}
    assert (result["created"], result["duplicates"], result["skipped"]) == (RUNS_IN_BIG_FILE, 0, [])
    assert sorted(result["runs"]) == sorted(
        str(pk) for pk in Run.objects.filter(user=alice).values_list("pk", flat=True)
    )
    job = ImportJob.objects.get(pk=queued["id"])
    assert job.data is None  # the upload's bytes are gone once the job is over
    assert (job.attempts, job.file_name, job.file_size) == (1, "activities.csv", len(big_csv))
    assert job.started_at is not None
    assert job.finished_at is not None


def test_the_result_of_a_job_is_what_the_same_file_gets_at_once(alice: User, alice_api: APIClient) -> None:
    at_once = upload(alice_api, "activities.csv", strava_csv()).json()
    Run.objects.filter(user=alice).delete()

    queued = queue(alice_api, "export.zip", zipped({"export/activities.csv": strava_csv()}))
    run_queued_tasks()

    result = job_of(alice_api, queued)["result"]
    assert {key: value for key, value in result.items() if key != "runs"} == {
        key: value for key, value in at_once.items() if key != "runs"
    }
    assert sorted(result["runs"]) == sorted(at_once["runs"])  # the same derived ids


def test_a_file_of_1_mb_or_less_is_imported_at_once(alice: User, alice_api: APIClient) -> None:
    content = gpx_line(START)
    padded = content.replace(
        b"<gpx", b"<!--" + b" " * (jobs.BACKGROUND_OVER_BYTES - len(content) - 7) + b"--><gpx", 1
    )
    assert len(padded) == jobs.BACKGROUND_OVER_BYTES

    response = upload(alice_api, "padded.gpx", padded)

    assert response.status_code == 201, response.content
    assert response.json()["created"] == 1
    assert not ImportJob.objects.exists()
    # One byte more and it goes to the queue.
    assert upload(alice_api, "later.gpx", padded + b" ").status_code == 202


def test_any_zip_is_queued_however_small(alice: User, alice_api: APIClient) -> None:
    content = zipped({"activities/1.fit": fit_file(fit_session(START))})
    assert len(content) < 1000

    queued = queue(alice_api, "small.zip", content)
    run_queued_tasks()

    assert job_of(alice_api, queued)["result"]["created"] == 1


def test_a_file_of_the_wrong_type_or_empty_is_refused_at_once(alice: User, alice_api: APIClient) -> None:
    big = upload(alice_api, "notes.txt", b"x" * (jobs.BACKGROUND_OVER_BYTES + 1))
    assert (big.status_code, big.json()) == (400, {"file": ["Choose a .fit, .gpx, .tcx, .csv or .zip file."]})
    empty = upload(alice_api, "empty.zip", b"")
    assert empty.status_code == 400
    assert not ImportJob.objects.exists()


def test_the_same_file_sent_again_while_queued_joins_its_job(
    alice: User, alice_api: APIClient, big_csv: bytes
) -> None:
    first = queue(alice_api, "activities.csv", big_csv)
    retried = queue(alice_api, "activities.csv", big_csv)

    assert retried["id"] == first["id"]
    assert ImportJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    run_queued_tasks()
    # Once it is done, the same file again is a new job that finds only duplicates.
    again = queue(alice_api, "activities.csv", big_csv)
    assert again["id"] != first["id"]
    run_queued_tasks()
    result = job_of(alice_api, again)["result"]
    assert (result["created"], result["duplicates"]) == (0, RUNS_IN_BIG_FILE)
    assert Run.objects.filter(user=alice).count() == RUNS_IN_BIG_FILE


def test_two_users_may_queue_the_same_file(alice_api: APIClient, bob_api: APIClient, big_csv: bytes) -> None:
    assert queue(alice_api, "a.csv", big_csv)["id"] != queue(bob_api, "a.csv", big_csv)["id"]


def test_progress_is_written_as_the_file_is_read_and_not_for_every_row(
    alice: User, alice_api: APIClient, big_csv: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued = queue(alice_api, "activities.csv", big_csv)
    seen: list[tuple[int, int]] = []
    real_progress = jobs._Attempt.progress

    def noted(attempt: jobs._Attempt, done: int, total: int, *, force: bool = False) -> None:
        real_progress(attempt, done, total, force=force)
        row = ImportJob.objects.values_list("done", "total").get(pk=queued["id"])
        if row not in seen:
            seen.append(row)

    monkeypatch.setattr(jobs._Attempt, "progress", noted)
    # Every chance to write taken: the rows are read in steps of 256.
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)
    run_queued_tasks()

    assert len(seen) >= 3, seen
    totals = {total for _, total in seen}
    assert len(totals) == 1
    assert totals.pop() > RUNS_IN_BIG_FILE
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[0][0] < seen[-1][0] == seen[-1][1]


def test_progress_writes_are_throttled(alice: User, alice_api: APIClient, big_csv: bytes) -> None:
    queue(alice_api, "activities.csv", big_csv)
    with CaptureQueriesContext(connection) as queries:
        run_queued_tasks()
    progress_writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "imports_importjob"') and '"done" =' in query["sql"]
    ]
    # Read in well under a second here: the claim, the read file, the result; a few more
    # on a slow machine, never one for each of the hundreds of rows.
    assert 2 <= len(progress_writes) <= 10, progress_writes


def test_a_file_over_the_budget_fails_with_the_reason_and_stores_nothing(
    alice: User, alice_api: APIClient
) -> None:
    too_many = long_strava_csv(MAX_ACTIVITIES + 1, start=START, description_chars=0)
    queued = queue(alice_api, "export.zip", zipped({"activities.csv": too_many}))

    run_queued_tasks()

    failed = job_of(alice_api, queued)
    assert failed["status"] == "failed"
    assert "more than 5,000 runs and walks" in failed["error"]
    assert failed["result"] is None
    assert not Run.objects.exists()
    assert ImportJob.objects.get(pk=queued["id"]).data is None


def test_a_broken_zip_fails_with_the_reason(alice_api: APIClient) -> None:
    queued = queue(alice_api, "export.zip", b"PK\x03\x04 not really a zip")
    run_queued_tasks()
    assert job_of(alice_api, queued)["error"] == "This is not a readable zip file."


def test_an_error_while_storing_rolls_back_every_run(
    alice: User, alice_api: APIClient, big_csv: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refresh_fails(*args: object) -> None:
        # After the bulk insert: the runs were written when this is raised.
        assert Run.objects.filter(user=alice).count() == RUNS_IN_BIG_FILE
        raise RuntimeError("disk full")

    monkeypatch.setattr("imports.services.analytics_refresh", refresh_fails)
    queued = queue(alice_api, "activities.csv", big_csv)

    run_queued_tasks()

    failed = job_of(alice_api, queued)
    assert (failed["status"], failed["error"]) == ("failed", jobs.UNEXPECTED)
    assert not Run.objects.exists()
    # The queue keeps the traceback for whoever runs the server.
    task = DBTaskResult.objects.get()
    assert (task.status, task.exception_class_path) == ("FAILED", "builtins.RuntimeError")


def left_running_by_a_stopped_worker(job_id: str) -> None:
    """What a worker killed half-way leaves: its transaction rolled back (nothing stored),
    the job running with its last heartbeat, the queue's task claimed and never finished."""
    job = ImportJob.objects.get(pk=job_id)
    stopped_at = timezone.now() - jobs.STALE_AFTER - dt.timedelta(seconds=1)
    ImportJob.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, started_at=stopped_at, heartbeat_at=stopped_at, done=256, total=1000
    )
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING", worker_ids=["killed-worker"])


def test_a_job_whose_worker_stopped_is_run_again_and_stores_each_run_once(
    alice: User, alice_api: APIClient, big_csv: bytes
) -> None:
    queued = queue(alice_api, "activities.csv", big_csv)
    left_running_by_a_stopped_worker(queued["id"])
    run_queued_tasks()  # nothing ready: the task is the dead worker's
    assert job_of(alice_api, queued)["status"] == "running"

    lost_task = ImportJob.objects.get(pk=queued["id"]).task_id
    assert jobs.import_jobs_recover() == 1
    assert jobs.import_jobs_recover() == 0  # a second worker's turn finds nothing to do
    assert job_of(alice_api, queued)["status"] == "queued"
    # The stopped worker's task is recorded as failed, not left "running"; a new one is queued.
    assert DBTaskResult.objects.get(pk=lost_task).status == "FAILED"
    assert ImportJob.objects.get(pk=queued["id"]).task_id != lost_task
    run_queued_tasks()

    finished = job_of(alice_api, queued)
    assert finished["status"] == "done", finished
    assert finished["result"]["created"] == RUNS_IN_BIG_FILE
    assert ImportJob.objects.get(pk=queued["id"]).attempts == 2
    assert Run.objects.filter(user=alice).count() == RUNS_IN_BIG_FILE
    assert Run.objects.filter(user=alice).values("started_at").distinct().count() == RUNS_IN_BIG_FILE


def test_a_job_stopped_after_some_of_its_runs_came_in_another_way_stores_the_rest_once(
    alice: User, alice_api: APIClient, big_csv: bytes
) -> None:
    """The file went in at once meanwhile (a retry from another device): the rerun finds
    those runs already there by their derived ids."""
    queued = queue(alice_api, "activities.csv", big_csv)
    left_running_by_a_stopped_worker(queued["id"])
    first_half = long_strava_csv(RUNS_IN_BIG_FILE // 2, start=START, description_chars=10)
    assert upload(alice_api, "first-half.csv", first_half).status_code == 201

    jobs.import_jobs_recover()
    run_queued_tasks()

    result = job_of(alice_api, queued)["result"]
    assert (result["created"], result["duplicates"]) == (RUNS_IN_BIG_FILE // 2, RUNS_IN_BIG_FILE // 2)
    assert Run.objects.filter(user=alice).count() == RUNS_IN_BIG_FILE


def test_a_job_that_keeps_stopping_its_worker_fails_in_the_end(
    alice: User, alice_api: APIClient, big_csv: bytes
) -> None:
    queued = queue(alice_api, "activities.csv", big_csv)
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        left_running_by_a_stopped_worker(queued["id"])
        assert jobs.import_jobs_recover() == 1
        job = ImportJob.objects.get(pk=queued["id"])
        assert job.status == JobStatus.QUEUED
    left_running_by_a_stopped_worker(queued["id"])
    assert jobs.import_jobs_recover() == 1

    failed = job_of(alice_api, queued)
    assert (failed["status"], failed["error"]) == ("failed", jobs.INTERRUPTED)
    assert ImportJob.objects.get(pk=queued["id"]).data is None
    run_queued_tasks()  # the tasks queued on the way find the job over
    assert not Run.objects.exists()


def test_a_job_waiting_in_a_long_queue_is_left_alone(alice_api: APIClient, big_csv: bytes) -> None:
    queued = queue(alice_api, "activities.csv", big_csv)
    long_ago = timezone.now() - jobs.STALE_AFTER * 10
    ImportJob.objects.filter(pk=queued["id"]).update(heartbeat_at=long_ago)

    assert jobs.import_jobs_recover() == 0
    assert DBTaskResult.objects.count() == 1


def test_a_queued_job_whose_task_was_lost_is_queued_again(
    alice: User, alice_api: APIClient, big_csv: bytes
) -> None:
    """The worker stopped between claiming the task and starting the job."""
    queued = queue(alice_api, "activities.csv", big_csv)
    job = ImportJob.objects.get(pk=queued["id"])
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING")
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - jobs.STALE_AFTER * 2)

    assert jobs.import_jobs_recover() == 1
    run_queued_tasks()

    assert job_of(alice_api, queued)["result"]["created"] == RUNS_IN_BIG_FILE


def test_an_attempt_given_up_for_lost_stores_nothing_when_it_finishes(
    alice: User, alice_api: APIClient, big_csv: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that was only slow, not stopped: its job was queued again meanwhile, so
    its own run rolls back and the new attempt is the one that counts."""
    queued = queue(alice_api, "activities.csv", big_csv)
    real_progress = jobs._Attempt.progress

    def requeued_meanwhile(attempt: jobs._Attempt, done: int, total: int, *, force: bool = False) -> None:
        if force:  # read: another worker gave this attempt up while it was reading
            ImportJob.objects.filter(pk=queued["id"]).update(
                attempts=attempt.number + 1, status=JobStatus.QUEUED
            )
        real_progress(attempt, done, total, force=force)

    monkeypatch.setattr(jobs._Attempt, "progress", requeued_meanwhile)
    jobs.import_job_run(job_id=ImportJob.objects.get().pk)

    assert not Run.objects.exists()
    assert job_of(alice_api, queued)["status"] == "queued"


def test_another_users_job_is_not_found(alice_api: APIClient, bob_api: APIClient, big_csv: bytes) -> None:
    queued = queue(alice_api, "activities.csv", big_csv)

    assert bob_api.get(queued["url"]).status_code == 404
    assert bob_api.get(URL).json()["count"] == 0
    assert alice_api.get(URL).json()["count"] == 1
    assert alice_api.get("/api/v1/imports/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_job_needs_credentials(client: Client, alice_api: APIClient, big_csv: bytes) -> None:
    queued = queue(alice_api, "activities.csv", big_csv)
    assert client.get(queued["url"]).status_code == 401


def test_the_list_of_jobs_costs_the_same_queries_for_1_and_50(alice: User, alice_api: APIClient) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = alice_api.get(URL)
        assert response.status_code == 200
        return len(queries)

    make_jobs(alice, 1)
    queries_for_list()  # the first request of a session makes its profile and the like
    one = queries_for_list()
    make_jobs(alice, 49)
    assert alice_api.get(URL).json()["count"] == 50
    assert queries_for_list() == one


def make_jobs(user: User, count: int) -> None:
    now = timezone.now()
    ImportJob.objects.bulk_create(
        ImportJob(
            user=user,
            status=JobStatus.DONE,
            file_name=f"export-{index}.zip",
            file_size=100,
            sha256=f"{index:064x}",
            result={"created": 1, "duplicates": 0, "skipped": [], "runs": []},
            heartbeat_at=now,
            total=1,
            done=1,
        )
        for index in range(count)
    )


def test_the_database_refuses_impossible_jobs(alice: User) -> None:
    now = timezone.now()
    fields: dict[str, object] = {
        "user": alice,
        "file_name": "a.zip",
        "file_size": 1,
        "sha256": "0" * 64,
        "heartbeat_at": now,
    }
    impossible: list[dict[str, object]] = [
        {"status": "paused", "data": b"x"},
        {"done": 2, "total": 1, "data": b"x"},
        {"status": JobStatus.QUEUED},  # waiting, without the file
        {"status": JobStatus.DONE, "data": b"x", "result": {}},  # done, the file kept
        {"status": JobStatus.DONE},  # done, no result
        {"status": JobStatus.FAILED},  # failed, without a reason
        {"file_size": 26 * 1024 * 1024, "data": b"x"},
    ]
    for changes in impossible:
        with pytest.raises(IntegrityError), transaction.atomic():
            ImportJob.objects.create(**{**fields, **changes})
    ImportJob.objects.create(**fields, data=b"x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportJob.objects.create(**fields, data=b"x", status=JobStatus.RUNNING)  # the same file twice at once


def test_deleting_the_account_deletes_its_jobs(alice: User, alice_api: APIClient, big_csv: bytes) -> None:
    queue(alice_api, "activities.csv", big_csv)
    alice.delete()
    assert not ImportJob.objects.exists()
