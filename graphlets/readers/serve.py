"""``graphlets serve``: the published snapshot over the PostgreSQL wire protocol.

The protocol is buenavista's (``buenavista.postgres``); this module supplies what it plugs
into it: a session that opens the snapshot locked down
(:func:`graphlets.core.snapshot.open_snapshot`) and reopens it when a new one has been
published, the read-only gate on every statement (:mod:`graphlets.readers.sqlgate`, the same
as ``graphlets query``), answers to the session chatter of Postgres clients that DuckDB
must not see (``SET datestyle``, ``BEGIN``, ``SHOW transaction isolation level``,
``version()``), typed parameter decoding, MD5 password authentication with a constant-time
comparison, and Postgres error fields (SQLSTATE) that clients display properly.

Readers never hold the warehouse: a session holds its snapshot file open (an inode that a
publish renames away from, never rewrites) and checks before each statement whether a newer
snapshot has been renamed into place; if so it reopens. As in Postgres' default READ
COMMITTED, each statement sees the latest snapshot, also inside a transaction; a transaction
begun with ``ISOLATION LEVEL REPEATABLE READ`` or ``SERIALIZABLE`` reads one snapshot
throughout.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hmac
import io
import json
import logging
import re
import socket
import struct
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from buenavista import core, postgres
from buenavista.core import BVType

from graphlets.core.errors import GraphletsError, QueryRefusedError
from graphlets.core.listening import is_loopback, read_secret
from graphlets.core.snapshot import SnapshotIdentity, identity, open_snapshot
from graphlets.readers import pg_catalog
from graphlets.readers.query import engine_error
from graphlets.readers.sqlgate import gate

PASSWORD_ENV = "GRAPHLETS_SERVE_PASSWORD"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5433
SERVER_VERSION = "15.0"
VERSION_STRING = (
    f"PostgreSQL {SERVER_VERSION} (graphlets read-only snapshot, DuckDB {duckdb.__version__})"
)
FAILED_LOGIN_DELAY = 0.5  # seconds: slows password guessing down

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeConfig:
    snapshot: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    password: str | None = field(default=None, repr=False)


def read_password(password_file: Path | None) -> str | None:
    """The password from --password-file, else $GRAPHLETS_SERVE_PASSWORD, else None."""
    return read_secret(password_file, PASSWORD_ENV, "password")


def check_config(config: ServeConfig) -> None:
    if config.password is None and not is_loopback(config.host):
        raise GraphletsError(
            f"refusing to serve on {config.host} without a password",
            f"set {PASSWORD_ENV} or pass --password-file, or bind to 127.0.0.1",
        )
    if not config.snapshot.exists():
        raise GraphletsError(
            f"no published snapshot at {config.snapshot}",
            "build the warehouse (graphlets build) or publish it (graphlets publish)",
        )


def make_server(config: ServeConfig) -> SnapshotServer:
    check_config(config)
    try:
        return SnapshotServer(config)
    except OSError as exc:
        raise GraphletsError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}",
            "choose another --port or --host",
        ) from None


def serve(config: ServeConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted."""
    server = make_server(config)
    host, port = server.server_address[:2]
    if on_ready is not None:
        on_ready(f"postgresql://{host}:{port}/graphlets")
    try:
        server.serve_forever()
    finally:
        server.server_close()


# --- buenavista plumbing ---------------------------------------------------------------------


class _AnyUser(Mapping[str, str]):
    """buenavista looks the password up by user name: every user name has the one password."""

    def __init__(self, password: str) -> None:
        self._password = password

    def __getitem__(self, user: str) -> str:
        return self._password

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


class SnapshotServer(postgres.BuenaVistaServer):
    daemon_threads = True

    def __init__(self, config: ServeConfig) -> None:
        auth = _AnyUser(config.password) if config.password is not None else None
        super().__init__((config.host, config.port), SnapshotConnection(config.snapshot), auth=auth)
        self.RequestHandlerClass = _Handler

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # buenavista accepts only 127.0.0.1 unless $BUENAVISTA_HOST is set; here the bind
        # address decides who can connect, and a password is required beyond loopback.
        return True


class SnapshotConnection(core.Connection):
    def __init__(self, snapshot: Path) -> None:
        super().__init__()
        self.snapshot = snapshot

    def parameters(self) -> dict[str, str]:
        return {
            "server_version": SERVER_VERSION,
            "server_encoding": "UTF8",
            "client_encoding": "UTF8",
            "DateStyle": "ISO, MDY",
            "TimeZone": "UTC",
            "IntervalStyle": "postgres",
            "integer_datetimes": "on",
            "standard_conforming_strings": "on",
            "is_superuser": "off",
            "default_transaction_read_only": "on",
        }

    def new_session(self) -> SnapshotSession:
        return SnapshotSession(self.snapshot)


