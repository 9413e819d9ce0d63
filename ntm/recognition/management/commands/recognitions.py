"""`recognitions --unit CODE [--legacy] [--format json]`: a unit's recognitions (level, year, kind, status,
decision {number, date, signer}); `recognitions --acknowledge [--province CODE] --as USER`: acknowledge
merged communes whose predecessors were all recognised (program-rules.md §1.6)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ntm.core.cli import CommandError, dump, user_named
from ntm.recognition.models import Recognition
from ntm.recognition.schemas import recognition_rows
from ntm.recognition.services import acknowledge_merged
from ntm.units.models import Unit
from ntm.units.schemas import find_unit


class Command(BaseCommand):
    help = "Quyết định công nhận của một đơn vị; thừa nhận xã sáp nhập"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="mã đơn vị")
        parser.add_argument("--legacy", action="store_true", help="mã trước 01/07/2025")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--acknowledge", action="store_true",
                            help="thừa nhận các xã sáp nhập có mọi xã cũ đã đạt chuẩn")
        parser.add_argument("--province", help="mã tỉnh (với --acknowledge)")
        parser.add_argument("--as", dest="as_user", help="tài khoản thực hiện (với --acknowledge)")

    def handle(self, *args, unit=None, legacy=False, format="text", acknowledge=False, province=None, as_user=None,
               **options):
        if acknowledge:
            user = user_named(as_user)
            communes = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE,
                                           predecessor_links__isnull=False).distinct()
            if province:
                communes = communes.filter(province__code=province.zfill(2))
            made = acknowledge_merged(user, units=communes)
            rows = [{"unit": r.unit.code, "name": r.unit.full_name, "level": r.level, "year": r.year} for r in made]
            self.stdout.write(dump(rows) if format == "json" else
                              "\n".join(f"{r['unit']} {r['name']}: {r['level']} {r['year']}" for r in rows) or
                              "Không có xã nào cần thừa nhận")
            return
        if not unit:
            raise CommandError("Cần --unit MÃ_ĐƠN_VỊ (hoặc --acknowledge)")
        try:
            found = find_unit(unit, legacy)
        except Unit.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        rows = recognition_rows(Recognition.objects.filter(unit=found))
        if format == "json":
            self.stdout.write(dump(rows))
            return
        if not rows:
            self.stdout.write(f"{found.full_name}: chưa có quyết định công nhận")
        for r in rows:
            d = r["decision"]
            self.stdout.write(f"{r['year']} {r['level']} ({r['kind']}, {r['status']}): {d['number'] or '—'} "
                              f"{d['date'] or ''} {d['signer'] or ''}".rstrip())
