"""Load an ML Metadata store (SQLite file or MySQL database) into the warehouse's raw tables.

The store is read through DuckDB's sqlite/mysql scanners (extension binaries from PyPI,
installed offline). Each MLMD table is copied faithfully into ``raw.mlmd_<table>`` with the
source's name and the id of the load that wrote the row. Loads are incremental and
idempotent: rows are compared by primary key and content hash, so a reload adds nothing,
and rows that changed in the source (an execution RUNNING -> COMPLETE, a ``pushed``
property written later) replace their old version. A load is one transaction; the
``raw._loads`` row is written last.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb

from loaders import extensions
from loaders.errors import GraphletsError, SourceError
from loaders.errors import first_line as _first_line
from loaders.warehouse import connect, transaction

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


@dataclass(frozen=True)
class StoreLocation:
    """Where an MLMD store lives: a SQLite file or a MySQL database."""

    kind: str  # "sqlite" | "mysql"
    attach: str  # what follows ATTACH in DuckDB, naming the store `src`
    display: str  # safe to print and store (no password)
    default_name: str
    secret: str = ""  # the password, never printed

    def redact(self, text: str) -> str:
        text = re.sub(r"password=('(?:[^'\\]|\\.)*'|\S+)", "password=***", text)
        return text.replace(self.secret, "***") if self.secret else text

    @classmethod
    def parse(cls, source: str) -> StoreLocation:
        if source.startswith(("mysql://", "mariadb://")):
            return cls._mysql(source)
        return cls._sqlite(Path(source))

    @classmethod
    def _sqlite(cls, path: Path) -> StoreLocation:
        path = path.expanduser().resolve()
        if not path.exists():
            raise SourceError(f"MLMD store {path} does not exist", "check the path")
        if not path.is_file():
            raise SourceError(f"MLMD store {path} is not a file", "pass a SQLite file")
        with path.open("rb") as fh:
            header = fh.read(16)
        if header != b"SQLite format 3\x00":
            raise SourceError(
                f"{path} is not a SQLite database",
                "pass an ML Metadata SQLite file or a mysql://user:pass@host:port/db URL",
            )
        escaped = str(path).replace("'", "''")
        return cls("sqlite", f"'{escaped}' as src (TYPE sqlite, READ_ONLY)", str(path), path.stem)

    @classmethod
    def _mysql(cls, url: str) -> StoreLocation:
        parts = urlsplit(url)
        database = parts.path.lstrip("/")
        if not parts.hostname or not database:
            raise SourceError(
                f"MySQL URL {url.split('@')[-1]!r} lacks a host or database",
                "use mysql://user:password@host:port/database",
            )
        fields = {
            "host": parts.hostname,
            "port": str(parts.port or 3306),
            "user": unquote(parts.username or "root"),
            "password": unquote(parts.password or ""),
            "database": database,
        }
        conninfo = " ".join(f"{k}={_quote_conninfo(v)}" for k, v in fields.items())
        escaped = conninfo.replace("'", "''")
        display = f"mysql://{fields['user']}@{fields['host']}:{fields['port']}/{database}"
        return cls(
            "mysql",
            f"'{escaped}' as src (TYPE mysql, READ_ONLY)",
            display,
            database,
            fields["password"],
        )


def _quote_conninfo(value: str) -> str:
    if value and all(c.isalnum() or c in "._-" for c in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class TableCounts:
    table: str
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_deleted: int


@dataclass(frozen=True)
class LoadResult:
    load_id: int
    source_id: str
    location: str
    started_at: dt.datetime
    finished_at: dt.datetime
    tables: tuple[TableCounts, ...] = field(default_factory=tuple)

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_changed(self) -> int:
        return sum(t.rows_new + t.rows_updated + t.rows_deleted for t in self.tables)


Progress = Callable[[str, int, int], None]

_BOOKKEEPING_DDL = (
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
        rows_deleted bigint not null
    )""",
    """create table if not exists raw._load_tables (
        load_id bigint not null,
        table_name varchar not null,
        rows_read bigint not null,
        rows_new bigint not null,
        rows_updated bigint not null,
        rows_deleted bigint not null,
        primary key (load_id, table_name)
    )""",
)


