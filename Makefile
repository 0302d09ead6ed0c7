# Two commands from a fresh clone: `make run` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint format venv test-deps messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "Sampark needs Python >= 3.11; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Use PYTHON=python3.11 (or newer)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

venv: $(VENV)/.installed
test-deps: $(VENV)/.installed-test

## make run: install, migrate, load the demo data (once) and serve on the embedded SQLite.
run: venv
	$(BIN)/sampark migrate
	$(BIN)/sampark demo --if-empty
	$(BIN)/sampark serve --host $(HOST) --port $(PORT)

## make test: lint, format check, then the whole suite (in parallel).
test: test-deps lint
	SAMPARK_HOME=$(CURDIR)/.test-home $(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: venv
	cd src/sampark && ../../$(BIN)/django-admin makemessages -l hi --no-obsolete && \
	  ../../$(BIN)/django-admin compilemessages -l hi

clean:
	rm -rf $(VENV) .pytest_cache
