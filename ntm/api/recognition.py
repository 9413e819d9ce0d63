"""Recognitions of a unit, by its official code: the same rows as `manage.py recognitions`, scoped."""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from ntm.accounts.scope import units_for
from ntm.recognition.models import Recognition
from ntm.recognition.schemas import RecognitionOut, recognition_rows
from ntm.units.models import Unit
from ntm.units.schemas import find_unit

router = Router(tags=["công nhận"])


@router.get("/units/{code}/recognitions", response=list[RecognitionOut],
            summary="Quyết định công nhận của một đơn vị (theo mã; legacy=true cho mã trước 01/07/2025)")
def unit_recognitions(request, code: str, legacy: bool = False):
    try:
        unit = find_unit(code, legacy)
    except Unit.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    if not units_for(request.user).filter(pk=unit.pk).exists():
        raise Http404("Không tìm thấy đơn vị")
    return recognition_rows(Recognition.objects.restrict(request.user).filter(unit=unit))
