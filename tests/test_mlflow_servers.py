"""MLflow tracking stores in Postgres and MySQL: the mlflow library itself writes the
scenario of tests/mlflow_store.py into a real Postgres (tests/postgres_server.py) and a real
MariaDB (tests/mysql_server.py) on 127.0.0.1, through its own drivers (psycopg2, PyMySQL),
and into a SQLite file. `graphlets refresh` loads all three, the server passwords from an
environment variable and a file, and builds: each server store gives the graphlets,
outcomes and members of the SQLite one. Bad credentials, an unreachable server and an
unknown revision are one line and change nothing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import mysql_server, postgres_server
from tests.conftest import fingerprint, query, run_cli
from tests.test_mlflow import MLFLOW_PYTHON, SCRIPT, _store

pytestmark = pytest.mark.mysql

DATABASE = "mlflow_churn"
RAW = (
    "experiments",
    "runs",
    "tags",
    "latest_metrics",
    "datasets",
    "inputs",
    "input_tags",
    "logged_models",
    "model_versions",
    "keys",
    "registry_sightings",
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[postgres_server.Postgres]:
    server = postgres_server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def urls(postgres, mariadb) -> dict[str, str]:
    """The server stores' URLs as graphlets takes them, password included."""
    return {
        "postgres": postgres.url(DATABASE),
        # With the `charset` parameter MLflow's docs give MySQL URIs (for PyMySQL only).
        "mysql": mariadb.url(DATABASE).replace("mysql://", "mysql+pymysql://") + "?charset=utf8mb4",
    }


