# iron river — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
# python3.12 may be a pyenv shim that refuses to run; find a working 3.12 interpreter.
PY312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
PY := $(VENV)/bin/python
SCENARIO ?= scenarios/baseline.toml

.PHONY: run test lint venv venv-test view validate sweep-bench ship-posterior clean

$(VENV)/.core: pyproject.toml
	@test -n "$(PY312)" || { echo "error: python3.12 not found (Mesa 3.5 needs Python >= 3.12)"; exit 1; }
	$(PY312) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.core
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m iron_river.view.assets install
	touch $@

venv: $(VENV)/.core
venv-test: $(VENV)/.test

## Quick start 1: set up and run the baseline scenario on the embedded data.
run: $(VENV)/.core
	$(VENV)/bin/iron-river run $(SCENARIO)

## Quick start 2: set up (with test extras) and run the whole test suite.
test: $(VENV)/.test
	$(VENV)/bin/ruff check model tests benchmarks
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -W error::DeprecationWarning

validate: $(VENV)/.core
	$(VENV)/bin/iron-river validate

view: $(VENV)/.test
	$(VENV)/bin/iron-river view

sweep-bench: $(VENV)/.test
	$(PY) benchmarks/sweep_throughput.py

## Ship a fit: its posterior into the package, then every document that shows it (~20 min).
ship-posterior: $(VENV)/.test
	@test -n "$(FIT)" || { echo "usage: make ship-posterior FIT=results/calibration/<fit>/posterior"; exit 2; }
	$(PY) -m iron_river.experiments.install_posterior $(FIT)
	$(PY) -m iron_river.outputs.docs
	$(VENV)/bin/iron-river report --workers 2 --quiet
	$(PY) -m iron_river.experiments.readme_tables

clean:
	rm -rf $(VENV) results/*/ .pytest_cache
