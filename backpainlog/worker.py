"""The queue's worker: runs queued tasks and the periodic jobs of ``WORKER_PERIODIC_JOBS``.

Tasks are django-tasks rows in the app's database (``django_tasks_db``), claimed with a
row lock (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction on
SQLite), so several workers on several machines never run one task twice. Periodic jobs
run in every worker; each must therefore be idempotent (reminders are keyed rows, for
instance), which is also what makes a restart harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as QueueWorker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

FINISHED_TASKS_KEPT_DAYS = 30


class PeriodicJobs:
    """Each job with the monotonic time it is next due; a job that raises is logged and
    tried again at its next turn (the worker itself keeps going)."""

    def __init__(self, jobs: dict[str, int], clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._jobs = [(import_string(path), seconds) for path, seconds in jobs.items()]
        self._due = [clock()] * len(self._jobs)

    def run_due(self) -> int:
        now, ran = self._clock(), 0
        for index, (job, seconds) in enumerate(self._jobs):
            if now < self._due[index]:
                continue
            self._due[index] = now + seconds
            ran += 1
            try:
                job()
            except Exception:
                logger.exception("Periodic job %s failed", job.__qualname__)
        return ran


def prune_finished_tasks() -> None:
    """Finished task records are kept a month (what an import or a reminder did can be looked
    up), then deleted; deleting is idempotent, so every worker may do it."""
    call_command("prune_db_task_results", queue_name="*", min_age_days=FINISHED_TASKS_KEPT_DAYS, verbosity=0)


class WorkerStopped(RuntimeError):
    """The worker running a task stopped (killed, or its machine went down) before the task finished."""


def fail_abandoned_task(task_id: str) -> bool:
    """Records as failed the task of a worker known to have stopped under it (for instance,
    its import job's heartbeat went stale); otherwise the record would say "running" for
    ever, and never be pruned. Only a task still marked running is changed, so of several
    workers one does it. Whether it was."""
    return bool(
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}",
            traceback="WorkerStopped: the worker running this task stopped before it finished.\n",
            return_value=None,
        )
    )


def queue_worker(*, worker_id: str | None = None) -> QueueWorker:
    """django-tasks-db's worker in batch mode: ``run()`` drains what is ready, then returns."""
    return QueueWorker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id or get_random_string(32),
    )


def run_forever(*, poll_seconds: float | None = None) -> None:
    """Until SIGTERM or SIGINT: the periodic jobs that are due, then every ready task, then
    a short sleep. A signal during a task lets the task finish (django-tasks-db's handler);
    during the sleep it exits at once, so nothing is ever left half done by a clean stop."""
    poll = settings.WORKER_POLL_SECONDS if poll_seconds is None else poll_seconds
    periodic = PeriodicJobs(settings.WORKER_PERIODIC_JOBS)
    tasks = queue_worker()
    tasks.configure_signals()
    logger.info("Worker %s started", tasks.worker_id)
    while tasks.running:
        periodic.run_due()
        tasks.run()
        if tasks.running:
            time.sleep(poll)
    logger.info("Worker %s stopped", tasks.worker_id)
