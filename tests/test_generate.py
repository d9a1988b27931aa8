"""The synthetic corpus generator writes real, deterministic, time-ordered MLMD stores."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from graphlets.synth.generate import (
    EPOCH_START_MS,
    EXECUTION_TYPE_NAMES,
    RESOLVER,
    TRAINER,
    GenerateStats,
    generate,
    mlmd_struct_bool,
)
from graphlets.synth.mlmd_store import EVENT_TYPES, EXECUTION_STATES, SCHEMA_VERSION, SQLITE_DDL
from tests.conftest import REPO

INPUT, OUTPUT, INTERNAL_OUTPUT = (EVENT_TYPES[k] for k in ("INPUT", "OUTPUT", "INTERNAL_OUTPUT"))
COMPLETE, FAILED, CACHED, RUNNING, CANCELED = (
    EXECUTION_STATES[k] for k in ("COMPLETE", "FAILED", "CACHED", "RUNNING", "CANCELED")
)
TABLES = [stmt.split("`")[1] for stmt in SQLITE_DDL]


def _open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _content(path: Path) -> dict[str, tuple[int, str]]:
    """(row count, sha256 of all rows in rowid order) of every MLMD table."""
    con = _open(path)
    try:
        out = {}
        for table in TABLES:
            digest = hashlib.sha256()
            n = 0
            for row in con.execute(f"SELECT * FROM `{table}` ORDER BY rowid"):
                digest.update(repr(row).encode())
                n += 1
            out[table] = (n, digest.hexdigest())
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateStats, list]:
    path = tmp_path_factory.mktemp("gen") / "small.sqlite"
    calls: list[tuple[int, int]] = []
    stats = generate(
        path, pipelines=20, days=14, seed=7, progress=lambda d, t: calls.append((d, t))
    )
    return path, stats, calls


@pytest.fixture(scope="module")
def db(small) -> sqlite3.Connection:
    con = _open(small[0])
    yield con
    con.close()


def _one(con: sqlite3.Connection, sql: str, *args):
    return con.execute(sql, args).fetchone()[0]


# -- schema ------------------------------------------------------------------------------------
def test_store_is_a_full_schema_v10_store(db):
    assert db.execute("SELECT schema_version FROM MLMDEnv").fetchall() == [(SCHEMA_VERSION,)]
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(TABLES) <= names
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_event_execution_id", "idx_eventpath_event_id", "idx_type_name"} <= indexes
    # the system types first (ids 1-9), then TFX's full class paths
    assert _one(db, "SELECT name FROM Type WHERE id = 1") == "mlmd.Dataset"
    exec_types = {r[0] for r in db.execute("SELECT name FROM Type WHERE type_kind = 0 AND id > 9")}
    assert exec_types == set(EXECUTION_TYPE_NAMES)
    declared = set(
        db.execute(
            "SELECT p.name, p.data_type FROM TypeProperty p JOIN Type t ON t.id = p.type_id "
            "WHERE t.name = 'Examples'"
        )
    )
    assert declared == {("span", 1), ("version", 1), ("split_names", 3)}
    parents = set(
        db.execute(
            "SELECT c.name, p.name FROM ParentType x JOIN Type c ON c.id = x.type_id "
            "JOIN Type p ON p.id = x.parent_type_id"
        )
    )
    assert ("Model", "mlmd.Model") in parents and ("Examples", "mlmd.Dataset") in parents


def test_stats_match_the_store(small, db):
    _, stats, calls = small
    assert stats.executions == _one(db, "SELECT count(*) FROM Execution")
    assert stats.artifacts == _one(db, "SELECT count(*) FROM Artifact")
    assert stats.events == _one(db, "SELECT count(*) FROM Event")
    assert stats.contexts == _one(db, "SELECT count(*) FROM Context")
    assert stats.pipelines == _one(
        db,
        "SELECT count(*) FROM Context c JOIN Type t ON t.id = c.type_id WHERE t.name = 'pipeline'",
    )
    trainers = _one(
        db,
        "SELECT count(*) FROM Execution e JOIN Type t ON t.id = e.type_id WHERE t.name = ?",
        TRAINER,
    )
    assert stats.trainer_runs == trainers > 0
    pushed = dict(
        db.execute(
            "SELECT int_value, count(*) FROM ArtifactProperty WHERE name = 'pushed' GROUP BY 1"
        ).fetchall()
    )
    assert (stats.pushes, stats.not_pushed) == (pushed.get(1, 0), pushed.get(0, 0))
    assert calls[0] == (0, 20) and calls[-1] == (20, 20)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# -- determinism -------------------------------------------------------------------------------
def test_same_seed_same_store_and_other_seed_differs(small, tmp_path):
    path, stats, _ = small
    again = generate(tmp_path / "again.sqlite", pipelines=20, days=14, seed=7)
    assert again == stats
    assert _content(tmp_path / "again.sqlite") == _content(path)
    other = generate(tmp_path / "other.sqlite", pipelines=20, days=14, seed=8)
    assert other != stats
    assert _content(tmp_path / "other.sqlite") != _content(path)


def _canonical_digest(path: Path) -> str:
    """sha256 of every table (in name order) with its columns and its rows ordered by all
    columns: the store's content, independent of page layout and of the SQLite version."""
    con = _open(path)
    try:
        digest = hashlib.sha256()
        tables = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for (table,) in tables.fetchall():
            columns = [r[1] for r in con.execute(f"PRAGMA table_info(`{table}`)")]
            digest.update(repr((table, columns)).encode())
            order = ", ".join(f"`{c}`" for c in columns)
            for row in con.execute(f"SELECT * FROM `{table}` ORDER BY {order}"):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        con.close()


