"""``graphlets serve``: the published snapshot over the PostgreSQL wire protocol.

The protocol is buenavista's (``buenavista.postgres``); this module supplies what it plugs
into it: a session that opens the snapshot locked down
(:func:`graphlets.core.snapshot.open_snapshot`) and reopens it when a new one has been
published, the read-only gate on every statement (:mod:`graphlets.readers.sqlgate`, the same
as ``graphlets query``), answers to the session chatter of Postgres clients that DuckDB
must not see (``SET datestyle``, ``BEGIN``, ``SHOW transaction isolation level``,
``version()``), typed parameter decoding, password authentication (SCRAM-SHA-256 by
default, :mod:`graphlets.readers.pgscram`; MD5 with a constant-time comparison on request),
and Postgres error fields (SQLSTATE) that clients display properly.

Limits (:class:`ServeConfig`, docs/bi.md): every statement runs under a time limit (the
server's, or the client's ``SET statement_timeout`` if lower), in a DuckDB instance with its
own memory limit and threads, and at most ``max_active_queries`` run at once (so the server
as a whole uses at most that many times one session's memory and threads). A Postgres cancel
request interrupts the statement (SQLSTATE 57014), and so does the client hanging up. The
protocol loop is buenavista's, re-done in :class:`_Handler` with bounds: a startup packet of
at most 10 kB (as Postgres), a message of at most :data:`MAX_MESSAGE_BYTES` (an
authentication message at most :data:`MAX_AUTH_MESSAGE_BYTES`), an
authentication timeout, an idle timeout, a connection cap (SQLSTATE 53300 past it); every
disconnect closes the session's DuckDB instance and snapshot file; each client error is one
log line.

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
import signal
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import duckdb
from buenavista import core, postgres
from buenavista.core import BVType

from graphlets.core.errors import GraphletsError, QueryRefusedError
from graphlets.core.errors import first_line as _first_line
from graphlets.core.listening import is_loopback, read_secret
from graphlets.core.snapshot import SnapshotIdentity, duplicate, identity, open_snapshot
from graphlets.readers import pg_catalog, pgcursors, pgscram, pgtls, pgtypes
from graphlets.readers.limits import QueryCancelledError, QueryLimits, Watchdog
from graphlets.readers.pg_catalog import PG_SETTINGS, SERVER_VERSION
from graphlets.readers.query import engine_error
from graphlets.readers.sqlgate import bound, gate

PASSWORD_ENV = "GRAPHLETS_SERVE_PASSWORD"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5433
VERSION_STRING = (
    f"PostgreSQL {SERVER_VERSION} (graphlets read-only snapshot, DuckDB {duckdb.__version__})"
)
FAILED_LOGIN_DELAY = 0.5  # seconds: slows password guessing down
MAX_STARTUP_BYTES = 10_000  # as Postgres' MAX_STARTUP_PACKET_LENGTH
MAX_MESSAGE_BYTES = 4_000_000  # a statement is at most 1 MB (sqlgate), its parameters too
MAX_AUTH_MESSAGE_BYTES = 65_535  # before authentication (Postgres' PG_MAX_AUTH_TOKEN_LENGTH)
AUTH_METHODS = ("scram", "md5")  # --auth: SCRAM-SHA-256 (the default), or MD5 for old drivers
DEFAULT_MAX_CONNECTIONS = 64
DEFAULT_MAX_ACTIVE_QUERIES = 4
DEFAULT_AUTH_TIMEOUT = 10.0  # seconds from connecting to being authenticated
DEFAULT_IDLE_TIMEOUT = 900.0  # seconds without a message before a session is closed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeConfig:
    snapshot: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    password: str | None = field(default=None, repr=False)
    limits: QueryLimits = field(default_factory=QueryLimits)
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_active_queries: int = DEFAULT_MAX_ACTIVE_QUERIES
    auth_timeout: float = DEFAULT_AUTH_TIMEOUT
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT  # 0: never
    tls_cert: Path | None = None  # PEM files: with both, SSL requests are answered "S"
    tls_key: Path | None = None
    auth: str = "scram"  # one of AUTH_METHODS


def read_password(password_file: Path | None) -> str | None:
    """The password from --password-file, else $GRAPHLETS_SERVE_PASSWORD, else None."""
    return read_secret(password_file, PASSWORD_ENV, "password")


def check_config(config: ServeConfig) -> None:
    if config.auth not in AUTH_METHODS:
        raise GraphletsError(
            f"unknown authentication method {config.auth!r}", "use --auth scram or --auth md5"
        )
    if (config.tls_cert is None) != (config.tls_key is None):
        raise GraphletsError(
            "--tls-cert and --tls-key go together", "pass both (PEM files), or neither"
        )
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
    pgtypes.install()
    try:
        return SnapshotServer(config)
    except OSError as exc:
        raise GraphletsError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}",
            "choose another --port or --host",
        ) from None


def serve(config: ServeConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    server = make_server(config)
    host, port = server.server_address[:2]
    _log_one_line_per_event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    if on_ready is not None:
        on_ready(f"postgresql://{host}:{port}/graphlets")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        server.cancel_all()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _log_one_line_per_event() -> None:
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("graphlets serve: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


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
    block_on_close = False
    request_queue_size = 128  # the listen backlog: a burst of connects is accepted in order

    def __init__(self, config: ServeConfig) -> None:
        auth = _AnyUser(config.password) if config.password is not None else None
        self.config = config
        self.verifier: pgscram.Verifier | None = None  # derived once, with a fresh salt
        if config.password is not None and config.auth == "scram":
            self.verifier = pgscram.make_verifier(config.password)
        self.clients = 0
        self._clients_lock = threading.Lock()
        self.tls: ssl.SSLContext | None = None
        if config.tls_cert is not None and config.tls_key is not None:
            self.tls = pgtls.server_context(config.tls_cert, config.tls_key)
        # SCRAM-SHA-256-PLUS over TLS: channel binding to this certificate, if it can be bound
        self.tls_certificate: str | None = None
        if self.tls is not None and self.verifier is not None and config.tls_cert is not None:
            pem = config.tls_cert.read_text("ascii", "replace")
            if pgscram.usable_for_binding(pem):
                self.tls_certificate = pem
            else:
                log.warning("no SCRAM channel binding: the certificate's hash is not supported")
        slots = threading.BoundedSemaphore(config.max_active_queries)
        connection = SnapshotConnection(config.snapshot, config.limits, slots)
        super().__init__((config.host, config.port), connection, auth=auth)
        self.RequestHandlerClass = _Handler

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread per client, up to ``max_connections``; past it, Postgres' refusal."""
        with self._clients_lock:
            full = self.clients >= self.config.max_connections
            if not full:
                self.clients += 1
        if full:
            log.warning("client %s refused: %d connections open", client_address[0], self.clients)
            _refuse_connection(request, "sorry, too many clients already", "53300")
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release_client()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release_client()

    def _release_client(self) -> None:
        with self._clients_lock:
            self.clients -= 1

    def cancel_all(self) -> None:
        """Interrupt every running statement (the server is stopping)."""
        for ctx in list(self.ctxts.values()):
            ctx.session.cancel("terminating connection due to administrator command")

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # buenavista accepts only 127.0.0.1 unless $BUENAVISTA_HOST is set; here the bind
        # address decides who can connect, and a password is required beyond loopback.
        return True


