# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean system-deps

$(STAMP): pyproject.toml requirements.lock requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock \
		-r requirements-dev.txt -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/graphlets demo

system-deps:
	./scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check loaders tests
	$(BIN)/ruff format --check loaders tests

test: $(STAMP) system-deps lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/graphlets bench

clean:
	rm -rf $(VENV) target logs dbt_packages demo warehouse*.duckdb
