# The two commands: `make run` (everything, offline) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install migrate seed lint bench clean vendor browser-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) vendor

# Browser libraries (htmx, Alpine.js, Twilio Voice SDK) from npm into app/web/static/vendor.
VENDOR_STAMP := app/web/static/vendor/.installed
$(VENDOR_STAMP): web/package.json web/package-lock.json scripts/vendor_web.sh
	sh scripts/vendor_web.sh
	touch $(VENDOR_STAMP)

vendor: $(VENDOR_STAMP)

# Debian's chromium for the browser tests (installed when missing and root).
browser-deps:
	sh scripts/browser_deps.sh

migrate: install
	mkdir -p var
	$(BIN)/flask --app app db upgrade

# Demo departments and customers, so a first call has somewhere to go (idempotent).
seed: migrate
	$(BIN)/flask --app app ivr seed-demo

run: seed
	$(BIN)/python scripts/run_dev.py

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
