"""The catalog queries BI tools send on connect and while browsing, replayed against a real
`graphlets serve` with psycopg: every one must run and return what the tool expects.

The corpus is tests/bi_catalog_corpus/, one query per .sql file. Each file starts with
comment lines:

- ``-- tool:`` the tool (and driver call) that sends the query;
- ``-- source:`` where the query comes from: ``owner/repo path`` of the public source that
  builds it (the tool's own, or the driver or library it sends the query through), or
  ``not found in public sources; written from ...`` for the few that could not be located
  (Tableau is closed source: its queries come from psqlODBC, the driver it connects through);
- ``-- asks:`` what it asks;
- ``-- expect:`` one or more: ``rows`` (at least one row), ``runs`` (any number of rows,
  e.g. the foreign keys a snapshot does not have), ``status`` (a command without a result
  set, such as ``SET``), ``starts:TEXT`` (some cell starts with TEXT), ``column:NAME`` (the
  result has a column NAME, rows or not), or a value some cell of some row must equal
  (compared as text).

The rest of the file is the query as the tool's source builds it, its parameters written as
literals (schema ``marts``, table ``fct_graphlets``; an oid parameter as
``'marts.fct_graphlets'::regclass`` or a lookup of the schema's oid).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from graphlets.core.snapshot import publish
from tests.bi import connect, make_warehouse, running_server

CORPUS = Path(__file__).resolve().parent / "bi_catalog_corpus"
TOOLS = ("Metabase", "Superset", "Grafana", "DBeaver", "Tableau")


@dataclass(frozen=True)
class CatalogQuery:
    name: str
    tools: str
    source: str
    asks: str
    expect: tuple[str, ...]
    sql: str


def load(path: Path) -> CatalogQuery:
    header: dict[str, list[str]] = {}
    body: list[str] = []
    for line in path.read_text().splitlines():
        if not body and line.startswith("-- ") and ":" in line:
            key, _, value = line[3:].partition(":")
            header.setdefault(key.strip(), []).append(value.strip())
        elif line.strip():
            body.append(line)
    for key in ("tool", "source", "asks", "expect"):
        assert header.get(key), f"{path.name}: no -- {key}: line"
    return CatalogQuery(
        name=path.stem,
        tools=header["tool"][0],
        source=header["source"][0],
        asks=header["asks"][0],
        expect=tuple(header["expect"]),
        sql="\n".join(body),
    )


QUERIES = [load(p) for p in sorted(CORPUS.glob("*.sql"))]


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory):
    warehouse = tmp_path_factory.mktemp("catalog-corpus") / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    with running_server(warehouse) as (port, _):
        yield port


def test_the_corpus_covers_every_tool() -> None:
    for tool in TOOLS:
        assert any(tool in q.tools for q in QUERIES), tool


NOT_FOUND = "not found in public sources; written from "


def test_every_query_names_its_source() -> None:
    """A repository and a path, or an explicit note that it was written from elsewhere."""
    for q in QUERIES:
        if q.source.startswith(NOT_FOUND):
            assert q.source.removeprefix(NOT_FOUND).strip(), q.name
            continue
        repo, _, path = q.source.partition(" ")
        owner, _, name = repo.partition("/")
        assert owner and name and "/" not in name and path.strip(), (q.name, q.source)
    written = [q.name for q in QUERIES if q.source.startswith(NOT_FOUND)]
    assert len(written) <= len(QUERIES) // 5, written


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_catalog_query_returns_what_the_tool_expects(port: int, query: CatalogQuery) -> None:
    with connect(port, autocommit=True) as conn:
        try:
            cursor = conn.execute(query.sql)
        except psycopg.Error as exc:
            pytest.fail(f"{query.tools} ({query.asks}): {str(exc).splitlines()[0]}")
        if cursor.description is None:
            assert query.expect == ("status",), f"{query.name}: no result set"
            return
        rows = cursor.fetchall()
    columns = {column.name for column in cursor.description}
    cells = {str(cell) for row in rows for cell in row if cell is not None}
    for expected in query.expect:
        if expected == "runs":
            continue
        if expected == "status":
            pytest.fail(f"{query.name}: a result set where the tool expects a status")
        elif expected == "rows":
            assert rows, f"{query.name}: no rows"
        elif expected.startswith("column:"):
            name = expected.removeprefix("column:")
            assert name in columns, f"{query.name}: no column {name!r}"
        elif expected.startswith("starts:"):
            prefix = expected.removeprefix("starts:")
            assert any(c.startswith(prefix) for c in cells), f"{query.name}: {prefix}..."
        else:
            assert expected in cells, f"{query.name}: no cell is {expected!r}"


def test_settings_are_postgres_session_settings(port: int) -> None:
    """pg_settings and current_setting answer Postgres' session settings, never DuckDB's."""
    with connect(port, autocommit=True) as conn:
        settings = dict(conn.execute("select name, setting from pg_catalog.pg_settings"))
        assert settings["search_path"] == "marts, main"
        assert settings["transaction_read_only"] == "on"
        assert not {"secret_directory", "memory_limit", "temp_directory"} & set(settings)
        assert conn.execute("select current_setting('search_path')").fetchone() == ("marts, main",)
        for sql in (
            "select current_setting('secret_directory')",
            "select setting from system.pg_catalog.pg_settings",
        ):
            with pytest.raises(psycopg.Error) as refused:
                conn.execute(sql)
            assert refused.value.sqlstate == "42501", sql


def test_search_path_keeps_the_snapshots_order(port: int) -> None:
    """Superset's and DBeaver's ``SET search_path``: the fixed path is answered, another
    refused (unqualified names would resolve elsewhere than the tool expects)."""
    with connect(port, autocommit=True) as conn:
        accepted = (
            'set search_path = "marts"',
            "SET search_path TO marts, main",
            "SET SESSION search_path TO DEFAULT",
        )
        for sql in accepted:
            assert conn.execute(sql).statusmessage == "SET", sql
        for sql in ("set search_path = main", 'set search_path to "$user", public'):
            with pytest.raises(psycopg.Error) as refused:
                conn.execute(sql)
            assert refused.value.sqlstate == "42501", sql
        assert conn.execute("select current_schema()").fetchone() == ("marts",)


def test_catalog_functions_answer_as_postgres(port: int) -> None:
    """The emulated functions behind the corpus: parse_ident's quoting, the read-only
    privileges, the snapshot's role, and LIKE's backslash escape."""
    with connect(port, autocommit=True) as conn:
        row = conn.execute(
            """select (parse_ident('Marts."Fct Graphlets"'))[1],
                      (parse_ident('Marts."Fct Graphlets"'))[2],
                      has_table_privilege('marts.fct_graphlets', 'SELECT'),
                      has_table_privilege(current_user, 'marts.fct_graphlets', 'INSERT, UPDATE'),
                      has_schema_privilege('marts', 'CREATE'), session_user,
                      'fct_graphlets' like 'fct\\_graphlets',
                      'fctXgraphlets' like 'fct\\_graphlets'"""
        ).fetchone()
    assert row == ("marts", "Fct Graphlets", True, False, False, "graphlets", True, False)
