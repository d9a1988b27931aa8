"""Quarantine, not silent loss: rows the warehouse cannot use are listed with the
reason, counted by every load and build, and never fail either.

A real MLMD store (tests/stores.py) gets one bad row of each kind, written with sqlite3 as
a hand-edited store or a careless client could: values of the wrong type, a table
recreated without its constraints holding a NULL and a repeated id, events pointing at
nothing, unknown and impossible times, an artifact with two COMPLETE producers, and, in
a second load, an id reused by another row. It is loaded and built through the CLI, and
checked row by row: the audit model lists exactly the injected rows with their reasons,
and for every table of every load rows read (counted here with sqlite3) = rows accepted +
rows quarantined.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import build
from graphlets.synth.mlmd_store import StoreWriter
from loaders.mlmd import TABLES, load_mlmd, quarantine
from tests.conftest import fingerprint, query, run_cli
from tests.stores import (
    EXAMPLE_GEN,
    HOUR,
    MLMD_TABLES,
    T0,
    copy_to_mysql,
    handwritten_store,
    table_counts,
)

DAY = 24 * HOUR
FUTURE = int(time.time() * 1000) + 10 * DAY  # ten days after the loads below
ID_REUSE_SHIFT = 1000  # ms added to the Pusher's creation time before the second load

MISSING_EXECUTION = "event references a missing execution"
MISSING_ARTIFACT = "event references a missing artifact"
UNKNOWN_TYPE = "execution type is not a known execution type"
UNKNOWN_TIME = "execution has an unknown start or end time"
NEGATIVE = "execution ends before it starts"
FUTURE_TIME = "timestamp far in the future"
PRODUCERS = "artifact has several COMPLETE producers"

# The dbt test counting each reason (tests/dbt/).
REASON_TESTS = {
    quarantine.MISFIT: "dq_rows_not_fitting_column_type",
    quarantine.NULL_KEY: "dq_rows_with_null_key",
    quarantine.DUPLICATE_KEY: "dq_rows_with_duplicate_key",
    quarantine.REUSED_ID: "dq_rows_with_reused_id",
    MISSING_EXECUTION: "dq_events_with_missing_rows",
    MISSING_ARTIFACT: "dq_events_with_missing_rows",
    UNKNOWN_TYPE: "dq_executions_with_unknown_type",
    UNKNOWN_TIME: "dq_executions_with_unknown_time",
    NEGATIVE: "dq_executions_ending_before_start",
    FUTURE_TIME: "dq_timestamps_in_the_future",
    PRODUCERS: "dq_artifacts_with_several_complete_producers",
}


def unconstrain(db: sqlite3.Connection, table: str) -> None:
    """Recreate `table` with its columns' declared types but no PRIMARY KEY, UNIQUE or NOT
    NULL (a store edited by hand, or written without MLMD's DDL)."""
    columns = db.execute(f"pragma table_info(`{table}`)").fetchall()
    declared = ", ".join(f"`{c[1]}` {c[2]}" for c in columns)
    db.execute(f"create table `_{table}` ({declared})")
    db.execute(f"insert into `_{table}` select * from `{table}`")
    db.execute(f"drop table `{table}`")
    db.execute(f"alter table `_{table}` rename to `{table}`")


def dirty_store(path: Path) -> dict[str, int]:
    """The handwritten store plus one bad row of each kind; returns the ids tests refer to."""
    ids = handwritten_store(path)
    with StoreWriter(path) as w:

        def run(name: str, state: str = "COMPLETE", start: int = T0, end: int = T0 + HOUR):
            ids[name] = w.execution(EXAMPLE_GEN, state, start, end, name=name)
            return ids[name]

        run("x_text")  # its creation time becomes text
        run("x_zero", start=0)  # MLMD's "unknown"
        run("x_negative", "FAILED", T0 + 2 * HOUR, T0 + HOUR)
        run("x_future", end=FUTURE)
        run("x_no_type")  # its type_id will point at no type
        run("x_artifact_type")  # ... and this one's at an artifact type
        ids["x_priced"] = w.execution(
            EXAMPLE_GEN, "COMPLETE", T0, T0 + HOUR, custom_properties={"score": 0.5}
        )
        ids["a_bad_uri"] = w.artifact("Examples", "/art/bad-uri", T0)
        ids["a_twice"] = w.artifact("Examples", "/art/twice", T0 + HOUR)
        for producer in (run("p1"), run("p2")):
            w.event(producer, ids["a_twice"], "OUTPUT", T0 + HOUR, "examples")
        ids["e_no_execution"] = w.event(9999, ids["examples"], "INPUT", T0, "examples")
        ids["e_no_artifact"] = w.event(ids["gen"], 8888, "OUTPUT", T0 + HOUR, "examples")
        ids["e_future"] = w.event(ids["x_future"], ids["old_model"], "INTERNAL_INPUT", FUTURE)
        ids["e_bad_type"] = w.event(ids["gen"], ids["examples"], "INTERNAL_INPUT", T0 + HOUR)
    db = sqlite3.connect(path)
    try:
        (model_type,) = db.execute("select id from Type where name = 'Model'").fetchone()
        edits = [
            ("update Execution set type_id = 7777 where id = ?", ids["x_no_type"]),
            ("update Execution set type_id = ? where id = ?", model_type, ids["x_artifact_type"]),
            ("update Execution set create_time_since_epoch = 'yesterday' where id = ?",
             ids["x_text"]),
            ("update Artifact set uri = cast(x'2f617274ff' as text) where id = ?",
             ids["a_bad_uri"]),
            ("update ExecutionProperty set double_value = 'high' where execution_id = ?",
             ids["x_priced"]),
            ("update Event set type = 1099511627776 where id = ?", ids["e_bad_type"]),
        ]  # fmt: skip
        for sql, *params in edits:
            db.execute(sql, params)
        unconstrain(db, "Execution")
        db.execute(
            "insert into Execution select id, type_id, last_known_state, 'evaluator copy', "
            "external_id, create_time_since_epoch, last_update_time_since_epoch "
            "from Execution where id = ?",
            (ids["evaluator"],),
        )
        db.execute(
            "insert into Execution values (null, 12, 3, 'no id', null, ?, ?)", (T0, T0 + HOUR)
        )
        unconstrain(db, "EventPath")
        db.execute("insert into EventPath values (null, 0, null, 'orphan step')")
        db.commit()
    finally:
        db.close()
    return ids


def reuse_pusher_id(path: Path, ids: dict[str, int]) -> None:
    """The store as re-created: the Pusher's id now holds a row created at another time."""
    with sqlite3.connect(path) as db:
        db.execute(
            "update Execution set create_time_since_epoch = create_time_since_epoch + ? "
            "where id = ?",
            (ID_REUSE_SHIFT, ids["pusher"]),
        )


def event_ids(path: Path, execution: int) -> list[int]:
    with sqlite3.connect(path) as db:
        return [
            i for (i,) in db.execute("select id from Event where execution_id = ?", [execution])
        ]


def cli(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRAPHLETS_LOCK_TIMEOUT": "5"}
    return run_cli("--warehouse", str(warehouse), *args, env=env)


def expected_loader_rows(ids: dict[str, int], second_load: bool) -> Counter:
    """(table, source_row_id, reason) of every row the loader must quarantine."""
    rows = Counter(
        {
            ("Execution", ids["x_text"], quarantine.MISFIT): 1,
            ("Artifact", ids["a_bad_uri"], quarantine.MISFIT): 1,
            ("ExecutionProperty", None, quarantine.MISFIT): 1,
            ("Event", ids["e_bad_type"], quarantine.MISFIT): 1,
            ("Execution", ids["evaluator"], quarantine.DUPLICATE_KEY): 2,
            ("Execution", None, quarantine.NULL_KEY): 1,
            ("EventPath", None, quarantine.NULL_KEY): 1,
        }
    )
    if second_load:
        rows[("Execution", ids["pusher"], quarantine.REUSED_ID)] = 1
    return rows


def per_table(rows: Counter) -> dict[str, int]:
    counts: Counter = Counter()
    for (table, _, _), n in rows.items():
        counts[table] += n
    return dict(counts)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory):
    """The dirty store loaded twice (the Pusher's id reused before the second load) and
    built, all through the CLI. Row counts of the store are taken before each load."""
    root = tmp_path_factory.mktemp("quarantine")
    store, warehouse = root / "dirty.sqlite", root / "w.duckdb"
    ids = dirty_store(store)
    counts = [table_counts(store)]
    first = cli(warehouse, "load", "mlmd", str(store))
    reuse_pusher_id(store, ids)
    counts.append(table_counts(store))
    second = cli(warehouse, "load", "mlmd", str(store))
    built = cli(warehouse, "build")
    return {
        "store": store,
        "warehouse": warehouse,
        "ids": ids,
        "counts": counts,
        "loads": [first, second],
        "build": built,
    }


def test_loads_succeed_without_a_traceback(dirty) -> None:
    for result in [*dirty["loads"], dirty["build"]]:
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Traceback" not in result.stderr + result.stdout


def test_rows_read_equal_rows_accepted_plus_quarantined_for_every_table(dirty) -> None:
    warehouse, ids = dirty["warehouse"], dirty["ids"]
    for load_id, counts in enumerate(dirty["counts"], start=1):
        quarantined = per_table(expected_loader_rows(ids, second_load=load_id == 2))
        rows = query(
            warehouse,
            "select table_name, rows_read, rows_accepted, rows_quarantined "
            "from raw._load_tables where load_id = ?",
            [load_id],
        )
        assert {t: (r, a, q) for t, r, a, q in rows} == {
            t: (counts[t], counts[t] - quarantined.get(t, 0), quarantined.get(t, 0))
            for t in MLMD_TABLES
        }
        totals = query(
            warehouse,
            "select rows_read, rows_accepted, rows_quarantined from raw._loads where load_id = ?",
            [load_id],
        )
        n_read, n_quarantined = sum(counts.values()), sum(quarantined.values())
        assert totals == [(n_read, n_read - n_quarantined, n_quarantined)]


def test_raw_tables_hold_the_accepted_rows_only(dirty) -> None:
    warehouse, ids, counts = dirty["warehouse"], dirty["ids"], dirty["counts"][1]
    quarantined = per_table(expected_loader_rows(ids, second_load=True))
    in_raw = {
        t.name: query(warehouse, f"select count(*) from raw.{t.raw_name}")[0][0] for t in TABLES
    }
    # the Pusher's row of the first load stays: its id is quarantined, not replaced
    kept = {"Execution": 1}
    assert in_raw == {t: counts[t] - quarantined.get(t, 0) + kept.get(t, 0) for t in MLMD_TABLES}
    executions = dict(
        query(warehouse, "select id, create_time_since_epoch from raw.mlmd_execution")
    )
    assert ids["x_text"] not in executions and ids["evaluator"] not in executions
    assert None not in executions
    with sqlite3.connect(dirty["store"]) as db:
        (created,) = db.execute(
            "select create_time_since_epoch from Execution where id = ?", [ids["pusher"]]
        ).fetchone()
    assert executions[ids["pusher"]] == created - ID_REUSE_SHIFT
    assert query(warehouse, "select count(*) from raw.mlmd_artifact where id = ?",
                 [ids["a_bad_uri"]]) == [(0,)]  # fmt: skip


def test_quarantine_table_lists_each_row_with_its_reason(dirty) -> None:
    warehouse, ids = dirty["warehouse"], dirty["ids"]
    rows = query(
        warehouse,
        "select load_id, table_name, source_row_id, reason, detail, row_json from raw._quarantine",
    )
    assert {r[0] for r in rows} == {2}, "the latest load's rows only"
    assert Counter((t, i, r) for _, t, i, r, _, _ in rows) == expected_loader_rows(ids, True)
    by_key = {(t, i, r): (d, json.loads(j)) for _, t, i, r, d, j in rows}
    detail, row = by_key[("Execution", ids["x_text"], quarantine.MISFIT)]
    assert detail == "create_time_since_epoch holds text, expected an integer"
    assert row["create_time_since_epoch"] == "yesterday" and row["name"] == "x_text"
    detail, row = by_key[("Artifact", ids["a_bad_uri"], quarantine.MISFIT)]
    assert detail == "uri holds invalid UTF-8 text, expected UTF-8 text"
    assert row["uri"] == "x'2F617274FF'"
    detail, row = by_key[("ExecutionProperty", None, quarantine.MISFIT)]
    assert detail == "double_value holds text, expected a number"
    assert (row["execution_id"], row["name"], row["double_value"]) == (
        ids["x_priced"],
        "score",
        "high",
    )
    detail, _ = by_key[("Event", ids["e_bad_type"], quarantine.MISFIT)]
    assert detail == "type holds an out-of-range integer, expected a 32-bit integer"
    detail, row = by_key[("Execution", ids["pusher"], quarantine.REUSED_ID)]
    created = row["create_time_since_epoch"]
    assert detail == f"create_time_since_epoch {created - ID_REUSE_SHIFT} -> {created}"
    detail, row = by_key[("EventPath", None, quarantine.NULL_KEY)]
    assert (detail, row["step_key"]) == ("event_id is NULL", "orphan step")
    copies = sorted(
        json.loads(j)["name"] or "" for (_, t, i, r, _, j) in rows if r == quarantine.DUPLICATE_KEY
    )
    assert copies == ["", "evaluator copy"], "every copy of a repeated id"


def test_audit_model_lists_exactly_the_injected_rows(dirty) -> None:
    warehouse, ids, store = dirty["warehouse"], dirty["ids"], dirty["store"]
    rows = query(
        warehouse,
        "select stage, table_name, source_row_id, reason, effect, warehouse_key "
        "from audit.dq_quarantine",
    )
    expected = Counter({("load", *k): n for k, n in expected_loader_rows(ids, True).items()})
    # the Evaluator's id is quarantined, so its events point at a missing execution
    for event in [ids["e_no_execution"], *event_ids(store, ids["evaluator"])]:
        expected[("model", "Event", event, MISSING_EXECUTION)] += 1
    for key, n in {
        ("Event", ids["e_no_artifact"], MISSING_ARTIFACT): 1,
        ("Execution", ids["x_no_type"], UNKNOWN_TYPE): 1,
        ("Execution", ids["x_artifact_type"], UNKNOWN_TYPE): 1,
        ("Execution", ids["x_zero"], UNKNOWN_TIME): 1,
        ("Execution", ids["x_negative"], NEGATIVE): 1,
        ("Execution", ids["x_future"], FUTURE_TIME): 1,
        ("Event", ids["e_future"], FUTURE_TIME): 1,
        ("Artifact", ids["a_twice"], PRODUCERS): 1,
    }.items():
        expected[("model", *key)] += n
    assert Counter(r[:4] for r in rows) == expected
    assert all(effect for *_, effect, _ in rows)
    source_key = 1
    assert all(
        key == (source_key * 10**12 + row_id if row_id is not None else None)
        for _, _, row_id, _, _, key in rows
    )


def test_audit_details_name_the_values(dirty) -> None:
    ids = dirty["ids"]
    details = dict(
        query(
            dirty["warehouse"],
            "select source_row_id, detail from audit.dq_quarantine "
            "where stage = 'model' and table_name = 'Execution'",
        )
    )
    assert details[ids["x_no_type"]] == "type 7777 does not exist"
    assert details[ids["x_artifact_type"]].endswith("(Model) is of kind artifact")
    assert details[ids["x_zero"]] == "create_time_since_epoch 0"
    assert details[ids["x_negative"]] == "ends 3600.0 s before it starts"
    (producers,) = query(
        dirty["warehouse"],
        "select detail from audit.dq_quarantine where reason = ?",
        [PRODUCERS],
    )[0]
    assert producers == f"produced by COMPLETE executions {ids['p1']}, {ids['p2']}"


def test_unknown_types_get_no_role(dirty) -> None:
    ids = dirty["ids"]
    rows = query(
        dirty["warehouse"],
        "select source_execution_id, type_name, role from intermediate.int_executions "
        "where source_execution_id in (?, ?)",
        [ids["x_no_type"], ids["x_artifact_type"]],
    )
    assert sorted(rows) == [
        (ids["x_no_type"], "(unknown type)", "other"),
        (ids["x_artifact_type"], "(unknown type)", "other"),
    ]


def test_load_output_counts_rows(dirty) -> None:
    for load, counts in zip(dirty["loads"], dirty["counts"], strict=True):
        second = load is dirty["loads"][1]
        expected = expected_loader_rows(dirty["ids"], second)
        quarantined = per_table(expected)
        n_read, n_quarantined = sum(counts.values()), sum(quarantined.values())
        assert (
            f"{n_read:,} rows read, {n_read - n_quarantined:,} accepted, "
            f"{n_quarantined:,} quarantined" in load.stderr
        )
        lines = {
            m.group(1): m.group(0)
            for m in re.finditer(r"^  (\w+): .*$", load.stderr, flags=re.MULTILINE)
        }
        assert set(lines) == set(quarantined)
        for table, n in quarantined.items():
            read = counts[table]
            assert (
                f"{table}: {read:,} read = {read - n:,} accepted + {n:,} quarantined"
                in (lines[table])
            )
        assert "duplicate key in source table: 2" in lines["Execution"]


def test_build_warns_once_per_reason_and_prints_the_summary(dirty) -> None:
    built = dirty["build"]
    output = built.stdout + built.stderr
    for test in set(REASON_TESTS.values()):
        assert f"Warning in test {test} " in output, test
    assert "ERROR=0" in output
    flagged = query(
        dirty["warehouse"], "select reason, count(*) from audit.dq_quarantine group by 1"
    )
    assert {reason for reason, _ in flagged} == set(REASON_TESTS)
    summary = built.stdout[built.stdout.index("data quality:") :]
    assert f"{sum(n for _, n in flagged):,} rows flagged in audit.dq_quarantine" in summary
    for reason, n in flagged:
        assert re.search(rf"{re.escape(reason)}\s+{n}\b", summary), reason


def test_a_clean_store_quarantines_nothing(tmp_path: Path) -> None:
    store, warehouse = tmp_path / "clean.sqlite", tmp_path / "w.duckdb"
    handwritten_store(store)
    result = cli(warehouse, "load", "mlmd", str(store))
    assert result.returncode == 0, result.stderr
    n = sum(table_counts(store).values())
    assert f"{n:,} rows read, {n:,} accepted, 0 quarantined" in result.stderr
    assert "quarantined 0" not in result.stderr and "\n  " not in result.stderr
    assert query(warehouse, "select count(*) from raw._quarantine") == [(0,)]
    assert query(
        warehouse,
        "select count(*) from raw._load_tables "
        "where rows_quarantined <> 0 or rows_accepted <> rows_read",
    ) == [(0,)]
    only_audit = ["--select", "+dq_quarantine", "--indirect-selection", "cautious"]
    build(warehouse, only_audit, target_path=tmp_path / "t", publish=False)
    assert query(warehouse, "select count(*) from audit.dq_quarantine") == [(0,)]


# -- the loader alone: each kind of misfit value ----------------------------------------------
MISFITS = [
    # (table, column, SQL value, row filter, expected detail)
    ("Execution", "last_known_state", "'done'", "id = 2", "last_known_state holds text"),
    ("Execution", "create_time_since_epoch", "2.5", "id = 2", "holds real, expected an integer"),
    ("Artifact", "uri", "x'00ff'", "id = 1", "uri holds blob, expected UTF-8 text"),
    ("Artifact", "uri", "cast(x'61ff' as text)", "id = 1", "uri holds invalid UTF-8 text"),
    ("Type", "type_kind", "4294967296", "name = 'Model'", "type_kind holds an out-of-range"),
    ("ArtifactProperty", "double_value", "'x'", "name = 'span'", "double_value holds text"),
    ("ContextProperty", "is_custom_property", "'yes'", "1", "is_custom_property holds text"),
    ("EventPath", "step_index", "'first'", "is_index_step = 1 and event_id = 1",
     "step_index holds text"),
]  # fmt: skip


def raw_rows(warehouse: Path) -> dict[str, Counter]:
    """The MLMD columns of every raw table, as multisets of rows."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for t in TABLES:
            columns = ", ".join(f'"{c}"' for c, _ in t.columns)
            out[t.name] = Counter(con.execute(f"select {columns} from raw.{t.raw_name}").fetchall())
        return out
    finally:
        con.close()


@pytest.mark.parametrize(("table", "column", "value", "where", "detail"), MISFITS)
def test_a_misfit_value_quarantines_its_row_and_nothing_else(
    tmp_path: Path, table: str, column: str, value: str, where: str, detail: str
) -> None:
    bad, without = tmp_path / "bad.sqlite", tmp_path / "without.sqlite"
    handwritten_store(bad)
    with sqlite3.connect(bad) as db:
        (n,) = db.execute(f"select count(*) from `{table}` where {where}").fetchone()
        assert n == 1
        db.execute(f"update `{table}` set `{column}` = {value} where {where}")
    shutil.copy(bad, without)
    with sqlite3.connect(without) as db:
        db.execute(f"delete from `{table}` where {where}")
    result = load_mlmd(tmp_path / "bad.duckdb", str(bad))
    load_mlmd(tmp_path / "without.duckdb", str(without))
    counts = {t.table: (t.rows_read, t.rows_accepted, t.rows_quarantined) for t in result.tables}
    read = table_counts(bad)[table]
    assert counts[table] == (read, read - 1, 1)
    assert result.rows_quarantined == 1
    assert raw_rows(tmp_path / "bad.duckdb") == raw_rows(tmp_path / "without.duckdb")
    ((reason, got),) = query(tmp_path / "bad.duckdb", "select reason, detail from raw._quarantine")
    assert reason == quarantine.MISFIT and detail in got


def test_a_row_gone_bad_keeps_its_loaded_version_until_fixed(tmp_path: Path) -> None:
    store, warehouse = tmp_path / "s.sqlite", tmp_path / "w.duckdb"
    ids = handwritten_store(store)
    load_mlmd(warehouse, str(store))

    def set_name(value: object) -> object:
        with sqlite3.connect(store) as db:
            db.execute("update Execution set name = ? where id = ?", [value, ids["trainer"]])
        result = load_mlmd(warehouse, str(store))
        (execution,) = [t for t in result.tables if t.table == "Execution"]
        (name,) = query(
            warehouse, "select name from raw.mlmd_execution where id = ?", [ids["trainer"]]
        )[0]
        return (execution.rows_updated, execution.rows_deleted, execution.rows_quarantined), name

    assert set_name(b"\xff\xfe") == ((0, 0, 1), None)  # quarantined: the old row stays
    assert query(warehouse, "select count(*) from raw._quarantine") == [(1,)]
    assert set_name("fixed") == ((1, 0, 0), "fixed")
    assert query(warehouse, "select count(*) from raw._quarantine") == [(0,)]


def test_reloading_a_dirty_store_changes_nothing(tmp_path: Path) -> None:
    store, warehouse = tmp_path / "dirty.sqlite", tmp_path / "w.duckdb"
    dirty_store(store)
    first = load_mlmd(warehouse, str(store))
    before = query(warehouse, "select * exclude (load_id) from raw._quarantine order by all")
    second = load_mlmd(warehouse, str(store))
    assert second.rows_changed == 0
    assert second.rows_quarantined == first.rows_quarantined == 8
    after = query(warehouse, "select * exclude (load_id) from raw._quarantine order by all")
    assert after == before


def test_the_accounting_is_checked_before_the_load_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loader bug that loses or invents a row aborts the load: nothing is written."""
    store, warehouse = tmp_path / "s.sqlite", tmp_path / "w.duckdb"
    handwritten_store(store)
    with sqlite3.connect(store) as db:
        unconstrain(db, "Execution")  # so that the loader checks its keys
    load_mlmd(warehouse, str(store))
    before = fingerprint(warehouse)
    real = quarantine.flag_keys

    def phantom(con, table, relation):  # a quarantined row that was never read
        n = real(con, table, relation)
        if table.name == "Execution":
            con.execute(
                "insert into raw._quarantine "
                "select max(load_id) + 1, 's', 'Execution', 1, 'bug', null, '{}' from raw._loads"
            )
        return n

    monkeypatch.setattr(quarantine, "flag_keys", phantom)
    with pytest.raises(RuntimeError, match="load accounting broken for Execution"):
        load_mlmd(warehouse, str(store))
    assert fingerprint(warehouse) == before


@pytest.mark.mysql
def test_a_mysql_table_without_its_key_quarantines_repeated_keys(mariadb, tmp_path: Path) -> None:
    """MySQL enforces column types but not a key a table was created without."""
    store, warehouse = tmp_path / "s.sqlite", tmp_path / "w.duckdb"
    ids = handwritten_store(store)
    mariadb.create_database("mlmd_quarantine")
    with mariadb.connect("mlmd_quarantine") as con:
        copy_to_mysql(store, con)
        with con.cursor() as cur:
            cur.execute("ALTER TABLE ExecutionProperty DROP PRIMARY KEY")
            cur.execute(
                "INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, "
                "double_value) VALUES (%s, 'cost', 1, 9.0)",
                (ids["trainer"],),
            )
    result = load_mlmd(warehouse, mariadb.url("mlmd_quarantine"))
    (props,) = [t for t in result.tables if t.table == "ExecutionProperty"]
    read = table_counts(store)["ExecutionProperty"] + 1
    assert (props.rows_read, props.rows_accepted, props.rows_quarantined) == (read, read - 2, 2)
    assert props.reasons == ((quarantine.DUPLICATE_KEY, 2),)
    assert result.rows_quarantined == 2
    assert query(
        warehouse,
        "select count(*) from raw.mlmd_execution_property where execution_id = ? and name = 'cost'",
        [ids["trainer"]],
    ) == [(0,)]
