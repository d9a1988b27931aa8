"""Load an ML Metadata store (SQLite file or MySQL database) into the warehouse's raw tables.

The store is read through DuckDB's sqlite/mysql scanners (extension binaries from PyPI,
installed offline). Each MLMD table is copied faithfully into ``raw.mlmd_<table>`` with the
source's name and the id of the load that wrote the row. Loads are incremental and
idempotent: rows are compared by primary key and content hash, so a reload adds nothing,
and rows that changed in the source (an execution RUNNING -> COMPLETE, a ``pushed``
property written later) replace their old version. A source loaded before is read in delta
mode (:class:`Delta`, docs/incremental.md): only the rows that can have changed are compared,
the rest is verified by a fingerprint, and a table whose fingerprint differs is compared in
full. A load is one transaction; the ``raw._loads`` row is written last. Rows that cannot be
stored faithfully are quarantined with the reason (:mod:`loaders.mlmd.quarantine`); per table,
rows read = accepted + quarantined.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb

from graphlets.core import extensions
from graphlets.core.errors import GraphletsError, SourceError
from graphlets.core.errors import first_line as _first_line
from graphlets.core.warehouse import connect, transaction
from loaders.mlmd import quarantine

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


# How a table was read (raw._load_tables.mode): `first` copied into an empty table, `full`
# compared row by row, `delta` only the rows that can have changed re-read and compared and
# the rest verified by a fingerprint, `fallback` a delta read whose fingerprint differed and
# that was then compared in full.
MODES = ("first", "full", "delta", "fallback")

# Delta reads (docs/incremental.md). MLMD sets an entity's last_update_time_since_epoch on
# every update through its API, and an event's milliseconds_since_epoch when it is written;
# a row stamped up to this much before the latest stamp the warehouse holds (clocks of
# concurrent writers) is still re-read.
UPDATE_MARGIN_MS = 3_600_000
# Tables with an `id` read in delta mode: the stamp column that tells of new and updated
# rows (None: MLMD never updates the table), and (column, table) pairs: a row is also
# re-read when that column names a row re-read from the other table (an association of an
# execution written late, say).
_DELTA: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = {
    "Artifact": ("last_update_time_since_epoch", ()),
    "Execution": ("last_update_time_since_epoch", ()),
    "Context": ("last_update_time_since_epoch", ()),
    "Event": ("milliseconds_since_epoch", (("execution_id", "Execution"),)),
    "Association": (None, (("execution_id", "Execution"),)),
    "Attribution": (None, (("artifact_id", "Artifact"),)),
}
# Rows owned by a row of another table (owner column, owner table): re-read with the owner.
_CHILDREN = {
    "ArtifactProperty": ("artifact_id", "Artifact"),
    "ExecutionProperty": ("execution_id", "Execution"),
    "ContextProperty": ("context_id", "Context"),
    "EventPath": ("event_id", "Event"),
}


@dataclass(frozen=True)
class Delta:
    """A delta read of one table: the store's rows for which ``store`` holds are re-read and
    compared with the warehouse's rows for which ``raw`` holds (the same keys); the other
    rows are verified by a fingerprint (:func:`_read_delta`)."""

    store: str  # SQL over the store's typed row
    raw: str  # SQL over a row of raw.mlmd_<table>; may name _incoming (the rows re-read)


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
    """What one load did to one MLMD table: rows read = rows accepted + rows quarantined;
    new, updated and deleted count the accepted rows' changes to the warehouse's copy."""

    table: str
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_deleted: int
    rows_accepted: int = 0
    rows_quarantined: int = 0
    reasons: tuple[tuple[str, int], ...] = ()  # (reason, rows) of the quarantined rows
    mode: str = "full"  # how the table was read: one of MODES


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

    @property
    def rows_accepted(self) -> int:
        return sum(t.rows_accepted for t in self.tables)

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables)


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
        rows_deleted bigint not null,
        rows_accepted bigint not null,
        rows_quarantined bigint not null
    )""",
    """create table if not exists raw._load_tables (
        load_id bigint not null,
        table_name varchar not null,
        rows_read bigint not null,
        rows_new bigint not null,
        rows_updated bigint not null,
        rows_deleted bigint not null,
        rows_accepted bigint not null,
        rows_quarantined bigint not null,
        mode varchar,
        primary key (load_id, table_name)
    )""",
    quarantine.DDL,
)


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses written before quarantine existed: add its counts (nothing was quarantined)."""
    for table in ("_loads", "_load_tables"):
        (has,) = con.execute(
            "select count(*) from information_schema.columns where table_schema = 'raw' "
            "and table_name = ? and column_name = 'rows_quarantined'",
            [table],
        ).fetchone()
        if not has:
            con.execute(f"alter table raw.{table} add column rows_accepted bigint")
            con.execute(f"alter table raw.{table} add column rows_quarantined bigint")
            con.execute(f"update raw.{table} set rows_accepted = rows_read, rows_quarantined = 0")
    # Warehouses written before delta reads: the mode of their loads is unknown (NULL).
    (has,) = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' "
        "and table_name = '_load_tables' and column_name = 'mode'"
    ).fetchone()
    if not has:
        con.execute("alter table raw._load_tables add column mode varchar")


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

    A source loaded before is read in delta mode where it can be (:class:`Delta`); ``full``
    compares every table row by row instead.

    Rows the warehouse cannot store faithfully are quarantined (:mod:`loaders.mlmd.quarantine`).
    DuckDB's sqlite scanner fails on a value that does not fit its column's type; the
    load then finds such values with SQLite itself, copies the tables holding them with
    those rows marked, and loads again from the copies (a clean store pays nothing).
    """
    location = StoreLocation.parse(store)
    _check_store(location)
    # Tables whose key the store enforces need no check for NULL and repeated keys.
    enforced = (
        quarantine.enforced_keys(Path(location.display), TABLES)
        if location.kind == "sqlite"
        else frozenset()
    )
    started = _utcnow()
    con = connect(warehouse, lock_timeout=lock_timeout, on_wait=on_wait)
    try:
        extensions.load(con, location.kind)
        _attach(con, location)
        try:
            try:
                with transaction(con):
                    return _sync(
                        con, location, source_name, started, progress, frozenset(), enforced, full
                    )
            except (duckdb.Error, UnicodeError) as exc:
                if location.kind != "sqlite":
                    raise _read_error(location, exc) from None
                first_error = exc
            with tempfile.TemporaryDirectory(prefix="graphlets-repair-") as workdir:
                repaired = quarantine.repair_sqlite(
                    Path(location.display), TABLES, Path(workdir), progress
                )
                if not repaired.tables:
                    raise _read_error(location, first_error) from None
                escaped = str(repaired.path).replace("'", "''")
                con.execute(f"attach '{escaped}' as fix (TYPE sqlite, READ_ONLY)")
                try:
                    with transaction(con):
                        return _sync(
                            con,
                            location,
                            source_name,
                            started,
                            progress,
                            frozenset(repaired.tables),
                            enforced,
                            full,
                        )
                except (duckdb.Error, UnicodeError) as exc:
                    raise _read_error(location, exc) from None
                finally:
                    con.execute("detach fix")
        finally:
            con.execute("detach src")
    finally:
        con.close()


