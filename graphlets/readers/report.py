"""The HTML report: the study's questions answered for one warehouse, as a small offline site.

``write_report`` reads the marts of the published snapshot (opened read-only) and writes
``index.html``: a headline table, one section per question of the study, drawings of the
most common graphlet shapes and the most wasteful pipelines; plus a page per pipeline and per
reachable graphlet (graphlets/readers/site.py). Every number on the index is a column of a
dbt model (the ``rpt_report_*`` tables of models/reports/report/, tested there, and the
``rpt_*`` marts); the charts draw the per-item distributions of the queries of
``analyses/``, rendered with ``ref()`` pointing at the ``marts`` schema, so the report and
ad-hoc SQL give the same numbers. This module only formats values and draws; the HTML is
the Jinja templates of ``templates/``. The pages are self-contained: the charts are inline
SVG drawn by matplotlib with text as paths, the style sheet and the table script (the
vendored tablesort, ``templates/vendor/``) are inline, and there is no script, font or
stylesheet to fetch, so the site opens from disk with no network.

A snapshot without marts, or with too little data for a chart, gets a "no data"
placeholder in place of that chart, never an error.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from graphlets.core.project import project_dir
from graphlets.core.warehouse import connect
from graphlets.readers.charts import FRACTION_BINS, OUTCOME_COLORS, ROLE_COLORS
from graphlets.readers.charts import cdf as _cdf
from graphlets.readers.charts import figure as _figure
from graphlets.readers.charts import hist as _hist
from graphlets.readers.charts import log_if_spread as _log_if_spread
from graphlets.readers.charts import small_multiples as _small_multiples
from graphlets.readers.charts import svg as _svg
from graphlets.readers.formatting import num as _num
from graphlets.readers.formatting import pct as _pct
from graphlets.readers.pruning_report import pipeline_pruning
from graphlets.readers.shape_drawing import Row
from graphlets.readers.shape_drawing import shape_figure as _shape_figure
from graphlets.readers.site import SiteData, SiteOptions, pipeline_table, read_site, write_pages

ANALYSES_DIR = project_dir() / "analyses"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MARTS_SCHEMA = "marts"
TOP_SHAPES = 6
WASTEFUL_PIPELINES = 20
SCRIPT_FILES = ("vendor/tablesort.min.js", "vendor/tablesort.number.min.js", "site.js")


# -- reading -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    """Rows of one query, or why there are none (``missing``: the marts are not built)."""

    rows: tuple[Row, ...] = ()
    missing: str | None = None

    def values(self, column: str) -> list[float]:
        """The column's finite numeric values."""
        out = []
        for row in self.rows:
            value = row.get(column)
            if isinstance(value, int | float) and math.isfinite(value):
                out.append(float(value))
        return out


@dataclass
class _Reader:
    con: duckdb.DuckDBPyConnection
    analyses_dir: Path = ANALYSES_DIR
    _jinja: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self._jinja = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)

    def query(self, sql: str) -> Result:
        try:
            cursor = self.con.execute(sql)
            names = [d[0] for d in cursor.description]
            return Result(tuple(dict(zip(names, row, strict=True)) for row in cursor.fetchall()))
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Result(missing=first)

    def rows(
        self, sql: str, params: dict[str, Any] | None = None, missing_ok: bool = False
    ) -> list[Row] | None:
        """The rows of ``sql``; [] when a table is missing, or None if ``missing_ok``."""
        try:
            cursor = self.con.execute(sql, params or {})
        except (duckdb.CatalogException, duckdb.BinderException):
            return None if missing_ok else []
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def table(self, name: str, order_by: str, where: str | None = None) -> Result:
        """The rows of mart ``name`` (a report table), in the order ``order_by``."""
        condition = f" where {where}" if where else ""
        return self.query(f'select * from {MARTS_SCHEMA}."{name}"{condition} order by {order_by}')

    def analysis(self, name: str) -> Result:
        """Run ``analyses/<name>.sql`` with ``ref('x')`` read as ``marts.x``."""
        text = (self.analyses_dir / f"{name}.sql").read_text(encoding="utf-8")
        sql = self._jinja.from_string(text).render(ref=lambda model: f'{MARTS_SCHEMA}."{model}"')
        return self.query(sql)


