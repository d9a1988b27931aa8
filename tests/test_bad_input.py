"""Bad input: one line saying what is wrong and what to do, non-zero exit, no traceback,
and the warehouse exactly as it was before."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from graphlets.synth.mlmd_store import StoreWriter
from loaders.mlmd import load_mlmd
from tests.conftest import fingerprint, run_cli
from tests.mysql_server import _free_port
from tests.stores import EXAMPLE_GEN, T0, handwritten_store


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    """A warehouse that already holds one good load."""
    good = tmp_path / "good.sqlite"
    handwritten_store(good)
    path = tmp_path / "w.duckdb"
    load_mlmd(path, str(good))
    return path


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def load(warehouse: Path, store: str, *extra: str) -> subprocess.CompletedProcess:
    return run_cli(
        "--warehouse",
        str(warehouse),
        "load",
        "mlmd",
        store,
        *extra,
        env={**os.environ, "GRAPHLETS_LOCK_TIMEOUT": "1"},
    )


def big_store(path: Path, executions: int = 20_000) -> None:
    with StoreWriter(path) as w:
        p = w.context("pipeline", "big", T0)
        for i in range(executions):
            e = w.execution(EXAMPLE_GEN, "COMPLETE", T0 + i, T0 + i + 10, contexts=(p,))
            a = w.artifact("Examples", f"/big/{i}", T0 + i + 10, properties={"span": i})
            w.event(e, a, "OUTPUT", T0 + i + 10, "examples")


def test_missing_file(warehouse: Path, tmp_path: Path) -> None:
    before = fingerprint(warehouse)
    assert_refused(load(warehouse, str(tmp_path / "nope.sqlite")), "does not exist")
    assert fingerprint(warehouse) == before


def test_directory(warehouse: Path, tmp_path: Path) -> None:
    before = fingerprint(warehouse)
    assert_refused(load(warehouse, str(tmp_path)), "is not a file")
    assert fingerprint(warehouse) == before


def test_file_that_is_not_sqlite(warehouse: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("hello, I am a text file\n" * 10)
    before = fingerprint(warehouse)
    assert_refused(load(warehouse, str(bogus)), "not a SQLite database")
    assert fingerprint(warehouse) == before


def test_sqlite_that_is_not_mlmd(warehouse: Path, tmp_path: Path) -> None:
    other = tmp_path / "app.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("create table users (id integer primary key, name text)")
    before = fingerprint(warehouse)
    assert_refused(load(warehouse, str(other)), "not an ML Metadata store")
    assert fingerprint(warehouse) == before


@pytest.mark.parametrize("version", [9, 11])
def test_unsupported_schema_version(warehouse: Path, tmp_path: Path, version: int) -> None:
    old = tmp_path / f"v{version}.sqlite"
    handwritten_store(old)
    with sqlite3.connect(old) as db:
        db.execute("update MLMDEnv set schema_version = ?", (version,))
    before = fingerprint(warehouse)
    line = assert_refused(load(warehouse, str(old)), f"schema version {version}", "version 10")
    assert "upgrade" in line
    assert fingerprint(warehouse) == before


def test_store_missing_a_table(warehouse: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial.sqlite"
    handwritten_store(partial)
    with sqlite3.connect(partial) as db:
        db.execute("drop table EventPath")
    before = fingerprint(warehouse)
    assert_refused(load(warehouse, str(partial)), "lacks MLMD tables EventPath")
    assert fingerprint(warehouse) == before


def test_truncated_store(warehouse: Path, tmp_path: Path) -> None:
    store = tmp_path / "truncated.sqlite"
    big_store(store)
    size = store.stat().st_size
    with store.open("r+b") as fh:
        fh.truncate(size // 2)
    before = fingerprint(warehouse)
    assert_refused(load(warehouse, str(store)), "truncated")
    assert fingerprint(warehouse) == before


def test_unreachable_mysql(warehouse: Path) -> None:
    before = fingerprint(warehouse)
    url = f"mysql://mlmd:hunter2-secret@127.0.0.1:{_free_port()}/metadata"
    line = assert_refused(load(warehouse, url), "cannot open MLMD store", "127.0.0.1")
    assert "hunter2" not in line, "the password is never printed"
    assert fingerprint(warehouse) == before


def test_locked_warehouse(warehouse: Path, tmp_path: Path) -> None:
    store = tmp_path / "another.sqlite"
    handwritten_store(store)
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
        result = load(warehouse, str(store))
        assert result.returncode == 3
        line = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
        assert len(line) == 1 and f"locked by process {holder.pid}" in line[0]
        assert "GRAPHLETS_LOCK_TIMEOUT" in line[0] and "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert fingerprint(warehouse) == before


def test_same_name_from_another_place(warehouse: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    handwritten_store(elsewhere / "good.sqlite")
    before = fingerprint(warehouse)
    assert_refused(load(warehouse, str(elsewhere / "good.sqlite")), "--source")
    assert fingerprint(warehouse) == before
    ok = load(warehouse, str(elsewhere / "good.sqlite"), "--source", "second")
    assert ok.returncode == 0, ok.stderr


def test_a_good_load_through_the_cli(tmp_path: Path) -> None:
    store = tmp_path / "good.sqlite"
    handwritten_store(store)
    warehouse = tmp_path / "fresh.duckdb"
    result = run_cli(
        "load", "mlmd", str(store), env={**os.environ, "GRAPHLETS_WAREHOUSE": str(warehouse)}
    )
    assert result.returncode == 0, result.stderr
    assert "as source good" in result.stderr
    assert warehouse.exists()
