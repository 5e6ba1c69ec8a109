from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from imports.models import ImportJob

# A tuple: the admin reads it as fields and as read-only fields alike.
JOB_FIELDS = (
    "user",
    "file_name",
    "file_size",
    "status",
    "done",
    "total",
    "attempts",
    "error",
    "result",
    "task_id",
    "created_at",
    "started_at",
    "heartbeat_at",
    "finished_at",
)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only, for whoever runs the server: which imports wait, run or failed, and why.
    The upload's bytes are never loaded here."""

    list_display = ["file_name", "user", "status", "done", "total", "attempts", "created_at", "finished_at"]
    list_filter = ["status"]
    fields = readonly_fields = JOB_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        return super().get_queryset(request).defer("data").select_related("user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
