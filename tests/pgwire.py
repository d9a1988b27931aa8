"""Raw Postgres wire messages for the server tests that talk below a driver: startup,
message framing, and password logins done by hand (SCRAM-SHA-256 through scramp's client,
MD5 with hashlib), so a test can stop or go wrong at any step."""

from __future__ import annotations

import hashlib
import socket
import struct

from scramp import ScramClient

from tests.bi import PASSWORD

SASL, SASL_CONTINUE, SASL_FINAL, MD5, OK = 10, 11, 12, 5, 0  # AuthenticationRequest codes


def startup_packet(user: str = "analyst") -> bytes:
    body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0graphlets\0\0"
    return struct.pack("!I", len(body) + 4) + body


def message(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("!I", len(payload) + 4) + payload


def read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    head = _read_exactly(sock, 5)
    length = struct.unpack("!I", head[1:])[0]
    return head[:1], _read_exactly(sock, length - 4)


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def auth_request(sock: socket.socket) -> tuple[int, bytes]:
    """The next AuthenticationRequest: its code and its data."""
    kind, body = read_message(sock)
    assert kind == b"R", (kind, body)
    return struct.unpack("!I", body[:4])[0], body[4:]


def sasl_initial_response(data: bytes, mechanism: bytes = b"SCRAM-SHA-256") -> bytes:
    return message(b"p", mechanism + b"\0" + struct.pack("!i", len(data)) + data)


def connected(port: int) -> socket.socket:
    """A raw connection that has sent its startup packet."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(startup_packet())
    return sock


def scram_login(sock: socket.socket, password: str = PASSWORD) -> None:
    """SCRAM-SHA-256 from AuthenticationSASL to AuthenticationOk (as pg8000, with a user name)."""
    code, data = auth_request(sock)
    assert code == SASL and data == b"SCRAM-SHA-256\0\0", (code, data)
    client = ScramClient(["SCRAM-SHA-256"], "analyst", password)
    sock.sendall(sasl_initial_response(client.get_client_first().encode()))
    code, data = auth_request(sock)
    assert code == SASL_CONTINUE, (code, data)
    client.set_server_first(data.decode())
    sock.sendall(message(b"p", client.get_client_final().encode()))
    code, data = auth_request(sock)
    assert code == SASL_FINAL, (code, data)
    client.set_server_final(data.decode())  # checks the server's signature
    assert auth_request(sock) == (OK, b"")


def md5_login(sock: socket.socket, password: str = PASSWORD, user: str = "analyst") -> None:
    code, salt = auth_request(sock)
    assert code == MD5, code
    inner = hashlib.md5((password + user).encode()).hexdigest()
    digest = "md5" + hashlib.md5(inner.encode() + salt).hexdigest()
    sock.sendall(message(b"p", digest.encode() + b"\0"))
    assert auth_request(sock) == (OK, b"")


def logged_in_socket(port: int) -> socket.socket:
    """A raw connection through SCRAM authentication, ready for a query."""
    sock = connected(port)
    scram_login(sock)
    while read_message(sock)[0] != b"Z":
        pass
    return sock
