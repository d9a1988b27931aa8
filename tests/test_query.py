"""`graphlets query`: read-only SQL on the published snapshot, and the gate that enforces it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time

import duckdb
import pytest
from click.testing import CliRunner

from graphlets.cli import main
from graphlets.core.errors import QueryRefusedError
from graphlets.core.snapshot import open_snapshot, publish
from graphlets.readers import sqlgate
from tests.bi import GATE_ONLY, HOSTILE, MART_TABLES, REPO, directory_state, make_warehouse, short
from tests.conftest import fingerprint


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("query")
    warehouse = folder / "warehouse.duckdb"
    make_warehouse(warehouse)
    result = publish(warehouse)
    return folder, warehouse, result.path


CLI = (sys.executable, "-m", "graphlets.cli")


def query(warehouse, sql: str, *options: str):
    # "--" ends the options: a statement may start with "--" (a comment).
    return CliRunner().invoke(main, ["--warehouse", str(warehouse), "query", *options, "--", sql])


def test_formats(published) -> None:
    _, warehouse, _ = published
    sql = (
        "select pipeline_id, count(*) as executions, sum(cost) as cost "
        "from marts.fct_executions group by all order by pipeline_id limit 3"
    )
    table = query(warehouse, sql)
    assert table.exit_code == 0, table.output
    assert "pipeline_id" in table.output and "pipeline-0" in table.output
    assert "3 rows" in table.output

    rows = list(csv.reader(io.StringIO(query(warehouse, sql, "--format", "csv").output)))
    assert rows[0] == ["pipeline_id", "executions", "cost"]
    assert [r[0] for r in rows[1:]] == ["pipeline-0", "pipeline-1", "pipeline-2"]

    records = json.loads(query(warehouse, sql, "--format", "json").output)
    assert records[0]["pipeline_id"] == "pipeline-0"
    assert records[0]["executions"] == 20

    # Unqualified names resolve in marts; timestamps and dates come out ISO.
    out = query(
        warehouse, "select started_at, run_date from fct_executions limit 1", "--format", "json"
    )
    assert json.loads(out.output) == [
        {"started_at": "2026-01-01T00:00:00", "run_date": "2026-01-01"}
    ]


def test_read_only_statements_are_accepted(published) -> None:
    _, warehouse, _ = published
    for sql in (
        "with t as (select * from marts.fct_graphlets) select count(*) from t",
        "from marts.dim_pipelines limit 1",
        "values (1, 'a')",
        "table marts.fct_model_lineage",
        "describe marts.fct_executions",
        "show tables",
        "show all tables",
        "summarize marts.fct_graphlets",
        "explain select * from marts.fct_executions",
        "pragma table_info('marts.fct_executions')",
        "select * from information_schema.tables",
        "select * from meta.snapshot",
        # DuckDB's catalog readers, as clients browse with them.
        "select comment from duckdb_tables() where schema_name = 'marts'",
        "select column_name, comment from main.duckdb_columns() limit 3",
        "select 1 as a; select 2 as b",
        # Data that looks like SQL is data.
        "select 'it''s; drop table marts.fct_executions' as s, 'read_csv(1)' as t",
        "select count(*) from marts.fct_executions where role = 'delete'",
    ):
        result = query(warehouse, sql, "--format", "csv")
        assert result.exit_code == 0, f"{sql}: {result.output}"


def test_hostile_statements_are_refused_and_nothing_changes(published) -> None:
    folder, warehouse, snapshot = published
    before = (fingerprint(warehouse), fingerprint(snapshot), directory_state(folder))
    assert len(HOSTILE) >= 30
    accepted = []
    for sql in HOSTILE:
        result = query(warehouse, sql.format(tmp=folder))
        lines = result.output.strip().splitlines()
        if result.exit_code != QueryRefusedError.exit_code or len(lines) != 1:
            accepted.append((short(sql), result.exit_code, short(result.output)))
            continue
        assert "refused" in lines[0] and "read-only" in lines[0], lines[0]
    assert not accepted
    after = (fingerprint(warehouse), fingerprint(snapshot), directory_state(folder))
    assert after == before
    assert not list(REPO.glob("out.*")) and not (REPO / "export").exists()


# Statements the engine itself lets through: they change nothing outside the session (its
# in-memory catalog, its profiling) or are no-ops on a read-only database.
ENGINE_HARMLESS = {
    "use memory",
    "create temp table evil as select 1",
    "pragma enable_profiling",
    "call pragma_version()",
    "checkpoint",
    "vacuum",
}


def test_engine_refuses_even_without_the_gate(published) -> None:
    """Layer 3 alone: each hostile statement sent straight to the locked-down connection."""
    folder, warehouse, snapshot = published
    before = (fingerprint(warehouse), fingerprint(snapshot), directory_state(folder))
    passed = []
    for sql in HOSTILE:
        if sql in GATE_ONLY:
            continue
        con = open_snapshot(snapshot)
        try:
            con.execute(sql.format(tmp=folder))
            passed.append(sql)
        except duckdb.Error:
            pass
        finally:
            con.close()
    assert set(passed) <= ENGINE_HARMLESS, set(passed) - ENGINE_HARMLESS
    after = (fingerprint(warehouse), fingerprint(snapshot), directory_state(folder))
    assert after == before


def test_duckdb_parser_is_a_second_check(published) -> None:
    """Layer 2 alone: DuckDB's own classification refuses what is not a SELECT or EXPLAIN."""
    _, _, snapshot = published
    con = open_snapshot(snapshot)
    try:
        assert len(sqlgate.split(con, "select 1; explain select 2", 2)) == 2
        # (PIVOT without IN is two statements to DuckDB: it creates an enum type first.)
        for sql, count in (
            ("checkpoint", 1),
            ("pivot marts.fct_executions on role", 2),
            ("set threads = 1", 1),
        ):
            with pytest.raises(QueryRefusedError, match="DuckDB's own parser"):
                sqlgate.split(con, sql, count)
        with pytest.raises(QueryRefusedError, match="ambiguous"):
            sqlgate.split(con, "select 1; select 2", 1)
    finally:
        con.close()


