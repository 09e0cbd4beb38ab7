# The two commands: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python

# Django 6 needs Python 3.12 or newer: honour PYTHON=, else look on PATH, then under pyenv.
PYTHON ?= $(shell for p in python3.13 python3.12; do \
	  c=$$(command -v $$p 2>/dev/null) && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; exit; }; \
	done; \
	for c in $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[3-9]*/bin/python3 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3; do \
	  [ -x "$$c" ] && { echo $$c; exit; }; \
	done)

.PHONY: run test bench lint messages worker clean-venv system-packages api-check

# What the tests need from Debian, in one place (`.ci/run` installs the same list): the browser
# for the journeys, CJK fonts for the PDFs, poppler to read PDFs back, gettext for the
# catalogues, pango for WeasyPrint. As root with apt they are installed when missing; otherwise
# the tests that need one skip and say which package. In CI (CI set) a missing package fails.
SYSTEM_PACKAGES := chromium fonts-noto-cjk poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing from Debian: $$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null || \
	  { echo "Could not install $$missing: the tests that need them will skip, naming the package." >&2; \
	    [ -z "$$CI" ] || exit 1; }; \
	else \
	  echo "Not installed: $$missing (run as root, or apt-get install them): the tests that need them skip." >&2; \
	  [ -z "$$CI" ] || exit 1; \
	fi

$(VENV)/.installed: requirements.txt
	@if [ ! -x "$(PY)" ]; then \
	  if [ -z "$(PYTHON)" ]; then \
	    echo "No Python 3.12 or newer found. Install python3.12+ or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $(PYTHON)"; \
	  "$(PYTHON)" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# Static files are collected first: under production settings (DJANGO_DEBUG=0) pages and
# documents name them through the manifest, which must exist before anything renders.
run: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@$(PY) manage.py demo_signins --host $(HOST) --port $(PORT)
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

# The task worker (reminders, term expiry, documents) for a production-like run.
worker: $(VENV)/.installed
	$(PY) manage.py db_worker

# One test worker per core (pytest-xdist): each has its own test database, Redis prefixes
# and live server.
test: $(VENV)/.installed system-packages
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# Style, the direction of imports (import-linter contracts in pyproject.toml) and the size limits.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) .ci/sizes.py

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=bench --ignore=tests --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=static/CACHE

# The API against the schema a real daphne serves (the demo): Schemathesis, all checks, as an
# expert and as the secretariat, two seeds, 30 examples per operation (tests/security/api_check.py).
api-check: $(VENV)/.installed
	$(PY) -m tests.security.api_check

bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) -m bench $(if $(SCALE),--scale $(SCALE),)

clean-venv:
	rm -rf $(VENV)
