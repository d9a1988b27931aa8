"""Delta loads (docs/incremental.md): which rows of a table loaded before are re-read, and
the fingerprint that verifies the others.

:func:`plan_delta` turns the maps of :mod:`loaders.mlmd.schema` (``DELTA``, ``CHILDREN``)
and what the warehouse holds into a :class:`Delta` per table; :func:`read_delta` reads the
rows it selects and checks the rest of the table against the warehouse in the same pass.
A table whose fingerprint differs is compared in full by the sync (mode ``fallback``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb

from graphlets.core.warehouse import one_row
from loaders.mlmd import read
from loaders.mlmd.schema import CHILDREN, DELTA, Table

# A row stamped up to this much before the latest stamp the warehouse holds (clocks of
# concurrent writers) is still re-read.
UPDATE_MARGIN_MS = 3_600_000
# Stamps further ahead of this machine's clock are not taken as the latest loaded.
_AHEAD_MS = 24 * 3_600_000


@dataclass(frozen=True)
class Delta:
    """A delta read of one table: the store's rows for which ``store`` holds are re-read and
    compared with the warehouse's rows for which ``raw`` holds (the same keys); the other
    rows are verified by a fingerprint (:func:`read_delta`)."""

    store: str  # SQL over the store's typed row
    raw: str  # SQL over a row of raw.mlmd_<table>; may name _incoming (the rows re-read)


def reread_table(name: str) -> str:
    """The temp table keeping the ids of ``name`` re-read, for the tables that refer to it."""
    return f"_reread_{name.lower()}"


def drop_reread_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name in DELTA:
        con.execute(f"drop table if exists {reread_table(name)}")


def plan_delta(
    con: duckdb.DuckDBPyConnection, table: Table, source_id: str, owners: dict[str, str]
) -> tuple[Delta | None, str | None]:
    """How a delta read of ``table`` selects the rows to re-read (None: the table is always
    compared in full, or this source has no rows of it yet), and the statement that keeps
    the ids re-read (in ``_reread_<table>``, for the tables that refer to it) once the table
    is loaded. ``owners``: table -> SQL template over a column referring to the table, true
    if that row is re-read; filled in here for the tables that follow."""
    if table.name not in (*DELTA, *CHILDREN):
        return None, None
    (exists,) = one_row(
        con,
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = ?",
        [table.raw_name],
    )
    if not exists:
        return None, None
    if table.name in CHILDREN:
        column, owner = CHILDREN[table.name]
        if owner not in owners:
            return None, None
        # The owner is part of the key: a key is re-read on both sides or on neither.
        where = owners[owner].format(f'"{column}"')
        return Delta(where, where), None
    return _plan_stamped(con, table, source_id, owners)


def _plan_stamped(
    con: duckdb.DuckDBPyConnection, table: Table, source_id: str, owners: dict[str, str]
) -> tuple[Delta | None, str | None]:
    """:func:`plan_delta` for a table of ``DELTA``: new ids, recent stamps, linked rows."""
    stamp, links = DELTA[table.name]
    # The latest stamp loaded, ignoring stamps more than a day ahead of this machine's
    # clock (a row stamped years ahead would otherwise hide every later update).
    ahead = int(time.time() * 1000) + _AHEAD_MS
    latest = f"coalesce(max({stamp}) filter (where {stamp} <= {ahead}), max({stamp}))"
    newest, stamped = one_row(
        con,
        f"select max(id), {latest if stamp else 'null'} from {read.raw_table(table)} "
        "where source_id = ?",
        [source_id],
    )
    if newest is None:
        return None, None
    where = [f'"id" > {int(newest)}']
    if stamped is not None:
        where.append(f'"{stamp}" >= {int(stamped) - UPDATE_MARGIN_MS}')
    where += [owners[other].format(f'"{column}"') for column, other in links if other in owners]
    ids = reread_table(table.name)
    owners[table.name] = f'{{0}} > {int(newest)} or {{0}} in (select "id" from {ids})'
    reread = (
        f'create or replace temp table {ids} as select "id" from _incoming '
        f"where {' or '.join(where)}"
    )
    # The warehouse's rows under the keys re-read: a key the condition selects in the store
    # but not in the warehouse (a row edited in place) then makes the fingerprints differ.
    return Delta(" or ".join(where), '"id" in (select "id" from _incoming)'), reread


def read_delta(
    con: duckdb.DuckDBPyConnection, table: Table, source_id: str, delta: Delta
) -> int | None:
    """Read the rows of ``table`` that ``delta`` selects into ``_incoming`` and verify the
    others in the same pass over the store: their count and the sum of their row hashes
    must equal those of the warehouse's rows outside ``delta.raw``. Returns how many rows
    were verified, or None if the fingerprints differ (then compare in full)."""
    cols = [c for c, _ in table.columns]
    fields = ", ".join(f"'{c}': \"{c}\"" for c in [*cols, "_row_hash"])
    con.execute(
        f"""create or replace temp table _split as
        select
            count(*) filter (where not _reread) as n,
            coalesce(sum(_row_hash) filter (where not _reread), 0) as fingerprint,
            list({{{fields}}}) filter (where _reread) as rows
        from (
            select *, coalesce({delta.store}, false) as _reread
            from (
                select *, {read.row_hash(table)} as _row_hash
                from (select {read.typed_columns(table)} from src."{table.name}")
            )
        )"""
    )
    con.execute(
        "create or replace temp table _incoming as "
        f"select *{read.ordinal(table)} from (select unnest(rows, recursive := true) from _split)"
    )
    (verified, fingerprint) = one_row(con, "select n, fingerprint from _split")
    con.execute("drop table _split")
    warehouse = one_row(
        con,
        f"""select count(*), coalesce(sum(_row_hash), 0) from {read.raw_table(table)}
        where source_id = $source and not coalesce({delta.raw}, false)""",
        {"source": source_id},
    )
    return verified if (verified, fingerprint) == warehouse else None
