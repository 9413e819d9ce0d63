"""Read-only in the admin: the register is written through `services` (stars and expiry computed)."""

from django.contrib import admin

from .models import OcopProduct


@admin.register(OcopProduct)
class OcopProductAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "group", "total", "stars", "status", "expires_on"]
    list_filter = ["stars", "status", "group"]
    search_fields = ["name", "producer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