# -- charts: graphlets/readers/charts.py; shape drawings: graphlets/readers/shape_drawing.py


# -- the page model ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Chart:
    svg: str | None
    caption: str
    placeholder: str = "no data"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    question: str
    explanation: str
    charts: tuple[Chart, ...]
    tables: tuple[Table, ...] = ()


def _chart(
    name: str,
    caption: str,
    draw: Callable[..., None] | None,
    missing: str | None = None,
    size: tuple[float, float] = (6.4, 3.4),
    ncols: int = 1,
) -> Chart:
    if draw is None:
        return Chart(None, caption, placeholder=f"no data ({missing})" if missing else "no data")
    fig, axes = _figure(size[0] * ncols, size[1], ncols)
    draw(*axes)
    return Chart(_svg(fig, name), caption)


def _missing(*results: Result) -> str | None:
    for result in results:
        if result.missing:
            return f"{result.missing}; run `graphlets build`"
    return None


# -- sections ------------------------------------------------------------------------------------
def _headline(reader: _Reader) -> tuple[Table, Table, Table]:
    """The headline (rpt_report_headline), graphlets by outcome and the sources."""
    facts = reader.table("rpt_report_headline", "report_scope")
    if facts.rows:
        f = facts.rows[0]
        headline = Table(
            (
                "pipelines",
                "executions",
                "models trained",
                "graphlets",
                "pushed / models trained",
                "waste share",
                "total cost",
            ),
            (
                (
                    _num(f["n_pipelines"]),
                    _num(f["n_executions"]),
                    _num(f["n_models_trained"]),
                    _num(f["n_graphlets"]),
                    _pct(f["pushed_share"]),
                    _pct(f["waste_share"]),
                    _num(f["total_cost"], 0),
                ),
            ),
        )
    else:
        headline = Table(("no data",), ((_missing(facts) or "no data",),))
    outcomes = _outcomes(reader)
    outcome_table = Table(
        ("outcome", "graphlets", "share of all graphlets"),
        tuple(
            (r["outcome"], _num(r["n_graphlets"]), _pct(r["share_of_graphlets"]))
            for r in outcomes.rows
        )
        or (("–", "–", _missing(outcomes) or "no outcomes"),),
    )
    sources = reader.table("rpt_report_sources", "source_id")
    source_table = Table(
        ("source", "pipelines", "as-of time (UTC)"),
        tuple(
            (
                str(r["source_id"]),
                _num(r["n_pipelines"]),
                r["as_of_at"].strftime("%Y-%m-%d %H:%M") if r["as_of_at"] else "–",
            )
            for r in sources.rows
        )
        or (("–", "–", _missing(sources) or "no sources"),),
    )
    return headline, outcome_table, source_table


def _outcomes(reader: _Reader) -> Result:
    """Graphlets by outcome, every outcome in the report's order (rpt_report_outcomes)."""
    return reader.table("rpt_report_outcomes", "outcome_order")


def _lifespan(reader: _Reader) -> Section:
    result = reader.analysis("pipeline_lifespan")
    lifespan = result.values("lifespan_days")
    active = result.values("active_days")

    def draw(ax) -> None:
        _cdf(ax, lifespan, "lifespan (first to last activity)", "#4e79a7")
        _cdf(ax, active, "active days", "#f28e2b")
        ax.set_xlabel("days")
        ax.legend(frameon=False, loc="lower right")

    return Section(
        "lifespan",
        "Pipeline lifespan",
        "How long do pipelines live, and on how many days do they run?",
        "Empirical CDFs over pipelines: lifespan is the time between a pipeline's first and "
        "last activity; active days are the UTC days on which at least one of its executions "
        "started. Query: analyses/pipeline_lifespan.sql.",
        (
            _chart(
                "lifespan-cdf",
                "CDF of pipeline lifespan and active days",
                draw if lifespan else None,
                _missing(result),
            ),
        ),
        (
            _distribution_table(
                reader,
                "lifespan",
                ("lifespan_days", "lifespan (days)"),
                ("active_days", "active days"),
            ),
        ),
    )


