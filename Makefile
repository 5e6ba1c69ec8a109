# backpainlog — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: run test lint format serve bench bench-scale lighthouse loadtest clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "backpainlog needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

## run: set up, migrate, create the demo account on first run, serve on http://$(HOST):$(PORT)/ with a queue worker beside it
run: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	@# The worker runs in the background and stops with the server (Ctrl+C included).
	DJANGO_DEBUG=1 $(BIN)/python manage.py worker & worker=$$!; \
		trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
		DJANGO_DEBUG=1 DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-*}" $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole suite, browser tests included (DATABASE_URL picks the database)
test: $(STAMP)
	$(BIN)/pytest

## lint: ruff (lint and format), mypy (types, Django and DRF plugins), no missing migration, an OpenAPI schema without warnings, `check --deploy` with production settings
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The Django plugin imports the settings: development ones, so no secret key is needed.
	DJANGO_DEBUG=1 $(BIN)/mypy
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	env -u DJANGO_DEBUG DJANGO_HTTPS=1 DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## serve: production settings under gunicorn, for a production-like local run (start `manage.py worker` beside it)
serve: $(STAMP)
	@test -f .secret_key || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > .secret_key
	DJANGO_SECRET_KEY="$$(cat .secret_key)" $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_SECRET_KEY="$$(cat .secret_key)" $(BIN)/python manage.py migrate --noinput
	DJANGO_SECRET_KEY="$$(cat .secret_key)" $(BIN)/gunicorn backpainlog.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

## bench: how analytics, dashboard, export and import scale with a long history (figures, not a test)
bench: $(STAMP)
	@for script in $(filter-out benchmarks/bench_scale.py,$(wildcard benchmarks/bench_*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

## bench-scale: PostgreSQL (DATABASE_URL) with 10,000 users × 1 year: load, query plans, latency (minutes)
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py $(if $(PLANS),--plans)

## lighthouse: Lighthouse scores (mobile, headless Chromium) of the login page, dashboard and log form under gunicorn
lighthouse: $(STAMP)
	cd lighthouse && npm ci --no-audit --no-fund --loglevel=error
	CHROME_PATH="$${CHROME_PATH:-/usr/bin/chromium}" $(BIN)/python lighthouse/run.py

## loadtest: 50 clients for 60 s under gunicorn on SQLite and PostgreSQL, then a 5 s database outage (FAULT=1: the outage only)
loadtest: $(STAMP)
	$(BIN)/python loadtest/run.py $(if $(FAULT),--fault)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache lighthouse/node_modules lighthouse/reports
