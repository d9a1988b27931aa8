"""`graphlets serve`: server-side cursors (psycopg's named cursors: DECLARE, FETCH, CLOSE)
against a real server on 127.0.0.1, through the same gate and limits as any statement."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from graphlets.core.snapshot import publish
from tests.bi import HOSTILE, connect, directory_state, make_warehouse, running_server, short

EXECUTIONS = "select * from marts.fct_executions order by execution_id"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("cursors")
    warehouse = folder / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    with running_server(warehouse, args=("--timeout", "30")) as (port, _):
        yield folder, warehouse, port


@pytest.mark.parametrize("binary", [False, True])
def test_a_named_cursor_reads_in_batches(served, binary: bool) -> None:
    _, _, port = served
    with connect(port) as conn:
        expected = conn.execute(EXECUTIONS).fetchall()
        assert len(expected) == 200
        with conn.cursor(name="batches", binary=binary) as cur:
            cur.itersize = 7
            cur.execute(EXECUTIONS)
            assert [d.name for d in cur.description][:2] == ["execution_id", "source_id"]
            assert cur.fetchmany(5) == expected[:5]
            assert cur.fetchone() == expected[5]
            assert list(cur) == expected[6:]  # FETCH FORWARD 7 ... until no row is left
            assert cur.fetchmany(5) == []
        # a plain statement between two fetches leaves the cursor's result alone
        with conn.cursor(name="interleaved") as cur:
            cur.execute("select graphlet_id from marts.fct_graphlets where graphlet_id < %s", [6])
            first = cur.fetchmany(2)
            assert conn.execute("select count(*) from marts.dim_pipelines").fetchone() == (10,)
            assert first + cur.fetchall() == [(i,) for i in range(6)]
        conn.commit()


def test_declare_fetch_and_close_as_statements(served) -> None:
    _, _, port = served
    with connect(port) as conn:
        assert conn.execute("begin").statusmessage == "BEGIN"
        declared = conn.execute(
            "DECLARE Lineage NO SCROLL CURSOR FOR select model_id from marts.fct_model_lineage"
            " where model_id < 10 order by 1"
        )
        assert declared.statusmessage == "DECLARE CURSOR"
        assert conn.execute("FETCH FORWARD 3 FROM lineage").fetchall() == [(0,), (1,), (2,)]
        assert conn.execute("fetch next from LINEAGE").fetchall() == [(3,)]
        assert conn.execute("fetch all in lineage").fetchall() == [(i,) for i in range(4, 10)]
        assert conn.execute("fetch forward 2 from lineage").fetchall() == []
        assert conn.execute("close lineage").statusmessage == "CLOSE CURSOR"
        with pytest.raises(psycopg.errors.InvalidCursorName, match='cursor "lineage" does not'):
            conn.execute("fetch 1 from lineage")
        conn.rollback()


def test_cursor_lifetimes_follow_postgres(served) -> None:
    _, _, port = served
    with connect(port, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.NoActiveSqlTransaction, match="transaction blocks"):
            conn.execute("declare c cursor for select 1")
        conn.execute("declare kept cursor with hold for select * from range(5)")
        conn.execute("begin")
        conn.execute("declare scoped cursor for select 1")
        with pytest.raises(psycopg.errors.DuplicateCursor, match='"scoped" already exists'):
            conn.execute("declare scoped cursor for select 2")
        conn.execute("rollback")
        conn.execute("begin")
        conn.execute("declare scoped cursor for select 1")
        conn.execute("commit")
        with pytest.raises(psycopg.errors.InvalidCursorName):
            conn.execute("fetch 1 from scoped")  # gone with its transaction
        assert conn.execute("fetch 2 from kept").fetchall() == [(0,), (1,)]  # WITH HOLD stays
        with conn.cursor(name="held", withhold=True) as cur:
            cur.execute("select * from range(3)")
            assert cur.fetchall() == [(0,), (1,), (2,)]
        assert conn.execute("close all").statusmessage == "CLOSE ALL"
        with pytest.raises(psycopg.errors.InvalidCursorName):
            conn.execute("fetch 1 from kept")


def test_forward_only_and_bounded(served) -> None:
    _, _, port = served
    with connect(port, autocommit=True) as conn:
        conn.execute("declare c cursor with hold for select * from range(10)")
        for refused in ("fetch backward 1 from c", "fetch prior from c", "move 1 in c"):
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="forward"):
                conn.execute(refused)
        conn.execute("close c")
        for i in range(16):
            conn.execute(f"declare c{i} cursor with hold for select {i}")
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="too many open cursors"):
            conn.execute("declare one_more cursor with hold for select 1")
        conn.execute("close all")
        conn.execute("declare one_more cursor with hold for select 1")
        # the time limit covers the cursor's query
        conn.execute("set statement_timeout = 300")
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            conn.execute("declare slow cursor with hold for select sleep_ms(60000)")
        assert conn.execute("select 1").fetchone() == (1,)


def test_declare_goes_through_the_gate(served) -> None:
    folder, _, port = served
    before = directory_state(folder)
    with connect(port) as conn:
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege) as refused,
            conn.cursor(name="evil") as cur,
        ):
            cur.execute("delete from marts.fct_executions")
        assert str(refused.value).startswith("DELETE refused (it changes data)")
        assert "\n" not in str(refused.value)
        conn.rollback()
        for sql in HOSTILE:
            tmp_sql = sql.replace("{tmp}", str(folder))
            conn.execute("begin")
            with pytest.raises(psycopg.Error) as caught:
                conn.execute(f"declare evil cursor for {tmp_sql}")
            message = str(caught.value)
            assert "refused" in message or "syntax error" in message, (short(sql), message)
            conn.rollback()
        assert conn.execute("select count(*) from marts.fct_executions").fetchone() == (200,)
    assert directory_state(folder) == before


def test_a_cursor_reads_the_snapshot_it_was_declared_on(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse, generation=1)
    publish(warehouse)
    with running_server(warehouse) as (port, _), connect(port, autocommit=True) as conn:
        conn.execute("declare old cursor with hold for select pipeline_id from marts.dim_pipelines")
        assert len(conn.execute("fetch 4 from old").fetchall()) == 4
        make_warehouse(warehouse, generation=2)
        publish(warehouse)
        # the next statement reopens the new snapshot; the cursor keeps its own
        assert conn.execute("select count(*) from marts.dim_pipelines").fetchone() == (20,)
        assert len(conn.execute("fetch all from old").fetchall()) == 6
        conn.execute("close old")
        conn.execute("declare new cursor with hold for select count(*) from marts.dim_pipelines")
        assert conn.execute("fetch all from new").fetchall() == [(20,)]
