"""Text from data made safe to show: control characters as visible escapes.

A pipeline name, a source name or a path comes from someone else's data. Shown as is, an
ESC in it would be a terminal command and a newline a forged second line; shown through
:func:`printable`, it is ``\\x1b`` and ``\\n``, which the reader sees and no terminal obeys.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode characters that reorder or break lines.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``str(value)`` with every control character written as a visible escape."""
    return _CONTROL.sub(_visible, str(value))
