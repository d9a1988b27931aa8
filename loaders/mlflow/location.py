"""Where an MLflow tracking store is: a SQLite file, given as ``sqlite:///path`` (MLflow's
own tracking URI) or as a path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphlets.core.errors import SourceError


@dataclass(frozen=True)
class MlflowLocation:
    """A store's database (kind ``mlflow`` in ``raw._sources``)."""

    path: Path
    kind: str = "mlflow"

    @property
    def display(self) -> str:
        return f"sqlite:///{self.path}"

    @property
    def default_name(self) -> str:
        return self.path.stem

    @classmethod
    def parse(cls, source: str) -> MlflowLocation:
        """``sqlite:///path`` or a path; other URLs are refused with a one-line error."""
        if source.startswith("sqlite:///"):
            raw = source.removeprefix("sqlite:///")
            path = Path("/" + raw.lstrip("/")) if source.startswith("sqlite:////") else Path(raw)
        elif "://" in source:
            scheme = source.split("://", 1)[0]
            raise SourceError(
                f"unsupported MLflow store URL scheme {scheme}://",
                "give a SQLite store as sqlite:///PATH or as a path",
            )
        else:
            path = Path(source)
        path = path.expanduser().resolve()
        if not path.is_file():
            raise SourceError(f"MLflow store not found: {path}", "check the path")
        return cls(path)
