"""Small hand-written SVG charts for the per-pipeline pages (thousands of pages: no matplotlib).

``daily_bars`` draws one stacked bar per UTC day. Labels are plain ``<text>``; every label
is escaped here, as this module returns markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT = 760.0, 170.0
LEFT, RIGHT, TOP, BOTTOM = 56.0, 12.0, 10.0, 34.0


def _tick(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def daily_bars(
    days: Sequence[tuple[date, Mapping[str, float]]],
    order: Sequence[str],
    colors: Mapping[str, str],
    y_label: str,
    name: str,
) -> str:
    """Stacked bars, one per day, the keys of ``order`` bottom to top; "" when no day."""
    if not days:
        return ""
    first, last = days[0][0], days[-1][0]
    n_days = (last - first).days + 1
    top = max(sum(v.get(k, 0.0) for k in order) for _, v in days) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n_days
    bar = max(1.0, slot * 0.8)
    out = [
        f'<svg class="bars" width="{WIDTH:.0f}" height="{HEIGHT:.0f}" '
        f'viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" role="img" aria-label="{escape(name)}">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#999"/>',
    ]
    for frac in (0.5, 1.0):
        y = TOP + plot_h * (1 - frac)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="#555">{escape(_tick(top * frac))}</text>'
        )
    out.append(
        f'<text x="12" y="{TOP + plot_h / 2:.0f}" font-size="10" fill="#555" '
        f'transform="rotate(-90 12 {TOP + plot_h / 2:.0f})" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    for day, values in days:
        x = LEFT + (day - first).days * slot + (slot - bar) / 2
        y = TOP + plot_h
        for key in order:
            v = values.get(key, 0.0)
            if v <= 0:
                continue
            h = plot_h * v / top
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colors.get(key, "#8c8c8c")}"><title>{escape(day.isoformat())} '
                f"{escape(key)}: {escape(_tick(v))}</title></rect>"
            )
    for day, anchor in ((first, "start"), (last, "end")) if last != first else ((first, "start"),):
        x = LEFT + (day - first).days * slot + (slot / 2 if anchor == "start" else slot)
        x = LEFT if anchor == "start" else x
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" fill="#555" '
            f'text-anchor="{anchor}">{escape(day.isoformat())}</text>'
        )
    lx = LEFT
    for key in order:
        if not any(v.get(key) for _, v in days):
            continue
        out.append(
            f'<rect x="{lx:.0f}" y="{HEIGHT - 12}" width="10" height="10" '
            f'fill="{colors.get(key, "#8c8c8c")}"/><text x="{lx + 14:.0f}" y="{HEIGHT - 3}" '
            f'font-size="10" fill="#333">{escape(key)}</text>'
        )
        lx += 24 + 6.5 * len(key)
    out.append("</svg>")
    return "".join(out)
