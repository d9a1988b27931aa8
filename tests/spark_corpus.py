"""The OpenLineage part of tests/test_spark.py's corpus: a small NDJSON file of raw events
(written as JSON, as a producer sends them) that touches every facet the OpenLineage
models read (docs/openlineage.md section 6): a DAG run as parent and root, jobType,
errorMessage, the `graphlets` run, job, dataset, input and output facets (role, cost as an
integer, a float, a string and a JSON null, type, span, key, blessed, pushed), dataset
versions, unversioned reads resolved to the latest good write, dataQualityAssertions, a
FAIL and an ABORT, a run without a terminal event, a DatasetEvent, a JobEvent, a record
that is no event (quarantined) and `inputs` that are no JSON array. And rows of the ML
Metadata store that audit.dq_quarantine flags (`add_flagged_rows`)."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from pathlib import Path

from graphlets.synth.mlmd_store import StoreWriter
from tests.stores import EXAMPLE_GEN, HOUR, T0

NS = "airflow://prod"
DAG = "nightly"
PRODUCER = "https://github.com/graphlets/tests"
RUN_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"
DAY0 = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)


def _id(label: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"spark-{label}"))


def _at(day: int, minutes: float) -> str:
    return (DAY0 + dt.timedelta(days=day, minutes=minutes)).isoformat()


def _dataset(namespace: str, name: str, **facets: object) -> dict:
    dataset: dict = {"namespace": namespace, "name": name, "facets": {}}
    if "version" in facets:
        dataset["facets"]["version"] = {"datasetVersion": facets.pop("version")}
    for kind in ("facets", "inputFacets", "outputFacets"):
        if kind in facets:
            dataset.setdefault(kind, {}).update(facets.pop(kind))
    return dataset


def _run_event(state: str, day: int, task: str, minutes: float, **kw: object) -> dict:
    dag_run = _id(f"dag-{day}")
    run_facets: dict = {
        "parent": {
            "run": {"runId": dag_run},
            "job": {"namespace": NS, "name": DAG},
            "root": {"run": {"runId": dag_run}, "job": {"namespace": NS, "name": DAG}},
        }
    }
    graphlets_facet = {k: kw[k] for k in ("role", "cost") if k in kw}
    if graphlets_facet:
        run_facets["graphlets"] = graphlets_facet
    if "error" in kw:
        run_facets["errorMessage"] = {"message": kw["error"], "programmingLanguage": "python"}
    job_facets: dict = {}
    if "job_type" in kw:
        job_facets["jobType"] = {
            "processingType": "BATCH",
            "integration": "AIRFLOW",
            "jobType": kw["job_type"],
        }
    if "job_role" in kw:
        job_facets["graphlets"] = {"role": kw["job_role"]}
    return {
        "eventType": state,
        "eventTime": _at(day, minutes),
        "run": {"runId": _id(f"{task}-{day}"), "facets": run_facets},
        "job": {"namespace": NS, "name": f"{DAG}.{task}", "facets": job_facets},
        "inputs": kw.get("inputs", []),
        "outputs": kw.get("outputs", []),
        "producer": PRODUCER,
        "schemaURL": RUN_SCHEMA,
    }


def _day(day: int, *, blessed: bool, train_fails: bool = False) -> list[dict]:
    features = _dataset("s3://lake", "features/nightly", facets={"graphlets": {"span": day}})
    model = _dataset(
        "s3://models",
        "churn",
        version=f"m{day}",
        facets={"graphlets": {"type": "Model"}},
        outputFacets={"graphlets": {"key": "model"}},
    )
    assertions = {
        "dataQualityAssertions": {
            "assertions": [
                {"assertion": "auc", "success": blessed},
                {"assertion": "rows", "success": True, "column": "label"},
            ]
        },
        "graphlets": {"key": "model"},
    }
    events = [
        _run_event("START", day, "extract", 0, job_type="TASK", cost=12),
        _run_event("COMPLETE", day, "extract", 10, outputs=[features], cost=12.5, job_type="TASK"),
        _run_event("START", day, "train", 15, inputs=[features], role="trainer"),
    ]
    if train_fails:
        events.append(
            _run_event("FAIL", day, "train", 20, inputs=[features], error="out of memory")
        )
        return events
    events += [
        _run_event("COMPLETE", day, "train", 40, inputs=[features], outputs=[model], cost=None),
        _run_event(
            "START",
            day,
            "evaluate",
            45,
            inputs=[{**model, "inputFacets": assertions}],
            job_role="evaluator",
            cost="cheap",
        ),
        _run_event("COMPLETE", day, "evaluate", 50, inputs=[{**model, "inputFacets": assertions}]),
    ]
    if blessed:
        pushed = _dataset(
            "file",
            "/srv/models/churn",
            outputFacets={"graphlets": {"key": "pushed_model", "pushed": True}},
        )
        events += [
            _run_event("START", day, "deploy", 55, inputs=[model], job_type="DEPLOY"),
            _run_event("COMPLETE", day, "deploy", 58, inputs=[model], outputs=[pushed]),
        ]
    return events


def write_events(path: Path) -> None:
    """Three nights of the DAG and the odd records after them, one JSON record a line."""
    events = _day(0, blessed=True) + _day(1, blessed=False)
    events += _day(2, blessed=True, train_fails=True)
    events += [
        _run_event("START", 3, "extract", 0),
        {**_run_event("ABORT", 3, "extract", 5), "inputs": {"not": "a list"}},
        # A run with no terminal event (RUNNING) whose outputs are no JSON array.
        {**_run_event("START", 3, "train", 10), "outputs": "features"},
        {
            "eventTime": _at(3, 20),
            "producer": PRODUCER,
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
            "dataset": {"namespace": "s3://lake", "name": "features/nightly", "facets": {}},
        },
        {
            "eventTime": _at(3, 25),
            "producer": PRODUCER,
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
            "job": {"namespace": NS, "name": f"{DAG}.extract", "facets": {}},
            "inputs": [],
            "outputs": [],
        },
    ]
    lines = [json.dumps(event) for event in events]
    lines.insert(3, json.dumps({"producer": PRODUCER, "note": "no event"}))
    path.write_text("\n".join(lines) + "\n")


def add_flagged_rows(store: Path) -> None:
    """Executions of unknown time, ending before they start or far in the future, and an
    artifact two COMPLETE executions produce (docs/semantics.md section 8)."""
    future = int(time.time() * 1000) + 10 * 24 * HOUR
    with StoreWriter(store) as w:
        w.execution(EXAMPLE_GEN, "COMPLETE", 0, T0 + HOUR, name="unknown-start")
        w.execution(EXAMPLE_GEN, "FAILED", T0 + 2 * HOUR + 250, T0 + HOUR, name="negative")
        w.execution(EXAMPLE_GEN, "COMPLETE", T0, future, name="future")
        twice = w.artifact("Examples", "/art/twice", T0 + HOUR)
        for name in ("producer-a", "producer-b"):
            producer = w.execution(EXAMPLE_GEN, "COMPLETE", T0, T0 + HOUR, name=name)
            w.event(producer, twice, "OUTPUT", T0 + HOUR, "examples")
