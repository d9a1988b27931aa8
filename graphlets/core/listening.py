"""What the two listening commands (``graphlets serve``, ``graphlets collect``) share.

Both refuse to listen beyond loopback without a secret (a password, an API key), and both
read that secret from a file or an environment variable, never from the command line (it
would show in the process list).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

from graphlets.core.errors import GraphletsError


def is_loopback(host: str) -> bool:
    """True when every address ``host`` names is a loopback address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def read_secret(path: Path | None, env: str, what: str) -> str | None:
    """The secret in file ``path`` (trailing newline dropped), else ``$env``, else None."""
    if path is None:
        return os.environ.get(env) or None
    try:
        secret = path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeError) as exc:
        raise GraphletsError(
            f"cannot read the {what} file {path}: {getattr(exc, 'strerror', None) or exc}",
            "check the path and its permissions",
        ) from None
    if not secret.strip():
        raise GraphletsError(f"the {what} file {path} is empty", f"write the {what} in it")
    return secret
