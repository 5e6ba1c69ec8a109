"""``manage.py worker`` in its own processes, two at once against their own SQLite file,
finishes a queued import and one that a killed worker left running, each once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import ROOT
from tests.imports.test_jobs import RUNS_IN_BIG_FILE

# Run by `manage.py shell` against the worker's database: a runner with two big imports,
# one queued, one as a worker killed half-way leaves it (running, its heartbeat old, the
# queue's task claimed by the dead worker). Their runs follow each other, day after day.
SETUP = f"""
import datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from imports import jobs
from imports.models import ImportJob
from tests.factories import UserFactory
from tests.imports.builders import long_strava_csv

runner = UserFactory(username="runner")
start = dt.datetime(2020, 1, 1, 7, 0, tzinfo=dt.UTC)
for name, first_day in (("queued.csv", start), ("stopped.csv", start + dt.timedelta(days={RUNS_IN_BIG_FILE}))):
    upload = SimpleUploadedFile(name, long_strava_csv({RUNS_IN_BIG_FILE}, start=first_day))
    job = jobs.import_job_create(user=runner, upload=upload)
long_ago = timezone.now() - jobs.STALE_AFTER * 2
ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=long_ago, heartbeat_at=long_ago)
DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING", worker_ids=["killed"])
"""


def jobs_in(database: Path) -> dict[str, tuple[str, int]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT file_name, status, attempts FROM imports_importjob").fetchall()
    return {name: (status, attempts) for name, status, attempts in rows}


def runs_in(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*), COUNT(DISTINCT started_at) FROM runs_run").fetchone()


def test_worker_processes_finish_queued_and_interrupted_imports(tmp_path: Path) -> None:
    database = tmp_path / "worker.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0"], input=SETUP, text=True, cwd=ROOT, env=env, check=True
    )
    assert jobs_in(database) == {"queued.csv": ("queued", 1), "stopped.csv": ("running", 1)}

    # Two workers at once, as on two machines: each runs the periodic recovery as it starts.
    logs = [tmp_path / f"worker-{number}.log" for number in (1, 2)]
    outputs = [log.open("w") for log in logs]
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--poll", "0.1"], cwd=ROOT, env=env, stderr=output
        )
        for output in outputs
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and {status for status, _ in jobs_in(database).values()} != {
            "done"
        }:
            for worker, log in zip(workers, logs, strict=True):
                assert worker.poll() is None, log.read_text()
            time.sleep(0.2)
        # The stopped one was queued again once, by one of the workers: a second attempt.
        assert jobs_in(database) == {"queued.csv": ("done", 1), "stopped.csv": ("done", 2)}
        assert runs_in(database) == (2 * RUNS_IN_BIG_FILE, 2 * RUNS_IN_BIG_FILE)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        assert [worker.wait(timeout=10) for worker in workers] == [0, 0]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        for output in outputs:
            output.close()
