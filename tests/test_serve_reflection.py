"""`graphlets serve` reflected by SQLAlchemy's PostgreSQL dialect and read by BI tools' catalog
queries (information_schema), against a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from graphlets.core.snapshot import publish, snapshot_path
from tests.bi import (
    COLUMN_COMMENTS,
    MART_TABLES,
    PASSWORD,
    connect,
    make_warehouse,
    running_server,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("reflect")
    warehouse = folder / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    with running_server(warehouse) as (port, _):
        yield snapshot_path(warehouse), port


@pytest.fixture(scope="module")
def engine(served):
    _, port = served
    url = (
        f"postgresql+psycopg://analyst:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/graphlets"
        "?sslmode=disable"
    )
    engine = sa.create_engine(url, poolclass=NullPool)
    yield engine
    engine.dispose()


def duckdb_columns(snapshot: Path) -> dict[str, list[tuple[str, str, int, int]]]:
    """Every mart's columns as DuckDB has them: (name, type, precision, scale), in order."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        rows = con.execute(
            "select table_name, column_name, data_type, numeric_precision, numeric_scale "
            "from duckdb_columns() where schema_name = 'marts' order by table_name, column_index"
        ).fetchall()
    finally:
        con.close()
    columns: dict[str, list[tuple[str, str, int, int]]] = {}
    for table, *column in rows:
        columns.setdefault(table, []).append(tuple(column))
    return columns


# The SQLAlchemy type a DuckDB column type must reflect as (through the PostgreSQL dialect).
def expected_type(duck_type: str) -> type:
    if duck_type.startswith("DECIMAL("):
        return sa.Numeric
    return {
        "BIGINT": sa.BigInteger,
        "INTEGER": sa.Integer,
        "VARCHAR": sa.Text,
        "BOOLEAN": sa.Boolean,
        "TIMESTAMP": sa.DateTime,
        "DATE": sa.Date,
        "DOUBLE": sa.Float,
    }[duck_type]


def test_inspector_reflects_every_mart(served, engine) -> None:
    snapshot, _ = served
    inspector = sa.inspect(engine)
    assert {"marts", "meta"} <= set(inspector.get_schema_names())
    assert sorted(inspector.get_table_names(schema="marts")) == sorted(MART_TABLES)
    assert inspector.get_view_names(schema="marts") == []
    marts = duckdb_columns(snapshot)
    assert marts.keys() == set(MART_TABLES)
    for table, columns in marts.items():
        reflected = inspector.get_columns(table, schema="marts")
        assert [c["name"] for c in reflected] == [c[0] for c in columns], table
        for column, (name, duck_type, precision, scale) in zip(reflected, columns, strict=True):
            kind = expected_type(duck_type)
            assert isinstance(column["type"], kind), (table, name, column["type"], duck_type)
            if kind is sa.Numeric:
                assert (column["type"].precision, column["type"].scale) == (precision, scale)
            if kind is sa.DateTime:
                assert not column["type"].timezone
            assert column["nullable"] is True  # the marts are created without NOT NULL
            assert column["comment"] == COLUMN_COMMENTS.get((table, name)), (table, name)
        assert inspector.get_pk_constraint(table, schema="marts")["constrained_columns"] == []
        assert inspector.get_foreign_keys(table, schema="marts") == []
        assert inspector.get_indexes(table, schema="marts") == []
    assert inspector.get_table_comment("fct_executions", schema="marts") == {
        "text": "One row per execution."
    }
    assert inspector.get_table_comment("fct_graphlets", schema="marts") == {"text": None}


def test_a_reflected_table_selects(engine) -> None:
    table = sa.Table("fct_graphlets", sa.MetaData(), schema="marts", autoload_with=engine)
    assert [c.name for c in table.columns] == [
        "graphlet_id",
        "pipeline_id",
        "trainer_execution_id",
        "outcome",
        "cost",
        "is_wasted",
    ]
    assert table.c.graphlet_id.comment == COLUMN_COMMENTS[("fct_graphlets", "graphlet_id")]
    query = (
        sa.select(table.c.outcome, sa.func.count().label("n"))
        .where(table.c.graphlet_id < sa.bindparam("below"))
        .group_by(table.c.outcome)
        .order_by(table.c.outcome)
    )
    with engine.connect() as con:
        rows = con.execute(query, {"below": 8}).all()
        first = con.execute(sa.select(table).order_by(table.c.graphlet_id).limit(1)).one()
    assert rows == [("not_blessed", 2), ("not_pushed", 2), ("pushed", 2), ("training_failed", 2)]
    assert first.graphlet_id == 0 and first.outcome == "pushed" and first.is_wasted is False