class SnapshotConnection(core.Connection):
    def __init__(
        self, snapshot: Path, limits: QueryLimits, slots: threading.BoundedSemaphore
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.limits = limits
        self.slots = slots
        self._lock = threading.Lock()

    def create_session(self) -> core.Session:
        with self._lock:  # buenavista's dict of sessions, from many client threads
            return super().create_session()

    def close_session(self, session: core.Session) -> None:
        """Close the session's DuckDB instance (and its snapshot file), not only forget it."""
        session.close()
        with self._lock:
            super().close_session(session)

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
        return SnapshotSession(self.snapshot, self.limits, self.slots)


class SnapshotSession(core.Session):
    """One client connection: its own locked-down DuckDB connection to the snapshot."""

    def __init__(
        self,
        snapshot: Path,
        limits: QueryLimits | None = None,
        slots: threading.BoundedSemaphore | None = None,
    ) -> None:
        super().__init__()
        self._snapshot = snapshot
        self._limits = limits or QueryLimits()
        self._slots = slots or threading.BoundedSemaphore(DEFAULT_MAX_ACTIVE_QUERIES)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: SnapshotIdentity | None = None
        self._in_txn = False
        self._pinned = False  # a REPEATABLE READ / SERIALIZABLE transaction: no reopening
        self.statement_timeout = 0.0  # seconds, the client's SET statement_timeout (0: none)
        self.peer: socket.socket | None = None  # watched for a hang-up while a query runs
        self._running: _Running | None = None
        self._state = threading.Lock()
        self._cursors = pgcursors.Cursors()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._connection()

    def close(self) -> None:
        self.finish()
        self._cursors.close(None, self._con)
        self._close_connection()

    def _close_connection(self) -> None:
        """Close the session's connection, unless an open cursor still reads from it."""
        if self._con is not None and not self._cursors.uses(self._con):
            self._con.close()
        self._con = None

    def cancel(self, reason: str = "canceling statement due to user request") -> None:
        """Interrupt the running statement, if any (a Postgres cancel request)."""
        with self._state:
            if self._running is not None:
                self._running.dog.cancel(reason)

    def finish(self) -> None:
        """The running statement is over (its rows sent, or abandoned): free its slot."""
        with self._state:
            running, self._running = self._running, None
        if running is not None:
            running.release()

    def timeout(self) -> float:
        limits = [t for t in (self._limits.timeout, self.statement_timeout) if t]
        return min(limits) if limits else 0.0

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
                self.finish()
                self._close_connection()
                self._con = open_snapshot(
                    self._snapshot,
                    setup=pg_catalog.setup_statements(),
                    settings=self._limits.engine_settings(),
                )
                self._identity = current
        return self._con

    def execute_sql(self, sql: str, params: list | None = None) -> core.QueryResult:
        self.finish()
        answered = self._client_chatter(sql)
        if answered is not None:
            return answered
        bound(sql)
        if (declare := pgcursors.parse_declare(sql)) is not None:
            return self._declare(declare, params)
        if (fetch := pgcursors.parse_fetch(sql)) is not None:
            return self._fetch(*fetch)
        sql = rewrite_catalog_idioms(sql)
        con = self._connection()
        statements = gate(con, sql)
        if params and len(statements) != 1:
            raise QueryRefusedError(
                "several statements with parameters refused", "send one statement at a time"
            )
        running = self._start(con)
        try:
            for statement in statements:
                if params:
                    con.execute(statement, params)
                else:
                    con.execute(statement)
            return _Rows(con, running)
        except duckdb.Error as exc:
            self.finish()
            raise running.error(exc) from None
        except BaseException:
            self.finish()
            raise

    def _declare(self, declare: pgcursors.Declare, params: list | None) -> core.QueryResult:
        """``DECLARE name CURSOR FOR query``: the query, gated, run on a connection of its own."""
        self._cursors.check_new(declare.name, declare.hold, self._in_txn)
        con = self._connection()
        statements = gate(con, rewrite_catalog_idioms(declare.query))
        if len(statements) != 1:
            raise QueryRefusedError(
                "DECLARE of several statements refused", "declare a cursor for one SELECT"
            )
        own = duplicate(con, pg_catalog.connection_statements())
        running = self._start(own)
        try:
            own.execute(statements[0], params or None)
        except duckdb.Error as exc:
            self.finish()
            own.close()
            raise running.error(exc) from None
        except BaseException:
            self.finish()
            own.close()
            raise
        self.finish()
        self._cursors.add(declare.name, pgcursors.Cursor(own, con, declare.hold, self._in_txn))
        return _Status("DECLARE CURSOR")

    def _fetch(self, name: str, count: int | None) -> core.QueryResult:
        """``FETCH FORWARD count FROM name``: the cursor's next rows (None: all the rest)."""
        cursor = self._cursors.get(name)
        return _Rows(cursor.con, self._start(cursor.con), limit=count)

    def describe_cursor(self, name: str) -> core.QueryResult | None:
        """The columns of cursor ``name`` (a Describe of its portal), None if there is none."""
        cursor = self._cursors.find(name)
        if cursor is None:
            return None
        return _Rows(cursor.con, None, limit=0)

    def _start(self, con: duckdb.DuckDBPyConnection) -> _Running:
        """A slot among the server's running statements, and a watchdog on this one."""
        timeout = self.timeout()
        if not self._slots.acquire(timeout=timeout or None):
            raise QueryCancelledError(
                f"canceling statement: the server stayed busy for {timeout:g} s "
                "(every query slot in use)"
            )
        dog = Watchdog(con, timeout, self.peer)
        running = _Running(dog, self._slots)
        with self._state:
            self._running = running
        dog.__enter__()
        return running

    def _client_chatter(self, sql: str) -> core.QueryResult | None:
        """Statements Postgres clients send for themselves, answered without DuckDB."""
        text = sql.strip()
        if not text or text == ";":
            return _Status("")
        if m := _STATEMENT_TIMEOUT.match(text):
            self.statement_timeout = _seconds(m.group(1))
            return _Status("SET")
        if _NOOP_SET.match(text):
            return _Status("SET")
        if m := _SET_SEARCH_PATH.match(text):
            _check_search_path(m.group(1))
            return _Status("SET")
        if (close := pgcursors.parse_close(text)) is not None:
            self._cursors.close(close[0], self._con)
            return _Status("CLOSE CURSOR" if close[0] is not None else "CLOSE ALL")
        if _BEGIN.match(text):
            self._in_txn = True
            self._pinned = bool(_PINNING.search(text))
            return _Status("BEGIN")
        if _COMMIT.match(text):
            self._cursors.end_transaction(True, self._con)
            self._in_txn = self._pinned = False
            return _Status("COMMIT")
        if _ROLLBACK.match(text):
            self._cursors.end_transaction(False, self._con)
            self._in_txn = self._pinned = False
            return _Status("ROLLBACK")
        if m := _NOOP.match(text):
            words = m.group(1).upper().split()
            if words[0] == "DISCARD":
                self._cursors.close(None, self._con)
            one_word = words[0] in ("SAVEPOINT", "RELEASE", "ROLLBACK")
            return _Status(words[0] if one_word else " ".join(words[:2]))
        if m := _SHOW.match(text):
            key = " ".join(m.group(1).lower().split())
            if key == "statement_timeout":
                ms = round(self.statement_timeout * 1000)
                value = f"{ms}ms" if ms else "0"
                return core.SimpleQueryResult("statement_timeout", value, BVType.TEXT)
            if key in PG_SETTINGS:
                name, value = PG_SETTINGS[key]
                return core.SimpleQueryResult(name, value, BVType.TEXT)
        if _VERSION.match(text):
            return core.SimpleQueryResult("version", VERSION_STRING, BVType.TEXT)
        return None


class _Running:
    """The statement a session is running: its watchdog and its slot, released once."""

    def __init__(self, dog: Watchdog, slots: threading.BoundedSemaphore) -> None:
        self.dog = dog
        self._slots: threading.BoundedSemaphore | None = slots

    def release(self) -> None:
        self.dog.stop()
        if self._slots is not None:
            self._slots.release()
            self._slots = None

    def error(self, exc: duckdb.Error) -> GraphletsError:
        return self.dog.error(exc) or engine_error(exc)


# ``SET statement_timeout``: milliseconds, or with a unit; 0 or DEFAULT for none.
_STATEMENT_TIMEOUT = re.compile(
    r"""^set\s+(?:session\s+|local\s+)?statement_timeout\s*(?:=|\s+to\s+)\s*
        '?\s*(default|\d+(?:\.\d+)?\s*(?:ms|s|min|h)?)\s*'?\s*;?$""",
    re.I | re.X,
)
_UNITS = {"ms": 0.001, "": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}


def _seconds(value: str) -> float:
    value = value.strip().lower()
    if value == "default":
        return 0.0
    number = re.match(r"\d+(?:\.\d+)?", value)
    assert number is not None  # the pattern above matched digits
    return float(number.group(0)) * _UNITS[value[number.end() :].strip()]


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
# ``SET search_path``: Superset's SQL Lab sets it to the schema a query runs in, DBeaver to
# the schema picked in its toolbar. The snapshot's path is fixed (PG_SETTINGS): a path that
# keeps its order is answered "SET", any other is refused (unqualified names would not
# resolve where the client expects).
_SET_SEARCH_PATH = re.compile(
    r"^set\s+(?:session\s+|local\s+)?search_path\s*(?:=|\s+to\s+)\s*(.+?)\s*;?$", re.I | re.S
)
_FIXED_PATH = [name.strip() for name in PG_SETTINGS["search_path"][1].split(",")]
_IMPLICIT_SCHEMAS = frozenset({"$user", "public", "pg_catalog"})


def _check_search_path(value: str) -> None:
    if value.strip().lower() == "default":
        return  # pgjdbc's setSchema(null): the default path, the snapshot's
    names = []
    for part in value.split(","):
        name = part.strip()
        if len(name) > 1 and name[0] == name[-1] and name[0] in "\"'":
            name = name[1:-1]
        else:
            name = name.lower()
        if name not in _IMPLICIT_SCHEMAS:
            names.append(name)
    if not names or names != _FIXED_PATH[: len(names)]:
        fixed = ", ".join(_FIXED_PATH)
        raise QueryRefusedError(
            f"SET search_path to {value.strip()} refused: the snapshot's search path is {fixed}",
            "qualify names with their schema (marts.fct_graphlets)",
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
    rf"^(discard\s+all|deallocate\s+(?:prepare\s+)?(?:all|{_NAME})|reset\s+all"
    rf"|unlisten\s+\*|savepoint\s+{_NAME}|release\s+(?:savepoint\s+)?{_NAME}"
    rf"|rollback\s+(?:work\s+|transaction\s+)?to\s+(?:savepoint\s+)?{_NAME})\s*;?$",
    re.I,
)
_SHOW = re.compile(r"^show\s+([a-z_ ]+?)\s*;?$", re.I)
_VERSION = re.compile(
    r"^select\s+(?:pg_catalog\s*\.\s*)?version\s*\(\s*\)(?:\s+as\s+\w+)?\s*;?$", re.I
)


def rewrite_catalog_idioms(sql: str) -> str:
    """Postgres catalog idioms rewritten for DuckDB (:func:`graphlets.readers.pg_catalog.rewrite`).

    The rewritten text is what the gate checks and DuckDB runs.
    """
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

    def __init__(
        self, con: duckdb.DuckDBPyConnection, running: _Running | None, limit: int | None = None
    ) -> None:
        super().__init__()
        self._con = con
        self._running = running
        self._limit = limit  # at most this many rows (a FETCH from a cursor); None: all
        self._columns = [(d[0], *_column_type(d[1])) for d in con.description or []]
        self._rows = self._stream() if self._columns and limit != 0 else iter(())
        if not self._columns or limit == 0:
            self._release()

    def _release(self) -> None:
        if self._running is not None:
            self._running.release()

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
        """The rows, fetched under the statement's watchdog (its time limit covers them)."""
        converters = [convert for _, _, convert in self._columns]
        left = self._limit
        try:
            while left is None or left > 0:
                try:
                    batch = self._con.fetchmany(2048 if left is None else min(left, 2048))
                except duckdb.Error as exc:
                    raise (self._running.error(exc) if self._running else exc) from None
                if not batch:
                    break
                if left is not None:
                    left -= len(batch)
                for row in batch:
                    yield [
                        v if c is None or v is None else c(v)
                        for v, c in zip(row, converters, strict=True)
                    ]
        finally:
            self._release()


# --- the protocol handler --------------------------------------------------------------------


def _sqlstate(exc: BaseException) -> str:
    if isinstance(exc, QueryRefusedError):
        return "42501"  # insufficient_privilege
    if isinstance(exc, QueryCancelledError):
        return QueryCancelledError.sqlstate
    if isinstance(exc, _ProtocolViolation | pgcursors.CursorError):
        return exc.sqlstate
    if isinstance(exc, GraphletsError) and exc.problem.startswith("syntax error"):
        return "42601"
    return "XX000"


class _ProtocolViolation(Exception):
    """A client broke the protocol's bounds: the connection is closed after the error."""

    def __init__(self, message: str, sqlstate: str = "08P01") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _error_packet(message: str, sqlstate: str, severity: str = "ERROR") -> bytes:
    buf = postgres.BVBuffer()
    for code, value in ((b"S", severity), (b"V", severity), (b"C", sqlstate), (b"M", message)):
        buf.write_byte(code)
        buf.write_string(value)
    buf.write_byte(postgres.NULL_BYTE)
    out = buf.get_value()
    return struct.pack("!ci", postgres.ServerResponse.ERROR_RESPONSE, len(out) + 4) + out


def _refuse_connection(request: socket.socket, message: str, sqlstate: str) -> None:
    """A FATAL error, after answering "no" to an SSL request so that libpq shows it.

    This runs on the accepting thread: it waits at most ``_REFUSAL_WAIT`` seconds in all.
    """
    deadline = time.monotonic() + _REFUSAL_WAIT
    try:
        for _ in range(2):
            request.settimeout(max(deadline - time.monotonic(), 0.001))
            head = request.recv(8, socket.MSG_PEEK)
            if len(head) < 8 or struct.unpack("!I", head[4:8])[0] not in (
                _SSL_REQUEST,
                _GSSENC_REQUEST,
            ):
                break
            request.recv(8)
            request.sendall(b"N")
        request.settimeout(1.0)
        request.sendall(_error_packet(message, sqlstate, "FATAL"))
    except OSError:
        pass


_REFUSAL_WAIT = 0.2


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


_SSL_REQUEST, _GSSENC_REQUEST, _CANCEL_REQUEST, _PROTOCOL_3 = 80877103, 80877104, 80877102, 196608
_C = postgres.ClientCommand


class _Handler(postgres.BuenaVistaHandler):
    """buenavista's protocol handler with bounds, timeouts, cancels and one-line errors."""

    server: SnapshotServer
    request: Any  # the accepted socket, an ssl.SSLSocket once TLS is on
    connection: Any
    rfile: Any
    wfile: Any
    _tls_refused = False  # an SSL request was answered "N"
    _scram: pgscram.Exchange | None = None  # the SCRAM exchange under way, if any

    def handle(self) -> None:
        """buenavista's loop, bounded: startup, message sizes, auth and idle timeouts."""
        config = self.server.config
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        self.r = postgres.BVBuffer(self.rfile)
        client = self.client_address[0]
        ctx: postgres.BVContext | None = None
        try:
            sock.settimeout(config.auth_timeout or None)
            ctx = self.handle_startup(self.server.conn)
            sock = self.request  # a TLS socket if the client asked for TLS
            if ctx is not None:
                self.server.ctxts[ctx.process_id] = ctx
                if isinstance(ctx.session, SnapshotSession):
                    ctx.session.peer = sock
            while ctx is not None:
                waiting = config.idle_timeout if ctx.authenticated else config.auth_timeout
                sock.settimeout(waiting or None)
                if not self._message(ctx):
                    break
        except TimeoutError:
            idle = ctx is not None and ctx.authenticated
            why = "idle-session timeout" if idle else "authentication timeout"
            log.info("client %s: closing the connection (%s)", client, why)
            self._send_fatal(f"terminating connection due to {why}", "57P05" if idle else "08006")
        except ssl.SSLError as exc:
            log.warning("client %s: TLS failed: %s", client, exc.reason or _first_line(exc))
        except (ConnectionError, EOFError, struct.error):
            if ctx is None and self._tls_refused:
                log.info("client %s: disconnected: it asked for TLS (no --tls-cert)", client)
            else:
                log.info("client %s: disconnected", client)
        except _ProtocolViolation as exc:
            log.warning("client %s: %s", client, exc)
            self._send_fatal(str(exc), exc.sqlstate)
        except Exception as exc:  # one line per client error, never a traceback
            log.warning("client %s: %s: %s", client, type(exc).__name__, _first_line(exc))
            self._send_fatal(_first_line(exc), "08P01")
        finally:
            if ctx is not None:
                self.server.conn.close_session(ctx.session)
                self.server.ctxts.pop(ctx.process_id, None)

    def _message(self, ctx: postgres.BVContext) -> bool:
        """Read and handle one message; False when the client terminates."""
        type_code = self.r.read_byte()
        if not type_code or type_code == _C.TERMINATE:
            return False
        self.request.settimeout(self.server.config.auth_timeout or None)
        length = self.r.read_uint32()
        if length < 4 or length > (
            MAX_MESSAGE_BYTES if ctx.authenticated else MAX_AUTH_MESSAGE_BYTES
        ):
            raise _ProtocolViolation(f"invalid message length {length}")
        payload = self.r.read_bytes(length - 4) if length > 4 else b""
        if len(payload) != length - 4:
            raise EOFError
        self.request.settimeout(self.server.config.idle_timeout or None)  # writes
        if not ctx.authenticated:
            if type_code != _C.PASSWORD_MESSAGE:
                raise _ProtocolViolation("expected a password message", "28000")
            self._authenticate(ctx, payload)
            return True
        handlers = {
            _C.QUERY: self.handle_query,
            _C.PARSE: self.handle_parse,
            _C.BIND: self.handle_bind,
            _C.DESCRIBE: self.handle_describe,
            _C.EXECUTE: self.handle_execute,
            _C.CLOSE: self.handle_close,
        }
        if type_code in handlers:
            handlers[type_code](ctx, payload)
        elif type_code == _C.SYNC:
            ctx.sync()
            self.send_ready_for_query(ctx)
        elif type_code == _C.FLUSH:
            ctx.flush()
        else:
            raise _ProtocolViolation(f"unknown message type {type_code!r}")
        return True

    def handle_startup(self, conn: core.Connection) -> postgres.BVContext | None:
        for _ in range(3):  # an SSL request, a GSSAPI request, then the startup packet
            length = self.r.read_uint32()
            if length < 8 or length > MAX_STARTUP_BYTES:
                raise _ProtocolViolation(f"invalid startup packet length {length}")
            body = self.r.read_bytes(length - 4)
            if len(body) != length - 4:
                raise EOFError
            code = struct.unpack("!I", body[:4])[0]
            if code == _SSL_REQUEST and self.server.tls is not None:
                if isinstance(self.request, ssl.SSLSocket):
                    raise _ProtocolViolation("SSL request on a TLS connection")
                self._start_tls(self.server.tls)
                continue
            if code in (_SSL_REQUEST, _GSSENC_REQUEST):
                self._tls_refused = self._tls_refused or code == _SSL_REQUEST
                self.wfile.write(b"N")
                continue
            if code == _CANCEL_REQUEST and len(body) == 12:
                self._cancel(*struct.unpack("!II", body[4:12]))
                return None
            if code != _PROTOCOL_3:
                version = f"{code >> 16}.{code & 0xFFFF}"
                raise _ProtocolViolation(f"unsupported frontend protocol {version}")
            fields = [x.decode("utf-8") for x in body[4:].split(postgres.NULL_BYTE)]
            params = dict(zip(fields[::2], fields[1::2], strict=False))
            ctx = postgres.BVContext(conn.create_session(), self.server.rewriter, params)
            self.send_auth_request(ctx)
            return ctx
        raise _ProtocolViolation("too many encryption requests")

    def _start_tls(self, context: ssl.SSLContext) -> None:
        """Answer "S" and go on over TLS (the handshake is bounded by the socket's timeout)."""
        self.wfile.write(b"S")
        tls = context.wrap_socket(self.request, server_side=True)
        self.request = self.connection = tls
        self.rfile = tls.makefile("rb", self.rbufsize)
        self.wfile = pgtls.SocketWriter(tls)
        self.r = postgres.BVBuffer(self.rfile)

    def finish(self) -> None:
        super().finish()
        if isinstance(self.request, ssl.SSLSocket):
            self.request.close()  # the server closes the plain socket it accepted

    def _cancel(self, process_id: int, secret_key: int) -> None:
        """A Postgres cancel request: interrupt that session's statement (not close it)."""
        ctx = self.server.ctxts.get(process_id)
        if ctx is None or not hmac.compare_digest(
            struct.pack("!I", ctx.secret_key), struct.pack("!I", secret_key)
        ):
            log.info("client %s: cancel request for no such session", self.client_address[0])
            return
        log.info("client %s: cancel request", self.client_address[0])
        ctx.session.cancel()

    def _send_fatal(self, message: str, sqlstate: str) -> None:
        try:
            self.request.settimeout(1.0)
            self.wfile.write(_error_packet(message, sqlstate, "FATAL"))
        except OSError:
            pass

    def handle_query(self, ctx: postgres.BVContext, payload: bytes) -> None:
        # buenavista's own version treats any text ending in "}" as a JSON extension call.
        try:
            sql = payload.decode("utf-8").rstrip("\x00")
            result = ctx.execute_sql(sql)
            if result.has_results():
                self.send_row_description(result)
                count = self.send_data_rows(result)
                self.send_command_complete(f"SELECT {count}\x00")
            else:
                self.send_command_complete(f"{result.status()}\x00")
        except (GraphletsError, duckdb.Error, UnicodeDecodeError, ValueError, KeyError) as exc:
            self._statement_failed(ctx, exc)
            self.send_error(exc)
        self.send_ready_for_query(ctx)

    def handle_describe(self, ctx: postgres.BVContext, payload: bytes) -> None:
        """A Describe of a cursor's portal (psycopg's, after DECLARE) gives its columns."""
        name = payload[1:-1].decode("utf-8", "replace")
        if payload[:1] == b"P" and name not in ctx.portals:
            session = ctx.session
            described = (
                session.describe_cursor(name) if isinstance(session, SnapshotSession) else None
            )
            if described is None:
                error = pgcursors.CursorError(
                    f'portal "{name}" does not exist', "DECLARE it first", "34000"
                )
                self.send_error(error, ctx)
            elif described.has_results():
                self.send_row_description(described)
            else:
                self.wfile.write(struct.pack("!ci", b"n", 4))  # NoData
            return
        super().handle_describe(ctx, payload)

    def handle_execute(self, ctx: postgres.BVContext, payload: bytes) -> None:
        try:
            super().handle_execute(ctx, payload)
        except (GraphletsError, duckdb.Error, ValueError, KeyError) as exc:  # while sending rows
            self._statement_failed(ctx, exc)
            self.send_error(exc, ctx)

    def _statement_failed(self, ctx: postgres.BVContext, exc: BaseException) -> None:
        if isinstance(ctx.session, SnapshotSession):
            ctx.session.finish()
        if isinstance(exc, QueryCancelledError):
            log.info("client %s: %s", self.client_address[0], exc)

    def send_auth_request(self, ctx: postgres.BVContext) -> None:
        """No password: in at once; else SCRAM's AuthenticationSASL, or MD5's request."""
        if self.server.verifier is not None:
            self._scram = None
            self.wfile.write(pgscram.sasl_request(plus=self._binding() is not None))
        else:
            super().send_auth_request(ctx)

    def _binding(self) -> str | None:
        """The certificate to bind SCRAM to: on a TLS connection, if it can be bound."""
        return self.server.tls_certificate if isinstance(self.request, ssl.SSLSocket) else None

    def _authenticate(self, ctx: postgres.BVContext, payload: bytes) -> None:
        """A password message: MD5's digest, or SCRAM's initial or final response."""
        verifier = self.server.verifier
        if verifier is None:
            self.handle_md5_password(ctx, payload)
            return
        try:
            if self._scram is None:
                self._scram = pgscram.Exchange(verifier, self._binding())
                self.wfile.write(self._scram.initial(payload))
                return
            self.wfile.write(self._scram.final(payload))
        except pgscram.ScramMalformed as exc:
            raise _ProtocolViolation(str(exc)) from None
        except pgscram.ScramRejected:
            self._login_failed(ctx)
        self.send_authentication_ok()
        self.handle_post_auth(ctx)

    def handle_md5_password(self, ctx: postgres.BVContext, payload: bytes) -> None:
        sent = payload.decode("utf-8", "replace").rstrip("\x00")
        expected = ctx.get_hashed_password(self.server.auth)
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            self._login_failed(ctx)
        self.send_authentication_ok()
        self.handle_post_auth(ctx)

    def _login_failed(self, ctx: postgres.BVContext) -> NoReturn:
        """Postgres' FATAL 28P01, one log line, and the connection closed (after a pause)."""
        time.sleep(FAILED_LOGIN_DELAY)
        user = ctx.params.get("user", "")
        raise _ProtocolViolation(f'password authentication failed for user "{user}"', "28P01")

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
        code = _sqlstate(exception) if isinstance(exception, BaseException) else "XX000"
        self.wfile.write(_error_packet(message, code))
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
