"""The admin site's user forms apply the same username rules as the site's (usernames.check_new)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User

from .usernames import UsernameError, check_new


class _CheckedUsername:
    def clean_username(self):
        try:
            return check_new(self.cleaned_data["username"], exclude_pk=self.instance.pk)
        except UsernameError as exc:
            raise forms.ValidationError(str(exc)) from exc


class CreateForm(_CheckedUsername, AdminUserCreationForm):
    pass


class ChangeForm(_CheckedUsername, UserChangeForm):
    pass


admin.site.unregister(User)


@admin.register(User)
class NtmUserAdmin(UserAdmin):
    add_form = CreateForm
    form = ChangeForm