def test_regclass_casts_and_string_literals(served) -> None:
    _, port = served
    with connect(port, autocommit=True) as conn:
        # the catalog rewrite never edits a string literal
        for text in ("a::regclass b", "x::pg_catalog.text", "OPERATOR(pg_catalog.~)"):
            assert conn.execute("select %s::text, '" + text + "'", [text]).fetchone() == (
                text,
                text,
            )
        oid = conn.execute(
            "select oid from pg_catalog.pg_class where relname = 'fct_graphlets'"
        ).fetchone()[0]
        row = conn.execute(
            "select 'marts.fct_graphlets'::regclass, CAST('fct_graphlets' AS REGCLASS),"
            ' \'"marts"."fct_graphlets"\'::pg_catalog.regclass, %s::regclass,'
            " 'no_such_table'::regclass, 'pg_catalog.pg_class'::regclass",
            [str(oid)],
        ).fetchone()
        assert row == (oid, oid, oid, oid, None, 1259)
        # the name a regclass is given is looked up, never run
        assert conn.execute(
            "select to_regclass('x; drop table marts.fct_graphlets')"
        ).fetchone() == (None,)
        assert conn.execute(
            "select pg_get_serial_sequence('marts.fct_graphlets', 'graphlet_id')"
        ).fetchone() == (None,)


def test_information_schema_columns_in_postgres_terms(served) -> None:
    _, port = served
    with connect(port, autocommit=True) as conn:
        rows = conn.execute(
            "select column_name, data_type, udt_name, numeric_precision, numeric_scale,"
            " datetime_precision, is_nullable from information_schema.columns"
            " where table_schema = 'marts' and table_name = %s order by ordinal_position",
            ["fct_executions"],
        ).fetchall()
        assert rows == [
            ("execution_id", "bigint", "int8", 64, 0, None, "YES"),
            ("source_id", "text", "text", None, None, None, "YES"),
            ("pipeline_id", "text", "text", None, None, None, "YES"),
            ("role", "text", "text", None, None, None, "YES"),
            ("state", "text", "text", None, None, None, "YES"),
            ("started_at", "timestamp without time zone", "timestamp", None, None, 6, "YES"),
            ("ended_at", "timestamp without time zone", "timestamp", None, None, 6, "YES"),
            ("cost", "numeric", "numeric", 22, 2, None, "YES"),
            ("waste_class", "text", "text", None, None, None, "YES"),
            ("run_date", "date", "date", None, None, 0, "YES"),
        ]
        booleans = conn.execute(
            "select data_type, udt_name from information_schema.columns c"
            " where c.table_schema = 'marts' and c.column_name = 'is_active'"
        ).fetchall()
        assert booleans == [("boolean", "bool")]
        # every mart column: the catalog's type is the type its values arrive as
        for table in MART_TABLES:
            declared = conn.execute(
                "select column_name, udt_name from information_schema.columns"
                " where table_schema = 'marts' and table_name = %s order by ordinal_position",
                [table],
            ).fetchall()
            cursor = conn.execute(f"select * from marts.{table} limit 0")
            sent = [(d.name, conn.adapters.types[d.type_code].name) for d in cursor.description]
            assert declared == sent, table


# What JDBC drivers (Metabase's, Tableau's) send for DatabaseMetaData.getColumns, shortened:
# pg_attribute joined with pg_type on the type oid.
JDBC_COLUMNS = """
SELECT n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnotnull, a.atttypmod,
       row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum,
       nullif(a.attidentity, '') AS attidentity, pg_catalog.pg_get_expr(def.adbin, def.adrelid)
       AS adsrc, dsc.description, t.typbasetype, t.typtype
FROM pg_catalog.pg_namespace n
JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)
JOIN pg_catalog.pg_attribute a ON (a.attrelid = c.oid)
JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)
LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid = def.adrelid AND a.attnum = def.adnum)
LEFT JOIN pg_catalog.pg_description dsc ON (c.oid = dsc.objoid AND a.attnum = dsc.objsubid)
LEFT JOIN pg_catalog.pg_class dc ON (dc.oid = dsc.classoid AND dc.relname = 'pg_class')
WHERE c.relkind IN ('r', 'p', 'v', 'f', 'm') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname LIKE 'marts' AND c.relname LIKE 'fct_graphlets'
ORDER BY nspname, c.relname, attnum
"""


def test_jdbc_style_column_metadata(served) -> None:
    _, port = served
    with connect(port, autocommit=True) as conn:
        rows = conn.execute(JDBC_COLUMNS).fetchall()
    assert [(r[2], r[3], r[4], r[6]) for r in rows] == [
        ("graphlet_id", 20, "int8", -1),
        ("pipeline_id", 25, "text", -1),
        ("trainer_execution_id", 20, "int8", -1),
        ("outcome", 25, "text", -1),
        ("cost", 1700, "numeric", (21 << 16 | 1) + 4),
        ("is_wasted", 16, "bool", -1),
    ]
    assert rows[0][10] == COLUMN_COMMENTS[("fct_graphlets", "graphlet_id")]
