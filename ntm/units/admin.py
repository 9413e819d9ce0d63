from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin

from .models import Classification, Lineage, Unit


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "full_name", "scheme", "level", "kind", "region", "valid_from", "valid_to")
    list_filter = ("scheme", "level", "kind", "region")
    search_fields = ("code", "search_name")


@admin.register(Lineage)
class LineageAdmin(ReadOnlyAdmin):
    list_display = ("source", "target", "partial", "date")
    raw_id_fields = ("source", "target")


@admin.register(Classification)
class ClassificationAdmin(ReadOnlyAdmin):
    list_display = ("unit", "scheme", "value", "year_from", "year_to", "source", "set_at")
    list_filter = ("scheme", "value")
    search_fields = ("unit__search_name", "unit__code")
