"""A store cut at time t is the store as it was at t."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from graphlets.synth.timetravel import cut_store
from tests.stores import HOUR, T0, handwritten_store


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_cut_removes_the_future_and_reopens_running_work(tmp_path: Path) -> None:
    full, cut = tmp_path / "full.sqlite", tmp_path / "cut.sqlite"
    ids = handwritten_store(full)
    cut_store(full, cut, T0 + 6 * HOUR + 30 * 60_000)  # during the Evaluator's run
    executions = dict(rows(cut, "SELECT id, last_known_state FROM Execution"))
    assert set(executions) == {ids["gen"], ids["resolver"], ids["trainer"], ids["evaluator"]}
    assert executions[ids["evaluator"]] == 2  # RUNNING at the cut
    assert executions[ids["trainer"]] == 3
    artifacts = {a for (a,) in rows(cut, "SELECT id FROM Artifact")}
    assert ids["blessing"] not in artifacts and ids["model"] in artifacts
    # The evaluator's inputs (at 6h) stay; its output (at 7h) and the pusher's events go.
    events = rows(
        cut,
        "SELECT execution_id, artifact_id FROM Event WHERE execution_id = "
        f"{ids['evaluator']} ORDER BY artifact_id",
    )
    assert events == [(ids["evaluator"], ids["old_model"]), (ids["evaluator"], ids["model"])]
    assert rows(
        cut, "SELECT count(*) FROM EventPath WHERE event_id NOT IN (SELECT id FROM Event)"
    ) == [(0,)]
    assert rows(
        cut, f"SELECT count(*) FROM ArtifactProperty WHERE artifact_id = {ids['blessing']}"
    ) == [(0,)]
    # Cutting after the last event changes nothing.
    same = tmp_path / "same.sqlite"
    cut_store(full, same, T0 + 100 * HOUR)
    for table in ("Execution", "Event", "EventPath", "Artifact", "ArtifactProperty"):
        assert rows(same, f"SELECT * FROM {table}") == rows(full, f"SELECT * FROM {table}")
