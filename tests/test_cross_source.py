"""One graph across sources (docs/semantics.md section 1.10): an Airflow job recorded by
openlineage-python's FileTransport writes `s3://lake` + `features/daily`; an MLflow training
run (a store written by the mlflow library, tests/mlflow_store.py `cross`) reads the dataset
with source `s3://lake/features/daily` and registers its model. Loaded into one warehouse
and built, the job is an upstream member of the model's graphlet, with its cost; with
`graphlets_cross_source_matching: false` it is not. An ML Metadata store writing the same
location later takes over at the next (incremental) build."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from openlineage.client.event_v2 import Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.transport.file import FileConfig, FileTransport

from graphlets.build.dbt import build
from graphlets.synth.mlmd_store import StoreWriter
from tests.conftest import query, run_cli
from tests.stores import EXAMPLE_GEN
from tests.test_incremental import content, differs
from tests.test_mlflow import _store as write_mlflow_store

NS = "airflow://prod"
PRODUCER = "https://github.com/graphlets/tests"
DAY0 = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)  # tests/mlflow_store.py's day 0

# Feature runs: (label, job, start and end in minutes after DAY0, namespace, name). The
# MLflow training runs start at minute 120.
FEATURE_RUNS = [
    ("daily-a", "lake.daily_features", 0, 20, "s3://lake", "features/daily"),
    ("daily-b", "lake.daily_features", 60, 90, "s3://lake", "features/daily"),
    ("daily-late", "lake.daily_features", 180, 190, "s3://lake", "features/daily"),
    # MLflow names this one `s3://lake/features/hourly/`: scheme case and trailing slash.
    ("hourly", "lake.hourly_features", 70, 100, "S3://lake", "features/hourly"),
]


def _id(label: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cross-{label}"))


def _write_lineage(folder: Path) -> None:
    folder.mkdir(parents=True)
    transport = FileTransport(FileConfig(log_file_path=str(folder / "events.ndjson"), append=True))
    for label, job, start, end, namespace, name in FEATURE_RUNS:
        for state, minutes, outputs in (
            ("START", start, []),
            ("COMPLETE", end, [OutputDataset(namespace=namespace, name=name)]),
        ):
            transport.emit(
                RunEvent(
                    eventType=RunState[state],
                    eventTime=(DAY0 + dt.timedelta(minutes=minutes)).isoformat(),
                    run=Run(runId=_id(label)),
                    job=Job(namespace=NS, name=job),
                    outputs=outputs,
                    producer=PRODUCER,
                )
            )


def _load(warehouse: Path, lineage: Path, store: Path) -> None:
    for args in (("openlineage", str(lineage)), ("mlflow", f"sqlite:///{store}")):
        done = run_cli("--warehouse", str(warehouse), "load", *args)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cross_source")
    _write_lineage(folder / "lineage")
    write_mlflow_store("cross", str(folder / "mlflow.db"))
    return folder / "lineage", folder / "mlflow.db"


@pytest.fixture(scope="module")
def matched(sources: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("cross_on") / "w.duckdb"
    _load(warehouse, *sources)
    done = run_cli("--warehouse", str(warehouse), "build")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return warehouse


@pytest.fixture(scope="module")
def unmatched(sources: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("cross_off") / "w.duckdb"
    _load(warehouse, *sources)
    build(warehouse, vars={"graphlets_cross_source_matching": False}, publish=False)
    return warehouse


def _members(warehouse: Path, trainer: str) -> dict[str, tuple[str, str, int, float]]:
    """The members of the graphlet trained by MLflow run ``trainer``: member name (the
    feature run's label for OpenLineage runs) -> (source kind, relation, hops, cost)."""
    labels = {_id(label): label for label, *_ in FEATURE_RUNS}
    rows = query(
        warehouse,
        "select e.source_kind, e.source_execution_key, e.execution_name, m.relation, m.hops, "
        "m.cost from marts.fct_graphlet_executions m "
        "join marts.fct_graphlets g on g.graphlet_id = m.graphlet_id "
        "join intermediate.int_executions t on t.execution_id = g.trainer_execution_id "
        "join intermediate.int_executions e on e.execution_id = m.execution_id "
        "where t.execution_name = ?",
        [trainer],
    )
    return {
        labels.get(key, name): (kind, relation, hops, cost)
        for kind, key, name, relation, hops, cost in rows
    }


def test_the_airflow_job_is_an_upstream_member_with_its_cost(matched: Path) -> None:
    members = _members(matched, "train-daily")
    # The version read is the last one written before training started: daily-b's. The
    # earlier run's version was replaced; the late run wrote after training started.
    assert members["daily-b"] == ("openlineage", "upstream", 1, 1800.0)
    assert "daily-a" not in members and "daily-late" not in members
    assert members["train-daily"][:2] == ("mlflow", "trainer")
    assert members["register churn-model/1"][:2] == ("mlflow", "downstream")
    # The job's cost is counted in the model's graphlet and is no longer orphan.
    ((attributed, waste_class),) = query(
        matched,
        "select m.attributed_cost, x.waste_class from marts.fct_graphlet_executions m "
        "join marts.fct_executions x on x.execution_id = m.execution_id "
        "join intermediate.int_executions e on e.execution_id = m.execution_id "
        "where e.source_execution_key = ?",
        [_id("daily-b")],
    )
    assert attributed == 1800.0 and waste_class != "orphan"
    edges = query(
        matched,
        "select p.source_kind, c.source_kind, x.is_cross_source from intermediate.int_edges x "
        "join intermediate.int_executions p on p.execution_id = x.producer_execution_id "
        "join intermediate.int_executions c on c.execution_id = x.consumer_execution_id "
        "where p.source_execution_key = ?",
        [_id("daily-b")],
    )
    assert edges == [("openlineage", "mlflow", True)]


def test_locations_match_after_normalisation(matched: Path) -> None:
    # OpenLineage `S3://lake` + `features/hourly`, MLflow `s3://lake/features/hourly/`.
    assert _members(matched, "train-hourly")["hourly"] == ("openlineage", "upstream", 1, 1800.0)
    keys = query(
        matched,
        "select a.source_kind, a.uri, i.identity_key from intermediate.int_artifact_identity i "
        "join intermediate.int_artifacts a on a.artifact_id = i.artifact_id "
        "where i.identity_key like '%hourly%' order by 1",
    )
    assert keys == [
        ("mlflow", "s3://lake/features/hourly/", "s3://lake/features/hourly"),
        ("openlineage", "S3://lake/features/hourly", "s3://lake/features/hourly"),
    ]


def test_without_cross_source_matching_the_sources_stay_apart(unmatched: Path) -> None:
    for trainer in ("train-daily", "train-hourly"):
        members = _members(unmatched, trainer)
        assert {kind for kind, *_ in members.values()} == {"mlflow"}, members
        assert members[trainer][:2] == ("mlflow", "trainer")
    assert query(
        unmatched, "select count(*) from intermediate.int_edges where is_cross_source"
    ) == [(0,)]
    # The feature runs belong to no graphlet: their cost is orphan.
    assert query(
        unmatched,
        "select distinct waste_class from marts.fct_executions where source_kind = 'openlineage'",
    ) == [("orphan",)]


def _ms(minutes: float) -> int:
    return int((DAY0 + dt.timedelta(minutes=minutes)).timestamp() * 1000)


def _example_gen(store: Path, contexts: tuple[int, ...], start: float, end: float) -> None:
    """One ExampleGen run of an MLMD store writing `s3://lake/features/daily/` (TFX writes
    directories) from minute ``start`` to ``end``."""
    with StoreWriter(store) as w:
        execution = w.execution(EXAMPLE_GEN, "COMPLETE", _ms(start), _ms(end), contexts=contexts)
        examples = w.artifact("Examples", "s3://lake/features/daily/", _ms(end))
        w.event(execution, examples, "OUTPUT", _ms(end), "examples")


def test_a_newer_version_in_another_source_takes_over_incrementally(
    sources: tuple[Path, Path], tmp_path: Path
) -> None:
    _, mlflow_store = sources
    store = tmp_path / "tfx.sqlite"
    with StoreWriter(store) as w:
        pipeline = w.context("pipeline", "features", _ms(0))
        contexts = (pipeline, w.context("node", "features.CsvExampleGen", _ms(0)))
    _example_gen(store, contexts, 0, 30)
    warehouse = tmp_path / "w.duckdb"

    def load_and_build() -> None:
        for args in (
            ("mlmd", str(store), "--source", "tfx"),
            ("mlflow", f"sqlite:///{mlflow_store}"),
        ):
            done = run_cli("--warehouse", str(warehouse), "load", *args)
            assert done.returncode == 0, done.stderr
        done = run_cli("--warehouse", str(warehouse), "build")
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    def upstream_of_daily() -> list[tuple]:
        return query(
            warehouse,
            "select e.source_kind, e.ended_at from marts.fct_graphlet_executions m "
            "join marts.fct_graphlets g on g.graphlet_id = m.graphlet_id "
            "join intermediate.int_executions t on t.execution_id = g.trainer_execution_id "
            "join intermediate.int_executions e on e.execution_id = m.execution_id "
            "where t.execution_name = 'train-daily' and m.relation = 'upstream'",
        )

    load_and_build()

    def end(minutes: float) -> dt.datetime:
        return DAY0.replace(tzinfo=None) + dt.timedelta(minutes=minutes)

    assert upstream_of_daily() == [("mlmd", end(minutes=30))]
    # A second ExampleGen run writes the location again before training started: the
    # MLflow run read that version. Only the MLMD store changed, so the build is
    # incremental and re-walks only the graphlet reading the location.
    _example_gen(store, contexts, 60, 100)
    load_and_build()
    assert upstream_of_daily() == [("mlmd", end(minutes=100))]
    assert query(warehouse, "select count(*) from intermediate.int_graphlet_refresh_set") == [(1,)]
    fresh = tmp_path / "fresh.duckdb"
    for args in (("mlmd", str(store), "--source", "tfx"), ("mlflow", f"sqlite:///{mlflow_store}")):
        assert run_cli("--warehouse", str(fresh), "load", *args).returncode == 0
    assert run_cli("--warehouse", str(fresh), "build").returncode == 0
    got, want = content(warehouse), content(fresh)
    assert sorted(t for t in want if differs(got.get(t, []), want[t])) == []
