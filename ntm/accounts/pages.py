"""The shape of a unit's list page with its "add" form, shared by the domain apps (plans, community
projects): fetched through the scope, written through the app's service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ntm.core.pages import submit
from ntm.units.models import Unit

from .scope import can, get_unit_for


def unit_list(request: HttpRequest, pk: int, *, action: str, form: Callable[..., forms.Form],
              create: Callable[..., models.Model], created: str, detail: str, template: str,
              context: Callable[[Unit], dict[str, Any]]) -> HttpResponse:
    """GET: `template` for unit `pk` with `unit`, `can_edit` (`action`) and `context(unit)`.
    POST: `form(request.POST, unit)` checked, then `create(user, unit, **cleaned_data)` (a service,
    which may refuse with ValidationError); the new object's page (`detail`, by pk) with the message
    `created`, or back to this page with every error. Outsiders get 404, read-only members 403 on POST."""
    if request.method == "POST":
        unit = get_unit_for(request, pk, action)
        obj = submit(request, form(request.POST, unit), lambda d: create(request.user, unit, **d), created)
        return redirect(detail, pk=obj.pk) if obj is not None else redirect(request.path)
    unit = get_unit_for(request, pk)
    return render(request, template, {"unit": unit, "can_edit": can(request.user, unit, action), **context(unit)})
