"""A plain `dbt run` / `dbt build` from the repository publishes the snapshot, as
`graphlets build` does; a failed one leaves the previous snapshot in place."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb

from graphlets.core.snapshot import identity, snapshot_path
from loaders.mlmd.load import load_mlmd
from tests.stores import handwritten_store

REPO = Path(__file__).resolve().parent.parent
DBT = REPO / ".venv" / "bin" / "dbt"


def _dbt(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    """The real dbt command, run from the repository root as a dbt user would."""
    work = warehouse.parent / "dbt"
    env = {**os.environ, "GRAPHLETS_WAREHOUSE": str(warehouse), "NO_COLOR": "1"}
    return subprocess.run(
        [str(DBT), *args, "--target-path", str(work / "target"), "--log-path", str(work)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _published_marts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select table_name, row_count from meta.snapshot_tables where schema_name = 'marts'"
        ).fetchall()
        return dict(rows)
    finally:
        con.close()


def _warehouse_marts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {n: con.execute(f'select count(*) from marts."{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def test_dbt_build_publishes_and_a_failed_run_leaves_the_snapshot(tmp_path: Path) -> None:
    store = tmp_path / "mlmd.sqlite"
    handwritten_store(store)
    warehouse = tmp_path / "warehouse.duckdb"
    load_mlmd(warehouse, str(store))
    target = snapshot_path(warehouse)

    done = _dbt(warehouse, "build")
    assert done.returncode == 0, done.stdout[-2000:]
    assert target.exists(), "a successful dbt build publishes the snapshot"
    published = _published_marts(target)
    assert published == _warehouse_marts(warehouse)
    assert published["fct_graphlets"] > 0
    before = identity(target)

    # A run in which a model fails: the snapshot is the one the successful run published.
    con = duckdb.connect(str(warehouse))
    con.execute("alter table raw.mlmd_execution rename to mlmd_execution_gone")
    con.close()
    failed = _dbt(warehouse, "run", "--select", "+fct_graphlets")
    assert failed.returncode != 0
    assert identity(target) == before
    assert _published_marts(target) == published

    # `dbt test` is not a build: it never publishes, even when it passes.
    con = duckdb.connect(str(warehouse))
    con.execute("alter table raw.mlmd_execution_gone rename to mlmd_execution")
    con.close()
    tested = _dbt(warehouse, "test", "--select", "fct_graphlets")
    assert tested.returncode == 0, tested.stdout[-2000:]
    assert identity(target) == before
