"""`graphlets load openlineage`: event files as openlineage-python's FileTransport writes them
(one file per event, appended NDJSON, indented debug output, gzip), loaded append-only and
idempotently into raw.openlineage_events; malformed records quarantined with the reason,
never dropped; bad paths refused in one line."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from openlineage.client.serde import Serde
from openlineage.client.transport.file import FileConfig, FileTransport

from graphlets.core.errors import SourceError
from loaders.openlineage import load_openlineage
from loaders.openlineage.spool import SpoolWriter, spool_dir
from tests.conftest import fingerprint, query, run_cli
from tests.openlineage_events import (
    PRODUCER,
    T0,
    canonical_hash,
    dataset_event,
    job_event,
    new_run_id,
    run_event,
)

SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def _emit(events: list, directory: Path, *, append: bool, debug: bool = False) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = "events.ndjson" if append else "ol"
    transport = FileTransport(
        FileConfig(log_file_path=str(directory / name), append=append, debug_mode=debug)
    )
    for event in events:
        transport.emit(event)


def _events_of_a_pipeline() -> tuple[list, dict[str, str]]:
    """A DAG run with a task run (parent and root facets), a DatasetEvent and a JobEvent."""
    ids = {"dag": new_run_id(), "task": new_run_id()}
    events = [
        run_event("START", ids["dag"], "dag", minutes=0),
        run_event("START", ids["task"], "dag.train", minutes=1, parent=(ids["dag"], "dag"),
                  root=(ids["dag"], "dag")),
        run_event("COMPLETE", ids["task"], "dag.train", minutes=5, parent=(ids["dag"], "dag"),
                  root=(ids["dag"], "dag")),
        run_event("COMPLETE", ids["dag"], "dag", minutes=6),
        dataset_event(),
        job_event(),
    ]  # fmt: skip
    return events, ids


def _counts(warehouse: Path, load_id: int) -> tuple[int, int, int, int]:
    """(read, new, accepted, quarantined) of a load in raw._load_tables."""
    (row,) = query(
        warehouse,
        "select rows_read, rows_new, rows_accepted, rows_quarantined from raw._load_tables "
        "where load_id = ? and table_name = 'openlineage_events'",
        [load_id],
    )
    return row


@pytest.mark.parametrize("append", [False, True], ids=["file-per-event", "ndjson-append"])
def test_file_transport_events_load_with_their_columns(tmp_path: Path, append: bool) -> None:
    events, ids = _events_of_a_pipeline()
    _emit(events, tmp_path / "lineage", append=append)
    warehouse = tmp_path / "w.duckdb"

    result = load_openlineage(warehouse, tmp_path / "lineage")

    (counts,) = result.tables
    assert (counts.rows_read, counts.rows_new, counts.rows_quarantined) == (6, 6, 0)
    assert result.source_id == "lineage"
    rows = query(
        warehouse,
        "select event_hash, event_kind, event_type, run_id, job_namespace, job_name, "
        "dataset_name, parent_run_id, parent_job_name, root_run_id, root_job_name, producer, "
        "schema_url, epoch(event_time) from raw.openlineage_events order by source_file, "
        "source_line",
    )
    assert {r[0] for r in rows} == {canonical_hash(e) for e in events}
    task = [r for r in rows if r[3] == ids["task"]]
    assert [(r[2], r[13]) for r in task] == [
        ("START", T0.timestamp() + 60),
        ("COMPLETE", T0.timestamp() + 300),
    ]
    assert {r[4:6] for r in task} == {("pipelines", "dag.train")}
    assert {r[7:11] for r in task} == {(ids["dag"], "dag", ids["dag"], "dag")}
    assert {r[1:3] for r in rows if r[3] is None} == {("dataset", None), ("job", None)}
    assert {r[11] for r in rows} == {PRODUCER}
    # The stored event is the canonical JSON the hash is of, as DuckDB's JSON type.
    assert query(
        warehouse,
        "select count(*), count(*) filter (where sha256(event::varchar) = event_hash), "
        "any_value(typeof(event)) from raw.openlineage_events",
    ) == [(6, 6, "JSON")]
    assert query(
        warehouse, "select kind, location from raw._sources where source_id = 'lineage'"
    ) == [("openlineage", str((tmp_path / "lineage").resolve()))]


def test_indented_and_gzipped_files_hold_the_same_events(tmp_path: Path) -> None:
    events, _ = _events_of_a_pipeline()
    _emit(events, tmp_path / "plain", append=True)
    _emit(events, tmp_path / "debug", append=False, debug=True)  # indented JSON, one per file
    zipped = tmp_path / "zipped"
    zipped.mkdir()
    with gzip.open(zipped / "events.jsonl.gz", "wb") as out:
        out.write((tmp_path / "plain" / "events.ndjson").read_bytes())
    warehouse = tmp_path / "w.duckdb"

    for name in ("plain", "debug", "zipped"):
        result = load_openlineage(warehouse, tmp_path / name)
        assert (result.rows_read, result.tables[0].rows_new, result.rows_quarantined) == (6, 6, 0)
    hashes = query(
        warehouse,
        "select source_id, list(event_hash order by event_hash) from raw.openlineage_events "
        "group by 1 order by 1",
    )
    assert [h for _, h in hashes] == [sorted(canonical_hash(e) for e in events)] * 3


def test_duplicates_collapse_also_reordered_and_respaced(tmp_path: Path) -> None:
    event = run_event("START", new_run_id())
    text = Serde.to_json(event)
    value = json.loads(text)
    respaced = json.dumps(dict(reversed(list(value.items()))), indent=None, separators=(", ", ": "))
    lineage = tmp_path / "lineage"
    lineage.mkdir()
    (lineage / "a.ndjson").write_text(f"{text}\n{text}\n\n{respaced}\n")
    warehouse = tmp_path / "w.duckdb"

    first = load_openlineage(warehouse, lineage)
    again = load_openlineage(warehouse, lineage)

    assert _counts(warehouse, first.load_id) == (3, 1, 3, 0)
    assert _counts(warehouse, again.load_id) == (3, 0, 3, 0)
    assert query(warehouse, "select source_line, _load_id from raw.openlineage_events") == [
        (1, first.load_id)
    ]


def test_out_of_order_and_repeated_events_are_all_kept(tmp_path: Path) -> None:
    run_id = new_run_id()
    events = [
        run_event("COMPLETE", run_id, minutes=10),
        run_event("START", run_id, minutes=0),
        run_event("START", run_id, minutes=1),  # a second START (a retried scheduler)
        run_event("OTHER", run_id, minutes=-1),  # OTHER may come before START
    ]
    _emit(events, tmp_path / "lineage", append=True)
    warehouse = tmp_path / "w.duckdb"

    load_openlineage(warehouse, tmp_path / "lineage")

    assert query(
        warehouse, "select event_type from raw.openlineage_events order by source_line"
    ) == [("COMPLETE",), ("START",), ("START",), ("OTHER",)]


def _line(value: dict) -> str:
    return json.dumps(value)


def test_malformed_records_are_quarantined_with_reasons_and_counted(tmp_path: Path) -> None:
    good = json.loads(Serde.to_json(run_event("START", new_run_id())))

    def without(*path: str) -> dict:
        copy = json.loads(json.dumps(good))
        target = copy
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return copy

    def with_(path: tuple[str, ...], value: object) -> dict:
        copy = json.loads(json.dumps(good))
        target = copy
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return copy

    lines = [
        _line(good),  # 1: accepted
        "this is not JSON",  # 2
        _line(without("eventTime")),  # 3
        _line(without("producer")),  # 4
        _line(without("schemaURL")),  # 5
        _line(without("run", "runId")),  # 6
        _line(without("job", "name")),  # 7
        _line(with_(("eventTime",), "yesterday")),  # 8
        _line(with_(("run", "runId"), "run-42")),  # 9
        "[1, " + _line(good) + "]",  # 10: an array: a number (quarantined) and a duplicate
        _line(with_(("eventType",), "FINISHED")),  # 11
        _line({"eventTime": good["eventTime"], "producer": "p", "schemaURL": "s"}),  # 12
        _line(good).replace('"facets": {}', '"facets": {"x": 1e400}', 1),  # 13: no double
        '{"eventTime": "2026-03-01T12:00:00Z", "producer": "p", "sche',  # 14: torn last line
    ]
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(lines))
    warehouse = tmp_path / "w.duckdb"

    result = load_openlineage(warehouse, path)

    expected = {
        2: "not JSON",
        3: "missing eventTime",
        4: "missing producer",
        5: "missing schemaURL",
        6: "missing run.runId",
        7: "missing job.namespace or job.name",
        8: "unparseable eventTime",
        9: "runId is not a UUID",
        10: "not a JSON object",
        11: "unknown eventType",
        12: "neither a run, a job nor a dataset",
        13: "not JSON",
        14: "not JSON",
    }
    quarantined = query(
        warehouse,
        "select source_row_id, reason, detail, row_json, table_name from raw._quarantine "
        "order by source_row_id",
    )
    assert {r[0]: r[1] for r in quarantined} == expected
    assert all(r[2].startswith(f"events.ndjson:{r[0]}") for r in quarantined)
    assert all(r[4] == "openlineage_events" for r in quarantined)
    assert {r[0]: r[3] for r in quarantined}[2] == "this is not JSON"
    assert {r[0]: r[3] for r in quarantined}[14] == lines[13]
    assert "1e400" in lines[12] and "beyond the range" in {r[0]: r[2] for r in quarantined}[13]
    # 15 records (the array holds two): 1 new + 1 duplicate + 13 quarantined.
    assert _counts(warehouse, result.load_id) == (15, 1, 2, 13)
    assert query(
        warehouse, "select rows_read, rows_accepted, rows_quarantined from raw._loads"
    ) == [(15, 2, 13)]
    assert dict(result.tables[0].reasons)["not JSON"] == 3


def test_a_directory_loaded_again_adds_only_the_new_files_events(tmp_path: Path) -> None:
    lineage = tmp_path / "lineage"
    first_events, _ = _events_of_a_pipeline()
    _emit(first_events, lineage / "2026-03-01", append=False)
    warehouse = tmp_path / "w.duckdb"
    first = load_openlineage(warehouse, lineage)
    before = fingerprint(warehouse)["raw.openlineage_events"]

    again = load_openlineage(warehouse, lineage)
    assert again.tables[0].rows_new == 0
    assert fingerprint(warehouse)["raw.openlineage_events"] == before

    more, _ = _events_of_a_pipeline()
    _emit(more[:4], lineage / "2026-03-02", append=True)
    third = load_openlineage(warehouse, lineage)

    assert (third.rows_read, third.tables[0].rows_new) == (10, 4)
    assert query(
        warehouse, "select _load_id, count(*) from raw.openlineage_events group by 1 order by 1"
    ) == [(first.load_id, 6), (third.load_id, 4)]
    assert query(
        warehouse,
        "select distinct source_file from raw.openlineage_events where _load_id = ?",
        [third.load_id],
    ) == [("2026-03-02/events.ndjson",)]


def test_a_failed_load_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    lineage = tmp_path / "lineage"
    events, _ = _events_of_a_pipeline()
    _emit(events[:2], lineage, append=True)
    with (lineage / "events.ndjson").open("a") as out:
        out.write("not an event\n")  # quarantined: the failed load must not clear it
    warehouse = tmp_path / "w.duckdb"
    load_openlineage(warehouse, lineage)
    before = fingerprint(warehouse)
    assert before["raw._quarantine"][0] == 1

    _emit(events[2:], lineage / "a", append=True)  # new events, read before the bad file
    (lineage / "b.json.gz").write_bytes(gzip.compress(b"{}\n" * 1000)[:-20])  # truncated
    with pytest.raises(SourceError, match="not a readable gzip file"):
        load_openlineage(warehouse, lineage)

    assert fingerprint(warehouse) == before


def test_the_spool_is_loaded_without_a_path(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    events, _ = _events_of_a_pipeline()
    writer = SpoolWriter(spool_dir(warehouse))
    for event in events:
        writer.append(Serde.to_json(event).encode() + b"\n")
    writer.close()

    done = run_cli("--warehouse", str(warehouse), "load", "openlineage")
    assert done.returncode == 0, done.stderr
    assert "6 records read = 6 new events + 0 duplicates + 0 quarantined" in done.stderr
    assert query(warehouse, "select source_id, location from raw._sources") == [
        ("openlineage", str(spool_dir(warehouse).resolve()))
    ]
    again = run_cli("--warehouse", str(warehouse), "load", "openlineage", "--collected")
    assert "6 records read = 0 new events + 6 duplicates" in again.stderr


def test_build_loads_the_spool_first(tmp_path: Path) -> None:
    """`graphlets build` loads the warehouse's spool (the step before dbt runs)."""
    from graphlets.cli import _load_collected

    warehouse = tmp_path / "w.duckdb"
    _load_collected(warehouse)  # no spool: nothing happens
    assert not warehouse.exists()
    spool_dir(warehouse).mkdir()
    _load_collected(warehouse)  # an empty spool: nothing either
    assert not warehouse.exists()
    writer = SpoolWriter(spool_dir(warehouse))
    writer.append(Serde.to_json(run_event("START", new_run_id())).encode() + b"\n")
    writer.close()
    _load_collected(warehouse)
    assert query(warehouse, "select count(*) from raw.openlineage_events") == [(1,)]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing", "does not exist"),
        (lambda d: d, "no OpenLineage event files in"),
        (lambda d: (d / "notes.txt").write_text("x") and d, "no OpenLineage event files in"),
        (lambda d: (d / "events.csv").write_text("x") and d / "events.csv", "is not an Open"),
        (
            lambda d: (d / "events.json.gz").write_bytes(b"not gzip at all") and d,
            "not a readable gzip file",
        ),
    ],
    ids=["missing", "empty-dir", "no-event-files", "not-an-event-file", "bad-gzip"],
)
def test_bad_paths_exit_2_in_one_line(tmp_path: Path, make, message: str) -> None:
    source = tmp_path / "src"
    source.mkdir()
    path = make(source)
    warehouse = tmp_path / "w.duckdb"

    done = run_cli("--warehouse", str(warehouse), "load", "openlineage", str(path))

    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not warehouse.exists() or "raw.openlineage_events" not in fingerprint(warehouse)


