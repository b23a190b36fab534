# Two commands on a fresh machine: `make demo` (the demo report) and `make test` (the tests).
# Each creates .venv and installs the locked dependencies with uv (bootstrapped from PyPI into
# the venv when the machine has none): about a minute, against several with pip.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV := $(BIN)/uv

.PHONY: install demo test test-all lint bench wheel clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || ln -s "$$(command -v uv)" $(UV) 2>/dev/null || \
		$(BIN)/python -m pip install -q --disable-pip-version-check "uv>=0.5"
	$(UV) pip install --python $(BIN)/python -q -r requirements.lock
	$(UV) pip install --python $(BIN)/python -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/relevance run experiments/demo.yaml --out reports
	@echo "Open reports/demo/report.html in a browser."

test: $(STAMP)
	$(BIN)/pytest -n auto -m "not slow"

test-all: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

wheel: $(STAMP)
	$(UV) build --wheel --out-dir dist .

clean:
	rm -rf $(VENV) reports .pytest_cache dist build
