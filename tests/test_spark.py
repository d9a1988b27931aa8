"""The same dbt project on Apache Spark (docs/spark.md): a small corpus of every source kind
(a generated ML Metadata store, an OpenLineage event file, tests/spark_corpus.py, and an
MLflow store written by the mlflow library, tests/mlflow_store.py) is loaded into one
warehouse, built on DuckDB and on a local SparkSession (`graphlets build --target spark`),
and every table the Spark build makes must hold the rows DuckDB's holds.

Spark's tables are read back with DuckDB from the session's Parquet files, so the test needs
no second JVM: values are compared after normalising what differs only in representation
(row order, timestamp types, decimal vs. double, JSON text as the JSON value it spells;
floats within 1e-9 relative).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli
from tests.spark_corpus import add_flagged_rows, write_events
from tests.test_mlflow import _store as write_mlflow_store

pytestmark = pytest.mark.spark

# Tables the Spark build must make (a port that silently dropped them would compare nothing).
EXPECTED = {
    "intermediate.int_sources",
    "intermediate.int_executions",
    "intermediate.int_artifacts",
    "intermediate.int_events",
    "intermediate.int_edges",
    "intermediate.int_artifact_identity",
    "intermediate.int_graphlet_upstream",
    "intermediate.int_graphlet_members",
    "intermediate.int_graphlet_outcomes",
    "marts.dim_artifacts",
    "marts.fct_executions",
    "marts.fct_graphlet_executions",
    "marts.fct_graphlets",
    "marts.dim_pipelines",
    "marts.fct_model_lineage",
    "marts.rpt_waste_by_pipeline",
    "marts.rpt_deployment_cadence",
    "marts.rpt_report_distributions",
    "marts.fct_cache_hits",
    "marts.fct_window_overlaps",
    "intermediate.int_execution_input_signatures",
    "audit.load_history",
    "audit.dq_quarantine",
    "intermediate.int_openlineage_runs",
    "intermediate.int_openlineage_run_datasets",
    "intermediate.int_openlineage_run_artifacts",
    "intermediate.int_mlflow_runs",
    "intermediate.int_mlflow_events",
    "intermediate.int_mlflow_model_versions",
    "seeds.role_rules",
    "intermediate.int_graphlet_shape_keys",
    "intermediate.int_graphlet_shape_refresh_set",
    "intermediate.int_graphlet_shape_definitions",
    "intermediate.int_graphlet_signatures",
    "marts.rpt_graphlet_shapes",
    "intermediate.int_pruning_splits",
    "intermediate.int_pruning_pipeline_signals",
    "intermediate.int_pruning_outcome_transitions",
    "marts.fct_graphlet_features",
    "marts.fct_pruning_scores",
    "marts.fct_pruning_decisions",
    "marts.rpt_pruning_pipelines",
    "marts.rpt_pruning_tradeoff",
    "marts.rpt_pruning_tradeoff_by_group",
    "marts.rpt_pruning_choice",
    "marts.rpt_opportunity_executions",
    "marts.rpt_opportunities",
    "marts.rpt_report_opportunities",
}

# Opaque 64-bit hash keys (macro graphlets_hash: DuckDB's `hash`, Spark's `xxhash64`): the
# values differ between the engines, so each is compared as the partition it makes, relabelled
# by the first row (in the order of the other columns) that holds it.
HASH_COLUMNS = {
    "intermediate.int_graphlet_shape_keys": ("shape_key", "member_set_hash"),
    "intermediate.int_graphlet_shape_refresh_set": ("member_set_hash",),
    "intermediate.int_graphlet_shape_definitions": ("shape_key",),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("spark")
    store, warehouse = work / "store.sqlite", work / "warehouse.duckdb"
    # 21 days: the smallest 3-pipeline corpus whose training range has the 50 labelled
    # graphlets the learned pruning policy needs (fct_pruning_scores trains a classifier).
    generated = run_cli("generate", "--pipelines", "3", "--days", "21", "--out", str(store))
    assert generated.returncode == 0, generated.stderr[-3000:]
    add_flagged_rows(store)
    (work / "lineage").mkdir()
    write_events(work / "lineage" / "events.ndjson")
    write_mlflow_store("build", str(work / "mlflow.db"))
    for args in (
        ("--warehouse", str(warehouse), "load", "mlmd", str(store)),
        ("--warehouse", str(warehouse), "load", "openlineage", str(work / "lineage")),
        ("--warehouse", str(warehouse), "load", "mlflow", f"sqlite:///{work / 'mlflow.db'}"),
        ("--warehouse", str(warehouse), "build"),
        ("--warehouse", str(warehouse), "build", "--target", "spark"),
    ):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr[-3000:]
    return warehouse, work / "warehouse.spark"


def spark_tables(spark_dir: Path) -> dict[str, Path]:
    """`schema.table` -> directory of every table the Spark session stored."""
    return {
        f"{table.parent.name.removesuffix('.db')}.{table.name}": table
        for table in sorted((spark_dir / "tables").glob("*.db/*"))
        if table.is_dir()
    }


def test_spark_builds_the_ported_models(built: tuple[Path, Path]) -> None:
    _, spark_dir = built
    tables = spark_tables(spark_dir)
    assert set(tables) >= EXPECTED, sorted(EXPECTED - set(tables))
    # The raw tables went to Spark as Parquet, one directory per table.
    raw = {path.name for path in (spark_dir / "raw").iterdir() if path.is_dir()}
    assert {"mlmd_execution", "mlmd_event", "_loads", "openlineage_events", "mlflow_runs"} <= raw
    # OpenLineage's event as the JSON macros read it on Spark (text), its time zoned (a
    # timestamp_ltz to Spark, which graphlets_utc_wall_clock turns into a UTC wall clock).
    events = spark_dir / "raw" / "openlineage_events" / "data.parquet"
    types = dict(
        duckdb.sql(
            f"select column_name, column_type from (describe select * from '{events}')"
        ).fetchall()
    )
    assert types["event"] == "VARCHAR" and types["event_time"] == "TIMESTAMP WITH TIME ZONE"


def test_spark_graph_holds_every_source_kind(built: tuple[Path, Path]) -> None:
    """graph_sources() is the same on Spark: each kind's executions reach the graph."""
    warehouse, spark_dir = built
    executions = spark_tables(spark_dir)["intermediate.int_executions"]
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    counts = "select source_kind, count(*) from {} group by 1 order by 1"
    on_spark = con.execute(counts.format(f"'{executions}/*.parquet'")).fetchall()
    assert [kind for kind, _ in on_spark] == ["mlflow", "mlmd", "openlineage"]
    assert on_spark == con.execute(counts.format("wh.intermediate.int_executions")).fetchall()


