"""`make bench` part "web": the province dashboard and the public portal under load, on gunicorn.

Builds the Thanh Hóa demo (`manage.py setup`, ~60 s) in the part's fresh database, starts gunicorn
on it the production way (`gunicorn -c gunicorn.conf.py ntm.wsgi`, DEBUG off, hashed and
compressed static files), and loads it from 127.0.0.1 with bench/load.py for a fixed time:

  floor      a tiny signed-in page (the password form): what any request costs here (printed)
  dashboard  the Thanh Hóa province dashboard, 2025 (454 pre-reform communes) and 2026, signed in
             as a province official, 20 clients                               → dashboard_p95_ms
  portal     40 public pages, 50 clients, anonymous: cold (the data version just moved, as after a
             write: each page renders on its first request) and warm      → portal_p95_ms (the worse);
             then, as information, a crawl of every other commune page once (all renders)
  weight     the 2025 dashboard's HTML and the data it fetches (its map), compressed as sent → dashboard_kb

The server runs as in production (docs/deploy.md): DEBUG off, a cache shared by the workers in the
database (NTM_CACHE=database), persistent connections. The machine is shared: read the p95s
against the floor printed beside them.
Environment: BENCH_WEB_PORT (default 8601), BENCH_WEB_SECONDS (per load, default 15).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVINCE = "38"  # Thanh Hóa (the demo province)
POPULAR = 40  # public pages under load: the lists, the province, its first communes


def run() -> dict[str, float]:
    from django.conf import settings
    from django.core.management import call_command

    from bench.common import database_url
    from bench.load import run as load

    port = int(os.environ.get("BENCH_WEB_PORT", "8601"))
    seconds = float(os.environ.get("BENCH_WEB_SECONDS", "15"))
    t0 = time.perf_counter()
    settings.NTM_DEMO = True  # the bench database is a throw-away test database
    call_command("setup", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"web: Thanh Hóa demo built in {time.perf_counter() - t0:.0f} s", flush=True)
    static_root = collect_static()
    province, legacy_province, cookie = world()
    base = f"http://127.0.0.1:{port}"
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": database_url(), "NTM_CACHE": "database"})
    server = start_server(port, database_url(), static_root, settings.SECRET_KEY)
    try:
        wait_ready(base)
        dash = [f"/bang-dieu-khien/{province}/?year=2025", f"/bang-dieu-khien/{province}/?year=2026"]
        for path in dash:  # one request each: the first after a change computes and caches the figures
            start = time.perf_counter()
            fetch(base + path, cookie)
            print(f"web: {path} first request (cold) {1000 * (time.perf_counter() - start):.0f} ms", flush=True)
        floor = load(base, ["/mat-khau/"], clients=20, seconds=seconds / 2, cookies=cookie)
        print("web: " + floor.line("floor, tiny signed-in page, 20 clients"), flush=True)
        dashboard = load(base, dash, clients=20, seconds=seconds, cookies=cookie)
        print("web: " + dashboard.line("dashboard 2025+2026, 20 clients"), flush=True)
        public = portal_paths(legacy_province)
        bump_versions()  # as after a write: every page renders again on its first request
        cold = load(base, public[:POPULAR], clients=50, seconds=seconds)
        print("web: " + cold.line(f"portal cold ({POPULAR} pages, data version just moved), 50 clients"), flush=True)
        warm = load(base, public[:POPULAR], clients=50, seconds=seconds)
        print("web: " + warm.line(f"portal warm ({POPULAR} pages), 50 clients"), flush=True)
        crawl = load(base, public[POPULAR:], clients=50, seconds=seconds, once=True)
        print("web: " + crawl.line(f"(not a figure) portal crawl, {len(public) - POPULAR} commune pages each once, "
                                   "all rendered afresh, 50 clients"), flush=True)
        pfloor = load(base, ["/mat-khau/"], clients=50, seconds=seconds / 2, cookies=cookie)
        print("web: " + pfloor.line("floor, tiny signed-in page, 50 clients"), flush=True)
        kb = weight(base, dash[0], cookie)
        errors = dashboard.errors + cold.errors + warm.errors
        if errors:
            print(f"web: {errors} errors (statuses {dashboard.statuses} {cold.statuses} {warm.statuses})", flush=True)
    finally:
        stop_server(server)
    return {"dashboard_p95_ms": dashboard.p95_ms, "portal_p95_ms": max(cold.p95_ms, warm.p95_ms), "dashboard_kb": kb}


def collect_static() -> Path:
    """`collectstatic` into staticfiles/ (hashed names, .gz and .br beside them) unless it is newer
    than every source file (compressing the maps takes a minute)."""
    from django.contrib.staticfiles.finders import get_finders

    root = Path(os.environ.get("NTM_STATIC_ROOT", ROOT / "staticfiles"))
    manifest = root / "staticfiles.json"
    newest = max((Path(storage.path(path)).stat().st_mtime for finder in get_finders()
                  for path, storage in finder.list(["CVS", ".*", "*~"])), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        start = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True,
                       env={**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "collectstatic",
                            "NTM_STATIC_ROOT": str(root)})
        print(f"web: collectstatic {time.perf_counter() - start:.0f} s", flush=True)
    return root


def world() -> tuple[int, int, dict[str, str]]:
    """(current province id, legacy province id, session cookie of a province official)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from ntm.accounts.models import Grant, Role
    from ntm.units.models import Unit

    province = Unit.objects.get(code=PROVINCE, level=Unit.Level.PROVINCE, scheme=Unit.Scheme.CURRENT)
    legacy = Unit.objects.get(code=PROVINCE, level=Unit.Level.PROVINCE, scheme=Unit.Scheme.LEGACY)
    user, _ = get_user_model().objects.get_or_create(username="bench-tinh")
    Grant.objects.get_or_create(user=user, unit=province, role=Role.PROVINCE)
    client = Client()
    client.force_login(user)
    return province.pk, legacy.pk, {"sessionid": client.cookies["sessionid"].value}


