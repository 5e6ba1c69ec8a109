from django.contrib import admin

from backpainlog.accounts.models import ApiToken, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "distance_unit", "timezone"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "label", "created_at"]
    readonly_fields = ["digest"]
    raw_id_fields = ["user"]
