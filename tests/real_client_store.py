"""Write or read an ML Metadata store with Google's own client library (ml-metadata 1.17.1).

Runs in .venv-mlmd (ml-metadata needs protobuf<5, dbt needs protobuf 6), from the tests:
    python tests/real_client_store.py write STORE.sqlite     -> prints the ids as JSON
    python tests/real_client_store.py grow STORE.sqlite      -> a later state of the same run
    python tests/real_client_store.py read STORE.sqlite      -> prints what the client reads
"""

from __future__ import annotations

import json
import sys

from google.protobuf import any_pb2, struct_pb2
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

TRAINER = "tfx.components.trainer.component.Trainer"
EXAMPLE_GEN = "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen"
EVALUATOR = "tfx.components.evaluator.component.Evaluator"
PUSHER = "tfx.components.pusher.component.Pusher"


def store_at(path: str, readonly: bool = False) -> metadata_store.MetadataStore:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = (
        pb.SqliteMetadataSourceConfig.READONLY
        if readonly
        else pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    )
    return metadata_store.MetadataStore(config)


def event(kind: int, key: str) -> pb.Event:
    e = pb.Event(type=kind)
    e.path.steps.add().key = key
    e.path.steps.add().index = 0
    return e


def type_id(store, kind: str, name: str, props: dict | None = None) -> int:
    cls = {"artifact": pb.ArtifactType, "execution": pb.ExecutionType, "context": pb.ContextType}[
        kind
    ]
    t = cls(name=name)
    for prop, data_type in (props or {}).items():
        t.properties[prop] = data_type
    put = {
        "artifact": store.put_artifact_type,
        "execution": store.put_execution_type,
        "context": store.put_context_type,
    }[kind]
    return put(t)


def execution(store, type_name: str, state: int, contexts, inputs=(), outputs=(), **custom):
    e = pb.Execution(type_id=type_id(store, "execution", type_name), last_known_state=state)
    for key, value in custom.items():
        _set(e.custom_properties[key], value)
    pairs = [(a, event(pb.Event.INPUT, k)) for k, a in inputs]
    pairs += [(a, event(pb.Event.OUTPUT, k)) for k, a in outputs]
    eid, artifact_ids, _ = store.put_execution(e, pairs, contexts)
    return eid, artifact_ids


def artifact(store, type_name: str, uri: str, props=None, **custom) -> pb.Artifact:
    a = pb.Artifact(
        type_id=type_id(store, "artifact", type_name, {k: pb.INT for k in (props or {})}), uri=uri
    )
    a.state = pb.Artifact.LIVE
    for key, value in (props or {}).items():
        a.properties[key].int_value = value
    for key, value in custom.items():
        _set(a.custom_properties[key], value)
    return a


def _set(target: pb.Value, value) -> None:
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int):
        target.int_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, dict):
        s = struct_pb2.Struct()
        s.update(value)
        target.struct_value.CopyFrom(s)
    elif isinstance(value, pb.Value):
        packed = any_pb2.Any()
        packed.Pack(value)
        target.proto_value.CopyFrom(packed)
    else:
        target.string_value = value


def write(path: str) -> dict:
    store = store_at(path)
    pipeline = pb.Context(type_id=type_id(store, "context", "pipeline"), name="fraud")
    run = pb.Context(type_id=type_id(store, "context", "pipeline_run"), name="run-1")
    node_type = type_id(store, "context", "node")
    nodes = {
        n: pb.Context(type_id=node_type, name=f"fraud.{n}")
        for n in ("CsvExampleGen", "Trainer", "Evaluator", "Pusher")
    }
    ctx_ids = store.put_contexts([pipeline, run, *nodes.values()])
    pipe_id, run_id = ctx_ids[0], ctx_ids[1]
    node_ids = dict(zip(nodes, ctx_ids[2:], strict=True))

    def contexts(node: str) -> list[pb.Context]:
        return store.get_contexts_by_id([pipe_id, run_id, node_ids[node]])

    examples = artifact(store, "Examples", "/fraud/examples/3", {"span": 3})
    gen, (examples_id,) = execution(
        store,
        EXAMPLE_GEN,
        pb.Execution.COMPLETE,
        contexts("CsvExampleGen"),
        outputs=[("examples", examples)],
        input_base="/data/fraud",
    )
    examples.id = examples_id
    model = artifact(store, "Model", "/fraud/model/1", tfx_version="1.16.0")
    trainer, (_, model_id) = execution(
        store,
        TRAINER,
        pb.Execution.COMPLETE,
        contexts("Trainer"),
        inputs=[("examples", examples)],
        outputs=[("model", model)],
        cost=12.5,
        train_steps=100,
        config={"layers": 3, "optimizer": "adam"},
        extra=pb.Value(int_value=7),
        warm=False,
    )
    model.id = model_id
    blessing = artifact(
        store, "ModelBlessing", "/fraud/blessing/1", blessed=1, current_model_id=model_id
    )
    evaluator, (_, blessing_id) = execution(
        store,
        EVALUATOR,
        pb.Execution.COMPLETE,
        contexts("Evaluator"),
        inputs=[("model", model)],
        outputs=[("blessing", blessing)],
    )
    blessing.id = blessing_id
    pusher, _ = execution(
        store,
        PUSHER,
        pb.Execution.RUNNING,
        contexts("Pusher"),
        inputs=[("model", model), ("model_blessing", blessing)],
    )
    return {
        "gen": gen,
        "trainer": trainer,
        "evaluator": evaluator,
        "pusher": pusher,
        "model": model_id,
        "blessing": blessing_id,
        "examples": examples_id,
    }


def grow(path: str) -> dict:
    """The Pusher finishes: state COMPLETE and a PushedModel with pushed=1."""
    store = store_at(path)
    (pusher,) = store.get_executions_by_type(PUSHER)
    pusher.last_known_state = pb.Execution.COMPLETE
    pushed = artifact(store, "PushedModel", "/fraud/pushed/1", pushed=1)
    _, (pushed_id,), _ = store.put_execution(
        pusher, [(pushed, event(pb.Event.OUTPUT, "pushed_model"))], []
    )
    return {"pusher": pusher.id, "pushed": pushed_id}


def read(path: str) -> dict:
    store = store_at(path, readonly=True)
    executions = store.get_executions()
    return {
        "executions": len(executions),
        "artifacts": len(store.get_artifacts()),
        "contexts": len(store.get_contexts()),
        "events": len(store.get_events_by_execution_ids([e.id for e in executions])),
        "states": sorted(pb.Execution.State.Name(e.last_known_state) for e in executions),
    }


if __name__ == "__main__":
    command, target = sys.argv[1], sys.argv[2]
    print(json.dumps({"write": write, "grow": grow, "read": read}[command](target)))
