"""``graphlets collect``: an HTTP endpoint for OpenLineage's HTTP transport.

``POST /api/v1/lineage`` (the path Marquez serves, the transport's default endpoint) takes
one event per request, or a JSON array of events, plain or gzip-encoded (the transport's
``compression: gzip``). The events are checked as the loader checks them
(:func:`loaders.openlineage.events.parse_event`), appended to the spool as canonical JSON
lines and fsynced before the answer (:class:`loaders.openlineage.spool.SpoolWriter`): a 2xx
means the events are on disk. A request is all or nothing: one bad event in an array and
none is stored.

Answers: 201 stored; 400 not JSON or not an event (the reason in a JSON body); 401 a wrong
or missing API key (``Authorization: Bearer KEY``, as the transport's ``api_key`` auth sends
it) when one is set; 413 a body over the bound; 415 a content-encoding other than gzip; 429
a client over the rate bound; 503 the spool could not take the events. ``GET
/api/v1/lineage`` answers ``{"status": "ok"}``.

The collector never opens the warehouse: the events wait in the spool until a load or a
build reads them (docs/openlineage.md).
"""

from __future__ import annotations

import hmac
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphlets.core.errors import GraphletsError
from graphlets.core.listening import is_loopback, read_secret
from loaders.openlineage.events import NOT_JSON, NOT_UTF8, NotAnEvent, loads, parse_event
from loaders.openlineage.spool import SpoolError, SpoolWriter

API_KEY_ENV = "GRAPHLETS_COLLECT_API_KEY"
ENDPOINT = "/api/v1/lineage"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
MAX_BODY_BYTES = 2**20  # a request body (decompressed) over this is refused: 413
DRAIN_BYTES = 16 * 2**20  # of a refused body, at most this much is read before answering
RATE_PER_SECOND = 200.0  # requests per second per client address, sustained ...
RATE_BURST = 400  # ... and in a burst
MAX_CLIENTS_TRACKED = 10_000


@dataclass(frozen=True)
class CollectConfig:
    """Where the collector listens, where it spools, and its bounds."""

    spool: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    api_key: str | None = field(default=None, repr=False)
    max_body_bytes: int = MAX_BODY_BYTES
    rate_per_second: float = RATE_PER_SECOND
    rate_burst: int = RATE_BURST


def read_api_key(api_key_file: Path | None) -> str | None:
    """The key from --api-key-file, else $GRAPHLETS_COLLECT_API_KEY, else None."""
    key = read_secret(api_key_file, API_KEY_ENV, "API key")
    return key.strip() if key else key


def check_config(config: CollectConfig) -> None:
    """Refuse to listen beyond loopback without an API key."""
    if config.api_key is None and not is_loopback(config.host):
        raise GraphletsError(
            f"refusing to collect on {config.host} without an API key",
            f"set {API_KEY_ENV} or pass --api-key-file, or bind to 127.0.0.1",
        )


class _Refused(Exception):
    """A request answered with an error status and a reason; nothing is stored."""

    def __init__(self, status: int, reason: str, **extra: object) -> None:
        super().__init__(reason)
        self.status = status
        self.body: dict[str, object] = {"error": reason, **extra}


class _RateBound:
    """A token bucket per client address (thread-safe; forgets full buckets when it tracks
    too many clients)."""

    def __init__(
        self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.per_second)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > MAX_CLIENTS_TRACKED:
                self._forget(now)
            return allowed

    def _forget(self, now: float) -> None:
        full = [
            c
            for c, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * self.per_second >= self.burst
        ]
        for client in full:
            del self._buckets[client]


