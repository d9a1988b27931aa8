"""An MLMD store as it was at an earlier time.

Used by the benchmark (the store one day before, to measure an incremental refresh), by the
incremental-equals-full-refresh tests, and by the pruning leakage tests (everything after a
decision time removed). MLMD rows carry creation and update times, events carry their own
time: a row created after the cut is removed; an execution that was still running at the cut
goes back to RUNNING, its last update being its registration.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from graphlets.synth.mlmd_store import EXECUTION_STATES

_RUNNING = EXECUTION_STATES["RUNNING"]

_CUT = (
    # Entities created after the cut.
    "DELETE FROM Execution WHERE create_time_since_epoch > :t",
    "DELETE FROM Artifact WHERE create_time_since_epoch > :t",
    "DELETE FROM Context WHERE create_time_since_epoch > :t",
    # Events after the cut, or of removed executions/artifacts.
    "DELETE FROM Event WHERE milliseconds_since_epoch > :t "
    "OR execution_id NOT IN (SELECT id FROM Execution) "
    "OR artifact_id NOT IN (SELECT id FROM Artifact)",
    "DELETE FROM EventPath WHERE event_id NOT IN (SELECT id FROM Event)",
    # Executions still running at the cut.
    f"UPDATE Execution SET last_known_state = {_RUNNING}, "
    "last_update_time_since_epoch = create_time_since_epoch "
    "WHERE last_update_time_since_epoch > :t",
    "UPDATE Artifact SET last_update_time_since_epoch = create_time_since_epoch "
    "WHERE last_update_time_since_epoch > :t",
    "UPDATE Context SET last_update_time_since_epoch = create_time_since_epoch "
    "WHERE last_update_time_since_epoch > :t",
    # Rows hanging off removed entities.
    "DELETE FROM ExecutionProperty WHERE execution_id NOT IN (SELECT id FROM Execution)",
    "DELETE FROM ArtifactProperty WHERE artifact_id NOT IN (SELECT id FROM Artifact)",
    "DELETE FROM ContextProperty WHERE context_id NOT IN (SELECT id FROM Context)",
    "DELETE FROM Association WHERE execution_id NOT IN (SELECT id FROM Execution) "
    "OR context_id NOT IN (SELECT id FROM Context)",
    "DELETE FROM Attribution WHERE artifact_id NOT IN (SELECT id FROM Artifact) "
    "OR context_id NOT IN (SELECT id FROM Context)",
    "DELETE FROM ParentContext WHERE context_id NOT IN (SELECT id FROM Context) "
    "OR parent_context_id NOT IN (SELECT id FROM Context)",
)


def cut_store(source: Path, target: Path, as_of_ms: int) -> None:
    """Write to ``target`` the MLMD store ``source`` as it was at ``as_of_ms``."""
    if target.exists():
        raise FileExistsError(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        for stmt in _CUT:
            db.execute(stmt, {"t": as_of_ms})
    db.close()


def time_range(store: Path) -> tuple[int, int]:
    """(first, last) execution creation time of a store, ms since the epoch."""
    with sqlite3.connect(store) as db:
        first, last = db.execute(
            "SELECT min(create_time_since_epoch), max(create_time_since_epoch) FROM Execution "
            "WHERE create_time_since_epoch > 0"
        ).fetchone()
    db.close()
    return first, last
