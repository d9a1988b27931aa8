"""Synthetic MLMD corpus: what thousands of asynchronous TFX pipelines write over months.

``generate()`` writes a real ML Metadata store (SQLite, schema version 10) shaped like the stores
of the Google study the project reproduces: daily ingestion runs, rolling-window training runs
(several a day for some pipelines), warm starts and baselines through Resolvers, caching,
failures, cancellations and executions still running at the end of the horizon. Whether a model
is pushed follows documented, noisy mechanisms that leave their traces in the provenance
(validation anomalies, schema changes, how much new data arrived); nothing in the store states
the outcome in advance. ``docs/generator.md`` describes the model and its parameters.

Speed: the default corpus (3000 pipelines, 120 days, ~3.4M executions, ~14M events) is built in
parallel. Every pipeline is simulated from its own random stream (seeded by ``seed`` and its
index), so chunks of pipelines are independent: worker processes simulate a chunk each and write
it, with chunk-local ids, to a scratch SQLite file of flat tables; the parent merges the chunks in
pipeline order into the store with ``INSERT ... SELECT`` (ids shifted by offsets, EventPath,
Association and Attribution rows derived in SQL). Ids are therefore dense and identical whatever
the number of workers.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import tempfile
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graphlets.synth.mlmd_store import (
    ARTIFACT_TYPE,
    CONTEXT_TYPE,
    EVENT_TYPES,
    EXECUTION_STATES,
    EXECUTION_TYPE,
    SQLITE_INDEXES,
    StoreWriter,
)

__all__ = ["EPOCH_START_MS", "GenerateStats", "generate"]

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

TEAMS = "abcdefghijklmnopqrstuvwxyz"
TASKS = (
    "ctr",
    "cvr",
    "ranking",
    "churn",
    "fraud",
    "spam",
    "eta",
    "demand",
    "reco",
    "ltv",
    "search",
    "toxicity",
)
SPLIT_NAMES = '["train","eval"]'
# `__execution_result__` of FAILED executions (TFX records an ExecutionResult there)
EXECUTOR_ERROR = (
    '{"code": 13, "resultMessage": "Executor failed: the component raised an exception"}'
)
RESOLVER_ERROR = (
    '{"code": 9, "resultMessage": "InputResolutionError: the resolver found no artifact"}'
)

# -- the push mechanism (docs/generator.md, "Why a model is or is not pushed") ---------------
#: Per-pipeline base log-odds of a blessing: Normal(mean, sd).
BLESS_BASE_MEAN, BLESS_BASE_SD = 0.9, 0.8
#: Hidden daily drift of model quality: AR(1) with this coefficient and innovation sd.
DRIFT_RHO, DRIFT_SD = 0.85, 0.35
#: Log-odds change when the model saw no span newer than its baseline's newest span.
NO_NEW_DATA = -2.8
#: Log-odds gained per new span beyond the first (at most NEW_SPAN_CAP of them).
NEW_SPAN_BONUS, NEW_SPAN_CAP = 0.2, 4
#: Log-odds change when the newest span has validation anomalies: BASE + PER * min(n, 10).
ANOMALY_BASE, ANOMALY_PER = -0.9, -0.1
#: Log-odds change when the model's Schema artifact differs from its baseline's.
SCHEMA_CHANGE = -1.2
#: Log-odds change when there is no baseline (the first model is judged on absolute thresholds).
NO_BASELINE = 1.5

# -- row buffers in the chunk files (flat, chunk-local ids) ---------------------------------
_CHUNK_DDL = (
    "CREATE TABLE C (id INT, type_id INT, name TEXT, t INT)",
    "CREATE TABLE X (id INT, type_id INT, state INT, s INT, e INT, p INT, r INT, n INT)",
    "CREATE TABLE XP (x INT, name TEXT, i INT, d REAL, s TEXT)",
    "CREATE TABLE A (id INT, type_id INT, prefix TEXT, x INT, idx INT, t INT, p INT, r INT, n INT)",
    "CREATE TABLE AP (a INT, name TEXT, custom INT, i INT, d REAL, s TEXT)",
    "CREATE TABLE E (id INTEGER PRIMARY KEY, a INT, x INT, t INT, ms INT, k TEXT, i INT)",
)
_CHUNK_INSERTS = {
    "ctx": "INSERT INTO C VALUES (?,?,?,?)",
    "exe": "INSERT INTO X VALUES (?,?,?,?,?,?,?,?)",
    "xprop": "INSERT INTO XP VALUES (?,?,?,?,?)",
    "art": "INSERT INTO A VALUES (?,?,?,?,?,?,?,?,?)",
    "aprop": "INSERT INTO AP VALUES (?,?,?,?,?,?)",
    "evt": "INSERT INTO E (a, x, t, ms, k, i) VALUES (?,?,?,?,?,?)",
}
_ROWS_PER_INSERT = 100
# Merge of one attached chunk `c` into the store; :co/:xo/:ao/:eo are the id offsets.
_THREE = "(SELECT 0 AS o UNION ALL SELECT 1 UNION ALL SELECT 2)"
_MERGE = (
    "INSERT INTO main.Context SELECT id + :co, type_id, name, NULL, t, t FROM c.C",
    "INSERT INTO main.Execution SELECT id + :xo, type_id, state, NULL, NULL, s, e FROM c.X",
    "INSERT INTO main.Association (context_id, execution_id) "
    "SELECT CASE k.o WHEN 0 THEN x.p WHEN 1 THEN x.r ELSE x.n END + :co, x.id + :xo "
    f"FROM c.X AS x CROSS JOIN {_THREE} AS k",
    "INSERT INTO main.ExecutionProperty "
    "SELECT x + :xo, name, 1, i, d, s, NULL, NULL, NULL FROM c.XP",
    "INSERT INTO main.Artifact SELECT id + :ao, type_id, "
    "prefix || (x + :xo) || coalesce('/' || idx, ''), 2, NULL, NULL, t, t FROM c.A",
    "INSERT INTO main.Attribution (context_id, artifact_id) "
    "SELECT CASE k.o WHEN 0 THEN a.p WHEN 1 THEN a.r ELSE a.n END + :co, a.id + :ao "
    f"FROM c.A AS a CROSS JOIN {_THREE} AS k",
    "INSERT INTO main.ArtifactProperty SELECT a + :ao, name, custom, "
    "CASE WHEN name IN ('current_model_id', 'baseline_model_id') THEN i + :ao ELSE i END, "
    "d, s, NULL, NULL, NULL FROM c.AP",
    "INSERT INTO main.Event SELECT id + :eo, a + :ao, x + :xo, t, ms FROM c.E",
    "INSERT INTO main.EventPath SELECT e.id + :eo, k.o, CASE k.o WHEN 1 THEN e.i END, "
    "CASE k.o WHEN 0 THEN e.k END FROM c.E AS e CROSS JOIN (SELECT 0 AS o UNION ALL SELECT 1) AS k",
)

# secondary indexes whose keys the merge inserts in ascending order
_APPEND_ONLY_INDEXES = frozenset({"idx_event_execution_id", "idx_eventpath_event_id"})

_STAT_FIELDS = (
    "pipelines",
    "experimental_pipelines",
    "contexts",
    "executions",
    "artifacts",
    "events",
    "trainer_runs",
    "trainers_complete",
    "trainers_failed",
    "trainers_canceled",
    "trainers_cached",
    "trainers_running",
    "evaluations",
    "blessed",
    "not_blessed",
    "infra_rejected",
    "pushes",
    "not_pushed",
    "cached_executions",
    "failed_executions",
    "running_executions",
    "canceled_executions",
    "resolver_misses",
)


@dataclass(frozen=True)
class GenerateStats:
    """Row and outcome counts of a generated store (deterministic for a given seed)."""

    pipelines: int
    experimental_pipelines: int
    contexts: int
    executions: int
    artifacts: int
    events: int
    trainer_runs: int  #: Trainer executions, every state
    trainers_complete: int
    trainers_failed: int
    trainers_canceled: int
    trainers_cached: int
    trainers_running: int
    evaluations: int  #: ModelBlessing artifacts written
    blessed: int
    not_blessed: int
    infra_rejected: int
    pushes: int  #: PushedModel artifacts with pushed = 1
    not_pushed: int  #: PushedModel artifacts with pushed = 0
    cached_executions: int
    failed_executions: int
    running_executions: int
    canceled_executions: int
    resolver_misses: int  #: FAILED Resolver executions (nothing to resolve yet)


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


_ANOMALIES_BLESSED = {
    True: mlmd_struct_bool("blessed", True),
    False: mlmd_struct_bool("blessed", False),
}


class _Sink:
    """Row buffers of one chunk, with chunk-local id counters."""

    def __init__(self) -> None:
        self.ctx: list[tuple] = []
        self.exe: list[tuple] = []
        self.xprop: list[tuple] = []
        self.art: list[tuple] = []
        self.aprop: list[tuple] = []
        self.evt: list[tuple] = []
        self.n_ctx = 0
        self.n_exe = 0
        self.n_art = 0
        self.n_evt = 0

    def flush(self, conn: sqlite3.Connection) -> None:
        """Write the buffered rows, 100 to a statement (about 1.5x faster than one a row)."""
        self.n_evt += len(self.evt)
        chain = itertools.chain.from_iterable
        for attr, sql in _CHUNK_INSERTS.items():
            rows = getattr(self, attr)
            full = len(rows) - len(rows) % _ROWS_PER_INSERT
            if full:
                head, values = sql.split(" VALUES ")
                multi = f"{head} VALUES {','.join([values] * _ROWS_PER_INSERT)}"
                conn.executemany(
                    multi,
                    (
                        tuple(chain(rows[j : j + _ROWS_PER_INSERT]))
                        for j in range(0, full, _ROWS_PER_INSERT)
                    ),
                )
            if full < len(rows):
                conn.executemany(sql, rows[full:])
            rows.clear()


def _simulate_pipeline(
    index: int, seed: int, days: int, tid: dict[str, int], sink: _Sink, st: dict[str, int]
) -> None:
    """Simulate one pipeline over the horizon, appending its rows to ``sink``."""
    rng = random.Random(f"graphlets-generate/{seed}/{index}")
    r = rng.random
    gauss = rng.gauss
    lnv = rng.lognormvariate
    randint = rng.randint
    horizon = EPOCH_START_MS + days * DAY

    # ---- the pipeline's profile -------------------------------------------------------------
    experimental = r() < 0.22
    team = rng.choice(TEAMS)
    task = rng.choice(TASKS)
    name = f"team-{team}-{task}-{'exp' if experimental else 'model'}-{index:04d}"
    root = f"gs://team-{team}-tfx/{name}"
    example_gen_type = CSV_EXAMPLE_GEN if r() < 0.65 else IMPORT_EXAMPLE_GEN
    if experimental:
        first_day = randint(0, max(0, days - 2))
        last_day = min(days, first_day + randint(2, 10))
        window = randint(1, 7)
        per_day = randint(4, 12)
        warm_start = r() < 0.5
        has_tuner = r() < 0.1
        has_infra = False
        has_pusher = False
    else:
        first_day = randint(0, 2) if r() < 0.5 else randint(0, max(0, int(days * 0.8)))
        last_day = days
        if r() < 0.08:  # retired before the end of the horizon
            last_day = min(days, first_day + 1 + int((days - first_day) * (0.3 + 0.7 * r())))
        window = rng.choice((1, 2, 3, 3, 5, 7, 7, 7, 10, 14, 14))
        u = r()
        per_day = 1 if u < 0.38 else 2 if u < 0.68 else 3 if u < 0.86 else 4
        warm_start = r() < 0.85
        has_tuner = r() < 0.2
        has_infra = r() < 0.3
        has_pusher = r() < 0.94
    tune_every = randint(7, 30) * DAY
    materialize = r() < 0.5
    schema_history = r() < 0.5
    trainer_cache = r() < 0.5 and not experimental  # experiments change their exec properties
    record_cost = r() < 0.1
    cost_scale = 0.5 + 1.5 * r()
    p_delay = 0.08 * r()
    p_schema_change = 0.01 + 0.05 * r()
    p_anomaly = 0.03 + 0.22 * r()
    p_ingest_fail = 0.002 + 0.018 * r()
    p_train_fail = 0.01 + 0.07 * r()
    p_cancel = 0.004
    p_infra_reject = 0.005 + 0.025 * r()
    bless_base = gauss(BLESS_BASE_MEAN, BLESS_BASE_SD)
    ingest_offset = int(6 * HOUR * r())
    train_offset = ingest_offset + int((2 + 3 * r()) * HOUR)
    # median durations (ms) of this pipeline's components
    med_eg = 25 * MIN * lnv(0, 0.5)
    med_stats = 12 * MIN * lnv(0, 0.5)
    med_schema = 2 * MIN * lnv(0, 0.4)
    med_ev = 4 * MIN * lnv(0, 0.4)
    med_transform = 40 * MIN * lnv(0, 0.5) * (1 + 0.08 * window)
    med_trainer = min(10 * HOUR, max(6 * MIN, 75 * MIN * lnv(0, 0.9))) * (0.8 + 0.04 * window)
    med_tuner = 4 * med_trainer
    med_eval = 15 * MIN * lnv(0, 0.5)
    med_infra = 8 * MIN * lnv(0, 0.4)
    med_push = 1.5 * MIN * lnv(0, 0.4)
    # resource factors for the `cost` property (machine-seconds per second of wall time)
    cost_factor = {"ingest": 4.0, "light": 1.0, "transform": 8.0, "train": 16.0, "eval": 4.0}

    if first_day >= days or last_day <= first_day:
        return
    st["pipelines"] += 1
    st["experimental_pipelines"] += experimental

    # drift of model quality, one value per day (hidden; only its effects are recorded)
    drift = [0.0] * (days + 1)
    level = gauss(0, DRIFT_SD / (1 - DRIFT_RHO**2) ** 0.5)
    for d in range(first_day, days + 1):
        level = DRIFT_RHO * level + gauss(0, DRIFT_SD)
        drift[d] = level

    # ---- row helpers ------------------------------------------------------------------------
    ctx_rows = sink.ctx
    exe_rows = sink.exe
    xprop_rows = sink.xprop
    art_rows = sink.art
    aprop_rows = sink.aprop
    evt = sink.evt.append
    complete, failed, cached, running, canceled = (
        EXECUTION_STATES[s] for s in ("COMPLETE", "FAILED", "CACHED", "RUNNING", "CANCELED")
    )
    ev_in, ev_out, ev_internal = (EVENT_TYPES[s] for s in ("INPUT", "OUTPUT", "INTERNAL_OUTPUT"))
    t_pipeline, t_run, t_node = (tid[n] for n in CONTEXT_TYPE_NAMES)
    a_examples, a_stats, a_schema, a_anom = (
        tid[n] for n in ("Examples", "ExampleStatistics", "Schema", "ExampleAnomalies")
    )
    a_graph, a_cache, a_hp, a_tres = (
        tid[n] for n in ("TransformGraph", "TransformCache", "HyperParameters", "TunerResults")
    )
    a_model, a_mrun, a_eval, a_bless, a_infra, a_pushed = (
        tid[n]
        for n in (
            "Model",
            "ModelRun",
            "ModelEvaluation",
            "ModelBlessing",
            "InfraBlessing",
            "PushedModel",
        )
    )

    def new_ctx(type_id: int, ctx_name: str, t: int) -> int:
        sink.n_ctx += 1
        ctx_rows.append((sink.n_ctx, type_id, ctx_name, t))
        return sink.n_ctx

    first_t = EPOCH_START_MS + first_day * DAY + ingest_offset
    pctx = new_ctx(t_pipeline, name, first_t)
    node_ids = [
        ("example_gen", example_gen_type.rsplit(".", 1)[1]),
        ("stats", "StatisticsGen"),
        ("schema", "SchemaGen"),
        ("ev", "ExampleValidator"),
        ("transform", "Transform"),
    ]
    if has_tuner:
        node_ids.append(("tuner", "Tuner"))
    if warm_start:
        node_ids.append(("warm", "latest_model_resolver"))
    node_ids += [("trainer", "Trainer"), ("base", "latest_blessed_model_resolver")]
    node_ids.append(("evaluator", "Evaluator"))
    if has_infra:
        node_ids.append(("infra", "InfraValidator"))
    if has_pusher:
        node_ids.append(("pusher", "Pusher"))
    nodes = {key: new_ctx(t_node, f"{name}.{nid}", first_t) for key, nid in node_ids}
    prefix = {key: f"{root}/{nid}/" for key, nid in node_ids}
    uri = {
        (key, out): f"{prefix[key]}{out}/"
        for key, outs in (
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
        if key in prefix
        for out in outs
    }
    run_seq = 0

    def new_run(t: int) -> int:
        nonlocal run_seq
        run_seq += 1
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(t // 1000))
        return new_ctx(t_run, f"{name}-{stamp}-{run_seq}", t)

    def execution(
        type_id: int, state: int, s: int, e: int, run: int, node: str, error: str = EXECUTOR_ERROR
    ) -> int:
        sink.n_exe += 1
        x = sink.n_exe
        exe_rows.append((x, type_id, state, s, e, pctx, run, nodes[node]))
        if state == failed:
            st["failed_executions"] += 1
            xprop_rows.append((x, "__execution_result__", None, None, error))
        elif state == cached:
            st["cached_executions"] += 1
        elif state == running:
            st["running_executions"] += 1
        elif state == canceled:
            st["canceled_executions"] += 1
        return x

    def cost(x: int, kind: str, s: int, e: int) -> None:
        if record_cost:
            value = round((e - s) / 1000 * cost_factor[kind] * cost_scale, 3)
            xprop_rows.append((x, "cost", None, value, None))

    def artifact(type_id: int, node: str, out: str, x: int, t: int, run: int, idx=None) -> int:
        sink.n_art += 1
        a = sink.n_art
        art_rows.append((a, type_id, uri[node, out], x, idx, t, pctx, run, nodes[node]))
        return a

    def gap() -> int:  # orchestrator latency between dependent executions
        return 2 * SEC + int(28 * SEC * r())

    # ---- ingestion: one run a day --------------------------------------------------------
    # io[node] = (signature, inputs, outputs) of the last execution that did the work; a new
    # execution with the same signature is CACHED and re-emits those outputs.
    io: dict[str, tuple] = {}
    latest_span = -1  # newest span that has arrived
    last_span = -1  # newest span ingested
    examples_by_span: list[tuple[int, int]] = []  # (span, Examples artifact id)
    anomalies_by_span: dict[int, int] = {}
    schema_aid = 0
    schema_seen_stats = 0  # the statistics SchemaGen last looked at
    ing_ends: list[int] = []  # end time of every Transform that did the work
    ing_recs: list[tuple] = []

    def node_run(node, type_id, sig, inputs, start, dur, run, kind, p_fail, make_outputs):
        """One ingestion execution; returns (end, outputs) or None when it did not finish."""
        prev = io.get(node)
        if start >= horizon:
            return None
        if prev is not None and prev[0] == sig:
            end = start + SEC + int(3 * SEC * r())
            if end >= horizon:
                x = execution(type_id, running, start, start, run, node)
                for a, key, i in prev[1]:
                    evt((a, x, ev_in, start, key, i))
                return None
            x = execution(type_id, cached, start, end, run, node)
            for a, key, i in prev[1]:
                evt((a, x, ev_in, start, key, i))
            for a, key, i in prev[2]:
                evt((a, x, ev_out, end, key, i))
            return end, prev[2]
        fail = r() < p_fail
        if fail:
            dur = int(dur * (0.05 + 0.5 * r()))
        end = start + int(dur)
        state = failed if fail else complete
        if end >= horizon:
            state, end = running, start
        x = execution(type_id, state, start, end, run, node)
        for a, key, i in inputs:
            evt((a, x, ev_in, start, key, i))
        if state == running:
            return None
        cost(x, kind, start, end)
        if fail:
            return None
        outputs = make_outputs(x, end)
        for a, key, i in outputs:
            evt((a, x, ev_out, end, key, i))
        io[node] = (sig, inputs, outputs)
        return end, outputs

    for d in range(first_day, last_day):
        t = EPOCH_START_MS + d * DAY + ingest_offset + int(20 * MIN * r())
        if t >= horizon:
            break
        if latest_span < 0 or r() >= p_delay:
            latest_span = d
        run = new_run(t)
        # ExampleGen: resolves the newest arrived span; cached when it was already ingested
        span = latest_span
        eg_type = tid[example_gen_type]

        def eg_out(x: int, end: int, span: int = span, run: int = run) -> list:
            a = artifact(a_examples, "example_gen", "examples", x, end, run)
            aprop_rows.append((a, "span", 0, span, None, None))
            aprop_rows.append((a, "split_names", 0, None, None, SPLIT_NAMES))
            return [(a, "examples", 0)]

        res = node_run(
            "example_gen",
            eg_type,
            span,
            (),
            t,
            med_eg * lnv(0, 0.25),
            run,
            "ingest",
            p_ingest_fail,
            eg_out,
        )
        if res is None:
            continue
        t_end, outs = res
        ex_aid = outs[0][0]
        if span != last_span:
            last_span = span
            examples_by_span.append((span, ex_aid))

        # StatisticsGen
        def stats_out(x: int, end: int, span: int = span, run: int = run) -> list:
            a = artifact(a_stats, "stats", "statistics", x, end, run)
            aprop_rows.append((a, "span", 0, span, None, None))
            aprop_rows.append((a, "split_names", 0, None, None, SPLIT_NAMES))
            return [(a, "statistics", 0)]

        res = node_run(
            "stats",
            tid[STATISTICS_GEN],
            ex_aid,
            [(ex_aid, "examples", 0)],
            t_end + gap(),
            med_stats * lnv(0, 0.25),
            run,
            "ingest",
            p_ingest_fail / 2,
            stats_out,
        )
        if res is None:
            continue
        t_end, outs = res
        stats_aid = outs[0][0]

        # SchemaGen: a new Schema only when the inferred schema changes; otherwise CACHED
        # (re-emits the current Schema). With schema_history it reads its previous schema.
        start = t_end + gap()
        if start >= horizon:
            continue
        prev = io.get("schema")
        same_stats = stats_aid == schema_seen_stats
        schema_seen_stats = stats_aid
        if prev is not None and (same_stats or r() >= p_schema_change):
            end = start + SEC + int(3 * SEC * r())
            if end >= horizon:
                x = execution(tid[SCHEMA_GEN], running, start, start, run, "schema")
                evt((stats_aid, x, ev_in, start, "statistics", 0))
                continue
            x = execution(tid[SCHEMA_GEN], cached, start, end, run, "schema")
            evt((stats_aid, x, ev_in, start, "statistics", 0))
            evt((schema_aid, x, ev_out, end, "schema", 0))
        else:
            end = start + int(med_schema * lnv(0, 0.25))
            state = complete if end < horizon else running
            if state == running:
                end = start
            x = execution(tid[SCHEMA_GEN], state, start, end, run, "schema")
            inputs = [(stats_aid, "statistics", 0)]
            if schema_history and schema_aid:
                inputs.append((schema_aid, "schema", 0))
            for a, key, i in inputs:
                evt((a, x, ev_in, start, key, i))
            if state == running:
                continue
            cost(x, "light", start, end)
            schema_aid = artifact(a_schema, "schema", "schema", x, end, run)
            evt((schema_aid, x, ev_out, end, "schema", 0))
            io["schema"] = (stats_aid, inputs, [(schema_aid, "schema", 0)])
        t_schema = end

        # Transform (reads the rolling window, the schema and its previous analyzer cache)
        win = [(s, a) for s, a in examples_by_span if s > last_span - window]
        sig = (tuple(a for _, a in win), schema_aid)
        start_tf = t_schema + gap()
        inputs = [(a, "examples", i) for i, (_, a) in enumerate(win)]
        inputs.append((schema_aid, "schema", 0))
        prev = io.get("transform")
        if prev is not None:
            inputs.append((prev[2][1][0], "analyzer_cache", 0))

        def tf_out(x: int, end: int, win: list = win, run: int = run) -> list:
            outs = [
                (
                    artifact(a_graph, "transform", "transform_graph", x, end, run),
                    "transform_graph",
                    0,
                ),
                (
                    artifact(a_cache, "transform", "updated_analyzer_cache", x, end, run),
                    "updated_analyzer_cache",
                    0,
                ),
            ]
            if materialize:
                for i, (s, _) in enumerate(win):
                    a = artifact(a_examples, "transform", "transformed_examples", x, end, run, i)
                    aprop_rows.append((a, "span", 0, s, None, None))
                    aprop_rows.append((a, "split_names", 0, None, None, SPLIT_NAMES))
                    outs.append((a, "transformed_examples", i))
            return outs

        res_tf = node_run(
            "transform",
            tid[TRANSFORM],
            sig,
            inputs,
            start_tf,
            med_transform * lnv(0, 0.25),
            run,
            "transform",
            p_ingest_fail,
            tf_out,
        )

        # ExampleValidator: side branch, nothing reads its anomalies
        start = t_schema + gap()
        n_anom = 0
        if r() < p_anomaly:
            n_anom = 1 + min(int(rng.expovariate(0.35)), 40)

        def ev_out_fn(x: int, end: int, span: int = span, n: int = n_anom, run: int = run) -> list:
            a = artifact(a_anom, "ev", "anomalies", x, end, run)
            aprop_rows.append((a, "span", 0, span, None, None))
            aprop_rows.append((a, "split_names", 0, None, None, SPLIT_NAMES))
            aprop_rows.append((a, "blessed", 1, None, None, _ANOMALIES_BLESSED[n == 0]))
            aprop_rows.append((a, "num_anomalies", 1, n, None, None))
            return [(a, "anomalies", 0)]

        dur_ev = med_ev * lnv(0, 0.25)
        if res_tf is not None:  # the validator finishes before the Transform it runs beside
            dur_ev = min(dur_ev, max(SEC, res_tf[0] - start - SEC))
        res = node_run(
            "ev",
            tid[EXAMPLE_VALIDATOR],
            (stats_aid, schema_aid),
            [(stats_aid, "statistics", 0), (schema_aid, "schema", 0)],
            start,
            dur_ev,
            run,
            "light",
            p_ingest_fail / 2,
            ev_out_fn,
        )
        if res is not None and span not in anomalies_by_span:
            anomalies_by_span[span] = n_anom

        if res_tf is not None and (not ing_recs or res_tf[1][0][0] != ing_recs[-1][4]):
            end, outs = res_tf
            train_examples = [a for a, _, _ in outs[2:]] if materialize else [a for _, a in win]
            newest_span, newest_raw = win[-1]
            ing_ends.append(end)
            ing_recs.append(
                (
                    end,
                    train_examples,
                    [s for s, _ in win],
                    newest_raw,
                    outs[0][0],
                    schema_aid,
                    newest_span,
                )
            )

    # ---- training runs -------------------------------------------------------------------
    models: list[tuple[int, int]] = []  # (end, Model id) of trainers that completed
    blessings: list[tuple] = []  # (eval end, model id, blessing id, newest span, schema id)
    hp: tuple[int, int] | None = None  # (tuner end, HyperParameters id)
    last_tune = -(10**15)
    last_trainer: tuple | None = None  # (signature, [(model, key, 0), (model_run, key, 0)])
    t_tuner, t_resolver, t_trainer = tid[TUNER], tid[RESOLVER], tid[TRAINER]
    t_eval, t_infra, t_pusher = tid[EVALUATOR], tid[INFRA_VALIDATOR], tid[PUSHER]

    def latest(items: list, t: int):
        """The item with the latest end <= t among the last few (ends are nearly sorted)."""
        best = None
        for item in reversed(items[-16:]):
            if item[0] <= t and (best is None or item[0] > best[0]):
                best = item
        return best

    def resolve(node: str, start: int, run: int, found) -> int | None:
        """A Resolver execution: INTERNAL_OUTPUT events on what it found, FAILED if nothing."""
        end = start + 300 + int(1700 * r())
        if end >= horizon:
            execution(t_resolver, running, start, start, run, node)
            return None
        if found is None:
            execution(t_resolver, failed, start, end, run, node, RESOLVER_ERROR)
            st["resolver_misses"] += 1
            return end
        x = execution(t_resolver, complete, start, end, run, node)
        for a, key in found:
            evt((a, x, ev_internal, end, key, 0))
        return end

    for d in range(first_day, last_day):
        day_t = EPOCH_START_MS + d * DAY + train_offset
        for j in range(per_day):
            t = day_t + j * (DAY // per_day) + int((r() - 0.5) * 30 * MIN)
            if t >= horizon:
                break
            i = bisect_right(ing_ends, t) - 1
            if i < 0:
                continue  # no transformed data yet
            _, train_examples, spans, newest_raw, graph_aid, schema_used, newest_span = ing_recs[i]
            run = new_run(t)
            start = t
            # Tuner, now and then; its hyperparameters are reused by later trainers
            if has_tuner and (hp is None or start - last_tune >= tune_every):
                last_tune = start
                dur = min(24 * HOUR, med_tuner * lnv(0, 0.3))
                fail = r() < p_train_fail
                if fail:
                    dur *= 0.05 + 0.5 * r()
                end = start + int(dur)
                state = failed if fail else complete
                if end >= horizon:
                    state, end = running, start
                x = execution(t_tuner, state, start, end, run, "tuner")
                for k, a in enumerate(train_examples):
                    evt((a, x, ev_in, start, "examples", k))
                evt((schema_used, x, ev_in, start, "schema", 0))
                evt((graph_aid, x, ev_in, start, "transform_graph", 0))
                if state == running:
                    continue
                cost(x, "train", start, end)
                if not fail:
                    a = artifact(a_hp, "tuner", "best_hyperparameters", x, end, run)
                    evt((a, x, ev_out, end, "best_hyperparameters", 0))
                    b = artifact(a_tres, "tuner", "tuner_results", x, end, run)
                    evt((b, x, ev_out, end, "tuner_results", 0))
                    hp = (end, a)
                start = end + gap()
            # warm start through a Resolver
            base = None
            if warm_start:
                if start >= horizon:
                    continue
                found = latest(models, start)
                base = found[1] if found else None
                end = resolve("warm", start, run, [(base, "model")] if base else None)
                if end is None:
                    continue
                start = end + gap()
            if start >= horizon:
                continue
            # Trainer
            st["trainer_runs"] += 1
            hp_aid = hp[1] if hp is not None and hp[0] <= start else None
            sig = (i, hp_aid, base)
            inputs = [(a, "examples", k) for k, a in enumerate(train_examples)]
            inputs.append((graph_aid, "transform_graph", 0))
            inputs.append((schema_used, "schema", 0))
            if base:
                inputs.append((base, "base_model", 0))
            if hp_aid:
                inputs.append((hp_aid, "hyperparameters", 0))
            if trainer_cache and last_trainer is not None and last_trainer[0] == sig:
                end = start + SEC + int(3 * SEC * r())
                if end >= horizon:
                    x = execution(t_trainer, running, start, start, run, "trainer")
                    st["trainers_running"] += 1
                    for a, key, k in inputs:
                        evt((a, x, ev_in, start, key, k))
                    continue
                x = execution(t_trainer, cached, start, end, run, "trainer")
                st["trainers_cached"] += 1
                for a, key, k in inputs:
                    evt((a, x, ev_in, start, key, k))
                for a, key, k in last_trainer[1]:
                    evt((a, x, ev_out, end, key, k))
                continue  # no new model: nothing downstream is triggered
            if r() < p_cancel:
                end = start + int(med_trainer * 0.5 * r())
                if end >= horizon:
                    execution(t_trainer, running, start, start, run, "trainer")
                    st["trainers_running"] += 1
                else:
                    execution(t_trainer, canceled, start, end, run, "trainer")
                    st["trainers_canceled"] += 1
                continue
            dur = med_trainer * lnv(0, 0.25)
            fail = r() < p_train_fail
            if fail:
                dur *= 0.05 + 0.6 * r()
            end = start + int(dur)
            state = failed if fail else complete
            if end >= horizon:
                state, end = running, start
            x = execution(t_trainer, state, start, end, run, "trainer")
            for a, key, k in inputs:
                evt((a, x, ev_in, start, key, k))
            if state == running:
                st["trainers_running"] += 1
                continue
            cost(x, "train", start, end)
            if fail:
                st["trainers_failed"] += 1
                continue
            st["trainers_complete"] += 1
            model = artifact(a_model, "trainer", "model", x, end, run)
            model_run = artifact(a_mrun, "trainer", "model_run", x, end, run)
            evt((model, x, ev_out, end, "model", 0))
            evt((model_run, x, ev_out, end, "model_run", 0))
            last_trainer = (sig, [(model, "model", 0), (model_run, "model_run", 0)])
            models.append((end, model))
            t_trained = end

            # baseline: the latest blessed model, through a second Resolver
            start = t_trained + gap()
            if start >= horizon:
                continue
            baseline = latest(blessings, start)
            found = [(baseline[1], "model"), (baseline[2], "model_blessing")] if baseline else None
            end = resolve("base", start, run, found)
            if end is None:
                continue
            # Evaluator
            start_eval = end + gap()
            if start_eval >= horizon:
                continue
            end_eval = start_eval + int(med_eval * lnv(0, 0.25))
            eval_fail = r() < 0.005
            if eval_fail:
                end_eval = start_eval + int((end_eval - start_eval) * 0.3 * r())
            state = failed if eval_fail else complete
            if end_eval >= horizon:
                state, end_eval = running, start_eval
            x = execution(t_eval, state, start_eval, end_eval, run, "evaluator")
            evt((newest_raw, x, ev_in, start_eval, "examples", 0))
            evt((model, x, ev_in, start_eval, "model", 0))
            if baseline:
                evt((baseline[1], x, ev_in, start_eval, "baseline_model", 0))
            blessing = None
            blessed = False
            if state != running:
                cost(x, "eval", start_eval, end_eval)
            if state == complete:
                # the push mechanism: noisy, and every term leaves a trace in the store
                n_anom = anomalies_by_span.get(newest_span, 0)
                z = bless_base + drift[d]
                if baseline is None:
                    z += NO_BASELINE
                else:
                    new_spans = sum(1 for s in spans if s > baseline[3])
                    if new_spans == 0:
                        z += NO_NEW_DATA
                    else:
                        z += NEW_SPAN_BONUS * (min(new_spans, NEW_SPAN_CAP) - 1)
                    if schema_used != baseline[4]:
                        z += SCHEMA_CHANGE
                if n_anom:
                    z += ANOMALY_BASE + ANOMALY_PER * min(n_anom, 10)
                blessed = r() * (1 + pow(2.718281828459045, -z)) < 1  # Bernoulli(sigmoid(z))
                st["evaluations"] += 1
                st["blessed" if blessed else "not_blessed"] += 1
                evaluation = artifact(a_eval, "evaluator", "evaluation", x, end_eval, run)
                blessing = artifact(a_bless, "evaluator", "blessing", x, end_eval, run)
                evt((evaluation, x, ev_out, end_eval, "evaluation", 0))
                evt((blessing, x, ev_out, end_eval, "blessing", 0))
                aprop_rows.append((blessing, "blessed", 1, int(blessed), None, None))
                aprop_rows.append((blessing, "current_model_id", 1, model, None, None))
                if baseline:
                    aprop_rows.append((blessing, "baseline_model_id", 1, baseline[1], None, None))
                if blessed:
                    blessings.append((end_eval, model, blessing, max(spans), schema_used))
            # InfraValidator, beside the Evaluator
            infra = None
            infra_ok = True
            end_infra = t_trained
            if has_infra:
                start = t_trained + gap()
                end_infra = start + int(med_infra * lnv(0, 0.25))
                state = complete if end_infra < horizon else running
                if state == running:
                    end_infra = start
                x = execution(t_infra, state, start, end_infra, run, "infra")
                evt((model, x, ev_in, start, "model", 0))
                evt((newest_raw, x, ev_in, start, "examples", 0))
                if state == complete:
                    cost(x, "light", start, end_infra)
                    infra_ok = r() >= p_infra_reject
                    st["infra_rejected"] += not infra_ok
                    infra = artifact(a_infra, "infra", "blessing", x, end_infra, run)
                    evt((infra, x, ev_out, end_infra, "blessing", 0))
                    aprop_rows.append((infra, "blessed", 1, int(infra_ok), None, None))
            # Pusher: runs whether or not the model was blessed, records pushed = 1 / 0
            if not has_pusher or blessing is None or (has_infra and infra is None):
                continue
            start = max(end_eval, end_infra) + gap()
            if start >= horizon:
                continue
            end = start + int(med_push * lnv(0, 0.3))
            push_fail = r() < 0.004
            if push_fail:
                end = start + int((end - start) * 0.5 * r())
            state = failed if push_fail else complete
            if end >= horizon:
                state, end = running, start
            x = execution(t_pusher, state, start, end, run, "pusher")
            evt((model, x, ev_in, start, "model", 0))
            evt((blessing, x, ev_in, start, "model_blessing", 0))
            if infra is not None:
                evt((infra, x, ev_in, start, "infra_blessing", 0))
            if state != complete:
                continue
            cost(x, "light", start, end)
            pushed = blessed and infra_ok
            st["pushes" if pushed else "not_pushed"] += 1
            a = artifact(a_pushed, "pusher", "pushed_model", x, end, run)
            evt((a, x, ev_out, end, "pushed_model", 0))
            aprop_rows.append((a, "pushed", 1, int(pushed), None, None))


def _build_chunk(args: tuple) -> tuple[str, dict[str, int], dict[str, int]]:
    """Simulate pipelines [first, last) into a scratch SQLite file; return its id counts."""
    path, first, last, seed, days, tid = args
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for stmt in _CHUNK_DDL:
            conn.execute(stmt)
        sink = _Sink()
        st = dict.fromkeys(_STAT_FIELDS, 0)
        for index in range(first, last):
            _simulate_pipeline(index, seed, days, tid, sink, st)
            if len(sink.evt) > 200_000:
                sink.flush(conn)
        sink.flush(conn)
        conn.commit()
    finally:
        conn.close()
    counts = {"co": sink.n_ctx, "xo": sink.n_exe, "ao": sink.n_art, "eo": sink.n_evt}
    return path, counts, st


def _register_types(writer: StoreWriter) -> dict[str, int]:
    tid: dict[str, int] = {}
    for name in CONTEXT_TYPE_NAMES:
        tid[name] = writer.type_id(name, CONTEXT_TYPE)
    for name in EXECUTION_TYPE_NAMES:
        tid[name] = writer.type_id(name, EXECUTION_TYPE)
    for name, props, base in ARTIFACT_TYPE_SPECS:
        tid[name] = writer.type_id(name, ARTIFACT_TYPE, props, base)
    writer.flush()
    return tid


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle (it terminates the pool and removes the scratch files).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's merge is the bottleneck; let it win the CPU over the simulating workers.
    with contextlib.suppress(OSError):
        os.nice(5)


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork: workers need nothing but this module, and spawn/forkserver would re-import the
    # caller's main module (breaking scripts without a __main__ guard). The children only
    # simulate and write their own scratch files; they never touch the parent's connection.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _default_workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def generate(
    out: Path,
    pipelines: int = 3000,
    days: int = 120,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    *,
    workers: int | None = None,
) -> GenerateStats:
    """Write a synthetic MLMD store (schema v10) of ``pipelines`` TFX pipelines over ``days``.

    Deterministic for a given ``(pipelines, days, seed)``: the same arguments give the same rows
    and ids whatever ``workers`` is. ``out`` must not exist (``FileExistsError``); the store is
    written to a hidden temporary file beside it and linked into place only when complete, so an
    interrupted run never leaves a partial store under ``out``. ``progress(done, total)`` is
    called with the number of pipelines written so far. ``workers`` (default: the usable CPUs,
    at most 8) is the number of simulating processes; small corpora are built in-process.
    """
    out = Path(out)
    if pipelines < 0 or days < 1:
        raise ValueError("pipelines must be >= 0 and days >= 1")
    if out.exists():
        raise FileExistsError(f"{out} already exists; refusing to overwrite it")
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"directory {directory} does not exist")
    workers = _default_workers() if workers is None else max(1, workers)
    chunk_size = max(1, min(25, -(-pipelines // (workers * 4))))
    chunks = [(i, min(pipelines, i + chunk_size)) for i in range(0, pipelines, chunk_size)]
    if pipelines < 60:
        workers = 1

    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    os.unlink(tmp_name)  # StoreWriter creates the schema only in a file that does not exist
    tmp = Path(tmp_name)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".parts", dir=directory))
    total = dict.fromkeys(_STAT_FIELDS, 0)
    pool = None
    try:
        writer = StoreWriter(tmp)
        tid = _register_types(writer)
        conn = writer.conn
        # Indexes whose keys arrive in ascending order are cheap to maintain during the bulk
        # insert; the others are dropped and rebuilt afterwards, which is faster.
        deferred = [s for s in SQLITE_INDEXES if s.split("`")[1] not in _APPEND_ONLY_INDEXES]
        for stmt in deferred:
            conn.execute(f"DROP INDEX IF EXISTS `{stmt.split('`')[1]}`")
        conn.commit()
        conn.execute("PRAGMA cache_size = -524288")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        offsets = {"co": 0, "xo": 0, "ao": 0, "eo": 0}
        for key, table in (("co", "Context"), ("xo", "Execution"), ("ao", "Artifact")):
            offsets[key] = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        tasks = [
            (str(scratch / f"chunk-{n:05d}.sqlite"), a, b, seed, days, tid)
            for n, (a, b) in enumerate(chunks)
        ]
        if progress is not None:
            progress(0, pipelines)

        def merge(result: tuple[str, dict[str, int], dict[str, int]]) -> None:
            path, counts, st = result
            conn.execute("ATTACH DATABASE ? AS c", (path,))
            for stmt in _MERGE:
                conn.execute(stmt, offsets)
            conn.commit()
            conn.execute("DETACH DATABASE c")
            os.unlink(path)
            for key, n in counts.items():
                offsets[key] += n
            for key, n in st.items():
                total[key] += n

        done = 0
        if workers == 1:
            for task in tasks:
                merge(_build_chunk(task))
                done = task[2]
                if progress is not None:
                    progress(done, pipelines)
        else:
            pool = _pool_context().Pool(workers, initializer=_worker_init)
            pending: deque = deque()
            queue = iter(tasks)
            for task in queue:
                pending.append((task, pool.apply_async(_build_chunk, (task,))))
                if len(pending) >= workers + 2:
                    break
            while pending:
                task, result = pending.popleft()
                merge(result.get())
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append((nxt, pool.apply_async(_build_chunk, (nxt,))))
                done = task[2]
                if progress is not None:
                    progress(done, pipelines)
            pool.close()
            pool.join()
            pool = None
        for stmt in deferred:
            conn.execute(stmt)
        conn.commit()
        total["contexts"] = offsets["co"]
        total["executions"] = offsets["xo"]
        total["artifacts"] = offsets["ao"]
        total["events"] = offsets["eo"]
        writer.close()
        # publish: a hard link fails atomically if `out` appeared meanwhile; never overwrite
        try:
            os.link(tmp, out)
        except FileExistsError:
            raise FileExistsError(f"{out} already exists; refusing to overwrite it") from None
        except OSError:  # a filesystem without hard links
            if out.exists():
                raise FileExistsError(f"{out} already exists; refusing to overwrite it") from None
            os.rename(tmp, out)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        shutil.rmtree(scratch, ignore_errors=True)
    return GenerateStats(**total)
