"""Finding units: the tree (province → [district until 2025] → commune → hamlet) and search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ntm.accounts.scope import get_unit_for, units_for
from ntm.core.text import SEARCH_MAX, fold

from . import excel, services
from .forms import FlagsForm, GroupForm
from .models import Classification, Unit
from .rules import suggest_group


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


@login_required
def classify(request, pk: int):
    """A province: its communes with their group (2026–2030) or flags (2021–2025). A commune: the form."""
    unit = get_unit_for(request, pk, "units.classify")
    if unit.level == Unit.Level.PROVINCE:
        return _classify_list(request, unit)
    if unit.scheme == Unit.Scheme.LEGACY:
        return _classify_flags(request, unit)
    row = services.current_group(unit)
    initial = {**(row.inputs if row else {}), "source": row.source if row else ""}
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.set_group(request.user, unit, inputs=form.inputs(), source=form.cleaned_data["source"],
                                        group=form.cleaned_data["group"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, f"{unit.full_name}: nhóm {change.new}. {change.reason}. Kết quả đánh giá đã cập nhật.")
            return redirect("unit_classify", pk=unit.province_id)
    suggestion = suggest_group(form.inputs()) if form.is_bound and form.is_valid() else (
        suggest_group(row.inputs) if row else None)
    return render(request, "units/classify_form.html", {"unit": unit, "form": form, "row": row,
                                                        "suggestion": suggestion, "ancestors": unit.ancestors()})


def _classify_flags(request, unit: Unit):
    current = sorted(unit.classifications.filter(scheme=Classification.Scheme.FLAG).values_list("value", flat=True))
    form = FlagsForm(request.POST or None, initial={"flags": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_flags(request.user, unit, flags=set(form.cleaned_data["flags"]), source=form.cleaned_data["source"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, f"{unit.full_name}: đã lưu đặc điểm; kết quả 2021–2025 đã cập nhật.")
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "units/classify_form.html", {"unit": unit, "form": form, "flags": True,
                                                        "ancestors": unit.ancestors()})


def _classify_list(request, province: Unit):
    communes = units_for(request.user, "units.classify").filter(
        province=province, level=Unit.Level.COMMUNE, kind="xã").order_by("search_name")
    groups = {c.unit_id: c for c in Classification.objects.filter(unit__in=communes, scheme=Classification.Scheme.GROUP)}
    rows = [{"unit": u, "group": groups.get(u.pk)} for u in communes]
    if request.GET.get("template"):
        data = excel.template([{"code": r["unit"].code, "name": r["unit"].full_name,
                                "inputs": r["group"].inputs if r["group"] else {},
                                # only a group the office chose against its inputs; otherwise the inputs decide
                                "group": int(r["group"].value) if r["group"] and int(r["group"].value) != suggest_group(
                                    r["group"].inputs).group else None,
                                "source": r["group"].source if r["group"] else ""} for r in rows])
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="nhom-xa-{province.code}.xlsx"'
        return response
    errors: list[str] = []
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        if upload.size > 5 * 1024 * 1024:
            errors = ["Tệp quá lớn (tối đa 5 MB)"]
        else:
            parsed, errors = excel.read(upload.read())
            if not errors:
                try:
                    changes = services.import_groups(request.user, province, parsed)
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    moved = sum(1 for c in changes if c.old != c.new)
                    messages.success(request, f"Đã nhập {len(changes)} xã ({moved} xã đổi nhóm); kết quả đánh giá đã cập nhật.")
                    return redirect("unit_classify", pk=province.pk)
    missing = sum(1 for r in rows if r["group"] is None)
    if request.GET.get("thieu"):
        rows = [r for r in rows if r["group"] is None]
    return render(request, "units/classify_list.html", {"unit": province, "rows": rows, "missing": missing,
                                                        "total": len(groups) + missing, "errors": errors[:100]})
