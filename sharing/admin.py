from __future__ import annotations

from django.contrib import admin

from sharing.models import ShareAccess, ShareLink


class ShareAccessInline(admin.TabularInline):
    model = ShareAccess
    extra = 0
    can_delete = False
    readonly_fields = ["accessed_at", "kind", "client"]

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Read-only: links are made and revoked by their owners; the token is never stored."""

    list_display = ["label", "user", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = [
        "user",
        "label",
        "created_at",
        "expires_at",
        "revoked_at",
        "period_start",
        "period_end",
    ]
    exclude = ["digest"]
    inlines = [ShareAccessInline]

    def has_add_permission(self, request: object) -> bool:
        return False
