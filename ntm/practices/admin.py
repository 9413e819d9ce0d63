"""Read-only in the admin: lessons and news are written through `services` (sanitised, audited)."""

from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin as ReadOnly

from .models import NewsPost, Practice


@admin.register(Practice)
class PracticeAdmin(ReadOnly):
    list_display = ["title", "unit", "published_on", "public"]


@admin.register(NewsPost)
class NewsPostAdmin(ReadOnly):
    list_display = ["title", "unit", "published", "published_at"]
