# Everything the project needs installs itself into .venv; no step is done by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE_CONFIG := sample_data/recon.yaml

.PHONY: demo test lint install dev bench edi-corpus clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/recon run --config $(SAMPLE_CONFIG) --out out/demo

lint: dev
	$(BIN)/ruff check recon tests bench

test: dev lint
	$(BIN)/python -m pytest

edi-corpus: install
	$(BIN)/recon edi inspect ../shared/edi-corpus/*.edi || test $$? -eq 1

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf out .pytest_cache .ruff_cache
