"""OpenLineage events: what makes a JSON value one, its canonical JSON and its hash.

No I/O here: the file reader (:mod:`loaders.openlineage.read`) and the collector
(:mod:`loaders.openlineage.collector`) both hand a parsed JSON value to :func:`parse_event`,
which either returns the :class:`Event` (the columns of ``raw.openlineage_events``) or
raises :class:`NotAnEvent` with a one-phrase reason, the reason a quarantined record or a
refused request is given.

The checks follow the spec (``BaseEvent``: ``eventTime``, ``producer``, ``schemaURL``; a
``RunEvent`` has ``run.runId``, a UUID, and ``job.namespace`` and ``job.name``; a
``JobEvent`` a job, a ``DatasetEvent`` a dataset). They are deliberately no stricter: facets
are kept as they are, whatever their content, for the models that read them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

# RunEvent.eventType (spec 2-0-2). DatasetEvents and JobEvents have none.
EVENT_TYPES = frozenset({"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"})

# The reasons a value is not stored (raw._quarantine.reason, the collector's 400 answers).
NOT_JSON = "not JSON"
NOT_UTF8 = "not valid UTF-8"
NOT_AN_OBJECT = "not a JSON object"
MISSING_EVENT_TIME = "missing eventTime"
BAD_EVENT_TIME = "unparseable eventTime"
MISSING_PRODUCER = "missing producer"
MISSING_SCHEMA_URL = "missing schemaURL"
NO_RUN_JOB_OR_DATASET = "neither a run, a job nor a dataset"
MISSING_RUN_ID = "missing run.runId"
BAD_RUN_ID = "runId is not a UUID"
MISSING_JOB = "missing job.namespace or job.name"
MISSING_DATASET = "missing dataset.namespace or dataset.name"
BAD_EVENT_TYPE = "unknown eventType"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


class NotAnEvent(ValueError):
    """A value that is not an OpenLineage event; ``reason`` is one of the phrases above."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Event:
    """One event as ``raw.openlineage_events`` stores it (the columns the loader derives;
    ``canonical`` is the whole event)."""

    canonical: str  # the event as canonical JSON: sorted keys, no whitespace
    event_hash: str  # sha256 of ``canonical`` (UTF-8), hex
    event_time: dt.datetime  # aware, UTC
    event_type: str | None  # EVENT_TYPES, None for DatasetEvents and JobEvents
    kind: str  # "run" | "job" | "dataset"
    run_id: str | None
    job_namespace: str | None
    job_name: str | None
    dataset_namespace: str | None
    dataset_name: str | None
    parent_run_id: str | None
    parent_job_namespace: str | None
    parent_job_name: str | None
    root_run_id: str | None
    root_job_namespace: str | None
    root_job_name: str | None
    producer: str
    schema_url: str


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def loads(text: str) -> Any:
    """Strict JSON: NaN and Infinity (Python's extension) are not JSON."""
    return json.loads(text, parse_constant=_reject_constant)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII as is: one text per JSON value, however it was
    spaced or ordered when sent. Raises :class:`NotAnEvent` for text that is not Unicode and
    numbers no double holds."""
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError:  # 1e400 parses as infinity, which JSON cannot hold
        raise NotAnEvent(NOT_JSON, "a number beyond the range of a double") from None
    except RecursionError:
        raise NotAnEvent(NOT_JSON, "nested too deeply") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotAnEvent(NOT_UTF8, "a string holds bytes that are not UTF-8") from None
    return text


def event_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_time(text: object) -> dt.datetime:
    """An ISO 8601 date-time as an aware UTC datetime; one without an offset is UTC (the
    Python client's users often send ``datetime.now().isoformat()``)."""
    if not isinstance(text, str) or not text:
        raise NotAnEvent(MISSING_EVENT_TIME)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise NotAnEvent(BAD_EVENT_TIME, repr(text[:64])) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _text(value: object) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def _get(value: object, *path: str) -> object:
    """``value[path[0]][path[1]]...``, None where a step is missing or not an object."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _uuid(value: object) -> str | None:
    """A UUID in its lowercase canonical form; other text as it is."""
    text = _text(value)
    if text is not None and _UUID.fullmatch(text):
        return text.lower()
    return text


def _job(value: object, reason: str) -> tuple[str, str]:
    namespace, name = _text(_get(value, "namespace")), _text(_get(value, "name"))
    if namespace is None or name is None:
        raise NotAnEvent(reason)
    return namespace, name


def _kind(value: dict[str, Any]) -> str:
    """RunEvent (it has a run or an eventType), JobEvent (a job) or DatasetEvent."""
    if "run" in value or "eventType" in value:
        return "run"
    if "job" in value:
        return "job"
    if "dataset" in value:
        return "dataset"
    raise NotAnEvent(NO_RUN_JOB_OR_DATASET)


def _run_fields(value: dict[str, Any]) -> tuple[str, str | None]:
    """(run id, event type) of a RunEvent, checked."""
    raw_id = _get(value, "run", "runId")
    if not isinstance(raw_id, str) or not raw_id:
        raise NotAnEvent(MISSING_RUN_ID)
    if not _UUID.fullmatch(raw_id):
        raise NotAnEvent(BAD_RUN_ID, repr(raw_id[:64]))
    event_type = value.get("eventType")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise NotAnEvent(BAD_EVENT_TYPE, repr(str(event_type)[:64]))
    return raw_id.lower(), event_type


def parse_event(value: Any) -> Event:
    """The event a parsed JSON value holds; :class:`NotAnEvent` says why it holds none."""
    if not isinstance(value, dict):
        raise NotAnEvent(NOT_AN_OBJECT, type(value).__name__)
    event_time = parse_time(value.get("eventTime"))
    producer, schema_url = _text(value.get("producer")), _text(value.get("schemaURL"))
    if producer is None:
        raise NotAnEvent(MISSING_PRODUCER)
    if schema_url is None:
        raise NotAnEvent(MISSING_SCHEMA_URL)
    kind = _kind(value)
    run_id = event_type = job_namespace = job_name = dataset_namespace = dataset_name = None
    if kind == "run":
        run_id, event_type = _run_fields(value)
    if kind in ("run", "job"):
        job_namespace, job_name = _job(value.get("job"), MISSING_JOB)
    else:
        dataset_namespace, dataset_name = _job(value.get("dataset"), MISSING_DATASET)
    parent = _get(value, "run", "facets", "parent")
    canonical = canonical_json(value)
    return Event(
        canonical=canonical,
        event_hash=event_hash(canonical),
        event_time=event_time,
        event_type=event_type,
        kind=kind,
        run_id=run_id,
        job_namespace=job_namespace,
        job_name=job_name,
        dataset_namespace=dataset_namespace,
        dataset_name=dataset_name,
        parent_run_id=_uuid(_get(parent, "run", "runId")),
        parent_job_namespace=_text(_get(parent, "job", "namespace")),
        parent_job_name=_text(_get(parent, "job", "name")),
        root_run_id=_uuid(_get(parent, "root", "run", "runId")),
        root_job_namespace=_text(_get(parent, "root", "job", "namespace")),
        root_job_name=_text(_get(parent, "root", "job", "name")),
        producer=producer,
        schema_url=schema_url,
    )