def _read_error(location: StoreLocation, exc: BaseException) -> SourceError:
    # A message holding bytes that are not UTF-8 cannot be decoded: name the problem only.
    reason = "invalid UTF-8 in the store" if isinstance(exc, UnicodeError) else _first_line(exc)
    return SourceError(
        f"could not read MLMD store {location.display}: {location.redact(reason)}",
        "the store may be truncated or corrupt; check it with the MLMD client "
        "or `sqlite3 FILE 'PRAGMA integrity_check'`",
    )


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
    repaired: frozenset[str],
    enforced: frozenset[str],
    full: bool,
) -> LoadResult:
    for stmt in _BOOKKEEPING_DDL:
        con.execute(stmt)
    _migrate(con)
    (load_id,) = con.execute("select coalesce(max(load_id), 0) + 1 from raw._loads").fetchone()
    source_id = _register_source(con, location, source_name, load_id)
    # A table whose last load quarantined rows is compared in full: its quarantined keys
    # are not in the warehouse, so no fingerprint of the rows not re-read could match.
    quarantined_before = {
        name
        for (name,) in con.execute(
            "select distinct table_name from raw._quarantine where source_id = ?", [source_id]
        ).fetchall()
    }
    # The quarantine holds each source's latest load: this load's rows replace the last.
    con.execute("delete from raw._quarantine where source_id = ?", [source_id])
    counts = []
    owners: dict[str, str] = {}  # table -> SQL template over a column `{0}` naming its row
    for done, table in enumerate(TABLES):
        if progress is not None:
            progress(table.name, done, len(TABLES))
        delta, reread = _plan_delta(con, table, source_id, owners)
        if full or table.name in repaired or table.name in quarantined_before:
            delta = None
        counts.append(
            _sync_table(
                con,
                table,
                source_id,
                load_id,
                repaired=table.name in repaired,
                check_keys=table.name not in enforced,
                delta=delta,
                reread=reread,
            )
        )
    for name in _DELTA:
        con.execute(f"drop table if exists {_reread_table(name)}")
    if progress is not None:
        progress("done", len(TABLES), len(TABLES))
    finished = _utcnow()
    con.executemany(
        "insert into raw._load_tables (load_id, table_name, rows_read, rows_new, rows_updated, "
        "rows_deleted, rows_accepted, rows_quarantined, mode) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                load_id,
                c.table,
                c.rows_read,
                c.rows_new,
                c.rows_updated,
                c.rows_deleted,
                c.rows_accepted,
                c.rows_quarantined,
                c.mode,
            )
            for c in counts
        ],
    )
    result = LoadResult(load_id, source_id, location.display, started, finished, tuple(counts))
    # Written last: a load without its row here never happened.
    con.execute(
        "insert into raw._loads (load_id, source_id, location, started_at, finished_at, "
        "status, rows_read, rows_new, rows_updated, rows_deleted, rows_accepted, "
        "rows_quarantined) values (?, ?, ?, ?, ?, 'success', ?, ?, ?, ?, ?, ?)",
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
            result.rows_accepted,
            result.rows_quarantined,
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


def _reread_table(name: str) -> str:
    return f"_reread_{name.lower()}"


def _plan_delta(
    con: duckdb.DuckDBPyConnection, table: Table, source_id: str, owners: dict[str, str]
) -> tuple[Delta | None, str | None]:
    """How a delta read of ``table`` selects the rows to re-read (None: the table is always
    compared in full, or this source has no rows of it yet), and the statement that keeps
    the ids re-read (in ``_reread_<table>``, for the tables that refer to it) once the table
    is loaded. ``owners``: table -> SQL template over a column referring to the table, true
    if that row is re-read; filled in here for the tables that follow."""
    if table.name not in (*_DELTA, *_CHILDREN):
        return None, None
    raw = f"raw.{table.raw_name}"
    (exists,) = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = ?",
        [table.raw_name],
    ).fetchone()
    if not exists:
        return None, None
    if table.name in _CHILDREN:
        column, owner = _CHILDREN[table.name]
        if owner not in owners:
            return None, None
        # The owner is part of the key: a key is re-read on both sides or on neither.
        where = owners[owner].format(f'"{column}"')
        return Delta(where, where), None
    stamp, links = _DELTA[table.name]
    # The latest stamp loaded, ignoring stamps more than a day ahead of this machine's
    # clock (a row stamped years ahead would otherwise hide every later update).
    ahead = int(time.time() * 1000) + 24 * 3_600_000
    latest = f"coalesce(max({stamp}) filter (where {stamp} <= {ahead}), max({stamp}))"
    newest, stamped = con.execute(
        f"select max(id), {latest if stamp else 'null'} from {raw} where source_id = ?",
        [source_id],
    ).fetchone()
    if newest is None:
        return None, None
    where = [f'"id" > {int(newest)}']
    if stamped is not None:
        where.append(f'"{stamp}" >= {int(stamped) - UPDATE_MARGIN_MS}')
    where += [owners[other].format(f'"{column}"') for column, other in links if other in owners]
    ids = _reread_table(table.name)
    owners[table.name] = f'{{0}} > {int(newest)} or {{0}} in (select "id" from {ids})'
    reread = (
        f'create or replace temp table {ids} as select "id" from _incoming '
        f"where {' or '.join(where)}"
    )
    # The warehouse's rows under the keys re-read: a key the condition selects in the store
    # but not in the warehouse (a row edited in place) then makes the fingerprints differ.
    return Delta(" or ".join(where), '"id" in (select "id" from _incoming)'), reread


