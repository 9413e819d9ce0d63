"""Read-only in the admin: lessons and news are written through `services` (sanitised, audited)."""

from django.contrib import admin

from .models import NewsPost, Practice


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Practice)
class PracticeAdmin(ReadOnly):
    list_display = ["title", "unit", "published_on", "public"]


@admin.register(NewsPost)
class NewsPostAdmin(ReadOnly):
    list_display = ["title", "unit", "published", "published_at"]
