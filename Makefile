# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
# `make run` serves the bot with Slack credentials, else opens the local sandbox in the browser.
# The dev install: the product package `app` is installed editable, and a .pth file in the venv's
# site-packages puts the checkout on the path, so its `standins` and `sandbox` packages (not in
# the wheel) import from any directory (`escalation-bot sandbox`, `demo`, the tests, benchmarks).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_PATHS := app standins sandbox tests $(wildcard benchmarks)
# pytest workers (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs in one process.
# Work stealing: a worker that runs out takes tests queued for the other, so none idles at the end
PYTEST_WORKERS ?= auto

.PHONY: install run test lint typecheck unit clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -c 'import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()["purelib"], "escalation_bot_checkout.pth").write_text("$(CURDIR)\n")'
	touch $(STAMP)

run: install
	$(BIN)/escalation-bot start

lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
