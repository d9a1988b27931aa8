"""Stores written and read by Google's own ML Metadata client (ml-metadata 1.17.1).

The client lives in .venv-mlmd (it needs protobuf<5; dbt needs protobuf 6); `make test`
creates it from requirements-mlmd.txt.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import build
from loaders.mlmd import load_mlmd
from tests.conftest import GRAPH_ONLY, REPO
from tests.stores import handwritten_store, table_counts

MLMD_PYTHON = REPO / ".venv-mlmd" / "bin" / "python"
SCRIPT = REPO / "tests" / "real_client_store.py"


@pytest.fixture(scope="module")
def client() -> Path:
    if not MLMD_PYTHON.exists():
        subprocess.run(
            ["make", "-C", str(REPO), ".venv-mlmd/.installed"], check=True, capture_output=True
        )
    return MLMD_PYTHON


def call(client: Path, command: str, store: Path) -> dict:
    done = subprocess.run(
        [str(client), str(SCRIPT), command, str(store)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_store_written_by_the_real_client(client: Path, tmp_path: Path) -> None:
    store, warehouse = tmp_path / "fraud.sqlite", tmp_path / "w.duckdb"
    ids = call(client, "write", store)
    first = load_mlmd(warehouse, str(store))
    assert dict((t.table, t.rows_read) for t in first.tables) == table_counts(store)
    grown = call(client, "grow", store)
    second = load_mlmd(warehouse, str(store))
    changes = {
        t.table: (t.rows_new, t.rows_updated)
        for t in second.tables
        if t.rows_new or t.rows_updated or t.rows_deleted
    }
    # The client updates the Pusher in place and adds its output, its event and the path.
    assert changes["Execution"] == (0, 1)
    assert changes["Artifact"] == (1, 0) and changes["Event"] == (1, 0)
    assert changes["EventPath"] == (2, 0)
    build(warehouse, GRAPH_ONLY, target_path=tmp_path / "target")
    executions = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "select source_execution_id, pipeline_name, node_id, role, "
            "state, cost, cost_basis from intermediate.int_executions",
        )
    }
    assert executions[ids["trainer"]] == ("fraud", "Trainer", "train", "COMPLETE", 12.5, "property")
    assert executions[ids["pusher"]][:4] == ("fraud", "Pusher", "push", "COMPLETE")
    assert executions[ids["gen"]][2] == "ingest"
    artifacts = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "select source_artifact_id, type_name, span, blessed, pushed "
            "from intermediate.int_artifacts",
        )
    }
    assert artifacts[ids["examples"]] == ("Examples", 3, None, None)
    assert artifacts[ids["blessing"]] == ("ModelBlessing", None, True, None)
    assert artifacts[grown["pushed"]] == ("PushedModel", None, None, True)
    keys = sorted(r[0] for r in query(warehouse, "select event_key from intermediate.int_events"))
    assert keys == sorted(
        [
            "examples",
            "examples",
            "model",
            "model",
            "model",
            "model_blessing",
            "pushed_model",
            "blessing",
        ]
    )
    props = dict(
        query(
            warehouse,
            "select name, coalesce(string_value, cast(bool_value as "
            "varchar), cast(proto_value as varchar)) from "
            "raw.mlmd_execution_property where name in "
            "('config', 'warm', 'extra')",
        )
    )
    assert props["config"].startswith("mlmd-struct::") and props["warm"] == "false"
    assert props["extra"].startswith("CiV0eXBlLmdvb2dsZWFwaXMuY29t")


def test_the_real_client_reads_our_hand_written_store(client: Path, tmp_path: Path) -> None:
    store = tmp_path / "churn.sqlite"
    handwritten_store(store)
    seen = call(client, "read", store)
    counts = table_counts(store)
    assert seen["executions"] == counts["Execution"]
    assert seen["artifacts"] == counts["Artifact"]
    assert seen["contexts"] == counts["Context"]
    assert seen["events"] == counts["Event"]
    assert "RUNNING" in seen["states"]