def _distribution_table(
    reader: _Reader, section: str, *measures: tuple[str, str], digits: int = 1
) -> Table:
    """n, median, mean, 90th percentile and maximum of each (measure, label) of ``section``.

    The numbers are rows of rpt_report_distributions; a measure without a row (the marts
    are not built) shows dashes.
    """
    result = reader.table(
        "rpt_report_distributions", "measure_order", where=f"section = '{section}'"
    )
    by_measure = {row["measure"]: row for row in result.rows}
    rows = []
    for measure, label in measures:
        row = by_measure.get(measure, {})
        rows.append(
            (
                label,
                _num(row.get("n_values")),
                _num(row.get("median_value"), digits),
                _num(row.get("mean_value"), digits),
                _num(row.get("p90_value"), digits),
                _num(row.get("max_value"), digits),
            )
        )
    return Table(("", "n", "median", "mean", "p90", "max"), tuple(rows))


def _models(reader: _Reader) -> Section:
    result = reader.analysis("models_per_pipeline")
    trained = result.values("n_models_trained")
    pushed = result.values("n_pushed")

    def draw(ax_hist, ax_cdf) -> None:
        _hist(ax_hist, trained, integer=True)
        ax_hist.set_xlabel("models trained per pipeline")
        _cdf(ax_cdf, trained, "models trained", "#4e79a7")
        _cdf(ax_cdf, pushed, "models pushed", "#59a14f")
        _log_if_spread(ax_cdf, [v + 1 for v in trained])
        ax_cdf.set_xlabel("models per pipeline")
        ax_cdf.legend(frameon=False, loc="lower right")

    return Section(
        "models",
        "Models per pipeline",
        "How many models does a pipeline train, and how many does it push?",
        "Histogram and CDF over pipelines of the models trained (graphlets whose training "
        "did not fail) and pushed. Query: analyses/models_per_pipeline.sql.",
        (
            _chart(
                "models-per-pipeline",
                "Models trained and pushed per pipeline",
                draw if trained else None,
                _missing(result),
                ncols=2,
                size=(4.6, 3.2),
            ),
        ),
        (
            _distribution_table(
                reader,
                "models",
                ("n_models_trained", "models trained"),
                ("n_pushed", "models pushed"),
            ),
        ),
    )


def _frequency(reader: _Reader) -> Section:
    result = reader.analysis("component_run_frequency")
    per_role = reader.table("rpt_report_frequency", "role_order, role")
    roles = [row["role"] for row in per_role.rows]
    gaps_by_role = {
        role: [
            float(row["median_hours_between_runs"])
            for row in result.rows
            if row["role"] == role and row["median_hours_between_runs"] is not None
        ]
        for role in roles
    }
    shown = [role for role in roles if gaps_by_role[role]]
    median_gap = {row["role"]: row["median_hours_between_runs"] for row in per_role.rows}
    n_components = {row["role"]: row["n_components"] for row in per_role.rows}
    chart = Chart(None, "Run frequency of components, one panel per role")
    if shown:
        fig, axes = _small_multiples(len(shown), 4, (2.7, 1.9))
        every = [v for role in shown for v in gaps_by_role[role]]
        for ax, role in zip(axes, shown, strict=True):
            color = ROLE_COLORS.get(role, "#8c8c8c")
            _cdf(ax, gaps_by_role[role], color=color)
            ax.set_ylabel("")
            gap = median_gap.get(role)
            if gap is not None:
                ax.axvline(gap, color=color, linestyle=":", linewidth=1)
            ax.set_title(
                f"{role}: median {_num(gap, 1)} h, {_num(n_components.get(role))} components",
                fontsize=8.5,
                color="#333",
                loc="left",
            )
        _log_if_spread(axes[0], every)
        fig.supxlabel("median hours between consecutive runs of a component", fontsize=9)
        fig.supylabel("share of components", fontsize=9)
        chart = Chart(_svg(fig, "component-frequency"), chart.caption)
    else:
        missing = _missing(result, per_role)
        chart = Chart(None, chart.caption, f"no data ({missing})" if missing else "no data")

    table = Table(
        ("role", "components", "runs", "median runs / active day", "median hours between runs"),
        tuple(
            (
                row["role"],
                _num(row["n_components"]),
                _num(row["n_runs"]),
                _num(row["median_runs_per_active_day"], 2),
                _num(row["median_hours_between_runs"], 1),
            )
            for row in per_role.rows
        ),
    )
    return Section(
        "frequency",
        "Component run frequency",
        "How often does each pipeline component run?",
        "One panel per role: the CDF over components (pipeline x node) of the median gap "
        "between consecutive runs, the dotted line at the median over components (many "
        "components run daily, so several panels rise at 24 hours). Resolvers (bookkeeping, "
        "no work) are left out. The table adds the median runs per active day. "
        "Query: analyses/component_run_frequency.sql.",
        (chart,),
        (table,),
    )


