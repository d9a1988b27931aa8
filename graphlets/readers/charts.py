"""The report's chart primitives: matplotlib figures in the report's style, as inline SVG.

Text is drawn as paths and ids are salted per chart, so the SVG needs no font and the page
is deterministic; see :func:`svg`.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

ROLE_COLORS = {
    "ingest": "#4e79a7",
    "analyze": "#76b7b2",
    "validate": "#59a14f",
    "transform": "#edc948",
    "tune": "#b07aa1",
    "train": "#e15759",
    "evaluate": "#f28e2b",
    "infra_validate": "#ff9da7",
    "push": "#9c755f",
    "resolve": "#bab0ac",
    "other": "#8c8c8c",
}
OUTCOME_COLORS = {
    "pushed": "#59a14f",
    "not_blessed": "#f28e2b",
    "infra_rejected": "#ff9da7",
    "not_pushed": "#e15759",
    "training_failed": "#8c8c8c",
    "pending": "#bab0ac",
}


_SVG_START = re.compile(r"^.*?(?=<svg\b)", re.S)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def figure(width: float, height: float, ncols: int = 1):
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(True, color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
    return fig, list(axes)


def small_multiples(n: int, ncols: int, panel: tuple[float, float]):
    """A figure of ``n`` panels in rows of ``ncols`` sharing the x axis; unused cells hidden."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows), layout="constrained")
    FigureCanvasSVG(fig)
    grid = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
    axes = [ax for row in grid for ax in row]
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[:n]:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(True, color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
    return fig, axes[:n]


def svg(fig, salt: str) -> str:
    """The figure as an inline SVG element: no XML prolog, metadata or namespace URLs.

    Text is drawn as paths (no font to load); ``salt`` makes element ids unique to the
    chart and the output deterministic. An HTML parser puts inline ``<svg>`` in the SVG
    namespace by itself, so the ``xmlns`` declarations (URLs) are dropped.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = _SVG_START.sub("", buf.getvalue(), count=1)
    text = _SVG_METADATA.sub("", text, count=1)
    text = _SVG_XMLNS.sub("", text)
    return text.replace("<svg ", f'<svg class="chart" role="img" aria-label="{salt}" ', 1)


def thin(points: Sequence[float], limit: int = 1500) -> list[float]:
    """At most ``limit`` evenly spaced order statistics (keeps the SVG small)."""
    if len(points) <= limit:
        return list(points)
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def cdf(ax, values: Sequence[float], label: str | None = None, color: str | None = None) -> None:
    """The empirical CDF: share of items with a value at most x."""
    xs = sorted(values)
    n = len(xs)
    ys = [(i + 1) / n for i in range(n)]
    idx = thin(list(range(n)))
    ax.step(
        [xs[0]] + [xs[int(i)] for i in idx],
        [0.0] + [ys[int(i)] for i in idx],
        where="post",
        label=label,
        color=color,
        linewidth=1.6,
    )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share at most x")


def log_if_spread(ax, values: Sequence[float], axis: str = "x") -> None:
    positive = [v for v in values if v > 0]
    if positive and len(positive) == len(values) and max(positive) / min(positive) >= 50:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")


# Bins of a histogram of fractions (push rate, waste fraction): 0, 0.05, ..., 1.
FRACTION_BINS = [i / 20 for i in range(21)]


def hist(
    ax,
    values: Sequence[float],
    color: str = "#4e79a7",
    integer: bool = False,
    bins: Sequence[float] | int | None = None,
) -> None:
    """A histogram in the report's style; ``bins`` (edges or a count) fixed here if not given."""
    if bins is None:
        lo, hi = min(values), max(values)
        if integer and hi - lo <= 40:
            bins = [b - 0.5 for b in range(int(lo), int(hi) + 2)]
        else:
            bins = min(40, max(5, int(math.sqrt(len(values)))))
        if lo == hi and not integer:
            bins = [lo - 0.5, hi + 0.5]
    ax.hist(values, bins=bins, color=color, edgecolor="white", linewidth=0.5)
    ax.set_ylabel("count")
