"""Public API routes (no sign-in): lessons (diacritic-insensitive search) and OCOP products.
Mounted on the main API in routes.py with auth=None on each route."""

from __future__ import annotations

import re

from django.db.models import Q
from django.http import Http404
from ninja import Router

from ntm.ocop.models import OcopProduct
from ntm.ocop.schemas import ProductOut, product_out
from ntm.practices import services as practices
from ntm.practices.schemas import PracticeOut, practice_out
from ntm.units.models import Unit

router = Router(tags=["công khai"])


@router.get("/practices", response=list[PracticeOut], auth=None,
            summary="Bài học kinh nghiệm công khai; q tìm không phân biệt dấu")
def list_practices(request, q: str = "", criterion: str = "", limit: int = 50):
    qs = practices.search(practices.public_practices(), q)
    if criterion and re.fullmatch(r"[\w.-]{1,64}:[\w.]{1,16}", criterion):
        set_code, code = criterion.split(":", 1)
        qs = practices.for_criterion(qs, set_code, code)
    return [practice_out(p) for p in qs[: max(1, min(limit, 200))]]


@router.get("/ocop-products", response=list[ProductOut], auth=None,
            summary="Sản phẩm OCOP công khai của một đơn vị (mã xã hoặc tỉnh hiện hành): số sao, hạn giấy chứng nhận")
def list_products(request, unit: str = "", limit: int = 200):
    qs = OcopProduct.objects.filter(public=True).select_related("unit")
    if unit:
        if not re.fullmatch(r"[\w.-]{1,16}", unit):
            raise Http404("Không tìm thấy đơn vị")
        place = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, code=unit).first() or Unit.objects.filter(
            scheme=Unit.Scheme.LEGACY, code=unit).first()
        if place is None:
            raise Http404("Không tìm thấy đơn vị")
        qs = qs.filter(Q(unit=place) | Q(unit__province=place) | Q(unit__parent=place))
    return [product_out(p) for p in qs[: max(1, min(limit, 1000))]]
