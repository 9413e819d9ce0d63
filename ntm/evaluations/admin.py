from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin

from .models import Evaluation, LevelChange


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "set_code", "set_version", "level", "criteria_met", "criteria_total", "error")
    list_filter = ("year", "level", "set_code")
    search_fields = ("unit__code", "unit__search_name")

    def get_queryset(self, request):
        return Evaluation.all_rows.select_related("unit")


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "from_level", "to_level", "reason", "set_code", "set_version", "at")
    list_filter = ("reason", "year")
