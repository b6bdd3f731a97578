# EV Entry Tracker: `make run` serves the seeded tracker, `make test` runs the whole suite.
# Needs only python3 and make; everything else is installed into .venv from requirements.txt.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests run with production-like settings (debug off) and their own throwaway key; the test
# client and the browser tests' live server speak plain http, so no redirect to https.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-not-a-secret DJANGO_STATIC_MANIFEST=0 DJANGO_ENV_FILE= \
            DJANGO_SECURE_SSL_REDIRECT=0

# `make serve`: production settings whatever the checkout's .env says (debug off; an env file only
# if DJANGO_ENV_FILE names one). Configuration comes from the environment: see README.
WORKERS ?= 3
SERVE_ENV := DJANGO_DEBUG=0 DJANGO_ENV_FILE="$${DJANGO_ENV_FILE-}"

.PHONY: run serve test lint format venv seeds export-seeds clean

venv: $(INSTALLED)

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# A local checkout's settings: debug on. Never created anywhere else, never committed.
.env:
	printf '# Local development settings, written by make run (not committed).\nDJANGO_DEBUG=1\n' > .env

# The seeds are what a fresh database starts from: loaded only into an empty one, so editors' work
# survives every restart (load_seeds prints what it did, or why it left the database alone).
run: $(INSTALLED) .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seeds --if-empty
	$(PY) manage.py ensure_local_admin --admin-url http://$(HOST):$(PORT)/admin/
	@echo "Serving the tracker at http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
# The background-jobs worker runs beside the site; the trap stops it with the site (Ctrl-C included).
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# gunicorn on HOST:PORT behind a TLS-terminating proxy; static files collected, served by whitenoise.
# FORWARDED_ALLOW_IPS: the addresses gunicorn believes when a request says it came over https
# (X-Forwarded-Proto, X-Forwarded-Ssl, X-Forwarded-Protocol) or sets SCRIPT_NAME/PATH_INFO.
# gunicorn's own default is 127.0.0.1,::1, so anything on this machine, a proxy passing on a
# client's X-Forwarded-Ssl included, could say so. Empty: nobody; Django decides from the
# X-Forwarded-Proto that the proxy sets (DJANGO_BEHIND_TLS_PROXY=1). See README, "HTTPS".
FORWARDED_ALLOW_IPS ?=
# Threaded workers: a slow client or upload occupies one thread, and the worker goes on answering
# its master, so gunicorn never kills it for that. TIMEOUT (seconds) is how long a worker may stop
# answering before it is restarted: longer than the slowest synchronous work left (a save that
# waits for SQLite's lock, DJANGO_SQLITE_TIMEOUT, 60 s). Long imports run as background jobs.
THREADS ?= 8
TIMEOUT ?= 120
serve: $(INSTALLED)
	$(SERVE_ENV) $(PY) manage.py check --deploy --fail-level ERROR
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(PY) manage.py db_worker --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(SERVE_ENV) $(VENV)/bin/gunicorn evtracker.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --worker-class gthread --threads $(THREADS) --timeout $(TIMEOUT) --graceful-timeout 30 --keep-alive 5 \
	  --forwarded-allow-ips '$(FORWARDED_ALLOW_IPS)' --access-logfile -

test: $(INSTALLED)
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Into an empty database: load. Otherwise: change nothing and list every record that differs from
# the files (exit status 1 if any does); `make seeds SEEDS_ARGS=--overwrite` replaces them, listing each.
SEEDS_ARGS ?=
seeds: $(INSTALLED) .env
	$(PY) manage.py load_seeds $(SEEDS_ARGS)

export-seeds: $(INSTALLED) .env
	$(PY) manage.py export_seeds

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
