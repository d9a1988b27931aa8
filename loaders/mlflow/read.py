"""Attach an MLflow store's database to the warehouse connection, read-only, and check it:
an MLflow store has an ``alembic_version`` table naming a revision of
:data:`loaders.mlflow.schema.REVISIONS`, and a ``runs`` table.

The database is read through DuckDB's sqlite, postgres or mysql extension (installed offline
from their PyPI packages); on Postgres, MLflow's tables are those of the ``public`` schema."""

from __future__ import annotations

import duckdb

from graphlets.core import extensions
from graphlets.core.errors import SourceError, first_line
from loaders.mlflow import schema
from loaders.mlflow.location import MlflowLocation

ALIAS = "mlflow_store"  # the attached database's name in the warehouse connection


def attach(con: duckdb.DuckDBPyConnection, location: MlflowLocation) -> str:
    """Attach the store as ``mlflow_store``; returns its alembic revision (checked)."""
    extensions.load(con, location.backend)
    target = location.target.replace("'", "''")
    options = ", schema 'public'" if location.backend == "postgres" else ""
    try:
        con.execute(f"attach '{target}' as {ALIAS} (type {location.backend}, read_only{options})")
        tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = ?",
                [ALIAS],
            ).fetchall()
        }
    except duckdb.Error as exc:
        detach(con)
        raise SourceError(
            f"cannot read {location.display} as an MLflow store: "
            f"{location.redact(first_line(exc))}",
            _hint(location),
        ) from None
    if "alembic_version" not in tables or "runs" not in tables:
        detach(con)
        raise SourceError(
            f"{location.display} is not an MLflow store (no alembic_version or runs table)",
            _hint(location),
        )
    try:
        rows = con.execute(f"select version_num from {ALIAS}.alembic_version").fetchall()
    except duckdb.Error as exc:
        detach(con)
        raise SourceError(
            f"cannot read the alembic revision of {location.display}: "
            f"{location.redact(first_line(exc))}",
            "an MLflow store's alembic_version table has a version_num column",
        ) from None
    revision = rows[0][0] if len(rows) == 1 else None
    if revision not in schema.REVISIONS:
        detach(con)
        raise SourceError(
            f"{location.display}: unknown MLflow schema revision {revision!r}",
            f"the loader reads revisions {schema.REVISIONS[0]} (MLflow 2.4) to "
            f"{schema.REVISIONS[-1]} (MLflow 3.17); see docs/mlflow.md",
        )
    return str(revision)


def _hint(location: MlflowLocation) -> str:
    if location.is_server:
        return "check the URL, the credentials and that the server is reachable"
    return "give the SQLite file of an MLflow tracking store"


def detach(con: duckdb.DuckDBPyConnection) -> None:
    """Detach the store if it is attached."""
    attached = con.execute(
        "select count(*) from duckdb_databases() where database_name = ?", [ALIAS]
    ).fetchone()
    if attached and attached[0]:
        con.execute(f"detach {ALIAS}")
