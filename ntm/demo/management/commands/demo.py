"""`manage.py demo`: the Thanh Hóa demo data set (never in production settings)."""

import time

from django.conf import settings
from django.core.management.base import CommandError

from ntm.core.cli import NtmCommand


class Command(NtmCommand):
    help = "Sinh dữ liệu mẫu Thanh Hóa (có nhãn 'demo'); chạy lại thì bỏ qua phần đã có"

    def handle(self, *args, **options):
        if not settings.NTM_DEMO:
            raise CommandError("Dữ liệu mẫu bị tắt (NTM_DEMO=0): không sinh dữ liệu mẫu trên hệ thống thật.")
        from ntm.demo.load import run

        start = time.perf_counter()
        run(self.stdout.write)
        self.stdout.write(f"  ({time.perf_counter() - start:.1f} s)")
