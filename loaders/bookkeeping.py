"""The loaders' bookkeeping in the warehouse, shared by every source: ``raw._sources`` (each
source, its kind, key and location), ``raw._loads`` (one row per load, written last: a load
without it never happened), ``raw._load_tables`` (per load and table: the counts and the
mode) and ``raw._quarantine`` (each source's latest quarantined rows with the reason; the
rules are each loader's, e.g. :mod:`loaders.mlmd.quarantine`).
"""

from __future__ import annotations

from typing import Protocol

import duckdb

from graphlets.core.errors import GraphletsError
from graphlets.core.warehouse import one_row
from loaders.result import LoadResult

# Quarantined rows: `source_row_id` is the source's own id of the row where it has a numeric
# one (an MLMD id, the line of an OpenLineage file), `detail` says more (for OpenLineage:
# where the row was), `row_json` holds the row as the source had it (as text).
QUARANTINE_DDL = """create table if not exists raw._quarantine (
    load_id bigint not null,
    source_id varchar not null,
    table_name varchar not null,
    source_row_id bigint,
    reason varchar not null,
    detail varchar,
    row_json varchar not null
)"""

_DDL = (
    "create schema if not exists raw",
    """create table if not exists raw._sources (
        source_id varchar primary key,
        source_key integer not null unique,
        kind varchar not null,
        location varchar not null,
        first_load_id bigint not null
    )""",
    """create table if not exists raw._loads (
        load_id bigint primary key,
        source_id varchar not null,
        location varchar not null,
        started_at timestamp not null,
        finished_at timestamp not null,
        status varchar not null,
        rows_read bigint not null,
        rows_new bigint not null,
        rows_updated bigint not null,
        rows_deleted bigint not null,
        rows_accepted bigint not null,
        rows_quarantined bigint not null
    )""",
    """create table if not exists raw._load_tables (
        load_id bigint not null,
        table_name varchar not null,
        rows_read bigint not null,
        rows_new bigint not null,
        rows_updated bigint not null,
        rows_deleted bigint not null,
        rows_accepted bigint not null,
        rows_quarantined bigint not null,
        mode varchar,
        primary key (load_id, table_name)
    )""",
    QUARANTINE_DDL,
)


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses written before quarantine existed: add its counts (nothing was quarantined)."""
    for table in ("_loads", "_load_tables"):
        (has,) = one_row(
            con,
            "select count(*) from information_schema.columns where table_schema = 'raw' "
            "and table_name = ? and column_name = 'rows_quarantined'",
            [table],
        )
        if not has:
            con.execute(f"alter table raw.{table} add column rows_accepted bigint")
            con.execute(f"alter table raw.{table} add column rows_quarantined bigint")
            con.execute(f"update raw.{table} set rows_accepted = rows_read, rows_quarantined = 0")
    # Warehouses written before delta reads: the mode of their loads is unknown (NULL).
    (has,) = one_row(
        con,
        "select count(*) from information_schema.columns where table_schema = 'raw' "
        "and table_name = '_load_tables' and column_name = 'mode'",
    )
    if not has:
        con.execute("alter table raw._load_tables add column mode varchar")


def prepare(con: duckdb.DuckDBPyConnection) -> int:
    """Create (or migrate) the bookkeeping tables; returns the id of the load about to run."""
    for stmt in _DDL:
        con.execute(stmt)
    _migrate(con)
    (load_id,) = one_row(con, "select coalesce(max(load_id), 0) + 1 from raw._loads")
    return int(load_id)


class SourceLocation(Protocol):
    """Where a source is read from, as ``raw._sources`` records it (e.g.
    :class:`loaders.mlmd.StoreLocation`)."""

    @property
    def kind(self) -> str:
        """The kind of source: sqlite, mysql or openlineage."""

    @property
    def display(self) -> str:
        """The location, safe to print and store (no password)."""

    @property
    def default_name(self) -> str:
        """The source's name when the user gives none."""


def register_source(
    con: duckdb.DuckDBPyConnection,
    location: SourceLocation,
    source_name: str | None,
    load_id: int,
) -> str:
    """The source's id (``source_name`` or the location's default name), registered in
    ``raw._sources`` on its first load; a known name loaded from elsewhere must be named
    explicitly (then its location moves)."""
    source_id = source_name or location.default_name
    if not source_id or len(source_id) > 128 or any(c in source_id for c in "\n\r\t"):
        raise GraphletsError(
            f"invalid source name {source_id!r}", "use --source NAME with a short plain name"
        )
    row = con.execute(
        "select location from raw._sources where source_id = ?", [source_id]
    ).fetchone()
    if row is None:
        (key,) = one_row(con, "select coalesce(max(source_key), 0) + 1 from raw._sources")
        con.execute(
            "insert into raw._sources values (?, ?, ?, ?, ?)",
            [source_id, key, location.kind, location.display, load_id],
        )
    elif row[0] != location.display:
        if source_name is None:
            raise GraphletsError(
                f"source {source_id!r} was loaded from {row[0]}, not {location.display}",
                f"pass --source {source_id} to load it as that source, "
                "or --source NEW_NAME to load it as another one",
            )
        con.execute(
            "update raw._sources set location = ?, kind = ? where source_id = ?",
            [location.display, location.kind, source_id],
        )
    return source_id


def reset_quarantine(con: duckdb.DuckDBPyConnection, source_id: str) -> frozenset[str]:
    """Clear the source's quarantined rows (the quarantine holds each source's latest load:
    this load's rows replace the last); returns the tables the last load quarantined in."""
    quarantined_before = frozenset(
        name
        for (name,) in con.execute(
            "select distinct table_name from raw._quarantine where source_id = ?", [source_id]
        ).fetchall()
    )
    con.execute("delete from raw._quarantine where source_id = ?", [source_id])
    return quarantined_before


def record(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
    """Write the load's counts: per table, then the ``raw._loads`` row, last."""
    counts = result.tables
    con.executemany(
        "insert into raw._load_tables (load_id, table_name, rows_read, rows_new, rows_updated, "
        "rows_deleted, rows_accepted, rows_quarantined, mode) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                result.load_id,
                c.table,
                c.rows_read,
                c.rows_new,
                c.rows_updated,
                c.rows_deleted,
                c.rows_accepted,
                c.rows_quarantined,
                c.mode,
            )
            for c in counts
        ],
    )
    # Written last: a load without its row here never happened.
    con.execute(
        "insert into raw._loads (load_id, source_id, location, started_at, finished_at, "
        "status, rows_read, rows_new, rows_updated, rows_deleted, rows_accepted, "
        "rows_quarantined) values (?, ?, ?, ?, ?, 'success', ?, ?, ?, ?, ?, ?)",
        [
            result.load_id,
            result.source_id,
            result.location,
            result.started_at,
            result.finished_at,
            result.rows_read,
            sum(c.rows_new for c in counts),
            sum(c.rows_updated for c in counts),
            sum(c.rows_deleted for c in counts),
            result.rows_accepted,
            result.rows_quarantined,
        ],
    )
