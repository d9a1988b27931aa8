"""The yml descriptions reach the warehouse and the published snapshot as comments.

dbt_project.yml sets ``persist_docs`` for every model, so each model and column description is
a DuckDB comment (``COMMENT ON``); graphlets.core.snapshot copies comments into the snapshot,
where DESCRIBE-level metadata (``duckdb_tables()``, ``duckdb_columns()``), BI tools and the
Postgres endpoint read them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from graphlets.build import dbt
from tests.bi import BUILD_MODELS_ONLY, PASSWORD, dbt_target, running_server
from tests.conftest import REPO, query
from tests.test_serve import PSQL_ARGS

# (model yml, model) pairs whose descriptions are checked, all published marts.
CHECKED = (
    ("models/marts/_marts__models.yml", "fct_graphlets"),
    ("models/marts/_marts__models.yml", "fct_executions"),
    ("models/reports/_reports__models.yml", "rpt_cost_by_role"),
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _described(yml: str, model: str) -> tuple[str, dict[str, str]]:
    """The model's description and its columns' descriptions written out in its yml (those
    built from a `{{ doc() }}` block are left out: they are rendered by dbt)."""
    spec = yaml.safe_load((REPO / yml).read_text())
    (entry,) = [m for m in spec["models"] if m["name"] == model]
    columns = {
        c["name"]: _flat(c["description"])
        for c in entry.get("columns", [])
        if c.get("description") and "{{" not in c["description"]
    }
    return _flat(entry["description"]), columns


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(warehouse, its published snapshot) of a small generated corpus."""
    from graphlets.synth.generate import generate
    from loaders.mlmd import load_mlmd

    folder = tmp_path_factory.mktemp("persist_docs")
    store = folder / "mlmd.sqlite"
    generate(store, pipelines=3, days=3, seed=2)
    warehouse = folder / "warehouse.duckdb"
    load_mlmd(warehouse, str(store))
    summary = dbt.build(warehouse, BUILD_MODELS_ONLY, target_path=dbt_target(tmp_path_factory))
    assert summary.snapshot is not None
    return warehouse, summary.snapshot.path


def test_snapshot_tables_and_columns_carry_the_yml_descriptions(built) -> None:
    _, snapshot = built
    for yml, model in CHECKED:
        description, columns = _described(yml, model)
        assert len(columns) >= 3, model
        ((table_comment,),) = query(
            snapshot,
            "select comment from duckdb_tables() where schema_name = 'marts' and table_name = ?",
            [model],
        )
        assert _flat(table_comment or "") == description, model
        comments = dict(
            query(
                snapshot,
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'marts' and table_name = ?",
                [model],
            )
        )
        for column, text in columns.items():
            assert _flat(comments[column] or "") == text, f"{model}.{column}"
    # descriptions built from doc blocks are rendered, not copied as templates
    (comment,) = query(
        snapshot,
        "select comment from duckdb_columns() where schema_name = 'marts' "
        "and table_name = 'fct_graphlets' and column_name = 'graphlet_id'",
    )[0]
    assert comment and "{{" not in comment


def test_comments_reach_postgres_clients_through_serve(built) -> None:
    """psql's `\\d+` needs pg_catalog columns DuckDB does not emulate; the comments are read
    through DuckDB's own catalog functions instead, over the Postgres protocol."""
    description, _ = _described("models/marts/_marts__models.yml", "fct_graphlets")
    env = {**os.environ, "PGPASSWORD": PASSWORD, "PGCONNECT_TIMEOUT": "10"}
    warehouse, _ = built
    with running_server(warehouse) as (port, _):
        result = subprocess.run(
            [
                *PSQL_ARGS,
                "-p",
                str(port),
                "-U",
                "analyst",
                "-d",
                "graphlets",
                "-A",
                "-t",
                "-c",
                "select comment from duckdb_tables() where schema_name = 'marts' "
                "and table_name = 'fct_graphlets'",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
    assert result.returncode == 0, result.stderr
    assert _flat(result.stdout) == description
