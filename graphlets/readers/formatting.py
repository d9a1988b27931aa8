"""How the report prints numbers: one dash for a missing value, thousands separators."""

from __future__ import annotations

import math


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def plural(n: int | None, word: str) -> str:
    return f"{num(n)} {word}" + ("" if n == 1 else "s")
