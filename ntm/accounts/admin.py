"""The admin site: every change made there is recorded in the one audit log; domain data that has a
service of its own (figures, classifications, evaluations, criteria sets) is read-only here, so the
service's checks cannot be bypassed."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.forms.models import model_to_dict

from .audit import record
from .models import AuditEntry, Grant
from .usernames import UsernameError, check_new


def _snapshot(obj) -> dict:
    return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
            for k, v in model_to_dict(obj).items() if k != "password"}


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions write an audit entry (action "admin.change" …)."""

    def save_model(self, request, obj, form, change):
        before = _snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record(request.user, "admin.change" if change else "admin.add", obj, before=before, after=_snapshot(obj))

    def delete_model(self, request, obj):
        record(request.user, "admin.delete", obj, before=_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(request.user, "admin.delete", obj, before=_snapshot(obj))
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse only: the app's service is the one way to change these rows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "unit__search_name", "unit__code")
    raw_id_fields = ("unit",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "action", "unit", "object_repr", "request_id")
    list_filter = ("action",)
    search_fields = ("object_repr", "request_id", "user__username")
    date_hierarchy = "at"


admin.site.unregister(User)


class _CheckedUsername:
    """The same username rules as the site's user form (usernames.check_new)."""

    def clean_username(self):
        try:
            return check_new(self.cleaned_data["username"], exclude_pk=self.instance.pk)
        except UsernameError as exc:
            raise forms.ValidationError(str(exc)) from exc


class UserCreateForm(_CheckedUsername, AdminUserCreationForm):
    pass


class UserEditForm(_CheckedUsername, UserChangeForm):
    pass


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    add_form = UserCreateForm
    form = UserEditForm


admin.site.site_header = "NTM — quản trị"
admin.site.site_title = "NTM"