def portal_paths(legacy_province: int) -> list[str]:
    """The public pages: lists, the province, then every commune of it (current, then pre-reform)."""
    from ntm.units.models import Unit

    paths = ["/cong-khai/", f"/cong-khai/don-vi/{PROVINCE}/", f"/cong-khai/don-vi-cu/{PROVINCE}/", "/cong-khai/bai-hoc/",
             "/cong-khai/tin-tuc/", "/cong-khai/ocop/", "/cong-khai/y-kien/", "/cong-khai/thi-dua/"]
    current = Unit.objects.filter(province__code=PROVINCE, province__scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE)
    old = Unit.objects.filter(province_id=legacy_province, level=Unit.Level.COMMUNE)
    paths += [f"/cong-khai/don-vi/{c}/" for c in current.order_by("code").values_list("code", flat=True)]
    paths += [f"/cong-khai/don-vi-cu/{c}/" for c in old.order_by("code").values_list("code", flat=True)]
    return paths


def bump_versions() -> None:
    """Move the data versions, as a write would: every cached page and figure goes cold."""
    from ntm.core import versions

    versions.bump(versions.RESULTS, versions.PORTAL)


def start_server(port: int, database: str, static_root: Path, secret: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secret,
           "DJANGO_SSL_REDIRECT": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "NTM_BIND": f"127.0.0.1:{port}",
           "NTM_STATIC_ROOT": str(static_root), "NTM_CACHE": "database", "PYTHONPATH": str(ROOT)}
    print(f"web: gunicorn on 127.0.0.1:{port}, {env.get('WEB_CONCURRENCY', (os.cpu_count() or 1) + 1)} workers", flush=True)
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ntm.wsgi"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(ROOT / "bench-gunicorn.log", "w"))  # noqa: SIM115


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/cong-khai/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.time() > deadline:
                raise RuntimeError(f"gunicorn did not answer at {base} (see bench-gunicorn.log)") from None
            time.sleep(0.5)


def fetch(url: str, cookie: dict[str, str] | None = None, encoding: str = "gzip") -> tuple[bytes, dict]:
    """(body as sent, headers) of one GET."""
    headers = {"Accept-Encoding": encoding}
    if cookie:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookie.items())
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        if r.status != 200:
            raise RuntimeError(f"{url}: {r.status}")
        return r.read(), dict(r.headers)


def weight(base: str, path: str, cookie: dict[str, str]) -> float:
    """KB sent for the dashboard: its HTML and the data it fetches (the map), compressed as a browser
    gets them; the scripts and styles (cached for a year) are printed apart."""
    body, headers = fetch(base + path, cookie)
    html = gzip.decompress(body).decode() if headers.get("Content-Encoding") == "gzip" else body.decode()
    total = len(body)
    parts = [f"HTML {len(body) / 1024:.0f} KB ({len(html) / 1024:.0f} KB uncompressed)"]
    charts = re.search(r'<script id="charts-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(charts.group(1)) if charts else {}
    if data.get("map"):
        map_body, _ = fetch(base + data["map"]["url"], encoding="br, gzip")
        total += len(map_body)
        parts.append(f"map {len(map_body) / 1024:.0f} KB")
    assets = 0
    for src in re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html):
        asset, asset_headers = fetch(base + src, encoding="br, gzip")
        assets += len(asset)
        if "max-age=315360000" not in asset_headers.get("Cache-Control", "") and "immutable" not in asset_headers.get(
                "Cache-Control", ""):
            print(f"web: {src} is not cached for long: {asset_headers.get('Cache-Control')}", flush=True)
    print(f"web: dashboard weight {total / 1024:.0f} KB = {' + '.join(parts)}; scripts and styles {assets / 1024:.0f} KB "
          "(first visit only: hashed names, cached for a year)", flush=True)
    return total / 1024