class Collector:
    """The endpoint's state: the config, the spool writer and the rate bound."""

    def __init__(self, config: CollectConfig, writer: SpoolWriter) -> None:
        self.config = config
        self.writer = writer
        self.rate = _RateBound(config.rate_per_second, config.rate_burst)
        self._write_lock = threading.Lock()

    def authorized(self, request: Request) -> bool:
        if self.config.api_key is None:
            return True
        given = request.headers.get("authorization", "")
        expected = f"Bearer {self.config.api_key}"
        return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))

    async def body(self, request: Request) -> bytes:
        """The request body, decompressed, at most ``max_body_bytes`` (else 413)."""
        limit = self.config.max_body_bytes
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            elif size > DRAIN_BYTES:
                break
        if size > limit:
            # The rest of a refused body is read and dropped (up to DRAIN_BYTES) before the
            # answer: a client still sending would otherwise get a broken pipe, not the 413.
            raise _Refused(413, f"request body over {limit} bytes")
        body = b"".join(chunks)
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if encoding == "gzip":
            return _gunzip(body, limit)
        if encoding not in ("", "identity"):
            raise _Refused(415, f"unsupported content-encoding {encoding!r}")
        return body

    def store(self, data: bytes) -> None:
        with self._write_lock:
            self.writer.append(data)


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise _Refused(400, "not gzip", detail="the body is not valid gzip") from None
    if len(data) > limit:
        raise _Refused(413, f"request body over {limit} bytes (decompressed)")
    if not inflater.eof:
        raise _Refused(400, "not gzip", detail="the gzip body is truncated")
    return data


def events_of(body: bytes) -> bytes:
    """The NDJSON lines to spool for a request body: one event or an array of them, each
    checked; :class:`_Refused` (400) for the first that is not one."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(400, NOT_UTF8) from None
    try:
        value: Any = loads(text)
    except (ValueError, RecursionError) as exc:
        raise _Refused(400, NOT_JSON, detail=str(exc).splitlines()[0] if str(exc) else "") from None
    values = value if isinstance(value, list) else [value]
    if not values:
        raise _Refused(400, "an empty array holds no event")
    lines = []
    for index, item in enumerate(values):
        try:
            event = parse_event(item)
        except NotAnEvent as exc:
            where = {"index": index} if isinstance(value, list) else {}
            raise _Refused(400, exc.reason, detail=exc.detail, **where) from None
        lines.append(event.canonical.encode("utf-8") + b"\n")
    return b"".join(lines)


def make_app(collector: Collector) -> Starlette:
    """The Starlette application: ``POST`` and ``GET`` on :data:`ENDPOINT`."""

    async def lineage(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"status": "ok"})
        client = request.client.host if request.client else "unknown"
        try:
            if not collector.rate.allow(client):
                raise _Refused(429, "too many requests")
            if not collector.authorized(request):
                raise _Refused(401, "missing or wrong API key")
            lines = events_of(await collector.body(request))
            await anyio.to_thread.run_sync(collector.store, lines)
        except _Refused as refused:
            headers = _headers(refused.status)
            return JSONResponse(refused.body, status_code=refused.status, headers=headers)
        except SpoolError as exc:
            return JSONResponse({"error": "not stored", "detail": str(exc)}, status_code=503)
        return JSONResponse({"stored": lines.count(b"\n")}, status_code=201)

    return Starlette(routes=[Route(ENDPOINT, lineage, methods=["GET", "POST"])])


def _headers(status: int) -> dict[str, str]:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if status == 429:
        return {"Retry-After": "1"}
    return {}


def _listen(config: CollectConfig) -> socket.socket:
    """The listening socket, bound before the server starts (a busy port is one line)."""
    try:
        infos = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise GraphletsError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}",
            "choose another --port or --host",
        ) from None
    return sock


def serve(config: CollectConfig, on_ready: Callable[[str, Path], None] | None = None) -> None:
    """Collect until interrupted (SIGINT/SIGTERM end it after the requests in flight)."""
    check_config(config)
    try:
        writer = SpoolWriter(config.spool)
    except SpoolError as exc:
        raise GraphletsError(str(exc), "check the --spool directory and its permissions") from None
    sock = _listen(config)
    host, port = sock.getsockname()[:2]
    app = make_app(Collector(config, writer))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            http="h11",
            loop="asyncio",
            lifespan="off",
            log_level="warning",
            access_log=False,
            server_header=False,
        )
    )
    try:
        if on_ready is not None:
            shown = f"[{host}]" if ":" in host else host
            on_ready(f"http://{shown}:{port}{ENDPOINT}", config.spool)
        server.run(sockets=[sock])
    finally:
        sock.close()
        writer.close()
