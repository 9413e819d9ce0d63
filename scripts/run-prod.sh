#!/usr/bin/env bash
# `make run-prod`: rehearse production on this machine — PostgreSQL, gunicorn, the task worker, DEBUG
# off, compressed static files served by WhiteNoise. Ctrl-C stops the server and the worker.
# Everything can be overridden from the environment (docs/deploy.md lists the variables).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}

export DJANGO_DEBUG=0
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ntm_prod}
export NTM_TASKS=database NTM_CACHE=database
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}
export NTM_BIND=${NTM_BIND:-127.0.0.1:$PORT}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
export DJANGO_CSRF_TRUSTED_ORIGINS=${DJANGO_CSRF_TRUSTED_ORIGINS:-http://127.0.0.1:$PORT,http://localhost:$PORT}
# No TLS proxy in front here: Django must not redirect to https. Cookies stay Secure (browsers accept
# them from 127.0.0.1/localhost); in production the proxy sets X-Forwarded-Proto (docs/deploy.md).
export DJANGO_SSL_REDIRECT=${DJANGO_SSL_REDIRECT:-0}
if [[ -z "${DJANGO_SECRET_KEY:-}" ]]; then  # one random key kept beside the checkout (not in git)
  [[ -s .prod-secret ]] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > .prod-secret
  DJANGO_SECRET_KEY=$(cat .prod-secret); export DJANGO_SECRET_KEY
fi

echo "Cơ sở dữ liệu: ${DATABASE_URL%%\?*}"
"$PY" - <<'PYEOF'
import os, dj_database_url, psycopg
c = dj_database_url.parse(os.environ["DATABASE_URL"])
if not c["ENGINE"].endswith("postgresql"):
    raise SystemExit("run-prod cần PostgreSQL (DATABASE_URL=postgres://…)")
with psycopg.connect(host=c["HOST"] or "127.0.0.1", port=c["PORT"] or 5432, user=c["USER"],
                     password=c["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [c["NAME"]]).fetchone():
        admin.execute(f'CREATE DATABASE "{c["NAME"]}"')
        print(f"Đã tạo cơ sở dữ liệu {c['NAME']}")
PYEOF
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py createcachetable
# units, criteria sets, demo data (NTM_DEMO=0: none); evaluated inline here, the worker is not up yet
NTM_TASKS=immediate NTM_DEMO=${NTM_DEMO:-1} "$PY" manage.py setup
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py check --deploy --fail-level ERROR

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Dừng máy chủ và tiến trình nền…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
"$PY" manage.py db_worker --no-reload &
pids+=($!)
"$(dirname "$PY")/gunicorn" -c gunicorn.conf.py ntm.wsgi &
pids+=($!)
echo "NTM (production rehearsal): http://$NTM_BIND/  — Ctrl-C để dừng"
wait -n "${pids[@]}"  # either one ending ends the rehearsal
