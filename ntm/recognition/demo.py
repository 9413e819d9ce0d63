"""The Thanh Hóa story as decisions (demo only; every decision number is marked "(mẫu)").

Read from the demo's stored evaluations, never from the story's constants:
- Thọ Xuân's communes: NTM in the first year their figures reach it (all by 2018; Nam Giang 2016), nâng
  cao and kiểu mẫu likewise (11 nâng cao and 2 kiểu mẫu by the 2022 results; Nam Giang nâng cao 2023);
  the district NTM in 2019 by the Prime Minister; its model hamlets (12 by 2022) by the district chair.
- Merged communes whose predecessors were all recognised are acknowledged (§1.6).
- Thọ Long's 2026 NTM dossier is open in consultation (by the demo users xa and giamsat).
- One commune elsewhere is recognised and at risk; one withdrawal case is open.
Idempotent: skipped when the demo decisions exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ntm.criteria.spec import LEVEL_RANK
from ntm.evaluations.models import Evaluation
from ntm.units.models import Unit

from . import services, workflow
from .models import Dossier, Recognition, WithdrawalCase

MARK = " (mẫu)"
PROVINCE = "38"
THO_XUAN = "395"
NAM_GIANG = "15505"
TRACKED = ("ntm", "nang_cao", "kieu_mau")


def done() -> bool:
    return Recognition.objects.filter(decision_number__endswith=MARK).exists()


class _Numbers:
    def __init__(self):
        self.seq: dict[tuple[int, str], int] = defaultdict(lambda: 100)

    def next(self, year: int, symbol: str) -> str:
        self.seq[(year, symbol)] += 7
        return f"{self.seq[(year, symbol)]}/{symbol}{MARK}"


def first_years(unit_ids: list[int], until: int = 2025) -> dict[int, dict[str, int]]:
    """{unit id: {level: first year its stored evaluation reached at least that level}}."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = Evaluation.objects.filter(unit_id__in=unit_ids, year__lte=until).exclude(level="").order_by("year")
    for unit_id, year, level in rows.values_list("unit_id", "year", "level"):
        for target in TRACKED:
            if LEVEL_RANK.get(level, 0) >= LEVEL_RANK[target] and target not in out[unit_id]:
                out[unit_id][target] = year
    return out


def _record(unit: Unit, level: str, year: int, numbers: _Numbers, date: dt.date | None = None) -> Recognition:
    date = date or dt.date(year, 12, 20)
    office = services.load().authority(unit.level, date)
    return services.create_recognition(
        unit, level, year, Recognition.Kind.RECORDED, decision_number=numbers.next(year, office.symbol),
        decision_date=date, issuing_body=office.body, signer_role=office.signer_role,
        note="Dữ liệu mẫu (demo) — không phải quyết định thật")


@transaction.atomic
def load(log: Callable[[str], None] = print) -> None:
    if done():
        log("✔ Quyết định công nhận mẫu đã có (bỏ qua)")
        return
    numbers = _Numbers()
    communes = list(Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.COMMUNE, parent__code=THO_XUAN,
                                        kind="xã", province__code=PROVINCE))
    if not communes:
        log("! Chưa có đơn vị Thọ Xuân: bỏ qua quyết định mẫu")
        return
    years = first_years([c.pk for c in communes])
    count = 0
    for c in communes:
        for level in TRACKED:
            year = years.get(c.pk, {}).get(level)
            if c.code == NAM_GIANG and level == "ntm":
                year = 2016  # seed 000
            if year:
                _record(c, level, year, numbers)
                count += 1
    district = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.DISTRICT, code=THO_XUAN).first()
    if district:
        _record(district, "ntm", 2019, numbers, dt.date(2020, 3, 12))  # the Prime Minister, for the 2019 results
        count += 1
    hamlets = list(Unit.objects.filter(level=Unit.Level.HAMLET, parent__in=communes))
    hyears = first_years([h.pk for h in hamlets])
    for h in hamlets:
        year = hyears.get(h.pk, {}).get("kieu_mau")
        if year:
            _record(h, "kieu_mau", year, numbers)
            count += 1
    log(f"  · {count} quyết định công nhận (Thọ Xuân, thôn kiểu mẫu)")
    acknowledged = services.acknowledge_merged(None, units=Unit.objects.filter(
        scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, province__code=PROVINCE,
        predecessor_links__isnull=False).distinct(), on=dt.date(2025, 7, 1))
    log(f"  · {len(acknowledged)} xã sau sáp nhập được thừa nhận")
    _at_risk_elsewhere(numbers, log)
    _withdrawal_case(acknowledged, log)
    _tho_long_dossier(log)


