# The two commands: `make run` (everything, offline) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run stop test test-pg install migrate seed lint bench clean vendor browser-deps

# Without APP_ENV the app takes production's settings (and refuses the public development
# secrets); these targets are development unless the environment says otherwise.
run seed migrate bench: export APP_ENV ?= development

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

# Demo departments, customers and sign-ins, so a first call has somewhere to go (idempotent).
seed: migrate
	$(BIN)/flask --app app ivr seed-demo
	$(BIN)/flask --app app agents seed-demo

# Everything in one process group: Ctrl-C, closing the terminal or SIGTERM stops all of it.
run: seed
	$(BIN)/python scripts/run_dev.py

# Stops a `make run` of this checkout left running (its terminal elsewhere, or killed).
stop:
	$(BIN)/python scripts/run_dev.py --stop

# pytest-xdist, file by file (tests/parallel.py says how). Four workers on two cores: the
# browser and fault tests spend most of their time waiting on real processes, and the other
# files fill the cores meanwhile. `make test PYTEST_ARGS=-n0` runs in one process.
PYTEST_WORKERS ?= 4
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadfile

# The fault tests kill and restart real processes and time what callers hear against Twilio's
# 15 s: they run alone after the rest, since four workers on two cores made them flaky (a
# fallback unanswered in time). With PYTEST_ARGS, one run of exactly what was asked for.
test: install browser-deps
ifeq ($(strip $(PYTEST_ARGS)),)
	@status=0; $(BIN)/python -m pytest $(PYTEST_XDIST) --ignore=tests/faults || status=$$?; \
	$(BIN)/python -m pytest tests/faults || status=$$?; exit $$status
else
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)
endif

# The same suite on PostgreSQL: a throwaway cluster of this run's own (scripts/postgres.sh
# installs PostgreSQL with apt-get when missing), one database per test, removed at the end.
# The browser and fault stacks start their own processes on SQLite whatever the run, so
# running them twice would prove nothing new; `make test` runs them.
test-pg: install
	@export PG_DIR="$(CURDIR)/var/pg-test-$$$$"; \
	url="$$(scripts/postgres.sh start)" || exit 1; \
	status=0; TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest $(PYTEST_XDIST) \
		--ignore=tests/browser --ignore=tests/faults $(PYTEST_ARGS) || status=$$?; \
	scripts/postgres.sh destroy; exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