def load_mlmd(
    warehouse: Path,
    store: str,
    source_name: str | None = None,
    *,
    progress: Progress | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> LoadResult:
    """Copy an MLMD store into ``raw.mlmd_*`` of the warehouse, all or nothing."""
    location = StoreLocation.parse(store)
    _check_store(location)
    started = _utcnow()
    con = connect(warehouse, lock_timeout=lock_timeout, on_wait=on_wait)
    try:
        extensions.load(con, location.kind)
        _attach(con, location)
        try:
            with transaction(con):
                result = _sync(con, location, source_name, started, progress)
        except duckdb.Error as exc:
            raise SourceError(
                f"could not read MLMD store {location.display}: "
                f"{location.redact(_first_line(exc))}",
                "the store may be truncated or corrupt; check it with the MLMD client "
                "or `sqlite3 FILE 'PRAGMA integrity_check'`",
            ) from None
        finally:
            con.execute("detach src")
    finally:
        con.close()
    return result


def _check_store(location: StoreLocation) -> None:
    """Validate the store before the warehouse is touched: MLMD tables and version 10."""
    con = duckdb.connect()
    try:
        extensions.load(con, location.kind)
        _attach(con, location)
        tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = 'src'"
            ).fetchall()
        }
        if "MLMDEnv" not in tables:
            raise SourceError(
                f"{location.display} is not an ML Metadata store (no MLMDEnv table)",
                "pass the metadata database that TFX/KFP write (e.g. metadata.sqlite)",
            )
        try:
            versions = [
                v for (v,) in con.execute("select schema_version from src.MLMDEnv").fetchall()
            ]
        except duckdb.Error as exc:
            raise SourceError(
                f"cannot read the schema version of {location.display}: "
                f"{location.redact(_first_line(exc))}",
                "the store may be truncated or corrupt",
            ) from None
        if versions != [SUPPORTED_SCHEMA_VERSION]:
            found = ", ".join(str(v) for v in versions) or "none"
            raise SourceError(
                f"{location.display} has MLMD schema version {found}; graphlets reads "
                f"version {SUPPORTED_SCHEMA_VERSION}",
                "upgrade the store with ml-metadata >= 1.11 (it migrates on connect) "
                "and load it again",
            )
        missing = [t.name for t in TABLES if t.name not in tables]
        if missing:
            raise SourceError(
                f"{location.display} lacks MLMD tables {', '.join(missing)}",
                "the store is incomplete or truncated; load a complete copy",
            )
        for table in TABLES:
            have = {
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_catalog = 'src' and table_name = ?",
                    [table.name],
                ).fetchall()
            }
            lacking = [c for c, _ in table.columns if c not in have]
            if lacking:
                raise SourceError(
                    f"{location.display}: table {table.name} lacks columns {', '.join(lacking)}",
                    "the store does not have the MLMD v10 layout",
                )
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot open MLMD store {location.display}: {location.redact(_first_line(exc))}",
            _open_hint(location),
        ) from None
    finally:
        con.close()


def _open_hint(location: StoreLocation) -> str:
    if location.kind == "mysql":
        return "check the URL, the credentials and that the server is reachable"
    return "the file may be truncated, corrupt or not a SQLite database"


def _attach(con: duckdb.DuckDBPyConnection, location: StoreLocation) -> None:
    try:
        if location.kind == "mysql":
            # MLMD declares `Type.type_kind` as TINYINT(1) and stores 0, 1 or 2 in it; the
            # scanner's default reads TINYINT(1) as a boolean, turning context types (2) into 1.
            con.execute("set mysql_tinyint1_as_boolean = false")
        con.execute(f"attach {location.attach}")
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot open MLMD store {location.display}: {location.redact(_first_line(exc))}",
            _open_hint(location),
        ) from None


def _sync(
    con: duckdb.DuckDBPyConnection,
    location: StoreLocation,
    source_name: str | None,
    started: dt.datetime,
    progress: Progress | None,
) -> LoadResult:
    for stmt in _BOOKKEEPING_DDL:
        con.execute(stmt)
    (load_id,) = con.execute("select coalesce(max(load_id), 0) + 1 from raw._loads").fetchone()
    source_id = _register_source(con, location, source_name, load_id)
    counts = []
    for done, table in enumerate(TABLES):
        if progress is not None:
            progress(table.name, done, len(TABLES))
        counts.append(_sync_table(con, table, source_id, load_id))
    if progress is not None:
        progress("done", len(TABLES), len(TABLES))
    finished = _utcnow()
    con.executemany(
        "insert into raw._load_tables values (?, ?, ?, ?, ?, ?)",
        [
            (load_id, c.table, c.rows_read, c.rows_new, c.rows_updated, c.rows_deleted)
            for c in counts
        ],
    )
    result = LoadResult(load_id, source_id, location.display, started, finished, tuple(counts))
    # Written last: a load without its row here never happened.
    con.execute(
        "insert into raw._loads values (?, ?, ?, ?, ?, 'success', ?, ?, ?, ?)",
        [
            load_id,
            source_id,
            location.display,
            started,
            finished,
            result.rows_read,
            sum(c.rows_new for c in counts),
            sum(c.rows_updated for c in counts),
            sum(c.rows_deleted for c in counts),
        ],
    )
    return result


