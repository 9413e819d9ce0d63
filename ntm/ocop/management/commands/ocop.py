"""`ocop remind|refresh [--today YYYY-MM-DD]`: the daily OCOP job (run it from cron or a worker).

- refresh: certificates past their expiry become "expired"; the communes affected are re-evaluated;
- remind: producers whose certificate expires within the reminder window (30 days) are emailed once.
"""

from __future__ import annotations

import datetime as dt

from ntm.core.cli import CommandError, SubcommandCommand
from ntm.ocop.services import refresh_statuses, send_reminders


class Command(SubcommandCommand):
    help = "Sổ OCOP: cập nhật hiệu lực giấy chứng nhận, nhắc hết hạn"
    subcommands = {"remind": "Gửi thư nhắc giấy chứng nhận sắp hết hạn (30 ngày)",
                   "refresh": "Chuyển giấy chứng nhận quá hạn sang “hết hiệu lực” và đánh giá lại xã"}

    def _args(self, p):
        p.add_argument("--today", default="", help="ngày tính (YYYY-MM-DD), mặc định hôm nay")

    arguments_remind = arguments_refresh = _args

    def _today(self, today: str) -> dt.date | None:
        if not today:
            return None
        try:
            return dt.date.fromisoformat(today)
        except ValueError as exc:
            raise CommandError(f"--today “{today}” không phải ngày YYYY-MM-DD") from exc

    def handle_remind(self, today="", **_):
        sent = send_reminders(self._today(today))
        return {"reminded": [{"id": p.pk, "name": p.name, "expires_on": p.expires_on.isoformat()} for p in sent]}

    def handle_refresh(self, today="", **_):
        return {"units": refresh_statuses(self._today(today))}