def _shapes(reader: _Reader) -> Section:
    sizes = reader.query(
        f"select n_executions, n_upstream, n_downstream from {MARTS_SCHEMA}.fct_graphlets"
    )
    shapes = reader.analysis("graphlet_size_and_topology")
    drawable = reader.query(
        f"""select shape_rank, nodes_json, edges_json, n_graphlets, share_of_graphlets,
                   n_pipelines, median_n_executions, median_total_cost, pushed_share
            from {MARTS_SCHEMA}.rpt_graphlet_shapes
            where shape_rank <= {TOP_SHAPES} order by shape_rank"""
    )
    n_exec = sizes.values("n_executions")

    def draw_sizes(ax_hist, ax_cover) -> None:
        _hist(ax_hist, n_exec, integer=True)
        ax_hist.set_xlabel("member executions per graphlet")
        ranks = [row["shape_rank"] for row in shapes.rows]
        cover = [row["cumulative_share_of_graphlets"] for row in shapes.rows]
        ax_cover.step(ranks, cover, where="post", color="#e15759", linewidth=1.6)
        ax_cover.plot(ranks, cover, "o", color="#e15759", markersize=3)
        ax_cover.set_ylim(0, 1.02)
        ax_cover.set_xlabel("shapes, most common first")
        ax_cover.set_ylabel("share of graphlets covered")
        _log_if_spread(ax_cover, ranks)

    shape_chart = Chart(None, "The most common graphlet shapes")
    if drawable.rows:
        roles = reader.table("rpt_report_roles", "role_order")
        order = {row["role"]: row["role_order"] for row in roles.rows}
        shape_chart = Chart(_shape_figure(list(drawable.rows), order), shape_chart.caption)
    elif drawable.missing:
        shape_chart = Chart(None, shape_chart.caption, f"no data ({_missing(drawable)})")
    table = Table(
        (
            "rank",
            "graphlets",
            "share",
            "pipelines",
            "nodes",
            "edges",
            "median size",
            "median cost",
            "pushed",
            "shape_id",
        ),
        tuple(
            (
                _num(row["shape_rank"]),
                _num(row["n_graphlets"]),
                _pct(row["share_of_graphlets"]),
                _num(row["n_pipelines"]),
                _num(row["n_nodes"]),
                _num(row["n_edges"]),
                _num(row["median_n_executions"]),
                _num(row["median_total_cost"], 0),
                _pct(row["pushed_share"]),
                row["shape_id"],
            )
            for row in shapes.rows[:10]
        ),
    )
    return Section(
        "shapes",
        "Graphlet size and topology",
        "How big is a graphlet, and how many distinct shapes do graphlets take?",
        "Left: histogram of graphlet sizes (member executions). Right: share of graphlets "
        "covered by the most common shapes. A shape is the component-level topology of a "
        "graphlet: one node per `role:ShortTypeName` among its members, one arrow where a "
        "member feeds another. Below, the most common shapes drawn left to right in data-flow "
        "order. Query: analyses/graphlet_size_and_topology.sql.",
        (
            _chart(
                "graphlet-sizes",
                "Graphlet sizes and shape coverage",
                draw_sizes if n_exec and shapes.rows else None,
                _missing(sizes, shapes),
                ncols=2,
                size=(4.8, 3.2),
            ),
            shape_chart,
        ),
        (table,) if table.rows else (),
    )


