# YABOT — every target bootstraps its own virtualenv (.venv) from pyproject.toml on first use.
.DEFAULT_GOAL := help
SHELL := /bin/sh

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The first interpreter on PATH that is Python 3.11 or newer; override with `make PYTHON=/path/to/python3.x`.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

PYTEST_ARGS ?=

.PHONY: help run test bench lint fmt check-python clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-6s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

check-python:
	@test -n "$(PYTHON)" || { echo "YABOT necesita Python 3.11 o más reciente (python3 en el PATH)."; exit 1; }

$(STAMP): pyproject.toml | check-python
	@echo "Preparando el entorno virtual en $(VENV) con $(PYTHON)…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

run: $(STAMP) ## Start YABOT on the embedded defaults (SQLite under ./yabot-data, API on 127.0.0.1:8080)
	$(BIN)/yabot run

test: $(STAMP) ## Lint, type-check, check the architecture contracts, then run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

bench: $(STAMP) ## Run the benchmarks and print medians (no pass/fail)
	$(BIN)/python -m benchmarks

lint: $(STAMP) ## ruff, mypy and import-linter only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: $(STAMP) ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove the virtualenv and caches (keeps ./yabot-data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache .coverage
