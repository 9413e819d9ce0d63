"""Excel import views: download the year's template for a unit (a commune, or every commune of a
district or province), upload it back. Nothing is written unless every cell is valid."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from ntm.accounts.scope import get_unit_for, units_for
from ntm.criteria.evaluate import sets_above
from ntm.units.models import REFORM_DATE, Unit

from . import excel
from .models import closed_unit_years
from .rules import ratio_limits
from .services import CellInput, WriteRefused, values_for, write_figures
from .views import _context


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx) theo mẫu")
    source = forms.CharField(label="Nguồn số liệu", max_length=255, initial="Báo cáo của xã")


def _targets(request, unit: Unit, year: int) -> list[dict]:
    """The units this import may write: the unit itself, or the xã under a district/province."""
    editable = units_for(request.user, "figures.edit")
    if unit.level in (Unit.Level.COMMUNE, Unit.Level.HAMLET):
        qs = editable.filter(pk=unit.pk)
    else:
        scheme = Unit.Scheme.LEGACY if year <= REFORM_DATE.year else Unit.Scheme.CURRENT
        qs = editable.filter(level=Unit.Level.COMMUNE, kind="xã", scheme=scheme)
        qs = qs.filter(parent=unit) if unit.level == Unit.Level.DISTRICT else qs.filter(
            province__in=Unit.objects.filter(successor_links__target=unit) if scheme != unit.scheme else [unit])
    return list(qs.order_by("search_name").values("id", "code", "full_name", "level"))


def _fields(unit: Unit, targets: list[dict], year: int):
    """Columns: every raw field of the year's ladder for the units imported (denominators first)."""
    sample = unit if unit.level in (Unit.Level.COMMUNE, Unit.Level.HAMLET) else Unit.objects.get(pk=targets[0]["id"])
    specs, base, _ = _context(sample, year)
    ladder = [base, *sets_above(specs, base.code, year)]
    fields = {}
    for spec in ladder:
        for ind in spec.indicators():
            for name in (ind.denominator, ind.field, ind.numerator):
                if name and name not in fields:
                    fields[name] = spec.fields[name]
    return fields, ladder


@login_required
def import_figures(request, pk: int, year: int):
    unit = get_unit_for(request, pk, "figures.edit")
    targets = _targets(request, unit, year)
    if not targets:
        raise Http404("Không có đơn vị nào bạn được nhập số liệu năm này")
    fields, ladder = _fields(unit, targets, year)
    if request.GET.get("template"):
        data = excel.template(year, list(fields.values()), targets, values_for([t["id"] for t in targets], [year]))
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="so-lieu-{unit.code}-{year}.xlsx"'
        return response
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    closed = bool(closed_unit_years([t["id"] for t in targets], [year]))
    if request.method == "POST" and form.is_valid():
        by_code = {t["code"]: t["id"] for t in targets}
        current = values_for(list(by_code.values()), [year])
        cells, errors = excel.read(form.cleaned_data["file"].read(), year, fields, by_code, current,
                                   lambda f: ratio_limits(ladder, f))
        if not errors and not cells:
            errors = ["Tệp không có ô số liệu nào để nhập."]
        if not errors:
            try:
                result = write_figures(
                    request.user, [CellInput(u, year, f, v) for (u, f), v in cells.items()],
                    source=form.cleaned_data["source"][:255], comment="Nhập từ Excel", door="excel")
            except WriteRefused as exc:
                errors = exc.errors
            else:
                messages.success(request, f"Đã nhập {len(cells)} ô số liệu của {len({u for u, _ in cells})} đơn vị "
                                          f"({result.written} ô thay đổi); kết quả đã cập nhật.")
                return redirect("figure_import", pk=unit.pk, year=year)
    return render(request, "figures/import.html", {"unit": unit, "year": year, "form": form, "errors": errors[:100],
                                                   "more": max(0, len(errors) - 100), "targets": len(targets),
                                                   "closed": closed})