def _register_source(
    con: duckdb.DuckDBPyConnection,
    location: StoreLocation,
    source_name: str | None,
    load_id: int,
) -> str:
    source_id = source_name or location.default_name
    if not source_id or len(source_id) > 128 or any(c in source_id for c in "\n\r\t"):
        raise GraphletsError(
            f"invalid source name {source_id!r}", "use --source NAME with a short plain name"
        )
    row = con.execute(
        "select location from raw._sources where source_id = ?", [source_id]
    ).fetchone()
    if row is None:
        (key,) = con.execute("select coalesce(max(source_key), 0) + 1 from raw._sources").fetchone()
        con.execute(
            "insert into raw._sources values (?, ?, ?, ?, ?)",
            [source_id, key, location.kind, location.display, load_id],
        )
    elif row[0] != location.display:
        if source_name is None:
            raise GraphletsError(
                f"source {source_id!r} was loaded from {row[0]}, not {location.display}",
                f"pass --source {source_id} to load this store as that source, "
                "or --source NEW_NAME to load it as another one",
            )
        con.execute(
            "update raw._sources set location = ?, kind = ? where source_id = ?",
            [location.display, location.kind, source_id],
        )
    return source_id


def _sync_table(
    con: duckdb.DuckDBPyConnection, table: Table, source_id: str, load_id: int
) -> TableCounts:
    """Bring raw.<table>'s rows of this source in line with the store; count the changes."""
    raw = f"raw.{table.raw_name}"
    cols = [c for c, _ in table.columns]
    typed = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in table.columns)
    order_cols = ", ".join(f'"{c}"' for c in cols)
    extra = ""
    if "step_ordinal" in table.key:
        extra = (
            ", cast(row_number() over (partition by event_id "
            "order by is_index_step, step_index, step_key) as integer) as step_ordinal"
        )
        cols = [*cols, "step_ordinal"]
    column_ddl = ", ".join(
        [f'"{c}" {t}' for c, t in table.columns]
        + (["step_ordinal integer"] if "step_ordinal" in table.key else [])
    )
    con.execute(
        f"""create table if not exists {raw} (
            source_id varchar not null,
            _load_id bigint not null,
            _row_hash ubigint not null,
            {column_ddl}
        )"""
    )
    rows = (
        f"select *, hash({order_cols}) as _row_hash "
        f'from (select {typed}{extra} from src."{table.name}")'
    )
    has_rows = con.execute(
        f"select count(*) > 0 from (select 1 from {raw} where source_id = $source limit 1)",
        {"source": source_id},
    ).fetchone()[0]
    if not has_rows:
        # First load of this source into this table: everything is new, no diff needed.
        (inserted,) = con.execute(
            f"""insert into {raw} (source_id, _load_id, _row_hash, {", ".join(cols)})
            select $source, $load, _row_hash, {", ".join(f'"{c}"' for c in cols)}
            from ({rows})""",
            {"source": source_id, "load": load_id},
        ).fetchone()
        return TableCounts(table.name, inserted, inserted, 0, 0)
    con.execute(f"create or replace temp table _incoming as {rows}")
    on = " and ".join(f'i."{k}" is not distinct from r."{k}"' for k in table.key)
    key_list = ", ".join(f'"{k}"' for k in table.key)
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
        full outer join (select {key_list}, _row_hash from {raw} where source_id = $source)
            as r
            on {on}
        where i._row_hash is distinct from r._row_hash""",
        {"source": source_id},
    )
    changes = dict(con.execute("select change, count(*) from _diff group by all").fetchall())
    diff_on = " and ".join(f'd."{k}" is not distinct from t."{k}"' for k in table.key)
    if changes.get("updated") or changes.get("deleted"):
        con.execute(
            f"""delete from {raw} as t
            where t.source_id = $source and exists (
                select 1 from _diff as d where d.change <> 'new' and {diff_on}
            )""",
            {"source": source_id},
        )
    if changes.get("updated") or changes.get("new"):
        select_cols = ", ".join(f't."{c}"' for c in cols)
        con.execute(
            f"""insert into {raw} (source_id, _load_id, _row_hash, {", ".join(cols)})
            select $source, $load, t._row_hash, {select_cols}
            from _incoming as t
            where exists (select 1 from _diff as d where d.change <> 'deleted' and {diff_on})""",
            {"source": source_id, "load": load_id},
        )
    (read,) = con.execute("select count(*) from _incoming").fetchone()
    con.execute("drop table _incoming")
    con.execute("drop table _diff")
    return TableCounts(
        table.name,
        read,
        changes.get("new", 0),
        changes.get("updated", 0),
        changes.get("deleted", 0),
    )


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
