"""The raw tables as Parquet, for the Spark target (docs/spark.md).

The loaders write DuckDB; Spark reads files. Before a Spark build every table of the
warehouse's `raw` schema is copied to ``<raw dir>/<table>/data.parquet`` (one directory per
table, replaced whole), and the on-run-start macro ``graphlets_register_raw`` declares each
directory an external table ``raw.<table>`` in Spark. A cluster finds them when the raw
directory is on storage it mounts ($GRAPHLETS_SPARK_RAW).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from graphlets.core.errors import GraphletsError

# Where the Parquet copies of the raw tables go (default: <warehouse>.spark/raw).
RAW_ENV = "GRAPHLETS_SPARK_RAW"
# The local Spark session's own files: its metastore and managed tables (default:
# <warehouse>.spark next to the warehouse file).
SPARK_DIR_ENV = "GRAPHLETS_SPARK_DIR"

# DuckDB types Spark's Parquet reader does not take as DuckDB writes them, and what to
# write instead: JSON is text to Spark, and an unsigned 64-bit hash is a decimal.
_CASTS = {"JSON": "varchar", "UBIGINT": "decimal(20, 0)", "UHUGEINT": "decimal(38, 0)"}


def spark_dir(warehouse: Path) -> Path:
    """``$GRAPHLETS_SPARK_DIR``, else ``dir/warehouse.spark`` next to ``dir/warehouse.duckdb``."""
    configured = os.environ.get(SPARK_DIR_ENV)
    return Path(configured).resolve() if configured else warehouse.resolve().with_suffix(".spark")


def raw_dir(warehouse: Path) -> Path:
    """``$GRAPHLETS_SPARK_RAW``, else ``raw/`` in :func:`spark_dir`."""
    configured = os.environ.get(RAW_ENV)
    return Path(configured).resolve() if configured else spark_dir(warehouse) / "raw"


def export_raw(warehouse: Path, out: Path) -> list[str]:
    """Copy every table of schema `raw` to ``out/<table>/data.parquet``; the names copied."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise GraphletsError(
            f"cannot read warehouse {warehouse}: {str(exc).splitlines()[0]}",
            "load a source first (graphlets load mlmd), and wait for other builds to finish",
        ) from None
    try:
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append((column, data_type))
        out.mkdir(parents=True, exist_ok=True)
        for table, cols in columns.items():
            _copy_table(con, table, cols, out)
    finally:
        con.close()
    return sorted(columns)


def _copy_table(
    con: duckdb.DuckDBPyConnection, table: str, cols: list[tuple[str, str]], out: Path
) -> None:
    select = ", ".join(
        f'cast("{name}" as {_CASTS[data_type]}) as "{name}"' if data_type in _CASTS else f'"{name}"'
        for name, data_type in cols
    )
    staging = out / f".{table}.writing"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    target = str(staging / "data.parquet").replace("'", "''")
    con.execute(f"copy (select {select} from raw.\"{table}\") to '{target}' (format parquet)")
    final = out / table
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
