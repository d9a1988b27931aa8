"""Fuzz the MLMD reader for a bounded time; any crash found becomes a regression test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.stores import handwritten_store

pytestmark = pytest.mark.slow


def test_mutated_stores_load_or_are_refused_cleanly(tmp_path: Path) -> None:
    seed = tmp_path / "seed.sqlite"
    handwritten_store(seed)
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz_mlmd",
            str(seed),
            str(work),
            "-max_total_time=40",
            "-timeout=20",
            "-rss_limit_mb=4096",
            "-max_len=512",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-25:])
    assert result.returncode == 0, f"the fuzzer found a crash:\n{tail}"
    assert "Done" in result.stderr, tail