def test_a_known_source_from_elsewhere_needs_its_name(tmp_path: Path) -> None:
    events, _ = _events_of_a_pipeline()
    _emit(events, tmp_path / "a" / "lineage", append=True)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    warehouse = tmp_path / "w.duckdb"
    load_openlineage(warehouse, tmp_path / "a" / "lineage")

    done = run_cli("--warehouse", str(warehouse), "load", "openlineage", str(tmp_path / "b"))
    assert done.returncode == 0  # another name ("b"): another source
    moved = load_openlineage(warehouse, tmp_path / "b" / "lineage", "lineage")
    assert moved.tables[0].rows_new == 0


def test_every_quarantine_reason_is_one_the_audit_model_accepts() -> None:
    """`audit.dq_quarantine` lists raw._quarantine; its accepted_values test must know the
    OpenLineage reasons, or a build after a load with a bad record fails."""
    import yaml

    from loaders.openlineage import events
    from tests.conftest import REPO

    audit = yaml.safe_load((REPO / "models" / "audit" / "_audit__models.yml").read_text())
    (model,) = (m for m in audit["models"] if m["name"] == "dq_quarantine")
    (column,) = (c for c in model["columns"] if c["name"] == "reason")
    (accepted,) = (t["accepted_values"] for t in column["data_tests"] if "accepted_values" in t)
    reasons = {
        value for name, value in vars(events).items() if name.isupper() and isinstance(value, str)
    }
    assert len(reasons) == 13
    assert reasons <= set(accepted["arguments"]["values"])
