"""Where an MLflow tracking store is: a SQLite file (``sqlite:///path``, MLflow's own tracking
URI, or a path), or a database on a Postgres or MySQL server, given as MLflow's tracking URI
(``postgresql://user:password@host:port/db``, ``mysql://...``, with or without a driver:
``postgresql+psycopg2://``, ``mysql+pymysql://``).

A server's password is never printed or stored: :attr:`MlflowLocation.display` leaves it
out and :meth:`MlflowLocation.redact` takes it out of error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graphlets.core.errors import SourceError
from loaders import server_url

# MLflow's URL schemes (the part before any `+driver`) -> the DuckDB extension reading them.
_SERVER_SCHEMES = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
}
_EXAMPLES = {
    "postgres": "postgresql://user@host:5432/database",
    "mysql": "mysql://user@host:3306/database",
}
_HINT = "give sqlite:///PATH, a path, postgresql://USER@HOST:PORT/DB or mysql://USER@HOST:PORT/DB"


@dataclass(frozen=True)
class MlflowLocation:
    """A store's database (kind ``mlflow`` in ``raw._sources``): ``backend`` is the DuckDB
    extension that reads it (``sqlite``, ``postgres``, ``mysql``) and ``target`` what that
    extension attaches (the file's path, or the server's connection string, which holds the
    password: never printed)."""

    backend: str
    target: str = field(repr=False)
    display: str
    default_name: str
    secret: str = field(default="", repr=False)
    kind: str = "mlflow"

    @property
    def is_server(self) -> bool:
        return self.backend != "sqlite"

    def redact(self, text: str) -> str:
        """``text`` (an error message) with the connection string shown as the display and
        the password as ``***``."""
        if not self.is_server:
            return text
        return server_url.redact(text.replace(self.target, self.display), self.secret)

    @classmethod
    def parse(cls, source: str) -> MlflowLocation:
        """A SQLite store or a server URL; other URLs are refused with a one-line error."""
        if source.startswith("sqlite:///"):
            raw = source.removeprefix("sqlite:///")
            path = Path("/" + raw.lstrip("/")) if source.startswith("sqlite:////") else Path(raw)
        elif "://" in source:
            return cls._server(source)
        else:
            path = Path(source)
        path = path.expanduser().resolve()
        if not path.is_file():
            raise SourceError(f"MLflow store not found: {path}", "check the path")
        return cls("sqlite", str(path), f"sqlite:///{path}", path.stem)

    @classmethod
    def _server(cls, source: str) -> MlflowLocation:
        scheme = source.split("://", 1)[0]
        backend = _SERVER_SCHEMES.get(scheme.split("+", 1)[0].lower())
        if backend is None:
            raise SourceError(f"unsupported MLflow store URL scheme {scheme}://", _HINT)
        server = server_url.parse(
            source,
            "postgresql" if backend == "postgres" else "mysql",
            "postgres" if backend == "postgres" else "root",
            _EXAMPLES[backend],
        )
        return cls(backend, server.conninfo(), server.display, server.database, server.password)
