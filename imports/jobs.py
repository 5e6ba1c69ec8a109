"""Imports in the background (docs/product.md#background-imports): a file over 1 MB, or
any zip, becomes an :class:`~imports.models.ImportJob` that a queue worker
(``manage.py worker``) runs, so that no web worker is held by an import for more than a
moment.

A job is read with the same parsers, budget and duplicate rules as an import made while
the client waits (:mod:`imports.services`), and stored the same way, in one
transaction together with the job's result: a failed job says why and stores nothing.

Workers stop: a deploy, a crash, a machine taken away. A job whose worker stopped under
it is left "running" with a heartbeat that no longer moves; :func:`import_jobs_recover`,
a periodic job of every worker, queues it again. Running it twice stores its runs once:
their ids derive from the user and the start (:func:`imports.services.derived_id`), and
every write of a run checks that it is still the job's latest attempt, so an attempt
that was given up for lost and turns out alive rolls back instead of finishing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from backpainlog.accounts.selectors import user_zone
from backpainlog.worker import fail_abandoned_task
from imports.models import ACTIVE, ImportJob, JobStatus
from imports.parsers import Budget, UnreadableFile, extension_of, parse
from imports.services import import_activities, read_upload

logger = logging.getLogger(__name__)

#: Files larger than this, and every zip, are imported in the background.
BACKGROUND_OVER_BYTES = 1024 * 1024
#: A running job writes its progress (and so its heartbeat) at most this often.
PROGRESS_EVERY_SECONDS = 1.0
#: A job whose heartbeat is older than this lost its worker. Reading is capped at a few
#: CPU seconds (:mod:`imports.parsers.budget`) and storing at a few thousand runs, so a
#: live job never stays silent this long.
STALE_AFTER = dt.timedelta(minutes=2)
#: Attempts before a job that keeps stopping its worker (a file that exhausts the
#: machine's memory, say) is failed rather than tried again forever.
MAX_ATTEMPTS = 3

UNEXPECTED = "The import stopped on an error in the server; nothing was stored. Try again later."
INTERRUPTED = (
    f"The import was interrupted {MAX_ATTEMPTS} times; nothing was stored. "
    "Try again, or split the file into smaller ones."
)


def runs_in_background(upload: UploadedFile) -> bool:
    """Whether ``upload`` is imported by a worker rather than while the client waits. An
    empty file is not: it is refused at once."""
    size = upload.size or 0
    return size > BACKGROUND_OVER_BYTES or (size > 0 and (upload.name or "").lower().endswith(".zip"))


class _Superseded(Exception):
    """This attempt is no longer the job's latest (it was given up for lost and queued
    again): it stops, and stores nothing."""


def import_job_create(*, user: User, upload: UploadedFile) -> ImportJob:
    """Queue ``upload`` for a worker: its job.

    The same file sent again while its job waits or runs (a retried upload) gets that job
    back rather than a second one. A file of the wrong type or over the limit raises
    :class:`UnreadableFile` now rather than after a wait.
    """
    name = upload.name or ""
    extension_of(name)
    data = read_upload(upload)
    digest = hashlib.sha256(data).hexdigest()
    for _ in range(2):
        try:
            with transaction.atomic():
                job = ImportJob.objects.create(
                    user=user,
                    file_name=name[:255],
                    file_size=len(data),
                    sha256=digest,
                    data=data,
                    heartbeat_at=timezone.now(),
                )
                job.task_id = _enqueue(job.pk)
            return job
        except IntegrityError:
            # The unique constraint on a file's active job: fetch that job. It may have
            # finished in between, and then this file gets a job of its own after all.
            if (
                existing := ImportJob.objects.defer("data")
                .filter(user=user, sha256=digest, status__in=ACTIVE)
                .first()
            ):
                return existing
    raise RuntimeError("An import job could not be created")


def _enqueue(job_id: uuid.UUID) -> str:
    """Queue a run of the job (the task's id); in the caller's transaction, so that the
    task exists if and only if the job's new state does."""
    task_id = str(run_import_job.enqueue(str(job_id)).id)
    ImportJob.objects.filter(pk=job_id).update(task_id=task_id)
    return task_id


@task()
def run_import_job(job_id: str) -> None:
    import_job_run(job_id=uuid.UUID(job_id))


class _Attempt:
    """One attempt at a job: its writes, each made only while it is the job's latest
    attempt and still running."""

    def __init__(self, job: ImportJob) -> None:
        self.job_id, self.number = job.pk, job.attempts
        self.done, self.total = 0, 0
        self.written_at = time.monotonic()

    def _current(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.filter(pk=self.job_id, attempts=self.number, status=JobStatus.RUNNING)

    def progress(self, done: int, total: int, *, force: bool = False) -> None:
        """Note how far reading has got: in the database at most every
        :data:`PROGRESS_EVERY_SECONDS` (thousands of rows make a handful of writes)."""
        self.done, self.total = min(done, total), total
        now = time.monotonic()
        if not force and now - self.written_at < PROGRESS_EVERY_SECONDS:
            return
        self.written_at = now
        if not self._current().update(done=self.done, total=self.total, heartbeat_at=timezone.now()):
            raise _Superseded

    def finish(self, result: dict[str, object]) -> None:
        now = timezone.now()
        total = max(self.total, 1)
        if not self._current().update(
            status=JobStatus.DONE,
            result=result,
            done=total,
            total=total,
            data=None,
            finished_at=now,
            heartbeat_at=now,
        ):
            raise _Superseded

    def fail(self, reason: str) -> None:
        now = timezone.now()
        self._current().update(
            status=JobStatus.FAILED, error=reason, data=None, finished_at=now, heartbeat_at=now
        )


def import_job_run(*, job_id: uuid.UUID) -> None:
    """Run the job if it is waiting (a task whose job moved on does nothing)."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        done=0,
        total=0,
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    assert job.data is not None  # a constraint: an active job keeps its bytes
    attempt = _Attempt(job)
    try:
        budget = Budget()
        parsed = parse(
            job.file_name,
            bytes(job.data),
            zone=user_zone(job.user),
            budget=budget,
            progress=attempt.progress,
        )
        budget.spend("activities", len(parsed.activities))
        # Read: what is left is storing, shown as all read.
        attempt.progress(max(attempt.total, 1), max(attempt.total, 1), force=True)
        with transaction.atomic():
            result = import_activities(user=job.user, parsed=parsed)
            attempt.finish(result.as_dict())
    except _Superseded:
        logger.info("Import job %s: attempt %s was superseded", job_id, attempt.number)
    except UnreadableFile as exc:
        attempt.fail(exc.message)
    except Exception:
        attempt.fail(UNEXPECTED)
        raise


def _task_waiting(task_id: str) -> bool:
    """Whether the job's task is still in the queue, waiting for a worker."""
    if not task_id:
        return False
    try:
        return run_import_job.get_result(task_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:
        return False


def import_jobs_recover() -> int:
    """Queue again the jobs whose worker stopped under them; fail those interrupted
    :data:`MAX_ATTEMPTS` times. The number of jobs seen to.

    A periodic job of every worker (``WORKER_PERIODIC_JOBS``): each change is made only
    if the job is still as it was read, so of several workers one acts on a job.
    """
    stale_before = timezone.now() - STALE_AFTER
    # Read whole before any is changed: SQLite would see its own changes in a cursor left open.
    stale = list(
        ImportJob.objects.filter(status__in=ACTIVE, heartbeat_at__lt=stale_before).values_list(
            "pk", "status", "attempts", "task_id"
        )
    )
    recovered = 0
    for job_id, status, attempts, task_id in stale:
        if status == JobStatus.QUEUED and _task_waiting(task_id):
            continue  # the queue is long, not lost
        as_read = ImportJob.objects.filter(
            pk=job_id, status=status, attempts=attempts, heartbeat_at__lt=stale_before
        )
        now = timezone.now()
        with transaction.atomic():
            if attempts >= MAX_ATTEMPTS:
                changed = as_read.update(
                    status=JobStatus.FAILED, error=INTERRUPTED, data=None, finished_at=now, heartbeat_at=now
                )
            elif changed := as_read.update(
                status=JobStatus.QUEUED, attempts=F("attempts") + 1, heartbeat_at=now
            ):
                _enqueue(job_id)
            if changed and task_id:
                # The stopped worker's task record too, or it would say "running" for ever.
                fail_abandoned_task(task_id)
        if changed:
            logger.warning("Import job %s lost its worker after attempt %s", job_id, attempts)
            recovered += 1
    return recovered
