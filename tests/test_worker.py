"""The queue's worker: periodic jobs on their schedule, queued tasks run once, and a clean
stop on SIGTERM (``manage.py worker`` in its own process)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backpainlog.worker import PeriodicJobs, WorkerStopped, fail_abandoned_task, prune_finished_tasks
from tests.helpers import ROOT

CALLS: list[str] = []


def count_call() -> None:
    CALLS.append("ok")


def always_fails() -> None:
    CALLS.append("failed")
    raise RuntimeError("boom")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_periodic_jobs_run_at_once_then_every_interval() -> None:
    CALLS.clear()
    clock = FakeClock()
    jobs = PeriodicJobs({"tests.test_worker.count_call": 60}, clock=clock)
    assert jobs.run_due() == 1
    clock.now += 59
    assert jobs.run_due() == 0
    clock.now += 1
    assert jobs.run_due() == 1
    assert CALLS == ["ok", "ok"]


def test_a_failing_periodic_job_does_not_stop_the_others() -> None:
    CALLS.clear()
    jobs = PeriodicJobs(
        {"tests.test_worker.always_fails": 30, "tests.test_worker.count_call": 30}, clock=FakeClock()
    )
    assert jobs.run_due() == 2
    assert CALLS == ["failed", "ok"]


def test_worker_command_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/worker.sqlite3"
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--poll", "0.1"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stderr is not None
        started = worker.stderr.readline()
        assert "started" in started, started
        time.sleep(0.5)  # a few rounds of polling
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
    finally:
        if worker.poll() is None:
            worker.kill()


@pytest.mark.django_db
def test_finished_tasks_older_than_a_month_are_pruned() -> None:
    now = timezone.now()
    _month_old, recent = (
        DBTaskResult.objects.create(
            task_path="backpainlog.worker.prune_finished_tasks",
            status=TaskResultStatus.SUCCESSFUL,
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
            finished_at=now - dt.timedelta(days=days),
        )
        for days in (31, 29)
    )
    prune_finished_tasks()
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [recent.id]


@pytest.mark.django_db
def test_a_task_abandoned_by_its_worker_is_recorded_as_failed_once() -> None:
    running, finished = (
        DBTaskResult.objects.create(
            task_path="imports.jobs.run_import_job",
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
            worker_ids=["killed-worker"],
        )
        for status in (TaskResultStatus.RUNNING, TaskResultStatus.SUCCESSFUL)
    )

    assert fail_abandoned_task(str(running.pk)) is True
    assert fail_abandoned_task(str(running.pk)) is False  # a second worker's turn changes nothing
    assert fail_abandoned_task(str(finished.pk)) is False

    running.refresh_from_db()
    assert running.status == TaskResultStatus.FAILED
    assert running.finished_at is not None
    assert running.task_result.errors[0].exception_class is WorkerStopped
    assert DBTaskResult.objects.get(pk=finished.pk).status == TaskResultStatus.SUCCESSFUL
