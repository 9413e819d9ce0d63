"""`units load | show CODE [--legacy] | stats | search TEXT`."""

from __future__ import annotations

from typing import Any

from ntm.core.cli import CommandError, SubcommandCommand
from ntm.core.text import SEARCH_MAX, fold
from ntm.units.loader import load_units, unit_counts
from ntm.units.models import Unit


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
    scheme = Unit.Scheme.LEGACY if legacy else Unit.Scheme.CURRENT
    candidates = [code, code.zfill(5), code.zfill(3), code.zfill(2)]
    found = {u.code: u for u in Unit.objects.select_related("parent", "province").filter(scheme=scheme, code__in=candidates)}
    unit = next((found[c] for c in candidates if c in found), None)
    if unit is None:
        unit = Unit.objects.select_related("parent", "province").filter(scheme=Unit.Scheme.LOCAL, code=code).first()
    if unit is None:
        hint = "" if legacy else " (đơn vị trước 01/07/2025? thêm --legacy)"
        raise CommandError(f"Không tìm thấy đơn vị mã '{code}'{hint}")
    return unit


class Command(SubcommandCommand):
    help = "Đơn vị hành chính: nạp, xem, thống kê, tìm kiếm"
    subcommands = {
        "load": "Nạp toàn bộ đơn vị hành chính (hiện hành và trước 01/07/2025) từ vietnam-provinces",
        "show": "Xem một đơn vị: cấp trên, loại, vùng, hiệu lực, đơn vị trước/sau",
        "stats": "Số đơn vị theo cấp, hiện hành và trước 2025",
        "search": "Tìm đơn vị theo tên (không phân biệt dấu)",
    }

    def arguments_show(self, p):
        p.add_argument("code")
        p.add_argument("--legacy", action="store_true", help="mã trước 01/07/2025")

    def arguments_search(self, p):
        p.add_argument("text")
        p.add_argument("--limit", type=int, default=20)

    def handle_load(self, **_):
        stats = load_units()
        return {"created": stats.created, "updated": stats.updated, "lineage_created": stats.lineage_created,
                "counts": stats.counts}

    def handle_show(self, code, legacy, **_):
        return unit_detail(find_unit(code, legacy))

    def handle_stats(self, **_):
        counts = unit_counts()
        from ntm.units.models import Lineage

        return {
            "current": {lvl: counts.get(f"current.{lvl}", 0) for lvl in ("province", "commune", "hamlet")}
            | {"hamlet": counts.get("local.hamlet", 0)},
            "legacy": {lvl: counts.get(f"legacy.{lvl}", 0) for lvl in ("province", "district", "commune")},
            "lineage_links": Lineage.objects.count(),
        }

    def handle_search(self, text, limit, **_):
        units = Unit.objects.filter(search_name__contains=fold(text[:SEARCH_MAX])).select_related("parent").order_by("level", "search_name")[:limit]
        return [{**unit_brief(u), "parent": u.parent.full_name if u.parent else None} for u in units]

    def as_text(self, subcommand, result):
        if subcommand == "show":
            lines = [f"{result['name']} ({result['scheme']} {result['code']}), {result['type']}, vùng {result['region'] or '—'}"]
            lines.append(f"  thuộc: {result['parent']['name'] if result['parent'] else '—'}")
            lines.append(f"  hiệu lực: {result['valid_from'] or '…'} → {result['valid_to'] or '…'}")
            for key, label in (("predecessors", "hình thành từ"), ("successors", "nay thuộc")):
                for u in result[key]:
                    lines.append(f"  {label}: {u['name']} ({u['code']}){' — một phần' if u['partial'] else ''}")
            return "\n".join(lines)
        return super().as_text(subcommand, result)
