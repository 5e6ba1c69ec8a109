from __future__ import annotations

from django.contrib import admin

from reminders.models import PushSubscription, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "date", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["delivered_to", "payload", "claimed_at", "sent_at", "last_error"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "client", "created_at", "last_sent_at"]
