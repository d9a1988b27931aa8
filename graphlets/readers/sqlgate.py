"""The read-only gate in front of the published snapshot (``graphlets query`` and ``serve``).

Three independent layers, so that a gap in one is caught by the next:

1. **sqlglot** (DuckDB dialect) parses every statement; only read-only statements are
   accepted (SELECT, WITH ... SELECT, FROM-first, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE,
   EXPLAIN and a short list of catalog PRAGMAs). The whole tree is walked, so DML hidden in a
   CTE or a subquery is found, as are functions that read files or the environment
   (``read_csv``, ``read_text``, ``glob``, ``getenv``, ``query`` ...) and table names that
   are file paths.
2. **DuckDB's own parser** (``extract_statements``) splits the same text; the statement
   count must agree with sqlglot's (a disagreement means the two parsers read the text
   differently, e.g. through string-escape or comment tricks) and each statement must be a
   SELECT or an EXPLAIN by DuckDB's own classification. The statements executed are
   DuckDB's, never a re-generated text.
   Each statement is then serialized by DuckDB's own parser (``json_serialize_sql``) and
   every function it calls, scalar or table, must be allowed by
   :mod:`graphlets.readers.sqlallow` (an allowlist: names compared unquoted and case-folded,
   whatever their schema or catalog), and every table name must not look like a path.
3. **The engine**: the snapshot is attached read-only, external access is disabled and the
   configuration locked (:func:`graphlets.core.snapshot.open_snapshot`), so even a statement both
   parsers misjudged cannot read a file, write one, attach a database or change a setting.

Before any parser sees it, a statement is bounded in size (:data:`MAX_STATEMENT_BYTES`) and
nesting depth (:data:`MAX_NESTING`): both parsers recurse, and a deeply nested statement
would otherwise overflow their stacks instead of getting a one-line refusal.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

import duckdb
import sqlglot
from sqlglot import exp

from graphlets.core.errors import GraphletsError, QueryRefusedError
from graphlets.core.errors import first_line as _first_line
from graphlets.readers import sqlallow

# sqlglot warns on stderr for every statement it parses as an opaque Command; such
# statements are refused or checked here, the warning is noise.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

ACCEPTED = (
    "only read-only statements run on the snapshot: SELECT, WITH ... SELECT, FROM ..., "
    "VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN and catalog PRAGMAs (table_info...)"
)

MAX_STATEMENT_BYTES = 1_000_000
MAX_NESTING = 200
# sqlglot recurses ~25 Python frames per nesting level: the gate runs in a thread with a
# large stack and a recursion limit that fits MAX_NESTING with room to spare.
_GATE_STACK = 256 * 1024 * 1024
_GATE_RECURSION = 15_000
_T = TypeVar("_T")

# PRAGMAs that only read the catalog (DuckDB turns each into a SELECT).
READ_ONLY_PRAGMAS = frozenset(
    {
        "collations",
        "database_list",
        "database_size",
        "functions",
        "metadata_info",
        "platform",
        "show_databases",
        "show_tables",
        "show_tables_expanded",
        "storage_info",
        "table_info",
        "version",
    }
)

# DuckDB's own classification of the statements that may run.
READ_ONLY_TYPES = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})

_WHY = (
    ((exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.TruncateTable), "changes data"),
    ((exp.Create, exp.Drop, exp.Alter, exp.Comment), "changes the schema"),
    ((exp.Copy, exp.Export), "reads or writes files"),
    ((exp.Attach, exp.Detach, exp.Use), "changes the attached databases"),
    ((exp.Install,), "installs extensions"),
    ((exp.Set,), "changes settings"),
    ((exp.Transaction, exp.Commit, exp.Rollback), "controls transactions"),
    ((exp.Into,), "writes a table"),
    ((exp.Pragma,), "is not a catalog PRAGMA"),
    ((exp.Analyze,), "changes statistics"),
)
_DENIED = tuple(cls for classes, _ in _WHY for cls in classes)

_COMMAND_WHY = {
    "CALL": "calls a table function or procedure",
    "CHECKPOINT": "writes the database file",
    "COPY": "reads or writes files",
    "EXECUTE": "runs a prepared statement",
    "EXPORT": "writes files",
    "IMPORT": "reads files",
    "INSTALL": "installs extensions",
    "LOAD": "loads extensions",
    "PREPARE": "creates a prepared statement",
    "RESET": "changes settings",
    "SET": "changes settings",
    "VACUUM": "changes the database file",
}

# Functions that read files, the network, secrets or the environment, or run SQL text that
# the gate has not seen. The engine refuses them too (external access is off); refusing them
# here gives a clear message and does not depend on that setting alone.
_DENIED_FUNCTIONS = frozenset(
    {
        "getenv",
        "glob",
        "query",
        "query_table",
        "sniff_csv",
        "json_execute_serialized_sql",
        "load_aws_credentials",
        "duckdb_secrets",
        "which_secret",
        "http_get",
        "http_post",
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
    }
)
_DENIED_PREFIXES = (
    "read_",
    "parquet_",
    "sqlite_",
    "mysql_",
    "postgres_",
    "iceberg_",
    "delta_",
    "ducklake_",
    "json_execute",
)
_DENIED_SUFFIXES = ("_scan", "_attach")
_PATHLIKE = re.compile(r"[/\\:~]|\.[A-Za-z0-9]+$")
_SIMPLE_NAME = re.compile(
    r'^\s*(?:all\s+tables|tables|databases|(?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+)){0,2})\s*$', re.I
)


class Unparsable(QueryRefusedError):
    """A refusal because sqlglot cannot read the statement: a syntax error if DuckDB cannot
    read it either (:func:`syntax_check`)."""


def refuse(label: str, why: str) -> QueryRefusedError:
    return QueryRefusedError(f"{label} refused (it {why})", ACCEPTED)


def bound(sql: str) -> None:
    """Refuse a statement too large or too deeply nested for the parsers (before they run)."""
    size = len(sql.encode("utf-8", "surrogatepass"))
    if size > MAX_STATEMENT_BYTES:
        raise QueryRefusedError(
            f"statement refused by the read-only gate: it is {size:,} bytes, more than "
            f"{MAX_STATEMENT_BYTES:,}",
            "send a shorter statement",
        )
    depth = nesting(sql)
    if depth > MAX_NESTING:
        raise QueryRefusedError(
            f"statement refused by the read-only gate: it nests {depth} levels of "
            f"parentheses, more than {MAX_NESTING}",
            "flatten the expression (use CTEs)",
        )


def nesting(sql: str) -> int:
    """The deepest nesting of ( [ { outside string literals, quoted names and comments."""
    depth = deepest = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = sql.find(c, i + 1)
            i = n if end < 0 else end + 1
            continue
        if c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")]}":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


def check(sql: str) -> int:
    """Parse ``sql`` with sqlglot and refuse anything not read-only; return the statement count."""
    bound(sql)
    try:
        return _check(sql)
    except RecursionError:
        raise QueryRefusedError(
            "statement refused: it is nested too deeply for the read-only checker",
            "flatten the expression (use CTEs)",
        ) from None


def _check(sql: str) -> int:
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as exc:
        raise Unparsable(
            f"statement refused: the read-only checker cannot parse it ({_first_line(exc)})",
            "write it as a plain SELECT (" + ACCEPTED + ")",
        ) from None
    for number, statement in enumerate(statements, start=1):
        try:
            _check_statement(cast(exp.Expression, statement))  # parse() types it as Expr
        except QueryRefusedError as exc:
            if len(statements) > 1:
                exc.problem = f"statement {number} of {len(statements)}: {exc.problem}"
                exc.args = (exc.message,)
            raise
    return len(statements)


def _check_statement(statement: exp.Expression) -> None:
    if isinstance(statement, exp.Command):
        _check_command(statement)
        return
    if isinstance(statement, exp.Pragma):
        name = _pragma_name(statement)
        if name not in READ_ONLY_PRAGMAS:
            raise refuse(f"PRAGMA {name or ''}".strip(), "is not a read-only catalog PRAGMA")
        _check_tree(statement.this, top=statement)
        return
    if not isinstance(
        statement,
        exp.Select
        | exp.SetOperation
        | exp.Values
        | exp.Subquery
        | exp.Describe
        | exp.Show
        | exp.Summarize,
    ):
        label = _label(statement)
        raise refuse(label, _why(statement))
    _check_tree(statement, top=statement)


def _check_command(statement: exp.Command) -> None:
    name = str(statement.this).upper()
    rest = statement.expression
    if isinstance(rest, exp.Literal):
        rest = rest.name
    elif isinstance(rest, exp.Expression):
        rest = rest.sql(dialect="duckdb")
    rest = str(rest or "")
    if name == "EXPLAIN":
        inner = re.sub(r"^\s*analy[sz]e\b", "", rest, flags=re.I)
        if check(inner) != 1:
            raise refuse("EXPLAIN", "does not explain exactly one statement")
        return
    if name == "SHOW" and _SIMPLE_NAME.match(rest):
        return
    if name in _COMMAND_WHY:
        raise refuse(name, _COMMAND_WHY[name])
    # A word sqlglot does not know: a typo, or a statement only DuckDB knows.
    raise Unparsable(f"{name} refused (it is not a read-only statement)", ACCEPTED)


def _check_tree(root: exp.Expression, top: exp.Expression) -> None:
    for node in root.walk():
        if node is not top and isinstance(node, _DENIED):
            raise refuse(f"{_label(node)} inside the statement", _why(node))
        if isinstance(node, exp.Command):
            raise refuse(f"{_label(node)} inside the statement", "is not a read-only statement")
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if _denied_function(name) or type(node).__name__.startswith("Read"):
                raise refuse(
                    f"function {name.lower()}()",
                    "reads files, the network or the environment, or runs unchecked SQL",
                )
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            for part in node.parts:
                if _PATHLIKE.search(part.name):
                    raise refuse(f"table {part.name!r}", "looks like a file path, not a table")


def _denied_function(name: str) -> bool:
    name = name.lower()
    if sqlallow.table_function_allowed(name):
        return False  # the catalog readers (duckdb_tables()...) are read-only
    return (
        name in _DENIED_FUNCTIONS
        or name.startswith(_DENIED_PREFIXES)
        or name.endswith(_DENIED_SUFFIXES)
        or sqlallow.denied_family(name)
    )


def _function_name(node: exp.Func) -> str:
    """The function's name as DuckDB resolves it: unquoted (``"query"`` is ``query``)."""
    if isinstance(node, exp.Anonymous):
        return node.name
    return node.sql_name()


def _pragma_name(statement: exp.Pragma) -> str | None:
    target = statement.this
    if isinstance(target, exp.Anonymous):
        return str(target.this).lower()
    if isinstance(target, exp.Column | exp.Identifier):
        return target.name.lower()
    return None


def _label(node: exp.Expression) -> str:
    for classes, _ in _WHY:
        if isinstance(node, classes):
            key = node.key.upper()
            return {"TRUNCATETABLE": "TRUNCATE", "INTO": "SELECT INTO", "TRANSACTION": "BEGIN"}.get(
                key, key
            )
    text = node.sql(dialect="duckdb").strip()
    return (text.split() or [node.key])[0].upper()


def _why(node: exp.Expression) -> str:
    for classes, why in _WHY:
        if isinstance(node, classes):
            return why
    return "is not a read-only statement"


class QuerySyntaxError(GraphletsError):
    """The SQL does not parse (DuckDB's parser says where)."""


def syntax_error(exc: duckdb.Error) -> QuerySyntaxError:
    text = re.sub(r"^(parser error:\s*)?(syntax error\s*)?", "", _first_line(exc), flags=re.I)
    return QuerySyntaxError(f"syntax error: {text}", "fix the SQL")


def syntax_check(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise :class:`QuerySyntaxError` if DuckDB's parser cannot read ``sql``."""
    try:
        con.extract_statements(sql)
    except duckdb.Error as exc:
        raise syntax_error(exc) from None


def split(con: duckdb.DuckDBPyConnection, sql: str, expected: int) -> list[duckdb.Statement]:
    """DuckDB's own statements for ``sql``: each must be a SELECT or an EXPLAIN."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise syntax_error(exc) from None
    if len(statements) != expected:
        raise QueryRefusedError(
            f"statement refused: its boundaries are ambiguous (sqlglot reads {expected} "
            f"statements, DuckDB {len(statements)})",
            "check quotes, backslashes and comments; " + ACCEPTED,
        )
    for statement in statements:
        if statement.type not in READ_ONLY_TYPES:
            kind = statement.type.name
            raise refuse(kind, "is not a read-only statement by DuckDB's own parser")
        check_calls(con, statement)
    return statements


_EXPLAIN = re.compile(r"^\s*explain\s+(?:analy[sz]e\s+)?", re.I)


def check_calls(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> None:
    """Every function ``statement`` calls must be allowed (:mod:`~graphlets.readers.sqlallow`).

    The names come from DuckDB's own parse tree, so they are the names DuckDB resolves.
    """
    text = statement.query
    if statement.type == duckdb.StatementType.EXPLAIN:
        text, found = _EXPLAIN.subn("", text, count=1)
        if not found:
            raise refuse("EXPLAIN", "has options the read-only checker does not read")
    try:
        serialized = con.execute("select json_serialize_sql($1)", [text]).fetchone()
        tree = json.loads(serialized[0]) if serialized else {"error": True}
    except (duckdb.Error, RecursionError, ValueError) as exc:
        why = f"cannot be checked by DuckDB's parser ({_first_line(exc)})"
        raise refuse("statement", why) from None
    if tree.get("error"):
        raise refuse("statement", f"cannot be checked ({tree.get('error_message', 'unknown')})")
    for kind, catalog, schema, name in _calls(tree):
        where = (catalog or "").lower(), (schema or "").lower()
        allowed = (
            sqlallow.table_function_allowed(name)
            if kind == "table"
            else sqlallow.scalar_function_allowed(name)
        )
        if kind == "table_name":
            if _PATHLIKE.search(name):
                raise refuse(f"table {name!r}", "looks like a file path, not a table")
            if not sqlallow.relation_allowed(*where, name):
                raise refuse(f"table {name.lower()}", "reads the engine's settings")
            continue
        if (
            not allowed
            or where[0] not in sqlallow.FUNCTION_CATALOGS
            or where[1] not in sqlallow.FUNCTION_SCHEMAS
        ):
            label = ".".join(p for p in (catalog, schema, name) if p)
            raise refuse(
                f"{'table ' if kind == 'table' else ''}function {label.lower()}()",
                "is not on the read-only allowlist (it reads files, the network, settings "
                "or state, or changes them)",
            )


def _calls(tree: object) -> Iterator[tuple[str, str, str, str]]:
    """(kind, catalog, schema, name) of every call and base table in a serialized tree."""
    stack: list[tuple[object, bool]] = [(tree, False)]
    while stack:
        node, is_table_function = stack.pop()
        if isinstance(node, list):
            stack.extend((item, False) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        if "function_name" in node:
            kind = "table" if is_table_function else "scalar"
            yield kind, node.get("catalog", ""), node.get("schema", ""), node["function_name"]
        if node.get("type") == "BASE_TABLE":
            catalog, schema = node.get("catalog_name", ""), node.get("schema_name", "")
            yield "table_name", catalog, schema, str(node.get("table_name", ""))
        table_function = node.get("type") == "TABLE_FUNCTION"
        for key, value in node.items():
            stack.append((value, table_function and key == "function"))


def gate(con: duckdb.DuckDBPyConnection, sql: str) -> list[duckdb.Statement]:
    """Both parsers' verdicts on ``sql``: the DuckDB statements to execute, or a refusal."""
    bound(sql)
    return _deep(_gate, con, sql)


def _deep(fn: Callable[..., _T], *args: object) -> _T:
    """``fn(*args)`` in a thread with a stack deep enough for :data:`MAX_NESTING` levels."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(fn(*args))
        except BaseException as exc:  # re-raised in the caller's thread
            outcome.append(exc)

    if sys.getrecursionlimit() < _GATE_RECURSION:
        sys.setrecursionlimit(_GATE_RECURSION)
    with _STACK_LOCK:
        previous = threading.stack_size(_GATE_STACK)
        try:
            worker = threading.Thread(target=run, name="sqlgate", daemon=True)
            worker.start()
        finally:
            threading.stack_size(previous)
    worker.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return cast(_T, outcome[0])


_STACK_LOCK = threading.Lock()


def _gate(con: duckdb.DuckDBPyConnection, sql: str) -> list[duckdb.Statement]:
    try:
        expected = check(sql)
    except Unparsable:
        # Text neither parser can read is a typo, not an attack: say so. (Nothing has run,
        # and text DuckDB can parse stays refused.)
        syntax_check(con, sql)
        raise
    if expected == 0:
        raise GraphletsError("no statement to run", "pass a SELECT")
    return split(con, sql, expected)
