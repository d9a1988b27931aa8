"""Server-side cursors for ``graphlets serve``: ``DECLARE``, ``FETCH``, ``CLOSE``.

What psycopg's named cursors (``conn.cursor(name="c")``) and JDBC's fetch size send::

    DECLARE "c" CURSOR [WITH HOLD] FOR <query>   -- the query checked by the read-only gate
    FETCH FORWARD 100 FROM "c"                    -- the next 100 rows (ALL: the rest)
    CLOSE "c"

Each cursor runs its query on a connection of its own to the session's DuckDB instance
(:func:`graphlets.core.snapshot.duplicate`: one instance, so the same memory limit, threads
and lock), whose result the session's other statements leave alone. As in Postgres, a cursor
without ``WITH HOLD`` exists only inside a transaction block and goes at its end; one with
``WITH HOLD`` stays until ``CLOSE`` (or a rollback of the transaction that declared it).
Cursors scan forward only; a session has at most :data:`MAX_OPEN` of them. A cursor reads
the snapshot it was declared on, even if a newer one is published meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from graphlets.core.errors import GraphletsError

MAX_OPEN = 16  # cursors per session

_NAME = r'(?P<name>[A-Za-z_][A-Za-z_0-9$]*|"(?:[^"]|"")+")'
_DECLARE = re.compile(
    rf"""^\s*declare\s+{_NAME}\s+
        (?P<options>(?:(?:asensitive|insensitive|no\s+scroll|scroll)\s+)*)
        cursor\s+(?:(?P<hold>with|without)\s+hold\s+)?
        for\s+(?P<query>.+)$""",
    re.I | re.X | re.S,
)
_FETCH = re.compile(
    rf"""^\s*fetch\s+(?:(?P<how>forward|next|backward|prior|first|last|absolute|relative)\s+)?
        (?P<count>all|[+-]?\d+\s+)?\s*(?:from\s+|in\s+)?{_NAME}\s*;?\s*$""",
    re.I | re.X,
)
_MOVE = re.compile(r"^\s*move\b", re.I)
_CLOSE = re.compile(rf"^\s*close\s+(?:all\b|{_NAME})\s*;?\s*$", re.I)


class CursorError(GraphletsError):
    """A cursor statement Postgres would refuse too (its SQLSTATE is kept)."""

    def __init__(self, problem: str, hint: str, sqlstate: str) -> None:
        super().__init__(problem, hint)
        self.sqlstate = sqlstate


def _name(text: str) -> str:
    """A cursor name as Postgres folds it: unquoted lowercase, quoted as written."""
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    return text.lower()


@dataclass(frozen=True)
class Declare:
    name: str
    hold: bool
    query: str


def parse_declare(sql: str) -> Declare | None:
    m = _DECLARE.match(sql)
    if m is None:
        return None
    query = m.group("query").strip().rstrip(";").strip()
    hold = (m.group("hold") or "").lower() == "with"
    return Declare(_name(m.group("name")), hold, query)


def parse_fetch(sql: str) -> tuple[str, int | None] | None:
    """``(name, count)`` of a ``FETCH`` (count None: all the rest), or None if not one."""
    if _MOVE.match(sql):
        raise CursorError(
            "MOVE refused (cursors here scan forward only)", "use FETCH FORWARD", "55000"
        )
    m = _FETCH.match(sql)
    if m is None:
        return None
    how = (m.group("how") or "forward").lower()
    count = (m.group("count") or "1").strip().lower()
    if how not in ("forward", "next") or count.startswith("-") or (how == "next" and count != "1"):
        raise CursorError(
            "FETCH refused: cursors here scan forward only",
            "use FETCH FORWARD n FROM name or FETCH ALL FROM name",
            "55000",
        )
    return _name(m.group("name")), None if count == "all" else int(count)


def parse_close(sql: str) -> tuple[str | None] | None:
    """``(name,)`` of a ``CLOSE name``, ``(None,)`` of ``CLOSE ALL``, None if not a CLOSE."""
    m = _CLOSE.match(sql)
    if m is None:
        return None
    return (_name(m.group("name")) if m.group("name") else None,)


@dataclass
class Cursor:
    con: duckdb.DuckDBPyConnection  # the cursor's own connection (its result)
    parent: duckdb.DuckDBPyConnection  # the session connection it was opened from
    hold: bool
    in_block: bool  # declared inside the current transaction block


class Cursors:
    """A session's open cursors."""

    def __init__(self) -> None:
        self._open: dict[str, Cursor] = {}

    def check_new(self, name: str, hold: bool, in_transaction: bool) -> None:
        """Refuse a DECLARE as Postgres would, before its query runs."""
        if name in self._open:
            raise CursorError(
                f'cursor "{name}" already exists', "CLOSE it first, or use another name", "42P03"
            )
        if not hold and not in_transaction:
            raise CursorError(
                "DECLARE CURSOR can only be used in transaction blocks",
                "BEGIN first (psycopg: a connection without autocommit), or DECLARE ... WITH HOLD",
                "25P01",
            )
        if len(self._open) >= MAX_OPEN:
            raise CursorError(
                f"too many open cursors (at most {MAX_OPEN} per session)",
                "CLOSE the cursors you no longer read",
                "54000",
            )

    def add(self, name: str, cursor: Cursor) -> None:
        self._open[name] = cursor

    def get(self, name: str) -> Cursor:
        try:
            return self._open[name]
        except KeyError:
            raise CursorError(
                f'cursor "{name}" does not exist', "DECLARE it first", "34000"
            ) from None

    def find(self, name: str) -> Cursor | None:
        return self._open.get(name)

    def uses(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Whether an open cursor was opened from ``con`` (which must then stay open)."""
        return any(c.parent is con for c in self._open.values())

    def close(self, name: str | None, current: duckdb.DuckDBPyConnection | None) -> None:
        """Close one cursor (None: all); and a retired session connection nothing uses."""
        if name is not None:
            self.get(name)
        names = [name] if name is not None else list(self._open)
        for n in names:
            self._drop(n, current)

    def end_transaction(self, committed: bool, current: duckdb.DuckDBPyConnection | None) -> None:
        """COMMIT closes the cursors without HOLD; ROLLBACK those declared in the block too."""
        for name, cursor in list(self._open.items()):
            if not cursor.hold or (not committed and cursor.in_block):
                self._drop(name, current)
            else:
                cursor.in_block = False

    def _drop(self, name: str, current: duckdb.DuckDBPyConnection | None) -> None:
        cursor = self._open.pop(name)
        cursor.con.close()
        if cursor.parent is not current and not self.uses(cursor.parent):
            cursor.parent.close()  # a snapshot connection retired by a reopen
