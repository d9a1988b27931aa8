"""A load is all or nothing, even when the loader is killed with SIGKILL mid-way."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loaders.mlmd import load_mlmd
from tests.conftest import fingerprint
from tests.test_bad_input import big_store

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
            "loaders.cli",
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
