"""Bring one raw table's rows of a source in line with the store, and count what changed.

:func:`sync_table` is the per-table step of a load, in the order of its seams:

- *first load*: a source's first rows of a table are copied, no diff; rows with a NULL or
  repeated key are then moved to the quarantine (:func:`_first_load`);
- *stage*: the store's rows are read into ``_incoming``, all of them or, in delta mode,
  only those that can have changed, the rest verified by a fingerprint (:func:`_stage`);
- *quarantine*: misfit values (from the repair copy) and NULL or repeated keys go to
  ``raw._quarantine``, their keys into ``_quarantined_keys`` (:func:`_quarantine_incoming`);
- *diff*: ``_incoming`` against the warehouse's rows by key and row hash, into ``_diff``
  (:func:`_diff`), ids reused by another row quarantined (:func:`_quarantine_reused_ids`);
- *apply*: delete the updated and deleted rows, insert the new and updated (:func:`_apply`);
- *count*: rows read = accepted + quarantined, checked (:func:`_checked_counts`).

The rules of the quarantine are :mod:`loaders.mlmd.quarantine`'s; reading a table is
:mod:`loaders.mlmd.read`'s, delta reads :mod:`loaders.mlmd.delta`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from graphlets.core.warehouse import one_row
from loaders.mlmd import quarantine, read
from loaders.mlmd.delta import Delta, read_delta
from loaders.mlmd.result import TableCounts
from loaders.mlmd.schema import Table

# Temp tables a table's sync leaves behind; dropped once it is counted.
_TEMP_TABLES = ("_incoming", "_diff", "_quarantined_keys", "_flagged")


@dataclass(frozen=True)
class _Job:
    """One table's sync within a load: the warehouse connection, the table, whose rows."""

    con: duckdb.DuckDBPyConnection
    table: Table
    source_id: str
    load_id: int

    @property
    def raw(self) -> str:
        return read.raw_table(self.table)

    @property
    def source(self) -> dict[str, str]:
        return {"source": self.source_id}

    @property
    def params(self) -> dict[str, str | int]:
        return {"source": self.source_id, "load": self.load_id}

    @property
    def col_list(self) -> str:
        return ", ".join(f'"{c}"' for c in read.stored_columns(self.table))

    @property
    def key_list(self) -> str:
        return ", ".join(f'"{k}"' for k in self.table.key)

    @property
    def to_quarantine(self) -> str:
        """The start of an insert into raw._quarantine of rows aliased ``t``; the reason,
        detail and row JSON follow."""
        return (
            f"insert into raw._quarantine select $load, $source, '{self.table.name}', "
            f"{quarantine.source_row_id(self.table, 't')}"
        )


def sync_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source_id: str,
    load_id: int,
    *,
    repaired: bool,
    check_keys: bool,
    delta: Delta | None = None,
    reread: str | None = None,
) -> TableCounts:
    """Bring raw.<table>'s rows of this source in line with the store; count the changes.

    Rows that cannot be stored faithfully go to raw._quarantine instead. ``repaired``: read
    the table from the copy made by :func:`quarantine.repair_sqlite` (attached as ``fix``),
    whose rows with misfit values carry ``_reason``. ``check_keys``: look for NULL and
    repeated keys (unless the source enforces its key). ``delta``: re-read only the rows it
    selects if the others verify (:func:`loaders.mlmd.delta.read_delta`); ``reread``: a
    statement run on the rows read before they are dropped
    (:func:`loaders.mlmd.delta.plan_delta`).
    """
    job = _Job(con, table, source_id, load_id)
    read.create_raw_table(con, table)
    if not repaired and not read.has_rows(con, table, source_id):
        return _first_load(job, check_keys=check_keys)
    mode, verified, in_scope = _stage(job, repaired=repaired, delta=delta)
    _quarantine_incoming(job, repaired=repaired, check_keys=check_keys)
    changes = _diff(job, in_scope)
    if changes.get("updated") and _quarantine_reused_ids(job):
        changes = _changes(con)
    _apply(job, changes)
    rows_read, accepted = _count_incoming(job, verified)
    if reread is not None:
        con.execute(reread)
    for temp in _TEMP_TABLES:
        con.execute(f"drop table if exists {temp}")
    return _checked_counts(
        job,
        rows_read,
        accepted,
        changes.get("new", 0),
        changes.get("updated", 0),
        changes.get("deleted", 0),
        mode,
    )


