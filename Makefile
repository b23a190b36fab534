# Two commands on a fresh machine: `make demo` (the demo report) and `make test` (the tests).
# Each creates .venv and installs the locked dependencies with uv (bootstrapped from PyPI into
# the venv when the machine has none): about a minute, against several with pip. Bytecode is
# compiled at install, so no run compiles a library's source again (with PYTHONDONTWRITEBYTECODE
# set, as on many CI machines, every run would).
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
	$(UV) pip install --python $(BIN)/python -q --compile-bytecode -r requirements.lock
	$(UV) pip install --python $(BIN)/python -q --no-deps -e .
	@$(BIN)/python -m compileall -q src/relevance
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
