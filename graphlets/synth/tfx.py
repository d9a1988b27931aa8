"""The names and encodings a TFX pipeline leaves in ML Metadata, as the generator writes them.

Component classes (execution types), artifact types with their declared properties and system
base types (as in ``tfx/types/standard_artifacts.py``), context types, the output keys of every
node, the error payloads of FAILED executions, the MLMD STRUCT encoding of a boolean, and the
simulated clock (ms since the Unix epoch). Constants only, no randomness: the simulation modules
(``profile``, ``ingestion``, ``training``, ``evaluation``) import them from here.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from graphlets.synth.mlmd_store import EVENT_TYPES, EXECUTION_STATES

#: Simulated time starts here (2026-01-05T00:00:00Z); all timestamps are ms since the Unix epoch.
EPOCH_START_MS = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp() * 1000)

SEC = 1000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR

# -- TFX names ----------------------------------------------------------------------------------
CSV_EXAMPLE_GEN = "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen"
IMPORT_EXAMPLE_GEN = "tfx.components.example_gen.import_example_gen.component.ImportExampleGen"
STATISTICS_GEN = "tfx.components.statistics_gen.component.StatisticsGen"
SCHEMA_GEN = "tfx.components.schema_gen.component.SchemaGen"
EXAMPLE_VALIDATOR = "tfx.components.example_validator.component.ExampleValidator"
TRANSFORM = "tfx.components.transform.component.Transform"
TUNER = "tfx.components.tuner.component.Tuner"
TRAINER = "tfx.components.trainer.component.Trainer"
EVALUATOR = "tfx.components.evaluator.component.Evaluator"
INFRA_VALIDATOR = "tfx.components.infra_validator.component.InfraValidator"
PUSHER = "tfx.components.pusher.component.Pusher"
RESOLVER = "tfx.dsl.components.common.resolver.Resolver"

EXECUTION_TYPE_NAMES: tuple[str, ...] = (
    CSV_EXAMPLE_GEN,
    IMPORT_EXAMPLE_GEN,
    STATISTICS_GEN,
    SCHEMA_GEN,
    EXAMPLE_VALIDATOR,
    TRANSFORM,
    TUNER,
    RESOLVER,
    TRAINER,
    EVALUATOR,
    INFRA_VALIDATOR,
    PUSHER,
)

_INT, _STRING = 1, 3  # TypeProperty.data_type (MLMD PropertyType)
# (name, declared properties, MLMD system base type) as in tfx/types/standard_artifacts.py
ARTIFACT_TYPE_SPECS: tuple[tuple[str, dict[str, int], str | None], ...] = (
    ("Examples", {"span": _INT, "version": _INT, "split_names": _STRING}, "mlmd.Dataset"),
    ("ExampleStatistics", {"span": _INT, "split_names": _STRING}, "mlmd.Statistics"),
    ("Schema", {}, None),
    ("ExampleAnomalies", {"span": _INT, "split_names": _STRING}, None),
    ("TransformGraph", {}, None),
    ("TransformCache", {}, None),
    ("HyperParameters", {}, None),
    ("TunerResults", {}, None),
    ("Model", {}, "mlmd.Model"),
    ("ModelRun", {}, None),
    ("ModelEvaluation", {}, None),
    ("ModelBlessing", {}, None),
    ("InfraBlessing", {}, None),
    ("PushedModel", {}, "mlmd.Model"),
)
CONTEXT_TYPE_NAMES: tuple[str, ...] = ("pipeline", "pipeline_run", "node")

#: Output keys of every node (by the generator's node key); they name the artifacts' URIs.
NODE_OUTPUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("example_gen", ("examples",)),
    ("stats", ("statistics",)),
    ("schema", ("schema",)),
    ("ev", ("anomalies",)),
    ("transform", ("transform_graph", "updated_analyzer_cache", "transformed_examples")),
    ("tuner", ("best_hyperparameters", "tuner_results")),
    ("trainer", ("model", "model_run")),
    ("evaluator", ("evaluation", "blessing")),
    ("infra", ("blessing",)),
    ("pusher", ("pushed_model",)),
)

SPLIT_NAMES = '["train","eval"]'
# `__execution_result__` of FAILED executions (TFX records an ExecutionResult there)
EXECUTOR_ERROR = (
    '{"code": 13, "resultMessage": "Executor failed: the component raised an exception"}'
)
RESOLVER_ERROR = (
    '{"code": 9, "resultMessage": "InputResolutionError: the resolver found no artifact"}'
)

# -- MLMD enums the simulation writes --------------------------------------------------------
COMPLETE, FAILED, CACHED, RUNNING, CANCELED = (
    EXECUTION_STATES[s] for s in ("COMPLETE", "FAILED", "CACHED", "RUNNING", "CANCELED")
)
INPUT, OUTPUT, INTERNAL_OUTPUT = (EVENT_TYPES[s] for s in ("INPUT", "OUTPUT", "INTERNAL_OUTPUT"))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def mlmd_struct_bool(key: str, value: bool) -> str:
    """A STRUCT property value as MLMD stores it: ``mlmd-struct::`` + base64(serialized Struct).

    The Struct has one field ``key`` holding a ``bool_value`` (google.protobuf.Value field 4),
    serialized by hand so that no protobuf library is needed.
    """
    k = key.encode()
    val = b"\x20" + (b"\x01" if value else b"\x00")
    entry = b"\x0a" + _varint(len(k)) + k + b"\x12" + _varint(len(val)) + val
    body = b"\x0a" + _varint(len(entry)) + entry
    return "mlmd-struct::" + base64.b64encode(body).decode("ascii")


#: The ``blessed`` STRUCT of ExampleAnomalies, by "no anomaly found".
ANOMALIES_BLESSED = {
    True: mlmd_struct_bool("blessed", True),
    False: mlmd_struct_bool("blessed", False),
}
