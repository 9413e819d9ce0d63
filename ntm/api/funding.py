"""API of the resources ledger: GET /api/units/{code}/contributions?year=YYYY[&legacy=true] → the
unit's entries (contributors only as they consented) and `totals` by source. Scoped: a unit
outside the user's grants is 404."""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from ntm.accounts.scope import units_for
from ntm.funding.schemas import LedgerOut
from ntm.funding.selectors import api_entries
from ntm.units.models import Unit

router = Router(tags=["nguồn lực"])


@router.get("/units/{code}/contributions", response=LedgerOut, summary="Sổ huy động nguồn lực của một đơn vị (theo mã), tổng theo nguồn")
def contributions(request, code: str, year: int | None = None, legacy: bool = False):
    scheme = Unit.Scheme.LEGACY if legacy else Unit.Scheme.CURRENT
    candidates = [code, code.zfill(5), code.zfill(3), code.zfill(2)]
    unit = units_for(request.user).filter(scheme=scheme, code__in=candidates).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    return api_entries(unit, year)
