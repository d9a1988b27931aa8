"""Write a Kubeflow Pipelines v2 ML Metadata store with Google's own client (ml-metadata).

Runs in .venv-mlmd, from tests/test_kfp.py:
    python tests/kfp_store.py write STORE.sqlite   -> prints the ids as JSON

The layout is the one KFP v2's driver and launcher write: a `system.Pipeline` context (the
pipeline's name) and one `system.PipelineRun` context per run (the run id) whose parent is
the pipeline context; a `system.DAGExecution` per run (the root DAG); one
`system.ContainerExecution` per task with the custom properties `display_name`,
`task_name`, `parent_dag_id`, `image`, `cache_fingerprint`, `pod_name` (a cached task:
state CACHED, `cached_execution_id`, OUTPUT events on the original artifacts; a task not
triggered: CANCELED, no events); a `system.ImporterExecution` for an importer; artifacts
`system.Dataset`, `system.Model`, `system.Metrics` with `display_name`; INPUT/OUTPUT events
whose path is one key step (the artifact's name), no index step. Executions are created
RUNNING with their inputs (the driver) and then published with their outputs (the launcher).

The daily pipeline `daily-train`, one run a day, tasks ingest -> preprocess -> train ->
evaluate -> deploy (deploy runs only when the evaluation's Metrics carry `blessed` = 1):

    day 1  everything runs, blessed, deployed                       -> pushed
    day 2  train warm-starts from day 1's model, deployed           -> pushed
    day 3  ingest is CACHED (reuses day 2's); blessed = 0, deploy
           not triggered (CANCELED)                                 -> not_blessed
    day 4  train FAILED; evaluate and deploy not triggered          -> training_failed
    day 5  evaluate logs no verdict, deploy not triggered; judged a
           day later                                                -> not_pushed
    day 6  an importer brings a pretrained model; the evaluation task
           `gate` is marked `graphlets_role` = evaluate; deployed   -> pushed

The client stamps every row with the wall clock; the days are then written into the
timestamps (Execution, Event, Artifact) so that the store spans six days.
"""

from __future__ import annotations

import json
import sqlite3
import sys

from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

T0 = 1_767_225_600_000  # 2026-01-01T00:00Z, ms
MINUTE = 60_000
DAY = 24 * 60 * MINUTE
PIPELINE = "daily-train"


def store_at(path: str) -> metadata_store.MetadataStore:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return metadata_store.MetadataStore(config)


def key_event(kind: int, key: str) -> pb.Event:
    """A KFP event: one key step (the artifact's name), no index step."""
    e = pb.Event(type=kind)
    e.path.steps.add().key = key
    return e


