"""Finding units: the tree (province → [district until 2025] → commune → hamlet) and search."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ntm.accounts.scope import get_unit_for, units_for
from ntm.core.text import fold

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


CODE_QUERY = re.compile(r"(?i)(l:)?\s*(\d[\d-]*)")


@login_required
def search(request):
    """Units by name (diacritics and case ignored: "tho long") or by official code ("15505": the
    current commune, its pre-2025 namesake and hamlets; "L:15505": pre-2025 units only)."""
    raw = request.GET.get("q", "").strip()
    text = fold(raw)
    results = []
    code = CODE_QUERY.fullmatch(raw)
    if code:
        qs = units_for(request.user).filter(code__startswith=code[2]).select_related("parent", "province")
        if code[1]:
            qs = qs.filter(scheme=Unit.Scheme.LEGACY)
        results = sorted(qs[:200], key=lambda u: (u.code != code[2], u.scheme != Unit.Scheme.CURRENT, len(u.code), u.code))[:30]
    elif len(text) >= 2:
        qs = units_for(request.user).filter(search_name__contains=text).select_related("parent", "province")
        results = sorted(qs[:200], key=lambda u: (u.scheme != Unit.Scheme.CURRENT, u.search_name.find(text), len(u.search_name)))[:30]
    template = "units/_search_results.html" if request.htmx else "units/search.html"
    return render(request, template, {"results": results, "q": request.GET.get("q", "")})
