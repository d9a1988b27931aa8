"""The dbt-duckdb plugin that lets a plain ``dbt build`` publish the snapshot.

``graphlets build`` publishes the snapshot after dbt succeeds. People who run ``dbt build``
or ``dbt run`` from the repository directly get the same: ``profiles.yml`` loads this plugin,
which registers the SQL function ``graphlets_publish_snapshot()`` on dbt's connection, and
the project's ``on-run-end`` hook (macro ``graphlets_publish_on_run_end``) calls it when every
node of the run succeeded. It publishes through dbt's own connection: while dbt holds the
warehouse no other connection can open it. A failed run never calls it, so readers keep the
previous snapshot.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

FUNCTION = "graphlets_publish_snapshot"


class Plugin(BasePlugin):
    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        path = getattr(self.creds, "path", None)
        if not path or path == ":memory:":
            return
        warehouse = Path(path).resolve()

        def publish_snapshot() -> str:
            from graphlets.core.snapshot import publish

            result = publish(warehouse, holder=conn)
            return f"published {len(result.tables)} tables to {result.path}"

        conn.create_function(
            FUNCTION, publish_snapshot, [], duckdb.sqltype("VARCHAR"), side_effects=True
        )
