"""Administrators upload a province's boundaries (GeoJSON, matched to units by code)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ntm.accounts.audit import record
from ntm.accounts.scope import is_admin
from ntm.units.models import Unit

from .geo import MAX_BYTES, MAX_FEATURES, MAX_POSITIONS, GeoError, parse_layer
from .models import MapLayer


class LayerForm(forms.Form):
    province = forms.CharField(label=gettext_lazy("Mã tỉnh (hiện hành)"), max_length=2)
    kind = forms.ChoiceField(label=gettext_lazy("Lớp"), choices=MapLayer.Kind.choices)
    credit = forms.CharField(label=gettext_lazy("Nguồn và giấy phép (hiện trên bản đồ)"), max_length=255)
    file = forms.FileField(label=gettext_lazy("Tệp GeoJSON"))

    def clean_province(self):
        code = self.cleaned_data["province"].strip().zfill(2)
        unit = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.PROVINCE, code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Không có tỉnh mã “%(code)s”") % {"code": code})
        return unit


@login_required
def upload(request):
    if not is_admin(request.user):
        raise Http404
    form = LayerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        province, kind = form.cleaned_data["province"], form.cleaned_data["kind"]
        if kind == MapLayer.Kind.COMMUNES:
            codes = Unit.objects.filter(province=province, level=Unit.Level.COMMUNE)
        else:
            legacy = Unit.objects.filter(successor_links__target=province)
            codes = Unit.objects.filter(province__in=legacy, level=Unit.Level.DISTRICT)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", f"Tệp quá lớn ({upload.size / 1024 / 1024:.1f} MB; tối đa {MAX_BYTES // 1024 // 1024} MB)".replace(".", ",", 1))
        else:
            try:
                data, matched, unmatched = parse_layer(upload.read(), set(codes.values_list("code", flat=True)))
            except GeoError as exc:
                for message in exc.errors:
                    form.add_error("file", message)
            else:
                layer = MapLayer.objects.create(province=province, kind=kind, data=data, matched=matched,
                                                credit=form.cleaned_data["credit"], uploaded_by=request.user)
                record(request.user, "reports.upload_map", layer, unit=province, after={"province": province.code, "kind": kind, "matched": matched})
                note = (_("; %(n)s mã không khớp: %(codes)s") % {"n": len(unmatched), "codes": ", ".join(unmatched[:10])}
                        if unmatched else "")
                messages.success(request, _("Đã nạp bản đồ %(province)s: %(matched)s vùng khớp mã%(note)s.")
                                 % {"province": province.full_name, "matched": matched, "note": note})
                return redirect("map_upload")
    limits = {"mb": MAX_BYTES // 1024 // 1024, "features": MAX_FEATURES, "positions": MAX_POSITIONS}
    return render(request, "reports/upload.html",
                  {"form": form, "layers": MapLayer.objects.select_related("province")[:20], "limits": limits})


@login_required
def layer(request, pk: int):
    """Boundaries are public information; any signed-in user may fetch them."""
    return JsonResponse(get_object_or_404(MapLayer, pk=pk).data)
