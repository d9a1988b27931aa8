"""Write ML Metadata stores in the real relational layout (schema version 10).

The DDL follows ``kBaseQueryConfig`` / ``kMySQLMetadataSourceQueryConfig`` of
google/ml-metadata (``ml_metadata/util/metadata_source_query_config.cc``). This module
is used by the synthetic generator and by the tests to produce stores that the loader
reads exactly like stores written by the MLMD client library.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_VERSION = 10

# Type.type_kind
EXECUTION_TYPE, ARTIFACT_TYPE, CONTEXT_TYPE = 0, 1, 2

# Execution.last_known_state
EXECUTION_STATES = {
    "UNKNOWN": 0,
    "NEW": 1,
    "RUNNING": 2,
    "COMPLETE": 3,
    "FAILED": 4,
    "CACHED": 5,
    "CANCELED": 6,
}

# Event.type
EVENT_TYPES = {
    "UNKNOWN": 0,
    "DECLARED_OUTPUT": 1,
    "DECLARED_INPUT": 2,
    "INPUT": 3,
    "OUTPUT": 4,
    "INTERNAL_INPUT": 5,
    "INTERNAL_OUTPUT": 6,
    "PENDING_OUTPUT": 7,
}

# Artifact.state
ARTIFACT_LIVE = 2

_PROPERTY_TABLE = """
CREATE TABLE IF NOT EXISTS `{table}` (
  `{owner}` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `is_custom_property` TINYINT(1) NOT NULL,
  `int_value` INT,
  `double_value` DOUBLE,
  `string_value` TEXT,
  `byte_value` BLOB,
  `proto_value` BLOB,
  `bool_value` BOOLEAN,
  PRIMARY KEY (`{owner}`, `name`, `is_custom_property`))"""

SQLITE_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS `Type` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `name` VARCHAR(255) NOT NULL,
  `version` VARCHAR(255),
  `type_kind` TINYINT(1) NOT NULL,
  `description` TEXT,
  `input_type` TEXT,
  `output_type` TEXT,
  `external_id` VARCHAR(255) UNIQUE)""",
    """CREATE TABLE IF NOT EXISTS `ParentType` (
  `type_id` INT NOT NULL,
  `parent_type_id` INT NOT NULL,
  PRIMARY KEY (`type_id`, `parent_type_id`))""",
    """CREATE TABLE IF NOT EXISTS `TypeProperty` (
  `type_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `data_type` INT NULL,
  PRIMARY KEY (`type_id`, `name`))""",
    """CREATE TABLE IF NOT EXISTS `Artifact` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `uri` TEXT,
  `state` INT,
  `name` VARCHAR(255),
  `external_id` VARCHAR(255) UNIQUE,
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`))""",
    _PROPERTY_TABLE.format(table="ArtifactProperty", owner="artifact_id"),
    """CREATE TABLE IF NOT EXISTS `Execution` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `last_known_state` INT,
  `name` VARCHAR(255),
  `external_id` VARCHAR(255) UNIQUE,
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`))""",
    _PROPERTY_TABLE.format(table="ExecutionProperty", owner="execution_id"),
    """CREATE TABLE IF NOT EXISTS `Context` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `external_id` VARCHAR(255) UNIQUE,
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`))""",
    _PROPERTY_TABLE.format(table="ContextProperty", owner="context_id"),
    """CREATE TABLE IF NOT EXISTS `ParentContext` (
  `context_id` INT NOT NULL,
  `parent_context_id` INT NOT NULL,
  PRIMARY KEY (`context_id`, `parent_context_id`))""",
    """CREATE TABLE IF NOT EXISTS `Event` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `artifact_id` INT NOT NULL,
  `execution_id` INT NOT NULL,
  `type` INT NOT NULL,
  `milliseconds_since_epoch` INT,
  UNIQUE(`artifact_id`, `execution_id`, `type`))""",
    """CREATE TABLE IF NOT EXISTS `EventPath` (
  `event_id` INT NOT NULL,
  `is_index_step` TINYINT(1) NOT NULL,
  `step_index` INT,
  `step_key` TEXT)""",
    """CREATE TABLE IF NOT EXISTS `Association` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `context_id` INT NOT NULL,
  `execution_id` INT NOT NULL,
  UNIQUE(`context_id`, `execution_id`))""",
    """CREATE TABLE IF NOT EXISTS `Attribution` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `context_id` INT NOT NULL,
  `artifact_id` INT NOT NULL,
  UNIQUE(`context_id`, `artifact_id`))""",
    """CREATE TABLE IF NOT EXISTS `MLMDEnv` (
  `schema_version` INTEGER PRIMARY KEY)""",
)

