"""User-facing errors: one line saying what is wrong and what to do."""

from __future__ import annotations


class GraphletsError(Exception):
    """An error the CLI prints as one line (no traceback) before exiting non-zero."""

    exit_code = 1

    def __init__(self, problem: str, hint: str | None = None) -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.problem}: {self.hint}" if self.hint else self.problem

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show instead of a traceback: the one line."""
        return [f"{type(self).__name__}: {self.message}"]


class SourceError(GraphletsError):
    """The provenance source is missing, unreadable or not what it claims to be."""

    exit_code = 2


class WarehouseLockedError(GraphletsError):
    """Another process holds the warehouse file."""

    exit_code = 3


class BuildError(GraphletsError):
    """dbt failed: the warehouse keeps the state of the last successful build."""

    exit_code = 4


class QueryRefusedError(GraphletsError):
    """A statement sent to the read-only snapshot is not read-only (or reads files)."""

    exit_code = 5


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when empty)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