#: Canonical digest of ``generate(pipelines=20, days=14, seed=7)``.
GOLDEN_SMALL = "1b7d92180a633c8d46fe394f2cb7e9ca556be8bd6a41ba5353ce60d3106a5800"


def test_golden_store(small):
    """The generator's output is pinned: any change to a random draw, its order or a row shows.

    The digest is of the content, not of the file bytes, so that another SQLite library
    version cannot make it fail. When the generator was split from one 1,200-line module into
    typed pieces (profile, sink, ingestion, training and evaluation steps), the store *file*
    itself was checked byte-identical (``cmp``) before and after, for several sizes and seeds
    (up to 400 pipelines over 30 days, in-process and with worker processes).
    Change it only with a change meant to alter the corpus, and say so in docs/generator.md.
    """
    assert _canonical_digest(small[0]) == GOLDEN_SMALL


def test_worker_count_does_not_change_the_store(tmp_path):
    one = generate(tmp_path / "one.sqlite", pipelines=64, days=6, seed=3, workers=1)
    two = generate(tmp_path / "two.sqlite", pipelines=64, days=6, seed=3, workers=2)
    assert one == two
    assert _content(tmp_path / "one.sqlite") == _content(tmp_path / "two.sqlite")


def test_trainer_count_scales_with_pipelines_and_days(tmp_path):
    base = generate(tmp_path / "a.sqlite", pipelines=10, days=10, seed=1).trainer_runs
    more_pipelines = generate(tmp_path / "b.sqlite", pipelines=40, days=10, seed=1).trainer_runs
    more_days = generate(tmp_path / "c.sqlite", pipelines=10, days=40, seed=1).trainer_runs
    assert base > 0
    assert more_pipelines > 2 * base
    assert more_days > 2 * base


