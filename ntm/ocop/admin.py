"""Read-only in the admin: the register is written through `services` (stars and expiry computed)."""

from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin as ReadOnly

from .models import OcopProduct


@admin.register(OcopProduct)
class OcopProductAdmin(ReadOnly):
    list_display = ["name", "unit", "group", "total", "stars", "status", "expires_on"]
    list_filter = ["stars", "status", "group"]
    search_fields = ["name", "producer"]