def _cost(reader: _Reader) -> Section:
    result = reader.table("rpt_report_cost_by_role", "role_order, role")
    rows = [r for r in result.rows if r["share_of_cost"] is not None]

    def draw(ax) -> None:
        roles = [r["role"] for r in rows]
        ys = list(range(len(roles)))
        cost = [r["share_of_cost"] or 0 for r in rows]
        waste = [r["share_of_waste"] or 0 for r in rows]
        ax.barh([y - 0.2 for y in ys], cost, height=0.4, color="#4e79a7", label="share of cost")
        ax.barh([y + 0.2 for y in ys], waste, height=0.4, color="#e15759", label="share of waste")
        ax.set_yticks(ys, roles)
        ax.invert_yaxis()
        ax.set_xlabel("share")
        ax.legend(frameon=False, loc="lower right")

    table = Table(
        ("role", "executions", "cost", "share of cost", "share of waste", "wasted share of role"),
        tuple(
            (
                r["role"],
                _num(r["n_executions"]),
                _num(r["cost"], 0),
                _pct(r["share_of_cost"]),
                _pct(r["share_of_waste"]),
                _pct(r["waste_fraction"]),
            )
            for r in rows
        ),
    )
    return Section(
        "cost",
        "Cost by component role",
        "Where does the compute go, by component role, and where is the waste?",
        "Each role's share of all cost and of all wasted cost (over every source). Cost is "
        "the unit of fct_executions.cost. Query: analyses/cost_by_role.sql.",
        (
            _chart(
                "cost-by-role",
                "Share of cost and of waste by role",
                draw if rows else None,
                _missing(result),
                size=(7.0, 3.6),
            ),
        ),
        (table,) if rows else (),
    )


def _push_rate(reader: _Reader) -> Section:
    result = reader.analysis("push_rate")
    rates = result.values("push_rate")
    outcomes = _outcomes(reader)
    has_graphlets = any(row["n_graphlets"] for row in outcomes.rows)

    def draw(ax_hist, ax_outcomes) -> None:
        if rates:
            _hist(ax_hist, rates, color="#59a14f", bins=FRACTION_BINS)
        ax_hist.set_xlabel("push rate per pipeline (pushed / judged models)")
        ax_hist.set_ylabel("pipelines")
        names = [row["outcome"] for row in outcomes.rows]
        ax_outcomes.barh(
            names,
            [row["share_of_graphlets"] for row in outcomes.rows],
            color=[OUTCOME_COLORS.get(name, "#8c8c8c") for name in names],
        )
        ax_outcomes.invert_yaxis()
        ax_outcomes.set_xlabel("share of graphlets")

    return Section(
        "push-rate",
        "Push rate",
        "How often does training lead to a deployed model?",
        "Left: histogram over pipelines of the push rate (models pushed over trained models "
        "whose outcome is final). Right: all graphlets by outcome (docs/semantics.md section 3). "
        "Query: analyses/push_rate.sql.",
        (
            _chart(
                "push-rate",
                "Push rate per pipeline and graphlet outcomes",
                draw if has_graphlets else None,
                _missing(result, outcomes),
                ncols=2,
                size=(4.8, 3.2),
            ),
        ),
        (_distribution_table(reader, "push_rate", ("push_rate", "push rate"), digits=2),)
        if rates
        else (),
    )


