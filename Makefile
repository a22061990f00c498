# Aizuchi: `make run` installs everything and serves on http://127.0.0.1:8000 with a worker
# (which also runs Celery beat: periodic retention, and the reaper for steps whose worker died);
# `make test` runs the test suite (embedded default, then PostgreSQL + Redis).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKER_CONCURRENCY ?= 2
PG_URL ?= postgres://postgres@127.0.0.1:5432/aizuchi
REDIS_URL ?= redis://127.0.0.1:6379/15
# `make run` serves production settings (DEBUG off) over plain HTTP on loopback: no HTTPS
# redirect, HSTS or Secure-only cookies (see "HTTPS and hardening" in the README).
RUN_ENV ?= AIZUCHI_PLAIN_HTTP=1

.PHONY: install system-packages models run worker test test-embedded test-scale lint typecheck bench clean

install: system-packages $(VENV)/.installed .env models

# Debian's ffmpeg decodes recordings; chromium (with Japanese fonts) runs the browser tests.
system-packages:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null && command -v chromium >/dev/null && fc-list :lang=ja | grep -q . || { \
	  echo "Installing Debian packages: ffmpeg chromium fonts-noto-cjk…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq ffmpeg chromium fonts-noto-cjk >/dev/null; }

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-nodeps.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

# A local secret for this checkout (production sets DJANGO_SECRET_KEY in the environment).
.env:
	@echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env with a new DJANGO_SECRET_KEY (see .env.example for every setting)."

# Join and check the offline Whisper weights, convert them for openai-whisper (once).
models: $(VENV)/.installed .env
	$(BIN)/python manage.py whisper_prepare

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_rule_pack  # newer default rules after an upgrade (hand edits kept)
	$(BIN)/python manage.py seed_demo  # demo logins; the first time, a quarter of demo history (AIZUCHI_DEMO_HISTORY=0: none)
	$(BIN)/python manage.py collectstatic --noinput -v 0  # WhiteNoise serves them, DEBUG stays off
	@echo "Serving on http://$(HOST):$(PORT)/ (worker: $(WORKER_CONCURRENCY) processes). Ctrl-C stops both."
	@trap 'kill 0' EXIT; \
	  $(RUN_ENV) $(BIN)/celery -A aizuchi worker -B -Q transcription,analysis,integrations -c $(WORKER_CONCURRENCY) --loglevel INFO & \
	  $(RUN_ENV) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A aizuchi worker -Q transcription,analysis,integrations -c $(WORKER_CONCURRENCY) --loglevel INFO

test: install test-embedded test-scale

test-embedded:
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	@$(MAKE) --no-print-directory typecheck
	$(BIN)/pytest

# The scale path: PostgreSQL and a Redis broker (the tests that load speech models already ran above).
test-scale:
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) $(BIN)/pytest -m "not real_engine or worker"

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Static types of the apps (settings in pyproject.toml: [tool.mypy], [tool.django-stubs]).
typecheck:
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/transcribe
	$(BIN)/python bench/detect

clean:
	rm -rf var staticfiles .pytest_cache