class SnapshotSession(core.Session):
    """One client connection: its own locked-down DuckDB connection to the snapshot."""

    def __init__(self, snapshot: Path) -> None:
        super().__init__()
        self._snapshot = snapshot
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: SnapshotIdentity | None = None
        self._in_txn = False
        self._pinned = False  # a REPEATABLE READ / SERIALIZABLE transaction: no reopening

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._connection()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def in_transaction(self) -> bool:
        return self._in_txn

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """The session's connection, reopened first if a newer snapshot has been published.

        The file is stat'ed before it is opened: if a publish lands in between, the next
        statement sees a changed identity and reopens once more, never the reverse.
        """
        if self._con is None or not self._pinned:
            current = identity(self._snapshot)
            if self._con is None or current != self._identity:
                self.close()
                self._con = open_snapshot(self._snapshot, setup=pg_catalog.setup_statements())
                self._identity = current
        return self._con

    def execute_sql(self, sql: str, params: list | None = None) -> core.QueryResult:
        answered = self._client_chatter(sql)
        if answered is not None:
            return answered
        sql = rewrite_catalog_idioms(sql)
        con = self._connection()
        statements = gate(con, sql)
        if params and len(statements) != 1:
            raise QueryRefusedError(
                "several statements with parameters refused", "send one statement at a time"
            )
        try:
            for statement in statements:
                if params:
                    con.execute(statement, params)
                else:
                    con.execute(statement)
        except duckdb.Error as exc:
            raise engine_error(exc) from None
        return _Rows(con)

    def _client_chatter(self, sql: str) -> core.QueryResult | None:
        """Statements Postgres clients send for themselves, answered without DuckDB."""
        text = sql.strip()
        if not text or text == ";":
            return _Status("")
        if _NOOP_SET.match(text):
            return _Status("SET")
        if _BEGIN.match(text):
            self._in_txn = True
            self._pinned = bool(_PINNING.search(text))
            return _Status("BEGIN")
        if _COMMIT.match(text):
            self._in_txn = self._pinned = False
            return _Status("COMMIT")
        if _ROLLBACK.match(text):
            self._in_txn = self._pinned = False
            return _Status("ROLLBACK")
        if m := _NOOP.match(text):
            words = m.group(1).upper().split()
            one_word = words[0] in ("SAVEPOINT", "RELEASE", "ROLLBACK")
            return _Status(words[0] if one_word else " ".join(words[:2]))
        if m := _SHOW.match(text):
            key = " ".join(m.group(1).lower().split())
            if key in PG_SETTINGS:
                name, value = PG_SETTINGS[key]
                return core.SimpleQueryResult(name, value, BVType.TEXT)
        if _VERSION.match(text):
            return core.SimpleQueryResult("version", VERSION_STRING, BVType.TEXT)
        return None


# Session settings clients send on connect. They are answered "SET" and never reach DuckDB
# (whose configuration is locked): dates come out ISO, floats with full precision, times in
# UTC, text as UTF-8, whatever the client asked.
_NOOP_SET = re.compile(
    r"""^set\s+(?:session\s+|local\s+)?
        (?:datestyle|extra_float_digits|application_name|client_encoding|intervalstyle
          |client_min_messages|statement_timeout|lock_timeout|idle_in_transaction_session_timeout
          |standard_conforming_strings|bytea_output|time\s+zone|timezone|join_collapse_limit
          |jit|default_transaction_isolation|default_transaction_read_only
          |transaction\s+isolation\s+level|transaction\s+read\s+only
          |session\s+characteristics\s+as\s+transaction)
        \b[^;]*;?$""",
    re.I | re.X,
)
_TXN_MODE = (
    r"(?:\s+(?:isolation\s+level\s+(?:read\s+committed|repeatable\s+read|serializable"
    r"|read\s+uncommitted)|read\s+only|read\s+write|(?:not\s+)?deferrable),?)*"
)
_BEGIN = re.compile(
    rf"^(?:begin(?:\s+(?:transaction|work))?|start\s+transaction){_TXN_MODE}\s*;?$", re.I
)
_PINNING = re.compile(r"isolation\s+level\s+(?:repeatable\s+read|serializable)", re.I)
_COMMIT = re.compile(r"^(?:commit|end)(?:\s+(?:transaction|work))?\s*;?$", re.I)
_ROLLBACK = re.compile(r"^(?:rollback|abort)(?:\s+(?:transaction|work))?\s*;?$", re.I)
_NAME = r'(?:\w+|"[^"]+")'
_NOOP = re.compile(
    rf"^(discard\s+all|deallocate\s+(?:prepare\s+)?(?:all|{_NAME})|reset\s+all|close\s+all"
    rf"|unlisten\s+\*|savepoint\s+{_NAME}|release\s+(?:savepoint\s+)?{_NAME}"
    rf"|rollback\s+(?:work\s+|transaction\s+)?to\s+(?:savepoint\s+)?{_NAME})\s*;?$",
    re.I,
)
_SHOW = re.compile(r"^show\s+([a-z_ ]+?)\s*;?$", re.I)
_VERSION = re.compile(
    r"^select\s+(?:pg_catalog\s*\.\s*)?version\s*\(\s*\)(?:\s+as\s+\w+)?\s*;?$", re.I
)