@pytest.fixture(scope="module")
def stores(postgres, mariadb, urls, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario written by mlflow into Postgres, MySQL and (returned) a SQLite file."""
    root = tmp_path_factory.mktemp("mlflow_servers")
    postgres.create_database(DATABASE)
    mariadb.create_database(DATABASE)
    sqlite = root / "churn.db"
    _store("build", str(sqlite))  # makes .venv-mlflow when missing
    writers = [
        subprocess.Popen(
            [str(MLFLOW_PYTHON), str(SCRIPT), "build", uri, str(root / f"artifacts-{name}")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, uri in (
            ("postgres", urls["postgres"].replace("postgresql://", "postgresql+psycopg2://")),
            ("mysql", urls["mysql"]),
        )
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=600)
        assert writer.returncode == 0, stderr[-3000:]
    return sqlite


@pytest.fixture(scope="module")
def refreshed(stores: Path, postgres, mariadb) -> tuple[Path, str]:
    """One refresh of a project naming the three stores: the Postgres password from an
    environment variable, the MySQL one from a file."""
    root = stores.parent
    (root / "mysql.password").write_text(mysql_server.PASSWORD + "\n")
    (root / "graphlets.yml").write_text(
        f"""warehouse: warehouse.duckdb
sources:
  - name: local
    kind: mlflow
    location: sqlite:///{stores.name}
  - name: pg
    kind: mlflow
    location: {postgres.url(DATABASE, password=None, scheme="postgresql+psycopg2")}
    password_env: GRAPHLETS_TEST_PG_PASSWORD
  - name: my
    kind: mlflow
    location: mysql+pymysql://{mysql_server.USER}@127.0.0.1:{mariadb.port}/{DATABASE}
    password_file: mysql.password
"""
    )
    env = {k: v for k, v in os.environ.items() if k != "GRAPHLETS_WAREHOUSE"}
    env["GRAPHLETS_TEST_PG_PASSWORD"] = postgres_server.PASSWORD
    done = run_cli("refresh", cwd=root, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return root / "warehouse.duckdb", done.stderr


def _outcomes(warehouse: Path, source: str) -> dict[str, str]:
    rows = query(
        warehouse,
        "select e.execution_name, g.outcome from marts.fct_graphlets g "
        "join intermediate.int_executions e on e.execution_id = g.trainer_execution_id "
        "where g.source_id = ?",
        [source],
    )
    return dict(rows)


def _members(warehouse: Path, source: str) -> set[tuple[str, str, str]]:
    rows = query(
        warehouse,
        "select t.execution_name, m.relation, e.execution_name "
        "from marts.fct_graphlet_executions m "
        "join marts.fct_graphlets g on g.graphlet_id = m.graphlet_id "
        "join intermediate.int_executions t on t.execution_id = g.trainer_execution_id "
        "join intermediate.int_executions e on e.execution_id = m.execution_id "
        "where g.source_id = ?",
        [source],
    )
    return {(t, relation, name) for t, relation, name in rows}


def _counts(warehouse: Path, source: str) -> dict[str, int]:
    return {
        table: query(
            warehouse, f"select count(*) from raw.mlflow_{table} where source_id = ?", [source]
        )[0][0]
        for table in RAW
    }


def test_server_stores_build_the_graphlets_of_the_sqlite_store(refreshed) -> None:
    warehouse, stderr = refreshed
    for source in ("local", "pg", "my"):
        assert f"ok     {source} (mlflow)" in stderr, stderr
    assert postgres_server.PASSWORD not in stderr and mysql_server.PASSWORD not in stderr
    expected = {
        "train-0": "pushed",
        "train-1-first": "training_failed",
        "train-1": "pushed",
        "train-2": "not_blessed",
        "train-3": "not_pushed",
    }
    assert _outcomes(warehouse, "local") == expected
    members = _members(warehouse, "local")
    assert ("train-1", "downstream", "register churn-model/2") in members
    counts = _counts(warehouse, "local")
    assert counts["logged_models"] == 4 and counts["model_versions"] == 3
    for source in ("pg", "my"):
        assert _outcomes(warehouse, source) == expected, source
        assert _members(warehouse, source) == members, source
        assert _counts(warehouse, source) == counts, source


def test_locations_are_stored_without_the_password(refreshed, postgres, mariadb) -> None:
    warehouse, _ = refreshed
    locations = dict(query(warehouse, "select source_id, location from raw._sources"))
    user = postgres_server.USER
    assert locations["pg"] == f"postgresql://{user}@127.0.0.1:{postgres.port}/{DATABASE}"
    assert locations["my"] == f"mysql://{mysql_server.USER}@127.0.0.1:{mariadb.port}/{DATABASE}"
    stored = repr(query(warehouse, "select * from raw._sources")) + repr(
        query(warehouse, "select * from raw._loads")
    )
    for secret in (postgres_server.PASSWORD, mysql_server.PASSWORD, "pg-s3cret"):
        assert secret not in stored


@pytest.mark.parametrize("server", ["postgres", "mysql"])
def test_cli_load_of_a_server_store_is_idempotent(server, urls, stores, tmp_path: Path) -> None:
    """`graphlets load mlflow URL`, the password in the URL: printed without it; loading the
    unchanged store again changes nothing."""
    warehouse = tmp_path / "w.duckdb"
    url = urls[server]
    first = run_cli("--warehouse", str(warehouse), "load", "mlflow", url)
    assert first.returncode == 0, first.stderr
    assert f"as source {DATABASE}" in first.stderr
    again = run_cli("--warehouse", str(warehouse), "load", "mlflow", url)
    assert again.returncode == 0 and "0 changed" in again.stderr, again.stderr
    for done in (first, again):
        assert postgres_server.PASSWORD not in done.stderr
        assert mysql_server.PASSWORD not in done.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_errors_are_one_line_and_change_nothing(refreshed, postgres, mariadb) -> None:
    warehouse, _ = refreshed
    # A database with a revision no MLflow release wrote.
    postgres.create_database("future")
    postgres.sql(
        "create table alembic_version (version_num varchar(32)); "
        "insert into alembic_version values ('ffffffffffff'); create table runs (x int)",
        "future",
    )
    mariadb.create_database("future")
    with mariadb.connect("future") as con, con.cursor() as cur:
        cur.execute("create table alembic_version (version_num varchar(32))")
        cur.execute("insert into alembic_version values ('ffffffffffff')")
        cur.execute("create table runs (x int)")
    mariadb.create_database("damaged")
    with mariadb.connect("damaged") as con, con.cursor() as cur:
        cur.execute("create table alembic_version (x int)")
        cur.execute("create table runs (x int)")
    port = _free_port()
    cases = (
        (postgres.url(DATABASE, password="wrong-pw"), "password authentication failed"),
        (mariadb.url(DATABASE, password="wrong-pw"), "Access denied"),
        (
            f"postgresql://mlflow:wrong-pw@127.0.0.1:{port}/{DATABASE}?connect_timeout=5",
            "Connection refused",
        ),
        (f"mysql+pymysql://mlmd:wrong-pw@127.0.0.1:{port}/{DATABASE}", "Can't connect"),
        (postgres.url("future"), "unknown MLflow schema revision 'ffffffffffff'"),
        (mariadb.url("future"), "unknown MLflow schema revision 'ffffffffffff'"),
        (mariadb.url("damaged"), "cannot read the alembic revision of mysql://"),
        (postgres.url("nothing-here"), 'database "nothing-here" does not exist'),
        ("mssql://u@h/db", "unsupported MLflow store URL scheme mssql://"),
        ("postgresql://u@/db", "lacks a host"),
    )
    before = fingerprint(warehouse)
    for url, words in cases:
        done = run_cli("--warehouse", str(warehouse), "load", "mlflow", url, "--source", "pg")
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, (url, done.stderr)
        assert len(lines) == 1 and words in lines[0], (url, done.stderr)
        assert "wrong-pw" not in done.stderr and postgres_server.PASSWORD not in done.stderr
        assert mysql_server.PASSWORD not in done.stderr
    assert fingerprint(warehouse) == before
