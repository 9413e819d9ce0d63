# NTM — two commands: `make run` (set up everything and serve) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
STAMP := $(VENV)/.installed

.PHONY: run setup test browser lint bench vendor clean

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

# Browser tests drive Debian's chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Cài chromium cho kiểm thử giao diện (installing Debian chromium for browser tests)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null; }

test: $(STAMP) browser
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) -m bench.recompute

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