SQLITE_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS `idx_artifact_uri` ON `Artifact`(`uri`)",
    "CREATE INDEX IF NOT EXISTS `idx_artifact_create_time_since_epoch` "
    "ON `Artifact`(`create_time_since_epoch`)",
    "CREATE INDEX IF NOT EXISTS `idx_artifact_last_update_time_since_epoch` "
    "ON `Artifact`(`last_update_time_since_epoch`)",
    "CREATE INDEX IF NOT EXISTS `idx_event_execution_id` ON `Event`(`execution_id`)",
    "CREATE INDEX IF NOT EXISTS `idx_parentcontext_parent_context_id` "
    "ON `ParentContext`(`parent_context_id`)",
    "CREATE INDEX IF NOT EXISTS `idx_type_name` ON `Type`(`name`)",
    "CREATE INDEX IF NOT EXISTS `idx_execution_create_time_since_epoch` "
    "ON `Execution`(`create_time_since_epoch`)",
    "CREATE INDEX IF NOT EXISTS `idx_execution_last_update_time_since_epoch` "
    "ON `Execution`(`last_update_time_since_epoch`)",
    "CREATE INDEX IF NOT EXISTS `idx_context_create_time_since_epoch` "
    "ON `Context`(`create_time_since_epoch`)",
    "CREATE INDEX IF NOT EXISTS `idx_context_last_update_time_since_epoch` "
    "ON `Context`(`last_update_time_since_epoch`)",
    "CREATE INDEX IF NOT EXISTS `idx_eventpath_event_id` ON `EventPath`(`event_id`)",
)


def mysql_ddl() -> list[str]:
    """The same schema in MySQL's flavour (BIGINT times, AUTO_INCREMENT, MEDIUMTEXT)."""
    out = []
    for stmt in SQLITE_DDL:
        s = stmt.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "INT PRIMARY KEY AUTO_INCREMENT")
        s = s.replace("`create_time_since_epoch` INT", "`create_time_since_epoch` BIGINT")
        s = s.replace("`last_update_time_since_epoch` INT", "`last_update_time_since_epoch` BIGINT")
        s = s.replace("`milliseconds_since_epoch` INT", "`milliseconds_since_epoch` BIGINT")
        s = s.replace("`string_value` TEXT", "`string_value` MEDIUMTEXT")
        s = s.replace("`byte_value` BLOB", "`byte_value` MEDIUMBLOB")
        s = s.replace("`proto_value` BLOB", "`proto_value` MEDIUMBLOB")
        s = s.replace("`step_key` TEXT", "`step_key` VARCHAR(255)")
        s = s.replace("`external_id` VARCHAR(255) UNIQUE", "`external_id` VARCHAR(255)")
        if "`uri` TEXT" in s:
            s = s.replace("`uri` TEXT", "`uri` MEDIUMTEXT")
        out.append(s)
    return out


# System base types that the MLMD client upserts on connect (ids 1-9 in a fresh store).
SYSTEM_TYPES: tuple[tuple[str, int], ...] = (
    ("mlmd.Dataset", ARTIFACT_TYPE),
    ("mlmd.Model", ARTIFACT_TYPE),
    ("mlmd.Metrics", ARTIFACT_TYPE),
    ("mlmd.Statistics", ARTIFACT_TYPE),
    ("mlmd.Train", EXECUTION_TYPE),
    ("mlmd.Transform", EXECUTION_TYPE),
    ("mlmd.Process", EXECUTION_TYPE),
    ("mlmd.Evaluate", EXECUTION_TYPE),
    ("mlmd.Deploy", EXECUTION_TYPE),
)

PropertyValue = int | float | str | bool | bytes
Properties = Mapping[str, PropertyValue]


def _value_columns(value: PropertyValue) -> tuple:
    """(int, double, string, byte, proto, bool) with exactly one set."""
    if isinstance(value, bool):
        return (None, None, None, None, None, value)
    if isinstance(value, int):
        return (value, None, None, None, None, None)
    if isinstance(value, float):
        return (None, value, None, None, None, None)
    if isinstance(value, bytes):
        return (None, None, None, value, None, None)
    return (None, None, str(value), None, None, None)


