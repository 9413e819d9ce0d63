"""`period close|reopen --province CODE --year YYYY --reason TEXT --as USER`: the same service as the
dashboard's buttons (the province office closes; a national administrator reopens, with a reason)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ntm.core.cli import CommandError, SubcommandCommand, user_named
from ntm.figures.services import WriteRefused, set_period
from ntm.units.models import Unit
from ntm.units.schemas import find_unit


class Command(SubcommandCommand):
    help = "Kỳ báo cáo: khoá hoặc mở lại một năm của một tỉnh"
    subcommands = {"close": "Khoá năm báo cáo của tỉnh (mọi đơn vị, cả trước sắp xếp và thôn)",
                   "reopen": "Mở lại năm đã khoá (quản trị viên, cần lý do)"}

    def _args(self, p):
        p.add_argument("--province", required=True)
        p.add_argument("--legacy", action="store_true")
        p.add_argument("--year", type=int, required=True)
        p.add_argument("--reason", default="")
        p.add_argument("--as", dest="as_user")

    arguments_close = arguments_reopen = _args

    def _set(self, closed: bool, province, legacy, year, reason, as_user, **_):
        user = user_named(as_user)
        try:
            unit = find_unit(province, legacy)
        except Unit.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        if unit.level != Unit.Level.PROVINCE:
            raise CommandError(f"“{unit.full_name}” không phải một tỉnh")
        try:
            period = set_period(user, unit, year, closed, reason=reason)
        except (PermissionDenied, WriteRefused) as exc:
            raise CommandError("\n".join(getattr(exc, "errors", [str(exc)]))) from exc
        return {"province": period.province.code, "name": period.province.full_name, "year": period.year,
                "closed": period.closed, "reason": period.reason}

    def handle_close(self, **o):
        return self._set(True, **o)

    def handle_reopen(self, **o):
        return self._set(False, **o)

    def as_text(self, subcommand, r):
        return f"{r['name']} — năm {r['year']}: {'đã khoá' if r['closed'] else 'đang mở'}"
