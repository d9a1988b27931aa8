"""SCRAM-SHA-256 password authentication as Postgres does it (RFC 5802 and 7677).

The server side of the exchange is scramp's; this module supplies what Postgres adds around
it: the verifier (salt, stored key, server key, 4096 iterations) derived once from the
configured password with a salt drawn at server start, the SASL message layouts
(AuthenticationSASL, SASLInitialResponse, AuthenticationSASLContinue, SASLResponse,
AuthenticationSASLFinal), and the two ways an exchange fails: a wrong password
(:class:`ScramRejected`, Postgres' SQLSTATE 28P01) and a malformed message
(:class:`ScramMalformed`, 08P01). Postgres ignores the user name inside the SCRAM messages
(the startup packet's counts), and so does this module.

Over TLS, ``SCRAM-SHA-256-PLUS`` is offered first: channel binding of type
``tls-server-end-point`` (RFC 5929, the hash of the server's certificate, as Postgres), so a
proof made through a man in the middle's TLS does not verify. A client over TLS that picks
plain ``SCRAM-SHA-256`` while saying it could bind (the "y" flag) is refused, as the RFC asks
(a downgrade). Without TLS only ``SCRAM-SHA-256`` is offered.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scramp import ScramException, ScramMechanism
from scramp.utils import ServerError

from graphlets.core.errors import GraphletsError

MECHANISM = "SCRAM-SHA-256"
PLUS = "SCRAM-SHA-256-PLUS"  # with channel binding
CHANNEL_BINDING = "tls-server-end-point"
ITERATIONS = 4096  # as Postgres' scram_iterations default
MAX_SCRAM_MESSAGE_BYTES = 1024  # a client's SCRAM message is ~100 bytes (Postgres: 1 kB)

_SASL, _SASL_CONTINUE, _SASL_FINAL = 10, 11, 12  # AuthenticationRequest codes
# What scramp raises on input it does not expect, besides its own ScramException.
_SCRAMP_ERRORS = (ScramException, ValueError, KeyError, IndexError, TypeError)


@dataclass(frozen=True)
class Verifier:
    """What the server keeps of the password: never the password itself."""

    salt: bytes = field(repr=False)
    stored_key: bytes = field(repr=False)
    server_key: bytes = field(repr=False)
    iterations: int = ITERATIONS


class ScramMalformed(Exception):
    """The client's SASL message breaks the protocol (Postgres: "malformed SCRAM message")."""


class ScramRejected(Exception):
    """The client's proof does not match: a wrong password."""


def make_verifier(password: str) -> Verifier:
    """The verifier of ``password`` with a fresh random salt (once per server start)."""
    try:
        salt, stored_key, server_key, iterations = ScramMechanism(MECHANISM).make_auth_info(
            password, iteration_count=ITERATIONS
        )
    except ScramException as exc:
        raise GraphletsError(
            f"the password cannot be used with SCRAM-SHA-256: {exc}",
            "choose a password without control or unassigned characters, or use --auth md5",
        ) from None
    return Verifier(salt, stored_key, server_key, iterations)


def usable_for_binding(certificate_pem: str) -> bool:
    """Whether channel binding can be done with this certificate (its hash algorithm known)."""
    try:
        _make_server(PLUS, _no_user, certificate_pem)
    except _SCRAMP_ERRORS:
        return False
    return True


def _make_server(mechanism: str, auth_fn: Callable[[str], Any], certificate_pem: str | None) -> Any:
    """scramp's server for one exchange, bound to the TLS certificate if one is given."""
    binding = None if certificate_pem is None else (CHANNEL_BINDING, certificate_pem)
    return ScramMechanism(mechanism).make_server(auth_fn, channel_binding=binding)


def _no_user(username: str) -> tuple[bytes, bytes, bytes, int]:
    raise ScramMalformed("no verifier")


def sasl_request(plus: bool = False) -> bytes:
    """AuthenticationSASL: the mechanisms offered, each NUL-terminated, then a NUL."""
    offered = (PLUS, MECHANISM) if plus else (MECHANISM,)
    return _auth_message(_SASL, b"".join(m.encode() + b"\0" for m in offered) + b"\0")


