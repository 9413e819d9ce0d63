"""The public portal: every public URL, anonymously, with private markers seeded in every model —
none may appear; the same numbers as the signed-in dashboard; the page cache and its invalidation;
the public API routes."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, get_resolver, include, path

from ntm.community.models import Commendation, Feedback
from ntm.community.services import ensure_campaigns, moderate, save_commendation, set_cultural_title, transition
from ntm.figures.services import set_figure
from ntm.ocop.models import OcopProduct
from ntm.ocop.services import ProductInput, save_product
from ntm.practices.models import NewsPost, Practice
from ntm.practices.services import load_seed_lessons, save_news
from ntm.testing import login

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 4

MARKERS = [
    "CHUA-DUYET-BI-MAT", "BI-TU-CHOI-BI-MAT", "Trần Ẩn Danh", "0912345678", "Nguyễn Bímật Cánbộ",
    "GHI-CHU-LICH-SU", "987,6543", "987.6543", "SAN-PHAM-AN", "ocop-secret@example.com", "TIN-NHAP-BI-MAT",
    "BAI-HOC-AN", "Phạm Thị Riêngtư", "DE-NGHI-CHUA-QD", "<script>alert",
]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(world):
    """Public content plus one private marker in every model the portal reads."""
    tl = world["tho_long"]
    xa = User.objects.get(username="xa")
    xa.first_name, xa.last_name = "Nguyễn Bímật", "Cánbộ"
    xa.save()
    tinh = User.objects.get(username="tinh")
    ensure_campaigns()
    load_seed_lessons()
    set_figure(tl, 2026, "income_per_capita", "987,6543", user=xa, comment="GHI-CHU-LICH-SU")
    public = Feedback.objects.create(unit=tl, title="Đèn đường hỏng", body="Đèn đường thôn 3 không sáng.",
                                     author_name="Trần Ẩn Danh", show_name=False, contact="0912345678")
    moderate(xa, public, True)
    transition(xa, public, "answer", "Đã thay bóng đèn.")
    Feedback.objects.create(unit=tl, title="CHUA-DUYET-BI-MAT", body="chưa duyệt")
    rejected = Feedback.objects.create(unit=tl, title="BI-TU-CHOI-BI-MAT", body="bị từ chối")
    moderate(xa, rejected, False)
    data = dict(producer="HTX", group="thuc_pham", score_a=Decimal(30), score_b=Decimal(20), score_c=Decimal(25),
                issuer="tinh", issued_on=dt.date.today() - dt.timedelta(days=30), producer_email="ocop-secret@example.com")
    save_product(tinh, tl, ProductInput(name="Mật ong hoa nhãn", **data))
    save_product(tinh, tl, ProductInput(name="SAN-PHAM-AN", public=False, **data))
    save_news(xa, tl, title="Ra quân làm đường", body="<p>Bà con góp công.</p><script>alert(1)</script>", published=True)
    save_news(xa, tl, title="TIN-NHAP-BI-MAT", body="<p>nháp</p>", published=False)
    Practice.objects.create(title="BAI-HOC-AN", summary="ẩn", source="x", published_on=dt.date(2024, 1, 1), public=False)
    save_commendation(tinh, tl, form="giay-khen", recipient_type="person", recipient="Phạm Thị Riêngtư",
                      decision_number="1/QĐ", decision_date=dt.date(2026, 3, 1))
    save_commendation(tinh, tl, form="giay-khen", recipient_type="organisation", recipient="DE-NGHI-CHUA-QD",
                      decision_number="2/QĐ", decision_date=dt.date(2026, 3, 1), proposal=True)
    set_cultural_title(tinh, tl, 2026, "gia-dinh-van-hoa", 1500, 1876)
    return world


def public_urls(world) -> list[str]:
    """Every portal route filled with every code and id that exists (public or not), plus the public API."""
    codes = [world["tho_long"].code, world["province"].code, "15505", "395", "38", "00004"]
    ids = {
        "product": list(OcopProduct.objects.values_list("pk", flat=True)),
        "feedback": list(Feedback.objects.values_list("pk", flat=True)),
        "news": list(NewsPost.objects.values_list("pk", flat=True)),
        "lesson": list(Practice.objects.values_list("pk", flat=True)),
    }
    tokens = list(Feedback.objects.exclude(moderation="pending").values_list("token", flat=True))
    urls = ["/api/practices?q=dan", "/api/ocop-products", f"/api/ocop-products?unit={world['tho_long'].code}",
            "/cong-khai/bai-hoc/?q=dan+biet", "/cong-khai/ocop/?don-vi=38"]
    resolver = get_resolver()
    portal = next(p for p in resolver.url_patterns if str(p.pattern) == "cong-khai/")
    for p in portal.url_patterns:
        assert isinstance(p, URLPattern)
        route = "/cong-khai/" + str(p.pattern)
        if "<str:code>" in route:
            urls += [route.replace("<str:code>", c) for c in codes]
        elif "<int:pk>" in route:
            urls += [route.replace("<int:pk>", str(pk)) for pk in ids.get(p.name, [])] or [route.replace("<int:pk>", "1")]
        elif "<str:token>" in route:
            urls.append(route.replace("<str:token>", "no-such-token"))
        else:
            urls.append(route)
    return urls, tokens


def test_anonymous_sweep_shows_nothing_private(seeded):
    client = Client()
    urls, tokens = public_urls(seeded)
    seen = 0
    for url in urls:
        r = client.get(url)
        assert r.status_code in (200, 404), f"{url} → {r.status_code}"
        body = r.content.decode()
        for marker in MARKERS + tokens:
            assert marker not in body, f"{url} shows {marker!r}"
        assert not re.search(r"<script>(?!\s*$)[^<]*alert", body), url
        seen += r.status_code == 200
    assert seen >= 25
    # the public content is there
    home = client.get(f"/cong-khai/don-vi/{seeded['tho_long'].code}/").content.decode()
    for text in ("Mật ong hoa nhãn", "Ra quân làm đường", "Đèn đường hỏng", "Gia đình văn hóa", "Cá nhân"):
        assert text in home, text


def test_signed_in_pages_need_sign_in(seeded):
    client = Client()
    tl = seeded["tho_long"]
    for url in ("/y-kien/", f"/don-vi/{tl.pk}/y-kien/", f"/don-vi/{tl.pk}/ocop/", f"/don-vi/{tl.pk}/tin-tuc/",
                f"/don-vi/{tl.pk}/khen-thuong/"):
        r = client.get(url)
        assert r.status_code == 302 and "dang-nhap" in r["Location"], url


def test_same_numbers_as_the_dashboard(world):
    dashboard = login("tinh").get(f"/bang-dieu-khien/{world['province'].pk}/?year=2026").context
    public = Client().get(f"/cong-khai/don-vi/{world['province'].code}/").context
    latest = public["latest"]
    assert latest["year"] == 2026
    assert latest["evaluated"] == dashboard["evaluated"]
    assert latest["ntm_or_above"] == dashboard["counts"]["ntm"]
    assert {lv["code"]: lv["count"] for lv in latest["levels"]} == dict(dashboard["counts"])
    assert public["history"] == dashboard["charts"]["history"]


def test_pages_are_cached_and_invalidated_on_change(seeded, django_capture_on_commit_callbacks):
    client = Client()
    url = f"/cong-khai/don-vi/{seeded['tho_long'].code}/"
    assert client.get(url)["X-Portal-Cache"] == "miss"
    assert client.get(url)["X-Portal-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):  # versions move when the write commits
        save_news(User.objects.get(username="xa"), seeded["tho_long"], title="Tin mới tinh", body="<p>mới</p>", published=True)
    r = client.get(url)
    assert r["X-Portal-Cache"] == "miss" and "Tin mới tinh" in r.content.decode()
    assert client.get(url)["X-Portal-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        set_figure(seeded["tho_long"], 2026, "income_per_capita", "50", user=User.objects.get(username="xa"))
    assert client.get(url)["X-Portal-Cache"] == "miss"


def test_a_rolled_back_change_keeps_the_cache(seeded):
    client = Client()
    url = f"/cong-khai/don-vi/{seeded['tho_long'].code}/"
    client.get(url)
    save_news(User.objects.get(username="xa"), seeded["tho_long"], title="Chưa lưu", body="<p>x</p>", published=True)
    assert client.get(url)["X-Portal-Cache"] == "hit"  # not committed (the test's transaction): nothing moved


def test_results_recomputed_elsewhere_reach_the_cached_pages(seeded, django_capture_on_commit_callbacks):
    """A recompute from the command line or a task worker runs in another process: the version it
    raises is in the database, so every web worker's cache misses, whatever the backend."""
    from ntm.evaluations.models import Evaluation
    from ntm.evaluations.recompute import recompute_all

    client = Client()
    url = f"/cong-khai/don-vi/{seeded['province'].code}/"
    client.get(url)
    Evaluation.objects.filter(unit__province=seeded["province"], year=2026).update(level="")  # stale on purpose
    assert client.get(url)["X-Portal-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        recompute_all(province_code=seeded["province"].code, years=[2026])
    r = client.get(url)
    assert r["X-Portal-Cache"] == "miss"
    assert r.context["latest"]["ntm_or_above"] == Evaluation.objects.filter(
        unit__province=seeded["province"], year=2026).exclude(level="").count()


def test_a_page_cached_for_a_signed_in_visitor_shows_nothing_of_them(seeded):
    url = f"/cong-khai/don-vi/{seeded['tho_long'].code}/"
    official = login("tinh")
    assert official.get(url)["X-Portal-Cache"] == "miss"
    r = Client().get(url)
    body = r.content.decode()
    assert r["X-Portal-Cache"] == "hit"
    assert "tinh" not in re.findall(r"\w+", body) and "csrfmiddlewaretoken" not in body and "X-CSRFToken" not in body
    assert "sessionid" not in r.cookies and "csrftoken" not in r.cookies


def test_feedback_form_page_is_never_cached(world):
    r1 = Client().get(f"/cong-khai/don-vi/{world['tho_long'].code}/gui-y-kien/")
    r2 = Client().get(f"/cong-khai/don-vi/{world['tho_long'].code}/gui-y-kien/")
    assert r1.context["form"].initial["challenge"] != r2.context["form"].initial["challenge"]
    assert "X-Portal-Cache" not in r1
    assert "<script>" not in r1.content.decode().split("pow.js")[0].split("</head>")[1]  # no inline script before pow.js


def _fake_funding(request, code):
    from django.http import HttpResponse

    return HttpResponse("nguồn lực")


funding_patterns = ([path("cong-khai/don-vi/<str:code>/nguon-luc/", _fake_funding, name="disclosure")], "funding")
urlpatterns = [path("", include(funding_patterns)), path("", include("ntm.urls"))]


def test_disclosure_link_only_when_the_funding_page_exists(world):
    url = f"/cong-khai/don-vi/{world['tho_long'].code}/"
    link = f"/cong-khai/don-vi/{world['tho_long'].code}/nguon-luc/"
    assert link in Client().get(url).content.decode()  # the funding app is installed: linked, and it opens
    assert Client().get(link).status_code == 200
    province = f"/cong-khai/don-vi/{world['province'].code}/"
    assert "/nguon-luc/" not in Client().get(province).content.decode()  # communes only


def test_public_api_without_sign_in(seeded):
    client = Client()
    r = client.get("/api/practices", {"q": "dan biet dan ban"})
    assert r.status_code == 200
    titles = [p["title"] for p in r.json()]
    assert any(t.startswith("Dân biết, dân bàn") for t in titles), titles
    assert "BAI-HOC-AN" not in r.content.decode()
    r = client.get("/api/ocop-products", {"unit": seeded["tho_long"].code})
    rows = r.json()
    assert [p["name"] for p in rows] == ["Mật ong hoa nhãn"]
    assert rows[0]["stars"] == 4 and rows[0]["expires_on"] and rows[0]["status"] == "in_force"
    assert client.get("/api/ocop-products", {"unit": "nope"}).status_code == 404
    assert client.get("/api/units").status_code == 401  # the rest of the API still needs a session


def test_lessons_for_an_unmet_criterion_and_scorecard_link(seeded):
    r = Client().get("/cong-khai/bai-hoc/", {"set": "xa-ntm-2026", "criterion": "9"})
    body = r.content.decode()
    assert "Dân biết, dân bàn" in body and "Chưa có bài học gắn" not in body
    scorecard = login("xa").get(f"/don-vi/{seeded['tho_long'].pk}/?year=2026").content.decode()
    assert "/cong-khai/bai-hoc/?set=xa-ntm-2026&amp;criterion=3" in scorecard


def test_news_is_sanitised_on_save(seeded):
    post = NewsPost.objects.get(title="Ra quân làm đường")
    assert "<script" not in post.body and "Bà con góp công." in post.body
    assert Commendation.objects.filter(recipient="Phạm Thị Riêngtư").get().public_recipient == "Cá nhân"


def test_malformed_parameters_are_not_found_never_a_500(world):
    client = Client()
    for url in ("/cong-khai/don-vi/%00/", "/cong-khai/don-vi-cu/a%00b/", "/cong-khai/y-kien/theo-doi/%00/",
                "/cong-khai/don-vi/%00/gui-y-kien/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/ocop-products?unit=%00").status_code in (200, 404)  # NUL dropped or refused, never a 500
    for url in ("/cong-khai/y-kien/?don-vi=%00", "/cong-khai/ocop/?don-vi=%00&sao=x", "/cong-khai/bai-hoc/?set=%00&criterion=%00&q=%00",
                "/cong-khai/tin-tuc/?q=%00&trang=%00", "/cong-khai/thi-dua/?nam=%00", "/api/practices?q=%00&criterion=a%00:1"):
        assert client.get(url).status_code == 200, url


def test_a_cached_page_is_sent_compressed_when_the_browser_accepts_it(seeded):
    import gzip

    url = f"/cong-khai/don-vi/{seeded['tho_long'].code}/"
    plain = Client().get(url).content
    r = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert r["X-Portal-Cache"] == "hit" and r["Content-Encoding"] == "gzip" and "Accept-Encoding" in r["Vary"]
    assert gzip.decompress(r.content) == plain
    again = Client().get(url)
    assert again["X-Portal-Cache"] == "hit" and not again.has_header("Content-Encoding") and again.content == plain


def test_recognised_by_decision_beside_the_figures(world, django_capture_on_commit_callbacks):
    """The "đã công nhận theo quyết định" tile counts recognitions in force (recognition's service), a
    new decision shows at once (the cache is invalidated), and a commune's page names its level."""
    from ntm.criteria.spec import LEVEL_LABELS
    from ntm.recognition.models import Recognition
    from ntm.recognition.services import create_recognition
    from ntm.testing import YEAR
    from ntm.units.models import Unit

    province = world["province"]
    Recognition.objects.all().delete()
    client, url = Client(), f"/cong-khai/don-vi/{province.code}/"
    assert client.get(url).context["recognised"] == {"ntm": 0, "year": YEAR}
    commune = Unit.objects.filter(province=province, level="commune", scheme="current", evaluations__year=YEAR).first()
    page = f"/cong-khai/don-vi/{commune.code}/"
    assert client.get(page).context["recognised"] == ""
    with django_capture_on_commit_callbacks(execute=True):  # cached pages move when the decision commits
        create_recognition(commune, "nang_cao", YEAR, "recorded", decision_number="9/QĐ-UBND")
    body = client.get(url).content.decode()
    assert 'data-testid="recognised-count">1<' in body
    assert client.get("/cong-khai/").context["recognised"] == {"ntm": 1, "year": YEAR}
    assert f'data-testid="recognised-level">{LEVEL_LABELS["nang_cao"]}<' in client.get(page).content.decode()
