"""The project file, ``graphlets.yml``: the sources a team loads every day, and the build's
settings (docs/refresh.md).

It is parsed with PyYAML and checked with pydantic (unknown keys, wrong kinds and duplicate
names are one-line errors naming the key). Credentials never live in it: a server URL names
the user, and the password comes from ``password_env`` (an environment variable) or
``password_file`` (a file, e.g. a mounted secret); a URL with a password in it is refused.
Relative paths are relative to the file's directory, so a project runs from anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graphlets.core.errors import GraphletsError, SourceError
from graphlets.core.listening import read_secret

FILE_NAME = "graphlets.yml"
KINDS = ("mlmd", "openlineage", "mlflow")
HINT = "see docs/refresh.md for the file's keys"


class ProjectFileError(GraphletsError):
    """The project file is missing, not YAML, or not a valid project file."""


class SourceEntry(BaseModel):
    """One source: ``kind``, ``location`` (a path or URL; for ``openlineage`` optional: the
    events ``graphlets collect`` spooled), its ``name`` in the warehouse, and where the
    password of a server URL comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    kind: Literal["mlmd", "openlineage", "mlflow"]
    location: str | None = None
    password_env: str | None = None
    password_file: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SourceEntry:
        if self.location is None and self.kind != "openlineage":
            raise ValueError(f"a {self.kind} source needs a location")
        if self.password_env and self.password_file:
            raise ValueError("give password_env or password_file, not both")
        url = _server_url(self.location)
        if url is not None and url.password:
            raise ValueError(
                "the location holds a password; put it in an environment variable "
                "(password_env) or a file (password_file)"
            )
        if (self.password_env or self.password_file) and url is None:
            raise ValueError("a password is only for a server URL (mysql://, postgresql://)")
        return self


class ProjectFile(BaseModel):
    """The whole file: an optional ``warehouse``, the ``sources``, dbt ``vars``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    warehouse: str | None = None
    sources: list[SourceEntry] = Field(min_length=1)
    vars: dict[str, Any] = Field(default_factory=dict)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceEntry]) -> list[SourceEntry]:
        names = [s.name for s in sources]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"source names must be unique: {', '.join(repeated)} repeated")
        return sources


@dataclass(frozen=True)
class Project:
    """A project file read and resolved: paths absolute, ready for the loaders."""

    path: Path
    spec: ProjectFile

    @property
    def directory(self) -> Path:
        return self.path.parent

    def warehouse(self) -> Path | None:
        """The file's ``warehouse``, relative to the file's directory."""
        if self.spec.warehouse is None:
            return None
        return (self.directory / Path(self.spec.warehouse).expanduser()).resolve()

    def location(self, source: SourceEntry) -> str | None:
        """What the source's loader takes: a path made absolute, or the URL with the
        password from its variable or file (never printed: loaders redact it)."""
        if source.location is None:
            return None
        url = _server_url(source.location)
        if url is not None:
            return _with_password(source, url, self.directory)
        if source.location.startswith("sqlite:///"):
            path = Path(source.location.removeprefix("sqlite:///"))
            return f"sqlite:///{(self.directory / path.expanduser()).resolve()}"
        if "://" in source.location:
            return source.location  # the loader names what it does not accept
        return str((self.directory / Path(source.location).expanduser()).resolve())


def find_project_file(given: Path | None) -> Path:
    """``--config FILE``, else ``./graphlets.yml``; a one-line error when it is missing."""
    path = (given or Path.cwd() / FILE_NAME).expanduser().resolve()
    if not path.is_file():
        raise ProjectFileError(
            f"project file {path} not found",
            "write a graphlets.yml listing the sources (docs/refresh.md) or pass --config FILE",
        )
    return path


def read_project_file(path: Path) -> Project:
    """Parse and check ``path``; every problem is one line naming the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError) as exc:
        raise ProjectFileError(f"cannot read {path}: {exc}", "check the path") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ProjectFileError(f"{path} is not YAML{where}: {problem}", HINT) from None
    if not isinstance(data, dict):
        raise ProjectFileError(f"{path} is not a mapping of keys (warehouse, sources)", HINT)
    try:
        spec = ProjectFile.model_validate(data)
    except ValidationError as exc:
        raise ProjectFileError(f"{path}: {_first_problem(exc, data)}", HINT) from None
    return Project(path, spec)


def _first_problem(exc: ValidationError, data: dict) -> str:
    """pydantic's first error as ``sources[1] (name): message``."""
    error = exc.errors()[0]
    where = []
    for part in error["loc"]:
        where.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    place = "".join(where).lstrip(".") or "the file"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "literal_error":
        message = f"must be one of {', '.join(KINDS)}"
    elif error["type"] == "missing":
        message = "required"
    elif error["type"] == "too_short":
        message = "list at least one source"
    elif error["type"] == "string_pattern_mismatch":
        message = "letters, digits, '_', '.', '-' only, starting with a letter or digit"
    return f"{place}: {message}"


def _server_url(location: str | None) -> Any:
    """The split URL of a server location (mysql, mariadb, postgres), else None."""
    if location is None:
        return None
    scheme = location.split("://", 1)[0].split("+", 1)[0].lower() if "://" in location else ""
    return urlsplit(location) if scheme in ("mysql", "mariadb", "postgresql", "postgres") else None


def _with_password(source: SourceEntry, url: Any, directory: Path) -> str:
    """The URL with the password read from ``password_env`` / ``password_file``."""
    if not (source.password_env or source.password_file):
        return urlunsplit(url)
    if source.password_env:
        secret = os.environ.get(source.password_env)
        if not secret:
            raise SourceError(
                f"source {source.name}: environment variable {source.password_env} is not set",
                "export it with the server's password",
            )
    else:
        path = (directory / Path(source.password_file or "").expanduser()).resolve()
        try:
            secret = read_secret(path, "", "password")
        except GraphletsError as exc:
            raise SourceError(f"source {source.name}: {exc.problem}", exc.hint) from None
    user = quote(url.username or "", safe="")
    host = url.hostname or ""
    port = f":{url.port}" if url.port else ""
    netloc = f"{user}:{quote(secret or '', safe='')}@{host}{port}"
    return urlunsplit(url._replace(netloc=netloc))
