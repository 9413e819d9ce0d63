"""Messages for refused input and the check-then-write step of a posted form, shared by the pages of
every app (no domain knowledge)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def submit[T](request: HttpRequest, form: forms.Form, write: Callable[[dict[str, Any]], T], done: str) -> T | None:
    """Check a bound `form`, then `write(cleaned_data)` (a service call, which may refuse with
    ValidationError): the success message `done` and what `write` returned, or every error as a message
    and None. Nothing is written when the form or the service refuses; then `form.errors` holds the
    reasons (the service's as errors of the whole form), so the page can show the form again, status
    400, with what the user typed."""
    if not form.is_valid():
        flash_form_errors(request, form)
        return None
    try:
        result = write(form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
        form.add_error(None, exc.messages)
        return None
    messages.success(request, done)
    return result
