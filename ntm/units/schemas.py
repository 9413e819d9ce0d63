"""Units as plain data for the API and the CLI, and lookup by official code."""

from __future__ import annotations

from typing import Any

from .models import Unit


def unit_brief(unit: Unit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"code": unit.code, "scheme": unit.scheme, "name": unit.full_name, "level": unit.level, "type": unit.kind}


def unit_detail(unit: Unit) -> dict[str, Any]:
    preds = unit.predecessor_links.select_related("source").order_by("source__code")
    succs = unit.successor_links.select_related("target").order_by("target__code")
    return {
        **unit_brief(unit),
        "short_name": unit.name,
        "parent": unit_brief(unit.parent),
        "province": unit_brief(unit.province),
        "region": unit.region or None,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "predecessors": [{**unit_brief(link.source), "partial": link.partial} for link in preds],
        "successors": [{**unit_brief(link.target), "partial": link.partial} for link in succs],
        "classifications": [
            {"scheme": c.scheme, "value": c.value, "year_from": c.year_from, "year_to": c.year_to}
            for c in unit.classifications.order_by("scheme", "year_from")
        ],
    }


def find_unit(code: str, legacy: bool = False) -> Unit:
    """A unit by its official code (zero-padding optional); `legacy` for a pre-2025 code; hamlets by their
    local code. Raises Unit.DoesNotExist with a Vietnamese message."""
    scheme = Unit.Scheme.LEGACY if legacy else Unit.Scheme.CURRENT
    candidates = [code, code.zfill(5), code.zfill(3), code.zfill(2)]
    found = {u.code: u for u in Unit.objects.select_related("parent", "province").filter(scheme=scheme, code__in=candidates)}
    unit = next((found[c] for c in candidates if c in found), None)
    if unit is None:
        unit = Unit.objects.select_related("parent", "province").filter(scheme=Unit.Scheme.LOCAL, code=code).first()
    if unit is None:
        hint = "" if legacy else " (đơn vị trước 01/07/2025? thêm --legacy)"
        raise Unit.DoesNotExist(f"Không tìm thấy đơn vị mã '{code}'{hint}")
    return unit
