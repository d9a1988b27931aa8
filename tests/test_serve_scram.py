"""`graphlets serve` password authentication: SCRAM-SHA-256 by default (as Postgres 14+),
MD5 with ``--auth md5``; real clients (psycopg with ``require_auth``, psql) on 127.0.0.1,
and raw sockets for wrong, empty and malformed SASL messages."""

from __future__ import annotations

import os
import re
import socket
import ssl
import struct
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from scramp import ScramClient

from graphlets.core.snapshot import publish
from tests.bi import PASSWORD, REPO, connect, free_port, make_warehouse, running_server
from tests.pgwire import (
    MD5,
    SASL,
    SASL_CONTINUE,
    auth_request,
    connected,
    md5_login,
    message,
    read_message,
    sasl_initial_response,
    scram_login,
    startup_packet,
)
from tests.test_serve import PSQL_ARGS
from tests.test_serve_tls import self_signed

LOGIN_FAILED = 'password authentication failed for user "analyst"'


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scram") / "warehouse.duckdb"
    make_warehouse(path)
    publish(path)
    return path


@pytest.fixture(scope="module")
def scram_server(warehouse: Path):
    log = warehouse.parent / "scram-server.log"
    with running_server(warehouse, log_path=log) as (port, _):
        yield port, log


def error_fields(body: bytes) -> dict[str, str]:
    """An ErrorResponse's fields by their one-letter codes."""
    return {f[:1]: f[1:] for f in body.rstrip(b"\0").decode().split("\0") if f}


def refusal(sock: socket.socket) -> dict[str, str]:
    """The ErrorResponse the server sends, then its close of the connection."""
    kind, body = read_message(sock)
    assert kind == b"E", (kind, body)
    assert sock.recv(1) == b""  # closed
    return error_fields(body)


def server_first(port: int) -> str:
    """The server-first-message of a SCRAM exchange (its salt and iteration count)."""
    with connected(port) as sock:
        assert auth_request(sock)[0] == SASL
        client = ScramClient(["SCRAM-SHA-256"], "analyst", PASSWORD)
        sock.sendall(sasl_initial_response(client.get_client_first().encode()))
        code, data = auth_request(sock)
        assert code == SASL_CONTINUE
        return data.decode()


def test_scram_clients_connect_and_query(scram_server) -> None:
    port, _ = scram_server
    with connect(port, require_auth="scram-sha-256") as conn:
        assert conn.execute("select count(*) from marts.fct_executions").fetchone() == (200,)
    with pytest.raises(psycopg.OperationalError, match="server requested SASL authentication"):
        connect(port, require_auth="md5")
    env = {**os.environ, "PGPASSWORD": PASSWORD, "PGCONNECT_TIMEOUT": "10"}
    sql = "select count(*) from marts.dim_pipelines"
    result = subprocess.run(
        [*PSQL_ARGS, "-p", str(port), "-U", "analyst", "-d", "graphlets", "-A", "-t", "-c", sql],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "10"), result.stderr
    with connected(port) as sock:  # by hand: the server's final signature checks out too
        scram_login(sock)
    # One verifier per server start: the salt is the same for every client, 4096 iterations.
    first, second = server_first(port), server_first(port)
    assert re.fullmatch(r"r=[!-+\--~]+,s=[A-Za-z0-9+/=]+,i=4096", first), first
    assert first.split(",")[1] == second.split(",")[1]
    assert first.split(",")[0] != second.split(",")[0]  # the nonces differ