def _waste(reader: _Reader) -> Section:
    result = reader.analysis("waste_distribution")
    fractions = result.values("waste_fraction")
    curve = [
        (r["share_of_pipelines"], r["cumulative_share_of_waste"])
        for r in result.rows
        if r["cumulative_share_of_waste"] is not None
    ]
    classes = reader.table("rpt_report_waste_classes", "class_order")

    def draw(ax_curve, ax_hist) -> None:
        if curve:
            ax_curve.plot(
                [0] + [c[0] for c in curve],
                [0] + [c[1] for c in curve],
                color="#e15759",
                linewidth=1.6,
                label="pipelines by waste",
            )
            ax_curve.plot(
                [0, 1],
                [0, 1],
                color="#999",
                linestyle="--",
                linewidth=0.8,
                label="waste spread evenly",
            )
            ax_curve.legend(frameon=False, loc="lower right")
        ax_curve.set_xlim(0, 1)
        ax_curve.set_ylim(0, 1.02)
        ax_curve.set_xlabel("share of pipelines, most wasteful first")
        ax_curve.set_ylabel("cumulative share of waste")
        _hist(ax_hist, fractions, color="#e15759", bins=FRACTION_BINS)
        ax_hist.set_xlabel("waste fraction of a pipeline's cost")
        ax_hist.set_ylabel("pipelines")

    table = Table(
        ("waste class", "cost", "share of all cost"),
        tuple(
            (r["waste_class"], _num(r["cost"], 0), _pct(r["share_of_cost"])) for r in classes.rows
        ),
    )
    return Section(
        "waste",
        "Waste and its distribution over pipelines",
        "How much compute is wasted, and how is the waste spread over pipelines?",
        "Left: concentration of waste: pipelines ranked by wasted cost, against the share "
        "of all waste they hold (the dashed diagonal would be waste spread evenly). Right: "
        "histogram over pipelines of the wasted share of their cost. Waste is the cost of "
        "executions that never reached a pushed model (docs/semantics.md section 5). "
        "Query: analyses/waste_distribution.sql.",
        (
            _chart(
                "waste",
                "Concentration of waste and waste fraction per pipeline",
                draw if fractions else None,
                _missing(result),
                ncols=2,
                size=(4.8, 3.2),
            ),
        ),
        (table,) if result.rows else (),
    )


def _cadence(reader: _Reader) -> Section:
    result = reader.analysis("deployment_cadence")
    gaps = result.values("median_hours_between_pushes")
    staleness = result.values("time_averaged_staleness_hours")
    per_day = result.values("pushes_per_day")

    def draw(ax_gaps, ax_stale) -> None:
        if gaps:
            _cdf(ax_gaps, gaps, color="#4e79a7")
            _log_if_spread(ax_gaps, gaps)
        ax_gaps.set_xlabel("median hours between pushes")
        if staleness:
            _cdf(ax_stale, staleness, color="#b07aa1")
            _log_if_spread(ax_stale, staleness)
        ax_stale.set_xlabel("time-averaged staleness of the serving model (hours)")

    return Section(
        "cadence",
        "Deployment cadence and freshness",
        "How often do pipelines deploy, and how fresh is the model they serve?",
        "CDFs over pipelines that pushed: the median gap between pushes, and the "
        "time-averaged staleness of the serving model (age of the latest pushed model's "
        "training, averaged exactly over the window from the first push to the source's "
        "as-of time: docs/semantics.md section 6). Query: analyses/deployment_cadence.sql.",
        (
            _chart(
                "cadence",
                "Time between pushes and staleness of the serving model",
                draw if (gaps or staleness) else None,
                _missing(result),
                ncols=2,
                size=(4.8, 3.2),
            ),
        ),
        (
            _distribution_table(
                reader,
                "cadence",
                ("pushes_per_day", "pushes per day"),
                ("median_hours_between_pushes", "median hours between pushes"),
                ("time_averaged_staleness_hours", "time-averaged staleness (hours)"),
                digits=2,
            ),
        )
        if per_day
        else (),
    )


