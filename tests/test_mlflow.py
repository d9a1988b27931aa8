"""MLflow on the canonical graph: a tracking store written by the mlflow library itself
(tests/mlflow_store.py, in .venv-mlflow: mlflow's pins conflict with dbt's) is loaded with
`graphlets load mlflow` and built; graphlets, outcomes and members then follow the mapping
of docs/mlflow.md section 3."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, fingerprint, query, run_cli

MLFLOW_PYTHON = REPO / ".venv-mlflow" / "bin" / "python"
SCRIPT = REPO / "tests" / "mlflow_store.py"


def _store(*args: str) -> None:
    if not MLFLOW_PYTHON.exists():
        subprocess.run(
            ["make", "-C", str(REPO), ".venv-mlflow/.installed"], check=True, capture_output=True
        )
    done = subprocess.run(
        [str(MLFLOW_PYTHON), str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _load(warehouse: Path, store: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("--warehouse", str(warehouse), "load", "mlflow", *extra, f"sqlite:///{store}")


def _build(warehouse: Path, *select: str) -> None:
    done = run_cli("--warehouse", str(warehouse), "build", *select)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


# What _outcomes reads, for tests that read nothing else (a third of a full build).
OUTCOMES_ONLY = ("--select", "+fct_graphlets")


def _outcomes(warehouse: Path) -> dict[str, str]:
    """Training run name -> its graphlet's outcome."""
    rows = query(
        warehouse,
        "select e.execution_name, g.outcome from marts.fct_graphlets g "
        "join intermediate.int_executions e on e.execution_id = g.trainer_execution_id",
    )
    return dict(rows)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mlflow_store") / "churn.db"
    _store("build", str(path))
    return path


