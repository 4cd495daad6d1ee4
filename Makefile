# Two entry points do all set-up themselves (README "Quick start"):
#   make lab   - create .venv, install labgen, build a lab (LAB=ch05 by default)
#   make test  - create .venv, install labgen with its test tools, the browser and the Pyodide
#                runtime and wheels (npm, PyPI; cached), run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB    ?= ch05

.PHONY: lab test lint browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The project's own bytecode, once (pip compiles only what it installs; a machine that sets
	# PYTHONDONTWRITEBYTECODE would compile labgen, labs and mlsys again in every command).
	$(BIN)/python -m compileall -q labgen labs mlsys
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/labgen build $(LAB)

browser: $(STAMP)
	bash scripts/install-browser
	bash scripts/install-pyodide

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .labgen_cache
