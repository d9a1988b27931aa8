"""OpenLineage on the canonical graph: events written by openlineage-python's FileTransport
for an Airflow-like daily training DAG (ingest -> features -> train -> evaluate -> deploy,
parent and root facets) are loaded and built; every graphlet, outcome and lineage rule then
reads them as it reads an MLMD store (docs/openlineage.md section 6)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import attr
import pytest
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    RunFacet,
    data_quality_assertions_dataset,
    dataset_version_dataset,
    job_type_job,
    parent_run,
)
from openlineage.client.transport.file import FileConfig, FileTransport

from tests.conftest import fingerprint, query, run_cli

NS = "airflow://prod"
DAG = "daily_model"
PRODUCER = "https://github.com/graphlets/tests"
DAY0 = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)


@attr.define
class GraphletsRunFacet(RunFacet):
    """The convention's custom run facet (docs/openlineage.md section 6.4)."""

    role: str


def _id(label: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, label))


class Dag:
    """Emits the events of one source through a FileTransport (NDJSON, appended)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.transport = FileTransport(
            FileConfig(log_file_path=str(folder / "events.ndjson"), append=True)
        )

    def emit(self, state: str, day: int, task: str, minutes: float, **kw) -> RunEvent:
        job_facets = {}
        if kw.get("job_type"):
            job_facets["jobType"] = job_type_job.JobTypeJobFacet(
                processingType="BATCH", integration="AIRFLOW", jobType=kw["job_type"]
            )
        dag_run = _id(f"dag-{day}")
        run_facets: dict = {
            "parent": parent_run.ParentRunFacet(
                run=parent_run.Run(runId=dag_run),
                job=parent_run.Job(namespace=NS, name=DAG),
                root=parent_run.Root(
                    run=parent_run.RootRun(runId=dag_run),
                    job=parent_run.RootJob(namespace=NS, name=DAG),
                ),
            )
        }
        if kw.get("role"):
            run_facets["graphlets"] = GraphletsRunFacet(role=kw["role"])
        event = RunEvent(
            eventType=RunState[state],
            eventTime=(DAY0 + dt.timedelta(days=day, minutes=minutes)).isoformat(),
            run=Run(runId=_id(f"{task}-{day}"), facets=run_facets),
            job=Job(namespace=NS, name=f"{DAG}.{task}", facets=job_facets),
            inputs=kw.get("inputs", []),
            outputs=kw.get("outputs", []),
            producer=PRODUCER,
        )
        self.transport.emit(event)
        return event

    def dag_run(self, state: str, day: int, minutes: float) -> None:
        self.transport.emit(
            RunEvent(
                eventType=RunState[state],
                eventTime=(DAY0 + dt.timedelta(days=day, minutes=minutes)).isoformat(),
                run=Run(runId=_id(f"dag-{day}")),
                job=Job(namespace=NS, name=DAG),
                producer=PRODUCER,
            )
        )


def _raw(day: int) -> InputDataset:
    version = dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=f"day-{day}")
    return InputDataset(namespace="s3://lake", name="raw_events", facets={"version": version})


def _model_input(passed: bool | None = None) -> InputDataset:
    facets = {}
    if passed is not None:
        facets["dataQualityAssertions"] = (
            data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
                assertions=[
                    data_quality_assertions_dataset.Assertion(
                        assertion="auc >= 0.8", success=passed
                    ),
                    data_quality_assertions_dataset.Assertion(assertion="rows > 0", success=True),
                ]
            )
        )
    return InputDataset(namespace="s3://models", name="churn", inputFacets=facets)


def _day(dag: Dag, day: int, *, train_fails: bool = False, eval_passes: bool = True) -> None:
    """One DAG run: ingest writes day's raw_events version, features reads the last three
    versions, train warm-starts from the previous model, evaluate asserts, deploy pushes."""
    raw_out = OutputDataset(
        namespace="s3://lake",
        name="raw_events",
        facets={"version": dataset_version_dataset.DatasetVersionDatasetFacet(
            datasetVersion=f"day-{day}")},
    )  # fmt: skip
    features = "s3://lake", "features"
    dag.dag_run("START", day, 0)
    dag.emit("START", day, "ingest", 1)
    if day == 0:
        dag.emit("START", day, "ingest", 1.5)  # a retried START: the earliest counts
    dag.emit("COMPLETE", day, "ingest", 5, outputs=[raw_out])
    windows = [_raw(d) for d in range(max(0, day - 2), day + 1)]
    dag.emit("START", day, "features", 6, inputs=windows)
    dag.emit("COMPLETE", day, "features", 10, inputs=windows,
             outputs=[OutputDataset(namespace=features[0], name=features[1])])  # fmt: skip
    train_in = [InputDataset(namespace=features[0], name=features[1]), _model_input()]
    model_out = OutputDataset(namespace="s3://models", name="churn")
    dag.emit("START", day, "train", 11, job_type="TRAIN", inputs=train_in)
    if train_fails:
        dag.emit("FAIL", day, "train", 20, job_type="TRAIN", outputs=[model_out])
        dag.dag_run("FAIL", day, 21)
        return
    complete = dag.emit("COMPLETE", day, "train", 30, job_type="TRAIN", outputs=[model_out])
    if day == 0:
        dag.transport.emit(complete)  # the same event twice: stored once
    evaluate_in = [_model_input(passed=eval_passes)]
    if day == 3:  # COMPLETE before START in the file
        dag.emit("COMPLETE", day, "evaluate", 40, job_type="EVALUATE", inputs=evaluate_in)
        dag.emit("START", day, "evaluate", 31, job_type="EVALUATE", inputs=evaluate_in)
    else:
        dag.emit("START", day, "evaluate", 31, job_type="EVALUATE", inputs=evaluate_in)
        dag.emit("COMPLETE", day, "evaluate", 40, job_type="EVALUATE")
    if eval_passes:
        dag.emit("START", day, "release", 41, role="push", inputs=[_model_input()])
        dag.emit("COMPLETE", day, "release", 45, role="push")
    dag.dag_run("COMPLETE", day, 46)


def _build(warehouse: Path) -> None:
    done = run_cli("--warehouse", str(warehouse), "build")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("ol_graph")
    dag = Dag(folder / "lineage")
    _day(dag, 0)
    _day(dag, 1, train_fails=True)
    _day(dag, 2, eval_passes=False)
    _day(dag, 3)
    warehouse = folder / "w.duckdb"
    done = run_cli("--warehouse", str(warehouse), "load", "openlineage", str(folder / "lineage"))
    assert done.returncode == 0, done.stderr
    _build(warehouse)
    return warehouse, folder / "lineage"


def _graphlets(warehouse: Path) -> dict[int, tuple[str, int]]:
    """graphlet_id -> (outcome, day of its training run)."""
    rows = query(
        warehouse,
        "select g.graphlet_id, g.outcome, e.source_execution_key from marts.fct_graphlets g "
        "join intermediate.int_executions e on e.execution_id = g.trainer_execution_id",
    )
    days = {_id(f"train-{d}"): d for d in range(4)}
    return {gid: (outcome, days[key]) for gid, outcome, key in rows}


def test_one_graphlet_per_training_run_with_its_outcome(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    outcomes = sorted((day, outcome) for outcome, day in _graphlets(warehouse).values())
    assert outcomes == [(0, "pushed"), (1, "training_failed"), (2, "not_blessed"), (3, "pushed")]
    assert query(
        warehouse,
        "select distinct pipeline_id, pipeline_name from marts.fct_executions",
    ) == [("lineage/daily_model", "daily_model")]
    # The DAG runs are pipeline runs, not steps: 4 days x 5 tasks, less the failed day's
    # evaluate and release, less the release of the day whose evaluation failed.
    assert query(warehouse, "select count(*) from marts.fct_executions") == [(17,)]
    states = dict(
        query(
            warehouse,
            "select source_execution_key, state from intermediate.int_executions",
        )
    )
    assert states[_id("train-1")] == "FAILED" and states[_id("evaluate-3")] == "COMPLETE"
    (started,) = query(
        warehouse,
        "select started_at from intermediate.int_executions where source_execution_key = ?",
        [_id("ingest-0")],
    )
    # UTC without a zone, as MLMD's times: the union keeps one timestamp type.
    assert started[0] == DAY0.replace(tzinfo=None) + dt.timedelta(minutes=1)


def test_warm_starts_make_model_lineage(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    day_of = {gid: day for gid, (_, day) in _graphlets(warehouse).items()}
    lineage = {
        (day_of[g], day_of[a], n)
        for g, a, n in query(
            warehouse,
            "select graphlet_id, ancestor_graphlet_id, generations from marts.fct_model_lineage",
        )
    }
    # Day 2 warm-starts from day 0 (day 1's model was written by a failed run).
    assert lineage == {(1, 0, 1), (2, 0, 1), (3, 2, 1), (3, 0, 2)}


def test_feature_and_ingestion_runs_are_upstream_members(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    day_of = {gid: day for gid, (_, day) in _graphlets(warehouse).items()}
    rows = query(
        warehouse,
        "select m.graphlet_id, m.relation, e.source_execution_key "
        "from marts.fct_graphlet_executions m "
        "join intermediate.int_executions e on e.execution_id = m.execution_id",
    )
    names = {
        _id(f"{task}-{d}"): f"{task}-{d}"
        for task in ("ingest", "features", "train", "evaluate", "release")
        for d in range(4)
    }
    members = {(day_of[g], relation, names[key]) for g, relation, key in rows}
    day3 = {(rel, name) for d, rel, name in members if d == 3}
    assert day3 == {
        ("trainer", "train-3"),
        ("upstream", "features-3"),
        ("upstream", "ingest-1"),
        ("upstream", "ingest-2"),
        ("upstream", "ingest-3"),
        ("downstream", "evaluate-3"),
        ("downstream", "release-3"),
    }
    # The raw_events version of day 1 feeds the features of days 1 to 3.
    assert query(
        warehouse,
        "select n_graphlets_sharing from marts.fct_graphlet_executions m "
        "join intermediate.int_executions e on e.execution_id = m.execution_id "
        "where e.source_execution_key = ? limit 1",
        [_id("ingest-1")],
    ) == [(3,)]


def test_loading_the_same_events_again_changes_nothing(built: tuple[Path, Path]) -> None:
    warehouse, lineage = built
    before = {k: v for k, v in fingerprint(warehouse).items() if k.startswith("marts.")}
    done = run_cli("--warehouse", str(warehouse), "load", "openlineage", str(lineage))
    assert done.returncode == 0 and "0 new events" in done.stderr, done.stderr
    _build(warehouse)
    after = {k: v for k, v in fingerprint(warehouse).items() if k.startswith("marts.")}
    assert after == before and before
