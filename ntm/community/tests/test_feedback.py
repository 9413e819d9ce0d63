"""Feedback without an account: proof of work, rate limit, moderation before anything is public, the
commune's answer on the portal, the supervision board's counts, and scope of the signed-in pages."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client

from ntm.community import rules
from ntm.community.models import Feedback
from ntm.community.services import (
    SpamRefused,
    check_spam,
    issue_challenge,
    moderate,
    submit_feedback,
    supervision_counts,
    transition,
)
from ntm.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def solved():
    ch = issue_challenge()
    return ch, rules.solve(ch, rules.spam_rules().pow_bits)


def post_form(client, unit, **extra):
    page = client.get(f"/cong-khai/don-vi/{unit.code}/gui-y-kien/")
    assert page.status_code == 200
    ch = page.context["form"].initial["challenge"]
    data = {"subject": "unit", "title": "Đường thôn 4 ngập", "body": "Mưa to là đường thôn 4 ngập sâu, đề nghị xã xử lý.",
            "challenge": ch, "nonce": rules.solve(ch, rules.spam_rules().pow_bits)}
    data.update(extra)
    return client.post(f"/cong-khai/don-vi/{unit.code}/gui-y-kien/", data)


def test_proof_of_work_is_checked_on_the_server():
    ch, nonce = solved()
    assert rules.pow_ok(ch, nonce, rules.spam_rules().pow_bits)
    wrong = next(str(n) for n in range(10**6) if not rules.pow_ok(ch, str(n), rules.spam_rules().pow_bits))
    with pytest.raises(SpamRefused, match="chống thư rác"):
        check_spam("1.1.1.1", ch, wrong)
    with pytest.raises(SpamRefused, match="không hợp lệ"):
        check_spam("1.1.1.2", ch[:-2] + "zz", nonce)
    check_spam("1.1.1.3", ch, nonce)
    with pytest.raises(SpamRefused, match="đã được gửi"):
        check_spam("1.1.1.4", ch, nonce)  # a challenge serves once


def test_rate_limit_per_address(world):
    client = Client()
    limit = rules.spam_rules().rate_count
    for _ in range(limit):
        assert post_form(client, world["tho_long"]).status_code == 302
    r = post_form(client, world["tho_long"])
    assert r.status_code == 429 and "thử lại sau" in r.content.decode()
    assert Feedback.objects.count() == limit
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert post_form(other, world["tho_long"]).status_code == 302


def test_bad_input_is_explained_and_nothing_written(world):
    r = post_form(Client(), world["tho_long"], body="ngắn")
    assert r.status_code == 422 and "quá ngắn" in r.content.decode()
    assert not Feedback.objects.exists()
    r = post_form(Client(), world["tho_long"], nonce="")
    assert r.status_code == 422 and "chống thư rác" in r.content.decode()


def test_moderated_before_public_then_answered_on_the_portal(world, django_capture_on_commit_callbacks):
    client = Client()
    r = post_form(client, world["tho_long"], author_name="Lê Thị Kín", contact="0911222333")
    fb = Feedback.objects.get()
    assert r["Location"] == f"/cong-khai/y-kien/theo-doi/{fb.token}/"
    track = client.get(r["Location"]).content.decode()
    assert "Chờ kiểm duyệt" in track and "Đã tiếp nhận" in track
    assert client.get(f"/cong-khai/y-kien/{fb.pk}/").status_code == 404
    assert "Đường thôn 4 ngập" not in client.get("/cong-khai/y-kien/").content.decode()
    xa = User.objects.get(username="xa")
    with django_capture_on_commit_callbacks(execute=True):  # cached public pages move when the write commits
        moderate(xa, fb, True)
    page = client.get(f"/cong-khai/y-kien/{fb.pk}/").content.decode()
    assert "Đường thôn 4 ngập" in page and "Lê Thị Kín" not in page and "0911222333" not in page
    with django_capture_on_commit_callbacks(execute=True):
        transition(xa, fb, "handle")
        transition(xa, fb, "answer", "Xã đã nạo vét rãnh thoát nước thôn 4.")
    page = client.get(f"/cong-khai/y-kien/{fb.pk}/").content.decode()
    assert "Xã đã nạo vét rãnh thoát nước thôn 4." in page and "Đã trả lời" in page
    assert "Đường thôn 4 ngập" in client.get(f"/cong-khai/don-vi/{world['tho_long'].code}/").content.decode()
    fb.refresh_from_db()
    assert [e.to_state for e in fb.events.all()] == ["received", "approved", "handling", "answered"]
    with pytest.raises(rules.TransitionRefused):
        transition(xa, fb, "handle")


def test_who_may_do_what(world):
    fb = submit_feedback(world["tho_long"], title="Góp ý", body="Nội dung góp ý đủ dài.", address="9.9.9.9",
                         **dict(zip(("challenge", "nonce"), solved(), strict=True)))
    with pytest.raises(PermissionDenied):
        transition(User.objects.get(username="giamsat"), fb, "answer", "Không phải việc của Ban giám sát")
    moderate(User.objects.get(username="giamsat"), fb, True)  # the Front may moderate
    with pytest.raises(PermissionDenied):
        moderate(User.objects.get(username="xem"), fb, False)
    counts = supervision_counts(User.objects.get(username="giamsat"))
    assert counts[0]["unit_id"] == world["tho_long"].pk and counts[0]["total"] == 1 and counts[0]["received"] == 1
    board = login("giamsat").get("/y-kien/")
    assert board.status_code == 200 and "Góp ý" in board.content.decode()


def test_signed_in_pages_are_scoped(world):
    other = world["outsider"]
    fb = Feedback.objects.create(unit=other, title="Ở nơi khác", body="Không thuộc Thọ Long.")
    xa = login("xa")
    assert xa.get(f"/y-kien/{fb.pk}/").status_code == 404
    assert xa.post(f"/y-kien/{fb.pk}/xu-ly/", {"action": "approve"}).status_code == 404
    assert "Ở nơi khác" not in xa.get("/y-kien/").content.decode()
    assert xa.get(f"/don-vi/{other.pk}/y-kien/").status_code == 404
    assert xa.get(f"/don-vi/{other.pk}/khen-thuong/").status_code == 404
    mine = Feedback.objects.create(unit=world["tho_long"], title="Của Thọ Long", body="Nội dung.")
    r = xa.post(f"/y-kien/{mine.pk}/xu-ly/", {"action": "answer", "answer": "Đã tiếp thu, xã sẽ xử lý."})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "answered"


def test_rate_limit_reads_the_proxy_header_when_configured(world, settings):
    settings.NTM_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    limit = rules.spam_rules().rate_count
    for _ in range(limit):
        assert post_form(Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1"), world["tho_long"]).status_code == 302
    assert post_form(Client(HTTP_X_FORWARDED_FOR="5.6.7.8, 10.0.0.1"), world["tho_long"]).status_code == 429
    assert post_form(Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.2"), world["tho_long"]).status_code == 302


def test_commendations_and_cultural_titles_pages(world):
    from ntm.community.models import Commendation, CulturalTitle

    tl = world["tho_long"]
    xa = login("xa")
    r = xa.post(f"/don-vi/{tl.pk}/khen-thuong/", {"form": "giay-khen", "recipient_type": "household", "recipient": "Hộ ông A",
                                                  "decision_number": "12/QĐ-UBND", "decision_date": "02/03/2026"})
    assert r.status_code == 302
    c = Commendation.objects.get()
    assert (c.level, c.decision_date.month, c.public_recipient) == ("ubnd-xa", 3, "Hộ gia đình")
    r = xa.post(f"/don-vi/{tl.pk}/khen-thuong/", {"form": "co-thi-dua-chinh-phu", "recipient_type": "person",
                                                  "recipient": "B", "decision_number": "1", "decision_date": "01/01/2026"})
    assert r.status_code == 200 and "không trao cho" in r.content.decode()
    r = xa.post(f"/don-vi/{tl.pk}/khen-thuong/", {"kind": "title", "year": "2026", "title": "gia-dinh-van-hoa",
                                                  "count": "1500", "total": "1400"})
    assert "lớn hơn tổng số" in r.content.decode()
    r = xa.post(f"/don-vi/{tl.pk}/khen-thuong/", {"kind": "title", "year": "2026", "title": "gia-dinh-van-hoa",
                                                  "count": "1500", "total": "1876"})
    assert r.status_code == 302 and CulturalTitle.objects.get().count == 1500
    assert login("xem").post(f"/don-vi/{tl.pk}/khen-thuong/", {"kind": "title"}).status_code == 403
