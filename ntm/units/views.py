"""Finding units: the tree (province → [district until 2025] → commune → hamlet) and search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ntm.accounts.scope import get_unit_for, units_for
from ntm.core.text import SEARCH_MAX, fold

from .models import Unit


@login_required
def tree(request):
    scheme = request.GET.get("scheme", Unit.Scheme.CURRENT)
    if scheme not in (Unit.Scheme.CURRENT, Unit.Scheme.LEGACY):
        scheme = Unit.Scheme.CURRENT
    visible = units_for(request.user)
    roots = visible.filter(level=Unit.Level.PROVINCE, scheme=scheme).order_by("search_name")
    if not roots.exists():  # a commune official: start from what they hold
        roots = visible.filter(scheme=scheme, level=Unit.Level.COMMUNE).order_by("search_name")[:50]
    return render(request, "units/tree.html", {"roots": roots, "scheme": scheme})


@login_required
def children(request, pk: int):
    unit = get_unit_for(request, pk)
    kids = units_for(request.user).filter(parent=unit).order_by("level", "search_name")
    return render(request, "units/_children.html", {"unit": unit, "children": kids})


@login_required
def search(request):
    text = fold(request.GET.get("q", "")[:SEARCH_MAX])[:SEARCH_MAX]
    results = []
    if len(text) >= 2:
        qs = units_for(request.user).filter(search_name__contains=text).select_related("parent", "province")
        results = sorted(qs[:200], key=lambda u: (u.scheme != Unit.Scheme.CURRENT, u.search_name.find(text), len(u.search_name)))[:30]
    template = "units/_search_results.html" if request.htmx else "units/search.html"
    return render(request, template, {"results": results, "q": request.GET.get("q", "")[:SEARCH_MAX]})
