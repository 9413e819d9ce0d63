from django.contrib import admin

from .models import Assignment, Budget, Committee, CostRate, Member, Organisation, Plan, ResidentPriority, Review, Task


class ReadOnly(admin.ModelAdmin):
    """Staff may look; every write goes through ntm.plans.services (scoped and audited)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (Assignment, Budget, Committee, CostRate, Member, Organisation, Plan, ResidentPriority, Review, Task):
    admin.site.register(model, ReadOnly)
