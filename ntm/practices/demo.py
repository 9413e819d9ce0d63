"""Demo: the seed documents' lessons (real sources, restated), two seed posts as news of Thọ Xuân,
and a few generated news posts per district of Thanh Hóa (labelled as demo data). Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from ntm.units.models import Unit

from .models import NewsPost, Practice
from .services import load_seed_lessons, save_news

DEMO = "Tin mẫu (demo) — không phải tin thật."
TOPICS = [
    ("ra quân vệ sinh môi trường, trồng hoa ven đường", ["xa-ntm-2021:17"], "toan-dan-doan-ket"),
    ("sơ kết phong trào thi đua chung sức xây dựng nông thôn mới", ["xa-ntm-2021:18"], "chung-suc-2021-2025"),
    ("tập huấn cho hợp tác xã về chuẩn hóa sản phẩm OCOP", ["xa-ntm-2021:13"], "chung-suc-2021-2025"),
]


def load(log=print) -> int:
    made = load_seed_lessons()
    if NewsPost.objects.filter(summary__startswith="Tin mẫu").exists():
        return made
    tho_xuan = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.DISTRICT, code="395").first()
    if tho_xuan:
        lessons = Practice.objects.filter(unit__parent=tho_xuan) | Practice.objects.filter(unit=tho_xuan)
        save_news(None, tho_xuan, title="Thọ Xuân đồng bộ giải pháp xây dựng huyện NTM nâng cao",
                  summary="Tóm tắt bài viết của Trung tâm VHTT, TT&DL huyện Thọ Xuân (28/02/2023).",
                  body="<p>Năm 2011 huyện mới đạt bình quân 5,6 tiêu chí/xã; hết năm 2018 toàn bộ các xã đạt chuẩn, năm "
                       "2019 huyện đạt chuẩn NTM. Đến đầu năm 2023 có 11 xã NTM nâng cao, 2 xã kiểu mẫu, 12 thôn kiểu mẫu "
                       "và 22 sản phẩm OCOP cấp tỉnh.</p><p>Huyện đặt mục tiêu đạt chuẩn NTM nâng cao trước năm 2024 và "
                       "gắn phong trào thi đua của huyện với cuộc vận động “Toàn dân đoàn kết…”.</p>",
                  criteria=["huyen-ntm-2021:9"], campaign_code="tho-xuan-chung-suc-2021-2024", lessons=list(lessons),
                  published=True, system=True)
    rng = random.Random("news-demo")
    districts = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.DISTRICT, province__code="38").order_by("code")
    now = timezone.now()
    count = 0
    for d in districts:
        for topic, criteria, campaign in rng.sample(TOPICS, k=2):
            post = save_news(None, d, title=f"{d.name}: {topic}", summary=DEMO,
                             body=f"<p>{d.full_name} {topic}. {DEMO}</p><script>alert(1)</script>",
                             criteria=criteria, campaign_code=campaign, published=True, system=True)
            NewsPost.objects.filter(pk=post.pk).update(published_at=now - dt.timedelta(days=rng.randint(200, 700)))
            count += 1
    log(f"  · Bài học: {Practice.objects.count()}; tin tức: {count + 1}")
    return made