class Writer:
    """Writes KFP rows with the client and remembers the times each stands for."""

    def __init__(self, path: str) -> None:
        self.store = store_at(path)
        self.times: dict[int, tuple[int, int]] = {}  # execution -> (start, end) in ms
        self.artifact_times: dict[int, int] = {}
        pipeline_type = self.store.put_context_type(pb.ContextType(name="system.Pipeline"))
        (self.pipeline,) = self.store.put_contexts(
            [pb.Context(type_id=pipeline_type, name=PIPELINE)]
        )
        self.run_type = self.store.put_context_type(pb.ContextType(name="system.PipelineRun"))

    def type_id(self, kind: str, name: str) -> int:
        if kind == "execution":
            return self.store.put_execution_type(pb.ExecutionType(name=name))
        return self.store.put_artifact_type(pb.ArtifactType(name=name))

    def run(self, run_id: str) -> pb.Context:
        run = pb.Context(type_id=self.run_type, name=run_id)
        run.custom_properties["namespace"].string_value = "kubeflow"
        run.custom_properties["pipeline_root"].string_value = f"minio://mlpipeline/{run_id}"
        (run.id,) = self.store.put_contexts([run])
        self.store.put_parent_contexts([pb.ParentContext(child_id=run.id, parent_id=self.pipeline)])
        return run

    def artifact(self, type_name: str, name: str, uri: str, **custom) -> pb.Artifact:
        a = pb.Artifact(type_id=self.type_id("artifact", type_name), uri=uri)
        a.state = pb.Artifact.LIVE
        a.custom_properties["display_name"].string_value = name
        for key, value in custom.items():
            if isinstance(value, float):
                a.custom_properties[key].double_value = value
            else:
                a.custom_properties[key].string_value = str(value)
        return a

    def execution(
        self,
        type_name: str,
        run: pb.Context,
        state: int,
        start: int,
        end: int,
        inputs: tuple = (),
        outputs: tuple = (),
        **custom,
    ) -> tuple[int, list[int]]:
        """Driver then launcher: RUNNING with the inputs, then `state` with the outputs."""
        e = pb.Execution(type_id=self.type_id("execution", type_name))
        e.last_known_state = pb.Execution.RUNNING
        for key, value in custom.items():
            if isinstance(value, int):
                e.custom_properties[key].int_value = value
            else:
                e.custom_properties[key].string_value = value
        pairs = [(a, key_event(pb.Event.INPUT, k)) for k, a in inputs]
        e.id, _, _ = self.store.put_execution(e, pairs, [run])
        e.last_known_state = state
        pairs = [(a, key_event(pb.Event.OUTPUT, k)) for k, a in outputs]
        _, artifact_ids, _ = self.store.put_execution(e, pairs, [])
        for (_, a), artifact_id in zip(outputs, artifact_ids, strict=True):
            a.id = artifact_id
            self.artifact_times.setdefault(artifact_id, end)
        self.times[e.id] = (start, end)
        return e.id, artifact_ids

    def task(self, run, dag: int, name: str, state: int, start: int, end: int, **kw):
        props = {
            "display_name": name,
            "task_name": name,
            "parent_dag_id": dag,
            "image": f"gcr.io/acme/{name}:1.0",
            "cache_fingerprint": f"fp-{name}-{start}",
            "pod_name": f"{run.name}-{name}-pod",
            **kw.pop("props", {}),
        }
        return self.execution("system.ContainerExecution", run, state, start, end, **kw, **props)

    def retime(self, path: str) -> None:
        """Write the days the rows stand for into the timestamps the client set."""
        db = sqlite3.connect(path)
        for x, (start, end) in self.times.items():
            db.execute(
                "UPDATE Execution SET create_time_since_epoch = ?, "
                "last_update_time_since_epoch = ? WHERE id = ?",
                (start, end, x),
            )
            # inputs are read at the start, outputs written at the end
            db.execute(
                "UPDATE Event SET milliseconds_since_epoch = CASE type WHEN 3 THEN ? ELSE ? END "
                "WHERE execution_id = ?",
                (start, end, x),
            )
        for a, at in self.artifact_times.items():
            db.execute(
                "UPDATE Artifact SET create_time_since_epoch = ?, "
                "last_update_time_since_epoch = ? WHERE id = ?",
                (at, at, a),
            )
        db.commit()
        db.close()


