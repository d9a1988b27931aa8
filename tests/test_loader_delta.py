"""Delta reads (loaders/mlmd/, docs/incremental.md): a source loaded before is re-read
only where it can have changed, and the rest is verified by a fingerprint; any difference
there means a full compare of that table. The warehouse must end up exactly as if every
table had been compared in full: a store grown in stages and loaded after each stage equals
the last stage loaded once, and edits that bypass MLMD's timestamps are still found."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import duckdb
import pytest

from graphlets.synth.generate import generate
from graphlets.synth.mlmd_store import StoreWriter
from graphlets.synth.timetravel import cut_store, time_range
from loaders.mlmd import load_mlmd, quarantine
from loaders.mlmd.schema import CHILDREN, DELTA, TABLES
from tests.conftest import query, run_cli
from tests.stores import HOUR, T0, copy_to_mysql, handwritten_store, table_counts
from tests.test_incremental import withhold
from tests.test_quarantine import unconstrain

DELTA_TABLES = {*DELTA, *CHILDREN}


def raw_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every raw.mlmd_* table but the load that wrote it, sorted."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            t.name: sorted(
                con.execute(f"select * exclude (_load_id) from raw.{t.raw_name}").fetchall(),
                key=repr,
            )
            for t in TABLES
        }
    finally:
        con.close()


def by_table(result) -> dict[str, tuple]:
    return {
        t.table: (t.mode, t.rows_new, t.rows_updated, t.rows_deleted, t.rows_quarantined)
        for t in result.tables
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("delta") / "full.sqlite"
    generate(store, pipelines=6, days=10, seed=5)
    return store


@pytest.mark.parametrize("late", [False, True])
def test_staged_delta_loads_equal_one_full_load(
    generated: Path, tmp_path: Path, late: bool
) -> None:
    """Stages of a growing store (executions still running at a cut complete later); with
    ``late``, rows also arrive after rows with higher ids (so some tables fall back)."""
    first, last = time_range(generated)
    cuts = [first + (last - first) * k // 4 for k in (1, 2, 3)]
    staged, fresh = tmp_path / "staged.duckdb", tmp_path / "fresh.duckdb"
    results = []
    for cut in cuts:
        stage = tmp_path / f"stage-{cut}.sqlite"
        cut_store(generated, stage, cut)
        if late:
            withhold(stage, cut, seed=7)
        results.append(load_mlmd(staged, str(stage), "s"))
    results.append(load_mlmd(staged, str(generated), "s"))
    load_mlmd(fresh, str(generated), "s")
    assert raw_rows(staged) == raw_rows(fresh)
    assert dict((t.table, t.rows_read) for t in results[-1].tables) == table_counts(generated)
    for result in results[1:]:
        assert all(t.rows_read == t.rows_accepted for t in result.tables)
        modes = {t.table: t.mode for t in result.tables}
        assert {modes[name] for name in modes if name not in DELTA_TABLES} <= {"first", "full"}
        if not late:
            read = {t.table: t.rows_read for t in result.tables}
            assert {modes[name] for name in DELTA_TABLES if read[name]} == {"delta"}, modes
    # The delta reads wrote the growth: new rows and executions completed since a cut.
    changes = query(
        staged,
        "select table_name, sum(rows_new), sum(rows_updated) from raw._load_tables "
        "where load_id > 1 and mode = 'delta' group by all",
    )
    changed = {table: (new, updated) for table, new, updated in changes}
    assert changed, "no table was read in delta mode"
    if not late:
        assert changed["Execution"][0] > 0 and changed["Execution"][1] > 0
        assert changed["Event"][0] > 0 and changed["EventPath"][0] > 0
    # A --full reload changes nothing and compares every table.
    result = run_cli(
        "--warehouse", str(staged), "load", "mlmd", str(generated), "--source", "s", "--full"
    )
    assert result.returncode == 0, result.stderr
    assert "0 changed" in result.stderr
    modes = query(
        staged,
        "select distinct mode from raw._load_tables "
        "where load_id = (select max(load_id) from raw._loads)",
    )
    assert {mode for (mode,) in modes} <= {"first", "full"}  # first: a table still empty
    assert raw_rows(staged) == raw_rows(fresh)


@pytest.fixture()
def loaded(tmp_path: Path) -> tuple[Path, Path, dict[str, int]]:
    store, warehouse = tmp_path / "s.sqlite", tmp_path / "w.duckdb"
    ids = handwritten_store(store)
    load_mlmd(warehouse, str(store))
    return store, warehouse, ids


def edit(store: Path, *statements: str) -> None:
    with sqlite3.connect(store) as db:
        for statement in statements:
            db.execute(statement)
    db.close()


def test_a_reload_reads_in_delta_mode_and_changes_nothing(loaded) -> None:
    store, warehouse, _ = loaded
    before = raw_rows(warehouse)
    result = load_mlmd(warehouse, str(store))
    assert {t.table for t in result.tables if t.mode == "delta"} == DELTA_TABLES
    assert result.rows_changed == 0
    assert dict((t.table, t.rows_read) for t in result.tables) == table_counts(store)
    assert raw_rows(warehouse) == before


def test_an_old_event_edited_in_place_is_found(loaded) -> None:
    """No timestamp tells of the edit: the fingerprint differs and Event is compared in
    full, finding another row under the event's id."""
    store, warehouse, ids = loaded
    edit(store, f"update Event set execution_id = {ids['resolver']} where id = 1")
    result = load_mlmd(warehouse, str(store))
    tables = by_table(result)
    assert tables["Event"] == ("fallback", 0, 0, 0, 1)
    assert tables["EventPath"][0] == "delta"
    ((reason,),) = query(warehouse, "select reason from raw._quarantine")
    assert reason == quarantine.REUSED_ID


