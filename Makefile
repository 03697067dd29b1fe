# Contract enrollment workflow: set-up, local emulator, deploy, demo and checks.
# Every target installs what it needs itself; run `make help` for the list.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
EMULATOR_VENV := .venv-emulator
PY := $(VENV)/bin/python
ENROLLCTL := $(PY) -m enrollctl

# Keep the CDK CLI and jsii quiet and offline: no version check, notices or telemetry.
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# pip prints one warning per missing local mirror folder that this machine's pip.conf names;
# they are noise, so they are dropped (every other line, and pip's exit status, are kept).
PIP_QUIET_FILTER := grep -v "^WARNING: Location 'file://" || true
# Prints how long a step took: `$(call done_in,$$start)` after `start=$$(date +%s)`.
done_in = echo "    done in $$(( $$(date +%s) - $(1) )) s"

# The first Python 3.12 that runs: on PATH, or under pyenv.
PYTHON312 ?= $(shell for c in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { command -v "$$c" || echo "$$c"; } && break; done)

.PHONY: help
help: ## Show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: check-tools
check-tools:
	@test -n "$(PYTHON312)" || { echo "error: Python 3.12 not found. Install it (for example 'pyenv install 3.12') or set PYTHON312=/path/to/python3.12." >&2; exit 1; }
	@command -v node >/dev/null || { echo "error: node not found. Install Node.js 20 or newer; the CDK CLI needs it." >&2; exit 1; }
	@command -v npm >/dev/null || { echo "error: npm not found. Install npm with Node.js." >&2; exit 1; }

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt lambda_src/requirements.txt | check-tools
	@echo "==> Creating $(VENV) with $(PYTHON312)"
	@start=$$(date +%s); test -x $(PY) || $(PYTHON312) -m venv $(VENV); \
	{ $(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt 2>&1 | { $(PIP_QUIET_FILTER); }; } \
	&& touch $@ && $(call done_in,$$start)

$(EMULATOR_VENV)/.installed: requirements-emulator.txt constraints-emulator.txt | check-tools
	@echo "==> Creating $(EMULATOR_VENV) (embedded emulator and local Lambda runtime)"
	@start=$$(date +%s); test -x $(EMULATOR_VENV)/bin/python || $(PYTHON312) -m venv $(EMULATOR_VENV); \
	{ $(EMULATOR_VENV)/bin/python -m pip install --quiet -r requirements-emulator.txt -c constraints-emulator.txt 2>&1 \
	| { $(PIP_QUIET_FILTER); }; } && touch $@ && $(call done_in,$$start)

node_modules/.installed: package.json package-lock.json | check-tools
	@echo "==> Installing the pinned CDK CLI and cdklocal with npm ci"
	@start=$$(date +%s); npm ci --no-fund --no-audit --loglevel=error && touch $@ && $(call done_in,$$start)

.PHONY: install
install: $(VENV)/.installed $(EMULATOR_VENV)/.installed node_modules/.installed ## Create the virtual environments and install pinned packages
	@$(PY) -m cdk_constructs.bundling 2>&1 >/dev/null | { $(PIP_QUIET_FILTER); }

.PHONY: demo
demo: install ## Start the emulator, deploy all stacks and run sample contracts through both workflows
	@$(ENROLLCTL) demo

.PHONY: test
test: install lint typecheck ## Run lint, type checks, unit, infrastructure and integration tests
	@$(PY) -m pytest tests

.PHONY: test-unit
test-unit: install ## Run the unit tests (no network)
	@$(PY) -m pytest tests/unit

.PHONY: test-infra
test-infra: install ## Run the template assertions, cdk-nag and ASL checks
	@$(PY) -m pytest tests/infra

.PHONY: test-integration
test-integration: install ## Run the integration tests against a fresh emulator
	@$(PY) -m pytest tests/integration

.PHONY: lint
lint: install ## Check lint and formatting with ruff
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

.PHONY: format
format: install ## Format the code with ruff
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

.PHONY: typecheck
typecheck: install ## Type-check with mypy
	@$(VENV)/bin/mypy

.PHONY: bench
bench: install ## Measure API latency, hook firing and emulator memory into docs/BENCHMARK.md
	@$(ENROLLCTL) bench

.PHONY: synth
synth: install ## Synthesize the local templates into cdk.out
	@$(ENROLLCTL) synth

.PHONY: openapi
openapi: install ## Regenerate docs/openapi.json from the request and response models
	@$(PY) -m enrollctl.openapi

.PHONY: up
up: install ## Start the emulator and the mock PagerDuty server on 127.0.0.1
	@$(ENROLLCTL) up

.PHONY: deploy
deploy: install ## Bootstrap and deploy all stacks to the running emulator
	@$(ENROLLCTL) deploy

.PHONY: down
down: ## Stop the emulator and the mock PagerDuty server
	@test -x $(PY) && $(ENROLLCTL) down || true

.PHONY: clean
clean: down ## Remove build output, local state and virtual environments
	rm -rf cdk.out .build .local $(VENV) $(EMULATOR_VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