def _at_risk_elsewhere(numbers: _Numbers, log) -> None:
    """A commune outside Thọ Xuân that reached NTM and slipped in its latest year: recognised, at risk."""
    rows = Evaluation.objects.filter(unit__scheme=Unit.Scheme.LEGACY, unit__province__code=PROVINCE,
                                     unit__level=Unit.Level.COMMUNE, unit__kind="xã").exclude(
        unit__parent__code=THO_XUAN).order_by("unit__code", "year").values_list("unit_id", "year", "level", "criteria_met",
                                                                                "criteria_total")
    history: dict[int, list] = defaultdict(list)
    for unit_id, year, level, met, total in rows:
        history[unit_id].append((year, level, met, total))
    for unit_id, seq in history.items():
        reached = [y for y, lvl, _m, _t in seq if lvl]
        last = seq[-1]
        if reached and reached[0] < last[0] and not last[1] and last[3] - last[2] >= 1:
            unit = Unit.objects.get(pk=unit_id)
            _record(unit, "ntm", reached[0], numbers)
            log(f"  · cần duy trì: {unit.full_name} (NTM {reached[0]}, năm {last[0]} chưa đạt {last[3] - last[2]} tiêu chí)")
            return


def _withdrawal_case(acknowledged: list[Recognition], log) -> None:
    """Among acknowledged communes, the one whose 2026 result fails most (the rule first) gets a case."""
    if not acknowledged:
        return
    tinh = User.objects.filter(username="tinh").first()
    st = services.standings([r.unit_id for r in acknowledged])
    st = [s for s in st if s.verdict.failing and s.recognition.unit.code != NAM_GIANG]  # Thọ Long has its dossier
    if not st or tinh is None:
        return
    pick = max(st, key=lambda s: (s.verdict.consider, s.verdict.share_failing))
    reason = "" if pick.verdict.consider else "Đoàn kiểm tra của tỉnh đề nghị rà soát (dữ liệu mẫu)"
    case = services.open_withdrawal(tinh, pick.recognition, reason=reason)
    log(f"  · xem xét thu hồi: {case.unit.full_name} ({case.reason})")


def _tho_long_dossier(log) -> None:
    tho_long = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, code=NAM_GIANG).first()
    xa, giamsat = User.objects.filter(username="xa").first(), User.objects.filter(username="giamsat").first()
    if tho_long is None or xa is None or Dossier.objects.filter(unit=tho_long, year=2026).exists():
        return
    today = timezone.localdate()
    opened = today - dt.timedelta(days=6)
    d = services.open_dossier(xa, tho_long, "ntm", 2026)
    services.transition(xa, d, workflow.SELF_ASSESS, on=opened - dt.timedelta(days=2))
    services.transition(xa, d, workflow.OPEN_CONSULTATION, on=opened, opened_on=opened,
                        posted_at="Trụ sở UBND xã Thọ Long và nhà văn hóa các thôn")
    d.refresh_from_db()
    for days in (0, 2, 5):
        services.add_reading(xa, d, opened + dt.timedelta(days=days), "Đài truyền thanh xã")
    if giamsat:
        services.add_comment(giamsat, d, "Ủy ban MTTQ Việt Nam xã Thọ Long", opened + dt.timedelta(days=4),
                             "Nhất trí với báo cáo; đề nghị bổ sung số liệu thu nhập của các thôn mới sáp nhập.")
    log(f"  · hồ sơ NTM 2026 của {tho_long.full_name}: đang lấy ý kiến (từ {opened:%d/%m/%Y})")


def counts() -> dict[str, int]:
    """For tests and the log: recognitions by kind, open cases."""
    out = {k: Recognition.objects.filter(kind=k).count() for k, _ in Recognition.Kind.choices}
    out["cases"] = WithdrawalCase.objects.filter(state__in=["opened", "verified"]).count()
    return out