# -- time ------------------------------------------------------------------------------------
def test_timestamps_are_in_the_horizon_and_events_at_their_execution(db):
    lo, hi = EPOCH_START_MS, EPOCH_START_MS + 14 * 86_400_000
    assert _one(db, "SELECT count(*) FROM Execution WHERE create_time_since_epoch < ?", lo) == 0
    assert (
        _one(db, "SELECT count(*) FROM Execution WHERE last_update_time_since_epoch >= ?", hi) == 0
    )
    assert (
        _one(
            db,
            "SELECT count(*) FROM Execution "
            "WHERE last_update_time_since_epoch < create_time_since_epoch",
        )
        == 0
    )
    # no event before its execution's start; inputs at the start, outputs at the end
    rows = db.execute(
        "SELECT v.type, v.milliseconds_since_epoch, x.create_time_since_epoch, "
        "x.last_update_time_since_epoch FROM Event v JOIN Execution x ON x.id = v.execution_id"
    ).fetchall()
    assert rows
    for kind, at, start, end in rows:
        assert at >= start
        assert at == (start if kind == INPUT else end)


def test_consumers_start_after_the_producers_of_their_inputs_end(db):
    late = db.execute(
        "SELECT count(*) FROM Event i JOIN Execution c ON c.id = i.execution_id "
        "JOIN Event o ON o.artifact_id = i.artifact_id AND o.type = ? "
        "JOIN Execution p ON p.id = o.execution_id "
        "WHERE i.type = ? AND p.last_known_state != ? "
        "AND p.last_update_time_since_epoch > c.create_time_since_epoch",
        (OUTPUT, INPUT, CACHED),
    ).fetchone()[0]
    assert late == 0
    # every input artifact existed (was created) before its consumer started
    assert (
        _one(
            db,
            "SELECT count(*) FROM Event i JOIN Execution c ON c.id = i.execution_id "
            "JOIN Artifact a ON a.id = i.artifact_id WHERE i.type = ? "
            "AND a.create_time_since_epoch > c.create_time_since_epoch",
            INPUT,
        )
        == 0
    )


# -- TFX's recording conventions ---------------------------------------------------------------
def test_resolvers_only_record_internal_outputs_and_fail_when_nothing_resolves(db):
    kinds = {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT v.type FROM Event v JOIN Execution x ON x.id = v.execution_id "
            "JOIN Type t ON t.id = x.type_id WHERE t.name = ?",
            (RESOLVER,),
        )
    }
    assert kinds == {INTERNAL_OUTPUT}
    # no other execution records INTERNAL_OUTPUT
    assert (
        _one(
            db,
            "SELECT count(*) FROM Event v JOIN Execution x ON x.id = v.execution_id "
            "JOIN Type t ON t.id = x.type_id WHERE v.type = ? AND t.name != ?",
            INTERNAL_OUTPUT,
            RESOLVER,
        )
        == 0
    )
    failed = db.execute(
        "SELECT x.id, (SELECT count(*) FROM Event v WHERE v.execution_id = x.id), "
        "(SELECT string_value FROM ExecutionProperty p WHERE p.execution_id = x.id "
        " AND p.name = '__execution_result__' AND p.is_custom_property = 1) "
        "FROM Execution x JOIN Type t ON t.id = x.type_id "
        "WHERE t.name = ? AND x.last_known_state = ?",
        (RESOLVER, FAILED),
    ).fetchall()
    assert failed, "every pipeline's first run has a resolver that finds nothing"
    for _, n_events, error in failed:
        assert n_events == 0 and error
    # the consumer reads the ORIGINAL model, produced by a Trainer, with an ordinary INPUT event
    keys = db.execute(
        "SELECT p.step_key, pt.name FROM Event v JOIN EventPath p ON p.event_id = v.id "
        "AND p.is_index_step = 0 JOIN Event o ON o.artifact_id = v.artifact_id AND o.type = ? "
        "JOIN Execution px ON px.id = o.execution_id JOIN Type pt ON pt.id = px.type_id "
        "WHERE v.type = ? AND p.step_key IN ('base_model', 'baseline_model')",
        (OUTPUT, INPUT),
    ).fetchall()
    assert {k for k, _ in keys} == {"base_model", "baseline_model"}
    assert {t for _, t in keys} == {TRAINER}