PG_SETTINGS = {
    "transaction isolation level": ("transaction_isolation", "read committed"),
    "transaction_isolation": ("transaction_isolation", "read committed"),
    "transaction_read_only": ("transaction_read_only", "on"),
    "default_transaction_read_only": ("default_transaction_read_only", "on"),
    "standard_conforming_strings": ("standard_conforming_strings", "on"),
    "server_version": ("server_version", SERVER_VERSION),
    "server_version_num": ("server_version_num", "150000"),
    "server_encoding": ("server_encoding", "UTF8"),
    "client_encoding": ("client_encoding", "UTF8"),
    "datestyle": ("DateStyle", "ISO, MDY"),
    "timezone": ("TimeZone", "UTC"),
    "time zone": ("TimeZone", "UTC"),
    "intervalstyle": ("IntervalStyle", "postgres"),
    "integer_datetimes": ("integer_datetimes", "on"),
    "max_identifier_length": ("max_identifier_length", "63"),
    "lc_collate": ("lc_collate", "C"),
    "lc_ctype": ("lc_ctype", "C"),
    "is_superuser": ("is_superuser", "off"),
    "search_path": ("search_path", "marts, main"),
    "application_name": ("application_name", ""),
}

# Catalog-query idioms of Postgres clients that DuckDB's pg_catalog does not parse. The
# rewritten text is what the gate checks and DuckDB runs.
_CATALOG_IDIOMS = (
    (re.compile(r"OPERATOR\s*\(\s*pg_catalog\s*\.\s*(~\*?|!~\*?)\s*\)", re.I), r"\1"),
    (re.compile(r"\s+COLLATE\s+pg_catalog\s*\.\s*\"?default\"?", re.I), ""),
    (
        re.compile(
            r"::\s*(?:pg_catalog\s*\.\s*)?(?:regclass|regtype|regproc|regnamespace)\b", re.I
        ),
        "",
    ),
    (re.compile(r"::\s*pg_catalog\s*\.\s*(\w+)", re.I), r"::\1"),
)


def rewrite_catalog_idioms(sql: str) -> str:
    """The idioms above rewritten, then ``pg_catalog`` names pointed at the compat layer."""
    for pattern, replacement in _CATALOG_IDIOMS:
        sql = pattern.sub(replacement, sql)
    return pg_catalog.rewrite(sql)


# --- results ---------------------------------------------------------------------------------


class _Status(core.QueryResult):
    def __init__(self, status: str) -> None:
        super().__init__()
        self._status = status

    def has_results(self) -> bool:
        return False

    def column_count(self) -> int:
        return 0

    def column(self, index: int) -> tuple[str, BVType]:
        raise IndexError(index)

    def rows(self) -> Iterator[list]:
        return iter(())

    def status(self) -> str:
        return self._status


def _utc_naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _interval(value: dt.timedelta) -> str:
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if value.microseconds:
        clock += f".{value.microseconds:06d}"
    return f"{sign}{value.days} days {sign}{clock}" if value.days else f"{sign}{clock}"


def _json_text(value: Any) -> str:
    return json.dumps(value, default=str)