@dataclass
class StoreWriter:
    """Buffered writer of one MLMD SQLite store. Ids are assigned here, as MLMD would.

    Rows are buffered and written with ``executemany`` on :meth:`flush`, which keeps the
    generator fast; call :meth:`close` (or use it as a context manager) to commit.
    """

    path: Path
    conn: sqlite3.Connection = field(init=False)
    _types: dict[tuple[str, int], int] = field(init=False, default_factory=dict)
    _next: dict[str, int] = field(init=False, default_factory=dict)
    _rows: dict[str, list[tuple]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        fresh = not self.path.exists()
        self.conn = sqlite3.connect(self.path)
        self.conn.execute("PRAGMA journal_mode = OFF" if fresh else "PRAGMA journal_mode = DELETE")
        self.conn.execute("PRAGMA synchronous = OFF")
        if fresh:
            for stmt in SQLITE_DDL + SQLITE_INDEXES:
                self.conn.execute(stmt)
            self.conn.execute("INSERT INTO MLMDEnv VALUES (?)", (SCHEMA_VERSION,))
            for name, kind in SYSTEM_TYPES:
                self.conn.execute("INSERT INTO Type (name, type_kind) VALUES (?, ?)", (name, kind))
        for name, kind, id_ in self.conn.execute("SELECT name, type_kind, id FROM Type"):
            self._types[(name, kind)] = id_
        for table in (
            "Type",
            "Artifact",
            "Execution",
            "Context",
            "Event",
            "Association",
            "Attribution",
        ):
            (max_id,) = self.conn.execute(f"SELECT coalesce(max(id), 0) FROM `{table}`").fetchone()
            self._next[table] = max_id + 1

    # -- ids and buffering -------------------------------------------------------------
    def _id(self, table: str) -> int:
        id_ = self._next[table]
        self._next[table] = id_ + 1
        return id_

    def _add(self, table: str, row: tuple) -> None:
        self._rows.setdefault(table, []).append(row)

    def flush(self) -> None:
        for table, rows in self._rows.items():
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                self.conn.executemany(f"INSERT INTO `{table}` VALUES ({marks})", rows)
        self._rows.clear()

    def close(self) -> None:
        self.flush()
        self.conn.commit()
        self.conn.close()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- types -------------------------------------------------------------------------
    def type_id(
        self,
        name: str,
        kind: int,
        properties: Mapping[str, int] | None = None,
        base_type: str | None = None,
    ) -> int:
        """Id of a type, registering it (with declared properties) on first use."""
        key = (name, kind)
        if key in self._types:
            return self._types[key]
        id_ = self._id("Type")
        self._add("Type", (id_, name, None, kind, None, None, None, None))
        for prop, data_type in (properties or {}).items():
            self._add("TypeProperty", (id_, prop, data_type))
        if base_type is not None:
            self._add("ParentType", (id_, self._types[(base_type, kind)]))
        self._types[key] = id_
        return id_

    # -- entities ----------------------------------------------------------------------
    def _properties(
        self, table: str, owner: int, declared: Properties | None, custom: Properties | None
    ) -> None:
        for is_custom, props in ((0, declared), (1, custom)):
            for name, value in (props or {}).items():
                self._add(table, (owner, name, is_custom, *_value_columns(value)))

    def context(
        self, type_name: str, name: str, at_ms: int = 0, properties: Properties | None = None
    ) -> int:
        id_ = self._id("Context")
        type_id = self.type_id(type_name, CONTEXT_TYPE)
        self._add("Context", (id_, type_id, name, None, at_ms, at_ms))
        self._properties("ContextProperty", id_, None, properties)
        return id_

    def parent_context(self, child: int, parent: int) -> None:
        self._add("ParentContext", (child, parent))

    def execution(
        self,
        type_name: str,
        state: str,
        start_ms: int,
        end_ms: int,
        *,
        name: str | None = None,
        properties: Properties | None = None,
        custom_properties: Properties | None = None,
        contexts: Iterable[int] = (),
    ) -> int:
        id_ = self._id("Execution")
        type_id = self.type_id(type_name, EXECUTION_TYPE)
        self._add(
            "Execution",
            (id_, type_id, EXECUTION_STATES[state], name, None, start_ms, end_ms),
        )
        self._properties("ExecutionProperty", id_, properties, custom_properties)
        for ctx in contexts:
            self._add("Association", (self._id("Association"), ctx, id_))
        return id_

    def artifact(
        self,
        type_name: str,
        uri: str,
        at_ms: int,
        *,
        name: str | None = None,
        state: int = ARTIFACT_LIVE,
        properties: Properties | None = None,
        custom_properties: Properties | None = None,
        contexts: Iterable[int] = (),
    ) -> int:
        id_ = self._id("Artifact")
        type_id = self.type_id(type_name, ARTIFACT_TYPE)
        self._add("Artifact", (id_, type_id, uri, state, name, None, at_ms, at_ms))
        self._properties("ArtifactProperty", id_, properties, custom_properties)
        for ctx in contexts:
            self._add("Attribution", (self._id("Attribution"), ctx, id_))
        return id_

    def event(
        self,
        execution_id: int,
        artifact_id: int,
        event_type: str,
        at_ms: int | None,
        key: str | None = None,
        index: int | None = 0,
    ) -> int:
        """An event with TFX's path: one key step then one index step."""
        id_ = self._id("Event")
        self._add("Event", (id_, artifact_id, execution_id, EVENT_TYPES[event_type], at_ms))
        if key is not None:
            self._add("EventPath", (id_, 0, None, key))
        if index is not None:
            self._add("EventPath", (id_, 1, index, None))
        return id_

    # -- mutations (MLMD rows are mutable) ---------------------------------------------
    def update_execution(self, execution_id: int, state: str, end_ms: int) -> None:
        self.flush()
        self.conn.execute(
            "UPDATE Execution SET last_known_state = ?, last_update_time_since_epoch = ? "
            "WHERE id = ?",
            (EXECUTION_STATES[state], end_ms, execution_id),
        )

    def set_artifact_property(
        self, artifact_id: int, name: str, value: PropertyValue, custom: bool = True
    ) -> None:
        self.flush()
        self.conn.execute(
            "INSERT OR REPLACE INTO ArtifactProperty VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (artifact_id, name, int(custom), *_value_columns(value)),
        )
