"""``graphlets query``: read-only SQL on the published snapshot, printed as a table, CSV, JSON
or Markdown."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from graphlets.core.errors import GraphletsError, QueryRefusedError
from graphlets.core.errors import first_line as _first_line
from graphlets.core.snapshot import open_snapshot
from graphlets.core.text import printable
from graphlets.readers.limits import QueryLimits, guarded
from graphlets.readers.sqlgate import ACCEPTED, gate

FORMATS = ("table", "csv", "json", "markdown")
_MD_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")

_T = TypeVar("_T")
_INTERRUPTED: list[duckdb.DuckDBPyConnection] = []  # never closed: see run_query


@dataclass(frozen=True)
class ResultSet:
    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def run_query(snapshot: Path, sql: str, limits: QueryLimits | None = None) -> list[ResultSet]:
    """Run every statement of ``sql`` (all must be read-only) on the snapshot at ``snapshot``.

    Each statement runs under ``limits`` (time, memory, threads: :mod:`~graphlets.readers.limits`).
    """
    limits = limits or QueryLimits()
    con = open_snapshot(snapshot, settings=limits.engine_settings())
    try:
        results = [_run(con, statement, limits) for statement in gate(con, sql)]
    except KeyboardInterrupt:
        # Closing a connection whose statement was just interrupted can wait forever for
        # DuckDB's worker threads (seen with duckdb 1.5), and so can destroying it: callers
        # that end the process on Ctrl-C end it with os._exit (graphlets query does).
        _INTERRUPTED.append(con)
        raise
    except BaseException:
        con.close()
        raise
    con.close()
    return results


def _run(
    con: duckdb.DuckDBPyConnection, statement: duckdb.Statement, limits: QueryLimits
) -> ResultSet:
    def fetch(con: duckdb.DuckDBPyConnection) -> tuple[list, tuple]:
        description = con.description or []
        return description, tuple(con.fetchall()) if description else ()

    description, rows = execute(con, statement, limits, fetch)
    return ResultSet(tuple(d[0] for d in description), tuple(str(d[1]) for d in description), rows)


def execute(
    con: duckdb.DuckDBPyConnection,
    statement: duckdb.Statement,
    limits: QueryLimits,
    fetch: Callable[[duckdb.DuckDBPyConnection], _T],
    params: Sequence[object] | Mapping[str, object] | None = None,
) -> _T:
    """Run one gated ``statement`` under ``limits`` and ``fetch`` its result; engine errors
    as one-line :class:`GraphletsError`, DuckDB's own Ctrl-C as :class:`KeyboardInterrupt`."""

    def work() -> _T:
        con.execute(statement, params)
        return fetch(con)

    try:
        return cast(_T, guarded(con, limits.timeout, work))
    except duckdb.Error as exc:
        raise engine_error(exc) from None
    except RuntimeError as exc:  # DuckDB's own Ctrl-C handling: "Query interrupted"
        if "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise


def engine_error(exc: duckdb.Error) -> GraphletsError:
    """A DuckDB error as a one-line user error; the engine's own refusals as refusals."""
    text = _first_line(exc)
    if isinstance(exc, duckdb.PermissionException):
        return QueryRefusedError(
            f"statement refused by the engine ({text})",
            "file, network and extension access is disabled on the snapshot",
        )
    lowered = text.lower()
    if "configuration has been locked" in lowered or "read-only mode" in lowered:
        return QueryRefusedError(f"statement refused by the engine ({text})", ACCEPTED)
    return GraphletsError(
        f"query failed: {text}",
        "fix the SQL; list the tables with: graphlets query 'show all tables'",
    )


def write(results: Sequence[ResultSet], fmt: str, out: IO[str], console: Console) -> None:
    if fmt == "table":
        for result in results:
            table = as_table(result)
            # Never squeeze columns to nothing: a wide result is printed wide (as psql does).
            needed = Measurement.get(console, console.options.update_width(100_000), table)
            if needed.maximum > console.width:
                console = Console(
                    file=console.file,
                    width=needed.maximum,
                    highlight=False,
                    force_terminal=console.is_terminal,
                    color_system=cast(Any, console.color_system),  # a str, typed as a Literal
                )
            console.print(table)
    elif fmt == "csv":
        for i, result in enumerate(results):
            if i:
                out.write("\n")
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(result.columns)
            writer.writerows([[_text(v) for v in row] for row in result.rows])
    elif fmt == "json":
        documents = [as_records(r) for r in results]
        json.dump(documents[0] if len(documents) == 1 else documents, out, default=_jsonable)
        out.write("\n")
    elif fmt == "markdown":
        for i, result in enumerate(results):
            if i:
                out.write("\n")
            out.write(as_markdown(result))
    else:
        raise GraphletsError(f"unknown format {fmt!r}", "use one of: " + ", ".join(FORMATS))


def as_table(result: ResultSet) -> Table:
    """The rows as a rich table; names and values printed literally, controls escaped."""
    columns = (escape(printable(c)) for c in result.columns)
    table = Table(*columns, show_edge=False, header_style="bold")
    for row in result.rows:
        table.add_row(*("[dim]NULL[/]" if v is None else escape(printable(_text(v))) for v in row))
    table.caption = f"{len(result.rows):,} row{'s' if len(result.rows) != 1 else ''}"
    return table


def as_markdown(result: ResultSet) -> str:
    """A GitHub-flavoured Markdown table (NULL as an empty cell), ending in a newline."""

    def cell(value: Any) -> str:
        # A backslash escapes the punctuation after it in Markdown: double it there.
        text = _MD_BACKSLASH.sub(r"\\\\", printable(_text(value)))
        return text.replace("|", "\\|")

    lines = [
        "| " + " | ".join(cell(c) for c in result.columns) + " |",
        "|" + "|".join(" --- " for _ in result.columns) + "|",
        *("| " + " | ".join(cell(v) for v in row) + " |" for row in result.rows),
    ]
    return "\n".join(lines) + "\n"


def as_records(result: ResultSet) -> list[dict[str, Any]]:
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    if isinstance(value, list | dict):
        return json.dumps(value, default=_jsonable)
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID | dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