def test_spark_trains_the_pruning_classifier(built: tuple[Path, Path]) -> None:
    """The Python model ran in the Spark session and trained a classifier: the scores below
    are compared with DuckDB's (test_spark_rows_equal_duckdb_rows), not only NULLs."""
    _, spark_dir = built
    files = [str(f) for f in spark_tables(spark_dir)["marts.fct_pruning_scores"].glob("*.parquet")]
    scored, trained = duckdb.sql(
        f"select count(pushed_probability), max(n_training_rows) from read_parquet({files!r})"
    ).fetchone()
    assert scored > 0 and trained >= 50


def test_session_submission_method_lasts_only_the_build() -> None:
    """dbt-spark knows the `session` method inside session_python_models() only: the adapter
    class is as dbt-spark made it before and after (a plain dbt run has no such method)."""
    from dbt.adapters.spark.impl import SparkAdapter

    from graphlets.build.spark_python import SESSION, SessionPythonJobHelper, session_python_models

    helpers = SparkAdapter.__dict__["python_submission_helpers"]
    assert SESSION not in helpers.fget(None)
    with session_python_models():
        assert SparkAdapter.python_submission_helpers.fget(None)[SESSION] is SessionPythonJobHelper
    assert SparkAdapter.__dict__["python_submission_helpers"] is helpers


def test_spark_rows_equal_duckdb_rows(built: tuple[Path, Path]) -> None:
    warehouse, spark_dir = built
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    compared = 0
    for name, directory in spark_tables(spark_dir).items():
        schema, table = name.split(".")
        duck_columns, duck_rows = _rows(con, f'wh."{schema}"."{table}"')
        files = sorted(directory.glob("*.parquet"))
        if files:
            spark_columns, spark_rows = _rows(
                con, f"read_parquet({[str(f) for f in files]!r}, union_by_name = true)"
            )
            assert spark_columns == duck_columns, name
        else:
            spark_rows = []
        if name in HASH_COLUMNS:
            duck_rows = _relabel(duck_columns, duck_rows, HASH_COLUMNS[name])
            spark_rows = _relabel(duck_columns, spark_rows, HASH_COLUMNS[name])
        assert len(spark_rows) == len(duck_rows), name
        for spark_row, duck_row in zip(spark_rows, duck_rows, strict=True):
            assert _same(spark_row, duck_row), (name, spark_row, duck_row)
        compared += bool(duck_rows)
    # Most tables hold rows: equal emptiness would prove nothing.
    assert compared >= len(EXPECTED)


