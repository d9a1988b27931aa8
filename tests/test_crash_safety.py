"""A load is all or nothing, even when the loader is killed with SIGKILL mid-way; a build
killed with SIGKILL leaves the published snapshot as it was."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphlets.build.dbt import unfinished_build_marker
from graphlets.core.snapshot import SnapshotIdentity, identity, publish, snapshot_path
from graphlets.readers.query import run_query
from graphlets.synth.generate import generate
from graphlets.synth.timetravel import cut_store, time_range
from loaders.mlmd import load_mlmd
from tests.conftest import fingerprint
from tests.test_bad_input import big_store
from tests.test_properties import all_marts, differing_marts

pytestmark = pytest.mark.slow


def raw_state(warehouse: Path) -> dict:
    """Every raw table and the number of recorded loads (not their timestamps)."""
    fp = fingerprint(warehouse)
    state = {k: v for k, v in fp.items() if k.startswith("raw.mlmd_") or k == "raw._sources"}
    state["loads"] = fp["raw._loads"][0]
    return state


def load_in_subprocess(warehouse: Path, store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graphlets.cli",
            "--warehouse",
            str(warehouse),
            "load",
            "mlmd",
            str(store),
            "--source",
            "big",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_at_random_points_leaves_the_previous_state(tmp_path: Path) -> None:
    first, grown = tmp_path / "first.sqlite", tmp_path / "grown.sqlite"
    big_store(first, 5_000)
    big_store(grown, 60_000)
    warehouse, backup = tmp_path / "w.duckdb", tmp_path / "backup.duckdb"
    load_mlmd(warehouse, str(first), "big")
    shutil.copy(warehouse, backup)
    before = raw_state(warehouse)

    # The reference: the same load, uninterrupted (on a copy), and how long it takes.
    reference = tmp_path / "reference.duckdb"
    shutil.copy(backup, reference)
    started = time.monotonic()
    assert load_in_subprocess(reference, grown).wait(300) == 0
    duration = time.monotonic() - started
    expected = raw_state(reference)
    assert expected != before

    rng = random.Random(20261125)
    killed = 0
    for attempt in range(8):
        proc = load_in_subprocess(warehouse, grown)
        time.sleep(rng.uniform(0.05, duration * 0.9))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        if proc.returncode == 0:  # it finished first: then it finished completely
            assert raw_state(warehouse) == expected
            shutil.copy(backup, warehouse)
            continue
        killed += 1
        assert raw_state(warehouse) == before, f"kill {attempt} left a partial load"
    assert killed >= 4
    # After the kills, a plain rerun gives the result of an uninterrupted load.
    load_mlmd(warehouse, str(grown), "big")
    assert raw_state(warehouse) == expected


# -- a killed `graphlets build` ---------------------------------------------------------------
GRAPHLETS = (sys.executable, "-m", "graphlets.cli")


def graphlets(warehouse: Path, command: str, scratch: Path) -> subprocess.Popen:
    """`graphlets build` or `graphlets publish` in its own process group (killed whole),
    with dbt's target and log folders of its own (not the repo's, which others use)."""
    return subprocess.Popen(
        [*GRAPHLETS, "--warehouse", str(warehouse), command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={
            **os.environ,
            "DBT_TARGET_PATH": str(scratch / "target"),
            "DBT_LOG_PATH": str(scratch / "logs"),
            "GRAPHLETS_LOCK_TIMEOUT": "5",
        },
    )


def kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(60)


def what_a_reader_sees(warehouse: Path) -> tuple[tuple, dict]:
    """What `graphlets query` answers on the snapshot (when it was published, row counts of
    its tables), and the content of its marts (floats rounded: two builds of the same data
    may differ in the last bits of a sum)."""
    (result,) = run_query(
        snapshot_path(warehouse),
        "select s.published_at, t.schema_name, t.table_name, t.row_count "
        "from meta.snapshot as s, meta.snapshot_tables as t order by all",
    )
    return result.rows, all_marts(snapshot_path(warehouse))


def snapshot_state(warehouse: Path) -> tuple[str, SnapshotIdentity | None]:
    path = snapshot_path(warehouse)
    return hashlib.sha256(path.read_bytes()).hexdigest(), identity(path)


def publish_files(warehouse: Path) -> set[Path]:
    """Temporary files of publishes (graphlets.core.snapshot writes `.<snapshot name>.*.tmp`)."""
    target = snapshot_path(warehouse)
    return set(target.parent.glob(f".{target.name}.*"))


def test_sigkill_of_a_build_leaves_the_published_snapshot(tmp_path: Path) -> None:
    """Builds killed at random points during dbt and right when publishing starts, then
    publishes killed at random points: the snapshot stays byte for byte, readable."""
    full, first = tmp_path / "full.sqlite", tmp_path / "first.sqlite"
    generate(full, pipelines=3, days=4, seed=11)
    start, end = time_range(full)
    cut_store(full, first, (start + end) // 2)
    warehouse = tmp_path / "warehouse.duckdb"
    load_mlmd(warehouse, str(first), "gen")
    started = time.monotonic()
    proc = graphlets(warehouse, "build", tmp_path)
    assert proc.wait(600) == 0, proc.stderr.read()
    duration = time.monotonic() - started  # with dbt's full parse; later builds are faster
    before = snapshot_state(warehouse)
    before_reader = what_a_reader_sees(warehouse)
    # The store grew: a build now changes the marts.
    load_mlmd(warehouse, str(full), "gen")
    backup = tmp_path / "backup.duckdb"
    shutil.copy(snapshot_path(warehouse), backup)
    published = []  # what readers saw after a build or publish that got to the rename

    def check_after_kill(proc: subprocess.Popen, what: str) -> bool:
        """After the kill: the snapshot untouched, or (the process got as far as the
        rename) the new one whole, then put back. True if the kill left the old one."""
        nonlocal before
        if proc.returncode not in (0, -signal.SIGKILL):
            pytest.fail(f"{what} failed: {proc.stderr.read()}")
        if snapshot_state(warehouse) == before:
            assert what_a_reader_sees(warehouse) == before_reader, what
            return True
        published.append(what_a_reader_sees(warehouse))
        shutil.copy(backup, tmp_path / "restore.tmp")
        os.replace(tmp_path / "restore.tmp", snapshot_path(warehouse))
        before = snapshot_state(warehouse)  # the same bytes, a new inode
        return False

    rng = random.Random(20261125)
    kills = 0
    refused_publishes = 0
    # Builds killed at random points (Python and dbt starting, dbt running the models and
    # tests), then one right when its publish starts (its temporary file appears).
    for attempt, when in enumerate(["random"] * 3 + ["publish"]):
        abandoned = publish_files(warehouse)  # left by processes killed while publishing
        proc = graphlets(warehouse, "build", tmp_path)
        if when == "random":
            time.sleep(rng.uniform(0.5, duration * 0.6))
        else:
            deadline = time.monotonic() + 3 * duration
            while publish_files(warehouse) <= abandoned and proc.poll() is None:
                assert time.monotonic() < deadline, "the build never published"
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.05))
        kill_group(proc)
        kills += check_after_kill(proc, f"build {attempt} killed ({when})")
        if unfinished_build_marker(warehouse).exists() and not refused_publishes:
            # Killed before dbt finished: the tables may be half rebuilt, and a hand-run
            # `graphlets publish` refuses to put them in front of readers.
            refusal = graphlets(warehouse, "publish", tmp_path)
            assert refusal.wait(120) == 1, refusal.stderr.read()
            assert "did not finish" in refusal.stderr.read()
            refused_publishes += 1
            assert snapshot_state(warehouse) == before
    # `graphlets publish` (what a build does last) killed at points spread over its
    # publish: from when its temporary file appears to a little after the rename (a publish
    # of these marts, timed on a copy).
    (tmp_path / "copy").mkdir()
    shutil.copy(warehouse, tmp_path / "copy" / warehouse.name)
    seconds = publish(tmp_path / "copy" / warehouse.name).seconds
    mid_publish = 0
    for attempt, fraction in enumerate(rng.sample([0, 0.15, 0.3, 0.5, 0.7, 1.2], 6)):
        abandoned = publish_files(warehouse)
        proc = graphlets(warehouse, "publish", tmp_path)
        while publish_files(warehouse) <= abandoned and proc.poll() is None:
            time.sleep(0.001)
        time.sleep(fraction * seconds)
        kill_group(proc)
        kept = check_after_kill(proc, f"publish {attempt} killed")
        kills += kept
        mid_publish += kept and proc.returncode == -signal.SIGKILL
    assert kills >= 5 and mid_publish >= 3, (kills, mid_publish)
    assert refused_publishes == 1, "no build was killed before dbt finished"

    # Nothing is left locked or half-done: a plain build succeeds and publishes the new
    # state, the same as every build or publish that got to the rename.
    proc = graphlets(warehouse, "build", tmp_path)
    assert proc.wait(600) == 0, proc.stderr.read()
    after = what_a_reader_sees(warehouse)
    assert differing_marts(after[1], before_reader[1]), "the grown store changed no mart"
    assert snapshot_state(warehouse)[1] != before[1]
    # The same marts (doubles within 1e-9: sums of the same values in another order).
    differing = [differing_marts(seen[1], after[1]) for seen in published]
    assert not any(differing), differing
    assert not publish_files(warehouse), "temporary files of killed publishes are left"
