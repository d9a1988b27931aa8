"""Quarantine: rows of a source the loader cannot store faithfully, kept with the reason.

A quarantined row is not written to ``raw.mlmd_<table>``; it goes to ``raw._quarantine``
(:mod:`loaders.bookkeeping`: the source row as JSON, the reason, a detail) in the load's
transaction, and the load's counts say how many: for every table of every load, rows read =
rows accepted + rows quarantined (checked before the load commits). ``raw._quarantine``
holds the quarantined rows of each source's latest load; the counts of every load stay in
``raw._load_tables``.

Reasons (one per row, in this order of precedence):

- ``value does not fit the column type``: SQLite is dynamically typed, so a hand-edited
  store can hold text in an INTEGER column, a blob or invalid UTF-8 in a TEXT column, or a
  number out of the column's range. Only SQLite stores can; MySQL enforces the types.
- ``key is NULL``: a key column is NULL (a table recreated without its constraints).
- ``duplicate key in source table``: two or more rows share a key within one read;
  every copy is quarantined, since none can be preferred.
- ``id reused by a different row``: the row has the key of a row an earlier load
  accepted but a different identity (an execution's, artifact's or context's type or
  creation time; an event's execution, artifact or type; ...). MLMD never changes these,
  so the store was re-created or its ids reused; load such a store as a new source.

A quarantined row never changes the warehouse's copy of its key: if an earlier load
accepted a row with that key, it stays until a load reads an acceptable row for the key or
the key disappears from the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from graphlets.core.errors import SourceError
from graphlets.core.warehouse import one_row
from loaders.mlmd.schema import Table

if TYPE_CHECKING:
    import duckdb

MISFIT = "value does not fit the column type"
NULL_KEY = "key is NULL"
DUPLICATE_KEY = "duplicate key in source table"
REUSED_ID = "id reused by a different row"

# The columns of an MLMD row whose change means another row took over its key.
IDENTITY: dict[str, tuple[str, ...]] = {
    "Type": ("name", "type_kind"),
    "Artifact": ("type_id", "create_time_since_epoch"),
    "Execution": ("type_id", "create_time_since_epoch"),
    "Context": ("type_id", "create_time_since_epoch"),
    "Event": ("artifact_id", "execution_id", "type"),
    "Association": ("context_id", "execution_id"),
    "Attribution": ("context_id", "artifact_id"),
}

_INT32 = (-(2**31), 2**31 - 1)


# -- SQLite: values that do not fit ---------------------------------------------------------
def _fits(column: str, kind: str) -> str:
    """SQLite expression: the stored value fits the MLMD column's warehouse type, i.e.
    DuckDB's sqlite scanner reads it as that type without an error."""
    c = f'"{column}"'
    if kind in ("BIGINT", "BOOLEAN"):
        return f"typeof({c}) in ('integer', 'null')"
    if kind == "INTEGER":
        low, high = _INT32
        return (
            f"(typeof({c}) = 'null' or (typeof({c}) = 'integer' and {c} between {low} and {high}))"
        )
    if kind == "DOUBLE":
        return f"typeof({c}) in ('integer', 'real', 'null')"
    if kind == "VARCHAR":
        return (
            f"(typeof({c}) in ('integer', 'real', 'null') "
            f"or (typeof({c}) = 'text' and graphlets_utf8(cast({c} as blob))))"
        )
    return "1"  # BLOB: every storage class reads as bytes


_EXPECTED = {
    "BIGINT": "an integer",
    "BOOLEAN": "an integer (boolean)",
    "INTEGER": "a 32-bit integer",
    "DOUBLE": "a number",
    "VARCHAR": "UTF-8 text",
}


def _sqlite_type(kind: str) -> str:
    return {"DOUBLE": "REAL", "VARCHAR": "TEXT", "BLOB": "BLOB"}.get(kind, "INTEGER")


