"""Reading one MLMD table from the attached store, and the raw table it is copied into.

A row is read with every column cast to its warehouse type (:func:`typed_columns`) and
hashed over those typed values (:func:`row_hash`, stored as ``_row_hash``): the hash is what
the sync and the delta fingerprint compare. EventPath's steps are numbered per event
(:func:`ordinal`). The store is attached as ``src``; tables with misfit values are read
from the repair copy, attached as ``fix``, whose rows carry ``_reason``, ``_detail`` and
``_row_json`` (:func:`loaders.mlmd.quarantine.repair_sqlite`).
"""

from __future__ import annotations

import duckdb

from graphlets.core.warehouse import one_row
from loaders.mlmd.schema import Table

# The columns the repair copy adds to each row: why its values do not fit, and the row as stored.
_REPAIR_MARKS = ", _reason, _detail, _row_json"


def raw_table(table: Table) -> str:
    """The warehouse table holding the store's rows of ``table``."""
    return f"raw.{table.raw_name}"


def has_ordinal(table: Table) -> bool:
    """Whether the table's key is a generated step number (EventPath)."""
    return "step_ordinal" in table.key


def stored_columns(table: Table) -> list[str]:
    """The columns of a row as the warehouse stores it (the ordinal last, if any)."""
    cols = [c for c, _ in table.columns]
    return [*cols, "step_ordinal"] if has_ordinal(table) else cols


def typed_columns(table: Table) -> str:
    """SQL select list: the store's columns cast to their warehouse types."""
    return ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in table.columns)


def row_hash(table: Table) -> str:
    """SQL: the hash of a typed row (the store's columns, not the ordinal)."""
    return "hash(" + ", ".join(f'"{c}"' for c, _ in table.columns) + ")"


def ordinal(table: Table) -> str:
    """SQL to append to a select list: EventPath's step number per event, in a stable order
    (so an unchanged path compares equal across loads); empty for the other tables."""
    if not has_ordinal(table):
        return ""
    return (
        ", cast(row_number() over (partition by event_id "
        "order by is_index_step, step_index, step_key) as integer) as step_ordinal"
    )


def create_raw_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Create ``raw.mlmd_<table>`` if it does not exist: the source and load of each row,
    its hash, and the table's columns."""
    column_ddl = ", ".join(
        [f'"{c}" {t}' for c, t in table.columns]
        + (["step_ordinal integer"] if has_ordinal(table) else [])
    )
    con.execute(
        f"""create table if not exists {raw_table(table)} (
            source_id varchar not null,
            _load_id bigint not null,
            _row_hash ubigint not null,
            {column_ddl}
        )"""
    )


def select_rows(table: Table, *, repaired: bool) -> str:
    """SQL: every typed, hashed row of the table in the store (``repaired``: in the repair
    copy, with its marks)."""
    origin, marks = ("fix", _REPAIR_MARKS) if repaired else ("src", "")
    return (
        f"select *, {row_hash(table)} as _row_hash "
        f'from (select {typed_columns(table)}{ordinal(table)}{marks} from {origin}."{table.name}")'
    )


def stage(con: duckdb.DuckDBPyConnection, table: Table, *, repaired: bool) -> None:
    """Read the whole table from the store into the temp table ``_incoming``."""
    con.execute(
        f"create or replace temp table _incoming as {select_rows(table, repaired=repaired)}"
    )


def has_rows(con: duckdb.DuckDBPyConnection, table: Table, source_id: str) -> bool:
    """Whether the warehouse holds any row of this table from this source."""
    (found,) = one_row(
        con,
        f"select count(*) > 0 from (select 1 from {raw_table(table)} "
        "where source_id = $source limit 1)",
        {"source": source_id},
    )
    return bool(found)
