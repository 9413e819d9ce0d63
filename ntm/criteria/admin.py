from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin

from .models import CriteriaSet


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ReadOnlyAdmin):
    """Published versions are immutable: new versions come from `manage.py criteria load`."""

    list_display = ("code", "version", "name", "decision", "year_from", "year_to", "province", "loaded_at")
    list_filter = ("unit_level", "level")
