"""Gunicorn settings for NTM in production: `gunicorn -c gunicorn.conf.py ntm.wsgi`.

Every value can be set from the environment (docs/deploy.md):

    NTM_BIND          address to listen on                  127.0.0.1:8001 (the TLS proxy is in front)
    WEB_CONCURRENCY   worker processes (or NTM_WEB_WORKERS) cores + 1 (3 on a 2-core machine)
    NTM_THREADS       threads per worker (gthread if > 1)   1
    NTM_TIMEOUT       seconds before a stuck worker is restarted (or NTM_WEB_TIMEOUT)   60
    NTM_ACCESS_LOG    "-" for stdout, or a file; unset: no access log

Pages are CPU-bound Python (templates, evaluation), so one process per core plus one to cover
database waits is the measured sweet spot on 2 cores (docs/benchmarks.md); threads help only when
requests mostly wait on the database. Workers are recycled after ~5000 requests so a slow leak
never grows, at random offsets so they never restart together; a new worker loads the criteria
sets and templates before it takes its first request (`post_worker_init`), so no visitor waits
for that.
"""

import os

bind = os.environ.get("NTM_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY") or os.environ.get("NTM_WEB_WORKERS") or (os.cpu_count() or 1) + 1)
threads = int(os.environ.get("NTM_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("NTM_TIMEOUT") or os.environ.get("NTM_WEB_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5  # seconds: the proxy (or a browser) reuses the connection for its next request
max_requests = 5000
max_requests_jitter = 500
preload_app = True  # import Django once, then fork: workers start fast and share memory
accesslog = os.environ.get("NTM_ACCESS_LOG") or None
errorlog = "-"
# Only the proxy on this machine may say the request came over https (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("NTM_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker) -> None:
    """Warm this worker before it serves: the criteria registry (built from the database on first
    use, ~1 s) and the compiled templates of the busiest pages. A failure is logged, not fatal:
    the first request then does the same work."""
    try:
        from django.db import close_old_connections
        from django.template.loader import get_template

        from ntm.criteria.loader import registry

        registry()
        for name in ("base.html", "reports/dashboard.html", "reports/_matrix.html", "units/detail.html",
                     "portal/home.html", "portal/unit.html"):
            get_template(name)
        close_old_connections()
    except Exception:  # noqa: BLE001 — warming is an optimisation
        worker.log.exception("warm-up failed; the first request will load what it needs")
