"""OpenLineage events built with the real client library (openlineage-python), for the
loader's and the collector's tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    StaticDataset,
)
from openlineage.client.facet_v2 import parent_run
from openlineage.client.serde import Serde

PRODUCER = "https://github.com/graphlets/tests"
T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def run_event(
    state: str,
    run_id: str,
    job: str = "train",
    *,
    minutes: float = 0,
    namespace: str = "pipelines",
    parent: tuple[str, str] | None = None,
    root: tuple[str, str] | None = None,
) -> RunEvent:
    """A RunEvent of ``job`` at T0 + ``minutes``; ``parent``/``root``: (run id, job name)."""
    facets = {}
    if parent is not None:
        facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=parent[0]),
            job=parent_run.Job(namespace=namespace, name=parent[1]),
            root=None
            if root is None
            else parent_run.Root(
                run=parent_run.RootRun(runId=root[0]),
                job=parent_run.RootJob(namespace=namespace, name=root[1]),
            ),
        )
    return RunEvent(
        eventType=RunState[state],
        eventTime=(T0 + dt.timedelta(minutes=minutes)).isoformat(),
        run=Run(runId=run_id, facets=facets),
        job=Job(namespace=namespace, name=job),
        inputs=[InputDataset(namespace="s3://data", name="examples")],
        outputs=[OutputDataset(namespace="s3://models", name=f"{job}/model")],
        producer=PRODUCER,
    )


def dataset_event() -> DatasetEvent:
    return DatasetEvent(
        eventTime=T0.isoformat(),
        dataset=StaticDataset(namespace="s3://data", name="examples"),
        producer=PRODUCER,
    )


def job_event() -> JobEvent:
    return JobEvent(
        eventTime=T0.isoformat(),
        job=Job(namespace="pipelines", name="train"),
        inputs=[InputDataset(namespace="s3://data", name="examples")],
        producer=PRODUCER,
    )


def new_run_id() -> str:
    return str(uuid.uuid4())


def canonical_hash(event: object) -> str:
    """The hash the loader keys an event by: sha256 of its canonical JSON."""
    value = json.loads(Serde.to_json(event))
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
