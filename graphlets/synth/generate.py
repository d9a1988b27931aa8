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

This module is the orchestration (chunks, workers, merge, atomic publish). The simulation of one
pipeline is ``simulate.simulate_pipeline``, in layers: ``tfx`` (names, clock, encodings),
``profile`` (``PipelineProfile``: the per-pipeline draws), ``sink`` (``ChunkSink`` row buffers,
``PipelineRecorder``), ``steps`` (``Env``, Resolvers), ``ingestion``, ``training`` and
``evaluation`` (Evaluator, InfraValidator, Pusher, the push mechanism).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import sqlite3
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from graphlets.synth.mlmd_store import (
    ARTIFACT_TYPE,
    CONTEXT_TYPE,
    EXECUTION_TYPE,
    SQLITE_INDEXES,
    StoreWriter,
)
from graphlets.synth.simulate import simulate_pipeline
from graphlets.synth.sink import CHUNK_DDL, ChunkSink
from graphlets.synth.tfx import (
    ARTIFACT_TYPE_SPECS,
    CONTEXT_TYPE_NAMES,
    EPOCH_START_MS,
    EXECUTION_TYPE_NAMES,
    RESOLVER,
    TRAINER,
    mlmd_struct_bool,
)

# The TFX names are defined in graphlets.synth.tfx; these are re-exported for callers.
__all__ = [
    "EPOCH_START_MS",
    "EXECUTION_TYPE_NAMES",
    "RESOLVER",
    "TRAINER",
    "GenerateStats",
    "generate",
    "mlmd_struct_bool",
]

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


#: A chunk to simulate: (scratch file, first pipeline, end pipeline, seed, days, type ids).
_Task = tuple[str, int, int, int, int, dict[str, int]]
#: A simulated chunk: (scratch file, id counts by offset key, stats).
_Result = tuple[str, dict[str, int], dict[str, int]]


def _build_chunk(args: _Task) -> _Result:
    """Simulate pipelines [first, last) into a scratch SQLite file; return its id counts."""
    path, first, last, seed, days, tid = args
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for stmt in CHUNK_DDL:
            conn.execute(stmt)
        sink = ChunkSink()
        st = dict.fromkeys(_STAT_FIELDS, 0)
        for index in range(first, last):
            simulate_pipeline(index, seed, days, tid, sink, st)
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


def _chunks(pipelines: int, workers: int) -> list[tuple[int, int]]:
    """Pipeline ranges [first, end) of at most 25, about four per worker at small scales."""
    chunk_size = max(1, min(25, -(-pipelines // (workers * 4))))
    return [(i, min(pipelines, i + chunk_size)) for i in range(0, pipelines, chunk_size)]


def _open_store(tmp: Path) -> tuple[StoreWriter, dict[str, int], list[str]]:
    """Create the store, register the types and prepare it for the bulk insert.

    Returns the writer, the type ids and the ``CREATE INDEX`` statements to run afterwards:
    indexes whose keys arrive in ascending order are cheap to maintain during the bulk insert;
    the others are dropped and rebuilt afterwards, which is faster.
    """
    writer = StoreWriter(tmp)
    tid = _register_types(writer)
    conn = writer.conn
    deferred = [s for s in SQLITE_INDEXES if s.split("`")[1] not in _APPEND_ONLY_INDEXES]
    for stmt in deferred:
        conn.execute(f"DROP INDEX IF EXISTS `{stmt.split('`')[1]}`")
    conn.commit()
    conn.execute("PRAGMA cache_size = -524288")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    return writer, tid, deferred


class _Merger:
    """Merges simulated chunks into the store in pipeline order, shifting their chunk-local ids
    by running offsets, and sums their stats."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.offsets = {"co": 0, "xo": 0, "ao": 0, "eo": 0}
        for key, table in (("co", "Context"), ("xo", "Execution"), ("ao", "Artifact")):
            self.offsets[key] = conn.execute(
                f"SELECT coalesce(max(id), 0) FROM {table}"
            ).fetchone()[0]
        self.total = dict.fromkeys(_STAT_FIELDS, 0)

    def __call__(self, result: _Result) -> None:
        path, counts, st = result
        conn = self.conn
        conn.execute("ATTACH DATABASE ? AS c", (path,))
        for stmt in _MERGE:
            conn.execute(stmt, self.offsets)
        conn.commit()
        conn.execute("DETACH DATABASE c")
        os.unlink(path)
        for key, n in counts.items():
            self.offsets[key] += n
        for key, n in st.items():
            self.total[key] += n

    def stats(self) -> GenerateStats:
        """The counts of everything merged so far."""
        total = dict(self.total)
        total["contexts"] = self.offsets["co"]
        total["executions"] = self.offsets["xo"]
        total["artifacts"] = self.offsets["ao"]
        total["events"] = self.offsets["eo"]
        return GenerateStats(**total)


def _run_in_process(tasks: Iterable[_Task], merge: _Merger, report: Callable[[int], None]) -> None:
    """Simulate and merge the chunks one after the other in this process."""
    for task in tasks:
        merge(_build_chunk(task))
        report(task[2])


def _run_in_pool(
    tasks: Iterable[_Task], workers: int, merge: _Merger, report: Callable[[int], None]
) -> None:
    """Simulate the chunks in ``workers`` processes, a few ahead, and merge them in order.

    On any exception (Ctrl-C included) the pool is terminated before it propagates.
    """
    pool = _pool_context().Pool(workers, initializer=_worker_init)
    finished = False
    try:
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
            report(task[2])
        pool.close()
        pool.join()
        finished = True
    finally:
        if not finished:
            pool.terminate()
            pool.join()


def _publish(tmp: Path, out: Path) -> None:
    """Link the finished store into place: fails atomically if ``out`` appeared meanwhile."""
    try:
        os.link(tmp, out)
    except FileExistsError:
        raise FileExistsError(f"{out} already exists; refusing to overwrite it") from None
    except OSError:  # a filesystem without hard links
        if out.exists():
            raise FileExistsError(f"{out} already exists; refusing to overwrite it") from None
        os.rename(tmp, out)


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
    chunks = _chunks(pipelines, workers)
    if pipelines < 60:
        workers = 1

    def report(done: int) -> None:
        if progress is not None:
            progress(done, pipelines)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    os.unlink(tmp_name)  # StoreWriter creates the schema only in a file that does not exist
    tmp = Path(tmp_name)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".parts", dir=directory))
    try:
        writer, tid, deferred = _open_store(tmp)
        merge = _Merger(writer.conn)
        tasks = [
            (str(scratch / f"chunk-{n:05d}.sqlite"), a, b, seed, days, tid)
            for n, (a, b) in enumerate(chunks)
        ]
        report(0)
        if workers == 1:
            _run_in_process(tasks, merge, report)
        else:
            _run_in_pool(tasks, workers, merge, report)
        for stmt in deferred:
            writer.conn.execute(stmt)
        writer.conn.commit()
        stats = merge.stats()
        writer.close()
        _publish(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        shutil.rmtree(scratch, ignore_errors=True)
    return stats