def test_the_load_command_names_the_tables_compared_in_full(loaded) -> None:
    store, warehouse, _ = loaded
    edit(store, "delete from Association where id = 1")
    result = run_cli("--warehouse", str(warehouse), "load", "mlmd", str(store))
    assert result.returncode == 0, result.stderr
    assert "compared in full because rows behind the last load changed: Association" in (
        result.stderr
    )


def test_an_old_value_edited_in_place_is_an_update(loaded) -> None:
    store, warehouse, _ = loaded
    edit(
        store,
        "update Event set milliseconds_since_epoch = milliseconds_since_epoch + 1 where id = 2",
        "update EventPath set step_key = 'exampl' where event_id = 1 and step_key = 'examples'",
    )
    result = load_mlmd(warehouse, str(store))
    tables = by_table(result)
    assert tables["Event"] == ("fallback", 0, 1, 0, 0)
    assert tables["EventPath"] == ("fallback", 0, 1, 0, 0)


def test_a_deleted_old_row_is_deleted(loaded) -> None:
    store, warehouse, _ = loaded
    edit(store, "delete from Attribution where id = 1", "delete from EventPath where event_id = 2")
    result = load_mlmd(warehouse, str(store))
    tables = by_table(result)
    assert tables["Attribution"] == ("fallback", 0, 0, 1, 0)
    assert tables["EventPath"][:4] == ("fallback", 0, 0, 2)
    counts = query(warehouse, "select count(*) from raw.mlmd_attribution")[0][0]
    assert counts == table_counts(store)["Attribution"]
    assert query(warehouse, "select count(*) from raw.mlmd_event_path where event_id = 2") == [(0,)]


def test_an_execution_updated_through_mlmd_is_an_update_in_delta_mode(loaded) -> None:
    """MLMD stamps the update: the execution and its properties are re-read, including a
    property removed from it."""
    store, warehouse, ids = loaded
    with StoreWriter(store) as w:
        w.update_execution(ids["pusher"], "COMPLETE", T0 + 9 * HOUR)
    edit(
        store,
        "update Execution set last_update_time_since_epoch = "
        f"{T0 + 10 * HOUR} where id = {ids['trainer']}",
        f"update ExecutionProperty set int_value = 2000 where execution_id = {ids['trainer']} "
        "and name = 'train_steps'",
        f"delete from ExecutionProperty where execution_id = {ids['trainer']} and name = 'cost'",
    )
    result = load_mlmd(warehouse, str(store))
    tables = by_table(result)
    assert tables["Execution"] == ("delta", 0, 2, 0, 0)
    assert tables["ExecutionProperty"] == ("delta", 0, 1, 1, 0)
    assert query(
        warehouse, "select last_known_state from raw.mlmd_execution where id = ?", [ids["pusher"]]
    ) == [(3,)]
    assert dict((t.table, t.rows_read) for t in result.tables) == table_counts(store)


