"""Read-only in the admin: community data is written through `services` (audited, scoped)."""

from django.contrib import admin

from .models import Campaign, Commendation, CulturalTitle, Feedback


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly):
    list_display = ["title", "unit", "status", "moderation", "created_at"]
    list_filter = ["status", "moderation"]


admin.site.register(Campaign, ReadOnly)
admin.site.register(Commendation, ReadOnly)
admin.site.register(CulturalTitle, ReadOnly)
