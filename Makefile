# Vigil: two commands on a fresh machine with Python 3.11.
#   make run   - install, migrate, load demo data, serve on http://127.0.0.1:$(PORT) with a Celery worker
#   make test  - install and run the whole suite (SQLite, or PostgreSQL/Redis with DATABASE_URL/REDIS_URL)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint browser clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The address the server really binds to, in every link Vigil prints or emails (the demo's
# sign-in line, alert and reset emails), unless VIGIL_BASE_URL is set to something else.
run: export VIGIL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	@mkdir -p var
	@$(BIN)/python -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' $(PORT) 2>/dev/null \
	  || { echo "Port $(PORT) is in use on 127.0.0.1: stop what uses it, or choose another: make run PORT=8001"; exit 1; }
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Vigil is running at http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@echo
	@trap 'kill 0' EXIT; \
	  $(BIN)/celery -A safeguard worker --beat --loglevel=warning --concurrency=1 \
	    --schedule=var/celerybeat-schedule & \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Browser tests drive Debian's Chromium through Playwright; Playwright's own download cannot run here.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-l10n >/dev/null; \
	  else echo "Browser tests need Chromium at /usr/bin/chromium: apt-get install chromium"; exit 1; fi; }

test: install browser
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf var .pytest_cache test-artifacts

# The hot pages timed on a generated organisation (not part of `make test`); writes benchmarks/RESULTS.md.
# Build the database once:  createdb vigil_scale, then with DATABASE_URL=$(BENCH_DATABASE_URL)
#   manage.py migrate && manage.py seed_scale --sites 50 --children 50000 --concerns 1000000 --ledger 10000000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vigil_scale
BENCH_ARGS ?= --requests 50
.PHONY: bench
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 $(BIN)/python -m benchmarks.pages $(BENCH_ARGS)
