"""The MLMD loader on stores in the real schema: copies, idempotence, incremental updates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import build
from graphlets.synth.mlmd_store import StoreWriter
from loaders.mlmd import TABLES, load_mlmd
from tests.conftest import GRAPH_ONLY, fingerprint, query
from tests.stores import HOUR, PROTO_VALUE, STRUCT_VALUE, T0, handwritten_store, table_counts


@pytest.fixture()
def store(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "churn.sqlite"
    return path, handwritten_store(path)


def raw_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            t.name: con.execute(f"select count(*) from raw.{t.raw_name}").fetchone()[0]
            for t in TABLES
        }
    finally:
        con.close()


def test_every_table_is_copied_with_its_values(store, tmp_path: Path) -> None:
    path, ids = store
    warehouse = tmp_path / "w.duckdb"
    result = load_mlmd(warehouse, str(path))
    assert result.source_id == "churn"
    assert raw_counts(warehouse) == table_counts(path)
    assert all(n > 0 for n in table_counts(path).values()), "the store covers every table"
    assert result.rows_read == sum(table_counts(path).values())
    props = dict(
        (name, (i, d, s, b, p, flag))
        for name, i, d, s, b, p, flag in query(
            warehouse,
            "select name, int_value, double_value, string_value, byte_value, proto_value, "
            "bool_value from raw.mlmd_execution_property where execution_id = ?",
            [ids["trainer"]],
        )
    )
    assert props["train_steps"][0] == 1000
    assert props["cost"][1] == 2.5
    assert props["learning_rate"][1] == 0.01
    assert props["config"][2] == STRUCT_VALUE
    (proto,) = query(
        warehouse,
        "select proto_value from raw.mlmd_artifact_property where name = 'metadata'",
    )[0]
    assert proto == PROTO_VALUE.encode()
    (flag,) = query(
        warehouse, "select bool_value from raw.mlmd_artifact_property where name = 'is_external'"
    )[0]
    assert flag is True
    steps = query(
        warehouse,
        "select step_ordinal, is_index_step, step_index, step_key from raw.mlmd_event_path "
        "where event_id = 1 order by step_ordinal",
    )
    assert steps == [(1, False, None, "examples"), (2, True, 0, None)]


def test_staged_graph_has_typed_values(store, tmp_path: Path) -> None:
    path, ids = store
    warehouse = tmp_path / "w.duckdb"
    load_mlmd(warehouse, str(path))
    build(warehouse, GRAPH_ONLY, target_path=tmp_path / "target")
    rows = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "select source_execution_id, pipeline_name, node_id, role, state, cost, cost_basis, "
            "started_at, ended_at from intermediate.int_executions",
        )
    }
    trainer = rows[ids["trainer"]]
    assert trainer[:6] == ("churn", "Trainer", "train", "COMPLETE", 2.5, "property")
    assert str(trainer[6]) == "2026-01-01 02:00:00" and str(trainer[7]) == "2026-01-01 05:00:00"
    assert rows[ids["evaluator"]][2:6] == ("evaluate", "COMPLETE", 3600.0, "duration")
    assert rows[ids["resolver"]][1:3] == ("latest_model_resolver", "resolve")
    assert rows[ids["pusher"]][2:5] == ("push", "RUNNING", 0.0)
    artifacts = dict(
        (r[0], r[1:])
        for r in query(
            warehouse,
            "select source_artifact_id, type_name, span, blessed, pushed "
            "from intermediate.int_artifacts",
        )
    )
    assert artifacts[ids["examples"]] == ("Examples", 7, None, None)
    assert artifacts[ids["blessing"]] == ("ModelBlessing", None, True, None)
    events = query(
        warehouse,
        "select e.direction, e.event_key, e.is_baseline_key from intermediate.int_events e "
        "join intermediate.int_executions x using (execution_id) "
        "where x.source_execution_id = ? order by e.event_key",
        [ids["evaluator"]],
    )
    assert sorted(events) == [
        ("input", "baseline_model", True),
        ("input", "model", False),
        ("output", "blessing", False),
    ]
    # The resolver's INTERNAL_OUTPUT takes no part in the graph.
    assert query(
        warehouse,
        "select count(*) from intermediate.int_events e join intermediate.int_executions x "
        "using (execution_id) where x.role = 'resolve'",
    ) == [(0,)]
    (as_of,) = query(warehouse, "select as_of_at from intermediate.int_sources")[0]
    assert str(as_of) == "2026-01-01 08:00:00"


def test_reloading_the_same_store_adds_nothing(store, tmp_path: Path) -> None:
    path, _ = store
    warehouse = tmp_path / "w.duckdb"
    first = load_mlmd(warehouse, str(path))
    before = {k: v for k, v in fingerprint(warehouse).items() if k.startswith("raw.mlmd_")}
    second = load_mlmd(warehouse, str(path))
    after = {k: v for k, v in fingerprint(warehouse).items() if k.startswith("raw.mlmd_")}
    assert first.rows_changed == first.rows_read > 0
    assert second.rows_changed == 0 and second.rows_read == first.rows_read
    assert before == after
    loads = query(
        warehouse,
        "select load_id, source_id, status, rows_read, rows_new from raw._loads order by load_id",
    )
    assert loads == [
        (1, "churn", "success", first.rows_read, first.rows_read),
        (2, "churn", "success", first.rows_read, 0),
    ]
    per_table = query(
        warehouse,
        "select table_name, rows_read from raw._load_tables where load_id = 2 order by table_name",
    )
    assert dict(per_table) == table_counts(path)


def test_a_grown_and_updated_store_loads_only_what_changed(store, tmp_path: Path) -> None:
    path, ids = store
    warehouse = tmp_path / "w.duckdb"
    load_mlmd(warehouse, str(path))
    with StoreWriter(path) as w:
        # The Pusher completes and records its PushedModel; the blessing is revised.
        w.update_execution(ids["pusher"], "COMPLETE", T0 + 9 * HOUR)
        pushed = w.artifact(
            "PushedModel", "/art/pushed/1", T0 + 9 * HOUR, custom_properties={"pushed": 1}
        )
        w.event(ids["pusher"], pushed, "OUTPUT", T0 + 9 * HOUR, "pushed_model")
        w.flush()
        w.set_artifact_property(ids["blessing"], "blessed", 0)
        w.conn.execute("DELETE FROM ContextProperty")
    result = load_mlmd(warehouse, str(path))
    changes = {
        t.table: (t.rows_new, t.rows_updated, t.rows_deleted)
        for t in result.tables
        if t.rows_new or t.rows_updated or t.rows_deleted
    }
    assert changes == {
        "Execution": (0, 1, 0),
        "Artifact": (1, 0, 0),
        "ArtifactProperty": (1, 1, 0),
        "Type": (1, 0, 0),
        "Event": (1, 0, 0),
        "EventPath": (2, 0, 0),
        "ContextProperty": (0, 0, 1),
    }
    assert raw_counts(warehouse) == table_counts(path)
    assert query(
        warehouse,
        "select last_known_state, last_update_time_since_epoch, _load_id "
        "from raw.mlmd_execution where id = ?",
        [ids["pusher"]],
    ) == [(3, T0 + 9 * HOUR, 2)]
    assert query(
        warehouse,
        "select int_value from raw.mlmd_artifact_property "
        "where artifact_id = ? and name = 'blessed'",
        [ids["blessing"]],
    ) == [(0,)]


def test_two_stores_are_two_sources_with_distinct_keys(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    handwritten_store(a)
    handwritten_store(b)
    warehouse = tmp_path / "w.duckdb"
    load_mlmd(warehouse, str(a))
    load_mlmd(warehouse, str(b))
    build(warehouse, GRAPH_ONLY, target_path=tmp_path / "target")
    rows = query(
        warehouse,
        "select source_id, count(*), count(distinct execution_id), "
        "min(execution_id) from intermediate.int_executions group by 1 "
        "order by 1",
    )
    assert rows == [("a", 5, 5, 1_000_000_000_001), ("b", 5, 5, 2_000_000_000_001)]


def test_a_row_changed_in_place_is_one_update(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    handwritten_store(path)
    warehouse = tmp_path / "w.duckdb"
    load_mlmd(warehouse, str(path))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE Execution SET name = 'renamed' WHERE id = 1")
    result = load_mlmd(warehouse, str(path))
    assert [(t.table, t.rows_updated) for t in result.tables if t.rows_updated] == [
        ("Execution", 1)
    ]