def sasl_continue(data: bytes) -> bytes:
    return _auth_message(_SASL_CONTINUE, data)


def sasl_final(data: bytes) -> bytes:
    return _auth_message(_SASL_FINAL, data)


def _auth_message(code: int, data: bytes) -> bytes:
    return b"R" + struct.pack("!II", 8 + len(data), code) + data


class Exchange:
    """One client's SCRAM exchange: the initial response, then the final response.

    ``certificate_pem`` is the server's TLS certificate when the connection is over TLS (and
    the certificate can be bound): then ``SCRAM-SHA-256-PLUS`` may be chosen.
    """

    def __init__(self, verifier: Verifier, certificate_pem: str | None = None) -> None:
        self._verifier = verifier
        self._certificate = certificate_pem
        self._server: Any = None

    def _auth_info(self, username: str) -> tuple[bytes, bytes, bytes, int]:
        v = self._verifier
        return v.salt, v.stored_key, v.server_key, v.iterations

    def initial(self, payload: bytes) -> bytes:
        """A SASLInitialResponse (mechanism, length, client-first): AuthenticationSASLContinue."""
        end = payload.find(b"\0")
        if end < 0:
            raise ScramMalformed("malformed SASL initial response")
        mechanism = payload[:end].decode("utf-8", "replace")
        offered = (MECHANISM,) if self._certificate is None else (PLUS, MECHANISM)
        if mechanism not in offered:
            raise ScramMalformed(
                f"client selected an invalid SASL authentication mechanism {mechanism[:64]!r}"
            )
        rest = payload[end + 1 :]
        if len(rest) < 4:
            raise ScramMalformed("malformed SASL initial response")
        (length,) = struct.unpack("!i", rest[:4])
        data = rest[4:]
        if length < 0 or length != len(data):
            raise ScramMalformed("malformed SCRAM message (length does not match)")
        client_first = _text(data)
        header, bare = _split_client_first(client_first)
        if mechanism == MECHANISM and header.startswith("p"):
            raise ScramMalformed(f"malformed SCRAM message: {MECHANISM} with channel binding")
        try:
            self._server = _make_server(mechanism, self._auth_info, self._certificate)
            # libpq sends an empty user name ("n=,"), which scramp refuses: it gets a
            # stand-in, and the exchange then signs what the client sent.
            self._server.set_client_first(header + _with_user(bare))
            self._server.client_first_bare = bare
            server_first = self._server.get_server_first()
        except _SCRAMP_ERRORS as exc:
            raise ScramMalformed(f"malformed SCRAM message: {exc}") from None
        return sasl_continue(server_first.encode())

    def final(self, payload: bytes) -> bytes:
        """A SASLResponse (client-final with the proof): AuthenticationSASLFinal."""
        if self._server is None:
            raise ScramMalformed("malformed SCRAM message (no initial response)")
        client_final = _text(payload)
        try:
            self._server.set_client_final(client_final)
        except ScramException as exc:
            if exc.server_error == ServerError.INVALID_PROOF:
                raise ScramRejected(str(exc)) from None
            raise ScramMalformed(f"malformed SCRAM message: {exc}") from None
        except _SCRAMP_ERRORS as exc:
            raise ScramMalformed(f"malformed SCRAM message: {exc}") from None
        return sasl_final(self._server.get_server_final().encode())


def _split_client_first(client_first: str) -> tuple[str, str]:
    """The GS2 header (up to its second comma, included) and the client-first-bare."""
    first = client_first.find(",")
    second = client_first.find(",", first + 1) if first >= 0 else -1
    if second < 0:
        raise ScramMalformed("malformed SCRAM message (no GS2 header)")
    return client_first[: second + 1], client_first[second + 1 :]


def _with_user(bare: str) -> str:
    return "n=*" + bare[2:] if bare.startswith("n=,") else bare


def _text(data: bytes) -> str:
    if len(data) > MAX_SCRAM_MESSAGE_BYTES:
        raise ScramMalformed(f"malformed SCRAM message (more than {MAX_SCRAM_MESSAGE_BYTES} bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScramMalformed("malformed SCRAM message (not UTF-8)") from None
    if not text.isprintable():
        raise ScramMalformed("malformed SCRAM message (control characters)")
    return text
