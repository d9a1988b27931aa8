"""Two writers at once on one warehouse: one waits for the other, nothing is corrupted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from graphlets.build.dbt import unfinished_build_marker
from loaders.mlmd import load_mlmd
from tests.conftest import fingerprint
from tests.stores import handwritten_store
from tests.test_bad_input import big_store


def cli(*args: str, timeout: str = "60") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "graphlets.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GRAPHLETS_LOCK_TIMEOUT": timeout},
    )


def mirror(warehouse: Path) -> dict[str, tuple]:
    """Content of every raw.mlmd_* table per source, load ids aside."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' "
                "and table_name like 'mlmd_%' order by 1"
            ).fetchall()
        ]
        return {
            t: con.execute(
                f"select source_id, count(*), sum(hash(x)) from (select * exclude (_load_id) "
                f"from raw.{t}) as x group by source_id order by source_id"
            ).fetchall()
            for t in tables
        }
    finally:
        con.close()


def test_two_loaders_at_once_both_land_one_after_the_other(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    big_store(a, 30_000)
    big_store(b, 30_000)
    warehouse = tmp_path / "w.duckdb"
    procs = [cli("--warehouse", str(warehouse), "load", "mlmd", str(s)) for s in (a, b)]
    results = [(p.wait(300), p.stderr.read()) for p in procs]
    assert [rc for rc, _ in results] == [0, 0], results
    assert any("waiting up to 60s" in err for _, err in results), "one of them waited"
    # The same as loading them one after the other, uninterrupted.
    reference = tmp_path / "reference.duckdb"
    load_mlmd(reference, str(a))
    load_mlmd(reference, str(b))

    # Which loader ran first decides the load ids, nothing else.
    assert mirror(warehouse) == mirror(reference)


def test_a_build_waits_for_a_load_then_fails_clearly_after_the_timeout(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    handwritten_store(store)
    warehouse = tmp_path / "w.duckdb"
    load_mlmd(warehouse, str(store))
    before = fingerprint(warehouse)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        build = cli("--warehouse", str(warehouse), "build", timeout="1")
        rc = build.wait(120)
        err = build.stderr.read()
    finally:
        holder.kill()
        holder.wait()
    assert rc == 3 and "is locked by process" in err and "Traceback" not in err
    assert fingerprint(warehouse) == before
    # It never touched the tables: nothing marks the warehouse as half built.
    assert not unfinished_build_marker(warehouse).exists()
