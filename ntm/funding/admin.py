from django.contrib import admin

from .models import (
    Board,
    BoardMember,
    Ceiling,
    CommunityProject,
    Contribution,
    Contributor,
    Disclosure,
    Expenditure,
    Inspection,
    ProjectType,
    Request,
    ResidentDecision,
)


class ReadOnly(admin.ModelAdmin):
    """Staff may look; every write goes through ntm.funding.services (scoped, audited; the ledger
    is corrected by reversing entries only)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (Board, BoardMember, Ceiling, CommunityProject, Contribution, Contributor, Disclosure, Expenditure,
              Inspection, ProjectType, Request, ResidentDecision):
    admin.site.register(model, ReadOnly)
