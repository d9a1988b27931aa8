"""Fixtures for the reader-side tests: a small warehouse with marts, a server, hostile SQL.

The warehouse is built directly (not through dbt) so the serving layer is tested on marts of
a known shape and size, independent of the models being written; the end-to-end test in
tests/test_snapshot.py goes through the real load and build.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg
import pytest

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"

MART_TABLES = (
    "dim_pipelines",
    "fct_executions",
    "fct_graphlet_executions",
    "fct_graphlets",
    "fct_model_lineage",
)


# Column descriptions as dbt's persist_docs writes them (DuckDB comments): what psql's \d+
# must show. One spans two lines and quotes, as the models' yml descriptions do.
COLUMN_COMMENTS = {
    ("fct_graphlets", "graphlet_id"): (
        "Key of a model graphlet: the warehouse key (`execution_id`) of its anchor, the\n"
        "training execution (docs/semantics.md section 2)."
    ),
    ("fct_graphlets", "outcome"): "Outcome of the graphlet: 'pushed', 'not_blessed'...",
}


def make_warehouse(path: Path, generation: int = 1) -> None:
    """A warehouse whose marts have ``10 * generation`` pipelines' worth of rows.

    Besides the marts it has raw, staging and seeds tables, which must not be published.
    """
    con = duckdb.connect(str(path))
    try:
        for schema in ("raw", "staging", "seeds", "marts"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            "create or replace table raw.mlmd_execution as select range as id from range(5)"
        )
        con.execute(
            "create or replace table seeds.role_cost_weights as select 'train' as role, 1.0 as w"
        )
        pipelines = 10 * generation
        con.execute(
            f"""create or replace table marts.dim_pipelines as
            select 'src1' as source_id, 'pipeline-' || i as pipeline_id,
                   'team-' || (i % 3) as owner,
                   timestamp '2026-01-01' + i * interval 1 hour as first_run_at,
                   i % 2 = 0 as is_active
            from range({pipelines}) t(i)"""
        )
        con.execute(
            f"""create or replace table marts.fct_executions as
            select i as execution_id, 'src1' as source_id,
                   'pipeline-' || (i % {pipelines}) as pipeline_id,
                   ['example_gen', 'transform', 'trainer', 'evaluator', 'pusher'][1 + i % 5]
                       as role,
                   case when i % 7 = 0 then 'FAILED' else 'COMPLETE' end as state,
                   timestamp '2026-01-01' + i * interval 10 minute as started_at,
                   timestamp '2026-01-01' + i * interval 10 minute + interval 3 minute
                       as ended_at,
                   (i % 13) * 0.75 as cost,
                   case when i % 4 = 0 then 'wasted' else 'useful' end as waste_class,
                   date '2026-01-01' + (i // 100)::integer as run_date
            from range({pipelines * 20}) t(i)"""
        )
        con.execute(
            f"""create or replace table marts.fct_graphlets as
            select i as graphlet_id, 'pipeline-' || (i % {pipelines}) as pipeline_id,
                   i * 5 + 2 as trainer_execution_id,
                   ['pushed', 'not_blessed', 'not_pushed', 'training_failed'][1 + i % 4]
                       as outcome,
                   (i % 11) * 2.5 as cost, i % 4 <> 0 as is_wasted
            from range({pipelines * 4}) t(i)"""
        )
        con.execute(
            """create or replace table marts.fct_graphlet_executions as
            select g.graphlet_id, e.execution_id, e.execution_id = g.trainer_execution_id
                   as is_owner
            from marts.fct_graphlets g
            join marts.fct_executions e on e.execution_id between g.graphlet_id * 5
                and g.graphlet_id * 5 + 4"""
        )
        con.execute(
            """create or replace table marts.fct_model_lineage as
            select graphlet_id as model_id,
                   case when graphlet_id >= 4 then graphlet_id - 4 end as parent_model_id,
                   pipeline_id
            from marts.fct_graphlets"""
        )
        con.execute("comment on table marts.fct_executions is 'One row per execution.'")
        for (table, column), text in COLUMN_COMMENTS.items():
            quoted = text.replace("'", "''")
            con.execute(f"comment on column marts.{table}.{column} is '{quoted}'")
    finally:
        con.close()


# `dbt build` of the models and seeds only: the data tests run in the dbt test suite; these
# tests are about what a build publishes, and skipping the tests halves the build's time.
BUILD_MODELS_ONLY = ["--exclude", "resource_type:test"]


def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One dbt target folder for the session: later builds reuse dbt's partial parse."""
    return tmp_path_factory.getbasetemp() / "dbt-target"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def directory_state(path: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``path`` with its size and mtime: what "no file was written" compares."""
    return {
        str(p.relative_to(path)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


@contextmanager
def running_server(
    warehouse: Path,
    *,
    password: str | None = PASSWORD,
    args: tuple[str, ...] = (),
    log_path: Path | None = None,
) -> Iterator[tuple[int, subprocess.Popen]]:
    """``graphlets serve`` in a subprocess on a free loopback port, stopped afterwards.

    Its stderr goes to ``log_path`` if given (for tests that read the server's log).
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GRAPHLETS_SERVE_PASSWORD"}
    if password is not None:
        env["GRAPHLETS_SERVE_PASSWORD"] = password
    # stderr goes to a file, not a pipe nobody reads (a full pipe would stall the server).
    log = (
        log_path.open("w+") if log_path is not None else tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in the finally below)
    )
    cli = [sys.executable, "-m", "graphlets.cli", "--warehouse", str(warehouse)]
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise AssertionError(f"server exited early: {log.read()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("server did not start listening") from None
                time.sleep(0.1)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# Statements that must be refused by `graphlets query` and by the server. {tmp} is a folder
# the test watches: none of these may create or change a file there, or anywhere.
HOSTILE = (
    # reading files, directly or hidden in a subquery, a CTE, EXPLAIN, SUMMARIZE, DESCRIBE
    "select * from read_csv('/etc/passwd')",
    "select * from read_csv_auto('/etc/passwd')",
    "select * from read_text('/etc/passwd')",
    "select * from read_blob('/etc/hostname')",
    "select * from read_json('/etc/passwd')",
    "select * from read_parquet('{tmp}/x.parquet')",
    "select * from parquet_scan('{tmp}/x.parquet')",
    "select * from sqlite_scan('{tmp}/x.sqlite', 't')",
    "select * from glob('/etc/*')",
    "select * from '/etc/passwd'",
    'select * from "/etc/passwd"',
    "select count(*) from (select * from read_csv('/etc/passwd')) as t",
    "select 1 where exists (select * from read_text('/etc/passwd'))",
    "with f as (select * from read_text('/etc/passwd')) select * from f",
    "explain select * from read_csv('/etc/passwd')",
    "summarize select * from read_text('/etc/passwd')",
    "describe select * from read_blob('/etc/passwd')",
    "select getenv('HOME')",
    "select * from pg_catalog.read_csv('/etc/passwd')",
    "select pg_catalog.getenv('HOME')",
    "select * from query('drop table marts.fct_executions')",
    # writing files
    "copy marts.fct_executions to '{tmp}/out.csv'",
    "copy (select 1) to '{tmp}/out.parquet' (format parquet)",
    "export database '{tmp}/export'",
    # databases and extensions
    "attach '{tmp}/evil.duckdb' as evil",
    "detach graphlets",
    "use memory",
    "install httpfs",
    "load httpfs",
    # settings
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset threads",
    "pragma threads = 1",
    "pragma enable_profiling",
    # DDL and DML
    "create table marts.evil (x integer)",
    "create temp table evil as select 1",
    "create macro evil(x) as x",
    "drop table marts.fct_executions",
    "alter table marts.fct_executions add column evil integer",
    "insert into marts.dim_pipelines (pipeline_id) values ('evil')",
    "update marts.fct_executions set cost = 0",
    "delete from marts.fct_executions",
    "truncate marts.fct_executions",
    "with d as (delete from marts.fct_executions returning *) select * from d",
    "select * into evil from marts.fct_executions",
    "call pragma_version()",
    # the server's catalog compatibility layer (its in-memory catalog pg_compat)
    "create or replace view pg_compat.pg_class as select 1 as oid",
    "drop view pg_compat.pg_class",
    "detach pg_compat",
    "checkpoint",
    "vacuum",
    # several statements, comments and case
    "select 1; drop table marts.fct_executions",
    "select 1 /* ; */ ; delete from marts.dim_pipelines -- done",
    "/* just a comment */ drop table marts.fct_executions",
    "-- a comment\ndrop table marts.fct_executions",
    "SeLeCt 1; DrOp TaBlE marts.dim_pipelines",
    "begin; drop table marts.fct_executions; commit",
    "select 'a\\'; drop table marts.fct_executions; --'",
    # table functions that change the instance (enable_logging to a file aborted the process)
    "select * from enable_logging(storage='file', storage_path='{tmp}/any.log')",
    "select * from enable_logging()",
    "select * from enable_profiling()",
    "select * from disable_logging()",
    "select * from checkpoint()",
    "select * from force_checkpoint()",
    "select * from truncate_duckdb_logs()",
    "select * from duckdb_logs()",
    "select * from duckdb_settings()",
    "select current_setting('memory_limit')",
    "select name, setting from system.pg_catalog.pg_settings",
    'select * from "system"."pg_catalog"."pg_settings"',
    "select setseed(0.5)",
    "select write_log('x')",
    # quoted, cased and qualified names are the same function
    "select * from \"query\"('select 42')",
    "select * from \"QUERY\"('select 42')",
    "select * from main.query('select 42')",
    "select * from system.main.query('select 42')",
    'select * from "system"."main"."query"(\'select 42\')',
    "select * from pg_catalog.query('select 42')",
    "select * from query_table('marts.fct_executions')",
    "select \"getenv\"('HOME')",
    "select * from \"read_text\"('/etc/passwd')",
    # too deep or too large for the parsers
    "select " + "(" * 250 + "1" + ")" * 250,
    "select " + "not " * 3000 + "true",
    "select '" + "x" * 1_100_000 + "'",
)


def short(sql: str) -> str:
    """A statement for a report: whole if short, else its start and its length."""
    return sql if len(sql) < 120 else sql[:100] + f"... ({len(sql):,} chars)"


# Hostile statements DuckDB itself lets through or dies of (the gate is the only layer that
# stops them): sent straight to the engine they would abort the test process, change its
# state, or run SQL text the gate has not seen (on the same locked engine), so
# tests/test_query.py's engine-only check leaves them out.
GATE_ONLY = frozenset(
    sql
    for sql in HOSTILE
    if "enable_" in sql
    or "disable_" in sql
    or "checkpoint()" in sql
    or "truncate_duckdb_logs" in sql
    or "duckdb_logs" in sql
    or "duckdb_settings" in sql
    or "current_setting" in sql
    or "pg_settings" in sql
    or "setseed" in sql
    or "write_log" in sql
    or "('select 42')" in sql
    or "query_table" in sql
    or len(sql) > 200
)


def connect(port: int, password: str = PASSWORD, **kwargs) -> psycopg.Connection:
    """A psycopg connection to ``graphlets serve`` on 127.0.0.1 as the test user."""
    return psycopg.connect(
        host="127.0.0.1",
        port=port,
        user="analyst",
        password=password,
        dbname="graphlets",
        connect_timeout=10,
        **kwargs,
    )