_SAME = None  # keep the value; buenavista's converter for the type formats it
_TYPES: dict[str, tuple[BVType, Callable[[Any], Any] | None]] = {
    "bigint": (BVType.BIGINT, _SAME),
    "integer": (BVType.INTEGER, _SAME),
    "smallint": (BVType.INTEGER, _SAME),
    "tinyint": (BVType.INTEGER, _SAME),
    "utinyint": (BVType.INTEGER, _SAME),
    "usmallint": (BVType.INTEGER, _SAME),
    "uinteger": (BVType.BIGINT, _SAME),
    "ubigint": (BVType.DECIMAL, _SAME),
    "hugeint": (BVType.DECIMAL, _SAME),
    "uhugeint": (BVType.DECIMAL, _SAME),
    "bignum": (BVType.DECIMAL, _SAME),
    "decimal": (BVType.DECIMAL, _SAME),
    "double": (BVType.FLOAT, _SAME),
    "float": (BVType.FLOAT, _SAME),
    "boolean": (BVType.BOOL, _SAME),
    "varchar": (BVType.TEXT, _SAME),
    "date": (BVType.DATE, _SAME),
    "time": (BVType.TIME, _SAME),
    "timestamp": (BVType.TIMESTAMP, _SAME),
    "timestamp_s": (BVType.TIMESTAMP, _SAME),
    "timestamp_ms": (BVType.TIMESTAMP, _SAME),
    "timestamp_ns": (BVType.TIMESTAMP, _SAME),
    # Postgres clients get timestamptz values as UTC timestamps.
    "timestamp with time zone": (BVType.TIMESTAMP, _utc_naive),
    "blob": (BVType.BYTES, _SAME),
    "interval": (BVType.TEXT, _interval),
}


def _column_type(duck_type: Any) -> tuple[BVType, Callable[[Any], Any] | None]:
    kind = getattr(duck_type, "id", str(duck_type)).lower()
    if kind in _TYPES:
        return _TYPES[kind]
    if kind in ("list", "struct", "map", "array", "union"):
        return BVType.TEXT, _json_text
    return BVType.TEXT, str


class _Rows(core.QueryResult):
    """The result of the last statement, streamed from DuckDB in batches."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__()
        self._con = con
        self._columns = [(d[0], *_column_type(d[1])) for d in con.description or []]
        self._rows = self._stream() if self._columns else iter(())

    def has_results(self) -> bool:
        return bool(self._columns)

    def column_count(self) -> int:
        return len(self._columns)

    def column(self, index: int) -> tuple[str, BVType]:
        name, bvtype, _ = self._columns[index]
        return name, bvtype

    def rows(self) -> Iterator[list]:
        return self._rows

    def status(self) -> str:
        return "SELECT 0"

    def _stream(self) -> Iterator[list]:
        converters = [convert for _, _, convert in self._columns]
        while batch := self._con.fetchmany(2048):
            for row in batch:
                yield [
                    v if c is None or v is None else c(v)
                    for v, c in zip(row, converters, strict=True)
                ]


# --- the protocol handler --------------------------------------------------------------------

# Postgres sends booleans in text format as "t"/"f", buenavista as "true"/"false"; psql's
# describe commands compare with "t" (a NOT NULL column, an index, a role's attributes).
_PG_BOOL = postgres.BVTYPE_TO_PGTYPE[BVType.BOOL]
postgres.BVTYPE_TO_PGTYPE[BVType.BOOL] = (_PG_BOOL[0], lambda v: "t" if v else "f", _PG_BOOL[2])


def _sqlstate(exc: BaseException) -> str:
    if isinstance(exc, _LoginFailed):
        return "28P01"
    if isinstance(exc, QueryRefusedError):
        return "42501"  # insufficient_privilege
    if isinstance(exc, GraphletsError) and exc.problem.startswith("syntax error"):
        return "42601"
    return "XX000"


class _LoginFailed(Exception):
    pass


_PG_EPOCH = dt.datetime(2000, 1, 1)
_BINARY_FIXED = {16: "!?", 20: "!q", 21: "!h", 23: "!i", 26: "!I", 700: "!f", 701: "!d"}


def _decode_param(oid: int, fmt: int, raw: bytes | None) -> Any:
    """A bound parameter as a Python value DuckDB can bind (text or binary format)."""
    if raw is None:
        return None
    if fmt == 1:
        return _decode_binary(oid, raw)
    text = raw.decode("utf-8")
    if oid in (20, 21, 23, 26):
        return int(text)
    if oid in (700, 701):
        return float(text)
    if oid == 1700:
        return decimal.Decimal(text)
    if oid == 16:
        return text.lower() in ("t", "true", "1", "yes", "on")
    if oid == 1082:
        return dt.date.fromisoformat(text)
    if oid in (1114, 1184):
        return _utc_naive(dt.datetime.fromisoformat(text))
    return text


def _decode_binary(oid: int, raw: bytes) -> Any:
    if oid in _BINARY_FIXED:
        return struct.unpack(_BINARY_FIXED[oid], raw)[0]
    if oid in (0, 25, 705, 1042, 1043):
        return raw.decode("utf-8")
    if oid == 17:
        return bytes(raw)
    if oid == 1082:
        return _PG_EPOCH.date() + dt.timedelta(days=struct.unpack("!i", raw)[0])
    if oid in (1114, 1184):  # microseconds since 2000-01-01 (UTC for timestamptz)
        return _PG_EPOCH + dt.timedelta(microseconds=struct.unpack("!q", raw)[0])
    if oid == 1700:
        return _decode_numeric(raw)
    raise QueryRefusedError(
        f"binary parameter of type oid {oid} refused (not supported)",
        "send parameters in text format",
    )


def _decode_numeric(raw: bytes) -> decimal.Decimal:
    """Postgres' binary numeric: base-10000 digits with a weight, a sign and a scale."""
    ndigits, weight, sign, dscale = struct.unpack("!hhHh", raw[:8])
    if sign == 0xC000:
        return decimal.Decimal("NaN")
    digits = struct.unpack(f"!{ndigits}h", raw[8 : 8 + 2 * ndigits])
    value = decimal.Decimal(0)
    for i, digit in enumerate(digits):
        value += decimal.Decimal(digit).scaleb(4 * (weight - i))
    value = value.quantize(decimal.Decimal(1).scaleb(-dscale)) if dscale else value
    return -value if sign == 0x4000 else value


