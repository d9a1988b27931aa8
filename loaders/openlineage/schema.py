"""The raw table of OpenLineage events: ``raw.openlineage_events`` (docs/openlineage.md).

Append-only, one row per distinct event of a source: an event's key is the hash of its
canonical JSON (:func:`loaders.openlineage.events.canonical_json`), so a re-sent event, also
one re-sent with its keys in another order or other whitespace, is stored once. Rows are
never updated or deleted: runs are derived from them by the models (``group by run_id``), so
late and out-of-order events re-aggregate.
"""

from __future__ import annotations

TABLE = "openlineage_events"

DDL = f"""create table if not exists raw.{TABLE} (
    source_id varchar not null,
    _load_id bigint not null,
    event_hash varchar not null,
    event_time timestamptz not null,
    event_kind varchar not null,
    event_type varchar,
    run_id varchar,
    job_namespace varchar,
    job_name varchar,
    dataset_namespace varchar,
    dataset_name varchar,
    parent_run_id varchar,
    parent_job_namespace varchar,
    parent_job_name varchar,
    root_run_id varchar,
    root_job_namespace varchar,
    root_job_name varchar,
    producer varchar not null,
    schema_url varchar not null,
    event json not null,
    source_file varchar not null,
    source_line bigint not null,
    primary key (source_id, event_hash)
)"""

# The columns the loader derives from each event, in the order of the staging file
# (:mod:`loaders.openlineage.load`): every column but source_id and _load_id.
STAGED = (
    ("event_hash", "varchar"),
    ("event_time", "varchar"),
    ("event_kind", "varchar"),
    ("event_type", "varchar"),
    ("run_id", "varchar"),
    ("job_namespace", "varchar"),
    ("job_name", "varchar"),
    ("dataset_namespace", "varchar"),
    ("dataset_name", "varchar"),
    ("parent_run_id", "varchar"),
    ("parent_job_namespace", "varchar"),
    ("parent_job_name", "varchar"),
    ("root_run_id", "varchar"),
    ("root_job_namespace", "varchar"),
    ("root_job_name", "varchar"),
    ("producer", "varchar"),
    ("schema_url", "varchar"),
    ("event", "varchar"),
    ("source_file", "varchar"),
    ("source_line", "bigint"),
)