@pytest.fixture(scope="module")
def built(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("mlflow_wh") / "w.duckdb"
    done = _load(warehouse, store)
    assert done.returncode == 0, done.stderr
    _build(warehouse)
    return warehouse


def test_one_graphlet_per_training_run_with_its_outcome(built: Path) -> None:
    # train-0's version 1 is in stage Production (and was champion), train-1's version 2
    # holds the champion alias, day 2's candidate was rejected by its evaluation, day 3's
    # version 3 is registered but never served (a single load cannot know more).
    assert _outcomes(built) == {
        "train-0": "pushed",
        "train-1-first": "training_failed",
        "train-1": "pushed",
        "train-2": "not_blessed",
        "train-3": "not_pushed",
    }


def test_members_follow_the_runs_inputs_and_outputs(built: Path) -> None:
    rows = query(
        built,
        "select t.execution_name, m.relation, e.execution_name "
        "from marts.fct_graphlet_executions m "
        "join marts.fct_graphlets g on g.graphlet_id = m.graphlet_id "
        "join intermediate.int_executions t on t.execution_id = g.trainer_execution_id "
        "join intermediate.int_executions e on e.execution_id = m.execution_id",
    )
    members = {(t, relation, name) for t, relation, name in rows}
    for day in range(4):
        # Each evaluation run is downstream of the graphlet whose model it read, and only.
        evaluated = {t for t, rel, name in members if name == f"evaluate-{day}"}
        assert evaluated == {f"train-{day}"}
        assert (f"train-{day}", "downstream", f"evaluate-{day}") in members
        # The run that wrote the features (a dataset input with context `output`) is upstream.
        assert (f"train-{day}", "upstream", f"prepare-data-{day}") in members
    assert (
        "train-1",
        "downstream",
        "register churn-model/2",
    ) in members
    roles = dict(
        query(
            built,
            "select execution_name, role from intermediate.int_executions "
            "where source_kind = 'mlflow'",
        )
    )
    assert roles["train-0"] == "train" and roles["evaluate-0"] == "evaluate"
    assert roles["prepare-data-0"] == "transform" and roles["register churn-model/1"] == "push"


def test_loading_the_same_store_again_changes_nothing(built: Path, store: Path) -> None:
    def state() -> dict:
        return {
            k: v
            for k, v in fingerprint(built).items()
            if k.startswith(("marts.", "raw.mlflow_", "raw._quarantine", "raw._sources"))
        }

    before = state()
    done = _load(built, store)
    assert done.returncode == 0 and "0 changed" in done.stderr, done.stderr
    _build(built)
    assert state() == before and before


def test_daily_loads_keep_the_alias_history(store: Path, tmp_path: Path) -> None:
    """MLflow keeps only the current alias; loads that saw version 3 as champion remember it."""
    copy = tmp_path / "churn.db"
    shutil.copy(store, copy)
    warehouse = tmp_path / "w.duckdb"
    assert _load(warehouse, copy).returncode == 0
    _build(warehouse, *OUTCOMES_ONLY)
    assert _outcomes(warehouse)["train-3"] == "not_pushed"
    _store("alias", str(copy), "churn-model", "champion", "3")
    assert _load(warehouse, copy).returncode == 0
    _build(warehouse, *OUTCOMES_ONLY)  # incremental: the newly seen alias recomputes the graphlets
    assert _outcomes(warehouse)["train-3"] == "pushed"
    _store("alias", str(copy), "churn-model", "champion", "2")  # back: the store is as before
    assert _load(warehouse, copy).returncode == 0
    _build(warehouse, *OUTCOMES_ONLY)
    outcomes = _outcomes(warehouse)
    assert outcomes["train-3"] == "pushed"
    assert outcomes["train-0"] == outcomes["train-1"] == "pushed"
    sightings = query(
        warehouse,
        "select version, holder, first_load_id from raw.mlflow_registry_sightings "
        "where holder_kind = 'alias' order by version",
    )
    assert sightings == [(2, "champion", 1), (3, "champion", 2)]


def test_bad_rows_are_quarantined_with_the_reason(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bad.db"
    shutil.copy(store, copy)
    con = sqlite3.connect(copy)
    with con:
        con.execute(
            "insert into runs (run_uuid, name, status, start_time, end_time, experiment_id, "
            "lifecycle_stage, source_type, source_name, entry_point_name, user_id, "
            "source_version, artifact_uri) values ('orphan', 'train-orphan', 'FINISHED', "
            "1, 2, 999, 'active', 'LOCAL', '', '', 'u', '', '')"
        )
        con.execute(
            "insert into model_versions (name, version, creation_time, last_updated_time, "
            "current_stage, source, run_id, status) values "
            "('churn-model', 9, 1, 1, 'None', 'runs:/gone/model', 'gone', 'READY')"
        )
    con.close()
    warehouse = tmp_path / "w.duckdb"
    done = _load(warehouse, copy)
    assert done.returncode == 0, done.stderr
    assert "run_without_experiment: 1" in done.stderr
    assert "model_version_missing_run: 1" in done.stderr
    assert query(warehouse, "select table_name, reason from raw._quarantine order by 1") == [
        ("mlflow_model_versions", "model_version_missing_run"),
        ("mlflow_runs", "run_without_experiment"),
    ]
    assert query(warehouse, "select count(*) from raw.mlflow_runs where run_uuid = 'orphan'") == [
        (0,)
    ]
    _build(warehouse)
    assert len(_outcomes(warehouse)) == 5


def test_errors_are_one_line_and_change_nothing(store: Path, tmp_path: Path, built: Path) -> None:
    unknown = tmp_path / "future.db"
    shutil.copy(store, unknown)
    con = sqlite3.connect(unknown)
    with con:
        con.execute("update alembic_version set version_num = 'ffffffffffff'")
    con.close()
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("create table t (x)").connection.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database")
    before = fingerprint(built)
    for path, words in (
        (unknown, "unknown MLflow schema revision 'ffffffffffff'"),
        (plain, "is not an MLflow store"),
        (garbage, "cannot read"),
        (tmp_path / "missing.db", "MLflow store not found"),
    ):
        done = _load(built, path, "--source", "other")
        assert done.returncode == 2, done.stderr
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert fingerprint(built) == before