def _json_value(column: str) -> str:
    """The stored value for the row's JSON: blobs and invalid UTF-8 text as x'HEX'."""
    c = f'"{column}"'
    hexed = f"'x''' || hex({c}) || ''''"
    return (
        f"case when typeof({c}) = 'blob' "
        f"or (typeof({c}) = 'text' and not graphlets_utf8(cast({c} as blob))) "
        f"then {hexed} else {c} end"
    )


def _misfit_detail(table: Table) -> str:
    """SQLite expression naming each misfit column, what it holds and what was expected."""
    parts = []
    for column, kind in table.columns:
        if kind == "BLOB":
            continue
        c = f'"{column}"'
        held = f"typeof({c})"
        if kind == "VARCHAR":
            held = f"case typeof({c}) when 'text' then 'invalid UTF-8 text' else {held} end"
        elif kind == "INTEGER":
            held = f"case typeof({c}) when 'integer' then 'an out-of-range integer' else {held} end"
        parts.append(
            f"case when not {_fits(column, kind)} then "
            f"'{column} holds ' || {held} || ', expected {_EXPECTED[kind]}; ' else '' end"
        )
    return f"rtrim({' || '.join(parts)}, '; ')" if parts else "''"


def _utf8(value: bytes | None) -> bool:
    if value is None:
        return True
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Repaired:
    """A SQLite file holding a clean copy of each MLMD table that had misfit values."""

    path: Path
    tables: dict[str, int]  # MLMD table -> rows with a misfit value