def test_wrong_empty_and_missing_passwords_are_refused(scram_server) -> None:
    port, log = scram_server
    before = log.read_text().count(LOGIN_FAILED)
    with pytest.raises(psycopg.OperationalError, match=re.escape(LOGIN_FAILED)):
        connect(port, password="wrong", require_auth="scram-sha-256")
    for password in ("wrong", ""):  # libpq sends no empty password: a raw client does
        with connected(port) as sock:
            assert auth_request(sock)[0] == SASL
            client = ScramClient(["SCRAM-SHA-256"], "analyst", password)
            sock.sendall(sasl_initial_response(client.get_client_first().encode()))
            client.set_server_first(auth_request(sock)[1].decode())
            sock.sendall(message(b"p", client.get_client_final().encode()))
            fields = refusal(sock)  # as Postgres: FATAL 28P01, then the connection closed
            assert (fields["S"], fields["C"], fields["M"]) == ("FATAL", "28P01", LOGIN_FAILED)
    # no password at all: libpq gives up before answering
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(
            host="127.0.0.1", port=port, user="analyst", dbname="graphlets", connect_timeout=10
        )
    text = log.read_text()
    assert text.count(LOGIN_FAILED) - before == 3, text  # one line each, no traceback
    assert "Traceback" not in text
    with connect(port) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_malformed_sasl_messages_are_refused(scram_server) -> None:
    port, log = scram_server
    first = ScramClient(["SCRAM-SHA-256"], "analyst", PASSWORD).get_client_first().encode()
    cases = {
        "garbage": sasl_initial_response(b"hello"),
        "no GS2 header": sasl_initial_response(b"n=,r=abc"),
        "no nonce": sasl_initial_response(b"n,,n="),
        "control characters": sasl_initial_response(first + b"\x01"),
        "not UTF-8": sasl_initial_response(b"n,,n=,r=\xff\xfe"),
        "too long": sasl_initial_response(first + b"x" * 5000),
        "wrong length": message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", 500) + first),
        "no length": message(b"p", b"SCRAM-SHA-256\0"),
        "other mechanism": sasl_initial_response(first, b"SCRAM-SHA-256-PLUS"),
        "no mechanism": message(b"p", b"SCRAM-SHA-256"),
        "channel binding demanded": sasl_initial_response(b"p=tls-unique" + first[1:]),
        "a query instead": message(b"Q", b"select 1\0"),
    }
    for name, data in cases.items():
        with connected(port) as sock:
            assert auth_request(sock)[0] == SASL
            sock.sendall(data)
            fields = refusal(sock)
            assert fields["S"] == "FATAL" and fields["C"] in ("08P01", "28000"), (name, fields)
    # a final message that is not SCRAM, after a proper first one
    with connected(port) as sock:
        assert auth_request(sock)[0] == SASL
        sock.sendall(sasl_initial_response(first))
        assert auth_request(sock)[0] == SASL_CONTINUE
        sock.sendall(message(b"p", b"c=biws,r=not-the-nonce,p=AAAA"))
        assert refusal(sock)["C"] == "08P01"
    # an authentication message past 64 kB is refused before it is read
    with connected(port) as sock:
        assert auth_request(sock)[0] == SASL
        sock.sendall(b"p" + struct.pack("!I", 10_000_000))
        assert "invalid message length" in refusal(sock)["M"]
    assert "Traceback" not in log.read_text()
    with connect(port, require_auth="scram-sha-256") as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_md5_on_request(warehouse: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(warehouse, args=("--auth", "md5"), log_path=log) as (port, _):
        with connect(port, require_auth="md5") as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="server requested a hashed password"):
            connect(port, require_auth="scram-sha-256")
        with pytest.raises(psycopg.OperationalError, match=re.escape(LOGIN_FAILED)):
            connect(port, password="wrong")
        with connected(port) as sock:
            md5_login(sock)
        with connected(port) as sock:  # a SCRAM response to an MD5 request
            assert auth_request(sock)[0] == MD5
            sock.sendall(sasl_initial_response(b"n,,n=,r=abc"))
            assert refusal(sock)["C"] == "28P01"
    assert log.read_text().count(LOGIN_FAILED) == 2
    assert "Traceback" not in log.read_text()


def tls_connected(port: int) -> ssl.SSLSocket:
    """A raw TLS connection (SSLRequest, "S", handshake) that has sent its startup packet."""
    plain = socket.create_connection(("127.0.0.1", port), timeout=10)
    plain.sendall(struct.pack("!II", 8, 80877103))
    assert plain.recv(1) == b"S"
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    sock = context.wrap_socket(plain)
    sock.sendall(startup_packet())
    return sock


def test_scram_over_tls(warehouse: Path, tmp_path: Path, scram_server) -> None:
    cert, key = self_signed(tmp_path)
    args = ("--tls-cert", str(cert), "--tls-key", str(key))
    with running_server(warehouse, args=args) as (port, _):
        with connect(port, sslmode="require", require_auth="scram-sha-256") as conn:
            assert conn.pgconn.ssl_in_use
            assert conn.execute("select count(*) from marts.fct_graphlets").fetchone() == (40,)
        # SCRAM-SHA-256-PLUS: bound to the certificate (tls-server-end-point), as Postgres
        with connect(port, sslmode="verify-full", sslrootcert=str(cert), channel_binding="require"):
            pass
        with pytest.raises(psycopg.OperationalError, match=re.escape(LOGIN_FAILED)):
            connect(port, password="wrong", sslmode="require", channel_binding="require")
        # without TLS there is nothing to bind to: only SCRAM-SHA-256 is offered
        with pytest.raises(psycopg.OperationalError, match="channel binding"):
            connect(port, sslmode="disable", channel_binding="require")
        with connect(port, sslmode="disable", require_auth="scram-sha-256") as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        with tls_connected(port) as sock:
            code, data = auth_request(sock)
            assert (code, data) == (SASL, b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0")
            # a client that could bind ("y") but picks SCRAM-SHA-256: a downgrade, refused
            first = ScramClient(["SCRAM-SHA-256"], "analyst", PASSWORD).get_client_first()
            assert first.startswith("n,,")
            sock.sendall(sasl_initial_response(("y" + first[1:]).encode()))
            assert refusal(sock)["C"] == "08P01"
        with tls_connected(port) as sock:  # binding data that is not the certificate's
            assert auth_request(sock)[0] == SASL
            client = ScramClient(
                ["SCRAM-SHA-256-PLUS"],
                "analyst",
                PASSWORD,
                channel_binding=("tls-server-end-point", b"\x00" * 32),
            )
            sock.sendall(
                sasl_initial_response(client.get_client_first().encode(), b"SCRAM-SHA-256-PLUS")
            )
            client.set_server_first(auth_request(sock)[1].decode())
            sock.sendall(message(b"p", client.get_client_final().encode()))
            assert refusal(sock)["C"] == "08P01"
        salt = server_first(port).split(",")[1]
    # another server start, another salt
    assert salt != server_first(scram_server[0]).split(",")[1]


def test_a_password_saslprep_refuses_stops_the_server(tmp_path: Path, warehouse: Path) -> None:
    env = {**os.environ, "GRAPHLETS_SERVE_PASSWORD": "bell\x07password"}
    cli = [sys.executable, "-m", "graphlets.cli", "--warehouse", str(warehouse)]
    result = subprocess.run(
        [*cli, "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be used with SCRAM-SHA-256" in lines[0], result.stderr
    assert "--auth md5" in lines[0]