class _Handler(postgres.BuenaVistaHandler):
    def handle_query(self, ctx: postgres.BVContext, payload: bytes) -> None:
        # buenavista's own version treats any text ending in "}" as a JSON extension call.
        sql = payload.decode("utf-8").rstrip("\x00")
        try:
            result = ctx.execute_sql(sql)
        except Exception as exc:
            self.send_error(exc)
            self.send_ready_for_query(ctx)
            return
        if result.has_results():
            self.send_row_description(result)
            count = self.send_data_rows(result)
            self.send_command_complete(f"SELECT {count}\x00")
        else:
            self.send_command_complete(f"{result.status()}\x00")
        self.send_ready_for_query(ctx)

    def handle_md5_password(self, ctx: postgres.BVContext, payload: bytes) -> None:
        sent = payload.decode("utf-8", "replace").rstrip("\x00")
        expected = ctx.get_hashed_password(self.server.auth)
        if hmac.compare_digest(sent.encode(), expected.encode()):
            self.send_authentication_ok()
            self.handle_post_auth(ctx)
            return
        time.sleep(FAILED_LOGIN_DELAY)
        user = ctx.params.get("user", "")
        self.send_error(_LoginFailed(f'password authentication failed for user "{user}"'))
        # Postgres closes the connection after a failed login; so do we.
        self.request.shutdown(socket.SHUT_RDWR)

    def handle_bind(self, ctx: postgres.BVContext, payload: bytes) -> None:
        buf = postgres.BVBuffer(io.BytesIO(payload))
        portal = _read_cstring(buf)
        stmt = _read_cstring(buf)
        formats = [buf.read_int16() for _ in range(buf.read_int16())]
        count = buf.read_int16()
        formats = formats or [0]
        if len(formats) == 1:
            formats = formats * count
        oids = ctx.stmts[stmt][1]
        params = []
        for i in range(count):
            size = buf.read_int32()
            raw = None if size < 0 else buf.read_bytes(size)
            params.append(_decode_param(oids[i] if i < len(oids) else 0, formats[i], raw))
        result_formats = [buf.read_int16() for _ in range(buf.read_int16())]
        ctx.add_portal(portal, stmt, params, result_formats)
        self.send_bind_complete()

    def send_error(self, exception: Any, ctx: postgres.BVContext | None = None) -> None:
        if isinstance(exception, GraphletsError):
            message = exception.message
        else:
            message = str(exception) or type(exception).__name__
        buf = postgres.BVBuffer()
        for code, value in (
            (b"S", "ERROR"),
            (b"V", "ERROR"),
            (b"C", _sqlstate(exception) if isinstance(exception, BaseException) else "XX000"),
            (b"M", message),
        ):
            buf.write_byte(code)
            buf.write_string(value)
        buf.write_byte(postgres.NULL_BYTE)
        out = buf.get_value()
        self.wfile.write(struct.pack("!ci", postgres.ServerResponse.ERROR_RESPONSE, len(out) + 4))
        self.wfile.write(out)
        if ctx is not None:
            ctx.mark_error()


def _read_cstring(buf: postgres.BVBuffer) -> str:
    data = bytearray()
    while (byte := buf.read_byte()) not in (b"", postgres.NULL_BYTE):
        data += byte
    return data.decode("utf-8")


def quiet_buenavista() -> None:
    """buenavista logs every statement at INFO and client disconnects as tracebacks."""
    logging.getLogger("buenavista").setLevel(logging.CRITICAL)
