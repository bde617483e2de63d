# Two entry points, both safe on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Contract tests validate against Statsig's OpenAPI document in ../shared when it is there.
SPEC := $(abspath ../shared/statsig/console-api-subset.json)
ifneq ($(wildcard $(SPEC)),)
export STATSIG_OPENAPI_SPEC ?= $(SPEC)
endif

.PHONY: run test lint typecheck unit bench minimums redis-server clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/statsig-bot

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check bot tests $(wildcard bench)
	$(BIN)/ruff format --check bot tests $(wildcard bench)
	$(BIN)/lint-imports --no-cache
	$(BIN)/hadolint Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy --strict bot

unit: $(STAMP) redis-server
	$(BIN)/pytest -q

bench: $(STAMP) redis-server
	$(BIN)/python -m bench

# The declared lower bounds of pyproject.toml, installed and smoke-tested in .venv-min.
minimums: redis-server
	.ci/minimums

# The tests start their own redis-server on a free loopback port; they need the binary.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is required: sudo apt-get install redis-server" >&2; exit 1; \
	  fi; }

clean:
	rm -rf $(VENV) .venv-min .pytest_cache .mypy_cache .ruff_cache
