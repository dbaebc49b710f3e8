# Every target that needs the environment builds it first (uv sync --frozen), so a fresh
# machine with only Python 3.11 needs no manual step. uv is installed with pip when missing.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen --no-sync
PYTEST_ARGS ?=
URL ?=
KEY ?=
PROFILE ?= standard
PORT ?= 8000
# The page's browser text copy: the source of its HTML and Markdown forms in tests/docs/pages.
PAGE ?= ../shared/docs-pages/create-a-video.txt
# Compiled modules are kept: the environment's are compiled when it is built, the checkout's
# when first imported (git ignores them). Without them every process, and every test that
# starts one, compiles each module it imports again: about half the CPU of `--help`.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help env generate check-generated lock-check lint format typecheck test test-all check audit mock bench regen pages dist

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

.venv/.synced: pyproject.toml uv.lock generated/pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python 3.11 --quiet --compile-bytecode
	@touch $@

env: .venv/.synced ## Create or update the project environment (.venv)

generate: env ## Regenerate generated/ from openapi.yaml
	$(RUN) python -m videos_contract.release.generation generate

check-generated: env ## Fail when generated/ differs from a fresh generation
	$(RUN) python -m videos_contract.release.generation check

lint: env ## ruff: lint and formatting
	$(RUN) ruff check src tests
	$(RUN) ruff format --check src tests

format: env ## Apply ruff's fixes and formatting
	$(RUN) ruff check --fix src tests
	$(RUN) ruff format src tests

typecheck: env ## mypy --strict on our package, the generated one and the tests
	$(RUN) mypy src/videos_contract
	$(RUN) mypy generated/aihubmix_videos
	$(RUN) mypy tests

lock-check: env ## Fail when uv.lock does not match pyproject.toml (or the generated client's version)
	$(UV) lock --check

# Coverage of src/videos_contract, with the floor of [tool.coverage.report] fail_under in
# pyproject.toml: a suite that covers less fails.
COVERAGE := --cov --cov-report=term
# The suite runs in WORKERS processes (pytest-xdist; `auto`: one per core, `0`: no workers).
# Tests marked `xdist_group(NAME)` run one after another in the same worker.
WORKERS ?= auto
PARALLEL := -n $(WORKERS) --dist loadgroup

# pytest's exit code 5 ("no tests collected") is not a failure of the suite.
test: lock-check lint typecheck check-generated ## The whole test suite, as CI runs it
	$(RUN) pytest -m "not slow" $(PARALLEL) $(COVERAGE) $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-all: lock-check lint typecheck check-generated ## Everything, slow exhaustive runs included
	$(RUN) pytest $(PARALLEL) $(COVERAGE) $(PYTEST_ARGS) || [ $$? -eq 5 ]

check: test ## What CI runs

# The key travels in the environment, never on a command line that make would echo.
mock: env ## Start the mock server on http://127.0.0.1:8000 (another port: PORT=…)
	@$(RUN) videos-contract mock --port $(PORT)

# Without URL= it audits the embedded mock, asked for with --mock and said on stderr: the
# command itself refuses to audit when no server is named.
audit: env ## Audit URL (default: the embedded mock) with PROFILE; writes reports/
	@if [ -z '$(URL)' ]; then \
		echo "make audit: auditing the embedded mock (URL=... audits a server)" >&2; \
		VIDEOS_API_URL= VIDEOS_API_KEY= $(RUN) videos-contract audit --mock --profile $(PROFILE); \
	else \
		echo "make audit: auditing $(URL)" >&2; \
		VIDEOS_API_URL='$(URL)' VIDEOS_API_KEY='$(KEY)' $(RUN) videos-contract audit --profile $(PROFILE); \
	fi

# uv.lock records the generated client's version, so a release also updates the lock.
regen: env ## After editing openapi.yaml: regenerate, bump the client version, add a changelog entry
	$(RUN) videos-contract regen
	$(UV) lock --quiet

# The toolkit's wheel carries openapi.yaml as package data (hatch_build.py); the client's
# version is the one `make regen` wrote into generated/pyproject.toml from its changelog.
dist: env ## Build sdist and wheel of videos-contract and of the generated client into dist/
	rm -rf dist
	$(UV) build --quiet --out-dir dist .
	$(UV) build --quiet --out-dir dist generated
	@ls dist

pages: env ## After a new copy of the page: write its HTML and Markdown forms for the tests
	$(RUN) python -m videos_contract.docs.forms $(PAGE) tests/docs/pages

# The peer comparisons install pinned Prism (npm) and mitmproxy (pip, own venv) into .bench-tools/.
bench: env ## Benchmarks; writes bench/results.json and docs/benchmarks.md
	$(RUN) python -m videos_contract.bench
