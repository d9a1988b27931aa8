"""The ML Metadata schema the loader reads: its tables, their columns and keys, and which
of them a delta load re-reads by what (docs/incremental.md).

This is the bottom of the loader: a description, no I/O. Every other module of the package
reads it; it imports none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED_SCHEMA_VERSION = 10


@dataclass(frozen=True)
class Table:
    """One MLMD table: its name in the store, its columns (warehouse types) and key."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]

    @property
    def raw_name(self) -> str:
        snake = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", self.name)
        return f"mlmd_{snake.lower()}"


def _props(owner: str) -> tuple[tuple[str, str], ...]:
    """The layout of the three property tables, owned by the row ``owner`` names."""
    return (
        (owner, "BIGINT"),
        ("name", "VARCHAR"),
        ("is_custom_property", "BOOLEAN"),
        ("int_value", "BIGINT"),
        ("double_value", "DOUBLE"),
        ("string_value", "VARCHAR"),
        ("byte_value", "BLOB"),
        ("proto_value", "BLOB"),
        ("bool_value", "BOOLEAN"),
    )


_TIMES = (
    ("create_time_since_epoch", "BIGINT"),
    ("last_update_time_since_epoch", "BIGINT"),
)

# Schema version 10 (ml_metadata/util/metadata_source_query_config.cc).
TABLES: tuple[Table, ...] = (
    Table(
        "Type",
        (
            ("id", "BIGINT"),
            ("name", "VARCHAR"),
            ("version", "VARCHAR"),
            ("type_kind", "INTEGER"),
            ("description", "VARCHAR"),
            ("input_type", "VARCHAR"),
            ("output_type", "VARCHAR"),
            ("external_id", "VARCHAR"),
        ),
        ("id",),
    ),
    Table(
        "ParentType",
        (("type_id", "BIGINT"), ("parent_type_id", "BIGINT")),
        ("type_id", "parent_type_id"),
    ),
    Table(
        "TypeProperty",
        (("type_id", "BIGINT"), ("name", "VARCHAR"), ("data_type", "INTEGER")),
        ("type_id", "name"),
    ),
    Table(
        "Artifact",
        (
            ("id", "BIGINT"),
            ("type_id", "BIGINT"),
            ("uri", "VARCHAR"),
            ("state", "INTEGER"),
            ("name", "VARCHAR"),
            ("external_id", "VARCHAR"),
            *_TIMES,
        ),
        ("id",),
    ),
    Table("ArtifactProperty", _props("artifact_id"), ("artifact_id", "name", "is_custom_property")),
    Table(
        "Execution",
        (
            ("id", "BIGINT"),
            ("type_id", "BIGINT"),
            ("last_known_state", "INTEGER"),
            ("name", "VARCHAR"),
            ("external_id", "VARCHAR"),
            *_TIMES,
        ),
        ("id",),
    ),
    Table(
        "ExecutionProperty", _props("execution_id"), ("execution_id", "name", "is_custom_property")
    ),
    Table(
        "Context",
        (
            ("id", "BIGINT"),
            ("type_id", "BIGINT"),
            ("name", "VARCHAR"),
            ("external_id", "VARCHAR"),
            *_TIMES,
        ),
        ("id",),
    ),
    Table("ContextProperty", _props("context_id"), ("context_id", "name", "is_custom_property")),
    Table(
        "ParentContext",
        (("context_id", "BIGINT"), ("parent_context_id", "BIGINT")),
        ("context_id", "parent_context_id"),
    ),
    Table(
        "Event",
        (
            ("id", "BIGINT"),
            ("artifact_id", "BIGINT"),
            ("execution_id", "BIGINT"),
            ("type", "INTEGER"),
            ("milliseconds_since_epoch", "BIGINT"),
        ),
        ("id",),
    ),
    # EventPath has no key: its steps are numbered per event (`step_ordinal`) in a stable
    # order so that an unchanged path compares equal across loads.
    Table(
        "EventPath",
        (
            ("event_id", "BIGINT"),
            ("is_index_step", "BOOLEAN"),
            ("step_index", "BIGINT"),
            ("step_key", "VARCHAR"),
        ),
        ("event_id", "step_ordinal"),
    ),
    Table(
        "Association",
        (("id", "BIGINT"), ("context_id", "BIGINT"), ("execution_id", "BIGINT")),
        ("id",),
    ),
    Table(
        "Attribution",
        (("id", "BIGINT"), ("context_id", "BIGINT"), ("artifact_id", "BIGINT")),
        ("id",),
    ),
    Table("MLMDEnv", (("schema_version", "BIGINT"),), ("schema_version",)),
)

# Delta reads (docs/incremental.md). MLMD sets an entity's last_update_time_since_epoch on
# every update through its API, and an event's milliseconds_since_epoch when it is written.
# Tables with an `id` read in delta mode: the stamp column that tells of new and updated
# rows (None: MLMD never updates the table), and (column, table) pairs: a row is also
# re-read when that column names a row re-read from the other table (an association of an
# execution written late, say).
DELTA: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = {
    "Artifact": ("last_update_time_since_epoch", ()),
    "Execution": ("last_update_time_since_epoch", ()),
    "Context": ("last_update_time_since_epoch", ()),
    "Event": ("milliseconds_since_epoch", (("execution_id", "Execution"),)),
    "Association": (None, (("execution_id", "Execution"),)),
    "Attribution": (None, (("artifact_id", "Artifact"),)),
}
# Rows owned by a row of another table (owner column, owner table): re-read with the owner.
CHILDREN: dict[str, tuple[str, str]] = {
    "ArtifactProperty": ("artifact_id", "Artifact"),
    "ExecutionProperty": ("execution_id", "Execution"),
    "ContextProperty": ("context_id", "Context"),
    "EventPath": ("event_id", "Event"),
}
