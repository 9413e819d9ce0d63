"""`manage.py prioritise --unit CODE [--legacy] --year YYYY [--format json|text]`: the ranked
unmet and at-risk indicators of a unit (indicator, criterion, gap, cost, rank, reason)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ntm.core import requestid
from ntm.core.cli import dump
from ntm.plans.prioritise import fmt, money
from ntm.plans.selectors import ranking
from ntm.units.models import Unit
from ntm.units.schemas import find_unit


class Command(BaseCommand):
    help = "Xếp hạng các chỉ tiêu chưa đạt và có nguy cơ tụt hạng của một đơn vị (làm gì trước)"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã đơn vị")
        parser.add_argument("--legacy", action="store_true", help="mã đơn vị trước 01/07/2025")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        try:
            unit = find_unit(options["unit"], legacy=options["legacy"])
        except Unit.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        with requestid.activity("cli"):
            result = ranking(unit, options["year"])
        if result.error:
            raise CommandError(result.error)
        data = result.as_dict()
        if options["format"] == "json":
            self.stdout.write(dump(data))
            return
        self.stdout.write(f"{unit.full_name} — {options['year']} — bộ {result.set_code}")
        for item in result.items:
            self.stdout.write(f"{item.rank:>3}. {item.indicator:<6} khoảng cách {fmt(item.gap):>8}  "
                              f"chi phí {money(item.cost):>18}  {item.reason}")
