"""Load OpenLineage event files into ``raw.openlineage_events`` (docs/openlineage.md).

A path (an event file or a directory of them, :mod:`loaders.openlineage.read`) or the
warehouse's spool (what ``graphlets collect`` accepted, :mod:`loaders.openlineage.spool`) is
read in full; every record is an event (:func:`loaders.openlineage.events.parse_event`) or
is quarantined with the reason in ``raw._quarantine``. Events whose hash the source has
stored already, or that came earlier in the same load, are duplicates: counted, not stored
again. So a reload adds nothing, and a directory loaded again after more files appeared
adds only their events. Per load, records read = new + duplicates + quarantined, each
counted on its own and checked before the load commits; the counts go to ``raw._loads`` and
``raw._load_tables`` (accepted = new + duplicates), written last (:mod:`loaders.bookkeeping`).
The load is one transaction: a failed one leaves the warehouse as it was.

The accepted events are staged in an NDJSON file in a temporary directory and inserted with
one statement (DuckDB reads the file far faster than row-by-row inserts).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import duckdb

from graphlets.core.errors import SourceError
from graphlets.core.warehouse import connect, one_row, transaction
from loaders import bookkeeping, raw_tables
from loaders.openlineage import schema
from loaders.openlineage.events import Event, NotAnEvent, parse_event
from loaders.openlineage.read import EventFile, Record, event_files
from loaders.openlineage.spool import spool_dir
from loaders.result import LoadResult, TableCounts

Progress = Callable[[str, int, int], None]

COLLECTED_SOURCE = "openlineage"  # the default name of the source the spool is loaded as
PROGRESS_EVERY = 5000  # records between progress updates within a file


@dataclass(frozen=True)
class EventsLocation:
    """Where events are read from: a file, a directory or the spool (kind ``openlineage``)."""

    root: Path  # the file, or the directory the files' paths are given relative to
    default_name: str
    kind: str = "openlineage"

    @property
    def display(self) -> str:
        return str(self.root)

    def relative(self, path: Path) -> str:
        """How ``raw.openlineage_events.source_file`` names a file of this location."""
        return path.name if path == self.root else path.relative_to(self.root).as_posix()

    @classmethod
    def of(cls, warehouse: Path, path: Path | None) -> EventsLocation:
        """``path``, or the warehouse's spool when None."""
        if path is None:
            spool = spool_dir(warehouse)
            if not spool.is_dir():
                raise SourceError(
                    f"no collected OpenLineage events: {spool} does not exist",
                    "run graphlets collect and point the OpenLineage HTTP transport at it, "
                    "or pass PATH",
                )
            return cls(spool.resolve(), COLLECTED_SOURCE)
        root = path.expanduser().resolve()
        stem = root.name
        for suffix in (".gz", ".json", ".ndjson", ".jsonl"):
            stem = stem.removesuffix(suffix)
        return cls(root, stem or root.name)


@dataclass
class _Scan:
    """What reading the files found, counted as it went."""

    read: int = 0
    staged: int = 0
    quarantined: list[tuple[int, str, str, str]] = field(default_factory=list)


