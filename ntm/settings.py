"""NTM settings: one file, configured from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
# The demo loader (demo users, generated figures) refuses to run unless this is on.
NTM_DEMO = os.environ.get("NTM_DEMO", "1" if DEBUG else "0") == "1"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ntm.core",
    "ntm.accounts",
    "ntm.units",
    "ntm.criteria",
    "ntm.figures",
    "ntm.evaluations",
    "ntm.plans",
    "ntm.funding",
    "ntm.recognition",
    "ntm.community",
    "ntm.ocop",
    "ntm.practices",
    "ntm.portal",
    "ntm.demo",
    "ntm.reports",
    "ntm.api",
    "axes",  # sign-in throttling (last: its checks look at the other apps' settings)
]

MIDDLEWARE = [
    "ntm.core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ntm.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ntm.core.middleware.QueryStringGuardMiddleware",  # after auth: its 404 page shows the signed-in layout
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out sign-in into the lock-out page
    "ntm.core.dbrouter.ReplicaMiddleware",  # last: read-only views may read from a replica (DATABASE_REPLICA_URL)
]

ROOT_URLCONF = "ntm.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ntm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ntm.reports.context.nav",
            ]
        },
    }
]
WSGI_APPLICATION = "ntm.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the server read while a recompute writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    # A save that meets another writer waits (up to 20 s) instead of failing with "database is locked";
    # IMMEDIATE takes the write lock at BEGIN, so a transaction never fails half-way upgrading its lock.
    DATABASES["default"]["OPTIONS"]["timeout"] = int(os.environ.get("SQLITE_TIMEOUT", "20"))
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
# A PostgreSQL streaming replica for the read-only pages (ntm/core/dbrouter.py): dashboards, the national
# page and the public portal read from it; writes, and every read after a write or from a browser that
# wrote in the last DATABASE_REPLICA_PIN_S seconds, use `default`. Unset: everything uses `default`.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the same database as default
DATABASE_ROUTERS = ["ntm.core.dbrouter.ReplicaRouter"]
NTM_REPLICA_VIEWS = ("dashboard", "national", "unit_detail", "portal:*")
NTM_REPLICA_PIN = int(os.environ.get("DATABASE_REPLICA_PIN_S", "15"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (province recompute, large imports): Django's tasks framework. Inline on the
# embedded default and in tests; NTM_TASKS=database in production queues tasks in the database
# (django-tasks-db) for `manage.py db_worker` processes (docs/deploy.md).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
if os.environ.get("NTM_TASKS", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A national recompute runs as one task per province; a worker refreshes its part's heartbeat after
# each year, and a part whose heartbeat is older than this (seconds) is taken to belong to a dead
# worker and may be run again (ntm/evaluations/services.py). Keep it above one province-year's time.
NTM_RECOMPUTE_LEASE = int(os.environ.get("NTM_RECOMPUTE_LEASE_S", "600"))

# Sign-in (docs/security.md): usernames are normalised (NFKC, case-folded) before lookup, so
# "Admin" signs in as "admin"; django-axes counts failures per username + client address and
# locks that pair out for a while. The axes backend comes first; a call to authenticate() without
# a request (scripts, the test client's login()) is not throttled — every sign-in page passes one.
AUTHENTICATION_BACKENDS = ["ntm.accounts.backends.ThrottleBackend", "ntm.accounts.backends.UsernameBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("NTM_LOGIN_FAILURE_LIMIT", "5"))  # the 5th wrong password locks
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("NTM_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "ntm.accounts.usernames.axes_username"
AXES_LOCKOUT_CALLABLE = "ntm.accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# Behind the TLS proxy the client's address is in X-Forwarded-For (set by the proxy, one hop).
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
    h for h in os.environ.get("NTM_CLIENT_IP_HEADERS", "REMOTE_ADDR").split(",") if h)
AXES_IPWARE_PROXY_COUNT = int(os.environ["NTM_PROXY_COUNT"]) if os.environ.get("NTM_PROXY_COUNT") else None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "ntm" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Stock `vi` formats read 05/03/2025 as 3 May and print numbers ungrouped: ours fix both.
FORMAT_MODULE_PATH = ["ntm.formats"]
USE_THOUSAND_SEPARATOR = True

MEDIA_ROOT, MEDIA_URL = Path(os.environ.get("NTM_MEDIA_ROOT", BASE_DIR / "media")), "media/"  # uploads (dossier files)
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "ntm" / "static"]
WHITENOISE_USE_FINDERS = DEBUG  # serve straight from the app folders in development and tests
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("NTM_MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded workbooks waiting between an import's preview and its confirmation (ntm/figures/staging.py):
# with several app servers, a directory every server shares (else the system temp directory).
NTM_IMPORT_DIR = os.environ.get("NTM_IMPORT_DIR", "")
# Public pages and the feedback rate limit use the cache: set a shared backend (database, Redis) in
# production so every worker sees the same data version and counters (ntm/portal/cache.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ntm"}}
if os.environ.get("NTM_CACHE") == "database":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ntm_cache"}}
# Behind a reverse proxy: the META key of the header carrying the client address (rate limits).
NTM_CLIENT_IP_HEADER = os.environ.get("NTM_CLIENT_IP_HEADER", "")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "ntm@localhost")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Mail: the console in development; SMTP in production (host, port, user, password from the
# environment: DJANGO_EMAIL_HOST, DJANGO_EMAIL_PORT, DJANGO_EMAIL_HOST_USER, DJANGO_EMAIL_HOST_PASSWORD).
MAILERS = {"default": {"BACKEND": os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend")}}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"), "port": int(os.environ.get("DJANGO_EMAIL_PORT", "25")),
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""), "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": os.environ.get("DJANGO_EMAIL_USE_TLS", "0") == "1"}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "ntm.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (Django's own, since 6.0): no inline script, no eval, nothing from
# another origin. Styles may be inline: ECharts and htmx set style attributes, and a style
# cannot run code. Page data travels in json_script blocks (JSON, never executed).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if not DEBUG:  # production: TLS is terminated by the proxy in front (docs/deploy.md, docs/security.md)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The proxy redirects http → https itself; Django redirects too unless told not to.
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SSL_REDIRECT", "1") == "1"
    SECURE_REDIRECT_EXEMPT = [r"^healthz?/?$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("DJANGO_HSTS_PRELOAD", "0") == "1"
    if not SECURE_HSTS_PRELOAD:  # preloading is a decision for the domain's owner, not a default
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
