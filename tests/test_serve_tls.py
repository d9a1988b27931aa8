"""`graphlets serve --tls-cert/--tls-key`: TLS for Postgres clients (psycopg, psql) with a
self-signed certificate made by openssl; without TLS, sslmode=require is refused in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from graphlets.core.snapshot import publish
from tests.bi import PASSWORD, REPO, connect, free_port, make_warehouse, running_server
from tests.test_serve import PSQL_ARGS

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (as its subjectAltName, what verify-full checks) and its key."""
    cert, key = folder / "server.crt", folder / "server.key"
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tls") / "warehouse.duckdb"
    make_warehouse(path)
    publish(path)
    return path


def test_tls_for_psycopg_and_psql(warehouse: Path, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    args = ("--tls-cert", str(cert), "--tls-key", str(key))
    with running_server(warehouse, args=args) as (port, _):
        with connect(port, sslmode="require") as conn:
            assert conn.pgconn.ssl_in_use
            assert conn.execute("select count(*) from marts.fct_executions").fetchone() == (200,)
            # a cancel request (a connection of its own) reaches the statement
            threading.Timer(0.5, conn.cancel).start()
            with pytest.raises(psycopg.errors.QueryCanceled, match="user request"):
                conn.execute("select count(*) from range(1e12::bigint)")
            conn.rollback()
            with conn.cursor(binary=True) as cur:
                cur.execute("select * from marts.fct_graphlets order by graphlet_id")
                assert len(cur.fetchall()) == 40
        with connect(port, sslmode="verify-full", sslrootcert=str(cert)) as conn:
            assert conn.pgconn.ssl_in_use
            assert conn.execute("select 1").fetchone() == (1,)
        with connect(port, sslmode="disable") as conn:  # TLS is offered, not imposed
            assert not conn.pgconn.ssl_in_use
            assert conn.execute("select 1").fetchone() == (1,)
        env = {**os.environ, "PGPASSWORD": PASSWORD, "PGSSLMODE": "require"}
        shown = subprocess.run(
            [*PSQL_ARGS, "-p", str(port), "-U", "analyst", "-d", "graphlets", "-c", r"\conninfo"],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert shown.returncode == 0, shown.stderr
        assert "SSL connection (protocol: TLSv1." in shown.stdout


def test_without_tls_sslmode_require_is_refused_in_one_line(
    warehouse: Path, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    with running_server(warehouse, log_path=log) as (port, _):
        with pytest.raises(psycopg.OperationalError) as refused:
            connect(port, sslmode="require")
        assert str(refused.value).endswith("server does not support SSL, but SSL was required")
        with connect(port, sslmode="prefer") as conn:
            assert not conn.pgconn.ssl_in_use
            assert conn.execute("select 1").fetchone() == (1,)
    text = log.read_text()
    assert "asked for TLS (no --tls-cert)" in text
    assert "Traceback" not in text


def test_a_client_that_fails_the_handshake_is_one_log_line(warehouse: Path, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    (tmp_path / "other").mkdir()
    other, _ = self_signed(tmp_path / "other")
    log = tmp_path / "serve.log"
    args = ("--tls-cert", str(cert), "--tls-key", str(key))
    with running_server(warehouse, args=args, log_path=log) as (port, _):
        # verify-full against another certificate: the client aborts the handshake
        with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
            connect(port, sslmode="verify-full", sslrootcert=str(other))
        with connect(port, sslmode="require") as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    text = log.read_text()
    assert "TLS failed" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "files, message",
    [
        (("cert",), "--tls-cert and --tls-key go together"),
        (("cert", "missing"), "no TLS file at"),
        (("junk", "key"), "not a PEM certificate (chain) and its private key"),
        (("key", "cert"), "not a PEM certificate (chain) and its private key"),
    ],
)
def test_bad_tls_files_are_one_line_errors(
    warehouse: Path, tmp_path: Path, files: tuple[str, ...], message: str
) -> None:
    cert, key = self_signed(tmp_path)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    paths = {"cert": cert, "key": key, "junk": junk, "missing": tmp_path / "missing.pem"}
    flags = ("--tls-cert", "--tls-key")
    argv = [x for flag, f in zip(flags, files, strict=False) for x in (flag, str(paths[f]))]
    cli = [sys.executable, "-m", "graphlets.cli", "--warehouse", str(warehouse), "serve"]
    result = subprocess.run(
        [*cli, "--port", str(free_port()), *argv],
        cwd=REPO,
        env={**os.environ, "GRAPHLETS_SERVE_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


HANG_UP = """
import sys, psycopg
conn = psycopg.connect(sys.argv[1])
print("connected", conn.pgconn.ssl_in_use, flush=True)
conn.execute("select count(*) from range(1e12::bigint)")
"""


def busy(conn: psycopg.Connection) -> bool:
    """Whether ``select 1`` finds every query slot taken (tried until it does, 100 times)."""
    for _ in range(100):
        try:
            conn.execute("select 1")
        except psycopg.errors.QueryCanceled as exc:
            assert "busy" in str(exc)
            return True
        time.sleep(0.05)
    return False


def test_a_tls_client_hanging_up_mid_query_frees_its_slot(warehouse: Path, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    args = ("--tls-cert", str(cert), "--tls-key", str(key), "--timeout", "0")
    args += ("--max-active-queries", "1")
    with running_server(warehouse, args=args) as (port, _):
        dsn = (
            f"host=127.0.0.1 port={port} user=analyst dbname=graphlets sslmode=require "
            f"password='{PASSWORD}'"
        )
        client = subprocess.Popen(
            [sys.executable, "-c", HANG_UP, dsn], stdout=subprocess.PIPE, text=True
        )
        try:
            assert client.stdout is not None
            assert client.stdout.readline().split() == ["connected", "True"]
            with connect(port, sslmode="require", autocommit=True) as conn:
                # the one query slot is taken by the runaway query until its client is gone
                conn.execute("set statement_timeout = 200")
                assert busy(conn), "the runaway query never took the slot"
                client.kill()
                client.wait(timeout=10)
                # no server time limit: only noticing the hang-up frees the slot
                conn.execute("set statement_timeout = 20000")
                assert conn.execute("select 1").fetchone() == (1,)
        finally:
            client.kill()
            client.wait(timeout=10)
            if client.stdout is not None:
                client.stdout.close()
