# YABOT — every target bootstraps its own virtualenv (.venv) from pyproject.toml on first use.
.DEFAULT_GOAL := help
SHELL := /bin/sh

VENV   := .venv
BIN    := $(VENV)/bin
# Two stamps: `make run` needs only the product's dependencies; the other targets add the dev tools.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# --no-compile: Python compiles what it imports on first use; compiling every installed module up front
# (Faker, pulled in by Litestar, alone has thousands) made the first `make run` several seconds slower.
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile
# The first interpreter on PATH that is Python 3.11 or newer; override with `make PYTHON=/path/to/python3.x`.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

PYTEST_ARGS ?=
# One test worker more than the machine has cores: the end-to-end journeys spend much of their time waiting
# on the processes they start (timers, leases, Telegram's pace), and the extra worker fills those waits.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)' 2>/dev/null || echo auto)

# Some containers set PYTHONDONTWRITEBYTECODE=1. With the install-time --no-compile above, Python would then
# compile aiogram and Litestar afresh on every start (6-7 s to ready, measured): let it cache bytecode.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help run test cover bench lint fmt check-python clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-6s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

check-python:
	@test -n "$(PYTHON)" || { echo "YABOT necesita Python 3.11 o más reciente (python3 en el PATH)."; exit 1; }

$(BIN)/python: | check-python
	@echo "Preparando el entorno virtual en $(VENV) con $(PYTHON)…"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "No se pudo crear el entorno virtual: instala el módulo venv de Python (en Debian/Ubuntu: python3-venv)."; \
		exit 1; }

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "Instalando YABOT y sus dependencias…"
	@$(PIP) -e .
	@touch $@

$(DEV_STAMP): pyproject.toml $(RUN_STAMP)
	@echo "Instalando las herramientas de desarrollo…"
	@$(PIP) -e '.[dev]'
	@touch $@

run: $(RUN_STAMP) ## Start YABOT on the embedded defaults (SQLite under ./yabot-data, API on 127.0.0.1:8080)
	$(BIN)/yabot run

test: $(DEV_STAMP) ## Lint, type-check, check the architecture contracts, then run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONPATH=. $(BIN)/lint-imports
	$(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)

# Coverage has its own target: tracing every line doubles the CPU of every test and of every `yabot` process
# the journeys start (measured: 15 s of CPU for the unit tests bare, 30 s traced), and `make test` must fit
# in ten minutes on two cores.
cover: $(DEV_STAMP) ## Run every test with branch coverage, the child processes included, and print the report
	$(BIN)/pytest -n $(WORKERS) --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

bench: $(DEV_STAMP) ## Run the benchmarks and print medians (no pass/fail)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.production

lint: $(DEV_STAMP) ## ruff, mypy and import-linter only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONPATH=. $(BIN)/lint-imports

fmt: $(DEV_STAMP) ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove the virtualenv and caches (keeps ./yabot-data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache .coverage
