"""The published snapshot: a read-only copy of the reader-facing schemas of the warehouse.

DuckDB lets one process hold a file read-write, and while it does no other process can open
it at all, not even read-only. So readers (``graphlets query``, ``graphlets serve``, BI tools)
never open the warehouse: after every successful build the marts are copied into a fresh file
under a temporary name next to the warehouse, and that file is renamed over the previous
snapshot (``os.replace``, atomic on POSIX). A reader that opened the old snapshot keeps
reading the old inode until it reopens; a new reader sees the new one whole. A failed build
never reaches this step, so the previous snapshot stays in place. A build or publish killed
mid-way (SIGKILL) leaves the previous snapshot in place too, plus at worst its temporary
file, which the next publish deletes (tests/test_crash_safety.py).

``warehouse.duckdb`` -> ``warehouse.serving.duckdb`` (same folder, see :func:`snapshot_path`).

What is published: every table and view of the schemas in :data:`PUBLISHED_SCHEMAS`, views
materialised as tables (the snapshot holds no other schema a view could read), with their
comments; plus ``meta.snapshot`` (one row: when, from which file, by which DuckDB) and
``meta.snapshot_tables`` (row count per published table). Seeds are not published: they are
inputs of the build, and a reader who needs them gets them through a mart.

This module is owned by :mod:`graphlets.core.warehouse` (the one module that opens the warehouse):
it opens the warehouse through :func:`graphlets.core.warehouse.connect`, read-only.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from graphlets.core.errors import GraphletsError
from graphlets.core.errors import first_line as _first_line
from graphlets.core.warehouse import connect, one_row

SNAPSHOT_SUFFIX = ".serving.duckdb"
PUBLISHED_SCHEMAS = ("marts", "audit")
META_SCHEMA = "meta"
# The catalog name readers see the snapshot under (``graphlets.marts.fct_executions``).
CATALOG = "graphlets"
_NEW = "graphlets_publish_new"


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    rows: int


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: tuple[PublishedTable, ...]
    published_at: dt.datetime
    seconds: float


@dataclass(frozen=True)
class SnapshotIdentity:
    """What changes when a new snapshot is renamed into place (a new inode, a new mtime)."""

    device: int
    inode: int
    mtime_ns: int
    size: int


def snapshot_path(warehouse: Path) -> Path:
    """``dir/warehouse.duckdb`` -> ``dir/warehouse.serving.duckdb``."""
    name = warehouse.name
    if name.endswith(SNAPSHOT_SUFFIX):
        raise GraphletsError(
            f"warehouse {warehouse} is named like a snapshot",
            f"name the warehouse file something not ending in {SNAPSHOT_SUFFIX}",
        )
    stem = name[: -len(".duckdb")] if name.endswith(".duckdb") else warehouse.stem
    return warehouse.with_name(stem + SNAPSHOT_SUFFIX)


def identity(path: Path) -> SnapshotIdentity | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return SnapshotIdentity(st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def publish(
    warehouse: Path,
    *,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    holder: duckdb.DuckDBPyConnection | None = None,
) -> PublishResult:
    """Copy the reader-facing schemas into a new file and rename it over the snapshot.

    ``holder`` is a connection this process already holds on the warehouse (dbt's, when
    the publish runs from dbt's ``on-run-end`` hook: no other connection can open the file
    then); the copy reads through a cursor of it. Without one the warehouse is opened
    read-only here.
    """
    started = time.monotonic()
    target = snapshot_path(warehouse)
    _remove_abandoned(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        if holder is not None:
            con = holder.cursor()
        else:
            con = connect(warehouse, read_only=True, lock_timeout=lock_timeout, on_wait=on_wait)
        try:
            tables = _write(con, tmp, warehouse.name, published_at)
        finally:
            con.close()
        _fsync(tmp)
        # Read-only on disk too: nobody should open the snapshot for writing by mistake.
        tmp.chmod(0o444)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except (duckdb.Error, OSError) as exc:
        raise GraphletsError(
            f"publishing the snapshot {target} failed: {_first_line(exc)}",
            "the previous snapshot is unchanged; fix the cause and run graphlets publish",
        ) from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return PublishResult(target, tables, published_at, time.monotonic() - started)


def _remove_abandoned(target: Path) -> None:
    """Delete the temporary files of publishes whose process died (killed mid-publish, its
    ``finally`` never ran): ``.<snapshot>.<pid>.<hex>.tmp`` and its ``.wal``. A file of a
    process still running (another publish under way) is left alone."""
    for path in target.parent.glob(f".{glob.escape(target.name)}.*.tmp*"):
        pid = path.name[len(target.name) + 2 :].split(".", 1)[0]
        if not pid.isdigit() or not path.name.endswith((".tmp", ".tmp.wal")):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except (PermissionError, OverflowError):  # alive (another user's), or not a pid
            continue


def _write(
    con: duckdb.DuckDBPyConnection, tmp: Path, source_name: str, published_at: dt.datetime
) -> tuple[PublishedTable, ...]:
    con.execute(f"attach {_literal(str(tmp))} as {_NEW} (read_write)")
    try:
        wh = one_row(con, "select current_database()")[0]
        relations = con.execute(
            """select schema_name, table_name, comment from duckdb_tables()
               where database_name = $db and schema_name in (select unnest($schemas))
               union all
               select schema_name, view_name, comment from duckdb_views()
               where database_name = $db and not internal
                 and schema_name in (select unnest($schemas))
               order by all""",
            {"db": wh, "schemas": list(PUBLISHED_SCHEMAS)},
        ).fetchall()
        tables = []
        for schema in [*PUBLISHED_SCHEMAS, META_SCHEMA]:
            con.execute(f"create schema {_NEW}.{_ident(schema)}")
        for schema, name, comment in relations:
            src = f"{_ident(wh)}.{_ident(schema)}.{_ident(name)}"
            dst = f"{_NEW}.{_ident(schema)}.{_ident(name)}"
            con.execute(f"create table {dst} as select * from {src}")
            rows = one_row(con, f"select count(*) from {dst}")[0]
            tables.append(PublishedTable(schema, name, rows))
            if comment:
                con.execute(f"comment on table {dst} is {_literal(comment)}")
            columns = con.execute(
                """select column_name, comment from duckdb_columns()
                   where database_name = ? and schema_name = ? and table_name = ?
                     and comment is not null""",
                [wh, schema, name],
            ).fetchall()
            for column, text in columns:
                con.execute(f"comment on column {dst}.{_ident(column)} is {_literal(text)}")
        meta = f"{_NEW}.{META_SCHEMA}"
        con.execute(
            f"""create table {meta}.snapshot as
                select ?::timestamp as published_at, ? as warehouse_file,
                       ? as duckdb_version, ?::integer as table_count""",
            [published_at, source_name, duckdb.__version__, len(tables)],
        )
        con.execute(
            f"""create table {meta}.snapshot_tables
                (schema_name varchar, table_name varchar, row_count bigint)"""
        )
        if tables:
            con.executemany(
                f"insert into {meta}.snapshot_tables values (?, ?, ?)",
                [(t.schema, t.name, t.rows) for t in tables],
            )
        con.execute(f"comment on table {meta}.snapshot is 'When this snapshot was published.'")
        con.execute(f"checkpoint {_NEW}")
    finally:
        con.execute(f"detach {_NEW}")
    return tuple(tables)


def open_snapshot(
    path: Path, setup: Sequence[str] = (), settings: Mapping[str, str | int] | None = None
) -> duckdb.DuckDBPyConnection:
    """A locked-down, read-only connection to the snapshot at ``path``.

    The snapshot is attached read-only to an in-memory database (not opened with
    ``duckdb.connect(path)``: DuckDB caches database instances by path within a process, and
    a long-running server would keep getting the old inode). Then external access is turned
    off (no file reads or writes, no ATTACH, no extension install/load), spilling to disk is
    turned off, and the configuration is locked so no statement can turn them back on.
    ``setup`` statements (e.g. temporary macros a protocol front needs) run before the lock,
    and so are ``settings`` applied (e.g. ``memory_limit`` and ``threads``), which then
    cannot be changed either.
    """
    if not path.exists():
        raise GraphletsError(
            f"no published snapshot at {path}",
            "build the warehouse (graphlets build) or publish it (graphlets publish)",
        )
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_literal(str(path))} as {CATALOG} (read_only)")
        con.execute(f"use {CATALOG}")
        con.execute(f"set search_path = '{CATALOG}.marts,{CATALOG}.main'")
        for statement in setup:
            con.execute(statement)
        for name, value in (settings or {}).items():
            if not re.fullmatch(r"[a-z_]+", name):
                raise duckdb.InvalidInputException(f"bad setting name {name!r}")
            con.execute(f"set {name} = {_literal(str(value))}")
        con.execute("set TimeZone = 'UTC'")
        con.execute("set temp_directory = ''")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except duckdb.Error as exc:
        con.close()
        raise GraphletsError(
            f"cannot open the snapshot {path}: {_first_line(exc)}",
            "publish it again with graphlets publish",
        ) from None
    return con


def duplicate(
    con: duckdb.DuckDBPyConnection, setup: Sequence[str] = ()
) -> duckdb.DuckDBPyConnection:
    """A second connection to the locked instance behind ``con`` (with a result of its own).

    It gets what :func:`open_snapshot` sets per connection (the snapshot as the default
    catalog, the search path) and ``setup`` (statements local to a connection, e.g.
    temporary macros); the instance's settings (read-only, no external access, the memory
    limit, UTC, the lock) are shared. Closing ``con`` closes it too.
    """
    dup = con.cursor()
    try:
        dup.execute(f"use {CATALOG}")
        dup.execute(f"set search_path = '{CATALOG}.marts,{CATALOG}.main'")
        for statement in setup:
            dup.execute(statement)
    except duckdb.Error:
        dup.close()
        raise
    return dup


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
