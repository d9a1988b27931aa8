"""Where an MLMD store lives and how DuckDB opens it: a SQLite file or a MySQL database.

:class:`StoreLocation` parses what the user passed (a path or a ``mysql://`` URL) without
touching the warehouse; :func:`check_store` then validates the store itself (an MLMD store
of the schema version the loader reads, with every table and column), and :func:`attach`
attaches it to a connection as ``src``. Failures become :class:`SourceError` with a hint,
the MySQL password redacted from every message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from graphlets.core import extensions
from graphlets.core.errors import SourceError
from graphlets.core.errors import first_line as _first_line
from loaders import server_url
from loaders.mlmd.schema import SUPPORTED_SCHEMA_VERSION, TABLES


@dataclass(frozen=True)
class StoreLocation:
    """Where an MLMD store lives: a SQLite file or a MySQL database."""

    kind: str  # "sqlite" | "mysql"
    attach: str  # what follows ATTACH in DuckDB, naming the store `src`
    display: str  # safe to print and store (no password)
    default_name: str
    secret: str = ""  # the password, never printed

    def redact(self, text: str) -> str:
        return server_url.redact(text, self.secret)

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
        server = server_url.parse(url, "mysql", "root", "mysql://user:password@host:port/database")
        escaped = server.conninfo().replace("'", "''")
        return cls(
            "mysql",
            f"'{escaped}' as src (TYPE mysql, READ_ONLY)",
            server.display,
            server.database,
            server.password,
        )


def attach(con: duckdb.DuckDBPyConnection, location: StoreLocation) -> None:
    """Attach the store to ``con`` as ``src``, read-only."""
    try:
        if location.kind == "mysql":
            # MLMD declares `Type.type_kind` as TINYINT(1) and stores 0, 1 or 2 in it; the
            # scanner's default reads TINYINT(1) as a boolean, turning context types (2) into 1.
            con.execute("set mysql_tinyint1_as_boolean = false")
        con.execute(f"attach {location.attach}")
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot open MLMD store {location.display}: {location.redact(_first_line(exc))}",
            open_hint(location),
        ) from None


def open_hint(location: StoreLocation) -> str:
    """What to check when the store cannot be opened at all."""
    if location.kind == "mysql":
        return "check the URL, the credentials and that the server is reachable"
    return "the file may be truncated, corrupt or not a SQLite database"


def read_error(location: StoreLocation, exc: BaseException) -> SourceError:
    """The error for a store that opened but whose rows could not be read."""
    # A message holding bytes that are not UTF-8 cannot be decoded: name the problem only.
    reason = "invalid UTF-8 in the store" if isinstance(exc, UnicodeError) else _first_line(exc)
    return SourceError(
        f"could not read MLMD store {location.display}: {location.redact(reason)}",
        "the store may be truncated or corrupt; check it with the MLMD client "
        "or `sqlite3 FILE 'PRAGMA integrity_check'`",
    )


def check_store(location: StoreLocation) -> None:
    """Validate the store before the warehouse is touched: MLMD tables and version 10."""
    con = duckdb.connect()
    try:
        extensions.load(con, location.kind)
        attach(con, location)
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
        _check_version(con, location)
        _check_layout(con, location, tables)
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot open MLMD store {location.display}: {location.redact(_first_line(exc))}",
            open_hint(location),
        ) from None
    finally:
        con.close()


def _check_version(con: duckdb.DuckDBPyConnection, location: StoreLocation) -> None:
    """The store's MLMDEnv holds exactly the schema version the loader reads."""
    try:
        versions = [v for (v,) in con.execute("select schema_version from src.MLMDEnv").fetchall()]
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
            "upgrade the store with ml-metadata >= 1.11 (it migrates on connect) and load it again",
        )


def _check_layout(
    con: duckdb.DuckDBPyConnection, location: StoreLocation, tables: set[str]
) -> None:
    """The store has every MLMD table, each with every column the loader reads."""
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
