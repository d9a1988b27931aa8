"""A database server's URL (``mysql://user:password@host:port/db``, ``postgresql://...``) as
the loaders take it: split into the connection string DuckDB's mysql and postgres extensions
attach with, a display without the password, and the redaction of that password from error
messages (the extensions quote the connection string, password included, when they fail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from graphlets.core.errors import SourceError

DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432}
# Query parameters meant for a Python driver, not the server connection: left out (DuckDB's
# mysql extension talks utf8mb4 itself). The others are passed on (e.g. sslmode, ssl_mode).
_DRIVER_ONLY = {"mysql": {"charset"}}


@dataclass(frozen=True)
class ServerUrl:
    """A server URL's parts; ``scheme`` is ``mysql`` or ``postgresql`` (driver suffixes such
    as ``+pymysql`` dropped); ``options`` are the URL's query parameters."""

    scheme: str
    host: str
    port: int
    user: str
    password: str
    database: str
    options: tuple[tuple[str, str], ...] = ()

    @property
    def display(self) -> str:
        """The URL without the password: safe to print and store."""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.database}"

    def conninfo(self) -> str:
        """The ``key=value`` connection string of libpq (and of DuckDB's mysql extension)."""
        name = "dbname" if self.scheme == "postgresql" else "database"
        fields = [
            ("host", self.host),
            ("port", str(self.port)),
            ("user", self.user),
            ("password", self.password),
            (name, self.database),
            *self.options,
        ]
        return " ".join(f"{k}={_quote(v)}" for k, v in fields if k != "password" or v)

    def redact(self, text: str) -> str:
        """``text`` with the password replaced by ``***``."""
        return redact(text, self.password)


def redact(text: str, secret: str) -> str:
    """``text`` with every ``password=...`` of a connection string, and ``secret``, replaced
    by ``***``."""
    text = re.sub(r"password=('(?:[^'\\]|\\.)*'|[^\s\"]+)", "password=***", text)
    return text.replace(secret, "***") if secret else text


def parse(url: str, scheme: str, default_user: str, example: str) -> ServerUrl:
    """Split ``url`` (of server kind ``scheme``); a URL without host or database is a
    one-line :class:`SourceError` showing ``example``."""
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        port = 0
    if not parts.hostname or not database or not port or "/" in database:
        raise SourceError(
            f"server URL {url.split('@')[-1]!r} lacks a host, a port or a database",
            f"use {example}",
        )
    return ServerUrl(
        scheme,
        parts.hostname,
        port,
        unquote(parts.username or default_user),
        unquote(parts.password or ""),
        database,
        tuple((k, v) for k, v in parse_qsl(parts.query) if k not in _DRIVER_ONLY.get(scheme, ())),
    )


def _quote(value: str) -> str:
    if value and all(c.isalnum() or c in "._-" for c in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
