"""The pruning report: the trade-off curve and a recommended operating point per pipeline group.

``write_prune_report`` reads ``marts.rpt_pruning_tradeoff`` and
``marts.rpt_pruning_tradeoff_by_group`` (the warehouse opened read-only), draws the trade-off
curve (waste saved against staleness added, and against pushes lost; one line per policy, one
point per threshold) to ``pruning_tradeoff.svg`` and ``.png``, and writes ``pruning_report.md``:
for the whole evaluation range and for every pipeline group, the policy and threshold that
save the most waste while adding at most ``max_staleness_increase`` to the time-averaged
staleness of the serving models, in plain words. docs/pruning.md explains the numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from graphlets.core.errors import GraphletsError
from graphlets.core.warehouse import connect

CHART_NAME = "pruning_tradeoff"
REPORT_NAME = "pruning_report.md"
DEFAULT_MAX_STALENESS_INCREASE = 0.05
BASELINE = "never_prune"

POLICY_COLORS = {
    "learned": "#e15759",
    "learned_value": "#9c755f",
    "stale_data": "#4e79a7",
    "unpushed_streak": "#59a14f",
    "validation_anomalies": "#f28e2b",
    "stale_or_unpushed": "#b07aa1",
}
POLICY_WORDS = {
    "never_prune": "never skipping anything",
    "stale_data": "skipping a training when at most {t:g} data span(s) newer than the last "
    "blessed model's have arrived",
    "unpushed_streak": "skipping a training once {t:g} or more trainings in a row have "
    "ended without a push",
    "stale_or_unpushed": "skipping a training when no data span newer than the last blessed "
    "model's has arrived, or once {t:g} or more trainings in a row have ended without a push",
    "validation_anomalies": "skipping a training when the latest data validation found "
    "{t:g} or more anomalies",
    "learned": "skipping a training when the classifier gives it less than a {t:.1%} chance "
    "of being pushed",
    "learned_value": "skipping a training when its chance of being pushed, weighed by its "
    "expected cost and its pipeline's cadence, is below {t:.1%}",
}
GROUP_WORDS = {
    "all": "All pipelines",
    "several_per_day": "Pipelines training several times a day",
    "daily_or_slower": "Pipelines training daily or less often",
    "never_pushed": "Pipelines that had never pushed before the split",
    "new_in_evaluation": "Pipelines that started during the evaluation range",
}
COLUMNS = (
    "policy",
    "threshold",
    "n_graphlets",
    "n_pruned",
    "waste_saved_fraction",
    "cost_saved_fraction",
    "n_pushes",
    "n_pushes_lost",
    "pushes_lost_fraction",
    "mean_push_delay_hours",
    "staleness_increase_fraction",
    "baseline_staleness_hours",
    "staleness_hours",
    "evaluation_cost",
)


@dataclass(frozen=True)
class OperatingPoint:
    """One (policy, threshold) row of the trade-off, overall or for one pipeline group."""

    policy: str
    threshold: float | None
    n_graphlets: int
    n_pruned: int
    waste_saved_fraction: float
    cost_saved_fraction: float
    n_pushes: int
    n_pushes_lost: int
    pushes_lost_fraction: float
    mean_push_delay_hours: float | None
    staleness_increase_fraction: float
    baseline_staleness_hours: float | None
    staleness_hours: float | None
    evaluation_cost: float = 0.0

    @property
    def label(self) -> str:
        return self.policy if self.threshold is None else f"{self.policy} @ {self.threshold:g}"


@dataclass(frozen=True)
class Recommendation:
    """The operating point recommended for a group of pipelines, and why, in words."""

    group: str
    n_pipelines: int
    point: OperatingPoint | None
    sentence: str


@dataclass(frozen=True)
class PruneReport:
    """What ``write_prune_report`` wrote."""

    report_path: Path
    chart_svg: Path
    chart_png: Path
    max_staleness_increase: float
    tradeoff: tuple[OperatingPoint, ...]
    recommendations: tuple[Recommendation, ...]


def _point(row: dict[str, Any]) -> OperatingPoint:
    def num(key: str) -> float:
        return float(row[key] or 0.0)

    return OperatingPoint(
        policy=row["policy"],
        threshold=None if row["threshold"] is None else float(row["threshold"]),
        n_graphlets=int(row["n_graphlets"] or 0),
        n_pruned=int(row["n_pruned"] or 0),
        waste_saved_fraction=num("waste_saved_fraction"),
        cost_saved_fraction=num("cost_saved_fraction"),
        n_pushes=int(row["n_pushes"] or 0),
        n_pushes_lost=int(row["n_pushes_lost"] or 0),
        pushes_lost_fraction=num("pushes_lost_fraction"),
        mean_push_delay_hours=row["mean_push_delay_hours"],
        staleness_increase_fraction=num("staleness_increase_fraction"),
        baseline_staleness_hours=row["baseline_staleness_hours"],
        staleness_hours=row["staleness_hours"],
        evaluation_cost=num("evaluation_cost"),
    )


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select 1 from information_schema.tables "
            "where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchone()
    )


def read_tradeoff(
    warehouse: Path,
) -> tuple[list[OperatingPoint], dict[str, tuple[int, list[OperatingPoint]]]]:
    """The overall trade-off and, per pipeline group, (pipelines, trade-off)."""
    con = connect(warehouse, read_only=True)
    try:
        if not has_pruning_marts(con):
            raise GraphletsError(
                f"warehouse {warehouse} has no pruning marts", "run `graphlets build` first"
            )
        return read_points(con)
    finally:
        con.close()


def has_pruning_marts(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "rpt_pruning_tradeoff") and _has_table(
        con, "rpt_pruning_tradeoff_by_group"
    )


def read_points(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[OperatingPoint], dict[str, tuple[int, list[OperatingPoint]]]]:
    """The overall trade-off and, per pipeline group, (pipelines, trade-off)."""
    order = "order by policy, threshold nulls first"
    cur = con.execute(f"select {', '.join(COLUMNS)} from marts.rpt_pruning_tradeoff {order}")
    names = [d[0] for d in cur.description]
    overall = [_point(dict(zip(names, r, strict=True))) for r in cur.fetchall()]
    cur = con.execute(
        f"select pipeline_group, n_pipelines, {', '.join(COLUMNS)} "
        f"from marts.rpt_pruning_tradeoff_by_group order by pipeline_group, "
        "policy, threshold nulls first"
    )
    names = [d[0] for d in cur.description]
    groups: dict[str, tuple[int, list[OperatingPoint]]] = {}
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        n, points = groups.get(row["pipeline_group"], (0, []))
        points.append(_point(row))
        groups[row["pipeline_group"]] = (max(n, int(row["n_pipelines"] or 0)), points)
    return overall, groups


def recommend(
    points: list[OperatingPoint], max_staleness_increase: float = DEFAULT_MAX_STALENESS_INCREASE
) -> OperatingPoint | None:
    """The point saving the most waste within the staleness budget (None: none saves any).

    Ties go to fewer lost pushes, then to less staleness added.
    """
    eligible = [
        p
        for p in points
        if p.policy != BASELINE
        and p.staleness_increase_fraction <= max_staleness_increase + 1e-12
        and p.waste_saved_fraction > 0
    ]
    if not eligible:
        return None
    return max(
        eligible,
        key=lambda p: (p.waste_saved_fraction, -p.n_pushes_lost, -p.staleness_increase_fraction),
    )


def baseline_of(points: list[OperatingPoint]) -> OperatingPoint | None:
    return next((p for p in points if p.policy == BASELINE), None)


def never_pushed(who: str, baseline: OperatingPoint) -> str:
    """The finding for pipelines without a single push in the evaluation range."""
    return (
        f"{who}: never pushed: {baseline.n_graphlets:,} trainings in the evaluation range, "
        f"cost {baseline.evaluation_cost:,.0f}, and not one pushed model. This is a finding, "
        "not a pruning recommendation: no policy is needed to skip trainings whose pipeline "
        "never deploys; ask whether the pipeline should run at all."
    )


def rule_words(point: OperatingPoint) -> str:
    if point.policy == "stale_data" and not point.threshold:
        return (
            "skipping a training when no data span newer than the last blessed model's has arrived"
        )
    return POLICY_WORDS[point.policy].format(t=point.threshold or 0.0)


def describe(
    group: str,
    n_pipelines: int,
    point: OperatingPoint | None,
    max_staleness_increase: float,
    baseline: OperatingPoint | None = None,
) -> str:
    """One plain-words paragraph about a group's recommended operating point.

    A group that pushed nothing in the evaluation range (``baseline.n_pushes == 0``) gets the
    "never pushed" finding instead of a recommendation.
    """
    who = GROUP_WORDS.get(group, f"Pipeline group {group}")
    who = f"{who} ({n_pipelines:,} pipelines)" if group != "all" else who
    if baseline is not None and baseline.n_graphlets and baseline.n_pushes == 0:
        return never_pushed(who, baseline)
    if point is None:
        return (
            f"{who}: no policy saves any waste without adding more than "
            f"{max_staleness_increase:.0%} to the staleness of the served models; keep "
            "running everything."
        )
    words = (
        f"{who}: {rule_words(point)} would have skipped {point.n_pruned:,} of "
        f"{point.n_graphlets:,} trainings and saved {point.waste_saved_fraction:.0%} of the "
        f"waste ({point.cost_saved_fraction:.0%} of all cost)"
    )
    if point.n_pushes_lost == 0:
        return f"{words}, without losing any of its {point.n_pushes:,} pushes."
    delay = point.mean_push_delay_hours or 0.0
    return (
        f"{words}, and lost {point.n_pushes_lost:,} of {point.n_pushes:,} pushes "
        f"({point.pushes_lost_fraction:.1%}); after a lost push the previous model served "
        f"{delay:.1f} hours longer on average, until the next push kept: the served models "
        f"would have been {point.staleness_increase_fraction:.1%} staler on average."
    )


def pipeline_pruning(
    con: duckdb.DuckDBPyConnection,
    max_staleness_increase: float = DEFAULT_MAX_STALENESS_INCREASE,
) -> dict[str, tuple[str, bool]]:
    """Per pipeline: (sentence, is_finding) about pruning it, for its report page.

    A pipeline without a push in the evaluation range gets the "never pushed" finding;
    any other gets its group's recommended operating point with what it would have done to
    this pipeline (rows of ``rpt_pruning_pipelines``). {} when the pruning marts are missing.
    """
    if not (has_pruning_marts(con) and _has_table(con, "rpt_pruning_pipelines")):
        return {}
    _, groups = read_points(con)
    chosen = {
        group: recommend(points, max_staleness_increase) for group, (_, points) in groups.items()
    }
    cur = con.execute(
        "select pipeline_id, pipeline_group, policy, threshold, n_graphlets, n_pruned, "
        "evaluation_cost, evaluation_wasted_cost, saved_wasted_cost, n_pushes, n_pushes_lost "
        "from marts.rpt_pruning_pipelines"
    )
    names = [d[0] for d in cur.description]
    baseline: dict[str, dict[str, Any]] = {}
    at_point: dict[str, dict[str, Any]] = {}
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        pid = str(row["pipeline_id"])
        if row["policy"] == BASELINE:
            baseline[pid] = row
            continue
        point = chosen.get(row["pipeline_group"])
        threshold = None if row["threshold"] is None else float(row["threshold"])
        if point is not None and (point.policy, point.threshold) == (row["policy"], threshold):
            at_point[pid] = row
    out: dict[str, tuple[str, bool]] = {}
    for pid, base in baseline.items():
        group = base["pipeline_group"]
        who = GROUP_WORDS.get(group, f"Pipeline group {group}").lower()
        if base["n_graphlets"] and not base["n_pushes"]:
            out[pid] = (
                f"Never pushed: {int(base['n_graphlets']):,} trainings in the evaluation range, "
                f"cost {float(base['evaluation_cost'] or 0):,.0f}, and not one pushed model. "
                "A finding, not a pruning recommendation: ask whether this pipeline should "
                "run at all.",
                True,
            )
            continue
        point = chosen.get(group)
        found = at_point.get(pid)
        if point is None or found is None:
            out[pid] = (
                f"In its group ({who}) no policy saves any waste without adding more than "
                f"{max_staleness_increase:.0%} to the staleness of the served models: keep "
                "running everything.",
                False,
            )
            continue
        out[pid] = (
            f"Recommended for its group ({who}): {rule_words(point)}. On this pipeline that "
            f"would have skipped {int(found['n_pruned']):,} of {int(found['n_graphlets']):,} "
            f"trainings in the evaluation range, saved "
            f"{float(found['saved_wasted_cost'] or 0):,.0f} of its "
            f"{float(found['evaluation_wasted_cost'] or 0):,.0f} wasted cost, and lost "
            f"{int(found['n_pushes_lost']):,} of its {int(found['n_pushes']):,} pushes.",
            False,
        )
    return out


def _draw(
    points: list[OperatingPoint], max_staleness_increase: float, chosen: OperatingPoint | None
):
    """Three panels: the whole curve, a close-up around the budget, pushes lost."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.6))
    FigureCanvasAgg(fig)
    ax_stale, ax_zoom, ax_push = fig.subplots(1, 3)
    budget = 100 * max_staleness_increase
    zoom_right = max(2 * budget, 1.0)
    by_policy: dict[str, list[OperatingPoint]] = {}
    for p in points:
        if p.policy != BASELINE:
            by_policy.setdefault(p.policy, []).append(p)
    zoom_ys: list[float] = []
    for policy, pts in sorted(by_policy.items()):
        pts = sorted(pts, key=lambda p: (p.waste_saved_fraction, p.staleness_increase_fraction))
        color = POLICY_COLORS.get(policy, "#8c8c8c")
        for ax, x_of in (
            (ax_stale, lambda p: 100 * p.staleness_increase_fraction),
            (ax_zoom, lambda p: 100 * p.staleness_increase_fraction),
            (ax_push, lambda p: 100 * p.pushes_lost_fraction),
        ):
            xs = [x_of(p) for p in pts]
            ys = [100 * p.waste_saved_fraction for p in pts]
            ax.plot(xs, ys, marker="o", ms=4, lw=1.4, color=color, label=policy)
            for p, x, y in zip(pts, xs, ys, strict=True):
                if ax is ax_zoom and x > zoom_right:
                    continue
                if ax is ax_zoom:
                    zoom_ys.append(y)
                ax.annotate(
                    f"{p.threshold:g}",
                    (x, y),
                    textcoords="offset points",
                    xytext=(4, -9),
                    fontsize=6.5,
                    color=color,
                )
    for ax in (ax_stale, ax_zoom):
        ax.axvline(budget, color="#555555", ls="--", lw=1)
        if chosen is not None:
            ax.plot(
                [100 * chosen.staleness_increase_fraction],
                [100 * chosen.waste_saved_fraction],
                marker="*",
                ms=16,
                color="#222222",
                ls="none",
                label="recommended",
            )
    ax_stale.text(budget, 2, f" budget {max_staleness_increase:.0%}", fontsize=7.5, color="#555555")
    for ax, xlabel in (
        (ax_stale, "time-averaged staleness added (%)"),
        (ax_zoom, "time-averaged staleness added (%)"),
        (ax_push, "pushes lost (%)"),
    ):
        ax.set_xlabel(xlabel)
        ax.set_ylabel("waste saved (%)")
        ax.grid(True, alpha=0.3)
    for ax in (ax_stale, ax_push):
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_ylim(0, 100)
    ax_zoom.set_xlim(0, zoom_right)
    if zoom_ys:
        ax_zoom.set_ylim(max(0.0, min(zoom_ys) - 5), min(100.0, max(zoom_ys) + 5))
    ax_stale.set_title("Waste saved vs freshness (numbers: thresholds)", fontsize=10)
    ax_zoom.set_title(f"Close-up: up to {zoom_right:g}% staleness added", fontsize=10)
    ax_push.set_title("Waste saved vs pushes lost", fontsize=10)
    ax_stale.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def _save(fig, svg: Path, png: Path) -> None:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": CHART_NAME}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        svg.write_text(buf.getvalue(), encoding="utf-8")
        fig.savefig(png, format="png", dpi=110, metadata={"Software": None})


