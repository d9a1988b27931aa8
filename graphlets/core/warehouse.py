"""The one module that opens the warehouse (a DuckDB file) for writing.

DuckDB lets one process hold a file read-write, and while it does no other process can
open it at all. Opening here retries for a bounded time (``lock_timeout``) and then fails
with a message naming the process that holds the lock.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from graphlets.core.errors import GraphletsError, WarehouseLockedError
from graphlets.core.errors import first_line as _first_line

DEFAULT_WAREHOUSE = "warehouse.duckdb"
WAREHOUSE_ENV = "GRAPHLETS_WAREHOUSE"
LOCK_TIMEOUT_ENV = "GRAPHLETS_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0

_PID = re.compile(r"PID (\d+)")


def resolve_warehouse(path: str | os.PathLike[str] | None = None) -> Path:
    """--warehouse PATH, else $GRAPHLETS_WAREHOUSE, else ./warehouse.duckdb."""
    chosen = path or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE
    return Path(chosen).expanduser().resolve()


def lock_timeout_from_env() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    if raw is None:
        return DEFAULT_LOCK_TIMEOUT
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise GraphletsError(
            f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds",
            f"set it to e.g. {DEFAULT_LOCK_TIMEOUT:g}",
        ) from None


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def connect(
    path: Path,
    *,
    read_only: bool = False,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to ``lock_timeout`` seconds for another process."""
    timeout = lock_timeout_from_env() if lock_timeout is None else lock_timeout
    if read_only and not path.exists():
        raise GraphletsError(
            f"warehouse {path} does not exist", "load a source first: graphlets load mlmd STORE"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    warned = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise GraphletsError(
                    f"cannot open warehouse {path}: {_first_line(exc)}",
                    "check the path, or remove the file if it is not a DuckDB database",
                ) from None
            holder = _PID.search(str(exc))
            who = f"process {holder.group(1)}" if holder else "another process"
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    f"warehouse {path} is locked by {who}",
                    f"wait for it to finish (waited {timeout:g}s; "
                    f"raise {LOCK_TIMEOUT_ENV} to wait longer) or use another --warehouse",
                ) from None
            if on_wait is not None and not warned:
                on_wait(f"warehouse {path} is locked by {who}; waiting up to {timeout:g}s")
                warned = True
            time.sleep(0.2)


# Writer locks this process holds (path -> depth): a job that takes the lock may call
# another that takes it too.
_HELD: dict[Path, int] = {}


def writer_lock_file(path: Path) -> Path:
    """``dir/.warehouse.duckdb.lock``: held by a job that opens the warehouse several times."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def exclusive(
    path: Path,
    *,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse for a job of several steps (a build: load, dbt, publish, summary).

    DuckDB's own lock lasts as long as one connection; a build opens the warehouse several
    times (and dbt only after parsing the project), so a second build could slip in between
    and fail inside dbt. This advisory lock (``flock`` on :func:`writer_lock_file`) is taken
    first and held throughout: a second job waits for it up to ``lock_timeout`` seconds,
    then fails naming the process that holds it. Reentrant within one process.
    """
    path = path.resolve()
    if _HELD.get(path):
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    timeout = lock_timeout_from_env() if lock_timeout is None else lock_timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(writer_lock_file(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout, on_wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        _HELD[path] = 1
        try:
            yield
        finally:
            del _HELD[path]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, timeout: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + timeout
    warned = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        who = f"process {holder}" if holder.isdigit() else "another process"
        if time.monotonic() >= deadline:
            raise WarehouseLockedError(
                f"warehouse {path} is locked by {who} (a build)",
                f"wait for it to finish (waited {timeout:g}s; "
                f"raise {LOCK_TIMEOUT_ENV} to wait longer) or use another --warehouse",
            )
        if on_wait is not None and not warned:
            on_wait(f"warehouse {path} is locked by {who} (a build); waiting up to {timeout:g}s")
            warned = True
        time.sleep(0.2)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block succeeds, roll back on any exception."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> tuple[Any, ...]:
    """The row of a query that always returns exactly one (an aggregate, a constant)."""
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"expected one row from: {sql.strip().splitlines()[0]}")
    return row
