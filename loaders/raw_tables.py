"""Every source kind's raw tables, created empty where missing.

The dbt project reads the raw tables of every source kind (models/staging/<kind>/), so a
warehouse holding only MLMD stores still needs ``raw.openlineage_events`` and the
``raw.mlflow_*`` tables, and one holding only OpenLineage events the ``raw.mlmd_*`` tables.
Every load creates them all, in its transaction; an empty table adds nothing to the graph.
"""

from __future__ import annotations

import duckdb

from loaders.mlflow import schema as mlflow_schema
from loaders.mlmd.read import create_raw_table
from loaders.mlmd.schema import TABLES
from loaders.openlineage import schema as openlineage_schema


def create_all(con: duckdb.DuckDBPyConnection) -> None:
    """Create each kind's raw tables that do not exist yet (``create table if not exists``)."""
    for table in TABLES:
        create_raw_table(con, table)
    con.execute(openlineage_schema.DDL)
    for ddl in mlflow_schema.DDL:
        con.execute(ddl)
