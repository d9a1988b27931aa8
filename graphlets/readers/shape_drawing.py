"""Drawings of graphlet shapes: one small DAG per shape, nodes coloured by role.

A shape's nodes are placed in layers by their longest path from a source node
(:func:`layers`); a cyclic shape falls back to the members' median hop order.
"""

from __future__ import annotations

import json
from typing import Any

from graphlets.readers.charts import ROLE_COLORS, svg
from graphlets.readers.formatting import num, pct, plural

Row = dict[str, Any]


def layers(labels: list[str], edges: list[tuple[str, str]], hint: dict[str, float]) -> dict:
    """Layer of each node: its longest path from a source node (a DAG), else the hint order."""
    preds: dict[str, set[str]] = {label: set() for label in labels}
    for a, b in edges:
        if a != b and a in preds and b in preds:
            preds[b].add(a)
    layer: dict[str, int] = {}
    remaining = set(labels)
    while remaining:
        ready = [n for n in remaining if preds[n] <= layer.keys()]
        if not ready:  # a cycle: fall back to the order of the members' hops
            order = sorted({hint.get(n, 0.0) for n in labels})
            return {n: order.index(hint.get(n, 0.0)) for n in labels}
        for n in ready:
            layer[n] = 1 + max((layer[p] for p in preds[n]), default=-1)
            remaining.discard(n)
    return layer


def shape_figure(rows: list[Row], role_order: dict[str, int]) -> str:
    """The shapes of ``rows`` drawn as small DAGs, one above the other, with a legend of
    the roles they use in ``role_order`` (role -> sort key; unknown roles last)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, Patch

    tallest = max(shape_height(row) for row in rows)
    fig = Figure(figsize=(12.4, (1.25 + 0.45 * tallest) * len(rows) + 0.4), layout="constrained")
    FigureCanvasSVG(fig)
    axes = fig.subplots(len(rows), 1, squeeze=False).ravel()
    for ax, row in zip(axes, rows, strict=False):
        nodes = json.loads(row["nodes_json"]) if isinstance(row["nodes_json"], str) else []
        edges = json.loads(row["edges_json"]) if isinstance(row["edges_json"], str) else []
        labels = [n["label"] for n in nodes]
        role_of = {n["label"]: n["role"] for n in nodes}
        hint = {n["label"]: float(n["median_signed_hops"] or 0) for n in nodes}
        pairs = [(e["from_label"], e["to_label"]) for e in edges]
        layer = layers(labels, pairs, hint)
        columns: dict[int, list[str]] = {}
        for label in labels:  # labels come in role order: keeps each column stable
            columns.setdefault(layer[label], []).append(label)
        pos = {}
        for x, column in columns.items():  # each column centred on y = 0
            for i, label in enumerate(column):
                pos[label] = (x, (len(column) - 1) / 2 - i)
        boxes = {}
        for label in labels:
            short = label.split(":", 1)[-1]
            short = short if len(short) <= 16 else short[:15] + "…"
            text = ax.text(
                *pos[label],
                short,
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if role_of[label] in ("train", "ingest", "push") else "#222",
                bbox={
                    "boxstyle": "round,pad=0.35",
                    "facecolor": ROLE_COLORS.get(role_of[label], "#8c8c8c"),
                    "edgecolor": "none",
                },
                zorder=3,
            )
            boxes[label] = text
        for k, (a, b) in enumerate(pairs):
            if a == b or a not in pos or b not in pos:
                continue
            span = abs(layer[b] - layer[a])
            # edges that skip layers arc above or below the row, alternately
            bend = 0.0 if span <= 1 else (1 if k % 2 else -1) * (0.12 + 0.05 * span) / span
            arrow = FancyArrowPatch(
                pos[a],
                pos[b],
                patchA=boxes[a].get_bbox_patch(),
                patchB=boxes[b].get_bbox_patch(),
                arrowstyle="-|>",
                mutation_scale=8,
                color="#555",
                linewidth=0.8,
                connectionstyle=f"arc3,rad={bend:.3f}",
                zorder=4,
            )
            ax.add_patch(arrow)
        ax.set_xlim(-0.6, max(layer.values(), default=0) + 0.6)
        ax.set_ylim(-(tallest / 2) - 0.45, tallest / 2 + 0.45)
        ax.set_axis_off()
        ax.set_title(
            f"#{row['shape_rank']}: {pct(row['share_of_graphlets'])} of graphlets "
            f"({num(row['n_graphlets'])}), {plural(row['n_pipelines'], 'pipeline')}; "
            f"median {num(row['median_n_executions'])} executions, "
            f"{pct(row['pushed_share'])} pushed",
            fontsize=8.5,
        )
    roles = sorted(
        {n["role"] for row in rows for n in json.loads(row["nodes_json"] or "[]")},
        key=lambda r: (role_order.get(r, len(role_order) + 1), r),
    )
    fig.legend(
        handles=[Patch(color=ROLE_COLORS.get(r, "#8c8c8c"), label=r) for r in roles],
        loc="outside lower center",
        ncols=len(roles),
        frameon=False,
        fontsize=8,
    )
    return svg(fig, "graphlet-shapes")


def shape_height(row: Row) -> int:
    """Nodes in the widest layer of a shape (sets the drawing's height)."""
    nodes = json.loads(row["nodes_json"] or "[]")
    edges = json.loads(row["edges_json"] or "[]")
    labels = [n["label"] for n in nodes]
    hint = {n["label"]: float(n["median_signed_hops"] or 0) for n in nodes}
    layer = layers(labels, [(e["from_label"], e["to_label"]) for e in edges], hint)
    counts: dict[int, int] = {}
    for value in layer.values():
        counts[value] = counts.get(value, 0) + 1
    return max(counts.values(), default=1)
