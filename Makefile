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

.PHONY: run test bench lint messages worker clean-venv

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

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v 0
	@$(PY) manage.py demo_signins --host $(HOST) --port $(PORT)
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

# The task worker (reminders, term expiry, documents) for a production-like run.
worker: $(VENV)/.installed
	$(PY) manage.py db_worker

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=bench --ignore=tests --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=static/CACHE

bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) -m bench $(if $(SCALE),--scale $(SCALE),)

clean-venv:
	rm -rf $(VENV)
