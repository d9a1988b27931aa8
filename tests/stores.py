"""Hand-written ML Metadata stores for the tests, in the real schema-v10 layout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from graphlets.synth.mlmd_store import (
    ARTIFACT_TYPE,
    CONTEXT_TYPE,
    EXECUTION_TYPE,
    StoreWriter,
    mysql_ddl,
)

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z in ms
HOUR = 3_600_000
# Values as the ml-metadata 1.17.1 client writes them (read back from a store it wrote): a
# STRUCT {"layers": 2} is "mlmd-struct::" + base64(serialized Struct); a PROTO value (an Any
# holding ml_metadata.Value{int_value: 1}) is stored base64-encoded in `proto_value`.
STRUCT_VALUE = "mlmd-struct::ChMKBmxheWVycxIJEQAAAAAAAABA"
PROTO_VALUE = "CiV0eXBlLmdvb2dsZWFwaXMuY29tL21sX21ldGFkYXRhLlZhbHVlEgIIAQ=="

TFX = "tfx.components"
EXAMPLE_GEN = f"{TFX}.example_gen.csv_example_gen.component.CsvExampleGen"
TRAINER = f"{TFX}.trainer.component.Trainer"
EVALUATOR = f"{TFX}.evaluator.component.Evaluator"
PUSHER = f"{TFX}.pusher.component.Pusher"
RESOLVER = "tfx.dsl.components.common.resolver.Resolver"

MLMD_TABLES = (
    "Type",
    "ParentType",
    "TypeProperty",
    "Artifact",
    "ArtifactProperty",
    "Execution",
    "ExecutionProperty",
    "Context",
    "ContextProperty",
    "ParentContext",
    "Event",
    "EventPath",
    "Association",
    "Attribution",
    "MLMDEnv",
)


def handwritten_store(path: Path) -> dict[str, int]:
    """A one-pipeline TFX run that puts rows in every MLMD table, typed values of every kind.

    ExampleGen -> Trainer (warm start from an earlier model via a Resolver) -> Evaluator ->
    Pusher. Returns the ids tests refer to.
    """
    with StoreWriter(path) as w:
        w.type_id("Examples", ARTIFACT_TYPE, {"span": 1, "split_names": 3}, "mlmd.Dataset")
        w.type_id("Model", ARTIFACT_TYPE, None, "mlmd.Model")
        w.type_id(TRAINER, EXECUTION_TYPE, {"train_steps": 1}, "mlmd.Train")
        w.type_id("pipeline", CONTEXT_TYPE)
        pipeline = w.context("pipeline", "churn", T0, properties={"owner": "team-a"})
        run = w.context("pipeline_run", "run-1", T0)
        w.parent_context(run, pipeline)
        ctx = {
            n: w.context("node", f"churn.{n}", T0)
            for n in ("CsvExampleGen", "Trainer", "Evaluator", "Pusher", "latest_model_resolver")
        }

        def run_of(node: str, type_name: str, state: str, start: int, end: int, **kw) -> int:
            return w.execution(
                type_name, state, start, end, contexts=(pipeline, run, ctx[node]), **kw
            )

        gen = run_of(
            "CsvExampleGen",
            EXAMPLE_GEN,
            "COMPLETE",
            T0,
            T0 + HOUR,
            custom_properties={"input_base": "/data/churn"},
        )
        examples = w.artifact(
            "Examples",
            "/art/examples/1",
            T0 + HOUR,
            properties={"span": 7, "split_names": '["train","eval"]'},
            custom_properties={"state": "published"},
            contexts=(pipeline, run),
        )
        w.event(gen, examples, "OUTPUT", T0 + HOUR, "examples")
        old_model = w.artifact(
            "Model", "/art/model/0", T0 - 24 * HOUR, custom_properties={"is_external": True}
        )
        resolver = run_of(
            "latest_model_resolver", RESOLVER, "COMPLETE", T0 + HOUR, T0 + HOUR + 1000
        )
        w.event(resolver, old_model, "INTERNAL_OUTPUT", T0 + HOUR + 1000, "model")
        trainer = run_of(
            "Trainer",
            TRAINER,
            "COMPLETE",
            T0 + 2 * HOUR,
            T0 + 5 * HOUR,
            properties={"train_steps": 1000},
            custom_properties={"cost": 2.5, "learning_rate": 0.01, "config": STRUCT_VALUE},
        )
        w.event(trainer, examples, "INPUT", T0 + 2 * HOUR, "examples")
        w.event(trainer, old_model, "INPUT", T0 + 2 * HOUR, "base_model")
        model = w.artifact("Model", "/art/model/1", T0 + 5 * HOUR, contexts=(pipeline,))
        w.event(trainer, model, "OUTPUT", T0 + 5 * HOUR, "model")
        evaluator = run_of("Evaluator", EVALUATOR, "COMPLETE", T0 + 6 * HOUR, T0 + 7 * HOUR)
        w.event(evaluator, model, "INPUT", T0 + 6 * HOUR, "model")
        w.event(evaluator, old_model, "INPUT", T0 + 6 * HOUR, "baseline_model")
        blessing = w.artifact(
            "ModelBlessing",
            "/art/blessing/1",
            T0 + 7 * HOUR,
            custom_properties={"blessed": 1, "current_model_id": model},
        )
        w.event(evaluator, blessing, "OUTPUT", T0 + 7 * HOUR, "blessing")
        pusher = run_of("Pusher", PUSHER, "RUNNING", T0 + 8 * HOUR, T0 + 8 * HOUR)
        w.event(pusher, model, "INPUT", T0 + 8 * HOUR, "model")
        w.event(pusher, blessing, "INPUT", T0 + 8 * HOUR, "model_blessing")
        w.flush()
        # A proto value (serialized google.protobuf.Any) written the way MLMD stores it.
        w.conn.execute(
            "INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, proto_value) "
            "VALUES (?, 'metadata', 1, ?)",
            (model, PROTO_VALUE),
        )
    return {
        "gen": gen,
        "trainer": trainer,
        "evaluator": evaluator,
        "pusher": pusher,
        "model": model,
        "old_model": old_model,
        "blessing": blessing,
        "resolver": resolver,
        "examples": examples,
    }


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT count(*) FROM `{t}`").fetchone()[0] for t in MLMD_TABLES}


def copy_to_mysql(path: Path, con) -> None:
    """Recreate a SQLite MLMD store in a MySQL database (MySQL flavour of the DDL)."""
    with con.cursor() as cur:
        for stmt in mysql_ddl():
            cur.execute(stmt)
        with sqlite3.connect(path) as db:
            for table in MLMD_TABLES:
                rows = db.execute(f"SELECT * FROM `{table}`").fetchall()
                if rows:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cur.executemany(f"INSERT INTO `{table}` VALUES ({marks})", rows)