def _first_load(job: _Job, *, check_keys: bool) -> TableCounts:
    """First load of this source into this table: everything is new, no diff needed; rows
    with a NULL or repeated key are moved to the quarantine afterwards."""
    con, table, raw = job.con, job.table, job.raw
    (rows_read,) = one_row(
        con,
        f"""insert into {raw} (source_id, _load_id, _row_hash, {job.col_list})
        select $source, $load, _row_hash, {job.col_list}
        from ({read.select_rows(table, repaired=False)})""",
        job.params,
    )
    mine = f"(select * from {raw} where source_id = '{_sql_str(job.source_id)}')"
    if check_keys and quarantine.flag_keys(con, table, mine):
        on = quarantine.key_match(table, "f", "t")
        con.execute(
            f"""{job.to_quarantine}, f.reason, f.detail, {quarantine.row_json(table, "t")}
            from {raw} as t
            inner join _flagged as f on {on}
            where t.source_id = $source""",
            job.params,
        )
        con.execute(
            f"""delete from {raw} as t
            where t.source_id = $source
                and exists (select 1 from _flagged as f where {on})""",
            job.source,
        )
    con.execute("drop table if exists _flagged")
    (accepted,) = one_row(con, f"select count(*) from {raw} where source_id = $source", job.source)
    return _checked_counts(job, rows_read, accepted, accepted, 0, 0, "first")


def _stage(job: _Job, *, repaired: bool, delta: Delta | None) -> tuple[str, int, str]:
    """Read the rows to compare into ``_incoming``. Returns the mode, how many rows the
    fingerprint verified instead, and the SQL condition (``and ...``) limiting the
    warehouse's side of the diff to the rows re-read (empty: compare the whole table)."""
    mode, verified, in_scope = "full", 0, ""
    if delta is not None and not repaired:
        checked = read_delta(job.con, job.table, job.source_id, delta)
        if checked is None:
            mode = "fallback"
        else:
            # Only the rows re-read are compared; the others are the same on both sides.
            mode, verified, in_scope = "delta", checked, f"and coalesce({delta.raw}, false)"
    if mode != "delta":
        read.stage(job.con, job.table, repaired=repaired)
    return mode, verified, in_scope


def _quarantine_incoming(job: _Job, *, repaired: bool, check_keys: bool) -> None:
    """Quarantine the rows of ``_incoming`` with misfit values (marked in the repair copy)
    and with NULL or repeated keys; their keys go to ``_quarantined_keys``, under which the
    warehouse's rows stay as they are."""
    con, table, key_list = job.con, job.table, job.key_list
    con.execute(
        f"create or replace temp table _quarantined_keys as select {key_list} "
        "from _incoming limit 0"
    )
    if repaired:
        con.execute(
            f"""{job.to_quarantine}, t._reason, t._detail, t._row_json
            from _incoming as t where t._reason is not null""",
            job.params,
        )
        con.execute(
            f"insert into _quarantined_keys select {key_list} "
            "from _incoming where _reason is not null"
        )
    if check_keys and quarantine.flag_keys(con, table, "_incoming"):
        on = quarantine.key_match(table, "f", "t")
        con.execute(
            f"""{job.to_quarantine}, f.reason, f.detail, {quarantine.row_json(table, "t")}
            from _incoming as t
            inner join _flagged as f on {on}
            {"where t._reason is null" if repaired else ""}""",
            job.params,
        )
        con.execute(f"insert into _quarantined_keys select {key_list} from _flagged")


def _diff(job: _Job, in_scope: str) -> dict[str, int]:
    """Write ``_diff`` (key, change): the keys whose row is new, updated or deleted, the
    quarantined keys' rows left as they are. Returns the count of each change."""
    con, table = job.con, job.table
    (n_quarantined_keys,) = one_row(con, "select count(*) from _quarantined_keys")
    unquarantined = ""
    if n_quarantined_keys:
        unquarantined = (
            "and not exists (select 1 from _quarantined_keys as q "
            f"where {quarantine.key_match(table, 'q', 'i')})"
        )
    con.execute(
        f"""create or replace temp table _diff as
        select
            {", ".join(f'coalesce(i."{k}", r."{k}") as "{k}"' for k in table.key)},
            case
                when r._row_hash is null then 'new'
                when i._row_hash is null then 'deleted'
                else 'updated'
            end as change
        from _incoming as i
        full outer join (
            select {job.key_list}, _row_hash from {job.raw} where source_id = $source {in_scope}
        ) as r
            on {quarantine.key_match(table, "i", "r")}
        where i._row_hash is null
            or (i._row_hash is distinct from r._row_hash {unquarantined})""",
        job.source,
    )
    return _changes(con)


