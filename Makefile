# Everything the project needs installs itself into .venv; no step is done by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE_CONFIG := sample_data/recon.yaml
# The demo's run history, lock and kept tables go under out/, never into the tracked sample_data/.
DEMO_STATE := out/demo-state/recon-state.duckdb

.PHONY: demo test lint install dev bench score edi-corpus clean test-spark test-browser chromium report-screenshot

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

# The Spark engine's extra (pyspark, ~450 MB); its tests and `make bench`'s Spark figure need Java 17+.
$(VENV)/.installed-spark: pyproject.toml $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/recon run --config $(SAMPLE_CONFIG) --out out/demo --state $(DEMO_STATE)

lint: dev
	$(BIN)/ruff check recon tests bench

test: dev lint
	$(BIN)/python -m pytest

# The Spark parity and loading tests (kept out of `make test`, which needs no Java).
test-spark: $(VENV)/.installed-spark
	$(BIN)/python -m pytest -q -o addopts= tests/spark

# The browser tests: report.html in headless Chromium at 1280 and 390 px (kept out of `make test`).
test-browser: dev chromium
	$(BIN)/python -m pytest -q -o addopts= tests/browser

# Debian's chromium package, installed with apt-get when missing (as root, else through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# docs/report-screenshot.png: the demo's report.html, desktop (1280 px) and phone (390 px) side by side.
report-screenshot: demo chromium
	$(BIN)/python tests/browser/chromium.py out/demo/report.html docs/report-screenshot.png

edi-corpus: install
	$(BIN)/recon edi inspect ../shared/edi-corpus/*.edi || test $$? -eq 1

bench: $(VENV)/.installed-spark
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Both `recon sample` profiles at 20,000 orders (SCORE_ARGS: --orders N, --profiles foreign) scored
# against their answer keys; fails when any type is below precision = recall = 1.0; bench/score.md.
score: install
	$(BIN)/python bench/score.py $(SCORE_ARGS)

clean:
	rm -rf out .pytest_cache .ruff_cache