def _table(points: list[OperatingPoint]) -> list[str]:
    lines = [
        "| policy | threshold | skipped | waste saved | cost saved | pushes lost "
        "| mean wait for the next kept push (h) | staleness added |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        delay = "" if p.mean_push_delay_hours is None else f"{p.mean_push_delay_hours:.1f}"
        threshold = "" if p.threshold is None else f"{p.threshold:g}"
        lines.append(
            f"| {p.policy} | {threshold} | {p.n_pruned:,} | {p.waste_saved_fraction:.1%} "
            f"| {p.cost_saved_fraction:.1%} | {p.n_pushes_lost:,} ({p.pushes_lost_fraction:.1%}) "
            f"| {delay} | {p.staleness_increase_fraction:.2%} |"
        )
    return lines


def write_prune_report(
    warehouse: Path,
    out_dir: Path,
    max_staleness_increase: float = DEFAULT_MAX_STALENESS_INCREASE,
) -> PruneReport:
    """Write the chart and ``pruning_report.md`` for ``warehouse`` into ``out_dir``."""
    if not max_staleness_increase >= 0:  # NaN too
        raise GraphletsError(
            f"staleness budget {max_staleness_increase} is negative", "give a fraction >= 0"
        )
    overall, groups = read_tradeoff(warehouse)
    if not overall:
        raise GraphletsError(
            f"warehouse {warehouse} has no graphlets in an evaluation range",
            "load more history, or lower the dbt var pruning_train_fraction",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    best = recommend(overall, max_staleness_increase)
    recommendations = [
        Recommendation(
            "all",
            0,
            best,
            describe("all", 0, best, max_staleness_increase, baseline_of(overall)),
        )
    ]
    for group, (n_pipelines, points) in sorted(groups.items()):
        base = baseline_of(points)
        never = base is not None and base.n_graphlets > 0 and base.n_pushes == 0
        point = None if never else recommend(points, max_staleness_increase)
        recommendations.append(
            Recommendation(
                group,
                n_pipelines,
                point,
                describe(group, n_pipelines, point, max_staleness_increase, baseline_of(points)),
            )
        )
    svg, png = out_dir / f"{CHART_NAME}.svg", out_dir / f"{CHART_NAME}.png"
    _save(_draw(overall, max_staleness_increase, best), svg, png)
    baseline = next((p for p in overall if p.policy == BASELINE), None)
    lines = [
        "# Pruning: what could have been skipped, and at what price in freshness",
        "",
        f"Warehouse `{warehouse}`. Staleness budget: at most {max_staleness_increase:.0%} "
        "added to the time-averaged staleness of the served models.",
        "",
    ]
    if baseline is not None:
        lines += [
            f"Evaluation range: {baseline.n_graphlets:,} trainings, {baseline.n_pushes:,} "
            f"pushes; served models were {baseline.baseline_staleness_hours or 0:.1f} hours "
            "old on average without pruning.",
            "",
        ]
    lines += ["## Recommended operating points", ""]
    lines += [f"- {r.sentence}" for r in recommendations]
    lines += ["", f"![trade-off]({CHART_NAME}.svg)", "", "## Every policy and threshold", ""]
    lines += _table(overall)
    lines += ["", "See docs/pruning.md for how the numbers are computed.", ""]
    report_path = out_dir / REPORT_NAME
    report_path.write_text("\n".join(lines), encoding="utf-8")
    return PruneReport(
        report_path=report_path,
        chart_svg=svg,
        chart_png=png,
        max_staleness_increase=max_staleness_increase,
        tradeoff=tuple(overall),
        recommendations=tuple(recommendations),
    )