def _read_delta(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source_id: str,
    delta: Delta,
    typed: str,
    extra: str,
) -> int | None:
    """Read the rows of ``table`` that ``delta`` selects into ``_incoming`` and verify the
    others in the same pass over the store: their count and the sum of their row hashes
    must equal those of the warehouse's rows outside ``delta.raw``. Returns how many rows
    were verified, or None if the fingerprints differ (then compare in full)."""
    cols = [c for c, _ in table.columns]
    order_cols = ", ".join(f'"{c}"' for c in cols)
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
                select *, hash({order_cols}) as _row_hash
                from (select {typed} from src."{table.name}")
            )
        )"""
    )
    con.execute(
        "create or replace temp table _incoming as "
        f"select *{extra} from (select unnest(rows, recursive := true) from _split)"
    )
    (verified, fingerprint) = con.execute("select n, fingerprint from _split").fetchone()
    con.execute("drop table _split")
    warehouse = con.execute(
        f"""select count(*), coalesce(sum(_row_hash), 0) from raw.{table.raw_name}
        where source_id = $source and not coalesce({delta.raw}, false)""",
        {"source": source_id},
    ).fetchone()
    return verified if (verified, fingerprint) == tuple(warehouse) else None


def _sync_table(
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
    selects if the others verify (:func:`_read_delta`); ``reread``: a statement run on the
    rows read before they are dropped (:func:`_plan_delta`).
    """
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
    origin, marks = ("fix", ", _reason, _detail, _row_json") if repaired else ("src", "")
    rows = (
        f"select *, hash({order_cols}) as _row_hash "
        f'from (select {typed}{extra}{marks} from {origin}."{table.name}")'
    )
    col_list = ", ".join(f'"{c}"' for c in cols)
    key_list = ", ".join(f'"{k}"' for k in table.key)
    params = {"source": source_id, "load": load_id}
    to_quarantine = (
        f"insert into raw._quarantine select $load, $source, '{table.name}', "
        f"{quarantine.source_row_id(table, 't')}"
    )
    has_rows = con.execute(
        f"select count(*) > 0 from (select 1 from {raw} where source_id = $source limit 1)",
        {"source": source_id},
    ).fetchone()[0]
    if not has_rows and not repaired:
        # First load of this source into this table: everything is new, no diff needed;
        # rows with a NULL or repeated key are moved to the quarantine afterwards.
        (read,) = con.execute(
            f"""insert into {raw} (source_id, _load_id, _row_hash, {col_list})
            select $source, $load, _row_hash, {col_list}
            from ({rows})""",
            params,
        ).fetchone()
        mine = f"(select * from {raw} where source_id = '{_sql_str(source_id)}')"
        if check_keys and quarantine.flag_keys(con, table, mine):
            on = quarantine.key_match(table, "f", "t")
            con.execute(
                f"""{to_quarantine}, f.reason, f.detail, {quarantine.row_json(table, "t")}
                from {raw} as t
                inner join _flagged as f on {on}
                where t.source_id = $source""",
                params,
            )
            con.execute(
                f"""delete from {raw} as t
                where t.source_id = $source
                    and exists (select 1 from _flagged as f where {on})""",
                {"source": source_id},
            )
        con.execute("drop table if exists _flagged")
        (accepted,) = con.execute(
            f"select count(*) from {raw} where source_id = $source", {"source": source_id}
        ).fetchone()
        return _checked_counts(
            con, table, source_id, load_id, read, accepted, accepted, 0, 0, "first"
        )

    mode, verified, in_scope = "full", 0, ""
    if delta is not None and not repaired:
        checked = _read_delta(con, table, source_id, delta, typed, extra)
        if checked is None:
            mode = "fallback"
        else:
            # Only the rows re-read are compared; the others are the same on both sides.
            mode, verified, in_scope = "delta", checked, f"and coalesce({delta.raw}, false)"
    if mode != "delta":
        con.execute(f"create or replace temp table _incoming as {rows}")
    # The keys of the rows quarantined so far: the warehouse's rows under them stay as is.
    con.execute(
        f"create or replace temp table _quarantined_keys as select {key_list} "
        "from _incoming limit 0"
    )
    if repaired:
        con.execute(
            f"""{to_quarantine}, t._reason, t._detail, t._row_json
            from _incoming as t where t._reason is not null""",
            params,
        )
        con.execute(
            f"insert into _quarantined_keys select {key_list} "
            "from _incoming where _reason is not null"
        )
    if check_keys and quarantine.flag_keys(con, table, "_incoming"):
        on = quarantine.key_match(table, "f", "t")
        con.execute(
            f"""{to_quarantine}, f.reason, f.detail, {quarantine.row_json(table, "t")}
            from _incoming as t
            inner join _flagged as f on {on}
            {"where t._reason is null" if repaired else ""}""",
            params,
        )
        con.execute(f"insert into _quarantined_keys select {key_list} from _flagged")
    (n_quarantined_keys,) = con.execute("select count(*) from _quarantined_keys").fetchone()
    unquarantined = ""
    if n_quarantined_keys:
        unquarantined = (
            "and not exists (select 1 from _quarantined_keys as q "
            f"where {quarantine.key_match(table, 'q', 'i')})"
        )
    on = quarantine.key_match(table, "i", "r")
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
            select {key_list}, _row_hash from {raw} where source_id = $source {in_scope}
        ) as r
            on {on}
        where i._row_hash is null
            or (i._row_hash is distinct from r._row_hash {unquarantined})""",
        {"source": source_id},
    )
    changes = dict(con.execute("select change, count(*) from _diff group by all").fetchall())
    if changes.get("updated") and _quarantine_reused_ids(con, table, raw, params):
        changes = dict(con.execute("select change, count(*) from _diff group by all").fetchall())
    diff_on = quarantine.key_match(table, "d", "t")
    if changes.get("updated") or changes.get("deleted"):
        con.execute(
            f"""delete from {raw} as t
            where t.source_id = $source and exists (
                select 1 from _diff as d where d.change in ('updated', 'deleted') and {diff_on}
            )""",
            {"source": source_id},
        )
    if changes.get("updated") or changes.get("new"):
        select_cols = ", ".join(f't."{c}"' for c in cols)
        con.execute(
            f"""insert into {raw} (source_id, _load_id, _row_hash, {col_list})
            select $source, $load, t._row_hash, {select_cols}
            from _incoming as t
            where exists (
                select 1 from _diff as d where d.change in ('new', 'updated') and {diff_on}
            )""",
            params,
        )
    (read,) = con.execute("select count(*) from _incoming").fetchone()
    read += verified
    (in_raw,) = con.execute(
        f"select count(*) from {raw} where source_id = $source", {"source": source_id}
    ).fetchone()
    kept = 0
    if con.execute("select count(*) from _quarantined_keys").fetchone()[0]:
        (kept,) = con.execute(
            f"""select count(*) from {raw} as t
            where t.source_id = $source and exists (
                select 1 from _quarantined_keys as q
                where {quarantine.key_match(table, "q", "t")}
            )""",
            {"source": source_id},
        ).fetchone()
    if reread is not None:
        con.execute(reread)
    for temp in ("_incoming", "_diff", "_quarantined_keys", "_flagged"):
        con.execute(f"drop table if exists {temp}")
    return _checked_counts(
        con,
        table,
        source_id,
        load_id,
        read,
        # Rows an earlier load accepted under a key quarantined now are not this load's.
        in_raw - kept,
        changes.get("new", 0),
        changes.get("updated", 0),
        changes.get("deleted", 0),
        mode,
    )


def _quarantine_reused_ids(
    con: duckdb.DuckDBPyConnection, table: Table, raw: str, params: dict
) -> int:
    """Among the updated rows, quarantine those whose identity changed (another row under
    the same id: :data:`quarantine.IDENTITY`); their diff entry becomes ``reused``."""
    change = quarantine.identity_change(table, "t", "r")
    if change is None:
        return 0
    differs, detail = change
    con.execute(
        f"""create or replace temp table _reused as
        select t.*, {detail} as _reuse_detail
        from _diff as d
        inner join _incoming as t on {quarantine.key_match(table, "d", "t")}
        inner join {raw} as r
            on r.source_id = $source and {quarantine.key_match(table, "d", "r")}
        where d.change = 'updated' and ({differs})""",
        {"source": params["source"]},
    )
    (n,) = con.execute("select count(*) from _reused").fetchone()
    if n:
        con.execute(
            f"""insert into raw._quarantine select $load, $source, '{table.name}',
                {quarantine.source_row_id(table, "t")}, '{quarantine.REUSED_ID}',
                t._reuse_detail, {quarantine.row_json(table, "t")}
            from _reused as t""",
            params,
        )
        keys = ", ".join(f'"{k}"' for k in table.key)
        con.execute(f"insert into _quarantined_keys select {keys} from _reused")
        con.execute(
            f"""update _diff set change = 'reused'
            where exists (
                select 1 from _reused as u where {quarantine.key_match(table, "u", "_diff")}
            )"""
        )
    con.execute("drop table _reused")
    return n


def _checked_counts(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source_id: str,
    load_id: int,
    read: int,
    accepted: int,
    new: int,
    updated: int,
    deleted: int,
    mode: str,
) -> TableCounts:
    """The table's counts, after checking that every row read was accepted or quarantined."""
    reasons = con.execute(
        "select reason, count(*) from raw._quarantine "
        "where load_id = ? and source_id = ? and table_name = ? group by all order by all",
        [load_id, source_id, table.name],
    ).fetchall()
    quarantined = sum(n for _, n in reasons)
    if read != accepted + quarantined:
        # A bug, not bad input: the load rolls back and the CLI reports an internal error.
        raise RuntimeError(
            f"load accounting broken for {table.name}: {read} rows read, {accepted} in the "
            f"warehouse, {quarantined} quarantined"
        )
    return TableCounts(
        table.name, read, new, updated, deleted, accepted, quarantined, tuple(reasons), mode
    )


def _sql_str(value: str) -> str:
    return value.replace("'", "''")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