def _opportunities(reader: _Reader) -> Section:
    """What pruning, caching and incremental processing would save (rpt_report_opportunities)."""
    result = reader.table("rpt_report_opportunities", "saving_order")
    policy = next((r for r in result.rows if r["pruning_policy"] is not None), None)
    if policy:
        threshold = _num(policy["pruning_threshold"], 3)
        counted = f"Pruning counts policy {policy['pruning_policy']} at threshold {threshold}"
    else:
        counted = "No pruning policy saves waste within the staleness budget"
    table = Table(
        ("saving", "executions", "cost saved", "share of the range's cost"),
        tuple(
            (
                r["saving_kind"],
                _num(r["n_executions"]),
                _num(r["saving"], 0),
                _pct(r["share_of_evaluation_cost"]),
            )
            for r in result.rows
        ),
    )
    missing = _missing(result)
    return Section(
        "opportunities",
        "Optimisation opportunities",
        "What would pruning, caching and incremental processing have saved?",
        "Over the pruning simulation's evaluation range. Pruning: the executions the "
        "recommended policy skips (the most waste saved within the staleness budget). "
        "Caching: recomputations, "
        "runs of a node on inputs it had already completed a run on. Incremental: runs "
        "over rolling windows of spans, cost x the share of spans the node's previous run "
        "processed. Each execution's saving is counted once, in that order, so the rows add "
        f"up to the total (docs/semantics.md section 9). {counted}."
        + (f" No data ({missing})." if missing else ""),
        (),
        (table,) if result.rows else (),
    )


# -- the pages ------------------------------------------------------------------------------------
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def page_assets() -> dict[str, Any]:
    """The inline style sheet and scripts every page carries (files of the package)."""
    scripts = "\n".join((TEMPLATES_DIR / name).read_text(encoding="utf-8") for name in SCRIPT_FILES)
    if "</script" in scripts.lower():
        raise AssertionError("a page script may not contain </script")
    return {
        "css": (TEMPLATES_DIR / "_style.css").read_text(encoding="utf-8"),
        "scripts": scripts,
        "role_colors": ROLE_COLORS,
    }


def render_html(warehouse: Path, reader: _Reader, site: SiteData | None = None) -> str:
    headline, outcomes, sources = _headline(reader)
    sections = [
        _lifespan(reader),
        _models(reader),
        _frequency(reader),
        _shapes(reader),
        _cost(reader),
        _push_rate(reader),
        _waste(reader),
        _cadence(reader),
        _opportunities(reader),
    ]
    site = site if site is not None else read_site(reader.rows)
    template = _environment().get_template("report.html.j2")
    return template.render(
        warehouse=str(warehouse),
        headline=headline,
        outcomes=outcomes,
        sources=sources,
        sections=sections,
        wasteful=pipeline_table(site.pipelines[:WASTEFUL_PIPELINES], site.waste, ""),
        **page_assets(),
    )


SITE_ENTRIES = ("index.html", "pipelines.html", "pipelines", "graphlets")


def write_report(snapshot: Path, out_dir: Path, options: SiteOptions | None = None) -> Path:
    """Write the report on ``snapshot`` into ``out_dir``; return the path of ``index.html``.

    ``snapshot`` is the published snapshot (or any file with the marts, e.g. the warehouse),
    opened read-only. Next to ``index.html``: ``pipelines.html``, a page per pipeline in
    ``pipelines/`` and a page per chosen graphlet in ``graphlets/`` (graphlets/readers/site.py).
    The pages are written into a temporary folder next to ``out_dir`` and moved into place
    when all are written, replacing those of an earlier report and nothing else: a failure
    leaves no half-written report.
    """
    options = options or SiteOptions()
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect(snapshot, read_only=True)
    try:
        with tempfile.TemporaryDirectory(prefix=".report-", dir=out_dir) as tmp:
            staging = Path(tmp)
            reader = _Reader(con)
            site = read_site(reader.rows)
            site.pruning = pipeline_pruning(con)
            html = render_html(snapshot, reader, site)
            write_pages(staging, _environment(), reader.rows, site, options, page_assets())
            (staging / "index.html").write_text(html, encoding="utf-8")
            for name in SITE_ENTRIES:
                target = out_dir / name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                elif target.exists() or target.is_symlink():
                    target.unlink()
                (staging / name).rename(target)
    finally:
        con.close()
    return out_dir / "index.html"
