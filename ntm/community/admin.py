"""Read-only in the admin: community data is written through `services` (audited, scoped)."""

from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin as ReadOnly

from .models import Campaign, Commendation, CulturalTitle, Feedback


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly):
    list_display = ["title", "unit", "status", "moderation", "created_at"]
    list_filter = ["status", "moderation"]


admin.site.register(Campaign, ReadOnly)
admin.site.register(Commendation, ReadOnly)
admin.site.register(CulturalTitle, ReadOnly)
