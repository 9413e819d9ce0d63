"""Messages for refused input, shared by the pages of every app (no domain knowledge)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """One error message per message of a service's refusal."""
    for m in exc.messages:
        messages.error(request, m)


def flash_form_errors(request: HttpRequest, form: forms.Form) -> None:
    """One error message per form error, led by the field's label ("Năm đạt: …")."""
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)
