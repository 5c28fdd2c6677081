# The README's commands. `make run` serves the portal on SQLite; `make test` runs the whole suite.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
AXE := tests/browser/node_modules/axe-core/axe.min.js
OIDC_PROVIDER := tests/browser/oidc_provider/node_modules/oidc-provider/package.json

# Find a Python >= 3.12: PYTHON if given, then python3.13/python3.12/python3 on PATH, then pyenv's versions.
find_python = for candidate in $(PYTHON) python3.14 python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		command -v "$$candidate"; exit 0; fi; done; exit 1

.PHONY: help
help:
	@echo "make run               serve the portal on http://$(HOST):$(PORT) (SQLite unless DATABASE_URL is set)"
	@echo "make test              run the whole test suite, browser tests included"
	@echo "make lint              ruff check and format check"
	@echo "make typecheck         mypy with django-stubs and the pydantic plugin over the whole project"
	@echo "make format            ruff format and safe fixes"
	@echo "make migrations-check  fail if models and migrations disagree"
	@echo "make createsuperuser   create your own admin account"
	@echo "make bench             endpoints against their ceilings, ranking at 1,000 patterns, lists at 100,000 projects"
	@echo "make release           production release step: collect static files, migrate, load the catalog draft"
	@echo "make serve             the production server (gunicorn, DEBUG off; needs SECRET_KEY, honours PORT,"
	@echo "                       WEB_CONCURRENCY, DATABASE_URL)"
	@echo "make loadtest          three replicas behind nginx, one stopped mid-run; reports errors"
	@echo "make lock              pin every dependency with hashes: requirements.lock, requirements-runtime.lock"

$(STAMP): pyproject.toml requirements.lock
	@python=$$($(find_python)) || { \
		echo "No Python 3.12 or newer found. Install one (e.g. 'pyenv install 3.13' or your OS package python3.13)" >&2; \
		echo "or point to it: make run PYTHON=/path/to/python3.13" >&2; exit 1; }; \
	echo "Using $$python ($$($$python --version))"; \
	test -x $(PY) || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	@# Exact versions with their hashes from the lock (`make lock` writes it from pyproject.toml); then anything a
	@# pyproject.toml change added since (nothing when the lock is current; tests/ops/test_lockfile.py says so).
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --group dev
	@touch $(STAMP)

.PHONY: venv
venv: $(STAMP)

.PHONY: run
run: export DEBUG ?= true
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py loadcatalog
	$(PY) manage.py ensuredevadmin
	$(PY) manage.py schedulereminders
	@# The task worker (notification e-mails, daily reminders) runs beside the development server and stops with it.
	$(PY) manage.py db_worker & worker=$$!; trap 'pkill -P $$worker 2>/dev/null; kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

.PHONY: test
test: export DEBUG := true
test: export DJANGO_ALLOW_ASYNC_UNSAFE := true
test: $(STAMP) $(AXE) $(OIDC_PROVIDER)
	$(PY) -m pytest $(PYTEST_ARGS)

# axe-core, injected by the browser tests to check accessibility: pinned in tests/browser/package-lock.json.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the accessibility checks (apt-get install npm, or Node.js)" >&2; exit 1; }
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $(AXE)

# oidc-provider, the real OpenID Connect provider the sign-in browser tests start: pinned in its package-lock.json.
$(OIDC_PROVIDER): tests/browser/oidc_provider/package.json tests/browser/oidc_provider/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the sign-in tests' OpenID Connect provider (apt-get install npm)" >&2; exit 1; }
	npm ci --prefix tests/browser/oidc_provider --no-audit --no-fund --loglevel=error
	@touch $(OIDC_PROVIDER)

.PHONY: lint
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: typecheck
typecheck: export DEBUG := true
typecheck: $(STAMP)
	$(VENV)/bin/mypy

.PHONY: format
format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: migrations-check
migrations-check: export DEBUG := true
migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

.PHONY: createsuperuser
createsuperuser: export DEBUG ?= true
createsuperuser: $(STAMP)
	$(PY) manage.py createsuperuser

.PHONY: bench
# Its own database (it adds 100,000 projects for a while): BENCH_DATABASE_URL=postgres://... for PostgreSQL figures.
BENCH_DATABASE_URL ?= sqlite:///bench.sqlite3
bench: export DEBUG ?= true
bench: export LOG_LEVEL ?= WARNING
bench: export DATABASE_URL = $(BENCH_DATABASE_URL)
bench: $(STAMP)
	@command -v wrk >/dev/null || echo "wrk is not installed (apt-get install wrk): the HTTP figures will be skipped." >&2
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py benchmark $(BENCH_ARGS)

# Production: the release step once per deployment, then any number of servers. Both need a real SECRET_KEY.
.PHONY: release
release: export DEBUG := false
release: $(STAMP)
	$(PY) manage.py release --collectstatic

.PHONY: serve
serve: export DEBUG := false
serve: $(STAMP)
	@$(PY) manage.py check --fail-level ERROR
	exec $(PY) deploy/serve.py --bind $(HOST):$(PORT)

# The lock files: every package of the dev and runtime groups pinned with its hashes, for every platform (uv's
# resolver, pip-compile format). make, CI and the image install from them.
LOCK_WITH := $(VENV)/bin/uv pip compile --generate-hashes --universal --python-version 3.12 --no-header --quiet
.PHONY: lock
lock: $(STAMP)
	$(PY) -m pip install --quiet "uv>=0.9"
	$(LOCK_WITH) --group pyproject.toml:dev -o requirements.lock
	$(LOCK_WITH) --group pyproject.toml:runtime -o requirements-runtime.lock

# Three replicas behind Debian's nginx, one stopped halfway; reports errors (deploy/loadtest.py --help).
.PHONY: loadtest
loadtest: $(STAMP)
	$(PY) deploy/loadtest.py $(LOADTEST_ARGS)
