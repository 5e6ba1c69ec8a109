from django.contrib import admin

from runs.admin import KeepsAnalyticsCurrent
from shoes.models import Insole, Shoe


@admin.register(Shoe, Insole)
class GearAdmin(KeepsAnalyticsCurrent):
    list_display = ["name", "user", "started_on", "retired_on", "is_default"]
    raw_id_fields = ["user"]
