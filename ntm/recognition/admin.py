from django.contrib import admin

from .models import Dossier, Recognition, Transition, WithdrawalCase


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ("unit", "level", "year", "kind", "status", "decision_number", "decision_date")
    list_filter = ("level", "kind", "status")
    search_fields = ("unit__search_name", "decision_number")
    raw_id_fields = ("unit", "dossier", "sources")

    def has_change_permission(self, request, obj=None):  # written through services only
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("unit", "level", "year", "state", "updated_at")
    list_filter = ("state", "level", "year")
    raw_id_fields = ("unit",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    list_display = ("at", "unit", "action", "from_state", "to_state", "user")
    raw_id_fields = ("unit", "dossier", "case")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WithdrawalCase)
class WithdrawalCaseAdmin(admin.ModelAdmin):
    list_display = ("unit", "recognition", "state", "share_failing", "opened_at")
    raw_id_fields = ("unit", "recognition")

    def has_change_permission(self, request, obj=None):
        return False
