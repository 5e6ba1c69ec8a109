"""An import that runs in the background (docs/product.md#background-imports): a file
over 1 MB, or any zip.

The upload's bytes wait in the database, not on a disk: a worker on another machine
reads them from there. They are cleared once the job is done or failed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from imports.parsers import MAX_FILE_BYTES


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for its turn"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"


ACTIVE = [JobStatus.QUEUED, JobStatus.RUNNING]
FINISHED = [JobStatus.DONE, JobStatus.FAILED]


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField()
    # The same file sent again while it is still being imported joins the same job.
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField(null=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True)
    error = models.TextField(blank=True)
    # Times queued, the first included: a job that a restart cut short is queued again a
    # few times, and then it fails instead of looping forever. A run writes only while
    # its number is the job's, so an attempt given up for lost cannot finish.
    attempts = models.PositiveSmallIntegerField(default=1)
    # The queue's task for the latest attempt, to tell a job still waiting its turn from one
    # whose task was lost.
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # Moved on whenever the running job writes its progress: a job running with a heartbeat
    # long gone had its worker stopped under it.
    heartbeat_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="imports_job_user_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="imports_job_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[choice.value for choice in JobStatus]),
                name="imports_job_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="imports_job_done_le_total"
            ),
            models.CheckConstraint(
                condition=models.Q(file_size__lte=MAX_FILE_BYTES), name="imports_job_file_size_within_limit"
            ),
            # The bytes are kept while the job may still need them, and only then.
            models.CheckConstraint(
                condition=models.Q(status__in=ACTIVE, data__isnull=False)
                | models.Q(status__in=FINISHED, data__isnull=True),
                name="imports_job_data_while_active",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=JobStatus.DONE) | models.Q(result__isnull=False),
                name="imports_job_done_has_result",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=JobStatus.FAILED) | ~models.Q(error=""),
                name="imports_job_failed_says_why",
            ),
            models.UniqueConstraint(
                fields=["user", "sha256"],
                condition=models.Q(status__in=ACTIVE),
                name="imports_job_one_active_per_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def progress_text(self) -> str:
        """What the job is doing, beside its progress bar."""
        if self.status == JobStatus.QUEUED:
            return "Waiting for its turn"
        if self.status != JobStatus.RUNNING:
            return self.get_status_display()
        if not self.total:
            return "Reading the file"
        if self.done < self.total:
            return f"Reading the file: {100 * self.done // self.total} %"
        return "Saving the runs"