def test_every_event_has_a_key_step_then_an_index_step(db):
    assert _one(db, "SELECT count(*) FROM EventPath") == 2 * _one(db, "SELECT count(*) FROM Event")
    bad = db.execute(
        "SELECT count(*) FROM Event v WHERE "
        "(SELECT group_concat(is_index_step, '') FROM "
        " (SELECT is_index_step FROM EventPath p WHERE p.event_id = v.id ORDER BY p.rowid)) != '01'"
    ).fetchone()[0]
    assert bad == 0
    assert (
        _one(db, "SELECT count(*) FROM EventPath WHERE is_index_step = 0 AND step_key IS NULL") == 0
    )
    keys = {
        r[0]
        for r in db.execute("SELECT DISTINCT step_key FROM EventPath WHERE step_key IS NOT NULL")
    }
    assert {
        "examples",
        "schema",
        "model",
        "base_model",
        "baseline_model",
        "model_blessing",
        "analyzer_cache",
        "updated_analyzer_cache",
        "transform_graph",
        "pushed_model",
        "blessing",
        "statistics",
        "anomalies",
    } <= keys


def test_cached_executions_re_emit_the_original_artifacts(db):
    rows = db.execute(
        "SELECT x.id, x.create_time_since_epoch, v.artifact_id FROM Execution x "
        "JOIN Event v ON v.execution_id = x.id AND v.type = ? WHERE x.last_known_state = ?",
        (OUTPUT, CACHED),
    ).fetchall()
    assert rows
    for _, start, artifact in rows:
        original = db.execute(
            "SELECT count(*) FROM Event o JOIN Execution p ON p.id = o.execution_id "
            "WHERE o.artifact_id = ? AND o.type = ? AND p.last_known_state = ? "
            "AND p.last_update_time_since_epoch <= ?",
            (artifact, OUTPUT, COMPLETE, start),
        ).fetchone()[0]
        assert original == 1
    # every artifact has exactly one producer that did the work
    assert (
        _one(
            db,
            "SELECT count(*) FROM (SELECT o.artifact_id FROM Event o JOIN Execution p "
            "ON p.id = o.execution_id WHERE o.type = ? AND p.last_known_state != ? "
            "GROUP BY 1 HAVING count(*) != 1)",
            OUTPUT,
            CACHED,
        )
        == 0
    )


def _events(db: sqlite3.Connection, execution: int, kind: int) -> set[tuple[int, str, int]]:
    """(artifact, key, index) of the execution's events of ``kind``, from their EventPath."""
    return set(
        db.execute(
            "SELECT v.artifact_id, k.step_key, i.step_index FROM Event v "
            "JOIN EventPath k ON k.event_id = v.id AND k.is_index_step = 0 "
            "JOIN EventPath i ON i.event_id = v.id AND i.is_index_step = 1 "
            "WHERE v.execution_id = ? AND v.type = ?",
            (execution, kind),
        ).fetchall()
    )


def _node_context(db: sqlite3.Connection, execution: int) -> int:
    return _one(
        db,
        "SELECT a.context_id FROM Association a JOIN Context c ON c.id = a.context_id "
        "JOIN Type t ON t.id = c.type_id WHERE a.execution_id = ? AND t.name = 'node'",
        execution,
    )


