from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from clinical.models import QuestionnaireResponse, QuestionnaireSchedule, Treatment
from clinical.services import changes_refresh, dashboard_changed


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(admin.ModelAdmin):
    """Admin writes do not go through the services: keep each response's change from the
    first one current after them, as the services do."""

    list_display = ["user", "questionnaire", "completed_at", "score", "meaningful_change"]
    list_filter = ["questionnaire"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["score", "change_from_first", "meaningful_change", "change_text"]

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes_refresh(obj.user, obj.questionnaire)

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        changes_refresh(obj.user, obj.questionnaire)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        affected = {(row.user, row.questionnaire) for row in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user, key in affected:
            changes_refresh(user, key)


@admin.register(QuestionnaireSchedule)
class QuestionnaireScheduleAdmin(admin.ModelAdmin):
    list_display = ["user", "questionnaire", "schedule"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    """Treatments are drawn on the dashboard's cached chart: redraw it after admin writes."""

    list_display = ["user", "kind", "name", "dose", "started_at", "ended_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "name"]
    raw_id_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        dashboard_changed(obj.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        dashboard_changed(obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        owners = {row.user for row in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in owners:
            dashboard_changed(user)
