"""`graphlets collect`: the HTTP endpoint for OpenLineage's HTTP transport, run as a real
subprocess and fed by the real client (HttpTransport with api_key auth). An event that got
its 2xx survives a SIGKILL right after; bad requests are refused with the right status and
store nothing; beyond loopback the collector needs a key."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openlineage.client.serde import Serde
from openlineage.client.transport.http import (
    ApiKeyTokenProvider,
    HttpCompression,
    HttpConfig,
    HttpTransport,
)

from loaders.openlineage import load_openlineage
from loaders.openlineage.collector import MAX_BODY_BYTES, _RateBound
from loaders.openlineage.spool import spool_dir
from tests.conftest import REPO, query, run_cli
from tests.openlineage_events import canonical_hash, new_run_id, run_event

KEY = "s3cret-key"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Collector:
    process: subprocess.Popen
    url: str
    warehouse: Path

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def _start(warehouse: Path, key: str | None = KEY) -> Collector:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "GRAPHLETS_COLLECT_API_KEY"}
    if key is not None:
        env["GRAPHLETS_COLLECT_API_KEY"] = key
    env["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "graphlets.cli", "--warehouse", str(warehouse), "collect",
         "--port", str(port)],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/lineage", timeout=1) as answer:
                assert json.load(answer) == {"status": "ok"}
                return Collector(process, url, warehouse)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(process.communicate()[1].decode()) from None
            time.sleep(0.05)


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    running = _start(tmp_path / "w.duckdb")
    yield running
    if running.process.poll() is None:
        running.kill()


def _transport(url: str, key: str = KEY, compression: HttpCompression | None = None):
    return HttpTransport(
        HttpConfig(
            url=url,
            auth=ApiKeyTokenProvider({"api_key": key}),
            compression=compression,
            retry={"total": 0},
        )
    )


def _post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{url}/api/v1/lineage",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        | (headers or {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def _spooled(warehouse: Path) -> bytes:
    """Everything in the spool, file after file."""
    spool = spool_dir(warehouse)
    return b"".join(p.read_bytes() for p in sorted(spool.glob("*.ndjson")))


def test_events_acknowledged_survive_a_sigkill(collector: Collector) -> None:
    run_id = new_run_id()
    first = [run_event("START", run_id, minutes=i) for i in range(12)]
    transport = _transport(collector.url)
    for event in first:
        assert transport.emit(event).status_code == 201
    collector.kill()  # right after the last 2xx: nothing may be lost

    again = _start(collector.warehouse)
    try:
        second = [run_event("COMPLETE", run_id, minutes=20 + i) for i in range(8)]
        zipped = _transport(again.url, compression=HttpCompression.GZIP)
        for event in second:
            assert zipped.emit(event).status_code == 201
    finally:
        again.kill()

    result = load_openlineage(collector.warehouse)
    assert (result.rows_read, result.tables[0].rows_new, result.rows_quarantined) == (20, 20, 0)
    stored = {
        h for (h,) in query(collector.warehouse, "select event_hash from raw.openlineage_events")
    }
    assert stored == {canonical_hash(e) for e in first + second}
    # One spool file per collector process: a torn line is never continued by the next one.
    assert len(list(spool_dir(collector.warehouse).glob("*.ndjson"))) == 2


def test_a_torn_last_line_is_quarantined_not_fatal(collector: Collector) -> None:
    events = [run_event("START", new_run_id()) for _ in range(3)]
    for event in events:
        assert _transport(collector.url).emit(event).status_code == 201
    collector.kill()
    (spooled,) = spool_dir(collector.warehouse).glob("*.ndjson")
    with spooled.open("ab") as out:  # what a crash in the middle of a write leaves
        out.write(Serde.to_json(events[0]).encode()[:40])

    result = load_openlineage(collector.warehouse)

    assert (result.rows_read, result.tables[0].rows_new, result.rows_quarantined) == (4, 3, 1)
    assert query(collector.warehouse, "select reason, source_row_id from raw._quarantine") == [
        ("not JSON", 4)
    ]


def test_a_batch_is_stored_whole_or_not_at_all(collector: Collector) -> None:
    events = [json.loads(Serde.to_json(run_event("START", new_run_id()))) for _ in range(3)]
    status, answer = _post(collector.url, json.dumps(events).encode())
    assert (status, answer) == (201, {"stored": 3})
    before = _spooled(collector.warehouse)

    bad = [*events, {"eventTime": "2026-03-01T00:00:00Z"}]
    status, answer = _post(collector.url, json.dumps(bad).encode())
    assert status == 400
    assert answer["error"] == "missing producer" and answer["index"] == 3
    assert _spooled(collector.warehouse) == before


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [
        (b"{not json", {}, 400, "not JSON"),
        (b'{"hello": "world"}', {}, 400, "missing eventTime"),
        (b"\xff\xfe", {}, 400, "not valid UTF-8"),
        (b"[]", {}, 400, "an empty array holds no event"),
        (b"x" * (MAX_BODY_BYTES + 1), {}, 413, f"request body over {MAX_BODY_BYTES} bytes"),
        (
            gzip.compress(b" " * (MAX_BODY_BYTES + 1)),
            {"Content-Encoding": "gzip"},
            413,
            f"request body over {MAX_BODY_BYTES} bytes (decompressed)",
        ),
        (b"not gzip", {"Content-Encoding": "gzip"}, 400, "not gzip"),
        (b"{}", {"Authorization": ""}, 401, "missing or wrong API key"),
        (b"{}", {"Authorization": "Bearer wrong"}, 401, "missing or wrong API key"),
        (b"{}", {"Authorization": KEY}, 401, "missing or wrong API key"),
    ],
    ids=[
        "not-json",
        "not-an-event",
        "not-utf8",
        "empty-batch",
        "too-large",
        "gzip-bomb",
        "bad-gzip",
        "no-key",
        "wrong-key",
        "key-without-bearer",
    ],
)
def test_bad_requests_are_refused_and_store_nothing(
    collector: Collector, body: bytes, headers: dict[str, str], status: int, error: str
) -> None:
    assert _transport(collector.url).emit(run_event("START", new_run_id())).status_code == 201
    before = _spooled(collector.warehouse)

    got, answer = _post(collector.url, body, headers)

    assert (got, answer["error"]) == (status, error)
    assert _spooled(collector.warehouse) == before


def test_the_client_with_a_wrong_key_is_refused(collector: Collector) -> None:
    with pytest.raises(Exception, match="401"):
        _transport(collector.url, key="wrong").emit(run_event("START", new_run_id()))
    assert _spooled(collector.warehouse) == b""


def test_beyond_loopback_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GRAPHLETS_COLLECT_API_KEY"}
    done = run_cli(
        "--warehouse", str(tmp_path / "w.duckdb"), "collect", "--host", "0.0.0.0",
        "--port", str(_free_port()), env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing to collect on 0.0.0.0 without an API key" in lines[0]
    assert not spool_dir(tmp_path / "w.duckdb").exists()


def test_the_rate_bound_refuses_a_burst_then_refills() -> None:
    now = [1000.0]
    bound = _RateBound(per_second=50.0, burst=5, clock=lambda: now[0])
    assert [bound.allow("a") for _ in range(6)] == [True] * 5 + [False]
    assert bound.allow("b")  # per client
    now[0] += 0.05  # 2.5 tokens back
    assert [bound.allow("a") for _ in range(3)] == [True, True, False]