def test_cached_executions_are_cache_hits_on_the_inputs_of_the_run_they_reuse(db):
    """As in TFX, whose cache key includes the inputs: a CACHED execution read exactly the input
    artifacts (same keys and indices) of the earlier COMPLETE execution of the same node whose
    outputs it re-emits."""
    cached = db.execute(
        "SELECT id, create_time_since_epoch FROM Execution WHERE last_known_state = ?", (CACHED,)
    ).fetchall()
    kinds = {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT t.name FROM Execution x JOIN Type t ON t.id = x.type_id "
            "WHERE x.last_known_state = ?",
            (CACHED,),
        )
    }
    assert {"tfx.components.statistics_gen.component.StatisticsGen"} <= kinds
    for x, start in cached:
        outputs = _events(db, x, OUTPUT)
        assert outputs
        producers = {
            r[0]
            for r in db.execute(
                "SELECT o.execution_id FROM Event o JOIN Execution p ON p.id = o.execution_id "
                "WHERE o.artifact_id = ? AND o.type = ? AND p.last_known_state = ? "
                "AND p.last_update_time_since_epoch <= ?",
                (next(iter(outputs))[0], OUTPUT, COMPLETE, start),
            )
        }
        assert len(producers) == 1
        (original,) = producers
        assert _node_context(db, original) == _node_context(db, x)
        assert _events(db, original, OUTPUT) == outputs
        assert _events(db, original, INPUT) == _events(db, x, INPUT)


def test_each_pipeline_prices_its_executions_in_one_unit(db):
    """Every execution of a pipeline records a `cost` property, or none does: the warehouse
    prices the others by duration (docs/semantics.md 1.8), another unit."""
    mixed = db.execute(
        "SELECT a.context_id, count(*), count(p.execution_id) FROM Association a "
        "JOIN Context c ON c.id = a.context_id JOIN Type t ON t.id = c.type_id "
        "LEFT JOIN ExecutionProperty p ON p.execution_id = a.execution_id AND p.name = 'cost' "
        "WHERE t.name = 'pipeline' GROUP BY 1 HAVING count(p.execution_id) NOT IN (0, count(*))"
    ).fetchall()
    assert mixed == []


def test_every_execution_has_one_pipeline_one_run_and_one_node_context(db):
    rows = db.execute(
        "SELECT x.id, sum(t.name = 'pipeline'), sum(t.name = 'pipeline_run'), "
        "sum(t.name = 'node'), "
        "max(CASE WHEN t.name = 'pipeline' THEN c.name END), "
        "max(CASE WHEN t.name = 'node' THEN c.name END) "
        "FROM Execution x LEFT JOIN Association s ON s.execution_id = x.id "
        "LEFT JOIN Context c ON c.id = s.context_id LEFT JOIN Type t ON t.id = c.type_id "
        "GROUP BY x.id"
    ).fetchall()
    assert len(rows) == _one(db, "SELECT count(*) FROM Execution")
    for _, n_pipeline, n_run, n_node, pipeline, node in rows:
        assert (n_pipeline, n_run, n_node) == (1, 1, 1)
        assert node.startswith(pipeline + ".")
    # outputs are attributed to the producing execution's contexts
    assert _one(db, "SELECT count(*) FROM Attribution") == 3 * _one(
        db, "SELECT count(*) FROM Artifact"
    )


def test_failed_canceled_and_running_executions(db):
    def outputs_by_state(state: int) -> int:
        return _one(
            db,
            "SELECT count(*) FROM Event v JOIN Execution x ON x.id = v.execution_id "
            "WHERE x.last_known_state = ? AND v.type = ?",
            state,
            OUTPUT,
        )

    assert outputs_by_state(FAILED) == outputs_by_state(RUNNING) == 0
    assert (
        _one(
            db,
            "SELECT count(*) FROM Event v JOIN Execution x ON x.id = v.execution_id "
            "WHERE x.last_known_state = ?",
            CANCELED,
        )
        == 0
    )
    # a FAILED execution is shorter than its component's median COMPLETE one
    failed_trainers = db.execute(
        "SELECT count(*) FROM Execution x JOIN Type t ON t.id = x.type_id "
        "WHERE t.name = ? AND x.last_known_state = ?",
        (TRAINER, FAILED),
    ).fetchone()[0]
    assert failed_trainers > 0


