"""Demo plans (Thanh Hóa), written through the services as the system:

- the province's cost catalogue (data/costs.toml, illustrative);
- Thọ Long (15505) 2026: organisations, steering committee and management board, criteria
  assigned, residents' priorities, a plan built from the prioritiser (the unmet items and the
  thinnest at-risk one) with owners — its what-if reaches NTM;
- Thọ Xuân (legacy district 395), seed 000: "phấn đấu trở thành huyện NTM nâng cao vào trước năm
  2024", each criterion assigned to a department as the district did.
Names of people are invented for the demo. Idempotent: skipped when Thọ Long's plan exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from ntm.units.models import Unit

from . import services
from .models import Plan
from .selectors import ranking, what_if

YEAR = 2026
THO_LONG_PLAN = "Kế hoạch xây dựng xã Thọ Long đạt chuẩn nông thôn mới năm 2026"
THO_XUAN_PLAN = "Thọ Xuân phấn đấu trở thành huyện nông thôn mới nâng cao vào trước năm 2024"

COMMUNE_ORGS = [
    ("Công chức Địa chính - Xây dựng - Nông nghiệp", "department", ["1", "2", "8"]),
    ("Công chức Văn hóa - Xã hội", "department", ["5", "6"]),
    ("Công chức Văn phòng - Thống kê", "department", ["7", "9"]),
    ("Công an xã", "department", ["10"]),
    ("Hội Nông dân xã", "mass", ["3", "4"]),
    ("Hội Liên hiệp Phụ nữ xã", "mass", []),
    ("Ủy ban Mặt trận Tổ quốc xã", "mass", []),
    ("Đoàn Thanh niên xã", "mass", []),
]
DISTRICT_ORGS = [
    ("Phòng Nông nghiệp và Phát triển nông thôn", ["DK", "1", "3", "6"]),
    ("Phòng Kinh tế - Hạ tầng", ["2", "4"]),
    ("Phòng Văn hóa - Thông tin", ["5"]),
    ("Phòng Tài nguyên và Môi trường", ["7", "8"]),
    ("Phòng Nội vụ", ["9"]),
    ("Phòng Giáo dục và Đào tạo", []),
    ("Phòng Y tế", []),
    ("Công an huyện", []),
]


def load(log: Callable[[str], None] = print) -> None:
    tho_long = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, code="15505").first()
    if tho_long is None:
        return
    if Plan.objects.filter(unit=tho_long, title=THO_LONG_PLAN).exists():
        log("✔ Kế hoạch mẫu đã có (bỏ qua)")
        return
    with transaction.atomic():
        services.load_default_costs(None, tho_long.province)
        plan = _tho_long(tho_long)
        tho_xuan = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.DISTRICT, code="395").first()
        if tho_xuan is not None:
            _tho_xuan(tho_xuan)
    result = what_if(plan)
    log(f"✔ Kế hoạch mẫu: Thọ Long {plan.tasks.count()} nhiệm vụ, mô phỏng đạt NTM năm {result['reached_year']}")


def _organisations(unit: Unit, rows) -> dict[str, object]:
    out = {}
    for name, kind, criteria in rows:
        org = services.save_organisation(None, unit, name, kind)
        for code in criteria:
            services.assign_criterion(None, unit, code, org)
        out[name] = org
    return out


def _tho_long(unit: Unit) -> Plan:
    orgs = _organisations(unit, COMMUNE_ORGS)
    steering = services.save_committee(None, unit, "steering", "Ban Chỉ đạo xây dựng nông thôn mới xã Thọ Long",
                                       "QĐ mẫu 15/QĐ-UBND ngày 10/07/2025")
    for name, role, position in [("Lê Văn Hòa", "head", "Bí thư Đảng ủy xã"),
                                 ("Nguyễn Thị Lan", "deputy", "Chủ tịch UBND xã"),
                                 ("Trịnh Văn Minh", "member", "Chủ tịch Ủy ban MTTQ xã")]:
        services.add_member(None, steering, name, role, position)
    board = services.save_committee(None, unit, "management", "Ban Quản lý xây dựng nông thôn mới xã Thọ Long",
                                    "QĐ mẫu 16/QĐ-UBND ngày 10/07/2025")
    for name, role, position in [("Nguyễn Thị Lan", "head", "Chủ tịch UBND xã"),
                                 ("Phạm Văn Tuấn", "deputy", "Phó Chủ tịch UBND xã"),
                                 ("Hoàng Thị Mai", "member", "Công chức Văn hóa - Xã hội")]:
        services.add_member(None, board, name, role, position,
                            orgs.get("Công chức Văn hóa - Xã hội") if name == "Hoàng Thị Mai" else None)
    # the residents asked for culture and schools first (consultation, hamlet meetings)
    services.set_priority(None, unit, YEAR, "5", 2, "Hội nghị lấy ý kiến nhân dân các thôn, tháng 01/2026 (mẫu)")
    plan = services.create_plan(None, unit, title=THO_LONG_PLAN, target_level="ntm", target_year=YEAR, year_from=YEAR,
                                year_to=YEAR + 1, decision="QĐ mẫu 05/QĐ-UBND", decision_date=dt.date(YEAR, 2, 15))
    items = ranking(unit, YEAR).items
    picked = [i.indicator for i in items if i.status == "not_met"] + [i.indicator for i in items if i.status == "at_risk"][:1]
    services.accept_items(None, plan, picked, YEAR, deadline=dt.date(YEAR, 10, 31))
    assigned = {a.criterion: a.organisation for a in unit.criterion_assignments.select_related("organisation")}
    for task in plan.tasks.all():
        owner = assigned.get(task.criterion)
        if owner is not None:
            services.update_task(None, task, owner=owner, status="active")
    return plan


def _tho_xuan(unit: Unit) -> None:
    orgs = _organisations(unit, [(n, "department", c) for n, c in DISTRICT_ORGS])
    steering = services.save_committee(None, unit, "steering", "Ban Chỉ đạo các chương trình MTQG huyện Thọ Xuân")
    services.add_member(None, steering, "Bí thư Huyện ủy (mẫu)", "head", "Bí thư Huyện ủy")
    services.add_member(None, steering, "Chủ tịch UBND huyện (mẫu)", "deputy", "Chủ tịch UBND huyện")
    plan = services.create_plan(None, unit, title=THO_XUAN_PLAN, target_level="nang_cao", target_year=2023, year_from=2021,
                                year_to=2025)
    result = ranking(unit, 2021)
    if result.items:
        services.accept_items(None, plan, [i.indicator for i in result.items[:3]], 2021, deadline=dt.date(2023, 12, 31))
        first = next(iter(orgs.values()))
        for task in plan.tasks.all():
            owner = next((o for o in orgs.values() if o.assignments.filter(criterion=task.criterion).exists()), first)
            services.update_task(None, task, owner=owner)
