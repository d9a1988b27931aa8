"""`graphlets serve` sends every column type in text and in binary (graphlets/readers/pgtypes.py).

psycopg asks for binary results with ``binary=True``; before, a timestamp closed the
connection and a numeric had no binary form. Values are checked against what DuckDB itself
returns, and against psycopg's own decoders (a real client, not our reading of the format).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from pathlib import Path

import duckdb
import pytest
from psycopg.types.numeric import NumericBinaryLoader

from graphlets.build import dbt
from graphlets.core.snapshot import publish
from graphlets.readers import pgtypes
from tests.bi import BUILD_MODELS_ONLY, connect, dbt_target, running_server

# One row per edge case; each column one DuckDB type.
WIRE_TYPES = """
create or replace table marts.wire_types as
select * from (values
    ('-9223372036854775808'::bigint, '-2147483648'::integer, '-32768'::smallint, -1.5::double,
     '-12345678901234567890.1234'::decimal(24, 4),
     '-170141183460469231731687303715884105728'::hugeint,
     true, 'é [/x] \\x1b'::varchar, date '1969-07-20', time '00:00:00.000001',
     timestamp '1970-01-01 00:00:00', timestamptz '1999-12-31 23:59:59.999999+02',
     '\\x00\\xff'::blob, interval '-1 day 2 hours', [1, 2]::integer[]),
    (9223372036854775807, 2147483647, 32767, 'NaN'::double,
     0.0001, 18446744073709551615::ubigint::hugeint,
     false, '', date '2000-01-01', time '23:59:59.999999',
     timestamp '2026-12-03 08:30:00.123456', timestamptz '2000-01-01 00:00:00+00',
     ''::blob, interval '3 months', []::integer[]),
    (0, 0, 0, 'Infinity'::double, 0, 0, null, null, date '2262-04-11', null,
     timestamp '0001-01-01 00:00:00', null, null, null, null)
) as t(big, int4, int2, dbl, dec, huge, flag, txt, d, tm, ts, tstz, bin, span, list)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """A built warehouse (every real mart) plus a table of every type, served."""
    from graphlets.synth.generate import generate
    from loaders.mlmd import load_mlmd

    folder = tmp_path_factory.mktemp("serve_types")
    store = folder / "mlmd.sqlite"
    generate(store, pipelines=3, days=3, seed=5)
    warehouse = folder / "warehouse.duckdb"
    load_mlmd(warehouse, str(store))
    dbt.build(warehouse, BUILD_MODELS_ONLY, target_path=dbt_target(tmp_path_factory))
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(WIRE_TYPES)
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
    finally:
        con.close()
    publish(warehouse)
    with running_server(warehouse) as (port, _):
        yield port, tables


def fetch(port: int, sql: str, binary: bool) -> list[tuple]:
    with connect(port, autocommit=True) as conn, conn.cursor(binary=binary) as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_every_type_reads_the_same_in_binary_and_text(served) -> None:
    port, _ = served
    sql = "select * from marts.wire_types order by big"
    text, binary = fetch(port, sql, binary=False), fetch(port, sql, binary=True)
    low, zero, high = binary
    assert low[:4] == (-9223372036854775808, -2147483648, -32768, -1.5)
    assert low[4] == decimal.Decimal("-12345678901234567890.1234")
    assert low[5] == -170141183460469231731687303715884105728
    assert low[6:10] == (True, "é [/x] \\x1b", dt.date(1969, 7, 20), dt.time(0, 0, 0, 1))
    assert low[10] == dt.datetime(1970, 1, 1)
    assert low[11] == dt.datetime(1999, 12, 31, 21, 59, 59, 999999)  # timestamptz as UTC
    assert low[12] == b"\x00\xff"
    assert high[:3] == (9223372036854775807, 2147483647, 32767) and math.isnan(high[3])
    assert high[4] == decimal.Decimal("0.0001") and high[5] == 18446744073709551615
    assert high[8] == dt.date(2000, 1, 1) and high[10] == dt.datetime(2026, 12, 3, 8, 30, 0, 123456)
    assert zero[3] == math.inf and zero[8] == dt.date(2262, 4, 11)
    assert zero[10] == dt.datetime(1, 1, 1) and zero[6] is None
    # Text and binary agree value for value (NaN aside, which equals nothing).
    for t_row, b_row in zip(text, binary, strict=True):
        for t_value, b_value in zip(t_row, b_row, strict=True):
            if isinstance(b_value, float) and math.isnan(b_value):
                assert math.isnan(t_value)
            else:
                assert t_value == b_value


def test_every_mart_reads_the_same_in_binary_and_text(served) -> None:
    port, tables = served
    assert "fct_graphlets" in tables and len(tables) > 10
    for table in tables:
        if table == "wire_types":
            continue  # its NaN equals nothing; checked above
        sql = f"select * from marts.{table} order by all"
        text, binary = fetch(port, sql, binary=False), fetch(port, sql, binary=True)
        assert text == binary, table
        if table in ("dim_pipelines", "fct_executions", "fct_graphlets", "rpt_waste_by_pipeline"):
            assert text, table  # the comparison above saw real rows


@pytest.mark.parametrize(
    "value",
    [
        *("0", "1", "-1", "123.45", "0.0001", "10000", "1E+20", "-0.5", "0.00", "1E+2", "NaN"),
        *("12345678901234567890.1234", "-0.000001", "99999999.99999999", "170141183460469231731"),
    ],
)
def test_numeric_encoding_decodes_with_psycopg(value: str) -> None:
    number = decimal.Decimal(value)
    decoded = NumericBinaryLoader(1700, None).load(pgtypes.numeric(number))
    if number.is_nan():
        assert decoded.is_nan()
    else:
        assert decoded == number and decoded.as_tuple().exponent == min(0, number.as_tuple()[2])


def test_dates_and_timestamps_around_the_epoch(tmp_path: Path) -> None:
    # Postgres' epoch is 2000-01-01: values before it are negative counts.
    assert pgtypes.date(dt.date(1999, 12, 31)) == (-1).to_bytes(4, "big", signed=True)
    assert pgtypes.timestamp(dt.datetime(1999, 12, 31, 23, 59, 59, 999999)) == (-1).to_bytes(
        8, "big", signed=True
    )
    aware = dt.datetime(2000, 1, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert pgtypes.timestamp(aware) == (0).to_bytes(8, "big")
