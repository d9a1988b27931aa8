"""Kubeflow Pipelines v2 stores on ML Metadata give graphlets (docs/kubeflow.md).

The store is written by Google's own client (.venv-mlmd) in the layout of KFP's driver and
launcher (tests/kfp_store.py: six daily runs of ingest -> preprocess -> train -> evaluate ->
deploy inside a DAG execution).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import build
from loaders.mlmd import load_mlmd
from tests.conftest import REPO

MLMD_PYTHON = REPO / ".venv-mlmd" / "bin" / "python"
SCRIPT = REPO / "tests" / "kfp_store.py"
SOURCE = "kfp"


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def kfp(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """(store, warehouse, ids by day and task), loaded and built once."""
    if not MLMD_PYTHON.exists():
        subprocess.run(
            ["make", "-C", str(REPO), ".venv-mlmd/.installed"], check=True, capture_output=True
        )
    tmp = tmp_path_factory.mktemp("kfp")
    store, warehouse = tmp / "kfp.sqlite", tmp / "w.duckdb"
    done = subprocess.run(
        [str(MLMD_PYTHON), str(SCRIPT), "write", str(store)],
        capture_output=True,
        text=True,
        check=True,
    )
    ids = {int(day): run for day, run in json.loads(done.stdout.splitlines()[-1]).items()}
    load_mlmd(warehouse, str(store), source_name=SOURCE)
    build(warehouse, target_path=tmp / "target")
    return store, warehouse, ids


def executions(warehouse: Path) -> dict[int, tuple]:
    return {
        r[0]: r[1:]
        for r in rows(
            warehouse,
            "select source_execution_id, node_id, role, state, cost, cost_basis, "
            "pipeline_name, source_kind, source_execution_key from marts.fct_executions",
        )
    }


def outcomes(warehouse: Path) -> dict[int, str]:
    return dict(
        rows(warehouse, "select source_trainer_execution_id, outcome from marts.fct_graphlets")
    )


def test_one_graphlet_per_training_run_with_its_outcome(kfp) -> None:
    _, warehouse, ids = kfp
    expected = {
        1: "pushed",
        2: "pushed",
        3: "not_blessed",
        4: "training_failed",
        5: "not_pushed",
        6: "pushed",
    }
    assert outcomes(warehouse) == {ids[day]["train"]: o for day, o in expected.items()}


def test_tasks_are_nodes_with_roles_from_their_task_names(kfp) -> None:
    _, warehouse, ids = kfp
    seen = executions(warehouse)
    roles = {
        "ingest": "ingest",
        "preprocess": "transform",
        "train": "train",
        "evaluate": "evaluate",
        "deploy": "push",
    }
    for day in (1, 2, 5):
        for task, role in roles.items():
            node, got, *_ = seen[ids[day][task]]
            assert (node, got) == (task, role)
    # the importer resolves; `gate` has no rule but the explicit marker
    assert seen[ids[6]["importer"]][:2] == ("importer", "resolve")
    assert seen[ids[6]["evaluate"]][:2] == ("gate", "evaluate")
    # the pipeline comes from system.Pipeline, the parent of the run context
    assert {r[5] for r in seen.values()} == {"daily-train"}
    assert {r[6] for r in seen.values()} == {"mlmd"}
    assert seen[ids[1]["train"]][7] == str(ids[1]["train"])


def test_dag_executions_are_not_members_of_the_graph(kfp) -> None:
    _, warehouse, ids = kfp
    dags = {run["dag"] for run in ids.values()}
    assert not dags & set(executions(warehouse))
    members = {
        r[0]
        for r in rows(
            warehouse,
            "select e.source_execution_id from marts.fct_graphlet_executions m "
            "join marts.fct_executions e using (execution_id)",
        )
    }
    assert members and not dags & members
    # the root DAG's output event on the model makes no producer: no edge from a DAG
    producers = rows(
        warehouse,
        "select count(*) from intermediate.int_events e join intermediate.int_executions x "
        "using (execution_id) where x.type_name = 'system.DAGExecution'",
    )
    assert producers == [(0,)]


def test_ingest_and_preprocess_runs_are_upstream_members(kfp) -> None:
    _, warehouse, ids = kfp
    members = rows(
        warehouse,
        "select g.source_trainer_execution_id, e.source_execution_id, m.relation, m.hops "
        "from marts.fct_graphlet_executions m join marts.fct_graphlets g using (graphlet_id) "
        "join marts.fct_executions e on m.execution_id = e.execution_id",
    )
    of = {}
    for trainer, x, relation, hops in members:
        of.setdefault(trainer, {})[x] = (relation, hops)
    day1 = of[ids[1]["train"]]
    assert day1 == {
        ids[1]["train"]: ("trainer", 0),
        ids[1]["preprocess"]: ("upstream", 1),
        ids[1]["ingest"]: ("upstream", 2),
        ids[1]["evaluate"]: ("downstream", 1),
        ids[1]["deploy"]: ("downstream", 1),
    }
    # day 3: the cached ingest and the run it reused both produce the dataset
    day3 = of[ids[3]["train"]]
    assert day3[ids[3]["ingest"]] == ("upstream", 2)
    assert day3[ids[2]["ingest"]] == ("upstream", 2)
    # a warm start is lineage, not membership
    assert ids[2]["train"] not in day3


def test_a_cached_task_costs_nothing(kfp) -> None:
    _, warehouse, ids = kfp
    seen = executions(warehouse)
    assert seen[ids[3]["ingest"]][2:5] == ("CACHED", 0.0, "cached")
    assert seen[ids[2]["ingest"]][2:5] == ("COMPLETE", 600.0, "duration")


def test_warm_starts_are_model_lineage(kfp) -> None:
    _, warehouse, ids = kfp
    by_exec = dict(
        rows(warehouse, "select graphlet_id, source_trainer_execution_id from marts.fct_graphlets")
    )
    parents = {
        (by_exec[child], by_exec[parent])
        for child, parent in rows(
            warehouse,
            "select graphlet_id, ancestor_graphlet_id from marts.fct_model_lineage "
            "where generations = 1",
        )
    }
    t = {day: run["train"] for day, run in ids.items()}
    # day 4 (failed) and day 5 warm-start from day 3's model; day 6 from an imported one
    assert parents == {(t[2], t[1]), (t[3], t[2]), (t[4], t[3]), (t[5], t[3])}


def test_loading_twice_changes_nothing(kfp, tmp_path: Path) -> None:
    store, warehouse, _ = kfp
    before = rows(warehouse, "select * from marts.fct_graphlets order by graphlet_id")
    again = load_mlmd(warehouse, str(store), source_name=SOURCE)
    assert all(t.rows_new == t.rows_updated == t.rows_deleted == 0 for t in again.tables)
    build(warehouse, target_path=tmp_path / "target")
    assert rows(warehouse, "select * from marts.fct_graphlets order by graphlet_id") == before
