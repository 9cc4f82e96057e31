# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev check schema bench clean browser

ADMIN_UI := admin-ui
APP_PORT ?= 5173
# The browser tests drive Debian's Chromium; apt needs root (sudo when not already root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

$(ADMIN_UI)/node_modules/.installed: $(ADMIN_UI)/package.json $(ADMIN_UI)/package-lock.json
	cd $(ADMIN_UI) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## run: install, migrate the SQLite database under var/, load demo data, serve the API on
## :8000 and the admin app on :5173 (built against that API, its operations registered)
run: install $(ADMIN_UI)/node_modules/.installed
	$(BIN)/oms migrate
	$(BIN)/oms simulate --days 14 --orders-per-day 25 --once
	$(BIN)/oms seed
	$(BIN)/oms trusted-documents $(ADMIN_UI)/src
	cd $(ADMIN_UI) && VITE_OMS_API_URL=http://$(HOST):$(PORT) npm run --silent build -- --logLevel warn
	@echo "admin app on http://$(HOST):$(APP_PORT) (sign in as admin@example.com / admin-password)"
	@echo "customers' mail: the Messages page (kept there unless OMS_SMTP_URL names a mail server); its links open the customer's order page"
	(cd $(ADMIN_UI) && exec node_modules/.bin/vite preview --host $(HOST) --port $(APP_PORT) --strictPort) & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/oms serve --host $(HOST) --port $(PORT)

## check: lint, format, types and layer contracts; the admin app type-checked against the schema
check: install-dev $(ADMIN_UI)/node_modules/.installed
	$(BIN)/ruff check api schema tests migrations bench
	$(BIN)/ruff format --check api schema tests migrations bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/oms check-schema
	cd $(ADMIN_UI) && npm run --silent check

## test: every check and every suite, on SQLite and PostgreSQL, and the admin app in Chromium
test: check /usr/bin/chromium
	$(BIN)/pytest

## browser: only the admin app's browser scenarios (screenshots in admin-ui/test-results)
browser: install-dev $(ADMIN_UI)/node_modules/.installed /usr/bin/chromium
	$(BIN)/pytest tests/browser

## schema: re-export schema.graphql after changing the GraphQL schema
schema: install
	$(BIN)/oms export-schema

## bench: measure the inventoryLevels page against a running `make run` server
bench: install-dev
	$(BIN)/python bench/inventory_levels.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache *.egg-info
	rm -rf $(ADMIN_UI)/node_modules $(ADMIN_UI)/dist $(ADMIN_UI)/test-results
