"""The catalog rewrite of `graphlets serve` (graphlets/readers/pg_catalog.py): Postgres idioms
rewritten token by token, string literals, quoted identifiers and comments never edited."""

from __future__ import annotations

import pytest

from graphlets.readers.pg_catalog import rewrite


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("select c.oid::regclass", "select to_regclass(c.oid)"),
        ("select c.oid::pg_catalog.regclass", "select to_regclass(c.oid)"),
        ("select 'marts.t'::regclass", "select to_regclass('marts.t')"),
        ("select $1::regclass", "select to_regclass($1)"),
        ("select f(a.b)::regclass", "select to_regclass(f(a.b))"),
        ("select x and (a)::regclass", "select x and to_regclass((a))"),
        ('select "T"."oid"::regclass', 'select to_regclass("T"."oid")'),
        ("select CAST($1 AS REGCLASS)", "select to_regclass($1)"),
        (
            "select CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT)",
            "select CAST(to_regclass(pg_compat.pg_attribute.attrelid) AS TEXT)",
        ),
        ("select CAST(t AS pg_catalog.regtype), t::regtype", "select (t), t"),
        ("select x::pg_catalog.text", "select x::text"),
        (
            "select 1 where a OPERATOR(pg_catalog.~) '^(x)$' COLLATE pg_catalog.default",
            "select 1 where a ~ '^(x)$'",
        ),
        ("select 1 where b operator(pg_catalog.!~*) 'y'", "select 1 where b !~* 'y'"),
        ('select n collate pg_catalog."default"', "select n"),
        (
            "select unnest(a) as x, generate_subscripts(a, 1) AS o from pg_catalog.pg_index",
            "select unnest(a) as x, generate_subscripts(a, 1) AS o from pg_compat.pg_index",
        ),
        ("select s from unnest(a) s", "select s from unnest(a) s(s)"),
        ("select * from t, generate_series(1, 3) g", "select * from t, generate_series(1, 3) g(g)"),
        (
            "select * from information_schema.columns",
            "select * from pg_compat.information_schema_columns",
        ),
        ("select pg_catalog.format_type(1, 2)", "select format_type(1, 2)"),
        # Metabase's quoted names: "pg_stat_user_tables" is pg_stat_user_tables
        (
            'select 1 from "pg_catalog"."pg_class" as "c" left join "pg_stat_user_tables" as s'
            ' on true join "PG_Class" x on true',
            'select 1 from pg_compat."pg_class" as "c" left join pg_compat."pg_stat_user_tables"'
            ' as s on true join "PG_Class" x on true',
        ),
        # keywords as column labels after AS (Metabase's privileges), casts left alone
        (
            "select 1 as update, 2 as select, t.x as table, cast(a as int), b as delete from t",
            'select 1 as "update", 2 as "select", t.x as "table", cast(a as int), b as "delete"'
            " from t",
        ),
        # LIKE escapes with a backslash, as in Postgres (psqlODBC's "fct\_graphlets")
        ("select 1 where a like 'x\\_y'", "select 1 where a like 'x\\_y' ESCAPE '\\'"),
        ("select 1 where a not ilike 'x\\_y'", "select 1 where a not ilike 'x\\_y' ESCAPE '\\'"),
        ("select 1 where a like 'x\\_y' escape '!'", "select 1 where a like 'x\\_y' escape '!'"),
        ("select 1 where a like 'x_y'", "select 1 where a like 'x_y'"),
        # unqualified catalog relations in a FROM list, as Postgres finds them in pg_catalog
        (
            "select * from pg_class c join pg_stat_user_tables s on s.relid = c.oid, pg_type",
            "select * from pg_compat.pg_class c join pg_compat.pg_stat_user_tables s"
            " on s.relid = c.oid, pg_compat.pg_type",
        ),
        ("select pg_class.oid from t pg_class", "select pg_class.oid from t pg_class"),
        ("select * from marts.pg_type", "select * from marts.pg_type"),
        # Postgres' format (a format string with %), not DuckDB's ({})
        ("select format('%I.%I', s, t)", "select pg_format('%I.%I', s, t)"),
        ("select pg_catalog.format('%s', 1)", "select pg_format('%s', 1)"),
        ("select format('{}', 1), format(x, 1)", "select format('{}', 1), format(x, 1)"),
        # Postgres' session settings as literals; any other name is left to the gate
        (
            "select pg_catalog.current_setting('search_path'), current_setting('TimeZone')",
            "select 'marts, main', 'UTC'",
        ),
        ("select current_setting('memory_limit')", "select current_setting('memory_limit')"),
        # a scalar function in a FROM list (one row, the alias names its column)
        (
            "select s[1] from string_to_array('a,b', ',') s",
            "select s[1] from (select string_to_array('a,b', ',') as s) s",
        ),
        ("select string_to_array(x, ',') s from t", "select string_to_array(x, ',') s from t"),
        (
            "select (information_schema._pg_expandarray(i.indkey)).n",
            "select (_pg_expandarray(i.indkey)).n",
        ),
    ],
)
def test_idioms_are_rewritten(sql: str, expected: str) -> None:
    assert rewrite(sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "select 'a::regclass b'",
        "select E'x::regclass', $$y::pg_catalog.text$$",
        "select 'OPERATOR(pg_catalog.~) COLLATE pg_catalog.default'",
        "select 'from pg_catalog.pg_class', 'information_schema.columns', 'unnest(a) s'",
        'select "pg_catalog.pg_class" from t',
        "select 1 -- x::regclass pg_catalog.pg_class\n",
        "select 1 /* CAST(x AS regclass) */",
        "select 'unterminated",
    ],
)
def test_literals_identifiers_and_comments_are_left_alone(sql: str) -> None:
    assert rewrite(sql) == sql
