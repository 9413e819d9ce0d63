"""Sign-in: throttled with a Vietnamese lock-out page (site and admin site), usernames normalised
at sign-in and refused at creation when invisible or confusable, password rules in Vietnamese."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from ntm.accounts.models import Grant
from ntm.accounts.usernames import UsernameError, check_new, normalize
from ntm.testing import login

WORLD_COMMUNES = 1
pytestmark = pytest.mark.django_db
LIMIT = 5  # settings.AXES_FAILURE_LIMIT


def sign_in(client, username, password, path="/dang-nhap/"):
    return client.post(path, {"username": username, "password": password})


def test_wrong_passwords_lock_the_site_sign_in_with_a_vietnamese_page(world, settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    client = Client()
    for _ in range(LIMIT - 1):
        r = sign_in(client, "tinh", "sai-mat-khau")
        assert r.status_code == 200 and "Tên đăng nhập hoặc mật khẩu không đúng" in r.content.decode()
    r = sign_in(client, "tinh", "sai-mat-khau")
    body = r.content.decode()
    assert r.status_code == 429
    assert f"đã nhập sai mật khẩu {LIMIT} lần" in body and "Hãy thử lại sau 15 phút" in body
    assert '<nav class="navbar-nav' not in body and "ntm-navbar" in body  # the site's layout, not signed in
    # the right password no longer works from here during the cool-off …
    r = sign_in(client, "tinh", "ntm-demo")
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    # … nor with the name typed another way (one counter per normalised username)
    assert sign_in(client, "TINH", "ntm-demo").status_code == 429
    # another user from the same address is not affected
    r = sign_in(Client(), "xa", "ntm-demo")
    assert r.status_code == 302


def test_admin_site_sign_in_is_throttled_too(world):
    client = Client()
    for _ in range(LIMIT):
        r = sign_in(client, "admin", "sai", path="/quan-tri/login/")
    assert r.status_code == 429 and "Tạm khoá đăng nhập" in r.content.decode()
    r = sign_in(client, "admin", "ntm-demo", path="/quan-tri/login/")
    assert r.status_code == 429
    assert client.get("/quan-tri/").status_code == 302  # still not signed in


def test_a_success_resets_the_count(world):
    client = Client()
    for _ in range(LIMIT - 1):
        sign_in(client, "xem", "sai")
    assert sign_in(client, "xem", "ntm-demo").status_code == 302
    client = Client()
    for _ in range(LIMIT - 1):
        assert sign_in(client, "xem", "sai").status_code == 200


@pytest.mark.parametrize("typed", ["Admin", "ADMIN", " admin ", "ａｄｍｉｎ"])
def test_a_username_typed_another_way_signs_in_as_the_same_user(world, typed):
    client = Client()
    r = sign_in(client, typed, "ntm-demo")
    assert r.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(username="admin").pk


@pytest.mark.parametrize("raw, expected", [
    ("Nguyen.Van.A", "nguyen.van.a"), ("ＴＨＡＮＨ", "thanh"), ("  Xa ", "xa"), ("nguyễn", "nguyễn"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("Admin", "đã tồn tại hoặc dễ nhầm với tài khoản “admin”"),
    ("аdmin", "trộn chữ của nhiều bảng chữ cái"),  # Cyrillic а
    ("tοan", "trộn chữ của nhiều bảng chữ cái"),  # Greek ο
    ("\u0445\u0435\u043c", "dễ nhầm với tài khoản “xem”"),  # "хем": all Cyrillic, drawn like "xem"
    ("ad\u200bmin", "ký tự vô hình (U+200B ZERO WIDTH SPACE)"),
    ("\ufeffxa2", "ký tự vô hình (U+FEFF"),
    ("ádmin", "dễ nhầm với tài khoản “admin”"),
    ("nguyen van a", "có dấu cách"),
    ("a<b>", "có “<”, “>”"),
    ("   ", "không được để trống"),
])
def test_confusable_and_invisible_usernames_are_refused(world, raw, message):
    with pytest.raises(UsernameError) as exc:
        check_new(raw)
    assert message in str(exc.value), str(exc.value)


def test_cyrillic_lookalike_refused_even_when_it_maps_to_nothing_existing(world):
    with pytest.raises(UsernameError, match="trộn chữ"):
        check_new("nguyеn")  # Cyrillic е


def test_user_form_refuses_a_lookalike_and_stores_nothing(world):
    client = login("admin")
    before = User.objects.count()
    r = client.post(reverse("user_list"), {"username": "Xа", "full_name": "", "password": "mat-khau-dai-9", "role": "viewer",
                                           "unit": "38"})
    body = r.content.decode()
    assert "trộn chữ của nhiều bảng chữ cái" in body and "U+0430 CYRILLIC SMALL LETTER A" in body
    assert User.objects.count() == before


def test_user_form_stores_the_normalised_name(world):
    client = login("admin")
    r = client.post(reverse("user_list"), {"username": "Can.Bo.Moi", "full_name": "Cán Bộ Mới", "password": "mat-khau-dai-9",
                                           "role": "viewer", "unit": "38"})
    assert r.status_code == 302
    user = User.objects.get(username="can.bo.moi")
    assert Grant.objects.filter(user=user).exists()
    assert sign_in(Client(), "CAN.BO.MOI", "mat-khau-dai-9").status_code == 302


def test_password_rules_speak_vietnamese(world):
    client = login("admin")
    r = client.post(reverse("user_list"), {"username": "ngan", "full_name": "", "password": "123", "role": "viewer", "unit": "38"})
    body = r.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in body
    assert "Mật khẩu này quá phổ biến." in body and "Mật khẩu này hoàn toàn là số." in body
    assert "too short" not in body and not User.objects.filter(username="ngan").exists()


def test_admin_site_user_creation_applies_the_same_rules(world):
    client = login("admin")
    before = User.objects.count()
    r = client.post("/quan-tri/auth/user/add/", {"username": "ADMIN", "usable_password": "true",
                                                 "password1": "mat-khau-dai-9", "password2": "mat-khau-dai-9"})
    assert r.status_code == 200 and "dễ nhầm với tài khoản “admin”" in r.content.decode()
    r = client.post("/quan-tri/auth/user/add/", {"username": "tinh\u200b2", "usable_password": "true",
                                                 "password1": "mat-khau-dai-9", "password2": "mat-khau-dai-9"})
    assert "ký tự vô hình" in r.content.decode()
    assert User.objects.count() == before
    r = client.post("/quan-tri/auth/user/add/", {"username": "Moi.Tao", "usable_password": "true",
                                                 "password1": "mat-khau-dai-9", "password2": "mat-khau-dai-9"})
    assert r.status_code == 302 and User.objects.filter(username="moi.tao").exists()
