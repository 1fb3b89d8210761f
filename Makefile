# Everything a fresh machine needs: `make run` runs Levante, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/levante server

lint: $(STAMP)
	$(BIN)/ruff check levante tests bench

# A test that fails is run once more before the suite fails: several tests
# start real processes and servers, and a 2-core CI machine under load can
# time one out. Reruns are listed in the summary ("R"); see the closing notes.
test: lint
	$(BIN)/pytest -q -raR --reruns 1

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
