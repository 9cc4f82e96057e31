# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev check schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## run: install, migrate the SQLite database under var/, load demo data, serve the API
run: install
	$(BIN)/oms migrate
	$(BIN)/oms simulate --days 14 --orders-per-day 25 --once
	$(BIN)/oms seed
	$(BIN)/oms serve --host $(HOST) --port $(PORT)

## check: lint, format, types and layer contracts
check: install-dev
	$(BIN)/ruff check api schema tests migrations bench
	$(BIN)/ruff format --check api schema tests migrations bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/oms check-schema

## test: every check and every suite, on SQLite and PostgreSQL
test: check
	$(BIN)/pytest

## schema: re-export schema.graphql after changing the GraphQL schema
schema: install
	$(BIN)/oms export-schema

## bench: measure the inventoryLevels page against a running `make run` server
bench: install-dev
	$(BIN)/python bench/inventory_levels.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache *.egg-info
