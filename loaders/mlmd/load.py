"""Load an ML Metadata store (SQLite file or MySQL database) into the warehouse's raw tables.

The store is read through DuckDB's sqlite/mysql scanners (extension binaries from PyPI,
installed offline). Each MLMD table is copied faithfully into ``raw.mlmd_<table>`` with the
source's name and the id of the load that wrote the row. Loads are incremental and
idempotent: rows are compared by primary key and content hash, so a reload adds nothing,
and rows that changed in the source (an execution RUNNING -> COMPLETE, a ``pushed``
property written later) replace their old version. A source loaded before is read in delta
mode (:mod:`loaders.mlmd.delta`, docs/incremental.md): only the rows that can have changed
are compared, the rest is verified by a fingerprint, and a table whose fingerprint differs
is compared in full. A load is one transaction; the ``raw._loads`` row is written last
(:mod:`loaders.bookkeeping`). Rows that cannot be stored faithfully are quarantined
with the reason (:mod:`loaders.mlmd.quarantine`); per table, rows read = accepted +
quarantined.

This module orchestrates; the parts, bottom up: :mod:`~loaders.mlmd.schema` (the MLMD
tables), :mod:`~loaders.mlmd.location` (opening and checking the store),
:mod:`~loaders.mlmd.read` (reading a table), :mod:`~loaders.mlmd.delta` (delta reads),
:mod:`~loaders.mlmd.sync` (one table's sync); the bookkeeping is the loaders'
(:mod:`loaders.bookkeeping`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from graphlets.core import extensions
from graphlets.core.warehouse import connect, transaction
from loaders import bookkeeping, raw_tables
from loaders.mlmd import quarantine
from loaders.mlmd.delta import drop_reread_tables, plan_delta
from loaders.mlmd.location import StoreLocation, attach, check_store, read_error
from loaders.mlmd.result import LoadResult, TableCounts
from loaders.mlmd.schema import TABLES
from loaders.mlmd.sync import sync_table

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Load:
    """What a load was asked to do, fixed before its first attempt."""

    location: StoreLocation
    source_name: str | None
    started: dt.datetime
    progress: Progress | None
    enforced: frozenset[str]  # tables whose key the store enforces: no key check
    full: bool  # compare every table in full, no delta reads


def load_mlmd(
    warehouse: Path,
    store: str,
    source_name: str | None = None,
    *,
    progress: Progress | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    full: bool = False,
) -> LoadResult:
    """Copy an MLMD store into ``raw.mlmd_*`` of the warehouse, all or nothing.

    A source loaded before is read in delta mode where it can be
    (:class:`loaders.mlmd.delta.Delta`); ``full`` compares every table row by row instead.

    Rows the warehouse cannot store faithfully are quarantined (:mod:`loaders.mlmd.quarantine`).
    DuckDB's sqlite scanner fails on a value that does not fit its column's type; the
    load then finds such values with SQLite itself, copies the tables holding them with
    those rows marked, and loads again from the copies (a clean store pays nothing).
    """
    location = StoreLocation.parse(store)
    check_store(location)
    # Tables whose key the store enforces need no check for NULL and repeated keys.
    enforced = (
        quarantine.enforced_keys(Path(location.display), TABLES)
        if location.kind == "sqlite"
        else frozenset()
    )
    run = _Load(location, source_name, _utcnow(), progress, enforced, full)
    con = connect(warehouse, lock_timeout=lock_timeout, on_wait=on_wait)
    try:
        extensions.load(con, location.kind)
        attach(con, location)
        try:
            try:
                with transaction(con):
                    return _sync(con, run, frozenset())
            except (duckdb.Error, UnicodeError) as exc:
                if location.kind != "sqlite":
                    raise read_error(location, exc) from None
                first_error = exc
            return _sync_repaired(con, run, first_error)
        finally:
            con.execute("detach src")
    finally:
        con.close()


def _sync_repaired(
    con: duckdb.DuckDBPyConnection, run: _Load, first_error: BaseException
) -> LoadResult:
    """The second attempt at a SQLite store the scanner failed on: copy the tables with
    misfit values (:func:`quarantine.repair_sqlite`), attach the copy as ``fix`` and load
    those tables from it. No misfit values found: the store is broken, ``first_error`` says
    how."""
    location = run.location
    with tempfile.TemporaryDirectory(prefix="graphlets-repair-") as workdir:
        repaired = quarantine.repair_sqlite(
            Path(location.display), TABLES, Path(workdir), run.progress
        )
        if not repaired.tables:
            raise read_error(location, first_error) from None
        escaped = str(repaired.path).replace("'", "''")
        con.execute(f"attach '{escaped}' as fix (TYPE sqlite, READ_ONLY)")
        try:
            with transaction(con):
                return _sync(con, run, frozenset(repaired.tables))
        except (duckdb.Error, UnicodeError) as exc:
            raise read_error(location, exc) from None
        finally:
            con.execute("detach fix")


def _sync(con: duckdb.DuckDBPyConnection, run: _Load, repaired: frozenset[str]) -> LoadResult:
    """One attempt at the load, in the caller's transaction: the bookkeeping, every table
    (``repaired``: those read from the repair copy), the counts written last."""
    load_id = bookkeeping.prepare(con)
    raw_tables.create_all(con)
    source_id = bookkeeping.register_source(con, run.location, run.source_name, load_id)
    # A table whose last load quarantined rows is compared in full: its quarantined keys
    # are not in the warehouse, so no fingerprint of the rows not re-read could match.
    quarantined_before = bookkeeping.reset_quarantine(con, source_id)
    counts = _sync_tables(con, run, source_id, load_id, repaired, repaired | quarantined_before)
    if run.progress is not None:
        run.progress("done", len(TABLES), len(TABLES))
    result = LoadResult(
        load_id, source_id, run.location.display, run.started, _utcnow(), tuple(counts)
    )
    bookkeeping.record(con, result)
    return result


def _sync_tables(
    con: duckdb.DuckDBPyConnection,
    run: _Load,
    source_id: str,
    load_id: int,
    repaired: frozenset[str],
    in_full: frozenset[str],
) -> list[TableCounts]:
    """Sync every MLMD table in order (a table's delta plan can name the rows re-read from
    the tables before it); ``in_full``: tables compared in full whatever the plan."""
    counts = []
    owners: dict[str, str] = {}  # table -> SQL template over a column `{0}` naming its row
    for done, table in enumerate(TABLES):
        if run.progress is not None:
            run.progress(table.name, done, len(TABLES))
        delta, reread = plan_delta(con, table, source_id, owners)
        if run.full or table.name in in_full:
            delta = None
        counts.append(
            sync_table(
                con,
                table,
                source_id,
                load_id,
                repaired=table.name in repaired,
                check_keys=table.name not in run.enforced,
                delta=delta,
                reread=reread,
            )
        )
    drop_reread_tables(con)
    return counts


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
