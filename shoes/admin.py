from django.contrib import admin

from shoes.models import Insole, Shoe


@admin.register(Shoe, Insole)
class GearAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "started_on", "retired_on", "is_default"]
    raw_id_fields = ["user"]