def test_outcome_traces_exist_without_a_planted_label(db):
    def flags(name: str, artifact_type: str) -> set[int]:
        return {
            r[0]
            for r in db.execute(
                "SELECT DISTINCT p.int_value FROM ArtifactProperty p "
                "JOIN Artifact a ON a.id = p.artifact_id JOIN Type t ON t.id = a.type_id "
                "WHERE p.name = ? AND t.name = ? AND p.is_custom_property = 1",
                (name, artifact_type),
            )
        }

    assert flags("blessed", "ModelBlessing") == {0, 1}
    assert flags("pushed", "PushedModel") == {0, 1}
    # ExampleAnomalies: `blessed` is a STRUCT string (not a flag), `num_anomalies` an INT
    anomalies = db.execute(
        "SELECT b.string_value, n.int_value FROM ArtifactProperty b JOIN ArtifactProperty n "
        "ON n.artifact_id = b.artifact_id AND n.name = 'num_anomalies' "
        "JOIN Artifact a ON a.id = b.artifact_id JOIN Type t ON t.id = a.type_id "
        "WHERE t.name = 'ExampleAnomalies' AND b.name = 'blessed'"
    ).fetchall()
    assert anomalies
    for struct, n in anomalies:
        assert struct == mlmd_struct_bool("blessed", n == 0)
        base64.b64decode(struct.removeprefix("mlmd-struct::"), validate=True)
    # no property anywhere names the outcome in advance
    names = {r[0] for r in db.execute("SELECT DISTINCT name FROM ArtifactProperty")}
    names |= {r[0] for r in db.execute("SELECT DISTINCT name FROM ExecutionProperty")}
    assert names <= {
        "span",
        "split_names",
        "blessed",
        "num_anomalies",
        "current_model_id",
        "baseline_model_id",
        "pushed",
        "__execution_result__",
    }
    # ModelBlessing ids point at the evaluated Model
    assert (
        _one(
            db,
            "SELECT count(*) FROM ArtifactProperty p JOIN Artifact m ON m.id = p.int_value "
            "JOIN Type t ON t.id = m.type_id "
            "WHERE p.name = 'current_model_id' AND t.name != 'Model'",
        )
        == 0
    )


def test_mlmd_struct_encoding():
    # Struct{fields: {"blessed": Value{bool_value: true}}}
    raw = base64.b64decode(mlmd_struct_bool("blessed", True).removeprefix("mlmd-struct::"))
    assert raw == b"\x0a\x0d\x0a\x07blessed\x12\x02\x20\x01"


# -- publishing ------------------------------------------------------------------------------
def test_refuses_to_overwrite(tmp_path):
    out = tmp_path / "store.sqlite"
    out.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        generate(out, pipelines=2, days=3)
    assert out.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite"]


def test_atomic_publish_leaves_no_temporary_files(tmp_path):
    out = tmp_path / "store.sqlite"
    generate(out, pipelines=3, days=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite"]


def test_interrupted_run_leaves_nothing_under_the_final_name(tmp_path):
    out = tmp_path / "store.sqlite"

    def interrupt(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(out, pipelines=70, days=3, progress=interrupt, workers=2)
    assert list(tmp_path.iterdir()) == []


def test_stats_are_a_frozen_dataclass(small):
    stats = small[1]
    with pytest.raises(AttributeError):
        stats.executions = 0  # type: ignore[misc]
    assert all(isinstance(v, int) for v in asdict(stats).values())


def test_a_killed_generate_leaves_no_files(tmp_path):
    """SIGTERM (a `kill`, a job scheduler) cleans up like Ctrl-C: no half-written store,
    no temporary store or scratch parts next to --out."""
    out = tmp_path / "store.sqlite"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graphlets.cli",
            "generate",
            "--pipelines",
            "400",
            "--out",
            str(out),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not any(p.suffix == ".tmp" for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "generate never started"
        time.sleep(0.05)
    time.sleep(1.0)  # into the simulation, with workers running
    proc.terminate()
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert list(tmp_path.iterdir()) == []
