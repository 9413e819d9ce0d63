"""`recompute [--province CODE] [--year YYYY ...] [--legacy|--current] [--stale]`: bring stored
evaluations up to date by hand. Idempotent: a second run changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ntm.core import requestid
from ntm.core.cli import dump
from ntm.evaluations.models import Evaluation, LevelChange
from ntm.evaluations.recompute import recompute_all, recompute_units, stale_pairs


class Command(BaseCommand):
    help = "Tính lại kết quả đánh giá đã lưu (một tỉnh, một số năm, hoặc cả nước); chạy lại không đổi gì"

    def add_arguments(self, parser):
        parser.add_argument("--province", help="mã tỉnh, vd. 38")
        parser.add_argument("--year", type=int, action="append", dest="years")
        scheme = parser.add_mutually_exclusive_group()
        scheme.add_argument("--legacy", action="store_true", help="chỉ đơn vị trước 01/07/2025")
        scheme.add_argument("--current", action="store_true", help="chỉ đơn vị hiện hành")
        parser.add_argument("--stale", action="store_true", help="chỉ những đơn vị-năm có số liệu mới hơn kết quả")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **o):
        with requestid.activity("cli"):
            before = set(Evaluation.all_rows.values_list("unit_id", "year", "level", "error", "set_code", "set_version",
                                                         "criteria_met"))
            changes_before = LevelChange.objects.count()
            if o["stale"]:
                rows = sum(recompute_units(sorted(ids), [year], reason=LevelChange.Reason.RECOMPUTE)
                           for year, ids in sorted(stale_pairs().items()))
            else:
                legacy = True if o["legacy"] else (False if o["current"] else None)
                rows = recompute_all(province_code=o["province"], years=o["years"], legacy=legacy)
            after = set(Evaluation.all_rows.values_list("unit_id", "year", "level", "error", "set_code", "set_version",
                                                        "criteria_met"))
        result = {"evaluations": rows, "changed": len(after - before), "level_changes": LevelChange.objects.count() - changes_before,
                  "not_evaluable": Evaluation.all_rows.exclude(error="").count()}
        if o["format"] == "json":
            self.stdout.write(dump(result))
        else:
            self.stdout.write(f"Đã tính lại {rows} kết quả; {result['changed']} kết quả thay đổi, "
                              f"{result['level_changes']} thay đổi mức đạt; {result['not_evaluable']} đơn vị-năm không đánh giá được.")
