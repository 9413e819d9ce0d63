"""`units load | show CODE [--legacy] | stats | search TEXT`."""

from __future__ import annotations

from ntm.core.cli import CommandError, SubcommandCommand
from ntm.core.text import SEARCH_MAX, fold
from ntm.units.loader import HistoryError, load_history, load_units, unit_counts
from ntm.units.models import Unit
from ntm.units.schemas import find_unit, unit_brief, unit_detail


class Command(SubcommandCommand):
    help = "Đơn vị hành chính: nạp, xem, thống kê, tìm kiếm"
    subcommands = {
        "load": "Nạp toàn bộ đơn vị hành chính (hiện hành và trước 01/07/2025) từ vietnam-provinces",
        "show": "Xem một đơn vị: cấp trên, loại, vùng, hiệu lực, đơn vị trước/sau",
        "stats": "Số đơn vị theo cấp, hiện hành và trước 2025",
        "search": "Tìm đơn vị theo tên (không phân biệt dấu)",
        "load-history": "Nạp các lần sắp xếp đơn vị trước 2025 (ntm/units/data/history-*.toml) thành kế thừa có ngày",
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

    def handle_load_history(self, **_):
        try:
            stats = load_history()
        except HistoryError as exc:
            raise CommandError("Tệp lịch sử đơn vị không hợp lệ:\n" + "\n".join(exc.errors)) from exc
        return {"units_created": stats.units_created, "units_updated": stats.units_updated,
                "lineage_created": stats.lineage_created,
                "reorganisations": stats.reorganisations}

    def handle_show(self, code, legacy, **_):
        try:
            return unit_detail(find_unit(code, legacy))
        except Unit.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc

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