def repair_sqlite(
    store: Path,
    tables: Sequence[Table],
    workdir: Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> Repaired:
    """Find the rows of a SQLite store whose values do not fit their MLMD column type and
    copy every table holding one to ``workdir/repaired.sqlite``: all its rows, the misfit
    values NULL, with ``_reason``, ``_detail`` and ``_row_json`` (the row as stored) set
    on the misfit rows. The loader then reads those tables from the copy."""
    path = workdir / "repaired.sqlite"
    found: dict[str, int] = {}
    try:
        db = sqlite3.connect(path)
        try:
            db.create_function("graphlets_utf8", 1, _utf8, deterministic=True)
            uri = "file:" + quote(str(store)) + "?mode=ro"
            db.execute("attach database ? as src", (uri,))
            for done, table in enumerate(tables):
                if progress is not None:
                    progress(f"checking {table.name}", done, len(tables))
                fits = " and ".join(_fits(c, k) for c, k in table.columns)
                (bad,) = db.execute(
                    f'select count(*) from src."{table.name}" where not ({fits})'
                ).fetchone()
                if bad:
                    _copy_table(db, table, fits)
                    found[table.name] = bad
            db.commit()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise SourceError(
            f"could not read MLMD store {store}: {exc}",
            "the store may be truncated or corrupt; check it with "
            "`sqlite3 FILE 'PRAGMA integrity_check'`",
        ) from None
    return Repaired(path, found)


def _copy_table(db: sqlite3.Connection, table: Table, fits: str) -> None:
    columns = ", ".join(f'"{c}" {_sqlite_type(k)}' for c, k in table.columns)
    db.execute(
        f'create table "{table.name}" ({columns}, _reason TEXT, _detail TEXT, _row_json TEXT)'
    )
    values = ", ".join(f'case when {_fits(c, k)} then "{c}" end' for c, k in table.columns)
    row_json = (
        "json_object(" + ", ".join(f"'{c}', {_json_value(c)}" for c, _ in table.columns) + ")"
    )
    db.execute(
        f"""insert into "{table.name}"
        select {values},
            case when not ({fits}) then '{MISFIT}' end,
            case when not ({fits}) then {_misfit_detail(table)} end,
            case when not ({fits}) then {row_json} end
        from src."{table.name}" """
    )


def enforced_keys(store: Path, tables: Sequence[Table]) -> frozenset[str]:
    """The tables of a SQLite store whose key SQLite itself keeps unique and not NULL: the
    key is the table's PRIMARY KEY, either one INTEGER column (the rowid, never NULL) or
    columns declared NOT NULL. MLMD's own DDL does this for every keyed table; a table
    recreated without it is checked by the loader. (EventPath: its event_id NOT NULL.)"""
    enforced = set()
    try:
        db = sqlite3.connect("file:" + quote(str(store)) + "?mode=ro", uri=True)
        try:
            for table in tables:
                info = db.execute(f'pragma table_info("{table.name}")').fetchall()
                # name -> (declared type, NOT NULL, position in the primary key)
                columns = {row[1]: (row[2].upper(), bool(row[3]), row[5]) for row in info}
                if "step_ordinal" in table.key:  # a generated ordinal: only NULLs matter
                    source_key = [k for k in table.key if k != "step_ordinal"]
                    if all(k in columns and columns[k][1] for k in source_key):
                        enforced.add(table.name)
                    continue
                pk = {name for name, (_, _, position) in columns.items() if position}
                rowid = len(pk) == 1 and columns[next(iter(pk))][0] == "INTEGER"
                if pk == set(table.key) and (rowid or all(columns[k][1] for k in pk)):
                    enforced.add(table.name)
        finally:
            db.close()
    except sqlite3.Error:
        return frozenset()  # unreadable schema: check every table
    return frozenset(enforced)


# -- DuckDB: keys and rows ------------------------------------------------------------------
def key_match(table: Table, left: str, right: str) -> str:
    return " and ".join(f'{left}."{k}" is not distinct from {right}."{k}"' for k in table.key)


def row_json(table: Table, alias: str) -> str:
    """DuckDB expression: the typed row as JSON text (blobs as x'HEX')."""
    parts = []
    for c, k in table.columns:
        value = f'{alias}."{c}"'
        if k == "BLOB":
            value = f"'x''' || hex({value}) || ''''"
        parts.append(f"'{c}', {value}")
    return f"json_object({', '.join(parts)})::varchar"


def source_row_id(table: Table, alias: str) -> str:
    return f'{alias}."id"' if any(c == "id" for c, _ in table.columns) else "null::bigint"


def flag_keys(con: duckdb.DuckDBPyConnection, table: Table, relation: str) -> int:
    """Write ``_flagged`` (key, reason, detail): NULL keys and keys read more than once in
    ``relation``. Returns how many keys were flagged."""
    keys = ", ".join(f'"{k}"' for k in table.key)
    any_null = " or ".join(f'"{k}" is null' for k in table.key)
    null_columns = (
        "concat_ws(', ', "
        + ", ".join(f"""case when any_value("{k}") is null then '{k}' end""" for k in table.key)
        + ")"
    )
    where, having = "true", f"count(*) > 1 or bool_or({any_null})"
    if "step_ordinal" in table.key:
        # A generated ordinal: the key cannot repeat, only its source part be NULL.
        where, having = any_null, "true"
    con.execute(
        f"""create or replace temp table _flagged as
        select {keys},
            case when bool_or({any_null}) then '{NULL_KEY}' else '{DUPLICATE_KEY}' end
                as reason,
            case
                when bool_or({any_null}) then {null_columns} || ' is NULL'
                else count(*)::varchar || ' rows with this key'
            end as detail
        from {relation}
        where {where}
        group by all
        having {having}"""
    )
    (n,) = one_row(con, "select count(*) from _flagged")
    return n


def identity_change(table: Table, new: str, old: str) -> tuple[str, str] | None:
    """(condition, detail) SQL: the row under a key is another row than the one loaded."""
    columns = IDENTITY.get(table.name)
    if not columns:
        return None
    differs = " or ".join(f'{new}."{c}" is distinct from {old}."{c}"' for c in columns)
    detail = (
        "concat_ws('; ', "
        + ", ".join(
            f'case when {new}."{c}" is distinct from {old}."{c}" then '
            f"'{c} ' || coalesce({old}.\"{c}\"::varchar, 'NULL') || ' -> ' "
            f"|| coalesce({new}.\"{c}\"::varchar, 'NULL') end"
            for c in columns
        )
        + ")"
    )
    return differs, detail
