# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean system-deps

$(STAMP): pyproject.toml requirements.lock requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock \
		-r requirements-dev.txt -e .
	touch $(STAMP)

# Google's ML Metadata client, in a venv of its own (it needs protobuf<5, dbt protobuf 6):
# the tests write stores with it, the benchmark measures its lineage API.
.venv-mlmd/.installed: requirements-mlmd.txt
	test -x .venv-mlmd/bin/python || $(PYTHON) -m venv .venv-mlmd
	.venv-mlmd/bin/pip install --quiet --disable-pip-version-check -r requirements-mlmd.txt
	touch .venv-mlmd/.installed

# The MLflow client, for the tests' MLflow stores (its pins conflict with dbt's).
.venv-mlflow/.installed: requirements-mlflow.txt
	test -x .venv-mlflow/bin/python || $(PYTHON) -m venv .venv-mlflow
	.venv-mlflow/bin/pip install --quiet --disable-pip-version-check -r requirements-mlflow.txt
	touch .venv-mlflow/.installed

# mypy, in a venv of its own (its pathspec pin clashes with dbt's); it checks .venv's packages.
.venv-tools/.installed: requirements-tools.txt
	test -x .venv-tools/bin/python || $(PYTHON) -m venv .venv-tools
	.venv-tools/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	touch .venv-tools/.installed

demo: $(STAMP)
	$(BIN)/graphlets demo

system-deps:
	./scripts/system-deps.sh

lint: $(STAMP) typecheck
	$(BIN)/ruff check loaders graphlets tests scripts hatch_build.py
	$(BIN)/ruff format --check loaders graphlets tests scripts hatch_build.py

typecheck: $(STAMP) .venv-tools/.installed
	.venv-tools/bin/mypy --python-executable $(BIN)/python

test: $(STAMP) .venv-mlmd/.installed .venv-mlflow/.installed system-deps lint
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: $(STAMP) .venv-mlmd/.installed
	$(BIN)/graphlets bench

clean:
	rm -rf $(VENV) .venv-mlmd .venv-mlflow .venv-tools target logs dbt_packages demo warehouse*.duckdb
