"""An incremental build equals a full refresh, table by table.

A generated store is replayed as it grew: cut at random times (``cut_store``: rows created
later are gone, executions still running at a cut are RUNNING, pushes and evaluations of a
model arrive after it), each stage loaded into the same warehouse and built incrementally.
After the last stage every table of the intermediate and marts schemas must equal the one
of a warehouse that loaded the final store once and was built from scratch.
"""

from __future__ import annotations

import math
import random
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest

from graphlets.synth.timetravel import cut_store, time_range
from tests.conftest import run_cli

# Bookkeeping of the incremental build itself, not results: allowed to differ.
IGNORED_COLUMNS = {"built_through_load_id"}
IGNORED_TABLES = {
    "intermediate.int_graphlet_refresh_set",
    "intermediate.int_graphlet_shape_refresh_set",
}


def _sort_key(value: object) -> tuple:
    if value is None:
        return (0, "")
    if isinstance(value, float):
        return (1, f"{value:.9g}")
    return (2, repr(value))


def _same(a: object, b: object) -> bool:
    """Equal, doubles up to summation order (the incremental build adds in another order)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def content(warehouse: Path) -> dict[str, list[tuple]]:
    """The rows of every result table, sorted, bookkeeping columns left out."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' "
            "and table_schema in ('intermediate', 'marts') order by all"
        ).fetchall()
        result = {}
        for schema, table in tables:
            if f"{schema}.{table}" in IGNORED_TABLES:
                continue
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in IGNORED_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            result[f"{schema}.{table}"] = sorted(rows, key=lambda r: tuple(map(_sort_key, r)))
        return result
    finally:
        con.close()


def differs(got: list[tuple], want: list[tuple]) -> bool:
    return len(got) != len(want) or any(
        not all(map(_same, g, w)) for g, w in zip(got, want, strict=True)
    )


def withhold(store: Path, as_of_ms: int, seed: int) -> None:
    """Rows of a cut store that arrive late: a pseudo-random seventh of the events and
    executions and an eleventh of the artifacts show up 0-47 hours after their own time,
    so a stage can hold an event whose artifact or execution is missing, an execution
    without its input events, or a model without its producer."""
    delay = f"((id * 104729 + {seed}) % 48) * 3600000"
    late = (
        f"DELETE FROM Event WHERE (id * 7919 + {seed}) % 7 = 0 "
        f"AND milliseconds_since_epoch + {delay} > :t",
        f"DELETE FROM Execution WHERE (id * 7919 + {seed}) % 7 = 1 "
        f"AND create_time_since_epoch + {delay} > :t",
        f"DELETE FROM Artifact WHERE (id * 7919 + {seed}) % 11 = 2 "
        f"AND create_time_since_epoch + {delay} > :t",
        "DELETE FROM EventPath WHERE event_id NOT IN (SELECT id FROM Event)",
        "DELETE FROM ExecutionProperty WHERE execution_id NOT IN (SELECT id FROM Execution)",
        "DELETE FROM Association WHERE execution_id NOT IN (SELECT id FROM Execution)",
        "DELETE FROM ArtifactProperty WHERE artifact_id NOT IN (SELECT id FROM Artifact)",
        "DELETE FROM Attribution WHERE artifact_id NOT IN (SELECT id FROM Artifact)",
    )
    with sqlite3.connect(store) as db:
        for statement in late:
            db.execute(statement, {"t": as_of_ms})
    db.close()


def build(warehouse: Path, *extra: str) -> str:
    result = run_cli("--warehouse", str(warehouse), "build", *extra)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def load(warehouse: Path, store: Path) -> None:
    result = run_cli("--warehouse", str(warehouse), "load", "mlmd", str(store), "--source", "s")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("incremental") / "full.sqlite"
    result = run_cli(
        "generate", "--pipelines", "8", "--days", "12", "--seed", "3", "--out", str(store)
    )
    assert result.returncode == 0, result.stderr
    return store


@pytest.fixture(scope="module")
def grown(generated: Path) -> Path:
    """Where every test of the module writes the store as it grew: one path, so the
    source's location is the same in each warehouse (the tests run one after another)."""
    return generated.with_name("grown.sqlite")


@pytest.fixture(scope="module")
def fresh(generated: Path, grown: Path) -> tuple[Path, dict[str, list[tuple]]]:
    """A warehouse that loaded the final store once and was built from scratch, and its
    content: what every incremental history must end in."""
    shutil.copy(generated, grown)
    warehouse = generated.with_name("fresh.duckdb")
    load(warehouse, grown)
    build(warehouse)
    return warehouse, content(warehouse)


@pytest.mark.parametrize("seed", [11, 29])
def test_incremental_builds_equal_a_full_refresh(
    generated: Path, grown: Path, fresh: tuple[Path, dict], tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    first, last = time_range(generated)
    # Two or three cuts at random times, some mid-run (RUNNING executions, pushes after
    # their model), with rows that arrive late.
    cuts = sorted(rng.randint(first + (last - first) // 5, last) for _ in range(rng.randint(2, 3)))

    incremental = tmp_path / "incremental.duckdb"
    for cut in cuts:
        grown.unlink(missing_ok=True)
        cut_store(generated, grown, cut)
        withhold(grown, cut, seed)
        load(incremental, grown)
        build(incremental)
    grown.unlink()
    shutil.copy(generated, grown)
    load(incremental, grown)
    build(incremental)

    # The last build was incremental: it re-walked some graphlets, not all, and
    # recomputed the shape keys of some graphlets, not all.
    con = duckdb.connect(str(incremental), read_only=True)
    (refreshed,) = con.execute(
        "select count(*) from intermediate.int_graphlet_refresh_set"
    ).fetchone()
    (reshaped,) = con.execute(
        "select count(*) from intermediate.int_graphlet_shape_refresh_set"
    ).fetchone()
    (anchors,) = con.execute("select count(*) from intermediate.int_graphlet_anchors").fetchone()
    con.close()
    assert 0 < refreshed < anchors
    assert 0 < reshaped < anchors

    got, want = content(incremental), fresh[1]
    assert set(got) == set(want)
    differing = sorted(table for table in want if differs(got[table], want[table]))
    assert not differing, f"incremental build differs from a full refresh in {differing}"
    assert len(want["marts.fct_graphlets"]) > 0


def test_a_table_of_an_older_version_is_rebuilt_from_scratch(
    fresh: tuple[Path, dict], tmp_path: Path
) -> None:
    """An incremental table without its bookkeeping columns (as an older graphlets built
    it) cannot be updated in place: `graphlets build` says so and rebuilds it whole."""
    warehouse = tmp_path / "old.duckdb"
    shutil.copy(fresh[0], warehouse)
    want = fresh[1]
    con = duckdb.connect(str(warehouse))
    for column in ("member_set_hash", "n_members", "built_through_load_id"):
        con.execute(f"alter table intermediate.int_graphlet_shape_keys drop column {column}")
    # a graphlet that is gone since: an old table keeps it until rebuilt
    con.execute(
        "insert into intermediate.int_graphlet_shape_keys "
        "select graphlet_id + 1000000, shape_key, n_nodes, n_edges "
        "from intermediate.int_graphlet_shape_keys limit 1"
    )
    con.close()
    result = run_cli("--warehouse", str(warehouse), "build")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "int_graphlet_shape_keys built by an older version" in " ".join(result.stderr.split())
    got = content(warehouse)
    assert not [t for t in want if differs(got[t], want[t])]
