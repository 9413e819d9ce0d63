"""REST API (django-ninja): the same scope and the same engine as the pages.

Session authentication (sign in first); every unit lookup goes through the user's scope, so an
outsider gets 404. The OpenAPI schema is at /api/openapi.json (no CDN-hosted docs page)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from ntm.accounts.scope import units_for
from ntm.api.practices import router as practices_router
from ntm.api.recognition import router as recognition_router
from ntm.core.params import valid_id, valid_year
from ntm.core.text import SEARCH_MAX, fold
from ntm.criteria.evaluate import EvaluationError
from ntm.criteria.loader import registry
from ntm.criteria.models import CriteriaSet
from ntm.criteria.schemas import spec_detail
from ntm.evaluations.models import Evaluation
from ntm.evaluations.services import evaluate_stored_unit
from ntm.units.models import Unit
from ntm.units.schemas import unit_detail

from .funding import router as funding_router

api = NinjaAPI(title="NTM API", version="1", auth=django_auth, docs_url=None, urls_namespace="api")
api.add_router("", funding_router)
api.add_router("", recognition_router)


class UnitRef(Schema):
    """A unit above another one: enough to tell two communes of the same name apart."""

    code: str
    name: str


class UnitOut(Schema):
    """A unit row. `parent` (the district before 2025, the province after) and `province` tell
    apart units of the same name: Thanh Hóa alone had four communes and wards named Phú Sơn."""

    id: int
    code: str
    scheme: str
    level: str
    name: str
    region: str | None = None
    parent: UnitRef | None = None
    province: UnitRef | None = None


def _ref(unit: Unit | None) -> UnitRef | None:
    return UnitRef(code=unit.code, name=unit.full_name) if unit is not None else None


def unit_out(u: Unit) -> UnitOut:
    return UnitOut(id=u.pk, code=u.code, scheme=u.scheme, level=u.level, name=u.full_name, region=u.region or None,
                   parent=_ref(u.parent), province=_ref(u.province))


class YearResult(Schema):
    year: int
    set_code: str
    level: str | None
    criteria_met: int
    criteria_total: int


def _unit(request: HttpRequest, pk: int) -> Unit:
    if not valid_id(pk):
        raise Http404("Không tìm thấy đơn vị")
    unit = units_for(request.user).select_related("parent", "province").filter(pk=pk).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    return unit


@api.get("/units", response=list[UnitOut], summary="Tìm đơn vị (không phân biệt dấu)")
def search_units(request, q: str = "", scheme: str = "", level: str = "", limit: int = 50):
    qs = units_for(request.user).select_related("parent", "province")
    if q:
        qs = qs.filter(search_name__contains=fold(q[:SEARCH_MAX]))
    if scheme:
        qs = qs.filter(scheme=scheme)
    if level:
        qs = qs.filter(level=level)
    return [unit_out(u) for u in qs.order_by("search_name", "code")[: max(1, min(limit, 200))]]


@api.get("/units/{pk}", summary="Một đơn vị: cấp trên, tỉnh, vùng, hiệu lực, đơn vị trước/sau")
def get_unit(request, pk: int):
    """parent and province: {code, scheme, name, level, type} (null at the top)."""
    return {"id": pk, **unit_detail(_unit(request, pk))}


@api.get("/units/{pk}/evaluations", response=list[YearResult], summary="Kết quả đánh giá đã lưu, theo năm")
def unit_years(request, pk: int):
    unit = _unit(request, pk)
    return [
        YearResult(year=e.year, set_code=e.set_code, level=e.level or None, criteria_met=e.criteria_met,
                   criteria_total=e.criteria_total)
        for e in Evaluation.objects.filter(unit=unit).order_by("year")
    ]


@api.get("/units/{pk}/evaluations/{year}", summary="Đánh giá đầy đủ một năm (chỉ tiêu, ngưỡng, khoảng cách)")
def unit_year(request, pk: int, year: int):
    if not valid_year(year):
        raise Http404("Không có kết quả đánh giá năm này")
    try:
        return evaluate_stored_unit(_unit(request, pk), year)
    except EvaluationError as exc:
        raise Http404(str(exc)) from exc


@api.get("/criteria-sets", summary="Các bộ tiêu chí đã công bố")
def criteria_sets(request):
    latest = {}
    for row in CriteriaSet.objects.filter(published=True).order_by("code", "version"):
        latest[row.code] = row
    return [{"code": r.code, "version": r.version, "name": r.name, "decision": r.decision, "level": r.level,
             "unit_level": r.unit_level, "years": [r.year_from, r.year_to]} for r in latest.values()]


@api.get("/criteria-sets/{code}", summary="Một bộ tiêu chí: tiêu chí, chỉ tiêu, ngưỡng, nguồn")
def criteria_set(request, code: str):
    spec = registry().get(code)
    if spec is None:
        raise Http404("Không có bộ tiêu chí này")
    version = CriteriaSet.objects.filter(code=code, published=True).order_by("-version").values_list("version", flat=True)[0]
    return spec_detail(spec, version)


api.add_router("/", practices_router)  # public routes (auth=None on each): /api/practices, /api/ocop-products
