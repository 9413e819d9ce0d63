"""Demo: the national campaigns (data), Thọ Xuân's own campaign (seed 004), a handful of
commendations, cultural titles of Thọ Long, and residents' feedback on Thọ Long — some answered,
one still awaiting moderation, one not published. Labelled as demo data. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from ntm.units.models import Unit

from . import rules
from .models import Campaign, Commendation, Feedback, FeedbackEvent
from .services import ensure_campaigns, moderate, save_commendation, set_cultural_title, transition

DEMO = "(mẫu)"


def load(log=print) -> int:
    ensure_campaigns()
    tho_xuan = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.DISTRICT, code="395").first()
    tho_long = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, code="15505").first()
    if tho_long is None or Feedback.objects.filter(unit=tho_long).exists():
        return 0
    nam_giang = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, code="15505").first()
    province = tho_long.province
    if tho_xuan:
        Campaign.objects.update_or_create(code="tho-xuan-chung-suc-2021-2024", defaults=dict(
            name="Thọ Xuân chung sức xây dựng nông thôn mới, phấn đấu hoàn thành xây dựng huyện NTM nâng cao trước năm 2024",
            unit=tho_xuan, launched_by="UBND huyện Thọ Xuân", year_from=2021, year_to=2024,
            contents=["Duy trì tiêu chí NTM đã đạt, xây dựng tiêu chí nâng cao, kiểu mẫu",
                      "Phát triển sản xuất nông nghiệp gắn với sản phẩm OCOP"],
            source="Seed 004: bài viết của Trung tâm VHTT, TT&DL huyện Thọ Xuân, 28/02/2023"))
    chung_suc = Campaign.objects.filter(code="chung-suc-2021-2025").first()
    doan_ket = Campaign.objects.filter(code="toan-dan-doan-ket").first()
    grants = [
        (province, "bang-khen-chu-tich-tinh", "unit", nam_giang.full_name if nam_giang else "Xã Nam Giang",
         "Đạt chuẩn NTM nâng cao năm 2023", dt.date(2024, 1, 20), chung_suc),
        (tho_long, "bang-khen-chu-tich-tinh", "organisation", "Hội Nông dân xã Thọ Long",
         "Vận động hội viên hiến đất mở rộng đường thôn", dt.date(2025, 12, 15), doan_ket),
        (tho_long, "giay-khen", "household", "Hộ ông Lê Văn A", "Hiến 120 m² đất làm đường", dt.date(2026, 3, 2), doan_ket),
        (tho_long, "giay-khen", "person", "Bà Nguyễn Thị B", "Tổ trưởng tổ tự quản môi trường", dt.date(2026, 3, 2), doan_ket),
        (province, "bang-khen-chu-tich-tinh", "organisation", "Hợp tác xã dịch vụ nông nghiệp (mẫu)",
         "Phát triển sản phẩm OCOP 4 sao", dt.date(2025, 6, 10), chung_suc),
    ]
    for unit, form, kind, who, why, day, campaign in grants:
        save_commendation(None, unit, form=form, recipient_type=kind, recipient=who, reason=why,
                          decision_number=f"{day.month}{day.day:02d}/QĐ-UBND {DEMO}", decision_date=day,
                          campaign=campaign, system=True)
    for year, families, hamlets in ((2024, 1610, 9), (2025, 1650, 10), (2026, 1702, 11)):
        unit = nam_giang if year < 2026 and nam_giang else tho_long
        set_cultural_title(None, unit, year, "gia-dinh-van-hoa", families, 1876 if unit == nam_giang else None,
                           source=f"Báo cáo bình xét {DEMO}", system=True)
        set_cultural_title(None, unit, year, "thon-van-hoa", hamlets, None, source=f"Báo cáo bình xét {DEMO}", system=True)
    xa = User.objects.filter(username="xa").first()
    items = [
        ("Đèn đường thôn 3 hỏng nhiều tuần", "Đoạn đường từ nhà văn hóa thôn 3 ra đê có 4 bóng đèn không sáng, buổi tối "
         "học sinh đi học về rất tối.", "project", "", "Chiếu sáng đường thôn 3",
         "Xã đã giao tổ điện kiểm tra; 4 bóng đèn đã được thay ngày 12/11. Cảm ơn bà con đã phản ánh.", "closed"),
        ("Lịch thu gom rác chưa đều", "Xe thu gom rác đến thôn 5 không đúng lịch, có tuần chỉ một lần, rác để ở "
         "điểm tập kết bốc mùi.", "criterion", "8", "",
         "UBND xã đã làm việc với đơn vị thu gom: từ tháng 12 xe đến thôn 5 vào thứ Ba và thứ Sáu hằng tuần.", "answered"),
        ("Đề nghị công khai khoản đóng góp làm đường", "Đề nghị xã niêm yết các khoản thu, chi đóng góp làm đường "
         "trục thôn 2 tại nhà văn hóa thôn.", "project", "", "Đường trục thôn 2", "", "handling"),
        ("Góp ý giờ mở cửa nhà văn hóa", "Nhà văn hóa thôn nên mở cửa cả tối thứ Bảy để thanh niên tập văn nghệ.",
         "unit", "", "", "", "received"),
    ]
    now = timezone.now()
    for i, (title, body, subject, criterion, project, answer, state) in enumerate(items):
        fb = Feedback.objects.create(unit=tho_long, subject=subject, criterion=criterion, project=project, title=title,
                                     body=body, author_name="Người dân thôn (mẫu)")
        Feedback.objects.filter(pk=fb.pk).update(created_at=now - dt.timedelta(days=40 - 8 * i))
        FeedbackEvent.objects.create(feedback=fb, action="submit", to_state=rules.RECEIVED)
        if i < 3 and xa:
            moderate(xa, fb, True)
            if state in ("handling",):
                transition(xa, fb, "handle")
            if answer:
                transition(xa, fb, "answer", answer)
            if state == "closed":
                transition(xa, Feedback.objects.get(pk=fb.pk), "close")
    # awaiting moderation: never public
    Feedback.objects.create(unit=tho_long, title="Phản ánh chưa kiểm duyệt (mẫu)", body="Nội dung chờ xã kiểm duyệt.",
                            contact="0900000000")
    log(f"  · Thi đua: {Campaign.objects.count()} phong trào, {Commendation.objects.count()} khen thưởng; "
        f"ý kiến người dân về {tho_long.full_name}: {Feedback.objects.filter(unit=tho_long).count()}")
    return 1
