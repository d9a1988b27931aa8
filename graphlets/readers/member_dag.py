"""A graphlet's member executions drawn as a DAG in inline SVG, laid out by grandalf.

Nodes are the member executions (one box each, labelled by role and short type name),
filled by role and outlined by waste class; edges are the provenance edges between
members (a member's output read by another member). grandalf's Sugiyama layout puts them
in layers top to bottom (an edge that would close a cycle, on a corrupt store, is
inverted by the layout, not dropped). The SVG carries one ``<g class="member">`` per member
with its execution id, so a test can count them. Text is escaped here: this module
returns markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from graphlets.readers.charts import ROLE_COLORS

WASTE_STROKES = {
    "productive": "#2f7d32",
    "wasted": "#c62828",
    "pending": "#f9a825",
    "orphan": "#6d6d6d",
}
BOX_W, BOX_H = 132.0, 38.0
GAP_X, GAP_Y = 22.0, 46.0
PAD = 12.0


@dataclass(frozen=True)
class Member:
    execution_id: str
    role: str
    type_name: str
    waste_class: str | None
    relation: str
    cost: float | None


class _View:
    def __init__(self) -> None:
        self.w, self.h = BOX_W + GAP_X, BOX_H + GAP_Y
        self.xy = (0.0, 0.0)


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1] if type_name else "?"


def _clip(text: str, n: int = 19) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def layout(
    member_ids: Sequence[str], edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Centre (x, y) of every member, layered top to bottom in data-flow order."""
    vertices = {m: Vertex(m) for m in member_ids}
    for v in vertices.values():
        v.view = _View()
    graph = Graph(
        list(vertices.values()),
        [Edge(vertices[a], vertices[b]) for a, b in edges if a in vertices and b in vertices],
    )
    xy: dict[str, tuple[float, float]] = {}
    x_offset = 0.0
    for component in graph.C:
        sugiyama = SugiyamaLayout(component)
        sugiyama.init_all()
        sugiyama.draw()
        points = {v.data: v.view.xy for v in component.sV}
        min_x = min(p[0] for p in points.values())
        max_x = max(p[0] for p in points.values())
        for key, (x, y) in points.items():
            xy[key] = (x - min_x + x_offset, y)
        x_offset += max_x - min_x + BOX_W + GAP_X
    return xy


def member_dag_svg(members: Sequence[Member], edges: Sequence[tuple[str, str]]) -> str:
    """The SVG drawing (``<svg class="dag">``) of ``members`` joined by ``edges``."""
    if not members:
        return ""
    by_id = {m.execution_id: m for m in members}
    xy = layout(list(by_id), edges)
    min_y = min(y for _, y in xy.values())
    pos = {k: (x + PAD + BOX_W / 2, y - min_y + PAD + BOX_H / 2) for k, (x, y) in xy.items()}
    width = max(x for x, _ in pos.values()) + BOX_W / 2 + PAD
    height = max(y for _, y in pos.values()) + BOX_H / 2 + PAD
    parts = [
        f'<svg class="dag" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img">',
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#888"/></marker></defs>',
    ]
    for a, b in sorted(set(edges)):
        if a not in pos or b not in pos or a == b:
            continue
        (x1, y1), (x2, y2) = pos[a], pos[b]
        y1e, y2e = (
            (y1 + BOX_H / 2, y2 - BOX_H / 2) if y2 >= y1 else (y1 - BOX_H / 2, y2 + BOX_H / 2)
        )
        parts.append(
            f'<line class="edge" x1="{x1:.1f}" y1="{y1e:.1f}" x2="{x2:.1f}" y2="{y2e:.1f}" '
            'stroke="#888" stroke-width="1.2" marker-end="url(#arrow)"/>'
        )
    for key in by_id:
        m = by_id[key]
        x, y = pos[key]
        fill = ROLE_COLORS.get(m.role, "#8c8c8c")
        stroke = WASTE_STROKES.get(m.waste_class or "", "#333")
        dash = ' stroke-dasharray="4 2"' if m.relation == "downstream" else ""
        title = (
            f"execution {m.execution_id}: {m.role} {m.type_name} ({m.relation}), "
            f"waste class {m.waste_class or 'none'}, cost {m.cost if m.cost is not None else '–'}"
        )
        parts.append(
            f'<g class="member" data-execution="{escape(key)}" data-role="{escape(m.role)}" '
            f'data-waste="{escape(m.waste_class or "")}"><title>{escape(title)}</title>'
            f'<rect x="{x - BOX_W / 2:.1f}" y="{y - BOX_H / 2:.1f}" width="{BOX_W:.0f}" '
            f'height="{BOX_H:.0f}" rx="5" fill="{fill}" fill-opacity="0.85" stroke="{stroke}" '
            f'stroke-width="3"{dash}/>'
            f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#fff">{escape(_clip(m.role))}</text>'
            f'<text x="{x:.1f}" y="{y + 11:.1f}" text-anchor="middle" font-size="10" '
            f'fill="#fff">{escape(_clip(_short(m.type_name)))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
