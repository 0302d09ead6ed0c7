# Two commands from a fresh clone: `make run` and `make test`. Each bootstraps .venv itself, and
# installs the exact versions locked in requirements/ (`make lock` refreshes them).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The lock's tool, itself pinned so that a refresh is repeatable.
UV_VERSION := 0.13.9
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test lint format venv test-deps lock messages clean
# A recipe that fails leaves no target behind that looks finished.
.DELETE_ON_ERROR:

# .venv/.created is written last: a venv that failed half-way is removed and made again.
$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "Sampark needs Python >= 3.11; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Use PYTHON=python3.11 (or newer)."; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
	  { echo "'$(PYTHON) -m venv' cannot work here: Python's venv module is missing. On Debian or Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }
	@touch $@

$(VENV)/.installed: $(VENV)/.created requirements/run.txt pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	@touch $@

venv: $(VENV)/.installed
test-deps: $(VENV)/.installed-test

## make run: install, migrate, load the demo data (once) and serve on the embedded SQLite.
run: venv
	$(BIN)/sampark migrate
	$(BIN)/sampark demo --if-empty
	@echo "Open the agent workspace at http://$(HOST):$(PORT)/ and sign in with the demo's password"
	@echo "sampark-demo as ankit.sharma@sampark.local (agent), meenakshi.rao@sampark.local"
	@echo "(supervisor) or admin@sampark.local (admin; the admin is at http://$(HOST):$(PORT)/admin/)."
	$(BIN)/sampark serve --host $(HOST) --port $(PORT)

## make test: lint, format check, then the whole suite (in parallel).
test: test-deps lint
	SAMPARK_HOME=$(CURDIR)/.test-home $(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

## make lint: ruff (lint and format check), then Sampark's own rules (tools/lint.py).
lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/lint.py

format: test-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make lock: after changing a dependency range in pyproject.toml, or to take new releases.
## Resolves every runtime and test dependency to exact versions with hashes; the test lock
## also holds the optional extras that tests exercise (redis).
lock: $(VENV)/.created
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile $(LOCK_FLAGS) pyproject.toml -o requirements/run.txt
	$(BIN)/uv pip compile $(LOCK_FLAGS) --extra test --extra redis pyproject.toml -o requirements/test.txt

messages: venv
	cd src/sampark && ../../$(BIN)/django-admin makemessages -l hi --no-obsolete && \
	  ../../$(BIN)/django-admin compilemessages -l hi

clean:
	rm -rf $(VENV) .pytest_cache
