from django.contrib import admin

from ntm.accounts.admin import ReadOnlyAdmin

from .models import Assignment, Budget, Committee, CostRate, Member, Organisation, Plan, ResidentPriority, Review, Task

# Browse only: every write goes through the app's services (scoped, audited).
for model in (Assignment, Budget, Committee, CostRate, Member, Organisation, Plan, ResidentPriority, Review, Task):
    admin.site.register(model, ReadOnlyAdmin)
