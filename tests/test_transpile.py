"""Portability: every compiled model transpiles with sqlglot from DuckDB to Trino and BigQuery.

A step towards those engines, not a claim that the models run there (docs/development.md,
"Portability check"). dbt compiles the project once per session, on an empty warehouse:
compiling reads no raw table. A second compile, on a warehouse holding empty tables of the
incremental models, renders the SQL of their incremental runs too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import INCREMENTAL_COLUMNS, run_dbt
from graphlets.build.transpile import (
    TARGET_DIALECTS,
    CompiledModels,
    check,
    compiled_models,
    transpile_error,
)
from tests.conftest import REPO

MODELS = REPO / "models"
SQL_MODELS = sorted(path.stem for path in MODELS.rglob("*.sql"))
PYTHON_MODELS = sorted(path.stem for path in MODELS.rglob("*.py"))

# The models whose SQL differs on an incremental run (a previous build exists): the
# incremental models and the refresh sets that read their previous build.
INCREMENTAL_SQL = sorted(
    [*INCREMENTAL_COLUMNS, "int_graphlet_refresh_set", "int_graphlet_shape_refresh_set"]
)


def _compile(work: Path, select: list[str] | None = None) -> CompiledModels:
    warehouse = work / "warehouse.duckdb"
    run_dbt(
        warehouse,
        "compile",
        ["--select", *(select or ["resource_type:model"])],
        target_path=work / "target",
    )
    return compiled_models(work / "target")


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> CompiledModels:
    return _compile(tmp_path_factory.mktemp("transpile-full"))


@pytest.fixture(scope="session")
def compiled_incremental(tmp_path_factory: pytest.TempPathFactory) -> CompiledModels:
    work = tmp_path_factory.mktemp("transpile-incremental")
    con = duckdb.connect(str(work / "warehouse.duckdb"))
    try:
        con.execute("create schema intermediate")
        for table, columns in INCREMENTAL_COLUMNS.items():
            con.execute(
                f"create table intermediate.{table} ("
                + ", ".join(f"{column} bigint" for column in columns)
                + ")"
            )
    finally:
        con.close()
    return _compile(work, INCREMENTAL_SQL)


def test_every_model_is_checked(compiled: CompiledModels) -> None:
    """No model drops out: every SQL model of the manifest is compiled and has its cases."""
    assert sorted(compiled.sql) == sorted(compiled.sql_in_manifest) == SQL_MODELS
    assert sorted(compiled.python) == PYTHON_MODELS
    assert len(SQL_MODELS) > 100


def test_incremental_runs_render_other_sql(
    compiled: CompiledModels, compiled_incremental: CompiledModels
) -> None:
    """The second compile did render the incremental branch of each of its models."""
    assert sorted(compiled_incremental.sql) == INCREMENTAL_SQL
    for model in INCREMENTAL_SQL:
        assert compiled_incremental.sql[model] != compiled.sql[model], model


@pytest.mark.parametrize("dialect", TARGET_DIALECTS)
@pytest.mark.parametrize("model", SQL_MODELS + PYTHON_MODELS)
def test_model_transpiles(compiled: CompiledModels, model: str, dialect: str) -> None:
    if model in PYTHON_MODELS:
        pytest.skip("a dbt Python model (dbt-duckdb runs it in Python): no SQL to transpile")
    error = transpile_error(compiled.sql[model], dialect)
    assert error is None, f"{model} does not transpile to {dialect}: {error}"


@pytest.mark.parametrize("dialect", TARGET_DIALECTS)
@pytest.mark.parametrize("model", INCREMENTAL_SQL)
def test_incremental_run_transpiles(
    compiled_incremental: CompiledModels, model: str, dialect: str
) -> None:
    error = transpile_error(compiled_incremental.sql[model], dialect)
    assert error is None, f"{model} (incremental run) does not transpile to {dialect}: {error}"


# DuckDB only: a struct literal of untyped values (Trino needs a typed ROW) and try()
# (BigQuery has no such function).
DUCKDB_ONLY_MODEL = """
select
    {'load_id': load_id, 'source_id': source_id} as load_key,
    try(cast(location as integer)) as location_number,
from {{ ref('stg_bookkeeping__loads') }}
"""


def test_a_duckdb_only_model_fails_the_check(tmp_path: Path) -> None:
    """The check (graphlets.build.transpile) names a model written in DuckDB-only SQL."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, project / name)
    for folder in ("models", "macros", "seeds", "analyses", "tests/dbt"):
        shutil.copytree(REPO / folder, project / folder)
    (project / "models" / "zz_duckdb_only.sql").write_text(DUCKDB_ONLY_MODEL)

    target = tmp_path / "target"
    run_dbt(
        tmp_path / "warehouse.duckdb",
        "compile",
        ["--select", "zz_duckdb_only", "stg_bookkeeping__loads"],
        target_path=target,
        project=project,
    )
    problems = check(target)
    assert {(p.model, p.dialect) for p in problems} == {
        ("zz_duckdb_only", "trino"),
        ("zz_duckdb_only", "bigquery"),
    }
    errors = {p.dialect: p.error for p in problems}
    assert "key-value" in errors["trino"]
    assert "TRY" in errors["bigquery"]
    # The model next to it, compiled in the same run, passes.
    assert set(compiled_models(target).sql) == {"zz_duckdb_only", "stg_bookkeeping__loads"}
