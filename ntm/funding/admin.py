from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin

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

# Browse only: every write goes through the app's services (scoped, audited).
for model in (Board, BoardMember, Ceiling, CommunityProject, Contribution, Contributor, Disclosure, Expenditure,
              Inspection, ProjectType, Request, ResidentDecision):
    admin.site.register(model, ReadOnlyAdmin)