def day_run(w: Writer, day: int, prev: dict) -> dict:
    """One run of the pipeline on `day` (1-based); `prev` holds earlier runs' artifacts."""
    ok, cached, failed, canceled = (
        pb.Execution.COMPLETE,
        pb.Execution.CACHED,
        pb.Execution.FAILED,
        pb.Execution.CANCELED,
    )
    t = T0 + day * DAY
    run = w.run(f"run-day{day}")
    dag, _ = w.execution(
        "system.DAGExecution", run, ok, t, t + 140 * MINUTE,
        display_name=PIPELINE, task_name="", total_dag_tasks=5,
    )  # fmt: skip
    out: dict = {"dag": dag}
    # ingest (day 3: cached, re-emitting day 2's dataset)
    if day == 3:
        raw = prev["raw"]
        out["ingest"], _ = w.task(
            run, dag, "ingest", cached, t, t + 1 * MINUTE, outputs=(("raw_data", raw),),
            props={"cached_execution_id": str(prev["ingest"])},
        )  # fmt: skip
    else:
        raw = w.artifact("system.Dataset", "raw_data", f"minio://data/raw/{day}")
        out["ingest"], _ = w.task(
            run, dag, "ingest", ok, t, t + 10 * MINUTE, outputs=(("raw_data", raw),)
        )
    out["raw"] = raw
    train_data = w.artifact("system.Dataset", "train_data", f"minio://data/train/{day}")
    out["preprocess"], _ = w.task(
        run, dag, "preprocess", ok, t + 10 * MINUTE, t + 30 * MINUTE,
        inputs=(("raw_data", raw),), outputs=(("train_data", train_data),),
    )  # fmt: skip
    inputs: tuple = (("train_data", train_data),)
    if day == 6:
        pretrained = w.artifact("system.Model", "artifact", "gs://acme/pretrained/v7")
        out["importer"], _ = w.execution(
            "system.ImporterExecution", run, ok, t, t + 1 * MINUTE,
            outputs=(("artifact", pretrained),), task_name="importer",
            display_name="importer", parent_dag_id=dag,
        )  # fmt: skip
        inputs += (("base_model", pretrained),)
    elif "model" in prev:
        inputs += (("base_model", prev["model"]),)  # warm start
    model = w.artifact("system.Model", "model", f"minio://models/{day}")
    if day == 4:
        out["train"], _ = w.task(
            run, dag, "train", failed, t + 30 * MINUTE, t + 50 * MINUTE, inputs=inputs
        )
        for name in ("evaluate", "deploy"):
            out[name], _ = w.task(run, dag, name, canceled, t + 51 * MINUTE, t + 51 * MINUTE)
        out["model"] = prev["model"]
        return out
    out["train"], _ = w.task(
        run, dag, "train", ok, t + 30 * MINUTE, t + 120 * MINUTE,
        inputs=inputs, outputs=(("model", model),),
    )  # fmt: skip
    out["model"] = model
    # the verdict: a `blessed` metric (1 or 0) in the evaluation's Metrics (day 5: none)
    verdict = {3: 0.0, 5: None}.get(day, 1.0)
    metrics_props = {"accuracy": 0.9} if verdict is None else {"accuracy": 0.9, "blessed": verdict}
    metrics = w.artifact("system.Metrics", "metrics", f"minio://metrics/{day}", **metrics_props)
    evaluate_name = "gate" if day == 6 else "evaluate"
    marker = {"graphlets_role": "evaluate"} if day == 6 else {}
    out["evaluate"], _ = w.task(
        run, dag, evaluate_name, ok, t + 120 * MINUTE, t + 130 * MINUTE,
        inputs=(("model", model),), outputs=(("metrics", metrics),), props=marker,
    )  # fmt: skip
    if verdict == 1.0:
        out["deploy"], _ = w.task(
            run, dag, "deploy", ok, t + 130 * MINUTE, t + 135 * MINUTE,
            inputs=(("model", model), ("metrics", metrics)),
        )  # fmt: skip
        # the root DAG publishes the deployed model as the pipeline's output
        w.store.put_execution(
            w.store.get_executions_by_id([dag])[0],
            [(model, key_event(pb.Event.OUTPUT, "model"))],
            [],
        )
    else:
        out["deploy"], _ = w.task(run, dag, "deploy", canceled, t + 131 * MINUTE, t + 131 * MINUTE)
    return out


def write(path: str) -> dict:
    w = Writer(path)
    runs: dict[int, dict] = {}
    prev: dict = {}
    for day in range(1, 7):
        runs[day] = day_run(w, day, prev)
        prev = runs[day]
    w.retime(path)
    keep = ("dag", "ingest", "preprocess", "train", "evaluate", "deploy", "importer")
    return {str(day): {k: v for k, v in run.items() if k in keep} for day, run in runs.items()}


if __name__ == "__main__":
    command, target = sys.argv[1], sys.argv[2]
    print(json.dumps({"write": write}[command](target)))
