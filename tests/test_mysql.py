"""MLMD in MySQL (Kubeflow Pipelines, production TFX): a real MariaDB on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loaders.mlmd import TABLES, load_mlmd
from tests.conftest import fingerprint, run_cli
from tests.stores import HOUR, T0, copy_to_mysql, handwritten_store

pytestmark = pytest.mark.mysql


@pytest.fixture()
def stores(mariadb, tmp_path: Path, request) -> tuple[Path, str, dict[str, int]]:
    """The same hand-written store as a SQLite file and as a MySQL database."""
    sqlite_path = tmp_path / "churn.sqlite"
    ids = handwritten_store(sqlite_path)
    database = f"mlmd_{request.node.name[:40].lower()}"
    mariadb.create_database(database)
    with mariadb.connect(database) as con:
        copy_to_mysql(sqlite_path, con)
    return sqlite_path, database, ids


def raw_tables(warehouse: Path) -> dict[str, tuple[int, int]]:
    return {k: v for k, v in fingerprint(warehouse).items() if k.startswith("raw.mlmd_")}


def test_mysql_store_loads_exactly_like_its_sqlite_twin(mariadb, stores, tmp_path: Path) -> None:
    sqlite_path, database, _ = stores
    from_sqlite, from_mysql = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_mlmd(from_sqlite, str(sqlite_path), "churn")
    result = load_mlmd(from_mysql, mariadb.url(database), "churn")
    assert result.location == f"mysql://mlmd@127.0.0.1:{mariadb.port}/{database}"
    assert len(raw_tables(from_mysql)) == len(TABLES)
    assert raw_tables(from_mysql) == raw_tables(from_sqlite)


def test_mysql_reload_and_update(mariadb, stores, tmp_path: Path) -> None:
    _, database, ids = stores
    warehouse = tmp_path / "w.duckdb"
    load_mlmd(warehouse, mariadb.url(database))
    assert load_mlmd(warehouse, mariadb.url(database)).rows_changed == 0
    with mariadb.connect(database) as con, con.cursor() as cur:
        cur.execute(
            "UPDATE Execution SET last_known_state = 3, last_update_time_since_epoch = %s "
            "WHERE id = %s",
            (T0 + 9 * HOUR, ids["pusher"]),
        )
        cur.execute(
            "INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, "
            "string_value) VALUES (%s, 'note', 1, 'late')",
            (ids["pusher"],),
        )
    result = load_mlmd(warehouse, mariadb.url(database))
    changed = {
        t.table: (t.rows_new, t.rows_updated)
        for t in result.tables
        if t.rows_new or t.rows_updated or t.rows_deleted
    }
    assert changed == {"Execution": (0, 1), "ExecutionProperty": (1, 0)}


def test_mysql_wrong_password_is_one_line(mariadb, stores, tmp_path: Path) -> None:
    _, database, _ = stores
    warehouse = tmp_path / "w.duckdb"
    result = run_cli(
        "--warehouse",
        str(warehouse),
        "load",
        "mlmd",
        mariadb.url(database, password="not-the-password"),
        env=dict(os.environ),
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Access denied" in lines[0], result.stderr
    assert "not-the-password" not in result.stderr
    assert not warehouse.exists() or fingerprint(warehouse) == {}
