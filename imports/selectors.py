"""Reads of the import jobs: always the user's own, and never the upload's bytes (up to
25 MB a job) unless a worker runs the job."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User
from django.db.models import QuerySet

from imports.models import ImportJob

#: Jobs the import page lists: the latest few.
RECENT_JOBS = 5


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(user=user).defer("data")


def import_job_of(*, user: User, job_id: uuid.UUID) -> ImportJob:
    """The user's job; ``ImportJob.DoesNotExist`` for anyone else's."""
    return import_jobs_of(user).get(pk=job_id)


def import_jobs_recent(*, user: User, excluding: list[uuid.UUID] | None = None) -> list[ImportJob]:
    return list(import_jobs_of(user).exclude(pk__in=excluding or [])[:RECENT_JOBS])
