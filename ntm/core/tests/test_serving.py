"""Production serving: gunicorn's settings from the environment; hashed, long-cached static files,
kept database connections and compressed pages when DEBUG is off."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def production(code: str, **extra) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NTM_", "DB_"))}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="ntm.settings", **extra)
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_gunicorn_conf_reads_the_environment(monkeypatch):
    monkeypatch.setenv("NTM_BIND", "127.0.0.1:8609")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("NTM_THREADS", "4")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "127.0.0.1:8609" and conf["workers"] == 5 and conf["worker_class"] == "gthread"
    monkeypatch.delenv("WEB_CONCURRENCY")
    monkeypatch.delenv("NTM_THREADS")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] == (os.cpu_count() or 1) + 1 and conf["worker_class"] == "sync" and conf["preload_app"]


def test_production_keeps_connections_hashes_static_files_and_compresses_pages():
    code = ("from django.conf import settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'], "
            "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1], "
            "s.MIDDLEWARE.index('django.middleware.gzip.GZipMiddleware') - s.MIDDLEWARE.index('whitenoise.middleware.WhiteNoiseMiddleware'))")
    assert production(code) == "60 True CompressedManifestStaticFilesStorage 1"
    assert production(code, DB_CONN_MAX_AGE="0", NTM_STATIC_MANIFEST="0") == "0 False CompressedStaticFilesStorage 1"


def test_development_reads_static_files_from_the_app_folders():
    from django.conf import settings

    assert settings.STORAGES["staticfiles"]["BACKEND"].endswith(".CompressedStaticFilesStorage")
    assert settings.WHITENOISE_USE_FINDERS


def test_pages_are_compressed(client, db):
    r = client.get("/dang-nhap/", HTTP_ACCEPT_ENCODING="gzip")
    assert r["Content-Encoding"] == "gzip" and "Accept-Encoding" in r["Vary"]
