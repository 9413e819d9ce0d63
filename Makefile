# NTM — two commands: `make run` (set up everything and serve) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
STAMP := $(VENV)/.installed

.PHONY: run run-prod setup test system-deps lint fault bench vendor clean worker

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' || \
	  { echo "Cần Python 3.12 (Python 3.12 required): pyenv install 3.12 hoặc apt install python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py setup

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

# Production rehearsal on this machine (docs/deploy.md): PostgreSQL `ntm_prod` on 127.0.0.1 (created if
# missing), DEBUG off, gunicorn (gunicorn.conf.py) + the task worker, compressed static files; Ctrl-C stops both.
run-prod: $(STAMP)
	PY=$(PY) bash scripts/run-prod.sh

# Debian packages the tests need: chromium for browser tests (never a downloaded browser), Pango and
# Liberation 2 fonts for WeasyPrint PDFs (1.x lacks most Vietnamese letters, which fell back to DejaVu),
# poppler-utils to read the PDFs back, gettext for the translation catalogue (compilemessages, and the test that it is complete).
SYSTEM_PACKAGES := chromium fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils gettext
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 || ! command -v msgfmt >/dev/null 2>&1 \
	    || ! ldconfig -p | grep -q libpangoft2-1.0 || ! fc-list | grep -q "liberation2/LiberationSerif"; then \
	  echo "Cài gói hệ thống cho kiểm thử (installing: $(SYSTEM_PACKAGES))"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; fi

# One test process per core (pytest-xdist), each with its own test database; a file's tests stay together
# so a module's shared world is built once. `$(PY) -m pytest path::test` runs one test in one process.
test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n auto --dist loadfile

# Crash tests alone: kill -9 during an import and during a province recompute (also part of `make test`).
fault: $(STAMP)
	$(PY) -m pytest tests/test_crash.py

# The task worker (production: NTM_TASKS=database); see docs/deploy.md.
worker: setup
	NTM_TASKS=database $(PY) manage.py db_worker

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) -m bench

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
