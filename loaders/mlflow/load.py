"""Load an MLflow tracking store into the ``raw.mlflow_*`` tables (docs/mlflow.md).

The store is attached read-only (:mod:`loaders.mlflow.read`) and read in full, in one
warehouse transaction: a failed load leaves the warehouse as it was. Each mirrored table is
compared by key with the source's stored rows and only the difference is applied (rows new,
updated, deleted), so loading an unchanged store twice changes nothing. Rows the graph
cannot hold are quarantined in ``raw._quarantine`` with the reason: a run whose experiment
is missing (``run_without_experiment``), a model version naming a run the store does not
have (``model_version_missing_run``). New runs, datasets, logged models and model versions
get their integer key (``raw.mlflow_keys``); the aliases and stages model versions hold now
are added to ``raw.mlflow_registry_sightings`` where not seen before, with this load's time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from graphlets.core.errors import SourceError, first_line
from graphlets.core.warehouse import connect, one_row, transaction
from loaders import bookkeeping, raw_tables
from loaders.mlflow import read, schema
from loaders.mlflow.location import MlflowLocation
from loaders.result import LoadResult, TableCounts

S = read.ALIAS

# (table, reason, condition on the store row `s`): rows quarantined instead of stored.
_QUARANTINE = {
    "runs": (
        "run_without_experiment",
        f"s.experiment_id is null or s.experiment_id not in "
        f"(select experiment_id from {S}.experiments)",
    ),
    "model_versions": (
        "model_version_missing_run",
        f"s.run_id is not null and s.run_id <> '' and s.run_id not in "
        f"(select run_uuid from {S}.runs where experiment_id in "
        f"(select experiment_id from {S}.experiments))",
    ),
}

# (entity, key expression, table): the rows that get an integer key in raw.mlflow_keys.
_KEYED = (
    ("run", "run_uuid", "runs"),
    ("dataset", "dataset_uuid", "datasets"),
    ("logged_model", "model_id", "logged_models"),
    ("model_version", "name || '/' || cast(version as varchar)", "model_versions"),
    ("version_model", "name || '/' || cast(version as varchar)", "model_versions"),
)


def load_mlflow(
    warehouse: Path,
    source: str,
    source_name: str | None = None,
    *,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load the store ``source`` (``sqlite:///path``, a path, or a Postgres or MySQL URL) as
    one source, all or nothing; returns the counts per raw table."""
    location = MlflowLocation.parse(source)
    started = _utcnow()
    con = connect(warehouse, lock_timeout=lock_timeout, on_wait=on_wait)
    try:
        revision = read.attach(con, location)
        try:
            with transaction(con):
                return _load(con, location, revision, source_name, started)
        except duckdb.Error as exc:  # the store failed mid-read (e.g. the server went away)
            raise SourceError(
                f"could not read MLflow store {location.display}: "
                f"{location.redact(first_line(exc))}",
                "nothing was loaded; load it again",
            ) from None
        finally:
            read.detach(con)
    finally:
        con.close()


def _load(
    con: duckdb.DuckDBPyConnection,
    location: MlflowLocation,
    revision: str,
    source_name: str | None,
    started: dt.datetime,
) -> LoadResult:
    load_id = bookkeeping.prepare(con)
    raw_tables.create_all(con)
    source_id = bookkeeping.register_source(con, location, source_name, load_id)
    bookkeeping.reset_quarantine(con, source_id)
    counts = tuple(
        _mirror(con, table, source_id, load_id, schema.has_logged_models(revision))
        for table in schema.MIRRORED
    )
    _assign_keys(con, source_id, load_id)
    sightings = _record_sightings(con, source_id, load_id, started)
    result = LoadResult(
        load_id, source_id, location.display, started, _utcnow(), (*counts, sightings)
    )
    bookkeeping.record(con, result)
    return result


def _mirror(
    con: duckdb.DuckDBPyConnection,
    table: schema.Mirrored,
    source_id: str,
    load_id: int,
    has_logged_models: bool,
) -> TableCounts:
    """Read one store table, quarantine its bad rows, apply the difference to the raw table."""
    names = ", ".join(name for name, _, _ in table.columns)
    present = has_logged_models or not table.since_logged_models
    if present:
        con.execute(
            f"create or replace temp table _mlflow_read as "
            f"select {table.select}, to_json(s)::varchar as _row from {S}.{table.store_table} as s"
        )
    else:
        con.execute(
            f"create or replace temp table _mlflow_read as select {table.select}, "
            "''::varchar as _row from (select 1) as t(x), "
            f"(select {', '.join(f'null as {n}' for n, _, _ in table.columns)}) as s where false"
        )
    quarantined = 0
    reason_rows: tuple[tuple[str, int], ...] = ()
    if table.name in _QUARANTINE and present:
        reason, condition = _QUARANTINE[table.name]
        bad = condition.replace("s.", "r.")
        con.execute(
            f"insert into raw._quarantine select ?, ?, ?, null, ?, null, _row "
            f"from _mlflow_read as r where {bad}",
            [load_id, source_id, table.table, reason],
        )
        (quarantined,) = one_row(
            con,
            "select count(*) from raw._quarantine where load_id = ? and table_name = ?",
            [load_id, table.table],
        )
        con.execute(f"delete from _mlflow_read as r where {bad}")
        reason_rows = ((reason, int(quarantined)),) if quarantined else ()
    (accepted,) = one_row(con, "select count(*) from _mlflow_read")
    new, updated, deleted = _apply(con, table, names, source_id)
    return TableCounts(
        table.table,
        rows_read=int(accepted) + int(quarantined),
        rows_new=new,
        rows_updated=updated,
        rows_deleted=deleted,
        rows_accepted=int(accepted),
        rows_quarantined=int(quarantined),
        reasons=reason_rows,
        mode="full",
    )