def test_errors_are_one_line(published, tmp_path) -> None:
    _, warehouse, _ = published
    missing = query(warehouse, "select * from marts.no_such_table")
    assert missing.exit_code == 1
    assert missing.output.startswith("error: query failed: Catalog Error")
    assert len(missing.output.strip().splitlines()) == 1

    nothing = CliRunner().invoke(
        main, ["--warehouse", str(tmp_path / "none.duckdb"), "query", "select 1"]
    )
    assert nothing.exit_code == 1
    assert "no published snapshot" in nothing.output and "graphlets build" in nothing.output


def test_query_is_not_blocked_by_a_writer(published) -> None:
    """A process holding the warehouse for writing (as a build does) does not block readers."""
    _, warehouse, _ = published
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        sql = "select count(*) as n from marts.dim_pipelines"
        result = subprocess.run(
            [*CLI, "--warehouse", str(warehouse), "query", "--format", "json", sql],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [{"n": 10}]
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()


def test_every_mart_is_published(published) -> None:
    _, warehouse, _ = published
    out = query(
        warehouse,
        "select table_name from meta.snapshot_tables order by 1",
        "--format",
        "json",
    )
    assert [r["table_name"] for r in json.loads(out.output)] == list(MART_TABLES)


def test_runaway_queries_stop_at_the_time_limit(published) -> None:
    _, warehouse, _ = published
    for sql in (
        "select sleep_ms(60000)",
        "select count(*) from range(1e12::bigint)",
        "with recursive t(x) as (select 1 union all select x + 1 from t) select count(*) from t",
    ):
        started = time.monotonic()
        result = query(warehouse, sql, "--timeout", "1")
        assert time.monotonic() - started < 5, sql
        lines = result.output.strip().splitlines()
        assert result.exit_code in (6, 1) and len(lines) == 1, (sql, result.output)
        assert result.exit_code == 1 or "statement timeout (1 s" in lines[0]


def test_ctrl_c_stops_a_query_promptly(published) -> None:
    import signal

    _, warehouse, _ = published
    proc = subprocess.Popen(
        [*CLI, "--warehouse", str(warehouse), "query", "select count(*) from range(1e12::bigint)"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    time.sleep(5)  # started and running (the count alone would take many minutes)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    # generous for a loaded CI machine; the statement itself would run for many minutes
    assert time.monotonic() - started < 20
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
