# The two commands the README opens with: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv

.PHONY: run test install check bench clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "AdFlux needs Python 3.11; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.lock
	@touch $@

install: $(VENV)/.installed

## Set up, load demo data when the database is empty, train, assign, serve on :8000.
run: install
	bash scripts/run-demo

## Set up and run every check and test (SQLite, then PostgreSQL when a server can be had).
test: install
	bash scripts/run-tests

## Lint, import contract, migrations in step with the models.
check: install
	bash scripts/run-tests --checks-only

bench: install
	$(VENV)/bin/python bench/segmentation.py --candidates 100000 --db sqlite

clean:
	rm -rf $(VENV) var test-artifacts
