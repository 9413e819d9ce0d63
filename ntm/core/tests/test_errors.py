"""Error pages (DEBUG=False, as in production): Vietnamese, in the site's layout, saying what
happened and where to go; the Vietnamese reason given to Http404/PermissionDenied is shown."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext

from ntm.core.errors import server_error
from ntm.testing import YEAR, login

WORLD_COMMUNES = 1
pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_tests_run_as_production(settings):
    assert settings.DEBUG is False


def test_404_names_the_reason_given(world):
    r = login("xa").get(f"/don-vi/{world['outsider'].pk}/")
    body = r.content.decode()
    assert r.status_code == 404
    assert "Không tìm thấy trang" in body
    assert '<p class="empty-subtitle fw-medium" data-testid="error-reason">Không tìm thấy hoặc bạn không có quyền xem</p>' in body
    assert "ntm-navbar" in body and "Về trang chủ" in body and "Tìm đơn vị" in body
    assert "Not Found" not in body


def test_404_of_an_unknown_address_gives_no_english_reason(world):
    client = login("admin")
    for url in ("/khong-co/", "/nguoi-dung/987654321/"):  # the resolver; get_object_or_404
        r = client.get(url)
        body = r.content.decode()
        assert r.status_code == 404 and "Không tìm thấy trang" in body
        assert "matches the given query" not in body and "Resolver404" not in body and 'data-testid="error-reason"' not in body


def test_403_names_the_reason_given(world):
    r = login("xem").get(f"/don-vi/{world['tho_long'].pk}/so-lieu/{YEAR}/")
    body = r.content.decode()
    assert r.status_code == 403
    assert "Bạn không có quyền làm việc này" in body and "Bạn chỉ được xem đơn vị này" in body
    assert "ntm-navbar" in body and "Forbidden" not in body


def test_a_form_without_csrf_token_gets_a_vietnamese_403():
    r = Client(enforce_csrf_checks=True).post("/dang-nhap/", {"username": "a", "password": "b"})
    body = r.content.decode()
    assert r.status_code == 403 and "Không gửi được biểu mẫu" in body and "tải lại trang" in body
    assert "CSRF verification failed" not in body


def test_400_for_a_foreign_host_is_vietnamese():
    r = Client().get("/", HTTP_HOST="evil.example")
    body = r.content.decode()
    assert r.status_code == 400 and "Yêu cầu không hợp lệ" in body and "Bad Request" not in body


def test_500_is_vietnamese_in_the_layout(world, settings):
    settings.ROOT_URLCONF = "ntm.core.tests.urls_boom"
    client = login("tinh")
    client.raise_request_exception = False
    r = client.get("/loi-thu/")
    body = r.content.decode()
    assert r.status_code == 500
    assert "Hệ thống gặp lỗi" in body and "Về trang chủ" in body and "ntm-navbar" in body
    assert "a bug" not in body and "Traceback" not in body and "Server Error" not in body


def test_500_renders_without_request_context_or_database():
    request = RequestFactory().get("/")  # no session, no user: nothing a context processor could use
    with CaptureQueriesContext(connection) as queries:
        r = server_error(request)
    assert r.status_code == 500 and "Hệ thống gặp lỗi" in r.content.decode()
    assert len(queries) == 0


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"<{tag} {k}>" for k in attrs if k.startswith("on") or k.startswith("hx-on")]
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.inline.append(self.getpos())


def test_pages_carry_a_csp_and_no_inline_script(world):
    admin, xa = login("admin"), login("xa")
    unit, province = world["tho_long"].pk, world["province"].pk
    pages = [(Client(), "/"), (Client(), "/dang-nhap/"), (admin, f"/bang-dieu-khien/{province}/"),
             (admin, f"/don-vi/{unit}/"), (xa, f"/don-vi/{unit}/so-lieu/{YEAR}/"), (admin, "/nguoi-dung/"),
             (admin, "/ban-do/"), (admin, "/toan-quoc/"), (admin, "/don-vi/"), (admin, "/quan-tri/"),
             (admin, "/quan-tri/auth/user/add/"), (admin, "/khong-co/")]
    for client, url in pages:
        r = client.get(url)
        assert r.status_code in (200, 404), url
        csp = r["Content-Security-Policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert script_src.split() == ["script-src", "'self'"], csp
        assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        parser = _Scripts()
        parser.feed(r.content.decode())
        assert not parser.inline, f"{url}: inline <script> at {parser.inline}"
        assert not parser.handlers, f"{url}: inline handlers {parser.handlers}"


def test_no_template_holds_inline_script():
    for path in (ROOT / "ntm" / "templates").rglob("*.html"):
        parser = _Scripts()
        parser.feed(path.read_text(encoding="utf-8"))
        assert not parser.inline and not parser.handlers, path


def _deploy_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="ntm.example.gov.vn",
               PYTHONPATH=str(ROOT), **extra)
    return env


def test_production_settings_pass_check_deploy():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=_deploy_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_set_for_a_tls_proxy():
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)")
    run = lambda **extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, capture_output=True, text=True,
        env=_deploy_env(DJANGO_SETTINGS_MODULE="ntm.settings", **extra), timeout=60).stdout.strip()
    assert run() == "True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') True True"
    assert run(DJANGO_SSL_REDIRECT="0", DJANGO_HSTS_SECONDS="600").startswith("False 600 ")


def test_production_refuses_to_start_without_a_secret_key():
    env = _deploy_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr
