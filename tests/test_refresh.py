"""`graphlets refresh` (docs/refresh.md): a project file naming an ML Metadata store, a folder
of OpenLineage events (written by openlineage-python's FileTransport) and an MLflow store
(written by mlflow itself) builds one warehouse with three sources; a source that fails
keeps the snapshot as it was; a bad project file is one line and loads nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from openlineage.client.transport.file import FileConfig, FileTransport

from tests.conftest import fingerprint, query, run_cli
from tests.openlineage_events import new_run_id, run_event
from tests.stores import handwritten_store
from tests.test_mlflow import _store as write_mlflow_store

PROJECT = """\
warehouse: wh/warehouse.duckdb
sources:
  - name: tfx
    kind: mlmd
    location: stores/mlmd.sqlite
  - name: airflow
    kind: openlineage
    location: events
  - name: mlflow
    kind: mlflow
    location: sqlite:///stores/mlflow.db
vars:
  mlflow_serving_aliases: [champion]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder: the three stores and graphlets.yml naming them by relative paths."""
    root = tmp_path_factory.mktemp("refresh")
    (root / "stores").mkdir()
    handwritten_store(root / "stores" / "mlmd.sqlite")
    write_mlflow_store("build", str(root / "stores" / "mlflow.db"))
    (root / "events").mkdir()
    transport = FileTransport(FileConfig(log_file_path=str(root / "events" / "day1.jsonl")))
    run = new_run_id()
    transport.emit(run_event("START", run, "features"))
    transport.emit(run_event("COMPLETE", run, "features", minutes=12))
    (root / "graphlets.yml").write_text(PROJECT)
    return root


def _refresh(cwd: Path, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "GRAPHLETS_WAREHOUSE"}
    done = run_cli("refresh", *args, cwd=cwd, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr


@pytest.fixture(scope="module")
def refreshed(project: Path) -> tuple[Path, str]:
    rc, stderr = _refresh(project)
    assert rc == 0, stderr
    return project / "wh" / "warehouse.duckdb", stderr


def test_one_warehouse_from_three_sources(refreshed: tuple[Path, str]) -> None:
    warehouse, stderr = refreshed
    for line in ("ok     tfx (mlmd)", "ok     airflow (openlineage)", "ok     mlflow (mlflow)"):
        assert line in stderr
    assert "refresh done" in stderr and "published" in stderr
    sources = query(warehouse, "select source_id, source_kind from intermediate.int_sources")
    assert sorted(sources) == [("airflow", "openlineage"), ("mlflow", "mlflow"), ("tfx", "mlmd")]
    per_source = dict(
        query(
            warehouse,
            "select e.source_id, count(*) from marts.fct_graphlets g join "
            "intermediate.int_executions e on e.execution_id = g.trainer_execution_id group by 1",
        )
    )
    assert per_source["tfx"] == 1 and per_source["mlflow"] >= 4  # one graphlet per training
    snapshot = warehouse.with_name("warehouse.serving.duckdb")
    served = query(snapshot, "select count(*) from marts.fct_graphlets")[0][0]
    assert served == sum(per_source.values())


def test_a_source_that_fails_keeps_the_snapshot(
    project: Path, refreshed: tuple[Path, str], tmp_path: Path
) -> None:
    warehouse, _ = refreshed
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    (copy / "stores" / "mlflow.db").write_text("not a database")
    # A second day of events, so the OpenLineage source has something new to load.
    transport = FileTransport(FileConfig(log_file_path=str(copy / "events" / "day2.jsonl")))
    run = new_run_id()
    transport.emit(run_event("START", run, "features", minutes=1440))
    transport.emit(run_event("COMPLETE", run, "features", minutes=1452))
    warehouse = copy / "wh" / "warehouse.duckdb"
    snapshot = warehouse.with_name("warehouse.serving.duckdb")
    before = snapshot.read_bytes()
    marts_before = {k: v for k, v in fingerprint(warehouse).items() if k.startswith("marts.")}

    rc, stderr = _refresh(copy)

    assert rc == 2, stderr
    assert "failed mlflow (mlflow)" in stderr and "ok     airflow (openlineage)" in stderr
    assert stderr.strip().splitlines()[-1].startswith("error: refresh: 1 of 3 sources failed")
    assert snapshot.read_bytes() == before
    after = fingerprint(warehouse)
    assert {k: v for k, v in after.items() if k.startswith("marts.")} == marts_before
    loaded = query(warehouse, "select count(*) from raw.openlineage_events")[0][0]
    assert loaded == 4  # the day that loaded is kept for the next refresh to build


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: []\n", "sources: list at least one source"),
        ("sources:\n  - {name: a, kind: mlmdx, location: x}\n", "sources[0].kind: must be one of"),
        (
            "sources:\n  - {name: a, kind: mlmd, location: x, pasword_env: P}\n",
            "pasword_env: unknown key",
        ),
        (
            "sources:\n  - {name: a, kind: mlmd, location: 'mysql://u:pw@h/db'}\n",
            "the location holds a password",
        ),
        (
            "sources:\n  - {name: a, kind: mlmd, location: x}\n"
            "  - {name: a, kind: mlflow, location: y}\n",
            "source names must be unique: a repeated",
        ),
        ("sources: [\n", "is not YAML at line 2"),
        ("- just a list\n", "is not a mapping of keys"),
    ],
)  # fmt: skip
def test_a_bad_project_file_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "graphlets.yml").write_text(text)
    rc, stderr = _refresh(tmp_path)
    assert rc == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "pw@" not in lines[0], stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graphlets.yml"]


def test_a_missing_project_file_and_a_missing_password(tmp_path: Path) -> None:
    rc, stderr = _refresh(tmp_path)
    assert rc == 1 and "graphlets.yml not found" in stderr
    (tmp_path / "graphlets.yml").write_text(
        "sources:\n  - name: prod\n    kind: mlmd\n"
        "    location: mysql://mlmd@127.0.0.1:9/metadata\n    password_env: GRAPHLETS_TEST_NO_PW\n"
    )
    rc, stderr = _refresh(tmp_path)
    assert rc == 2
    assert "failed prod (mlmd): source prod: environment variable GRAPHLETS_TEST_NO_PW" in stderr


def test_a_server_password_comes_from_a_file(mariadb, tmp_path: Path) -> None:
    """A MySQL MLMD source whose password is a file next to the project: the URL in the
    project file has none, the load reads it, and no message or table shows it."""
    from tests.mysql_server import PASSWORD, USER
    from tests.stores import copy_to_mysql

    handwritten_store(tmp_path / "mlmd.sqlite")
    mariadb.create_database("refresh_mlmd")
    with mariadb.connect("refresh_mlmd") as con:
        copy_to_mysql(tmp_path / "mlmd.sqlite", con)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "mlmd").write_text(PASSWORD + "\n")
    url = f"mysql://{USER}@127.0.0.1:{mariadb.port}/refresh_mlmd"
    (tmp_path / "graphlets.yml").write_text(
        f"sources:\n  - name: prod\n    kind: mlmd\n    location: {url}\n"
        "    password_file: secrets/mlmd\n"
    )
    rc, stderr = _refresh(tmp_path)
    assert rc == 0, stderr
    assert "ok     prod (mlmd)" in stderr and PASSWORD not in stderr
    warehouse = tmp_path / "warehouse.duckdb"
    assert query(warehouse, "select count(*) from marts.fct_graphlets")[0][0] == 1
    stored = query(warehouse, "select * from raw._sources")
    assert PASSWORD not in repr(stored)