def test_an_update_older_than_the_margin_is_found_by_the_fingerprint(loaded) -> None:
    """An update stamped well before the latest one loaded (a writer's clock far behind)."""
    store, warehouse, ids = loaded
    edit(
        store,
        f"update Execution set name = 'late', last_update_time_since_epoch = {T0 + 1} "
        f"where id = {ids['gen']}",
    )
    tables = by_table(load_mlmd(warehouse, str(store)))
    assert tables["Execution"] == ("fallback", 0, 1, 0, 0)


def test_a_row_stamped_far_ahead_does_not_hide_later_updates(loaded) -> None:
    store, warehouse, ids = loaded
    ahead = int(time.time() * 1000) + 365 * 24 * HOUR
    with StoreWriter(store) as w:
        w.execution("Trainer", "RUNNING", T0, ahead)
    load_mlmd(warehouse, str(store))
    with StoreWriter(store) as w:
        w.update_execution(ids["pusher"], "COMPLETE", T0 + 9 * HOUR)
    tables = by_table(load_mlmd(warehouse, str(store)))
    assert tables["Execution"] == ("delta", 0, 1, 0, 0)


def test_a_table_quarantined_last_time_is_read_in_full(tmp_path: Path) -> None:
    store, warehouse = tmp_path / "s.sqlite", tmp_path / "w.duckdb"
    handwritten_store(store)
    with sqlite3.connect(store) as db:
        unconstrain(db, "Association")
        db.execute("insert into Association select * from Association where id = 1")
    db.close()

    def modes() -> tuple[str, int, int]:
        (association,) = [t for t in load_mlmd(warehouse, str(store)).tables
                          if t.table == "Association"]  # fmt: skip
        return association.mode, association.rows_new, association.rows_quarantined

    assert modes() == ("first", table_counts(store)["Association"] - 2, 2)
    assert modes() == ("full", 0, 2)
    edit(store, "delete from Association where rowid = (select max(rowid) from Association)")
    assert modes() == ("full", 1, 0)
    assert modes() == ("delta", 0, 0)


def test_a_warehouse_from_before_delta_reads_is_migrated(loaded) -> None:
    store, warehouse, _ = loaded
    con = duckdb.connect(str(warehouse))
    con.execute("alter table raw._load_tables drop column mode")
    con.close()
    load_mlmd(warehouse, str(store))
    modes = query(warehouse, "select distinct load_id, mode from raw._load_tables order by all")
    assert modes[0] == (1, None)
    assert {mode for _, mode in modes[1:]} == {"full", "delta"}


@pytest.mark.mysql
def test_a_mysql_store_is_read_in_delta_mode_too(mariadb, tmp_path: Path) -> None:
    sqlite_path = tmp_path / "s.sqlite"
    ids = handwritten_store(sqlite_path)
    mariadb.create_database("mlmd_delta")
    with mariadb.connect("mlmd_delta") as con:
        copy_to_mysql(sqlite_path, con)
    url = mariadb.url("mlmd_delta")
    staged, fresh = tmp_path / "staged.duckdb", tmp_path / "fresh.duckdb"
    load_mlmd(staged, url, "m")
    with mariadb.connect("mlmd_delta") as con, con.cursor() as cur:
        cur.execute(
            "UPDATE Execution SET last_known_state = 3, last_update_time_since_epoch = %s "
            "WHERE id = %s",
            (T0 + 9 * HOUR, ids["pusher"]),
        )
        cur.execute(
            "INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, "
            "string_value) VALUES (%s, 'note', 1, 'late')",
            (ids["pusher"],),
        )
        cur.execute("UPDATE Event SET milliseconds_since_epoch = 1 WHERE id = 1")
    tables = by_table(load_mlmd(staged, url, "m"))
    assert tables["Execution"] == ("delta", 0, 1, 0, 0)
    assert tables["ExecutionProperty"] == ("delta", 1, 0, 0, 0)
    assert tables["Event"] == ("fallback", 0, 1, 0, 0)
    assert {mode for mode, *_ in tables.values()} == {"full", "delta", "fallback"}
    load_mlmd(fresh, url, "m")
    assert raw_rows(staged) == raw_rows(fresh)
