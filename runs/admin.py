from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from runs.models import PainCheckin, Run
from runs.services import analytics_refresh


class KeepsAnalyticsCurrent(admin.ModelAdmin):
    """Admin writes do not go through the services: recompute the owner's stored flags
    and patterns (and so the dashboard) after each one, as the services do."""

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        analytics_refresh(obj.user)

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        analytics_refresh(obj.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        owners = {row.user for row in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in owners:
            analytics_refresh(user)


@admin.register(Run)
class RunAdmin(KeepsAnalyticsCurrent):
    list_display = ["started_at", "user", "activity", "distance_m", "pain_before", "pain_after"]
    list_filter = ["activity", "surface"]
    raw_id_fields = ["user", "shoe", "insole"]


@admin.register(PainCheckin)
class PainCheckinAdmin(KeepsAnalyticsCurrent):
    list_display = ["recorded_at", "user", "score", "radiating_leg_pain", "flare"]
    raw_id_fields = ["user"]
