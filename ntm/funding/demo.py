"""Demo ledger (Thanh Hóa), written through the services as the system. Amounts and names are
invented for the demo ("mẫu"), shaped by seed 000 (Nam Giang: roads hardened, the culture centre
and hamlet culture houses, schools; "huy động nội lực là chính"):

- the province's ceiling per household and its list of project types (illustrative);
- Nam Giang (legacy commune 15505) 2011–2023: budgets, community cash, workdays, donated land,
  enterprises and natives living away, each community entry resting on a residents' meeting, each
  year disclosed;
- Thọ Long (15505) 2026: a community project under the special mechanism with its supervision
  board's election, inspection, request and follow-up; its contributions, spending and disclosure.
Idempotent: skipped when Nam Giang already has entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from ntm.units.models import Unit

from . import services
from .models import Contribution
from .services import EntryInput

HOUSEHOLDS = 1876  # Nam Giang, seed 000
WORKDAY_RATE = 200_000  # đồng per workday used to value labour (demo)
PLACE = "Hội trường UBND xã, nhà văn hóa các thôn và loa truyền thanh xã"

# (year, work, {source: amount in million đồng}, workdays, donated land m², community cash per household)
NAM_GIANG = [
    (2011, "Cứng hóa đường trục thôn 1, 2", {"central_budget": 800, "province_budget": 400, "commune_budget": 150}, 900, 650, 150_000),
    (2012, "Cứng hóa đường liên thôn 3 – 5", {"central_budget": 900, "province_budget": 500, "district_budget": 200}, 1100, 820, 150_000),
    (2013, "Kiên cố hóa kênh mương nội đồng", {"central_budget": 700, "integrated": 600, "commune_budget": 120}, 1300, 400, 120_000),
    (2014, "Xây mới nhà văn hóa các thôn", {"province_budget": 600, "district_budget": 300, "natives_away": 450}, 800, 0, 200_000),
    (2015, "Cứng hóa đường ngõ xóm", {"central_budget": 650, "commune_budget": 200, "enterprise": 300}, 1500, 1100, 180_000),
    (2016, "Trung tâm văn hóa xã", {"province_budget": 2500, "district_budget": 1200, "enterprise": 500}, 600, 0, 100_000),
    (2017, "Trường mầm non: phòng học, sân chơi", {"province_budget": 1800, "district_budget": 900, "enterprise": 250}, 300, 0, 0),
    (2018, "Trường tiểu học: nâng cấp cơ sở vật chất", {"central_budget": 1500, "district_budget": 700, "natives_away": 300}, 250, 0, 0),
    (2019, "Trường THCS: nhà đa năng", {"province_budget": 2200, "district_budget": 1000}, 200, 0, 0),
    (2020, "Đường điện chiếu sáng, cây xanh (nâng cao)", {"commune_budget": 300, "enterprise": 400, "credit": 1200}, 700, 0, 120_000),
    (2021, "Nâng cấp đường trục xã (nâng cao)", {"central_budget": 1200, "province_budget": 800}, 900, 300, 150_000),
    (2022, "Cảnh quan sáng - xanh - sạch - đẹp", {"commune_budget": 250, "natives_away": 350, "credit": 1500}, 1200, 0, 100_000),
    (2023, "Hoàn thiện tiêu chí NTM nâng cao", {"province_budget": 900, "district_budget": 600, "enterprise": 300}, 800, 0, 100_000),
]


def load(log: Callable[[str], None] = print) -> None:
    tho_long = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, code="15505").first()
    nam_giang = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.COMMUNE, code="15505").first()
    if tho_long is None or nam_giang is None:
        return
    if Contribution.objects.filter(unit=nam_giang).exists():
        log("✔ Sổ huy động mẫu đã có (bỏ qua)")
        return
    with transaction.atomic():
        province = tho_long.province
        services.set_ceiling(None, province, 2011, 500_000, decision="Mức trần mẫu (demo), tỉnh thay bằng quyết định của mình")
        types = {code: services.set_project_type(None, province, code, name, "Danh mục mẫu (demo)") for code, name in [
            ("duong-thon", "Đường giao thông thôn, xóm, nội đồng"), ("nha-van-hoa", "Nhà văn hóa thôn"),
            ("kenh-muong", "Kênh mương nội đồng"), ("ve-sinh-moi-truong", "Công trình vệ sinh môi trường"),
        ]}
        n = _nam_giang(nam_giang)
        _tho_long(tho_long, types["duong-thon"])
    log(f"✔ Sổ huy động mẫu: Nam Giang 2011–2023 {n} khoản; Thọ Long 1 dự án cơ chế đặc thù có ban giám sát")


def _nam_giang(unit: Unit) -> int:
    enterprise = services.save_contributor(None, unit, "Doanh nghiệp mẫu Nam Giang", "enterprise", public_consent=True)
    natives = services.save_contributor(None, unit, "Hội đồng hương Nam Giang tại Hà Nội (mẫu)", "organisation",
                                        public_consent=True)
    donor = services.save_contributor(None, unit, "Hộ ông Lê Văn Hiến (mẫu)", public_consent=True)
    quiet = services.save_contributor(None, unit, "Hộ bà Nguyễn Thị Kín (mẫu)")
    poor = services.save_contributor(None, unit, "Hộ nghèo thôn 4 (mẫu)", exemption="poor")
    count = 0
    for year, work, budgets, workdays, land, per_household in NAM_GIANG:
        day = dt.date(year, 4, 10)
        meeting = services.record_decision(
            None, unit, subject=f"Hội nghị nhân dân bàn {work.lower()}", meeting_date=dt.date(year, 3, 5),
            eligible=HOUSEHOLDS, attendance=1540 + year % 7 * 20, agreeing=1390 + year % 5 * 25,
            per_household=per_household or None)
        entries = []
        for source, million in budgets.items():
            who = enterprise if source == "enterprise" else natives if source == "natives_away" else None
            entries.append(EntryInput(source, day, amount=million * 1_000_000, contributor=who, work=work))
        if per_household:
            paying = HOUSEHOLDS - 120  # exempt households are not asked
            entries.append(EntryInput("community_cash", day, amount=paying * per_household, work=work, decision=meeting,
                                      obligation=False, note=f"{paying} hộ theo mức {per_household:,} đồng/hộ".replace(",", ".")))
        if workdays:
            entries.append(EntryInput("workdays", day, quantity=workdays, rate=WORKDAY_RATE, work=work, decision=meeting))
        if land:
            entries.append(EntryInput("land", day, quantity=land, rate=0, work=work, decision=meeting,
                                      note="Hiến đất mở rộng đường, không yêu cầu bồi thường"))
        entries.append(EntryInput("community_cash", day, amount=5_000_000, contributor=donor, work=work, decision=meeting))
        entries.append(EntryInput("community_cash", day, amount=2_000_000, contributor=quiet, work=work, decision=meeting))
        if year == 2015:
            entries.append(EntryInput("community_cash", day, amount=200_000, contributor=poor, work=work, decision=meeting,
                                      note="Tự nguyện ủng hộ"))
        count += len(services.add_entries(None, unit, entries))
        services.disclose(None, unit, year=year, date=dt.date(year + 1, 1, 15), place=PLACE)
    return count


def _tho_long(unit: Unit, road) -> None:
    project = services.create_project(None, unit, name="Bê tông hóa đường thôn 3 (thôn 3 Nam Giang cũ)", type=road,
                                      total=1_850_000_000, start=dt.date(2026, 4, 1), end=dt.date(2026, 8, 30),
                                      status="done")
    board = services.elect_board(None, project, elected_on=dt.date(2026, 3, 20), meeting="Hội nghị thôn 3 ngày 20/03/2026",
                                 members=[("Trần Văn Bình", "head"), ("Lê Thị Hoa", "deputy"), ("Phạm Văn Sơn", "deputy"),
                                          ("Nguyễn Văn Tâm", "member"), ("Hoàng Thị Thu", "member")])
    inspection = services.inspect(None, board, date=dt.date(2026, 6, 12),
                                  content="Giám sát chất lượng bê tông mặt đường và khối lượng thi công đoạn 1",
                                  findings="Đoạn 120 m cuối tuyến mặt đường mỏng hơn thiết kế khoảng 2 cm")
    request = services.make_request(None, inspection, text="Đề nghị đơn vị thi công làm lại đoạn 120 m cuối tuyến",
                                    addressed_to="UBND xã Thọ Long")
    services.follow_up(None, request, response="Đơn vị thi công đã làm lại đoạn 120 m, ban giám sát kiểm tra đạt",
                       resolved_on=dt.date(2026, 6, 30))
    meeting = services.record_decision(None, unit, subject="Họp thôn 3 bàn đóng góp bê tông hóa đường thôn",
                                       meeting_date=dt.date(2026, 3, 20), eligible=312, attendance=280, agreeing=261,
                                       per_household=300_000)
    family = services.save_contributor(None, unit, "Hộ ông Đỗ Văn Lực (mẫu)", public_consent=True)
    services.add_entries(None, unit, [
        EntryInput("province_budget", dt.date(2026, 4, 5), amount=900_000_000, project=project),
        EntryInput("commune_budget", dt.date(2026, 4, 5), amount=400_000_000, project=project),
        EntryInput("community_cash", dt.date(2026, 4, 20), amount=(312 - 18) * 300_000, project=project, decision=meeting,
                   note="294 hộ; 18 hộ thuộc diện miễn không phải đóng"),
        EntryInput("community_cash", dt.date(2026, 4, 22), amount=20_000_000, project=project, decision=meeting,
                   contributor=family),
        EntryInput("workdays", dt.date(2026, 5, 15), quantity=640, rate=WORKDAY_RATE, project=project, decision=meeting),
        EntryInput("land", dt.date(2026, 4, 10), quantity=420, rate=0, project=project, decision=meeting,
                   note="6 hộ hiến đất mở rộng mặt đường"),
    ])
    services.add_expenditure(None, unit, source="province_budget", date=dt.date(2026, 6, 1), amount=900_000_000,
                             project=project)
    services.add_expenditure(None, unit, source="commune_budget", date=dt.date(2026, 6, 1), amount=380_000_000,
                             project=project)
    services.add_expenditure(None, unit, source="community_cash", date=dt.date(2026, 6, 1), amount=100_000_000,
                             project=project)
    services.disclose(None, unit, year=2026, date=dt.date(2026, 7, 5), place="Nhà văn hóa thôn 3 và loa truyền thanh xã")