def load_openlineage(
    warehouse: Path,
    path: Path | None = None,
    source_name: str | None = None,
    *,
    progress: Progress | None = None,
    lock_timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load the events of ``path`` (None: the warehouse's spool) as one source, all or
    nothing; returns the counts (table ``openlineage_events``, mode ``append``)."""
    location = EventsLocation.of(warehouse, path)
    files = event_files(location.root)
    started = _utcnow()
    con = connect(warehouse, lock_timeout=lock_timeout, on_wait=on_wait)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="graphlets-openlineage-") as workdir,
            transaction(con),
        ):
            return _load(con, location, files, source_name, started, Path(workdir), progress)
    finally:
        con.close()


def _load(
    con: duckdb.DuckDBPyConnection,
    location: EventsLocation,
    files: list[Path],
    source_name: str | None,
    started: dt.datetime,
    workdir: Path,
    progress: Progress | None,
) -> LoadResult:
    """The load, in the caller's transaction: bookkeeping, the files, the insert, the check."""
    load_id = bookkeeping.prepare(con)
    raw_tables.create_all(con)
    source_id = bookkeeping.register_source(con, location, source_name, load_id)
    bookkeeping.reset_quarantine(con, source_id)
    staging = workdir / "staged.ndjson"
    with staging.open("w", encoding="utf-8") as out:
        scan = _scan(files, location, out, progress)
    if scan.quarantined:
        con.executemany(
            "insert into raw._quarantine values (?, ?, ?, ?, ?, ?, ?)",
            [(load_id, source_id, schema.TABLE, *row) for row in scan.quarantined],
        )
    duplicates = _insert(con, staging, scan.staged, source_id, load_id)
    counts = _check(con, scan, duplicates, source_id, load_id)
    if progress is not None:
        progress("done", 1, 1)
    result = LoadResult(load_id, source_id, location.display, started, _utcnow(), (counts,))
    bookkeeping.record(con, result)
    return result


def _scan(
    files: list[Path], location: EventsLocation, out: IO[str], progress: Progress | None
) -> _Scan:
    """Read every record of ``files``: events to the staging file ``out``, the rest to the
    quarantine list (line, reason, detail, text)."""
    scan = _Scan()
    total = sum(f.stat().st_size for f in files)
    done = 0
    for path in files:
        name = location.relative(path)
        events = EventFile(path)
        try:
            for record in events.records():
                for line, value, text in _values(record):
                    scan.read += 1
                    _take(scan, out, name, line, value, text, record)
                    if progress is not None and scan.read % PROGRESS_EVERY == 0:
                        progress(name, done + events.position, total)
        finally:
            done += path.stat().st_size
            events.close()
        if progress is not None:
            progress(name, done, total)
    return scan


def _values(record: Record) -> Iterator[tuple[int, Any, str]]:
    """(line, value, text) of each value a record holds: one, or an array's elements; a
    record that is no JSON value yields itself once, its value None."""
    if record.reason is None and isinstance(record.value, list):
        for element in record.value:
            yield record.line, element, json.dumps(element, ensure_ascii=False)
    else:
        yield record.line, record.value, record.text


def _take(
    scan: _Scan, out: IO[str], name: str, line: int, value: Any, text: str, record: Record
) -> None:
    """Stage one value as an event, or quarantine it with the reason."""
    if record.reason is not None:
        reason, detail = record.reason, record.detail
    else:
        try:
            event = parse_event(value)
        except NotAnEvent as exc:
            reason, detail = exc.reason, exc.detail
        else:
            out.write(_staged_line(scan.staged, event, name, line))
            scan.staged += 1
            return
    where = f"{name}:{line}"
    scan.quarantined.append((line, reason, f"{where}: {detail}" if detail else where, text))


def _staged_line(ordinal: int, event: Event, name: str, line: int) -> str:
    row = {
        "ordinal": ordinal,
        "event_hash": event.event_hash,
        "event_time": event.event_time.isoformat(sep=" "),
        "event_kind": event.kind,
        "event_type": event.event_type,
        "run_id": event.run_id,
        "job_namespace": event.job_namespace,
        "job_name": event.job_name,
        "dataset_namespace": event.dataset_namespace,
        "dataset_name": event.dataset_name,
        "parent_run_id": event.parent_run_id,
        "parent_job_namespace": event.parent_job_namespace,
        "parent_job_name": event.parent_job_name,
        "root_run_id": event.root_run_id,
        "root_job_namespace": event.root_job_namespace,
        "root_job_name": event.root_job_name,
        "producer": event.producer,
        "schema_url": event.schema_url,
        "event": event.canonical,
        "source_file": name,
        "source_line": line,
    }
    return json.dumps(row, ensure_ascii=False) + "\n"


def _insert(
    con: duckdb.DuckDBPyConnection, staging: Path, staged: int, source_id: str, load_id: int
) -> int:
    """Insert the staged events whose hash the source has not stored (the first of those
    repeated within the load); returns the duplicates: staged events not inserted."""
    if staged == 0:
        return 0
    columns = {"ordinal": "bigint", **dict(schema.STAGED)}
    spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
    con.execute(
        "create or replace temp table _openlineage_staged as "
        f"select * from read_json(?, format = 'newline_delimited', columns = {spec}, "
        "maximum_object_size = 1073741824)",
        [str(staging)],
    )
    con.execute(
        """create or replace temp table _openlineage_fresh as
        select *
        from _openlineage_staged as s
        where not exists (
            select 1 from raw.openlineage_events as e
            where e.source_id = ? and e.event_hash = s.event_hash
        )
        qualify row_number() over (partition by event_hash order by ordinal) = 1""",
        [source_id],
    )
    (fresh, in_stage) = one_row(
        con,
        "select (select count(*) from _openlineage_fresh), "
        "(select count(*) from _openlineage_staged)",
    )
    if in_stage != staged:
        raise RuntimeError(f"staged {staged} OpenLineage events but read back {in_stage}")
    derived = ", ".join(
        "event_time::timestamptz" if c == "event_time" else "event::json" if c == "event" else c
        for c, _ in schema.STAGED
    )
    con.execute(
        f"insert into raw.{schema.TABLE} select ?, ?, {derived} "
        "from _openlineage_fresh order by ordinal",
        [source_id, load_id],
    )
    con.execute("drop table _openlineage_fresh")
    con.execute("drop table _openlineage_staged")
    return staged - int(fresh)


def _check(
    con: duckdb.DuckDBPyConnection, scan: _Scan, duplicates: int, source_id: str, load_id: int
) -> TableCounts:
    """The load's counts, each from where it ended up; records read = new + duplicates +
    quarantined, or the load fails."""
    (new, quarantined) = one_row(
        con,
        f"select (select count(*) from raw.{schema.TABLE} where source_id = $1 "
        "and _load_id = $2), (select count(*) from raw._quarantine where source_id = $1 "
        "and load_id = $2)",
        [source_id, load_id],
    )
    if scan.read != new + duplicates + quarantined:
        raise RuntimeError(
            f"OpenLineage load {load_id}: read {scan.read} records but stored {new}, "
            f"found {duplicates} duplicates and quarantined {quarantined}"
        )
    reasons = Counter(reason for _, reason, _, _ in scan.quarantined)
    return TableCounts(
        schema.TABLE,
        rows_read=scan.read,
        rows_new=new,
        rows_updated=0,
        rows_deleted=0,
        rows_accepted=new + duplicates,
        rows_quarantined=quarantined,
        reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        mode="append",
    )


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
