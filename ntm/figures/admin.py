from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin

from .models import Figure, FigureChange, Period


@admin.register(Figure)
class FigureAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "field", "value", "source", "updated_by", "updated_at")
    list_filter = ("year",)
    search_fields = ("unit__code", "unit__search_name", "field")


@admin.register(FigureChange)
class FigureChangeAdmin(ReadOnlyAdmin):
    list_display = ("figure", "old_value", "new_value", "changed_by", "changed_at")


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("province", "year", "closed", "reason", "changed_by", "changed_at")
    list_filter = ("closed", "year")
