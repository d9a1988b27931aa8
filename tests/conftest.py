from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests import mysql_server

REPO = Path(__file__).resolve().parent.parent

# dbt arguments that build only the canonical provenance graph (and its tests).
GRAPH_ONLY = [
    "--select",
    "+int_executions",
    "+int_artifacts",
    "+int_events",
    "+int_sources",
    "+int_artifact_identity",
    "--exclude",
    "int_edges+",
    # Only tests whose every parent is selected (a relationship test from a model above the
    # graph to int_executions would otherwise run on a table this build does not make).
    "--indirect-selection",
    "cautious",
]


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory: pytest.TempPathFactory):
    """A real MariaDB server on 127.0.0.1 for the whole session."""
    server = mysql_server.start(tmp_path_factory.mktemp("mariadb"))
    yield server
    server.stop()


def run_cli(
    *args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run the real `graphlets` command in a subprocess (exit codes, stderr, no traceback)."""
    return subprocess.run(
        [sys.executable, "-m", "graphlets.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or REPO,
        timeout=timeout,
    )


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """The rows of one read-only query on a warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def fingerprint(warehouse: Path) -> dict[str, tuple[int, int]]:
    """(row count, order-independent content hash) of every table in the warehouse."""
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by all"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(
                f'select count(*), coalesce(sum(hash(x)), 0) from "{s}"."{t}" as x'
            ).fetchone()
            for s, t in tables
        }
    finally:
        con.close()
