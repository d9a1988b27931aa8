"""`graphlets serve`: real Postgres clients (psql, psycopg 3) and SQLAlchemy on the snapshot."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import psycopg
import pytest

from graphlets.build import dbt
from graphlets.core.snapshot import publish, snapshot_path
from tests.bi import (
    BUILD_MODELS_ONLY,
    HOSTILE,
    MART_TABLES,
    PASSWORD,
    REPO,
    connect,
    dbt_target,
    directory_state,
    make_warehouse,
    running_server,
    short,
)
from tests.conftest import fingerprint

PSQL = shutil.which("psql") or "/usr/bin/psql"
PSQL_ARGS = (PSQL, "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("serve")
    warehouse = folder / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    with running_server(warehouse) as (port, _):
        yield folder, warehouse, port


def psql(
    port: int, *args: str, password: str = PASSWORD, input: str | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"}
    return subprocess.run(
        [*PSQL_ARGS, "-p", str(port), "-U", "analyst", "-d", "graphlets", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        input=input,
    )


def test_psql(served) -> None:
    _, _, port = served
    result = psql(port, "-A", "-t", "-c", "select count(*) from marts.fct_executions")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200"

    listing = psql(port, "-c", r"\dt marts.*")
    assert listing.returncode == 0, listing.stderr
    for table in MART_TABLES:
        assert table in listing.stdout

    described = psql(port, "-c", "describe marts.fct_graphlets")
    assert described.returncode == 0 and "outcome" in described.stdout

    refused = psql(port, "-c", "drop table marts.fct_executions")
    assert refused.returncode != 0
    assert "ERROR:  DROP refused" in refused.stderr


def test_psycopg_connection_setup_and_types(served) -> None:
    _, _, port = served
    with connect(port) as conn:  # not autocommit: psycopg sends BEGIN first
        assert conn.info.server_version >= 150000
        with conn.cursor() as cur:
            # Client session chatter is accepted without touching DuckDB.
            for statement in (
                "SET datestyle TO 'ISO'",
                "SET extra_float_digits = 3",
                "SET application_name = 'pytest'",
                "SET TIME ZONE 'UTC'",
            ):
                cur.execute(statement)
            cur.execute("show transaction isolation level")
            assert cur.fetchone() == ("read committed",)
            cur.execute("select version()")
            assert cur.fetchone()[0].startswith("PostgreSQL 15")

            cur.execute(
                "select pipeline_id, count(*) as n, sum(cost) as cost, min(started_at) as s, "
                "min(run_date) as d, bool_or(state = 'FAILED') as failed "
                "from fct_executions group by all order by pipeline_id limit 1"
            )
            row = cur.fetchone()
            assert row[0] == "pipeline-0" and row[1] == 20
            assert isinstance(row[2], decimal.Decimal)
            assert row[3] == dt.datetime(2026, 1, 1) and row[4] == dt.date(2026, 1, 1)
            assert row[5] is True

            # Server-side parameters, text and binary; prepared after a few executions.
            for i in range(7):
                cur.execute(
                    "select count(*) from fct_executions where pipeline_id = %s "
                    "and execution_id >= %s and started_at >= %s and cost >= %s",
                    ["pipeline-1", i, dt.datetime(2026, 1, 1), decimal.Decimal("0.5")],
                )
                assert cur.fetchone()[0] > 0
        conn.commit()


def test_hostile_statements_are_refused_by_the_server(served) -> None:
    """Each hostile statement through psycopg (extended protocol) and psql (simple)."""
    folder, warehouse, port = served
    snapshot = snapshot_path(warehouse)
    before = (fingerprint(warehouse), fingerprint(snapshot), directory_state(folder))
    accepted = []
    with connect(port, autocommit=True) as conn:
        for sql in HOSTILE:
            try:
                conn.execute(sql.format(tmp=folder))
                accepted.append(short(sql))
            except psycopg.Error as exc:
                assert exc.sqlstate == "42501", (sql, exc.sqlstate, str(exc))
                assert "refused" in str(exc) and "read-only" in str(exc)
        # The connection is still usable and the data intact.
        assert conn.execute("select count(*) from marts.fct_executions").fetchone() == (200,)
    # psql -c sends each string whole, through the simple query protocol.
    for sql in HOSTILE:
        text = sql.format(tmp=folder)
        # (an argument is at most 128 kB on Linux: a longer statement goes through stdin)
        result = psql(port, "-c", text) if len(text) < 100_000 else psql(port, input=text)
        if result.returncode == 0 or "refused" not in result.stderr:
            accepted.append((short(sql), result.returncode, short(result.stderr)))
    assert not accepted
    after = (fingerprint(warehouse), fingerprint(snapshot), directory_state(folder))
    assert after == before
    assert not list(REPO.glob("out.*")) and not (REPO / "export").exists()


def test_wrong_password_is_refused(served) -> None:
    _, _, port = served
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(port, password="wrong")
    result = psql(port, "-c", "select 1", password="wrong")
    assert result.returncode != 0
    assert "password authentication failed" in result.stderr


def test_refuses_to_bind_beyond_loopback_without_a_password(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    env = {k: v for k, v in os.environ.items() if k != "GRAPHLETS_SERVE_PASSWORD"}
    cli = [sys.executable, "-m", "graphlets.cli", "--warehouse", str(warehouse)]
    result = subprocess.run(
        [*cli, "serve", "--host", "0.0.0.0", "--port", "5433"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "without a password" in lines[0], result.stderr
    assert "GRAPHLETS_SERVE_PASSWORD" in lines[0]


def test_password_file(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    secret = tmp_path / "password"
    secret.write_text("from a file\n")
    with running_server(warehouse, password=None, args=("--password-file", str(secret))) as (
        port,
        _,
    ):
        with connect(port, password="from a file") as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError):
            connect(port, password=PASSWORD)


def _query_in_a_loop(port: int, sql: str, stop: threading.Event, seen: list, errors: list):
    """A dashboard refreshing as fast as it can (a short pause leaves the build a core)."""
    try:
        with connect(port, autocommit=True) as conn:
            while not stop.is_set():
                seen.append(conn.execute(sql).fetchone()[0])
                time.sleep(0.02)
    except Exception as exc:  # the test asserts there is none
        errors.append(exc)


def test_republished_snapshot_is_picked_up_without_restart(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse, generation=1)
    publish(warehouse)
    with running_server(warehouse) as (port, _):
        stop, seen, errors = threading.Event(), [], []
        client = threading.Thread(
            target=_query_in_a_loop,
            args=(port, "select count(*) from marts.dim_pipelines", stop, seen, errors),
        )
        client.start()
        try:
            for generation in (2, 3, 4):
                make_warehouse(warehouse, generation=generation)
                publish(warehouse)
                time.sleep(0.3)
        finally:
            stop.set()
            client.join(timeout=30)
    assert not errors
    assert seen[0] == 10 and seen[-1] == 40
    # Each answer is one whole snapshot, never a mix; and they only move forward.
    assert set(seen) <= {10, 20, 30, 40}
    assert seen == sorted(seen)


def test_build_while_a_client_queries(tmp_path: Path, tmp_path_factory) -> None:
    """A real dbt build (which publishes) while a client queries the snapshot in a loop."""
    from loaders.mlmd import load_mlmd
    from tests.stores import handwritten_store

    store = tmp_path / "mlmd.sqlite"
    handwritten_store(store)
    warehouse = tmp_path / "warehouse.duckdb"
    load_mlmd(warehouse, str(store))
    first = publish(warehouse)  # the loaded, not yet built warehouse: a snapshot to start from
    with running_server(warehouse) as (port, _):
        stop, seen, errors = threading.Event(), [], []
        client = threading.Thread(
            target=_query_in_a_loop,
            args=(port, "select published_at from meta.snapshot", stop, seen, errors),
        )
        client.start()
        try:
            while not seen and client.is_alive():
                time.sleep(0.05)
            before = len(seen)
            second = dbt.build(
                warehouse, BUILD_MODELS_ONLY, target_path=dbt_target(tmp_path_factory)
            )
            during = len(seen) - before
            deadline = time.monotonic() + 10
            while seen[-1] != second.snapshot.published_at and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            client.join(timeout=30)
    assert not errors
    assert during > 10, "the client kept querying while dbt built"
    assert seen[0] == first.published_at
    assert seen[-1] == second.snapshot.published_at


def test_sqlalchemy_reflects_every_mart(served) -> None:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    folder, warehouse, _ = served
    snapshot = snapshot_path(warehouse)
    url = (
        f"duckdb:///{snapshot}?access_mode=read_only"
        "&enable_external_access=false&lock_configuration=true"
    )
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        inspector = sa.inspect(engine)
        assert sorted(inspector.get_table_names(schema="marts")) == sorted(MART_TABLES)
        metadata = sa.MetaData()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duckdb-engine: "no reflection on indices"
            metadata.reflect(engine, schema="marts")
        for name in MART_TABLES:
            table = metadata.tables[f"marts.{name}"]
            assert table.columns, name
            with engine.connect() as con:
                rows = con.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            assert rows == fingerprint(snapshot)[f"marts.{name}"][0]
        executions = metadata.tables["marts.fct_executions"]
        assert isinstance(executions.c.started_at.type, sa.DateTime)
        assert isinstance(executions.c.execution_id.type, sa.BigInteger)
        with engine.connect() as con, pytest.raises(sa.exc.DBAPIError):
            con.execute(sa.text("select * from read_csv('/etc/passwd')"))
    finally:
        engine.dispose()
    assert directory_state(folder).keys() == {"warehouse.duckdb", "warehouse.serving.duckdb"}


# psql's catalog meta-commands: each sends describe queries on pg_catalog that DuckDB's
# emulation alone cannot answer (graphlets/readers/pg_catalog.py fills the gaps).
BROWSING = (r"\dn", r"\dt marts.*", r"\d marts.fct_graphlets", r"\d+ marts.fct_graphlets")
BROWSING += (r"\dv", r"\l", r"\df", r"\d", r"\dt", r"\dt+ marts.*", r"\dn+", r"\di", r"\ds", r"\dT")
BROWSING += (r"\du", r"\dx")


def browse(port: int, command: str) -> str:
    """psql's unaligned output of ``command``; it must succeed without an ERROR."""
    result = psql(port, "-A", "-c", command)
    assert result.returncode == 0, (command, result.stderr)
    assert "ERROR" not in result.stderr, (command, result.stderr)
    return result.stdout