def _changes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("select change, count(*) from _diff group by all").fetchall())


def _quarantine_reused_ids(job: _Job) -> int:
    """Among the updated rows, quarantine those whose identity changed (another row under
    the same id: :data:`quarantine.IDENTITY`); their diff entry becomes ``reused``."""
    con, table = job.con, job.table
    change = quarantine.identity_change(table, "t", "r")
    if change is None:
        return 0
    differs, detail = change
    con.execute(
        f"""create or replace temp table _reused as
        select t.*, {detail} as _reuse_detail
        from _diff as d
        inner join _incoming as t on {quarantine.key_match(table, "d", "t")}
        inner join {job.raw} as r
            on r.source_id = $source and {quarantine.key_match(table, "d", "r")}
        where d.change = 'updated' and ({differs})""",
        job.source,
    )
    (n,) = one_row(con, "select count(*) from _reused")
    if n:
        con.execute(
            f"""insert into raw._quarantine select $load, $source, '{table.name}',
                {quarantine.source_row_id(table, "t")}, '{quarantine.REUSED_ID}',
                t._reuse_detail, {quarantine.row_json(table, "t")}
            from _reused as t""",
            job.params,
        )
        con.execute(f"insert into _quarantined_keys select {job.key_list} from _reused")
        con.execute(
            f"""update _diff set change = 'reused'
            where exists (
                select 1 from _reused as u where {quarantine.key_match(table, "u", "_diff")}
            )"""
        )
    con.execute("drop table _reused")
    return n


def _apply(job: _Job, changes: dict[str, int]) -> None:
    """Write the diff to the warehouse: the updated and deleted rows out, the new and
    updated rows of ``_incoming`` in, stamped with this load."""
    con = job.con
    diff_on = quarantine.key_match(job.table, "d", "t")
    if changes.get("updated") or changes.get("deleted"):
        con.execute(
            f"""delete from {job.raw} as t
            where t.source_id = $source and exists (
                select 1 from _diff as d where d.change in ('updated', 'deleted') and {diff_on}
            )""",
            job.source,
        )
    if changes.get("updated") or changes.get("new"):
        select_cols = ", ".join(f't."{c}"' for c in read.stored_columns(job.table))
        con.execute(
            f"""insert into {job.raw} (source_id, _load_id, _row_hash, {job.col_list})
            select $source, $load, t._row_hash, {select_cols}
            from _incoming as t
            where exists (
                select 1 from _diff as d where d.change in ('new', 'updated') and {diff_on}
            )""",
            job.params,
        )


def _count_incoming(job: _Job, verified: int) -> tuple[int, int]:
    """(rows read, rows accepted) after the diff is applied: the rows staged plus those the
    fingerprint verified, and the warehouse's rows of this source but those an earlier load
    accepted under a key quarantined now (they are not this load's)."""
    con = job.con
    (staged,) = one_row(con, "select count(*) from _incoming")
    (in_raw,) = one_row(
        con, f"select count(*) from {job.raw} where source_id = $source", job.source
    )
    kept = 0
    if one_row(con, "select count(*) from _quarantined_keys")[0]:
        (kept,) = one_row(
            con,
            f"""select count(*) from {job.raw} as t
            where t.source_id = $source and exists (
                select 1 from _quarantined_keys as q
                where {quarantine.key_match(job.table, "q", "t")}
            )""",
            job.source,
        )
    return staged + verified, in_raw - kept


def _checked_counts(
    job: _Job,
    rows_read: int,
    accepted: int,
    new: int,
    updated: int,
    deleted: int,
    mode: str,
) -> TableCounts:
    """The table's counts, after checking that every row read was accepted or quarantined."""
    table = job.table
    reasons = job.con.execute(
        "select reason, count(*) from raw._quarantine "
        "where load_id = ? and source_id = ? and table_name = ? group by all order by all",
        [job.load_id, job.source_id, table.name],
    ).fetchall()
    quarantined = sum(n for _, n in reasons)
    if rows_read != accepted + quarantined:
        # A bug, not bad input: the load rolls back and the CLI reports an internal error.
        raise RuntimeError(
            f"load accounting broken for {table.name}: {rows_read} rows read, {accepted} in "
            f"the warehouse, {quarantined} quarantined"
        )
    return TableCounts(
        table.name, rows_read, new, updated, deleted, accepted, quarantined, tuple(reasons), mode
    )


def _sql_str(value: str) -> str:
    return value.replace("'", "''")
