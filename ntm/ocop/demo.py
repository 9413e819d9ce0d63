"""Demo: Thọ Xuân's 22 provincial OCOP products (seed 004: "22 sản phẩm đạt OCOP cấp tỉnh", 02/2023),
with plausible scores and certificates — two expiring within the reminder window, one expired, one
revoked. Invented names and scores, labelled as demo data. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from ntm.units.models import Unit

from . import stars as rules
from .models import OcopProduct
from .services import ProductInput, refresh_evaluations, save_product

THO_XUAN = "395"
DEMO = "Dữ liệu mẫu (demo)"
PRODUCTS = [
    ("Bánh gai lá gai", "thuc_pham"), ("Chè lam gừng", "thuc_pham"), ("Gạo nếp cái hoa vàng", "thuc_pham"),
    ("Nem chua", "thuc_pham"), ("Mật ong hoa nhãn", "thuc_pham"), ("Miến dong", "thuc_pham"),
    ("Giò chả thủ công", "thuc_pham"), ("Tương nếp", "thuc_pham"), ("Dưa lưới nhà màng", "thuc_pham"),
    ("Trứng gà đồi", "thuc_pham"), ("Bưởi Luận Văn", "thuc_pham"), ("Cam đường canh", "thuc_pham"),
    ("Rượu men lá", "do_uong"), ("Trà túi lọc lá sen", "do_uong"), ("Nước mắm cá rô đồng", "thuc_pham"),
    ("Cao dược liệu", "thao_duoc"), ("Tinh dầu sả", "thao_duoc"), ("Chổi chít", "thu_cong"),
    ("Mây tre đan", "thu_cong"), ("Chiếu cói", "thu_cong"), ("Bon sai cây cảnh", "sinh_vat_canh"),
    ("Điểm du lịch sinh thái ven sông Chu", "du_lich"),
]


def load(log=print) -> int:
    if OcopProduct.objects.filter(description=DEMO).exists():
        return 0
    communes = list(Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE,
                                        predecessors__parent__code=THO_XUAN).distinct().order_by("code"))
    if not communes:
        return 0
    tho_long = next((c for c in communes if c.code == "15505"), communes[0])
    rng = random.Random("ocop-demo")
    today = timezone.localdate()
    r = rules.rules()
    for i, (name, group) in enumerate(PRODUCTS):
        unit = tho_long if i < 3 else communes[i % len(communes)]
        stars = 4 if i % 5 == 0 else 3
        total = Decimal(rng.randint(71, 86) if stars == 4 else rng.randint(52, 68))
        a = min(Decimal(38), (total * Decimal("0.4")).quantize(Decimal("1")))
        b = min(Decimal(24), (total * Decimal("0.25")).quantize(Decimal("1")))
        c = total - a - b
        if i in (5, 9):  # two certificates expiring within the reminder window
            issued = rules.add_months(today, -r.validity_months) + dt.timedelta(days=8 + 9 * (i == 9))
        elif i == 13:  # expired, not re-evaluated
            issued = rules.add_months(today, -r.validity_months) - dt.timedelta(days=40)
        else:
            issued = today - dt.timedelta(days=rng.randint(60, 900))
        data = ProductInput(name=name, producer=f"Hợp tác xã {name.split()[0].lower()} {unit.name} (mẫu)", group=group,
                            score_a=a, score_b=b, score_c=c, issuer="tinh", certificate_number=f"{1000 + i}/QĐ-UBND (mẫu)",
                            issued_on=issued, description=DEMO, producer_email=f"ocop{i}@example.invalid")
        if i == 17:
            data.revoked_on, data.revoke_reason = today - dt.timedelta(days=30), "Không duy trì tiêu chí bắt buộc (mẫu)"
        save_product(None, unit, data, today=today, _system=True)
    refresh_evaluations({c.pk for c in communes})
    log(f"  · OCOP: {len(PRODUCTS)} sản phẩm cấp tỉnh của Thọ Xuân")
    return len(PRODUCTS)
