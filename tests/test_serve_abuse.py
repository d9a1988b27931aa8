"""`graphlets serve` under abuse: hostile calls, runaway queries, cancels, hang-ups, floods.

One real server subprocess on 127.0.0.1 with short limits (a 3 s statement timeout, a 2 s
authentication timeout); after each kind of abuse it must still answer ``select 1``, and its
threads and open files (``/proc/PID/task``, ``/proc/PID/fd``) must come back to the baseline.
"""

from __future__ import annotations

import signal
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from graphlets.core.snapshot import publish
from tests import bi
from tests.bi import make_warehouse, running_server
from tests.pgwire import logged_in_socket, read_message

TIMEOUT = 3.0  # the server's statement timeout in these tests (--timeout)
MAX_CONNECTIONS = 56
LONG_QUERIES = (
    "select sleep_ms(60000)",
    "select count(*) from range(1e12::bigint)",
    "with recursive t(x) as (select 1 union all select x + 1 from t) select count(*) from t",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("abuse")
    warehouse = folder / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    args = ("--timeout", str(TIMEOUT), "--auth-timeout", "2", "--idle-timeout", "30")
    args += ("--max-connections", str(MAX_CONNECTIONS))
    with running_server(warehouse, args=args) as (port, proc):
        yield port, proc


def connect(port: int, **kwargs) -> psycopg.Connection:
    return bi.connect(port, autocommit=True, **kwargs)


def answers(port: int) -> bool:
    with connect(port) as conn:
        return conn.execute("select 1").fetchone() == (1,)


def usage(pid: int) -> tuple[int, int]:
    """The server's thread count and open file descriptors."""
    return len(list(Path(f"/proc/{pid}/task").iterdir())), len(
        list(Path(f"/proc/{pid}/fd").iterdir())
    )


def settles(pid: int, baseline: tuple[int, int], within: float = 15) -> tuple[int, int]:
    """The usage once no count is above ``baseline`` (or after ``within`` seconds)."""
    deadline = time.monotonic() + within
    while above(now := usage(pid), baseline) and time.monotonic() < deadline:
        time.sleep(0.1)
    return now


def above(usage: tuple[int, int], baseline: tuple[int, int]) -> bool:
    return any(n > b for n, b in zip(usage, baseline, strict=True))


def abrupt_close(sock: socket.socket) -> None:
    """Close with a TCP reset, no Terminate message: as a killed client."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def refused(port: int, sql: str) -> psycopg.Error:
    with connect(port) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    return caught.value


def timed(work: Callable[[], object]) -> float:
    started = time.monotonic()
    work()
    return time.monotonic() - started


def test_hostile_calls_and_runaway_queries(server) -> None:
    port, proc = server
    assert answers(port)
    for sql in (
        "select * from enable_logging(storage='file', storage_path='any.log')",
        "select * from enable_profiling()",
        "select * from checkpoint()",
        "select * from truncate_duckdb_logs()",
        "select * from \"query\"('select 42')",
        "select " + "(" * 250 + "1" + ")" * 250,
    ):
        assert refused(port, sql).sqlstate == "42501", sql
        assert answers(port), sql
    for sql in LONG_QUERIES:
        started = time.monotonic()
        error = refused(port, sql)
        seconds = time.monotonic() - started
        assert error.sqlstate in ("57014", "XX000"), (sql, error)  # or out of memory
        assert seconds < TIMEOUT + 3, (sql, seconds)
        assert answers(port)
    assert proc.poll() is None


def test_abrupt_disconnects_release_everything(server) -> None:
    port, proc = server
    assert answers(port)
    baseline = usage(proc.pid)
    for i in range(50):
        sock = logged_in_socket(port)
        if i % 2:  # hang up in the middle of a long query, or when idle
            query = b"select count(*) from range(1e12::bigint)\0"
            sock.sendall(b"Q" + struct.pack("!I", len(query) + 4) + query)
        abrupt_close(sock)
    assert not above(settles(proc.pid, baseline), baseline), baseline
    assert answers(port)


def test_floods_are_bounded(server) -> None:
    port, proc = server
    assert answers(port)
    baseline = usage(proc.pid)
    # A startup packet claiming 2 GB: refused at once, the connection closed.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(struct.pack("!II", 2**31 - 1, 196608))
        kind, body = read_message(sock)
        assert kind == b"E" and b"startup packet length" in body
        assert sock.recv(1) == b""
    # 50 connections that never say anything, then past the connection cap.
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(50)]
    try:
        extra = [
            socket.create_connection(("127.0.0.1", port), timeout=10)
            for _ in range(MAX_CONNECTIONS - 50)
        ]
        time.sleep(0.2)
        with pytest.raises(psycopg.OperationalError, match="too many clients"):
            connect(port)
        for sock in extra:
            sock.close()
        time.sleep(0.2)
        assert answers(port)  # served beside the 50 idle ones
        # The authentication timeout (2 s) closes each of them.
        for sock in idle:
            sock.settimeout(10)
            kind, body = read_message(sock)
            assert kind == b"E" and b"authentication timeout" in body
    finally:
        for sock in idle:
            sock.close()
    assert not above(settles(proc.pid, baseline), baseline), baseline
    assert answers(port)


def test_cancel_stops_a_long_query(server) -> None:
    port, _ = server
    with connect(port) as conn:
        threading.Timer(0.5, conn.cancel).start()
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="user request"):
            conn.execute("select count(*) from range(1e12::bigint)")
        assert time.monotonic() - started < 2.5
        assert conn.execute("select 1").fetchone() == (1,)  # the session lives on


def test_statement_timeout_set_by_the_client(server) -> None:
    port, _ = server
    with connect(port) as conn:
        conn.execute("set statement_timeout = 500")
        assert conn.execute("show statement_timeout").fetchone() == ("500ms",)
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            conn.execute("select sleep_ms(60000)")
        assert time.monotonic() - started < 2


def test_a_runaway_query_does_not_hold_up_other_clients(server) -> None:
    port, _ = server
    outcome: list[object] = []

    def runaway() -> None:
        try:
            with connect(port) as conn:
                conn.execute("select count(*) from range(1e12::bigint)")
        except psycopg.Error as exc:
            outcome.append(exc)

    thread = threading.Thread(target=runaway)
    thread.start()
    served, slowest = 0, 0.0
    with connect(port) as conn:
        while thread.is_alive():
            slowest = max(slowest, timed(lambda: conn.execute("select 1").fetchone()))
            served += 1
            time.sleep(0.05)
    thread.join()
    assert isinstance(outcome[0], psycopg.errors.QueryCanceled)
    assert served >= 10 and slowest < 1.0, (served, slowest)


def test_sigterm_stops_the_server_promptly(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    with running_server(warehouse) as (port, proc):
        conn = connect(port)

        def runaway() -> None:
            with pytest.raises(psycopg.Error):
                conn.execute("select count(*) from range(1e12::bigint)")

        worker = threading.Thread(target=runaway)
        worker.start()
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) is not None
        worker.join(timeout=10)
        conn.close()
