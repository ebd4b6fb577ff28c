PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint format fuzz loadtest bench browser-test clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Development server on the embedded SQLite database, with the game catalog loaded.
run: export DJANGO_DEBUG ?= 1
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalog --keep-existing
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production-like: gunicorn with gunicorn.conf.py (workers from the core count).
# Needs the production environment (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, ...).
serve: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_catalog --keep-existing
	$(BIN)/gunicorn overworld.wsgi --config gunicorn.conf.py

test: $(VENV)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

# Contract fuzzing: schemathesis over every operation of the OpenAPI schema.
fuzz: $(VENV)/.installed
	$(BIN)/python fuzz/run.py

# Load and consistency test on PostgreSQL and Redis (both must already be running).
loadtest: $(VENV)/.installed
	$(BIN)/python loadtest/run.py

# Benchmark at scale on PostgreSQL and Redis (both must already be running); writes
# bench/results.md and bench/results.png. BENCH_ARGS="--database sqlite" for SQLite.
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Headless Chromium on another origin uses the API (installs Chromium if missing).
browser-test:
	browser/run

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .test-db*.sqlite3*
