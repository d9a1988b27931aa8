"""Limits on every statement run on the snapshot (``graphlets query`` and ``graphlets serve``).

- **Time**: a :class:`Watchdog` thread interrupts the DuckDB connection (``interrupt()``)
  when the statement has run longer than its limit, when it is cancelled (a Postgres cancel
  request) or when its client hung up; the statement then fails with a one-line error
  (SQLSTATE ``57014`` over the wire, as Postgres' ``statement_timeout`` and cancel).
- **Memory and threads**: each DuckDB instance gets ``memory_limit`` and ``threads``
  before its configuration is locked (:func:`graphlets.core.snapshot.open_snapshot`).

The defaults come from the environment (:data:`TIMEOUT_ENV`, :data:`MEMORY_ENV`,
:data:`THREADS_ENV`), the command line overrides them.
"""

from __future__ import annotations

import os
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from graphlets.core.errors import GraphletsError

TIMEOUT_ENV = "GRAPHLETS_QUERY_TIMEOUT"
MEMORY_ENV = "GRAPHLETS_QUERY_MEMORY"
THREADS_ENV = "GRAPHLETS_QUERY_THREADS"
DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MEMORY = "1GB"
DEFAULT_THREADS = 2
_POLL = 0.05  # seconds between the watchdog's checks


class QueryCancelledError(GraphletsError):
    """A statement stopped before it finished: its time limit, a cancel, a hang-up."""

    exit_code = 6
    sqlstate = "57014"  # query_canceled


@dataclass(frozen=True)
class QueryLimits:
    """What one statement may use: seconds of wall time (0: none), memory, threads."""

    timeout: float = DEFAULT_TIMEOUT
    memory_limit: str = DEFAULT_MEMORY
    threads: int = DEFAULT_THREADS

    def __post_init__(self) -> None:
        if self.timeout < 0:
            raise GraphletsError(f"timeout {self.timeout} is negative", "pass seconds >= 0")
        if self.threads < 1:
            raise GraphletsError(f"threads {self.threads} is below 1", "pass 1 or more")
        if not re.fullmatch(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)", self.memory_limit, re.I):
            raise GraphletsError(
                f"memory limit {self.memory_limit!r} is not a size", "pass e.g. 512MB or 2GB"
            )

    def engine_settings(self) -> dict[str, str | int]:
        return {"memory_limit": self.memory_limit, "threads": self.threads}


def limits_from_env(
    timeout: float | None = None, memory: str | None = None, threads: int | None = None
) -> QueryLimits:
    """The limits given, else from the environment, else the defaults."""
    try:
        return QueryLimits(
            timeout=timeout
            if timeout is not None
            else float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT)),
            memory_limit=memory or os.environ.get(MEMORY_ENV, DEFAULT_MEMORY),
            threads=threads if threads is not None else int(os.environ.get(THREADS_ENV, 2)),
        )
    except ValueError as exc:
        raise GraphletsError(
            f"bad query limit in the environment ({exc})",
            f"set {TIMEOUT_ENV} to seconds and {THREADS_ENV} to an integer",
        ) from None


class Watchdog:
    """Interrupts ``con`` at ``timeout`` seconds, on :meth:`cancel`, or when ``peer`` hangs up.

    Use as a context manager around the execution (and the fetching) of one statement; the
    thread ends with the block. :meth:`error` turns DuckDB's interruption into the reason.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        timeout: float,
        peer: socket.socket | None = None,
    ) -> None:
        self._con = con
        self._timeout = timeout
        self._peer = peer
        self._done = threading.Event()
        self._lock = threading.Lock()
        self.reason: str | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Watchdog:
        if self._timeout or self._peer is not None:
            self._thread = threading.Thread(target=self._watch, name="watchdog", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        with self._lock:
            self._done.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
            self._thread = None

    def cancel(self, reason: str = "canceling statement due to user request") -> None:
        self._interrupt(reason)

    def _interrupt(self, reason: str) -> None:
        with self._lock:
            if self._done.is_set() or self.reason is not None:
                return
            self.reason = reason
            self._con.interrupt()

    def _watch(self) -> None:
        started = time.monotonic()
        while not self._done.wait(_POLL):
            if self._timeout and time.monotonic() - started > self._timeout:
                self._interrupt(
                    f"canceling statement due to statement timeout ({self._timeout:g} s; "
                    f"set --timeout or ${TIMEOUT_ENV})"
                )
            elif self._peer is not None and hung_up(self._peer):
                self._interrupt("canceling statement: the client disconnected")

    def error(self, exc: BaseException) -> GraphletsError | None:
        """The cancellation ``exc`` stands for, if the watchdog caused it."""
        if self.reason is None:
            return None
        if isinstance(exc, duckdb.InterruptException | duckdb.Error | RuntimeError):
            return QueryCancelledError(self.reason)
        return None


def hung_up(sock: socket.socket) -> bool:
    """Whether the peer closed ``sock`` (readable with nothing to read); data is left unread."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        # the plain socket's recv, also under TLS (an SSLSocket refuses flags): a peek at
        # the bytes on the wire
        return socket.socket.recv(sock, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def guarded(
    con: duckdb.DuckDBPyConnection,
    timeout: float,
    work: Callable[[], object],
) -> object:
    """``work()`` under a :class:`Watchdog`; a cancellation as :class:`QueryCancelledError`."""
    with Watchdog(con, timeout) as dog:
        try:
            return work()
        except (duckdb.Error, RuntimeError) as exc:
            reason = dog.error(exc)
            if reason is not None:
                raise reason from None
            raise