def column_comments(snapshot: Path, table: str) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        rows = con.execute(
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = ? and comment is not null",
            [table],
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def test_psql_meta_commands_browse_the_catalog(served) -> None:
    _, _, port = served
    shown = {command: browse(port, command) for command in BROWSING}
    assert {"marts|graphlets", "meta|graphlets"} <= set(shown[r"\dn"].splitlines())
    listed = {line.split("|")[1] for line in shown[r"\dt marts.*"].splitlines()[2:-1]}
    assert listed == set(MART_TABLES)
    assert shown[r"\l"].splitlines()[2].startswith("graphlets|graphlets|UTF8|")
    assert "One row per execution." in shown[r"\dt+ marts.*"]  # the table's comment
    # booleans in text format as Postgres sends them (psql's describe code compares with "t")
    assert browse(port, "select true as t, false as f").splitlines()[1] == "t|f"


def test_psql_describes_a_table_with_its_column_descriptions(served) -> None:
    _, warehouse, port = served
    described = browse(port, r"\d marts.fct_graphlets")
    assert 'Table "marts.fct_graphlets"' in described
    for column in ("graphlet_id|bigint|", "pipeline_id|text|", "cost|numeric(21,1)|"):
        assert any(line.startswith(column) for line in described.splitlines()), column

    comments = column_comments(snapshot_path(warehouse), "fct_graphlets")
    assert comments.keys() == {"graphlet_id", "outcome"}  # the fixture's, as persist_docs
    verbose = browse(port, r"\d+ marts.fct_graphlets")
    header = verbose.splitlines()[1].split("|")
    assert header[-1] == "Description"
    for column, text in comments.items():
        # unaligned: the description is the last field, newlines kept as they are
        assert f"|{text}\n" in verbose and f"\n{column}|" in verbose, column
