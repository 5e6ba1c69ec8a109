from django.contrib import admin

from runs.models import PainCheckin, Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "user", "activity", "distance_m", "pain_before", "pain_after"]
    list_filter = ["activity", "surface"]
    raw_id_fields = ["user", "shoe", "insole"]


@admin.register(PainCheckin)
class PainCheckinAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "user", "score", "radiating_leg_pain", "flare"]
    raw_id_fields = ["user"]
