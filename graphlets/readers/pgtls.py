"""TLS for ``graphlets serve`` (``--tls-cert``/``--tls-key``): Postgres' SSLRequest answered "S".

A Postgres client asks for TLS with an 8-byte SSLRequest before its startup packet; the
server answers ``S`` and the TLS handshake follows on the same connection (or ``N``: the
client goes on in plain text, or, with ``sslmode=require``, gives up). buenavista has no TLS:
the handler (graphlets/readers/serve.py) wraps its socket with :func:`server_context`'s
context after answering ``S``.
"""

from __future__ import annotations

import io
import ssl
from pathlib import Path

from graphlets.core.errors import GraphletsError


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A TLS server context (TLS 1.2 at least) with the PEM certificate chain and its key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    for path in (cert, key):
        if not path.is_file():
            raise GraphletsError(
                f"no TLS file at {path}", "pass --tls-cert and --tls-key as PEM files"
            )
    try:
        # a key protected by a passphrase fails here (never a prompt on the terminal)
        context.load_cert_chain(cert, key, password=lambda: b"")
    except (ssl.SSLError, OSError) as exc:
        reason = (
            "not a PEM certificate (chain) and its private key"
            if isinstance(exc, ssl.SSLError)
            else exc.strerror or str(exc)
        )
        raise GraphletsError(
            f"cannot load the TLS certificate {cert} with the key {key}: {reason}",
            "pass a PEM certificate (chain) and its unencrypted PEM private key",
        ) from None
    return context


class SocketWriter(io.RawIOBase):
    """A write-only file over a socket that sends every byte (``sendall``)."""

    def __init__(self, sock: ssl.SSLSocket) -> None:
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        view = memoryview(data)
        self._sock.sendall(view)
        return len(view)