def _apply(
    con: duckdb.DuckDBPyConnection, table: schema.Mirrored, names: str, source_id: str
) -> tuple[int, int, int]:
    """Replace the source's rows that differ from the store's; returns (new, updated,
    deleted) counted by key."""
    raw = f"raw.{table.table}"
    con.execute(
        f"create or replace temp table _mlflow_gone as select {names} from {raw} "
        f"where source_id = ? except select {names} from _mlflow_read",
        [source_id],
    )
    con.execute(
        f"create or replace temp table _mlflow_added as select {names} from _mlflow_read "
        f"except select {names} from {raw} where source_id = ?",
        [source_id],
    )
    key = ", ".join(table.key)
    (gone, added, both) = one_row(
        con,
        f"select (select count(distinct ({key})) from _mlflow_gone), "
        f"(select count(distinct ({key})) from _mlflow_added), "
        f"(select count(*) from (select {key} from _mlflow_gone intersect "
        f"select {key} from _mlflow_added))",
    )
    match = " and ".join(f"g.{name} is not distinct from t.{name}" for name, _, _ in table.columns)
    con.execute(
        f"delete from {raw} as t where source_id = ? and exists "
        f"(select 1 from _mlflow_gone as g where {match})",
        [source_id],
    )
    con.execute(f"insert into {raw} select ?, {names} from _mlflow_added", [source_id])
    con.execute("drop table _mlflow_gone")
    con.execute("drop table _mlflow_added")
    return int(added) - int(both), int(both), int(gone) - int(both)


def _assign_keys(con: duckdb.DuckDBPyConnection, source_id: str, load_id: int) -> None:
    """Give each run, dataset, logged model and model version not keyed yet the next
    integer of the source (raw.mlflow_keys): in entity order, then by key."""
    union = " union all ".join(
        f"select '{entity}' as entity, {expr} as entity_key from raw.mlflow_{table} "
        "where source_id = $1"
        for entity, expr, table in _KEYED
    )
    con.execute(
        f"""insert into raw.mlflow_keys
        with wanted as ({union}),
        missing as (
            select distinct entity, entity_key from wanted as w
            where not exists (
                select 1 from raw.mlflow_keys as k
                where k.source_id = $1 and k.entity = w.entity and k.entity_key = w.entity_key
            )
        )
        select $1, entity, entity_key,
            (select coalesce(max(key_id), 0) from raw.mlflow_keys where source_id = $1)
                + row_number() over (order by entity, entity_key),
            $2
        from missing""",
        [source_id, load_id],
    )


def _record_sightings(
    con: duckdb.DuckDBPyConnection, source_id: str, load_id: int, started: dt.datetime
) -> TableCounts:
    """Add the aliases and stages the store's model versions hold now, where this source has
    not recorded them yet, with the load's time."""
    before = _count(con, "raw.mlflow_registry_sightings", source_id)
    con.execute(
        f"""create or replace temp table _mlflow_held as
        select name as model_name, cast(version as bigint) as version,
            'alias' as holder_kind, alias as holder
        from {S}.registered_model_aliases
        union
        select name, version, 'stage', current_stage
        from raw.mlflow_model_versions
        where source_id = $1 and current_stage is not null
            and current_stage not in ('None', '')""",
        [source_id],
    )
    con.execute(
        """insert into raw.mlflow_registry_sightings
        select $1, h.*, $2, $3
        from _mlflow_held as h
        where not exists (
            select 1 from raw.mlflow_registry_sightings as s
            where s.source_id = $1 and s.model_name = h.model_name and s.version = h.version
                and s.holder_kind = h.holder_kind and s.holder = h.holder
        )""",
        [source_id, load_id, started],
    )
    (read_now,) = one_row(con, "select count(*) from _mlflow_held")
    con.execute("drop table _mlflow_held")
    new = _count(con, "raw.mlflow_registry_sightings", source_id) - before
    return TableCounts(
        "mlflow_registry_sightings",
        rows_read=int(read_now),
        rows_new=new,
        rows_updated=0,
        rows_deleted=0,
        rows_accepted=int(read_now),
        mode="append",
    )


def _count(con: duckdb.DuckDBPyConnection, table: str, source_id: str) -> int:
    (n,) = one_row(con, f"select count(*) from {table} where source_id = ?", [source_id])
    return int(n)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
