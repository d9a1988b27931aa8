"""Postgres wire encodings of result values, in text and in binary, for `graphlets serve`.

buenavista's table (``buenavista.postgres.BVTYPE_TO_PGTYPE``: type oid, text encoder, binary
encoder) has binary encoders that fail on what the marts hold: negative integers, dates
before 2000, timestamps without a time zone (what DuckDB returns), and none at all for
numerics. A client that asks for binary results (psycopg's ``binary=True``, JDBC drivers
for some types) then lost its connection. :data:`ENCODINGS` replaces those entries with
encoders that follow Postgres' own send functions (``int8send``, ``date_send``,
``timestamp_send``, ``numeric_send``, ...); :func:`install` puts them in buenavista's table.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import struct
from collections.abc import Callable
from typing import Any

from buenavista import postgres
from buenavista.core import BVType

_DATE_EPOCH = dt.date(2000, 1, 1)
_TIMESTAMP_EPOCH = dt.datetime(2000, 1, 1)
_MICROS = 1_000_000

# numeric_send's sign word
_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN = 0x0000, 0x4000, 0xC000
_NUMERIC_PINF, _NUMERIC_NINF = 0xD000, 0xF000


def int8(value: int) -> bytes:
    return struct.pack("!q", value)


def int4(value: int) -> bytes:
    return struct.pack("!i", value)


def float8(value: float) -> bytes:
    return struct.pack("!d", value)


def boolean(value: bool) -> bytes:
    return b"\x01" if value else b"\x00"


def date(value: dt.date) -> bytes:
    """Days since 2000-01-01, signed."""
    return struct.pack("!i", (value - _DATE_EPOCH).days)


def timestamp(value: dt.datetime) -> bytes:
    """Microseconds since 2000-01-01 00:00, signed; an aware value is taken in UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    delta = value - _TIMESTAMP_EPOCH
    return struct.pack("!q", (delta.days * 86_400 + delta.seconds) * _MICROS + delta.microseconds)


def time(value: dt.time) -> bytes:
    """Microseconds since midnight."""
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return struct.pack("!q", seconds * _MICROS + value.microsecond)


def text(value: Any) -> bytes:
    return str(value).encode("utf-8")


def numeric(value: decimal.Decimal | int | float) -> bytes:
    """Postgres' binary numeric: digit count, weight, sign, display scale, base-10000 digits."""
    number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
    if number.is_nan():
        return struct.pack("!hhHh", 0, 0, _NUMERIC_NAN, 0)
    if number.is_infinite():
        return struct.pack("!hhHh", 0, 0, _NUMERIC_NINF if number < 0 else _NUMERIC_PINF, 0)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    scale = max(0, -exponent)
    figures = "".join(map(str, digits)) + "0" * max(0, exponent)
    point = len(figures) + min(0, exponent)  # digits before the decimal point
    if point < 0:
        figures, point = "0" * -point + figures, 0
    whole, fraction = figures[:point], figures[point:]
    whole = whole.zfill(-(-len(whole) // 4) * 4)
    fraction = fraction.ljust(-(-len(fraction) // 4) * 4, "0")
    groups = [int(whole[i : i + 4]) for i in range(0, len(whole), 4)]
    weight = len(groups) - 1
    groups += [int(fraction[i : i + 4]) for i in range(0, len(fraction), 4)]
    while groups and groups[0] == 0:  # leading zero groups
        groups.pop(0)
        weight -= 1
    while groups and groups[-1] == 0:  # trailing zero groups
        groups.pop()
    if not groups:
        weight = 0
    word = _NUMERIC_NEG if sign and groups else _NUMERIC_POS
    return struct.pack(f"!hhHh{len(groups)}H", len(groups), weight, word, scale, *groups)


def _numeric_text(value: Any) -> str:
    return format(value, "f") if isinstance(value, decimal.Decimal) else str(value)


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


Encoding = tuple[int, Callable[[Any], str], Callable[[Any], bytes]]

# BVType -> (type oid, text encoder, binary encoder), for every type serve sends.
ENCODINGS: dict[BVType, Encoding] = {
    BVType.BIGINT: (20, str, int8),
    BVType.INTEGER: (23, str, int4),
    BVType.FLOAT: (701, _float_text, float8),
    # Postgres' text booleans are "t"/"f" (buenavista's "true"/"false"); psql's describe
    # commands compare with "t" (a NOT NULL column, an index, a role's attributes).
    BVType.BOOL: (16, lambda v: "t" if v else "f", boolean),
    BVType.DECIMAL: (1700, _numeric_text, numeric),
    BVType.TEXT: (25, str, text),
    BVType.DATE: (1082, lambda v: v.isoformat(), date),
    BVType.TIME: (1083, lambda v: v.isoformat(), time),
    BVType.TIMESTAMP: (1114, lambda v: v.isoformat(sep=" "), timestamp),
    BVType.BYTES: (17, lambda v: "\\x" + bytes(v).hex(), bytes),
}


def install() -> None:
    """Use :data:`ENCODINGS` for every result buenavista sends (idempotent)."""
    postgres.BVTYPE_TO_PGTYPE.update(ENCODINGS)