def test_raw_export_writes_one_parquet_directory_per_table(tmp_path: Path) -> None:
    from graphlets.build.spark_raw import export_raw

    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema raw")
    con.execute(
        "create table raw.t as select 1 as id, 18446744073709551615::ubigint as h, "
        "'{\"a\": [1]}'::json as j, timestamptz '2026-01-02 03:04:05+00' as at"
    )
    con.execute("create table raw.empty (id bigint)")
    con.execute("create table main.not_raw (id bigint)")
    con.close()
    out = tmp_path / "raw"
    assert export_raw(warehouse, out) == ["empty", "t"]
    assert sorted(p.name for p in out.iterdir()) == ["empty", "t"]
    read = duckdb.connect()
    read.execute("set TimeZone = 'UTC'")
    # JSON as text, the unsigned hash as a decimal Spark reads: the values are kept.
    types = dict(
        read.execute(
            f"select column_name, column_type from (describe select * from "
            f"'{out / 't' / 'data.parquet'}')"
        ).fetchall()
    )
    assert types["j"] == "VARCHAR" and types["h"] == "DECIMAL(20,0)"
    assert read.execute(f"select h, j from '{out / 't' / 'data.parquet'}'").fetchall() == [
        (Decimal(18446744073709551615), '{"a": [1]}')
    ]
    assert read.execute(f"select count(*) from '{out / 'empty' / 'data.parquet'}'").fetchone() == (
        0,
    )
    # A second export replaces each directory whole.
    con = duckdb.connect(str(warehouse))
    con.execute("insert into raw.empty values (7)")
    con.close()
    export_raw(warehouse, out)
    assert read.execute(f"select id from '{out / 'empty' / '*.parquet'}'").fetchall() == [(7,)]
    assert not list(out.glob(".*"))


def test_spark_target_without_warehouse_is_one_line(tmp_path: Path) -> None:
    result = run_cli("--warehouse", str(tmp_path / "none.duckdb"), "build", "--target", "spark")
    assert result.returncode != 0
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"select * from {relation}")
    columns = [d[0] for d in cursor.description]
    rows = [tuple(_normal(v) for v in row) for row in cursor.fetchall()]
    return columns, sorted(rows, key=_sort_key)


def _relabel(columns: list[str], rows: list[tuple], hashed: tuple[str, ...]) -> list[tuple]:
    """`rows` with each hash column's values numbered in order of first appearance, the rows
    ordered by their other columns: equal partitions give equal labels."""
    positions = [columns.index(name) for name in hashed]
    others = [i for i in range(len(columns)) if i not in positions]
    ordered = sorted(rows, key=lambda row: _sort_key(tuple(row[i] for i in others)))
    labels: list[dict] = [{} for _ in positions]
    out = []
    for row in ordered:
        values = list(row)
        for seen, i in zip(labels, positions, strict=True):
            if values[i] is not None:
                values[i] = seen.setdefault(values[i], len(seen))
        out.append(tuple(values))
    return sorted(out, key=_sort_key)


def _normal(value: object) -> object:
    """One representation per value: naive UTC timestamps, floats for non-integers."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str) and value[:1] in ("{", "["):
        # JSON text (OpenLineage's facets): Spark writes a variant's keys sorted and
        # spells numbers its own way; the value is what must be equal.
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return value


def _sort_key(row: tuple) -> tuple:
    def key(value: object) -> tuple:
        if value is None:
            return (0, "")
        if isinstance(value, bool):
            return (1, str(value))
        if isinstance(value, int):
            return (2, value)
        if isinstance(value, float):
            # 9 significant digits: the last bits of a sum may differ between engines.
            return (2, float(f"{value:.9e}") if math.isfinite(value) else value)
        return (3, str(value))

    return tuple(key(v) for v in row)


def _same(left: tuple, right: tuple) -> bool:
    for a, b in zip(left, right, strict=True):
        if isinstance(a, float) or isinstance(b, float):
            if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
                return False
            if not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12):
                return False
        elif a != b:
            return False
    return True
