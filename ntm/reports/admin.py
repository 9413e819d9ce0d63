from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin

from .models import MapLayer


@admin.register(MapLayer)
class MapLayerAdmin(ReadOnlyAdmin):
    list_display = ("province", "kind", "matched", "credit", "uploaded_by", "uploaded_at")
