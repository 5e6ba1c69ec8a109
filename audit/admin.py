from __future__ import annotations

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the app only, and stays as it was written."""

    list_display = ["occurred_at", "user", "kind", "client", "address"]
    list_filter = ["kind"]
    readonly_fields = ["user", "kind", "occurred_at", "detail", "client", "address"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
