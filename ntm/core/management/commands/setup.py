"""`manage.py setup`: everything `make run` needs, idempotently — units, criteria sets, demo."""

import io
import time

from django.conf import settings
from django.core.management import call_command

from ntm.core.cli import NtmCommand


class Command(NtmCommand):
    help = "Nạp đơn vị hành chính, bộ tiêu chí và (ở chế độ demo) dữ liệu mẫu; chạy lại không mất gì"

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **options):
        for label, cmd in (("Đơn vị hành chính", ["units", "load"]),
                           ("Lịch sử sắp xếp đơn vị trước 2025", ["units", "load-history"]),
                           ("Bộ tiêu chí", ["criteria", "load-all"]),
                           ("Phong trào thi đua", ["community", "campaigns"]),
                           ("Bài học kinh nghiệm", ["practices", "load-seed"])):
            start = time.perf_counter()
            call_command(*cmd, stdout=io.StringIO())
            self.stdout.write(f"✔ {label} ({time.perf_counter() - start:.1f} s)")
        if settings.NTM_DEMO and not options["no_demo"]:
            from django.core.management import get_commands

            if "demo" in get_commands():
                call_command("demo")
