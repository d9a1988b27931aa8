"""The report's pages beyond the index: one per pipeline, one per reachable graphlet.

``write_site`` reads the marts (the same read-only connection as the index) and writes
``pipelines/<safe id>.html`` for every pipeline, ``pipelines.html`` (every pipeline in one
sortable, filterable table) and ``graphlets/<id>.html`` for the graphlets a reader reaches
from a pipeline page: each pipeline's ``latest`` most recent and ``most_wasteful`` most
wasteful graphlets (docs/report.md). Writing a page for each of 450k graphlets would be too
much; a link to a graphlet is written only when its page is. Every value reaches the
templates as text and is escaped there (autoescape); file names come from
:mod:`graphlets.readers.site_names`.

The member DAG of a graphlet draws the provenance edges between its members
(``marts.fct_execution_edges``); on marts built before that table existed the members hang
off a member one hop nearer the trainer instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from graphlets.readers.charts import OUTCOME_COLORS
from graphlets.readers.formatting import num, pct
from graphlets.readers.member_dag import WASTE_STROKES, Member, member_dag_svg
from graphlets.readers.site_charts import daily_bars
from graphlets.readers.site_names import (
    DEFAULT_LATEST,
    DEFAULT_MOST_WASTEFUL,
    graphlet_page,
    pipeline_page,
)

OUTCOME_ORDER = (
    "pushed",
    "not_blessed",
    "infra_rejected",
    "not_pushed",
    "training_failed",
    "pending",
)
COST_COLORS = {"productive": "#4e79a7", "wasted": "#e15759", "other": "#bab0ac"}
PIPELINE_TABLE_ROWS = 500
WASTEFUL_RUNS = 10


Row = dict[str, Any]


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, the page it links to (relative), its sort key; ``wrap``: a
    long unbroken name (a dotted type) that may break anywhere to keep the table in its card."""

    text: str
    href: str | None = None
    sort: str | None = None
    mono: bool = False
    wrap: bool = False


@dataclass(frozen=True)
class LinkTable:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...] = ()
    sortable: bool = False
    table_id: str = ""


@dataclass(frozen=True)
class SiteOptions:
    """Which graphlet pages to write: per pipeline, its latest and most wasteful graphlets."""

    latest: int = DEFAULT_LATEST
    most_wasteful: int = DEFAULT_MOST_WASTEFUL


@dataclass
class SiteData:
    """Everything the pages show, read once from the marts."""

    pipelines: list[Row] = field(default_factory=list)
    graphlets_by_pipeline: dict[str, list[Row]] = field(default_factory=dict)
    waste: dict[str, Row] = field(default_factory=dict)
    cadence: dict[str, Row] = field(default_factory=dict)
    pruning: dict[str, tuple[str, bool]] = field(default_factory=dict)


def number_cell(value: Any, digits: int = 1, percent: bool = False) -> Cell:
    text = pct(value) if percent else num(value, digits)
    return Cell(text, sort="" if value is None else repr(float(value)))


def pipeline_cell(row: Row, prefix: str) -> Cell:
    name = row.get("pipeline_name") or str(row["pipeline_id"])
    return Cell(str(name), href=prefix + pipeline_page(row["pipeline_id"]))


def graphlet_cell(graphlet_id: Any, written: set[str], prefix: str) -> Cell:
    key = str(graphlet_id)
    href = prefix + graphlet_page(key) if key in written else None
    return Cell(key, href=href, sort=key, mono=True)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "–"


# -- reading -------------------------------------------------------------------------------------
def read_site(query: Any) -> SiteData:
    """The pipelines, their graphlets, waste and cadence; empty when the marts are missing."""
    data = SiteData()
    data.pipelines = query(
        """select p.pipeline_id, p.source_id, p.pipeline_name, p.first_activity_at,
                  p.last_activity_at, p.n_executions, p.n_graphlets, p.n_models_trained,
                  p.n_pushed, p.push_rate, p.total_cost, p.wasted_cost
           from marts.dim_pipelines as p order by p.wasted_cost desc nulls last, p.pipeline_id"""
    )
    graphlets = query(
        """select graphlet_id, pipeline_id, outcome, is_pushed, trained_at, started_at,
                  pushed_at, n_executions, total_cost, attributed_cost, wasted_cost
           from marts.fct_graphlets order by pipeline_id, trained_at, graphlet_id"""
    )
    by_pipeline: dict[str, list[Row]] = defaultdict(list)
    for row in graphlets:
        by_pipeline[str(row["pipeline_id"])].append(row)
    data.graphlets_by_pipeline = dict(by_pipeline)
    data.waste = {
        str(r["pipeline_id"]): r for r in query("select * from marts.rpt_waste_by_pipeline")
    }
    data.cadence = {
        str(r["pipeline_id"]): r for r in query("select * from marts.rpt_deployment_cadence")
    }
    return data


def choose_graphlets(data: SiteData, options: SiteOptions) -> set[str]:
    """The graphlets whose pages are written: per pipeline, the latest and most wasteful."""
    chosen: set[str] = set()
    for rows in data.graphlets_by_pipeline.values():
        by_time = sorted(
            rows,
            key=lambda r: (r["trained_at"] or r["started_at"] or datetime.min, r["graphlet_id"]),
        )
        chosen.update(str(r["graphlet_id"]) for r in by_time[-options.latest :] if options.latest)
        wasteful = sorted(
            (r for r in rows if (r["wasted_cost"] or 0) > 0),
            key=lambda r: (-(r["wasted_cost"] or 0), r["graphlet_id"]),
        )
        chosen.update(str(r["graphlet_id"]) for r in wasteful[: options.most_wasteful])
    return chosen


# -- the pipeline pages --------------------------------------------------------------------------
def _daily(rows: Iterable[Row]) -> tuple[list[tuple[date, dict[str, float]]], list]:
    outcomes: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    costs: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        when = r["trained_at"] or r["started_at"]
        if when is None:
            continue
        day = when.date()
        outcomes[day][r["outcome"]] += 1
        wasted = float(r["wasted_cost"] or 0)
        total = float(r["attributed_cost"] or 0)
        costs[day]["wasted"] += wasted
        costs[day]["productive" if r["is_pushed"] else "other"] += max(0.0, total - wasted)
    return sorted(outcomes.items()), sorted(costs.items())


def pipeline_context(
    pipeline: Row, data: SiteData, written: set[str], pruning: tuple[str, bool]
) -> dict[str, Any]:
    pid = str(pipeline["pipeline_id"])
    rows = data.graphlets_by_pipeline.get(pid, [])
    waste = data.waste.get(pid, {})
    cadence = data.cadence.get(pid, {})
    per_day, cost_per_day = _daily(rows)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["outcome"]] += 1
    outcomes = LinkTable(
        ("outcome", "graphlets", "share of its graphlets"),
        tuple(
            (Cell(o), number_cell(counts[o]), number_cell(counts[o] / len(rows), percent=True))
            for o in OUTCOME_ORDER
            if counts.get(o)
        ),
    )
    facts = LinkTable(
        (
            "graphlets",
            "models trained",
            "pushed",
            "push rate",
            "total cost",
            "wasted cost",
            "waste share",
            "waste rank in source",
        ),
        (
            (
                number_cell(pipeline["n_graphlets"]),
                number_cell(pipeline["n_models_trained"]),
                number_cell(pipeline["n_pushed"]),
                number_cell(pipeline["push_rate"], percent=True),
                number_cell(pipeline["total_cost"], 0),
                number_cell(pipeline["wasted_cost"], 0),
                number_cell(waste.get("waste_fraction"), percent=True),
                number_cell(waste.get("waste_rank_in_source")),
            ),
        ),
    )
    cadence_table = LinkTable(
        (
            "pushes",
            "pushes per day",
            "median hours between pushes",
            "time-averaged staleness (h)",
            "staleness at as-of time (h)",
            "last push",
        ),
        (
            (
                number_cell(cadence.get("n_pushes")),
                number_cell(cadence.get("pushes_per_day"), 2),
                number_cell(cadence.get("median_hours_between_pushes"), 1),
                number_cell(cadence.get("time_averaged_staleness_hours"), 1),
                number_cell(cadence.get("staleness_at_as_of_hours"), 1),
                Cell(_when(cadence.get("last_push_at"))),
            ),
        ),
    )
    wasteful = sorted(
        (r for r in rows if (r["wasted_cost"] or 0) > 0),
        key=lambda r: (-(r["wasted_cost"] or 0), r["graphlet_id"]),
    )[:WASTEFUL_RUNS]
    latest_first = sorted(
        rows,
        key=lambda r: (r["trained_at"] or r["started_at"] or datetime.min, r["graphlet_id"]),
        reverse=True,
    )
    return {
        "pipeline_name": str(pipeline["pipeline_name"] or pid),
        "pipeline_id": pid,
        "source_id": str(pipeline["source_id"]),
        "first_activity": _when(pipeline["first_activity_at"]),
        "last_activity": _when(pipeline["last_activity_at"]),
        "facts": facts,
        "outcomes": outcomes,
        "cadence": cadence_table,
        "per_day_svg": daily_bars(
            per_day, OUTCOME_ORDER, OUTCOME_COLORS, "graphlets", "graphlets per day"
        ),
        "cost_svg": daily_bars(
            cost_per_day,
            ("productive", "other", "wasted"),
            COST_COLORS,
            "cost",
            "attributed cost per day",
        ),
        "wasteful": _graphlet_table(wasteful, written, "wasteful"),
        "graphlets": _graphlet_table(latest_first[:PIPELINE_TABLE_ROWS], written, "graphlets"),
        "n_graphlets": len(rows),
        "n_shown": min(len(rows), PIPELINE_TABLE_ROWS),
        "n_pages": sum(1 for r in rows if str(r["graphlet_id"]) in written),
        "pruning": pruning[0],
        "pruning_class": "finding" if pruning[1] else "",
    }


def _graphlet_table(rows: Sequence[Row], written: set[str], table_id: str) -> LinkTable:
    return LinkTable(
        ("graphlet", "trained at", "outcome", "members", "cost", "wasted cost"),
        tuple(
            (
                graphlet_cell(r["graphlet_id"], written, "../"),
                Cell(_when(r["trained_at"])),
                Cell(str(r["outcome"])),
                number_cell(r["n_executions"]),
                number_cell(r["attributed_cost"], 0),
                number_cell(r["wasted_cost"], 0),
            )
            for r in rows
        ),
        numeric=(False, False, False, True, True, True),
        sortable=True,
        table_id=table_id,
    )


def pipeline_table(pipelines: Sequence[Row], waste: dict[str, Row], prefix: str) -> LinkTable:
    """Pipelines with their graphlets, pushes, cost and waste, linked to their pages."""
    return LinkTable(
        ("pipeline", "source", "graphlets", "pushed", "cost", "waste", "waste share"),
        tuple(
            (
                pipeline_cell(p, prefix),
                Cell(str(p["source_id"])),
                number_cell(p["n_graphlets"]),
                number_cell(p["n_pushed"]),
                number_cell(p["total_cost"], 0),
                number_cell(p["wasted_cost"], 0),
                number_cell(
                    waste.get(str(p["pipeline_id"]), {}).get("waste_fraction"), percent=True
                ),
            )
            for p in pipelines
        ),
        numeric=(False, False, True, True, True, True, True),
        sortable=True,
        table_id="pipelines",
    )


# -- the graphlet pages --------------------------------------------------------------------------
def read_members(query: Any, graphlet_ids: Sequence[str]) -> dict[str, list[Row]]:
    ids = [int(g) if g.isdigit() else g for g in graphlet_ids]
    rows = query(
        """select ge.graphlet_id, ge.execution_id, ge.role, ge.relation, ge.hops,
                  ge.cost as member_cost, ge.attributed_cost, ge.wasted_cost,
                  e.type_name, e.state, e.waste_class, e.started_at, e.ended_at
           from marts.fct_graphlet_executions as ge
           left join marts.fct_executions as e on ge.execution_id = e.execution_id
           where ge.graphlet_id in (select unnest($ids))
           order by ge.graphlet_id, ge.hops, ge.execution_id""",
        {"ids": ids},
    )
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        out[str(r["graphlet_id"])].append(r)
    return out


def read_edges(query: Any, execution_ids: Sequence[Any]) -> dict[Any, list[Any]] | None:
    """Producer -> consumers among ``execution_ids`` (None: the edges are not published)."""
    rows = query(
        """select producer_execution_id as a, consumer_execution_id as b
           from marts.fct_execution_edges
           where not is_same_node
             and producer_execution_id in (select unnest($ids))
             and consumer_execution_id in (select unnest($ids))""",
        {"ids": list(execution_ids)},
        missing_ok=True,
    )
    if rows is None:
        return None
    out: dict[Any, list[Any]] = defaultdict(list)
    for r in rows:
        out[r["a"]].append(r["b"])
    return out


def read_lineage(query: Any, graphlet_ids: Sequence[str]) -> tuple[dict, dict]:
    ids = [int(g) if g.isdigit() else g for g in graphlet_ids]
    rows = query(
        """select graphlet_id, ancestor_graphlet_id, ancestor_pipeline_id, pipeline_id
           from marts.fct_model_lineage
           where is_parent and (graphlet_id in (select unnest($ids))
                                or ancestor_graphlet_id in (select unnest($ids)))
           order by graphlet_id, ancestor_graphlet_id""",
        {"ids": ids},
    )
    parents: dict[str, list[Row]] = defaultdict(list)
    children: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        parents[str(r["graphlet_id"])].append(r)
        children[str(r["ancestor_graphlet_id"])].append(r)
    return parents, children


def _hop_edges(members: Sequence[Row]) -> list[tuple[str, str]]:
    """Without published edges: each member hangs off a member one hop nearer the trainer."""
    by_hops: dict[int, list[str]] = defaultdict(list)
    for m in members:
        by_hops[int(m["hops"] or 0)].append(str(m["execution_id"]))
    edges = []
    for m in members:
        hops, key = int(m["hops"] or 0), str(m["execution_id"])
        if hops == 0:
            continue
        nearer = by_hops.get(hops - 1) if hops > 0 else None
        if nearer:
            edges.append((key, nearer[0]) if m["relation"] != "downstream" else (nearer[0], key))
    return edges


def graphlet_context(
    graphlet: Row,
    members: Sequence[Row],
    edges: dict[Any, list[Any]] | None,
    parents: Sequence[Row],
    children: Sequence[Row],
    written: set[str],
    pipeline_names: dict[str, str],
) -> dict[str, Any]:
    if edges is None:
        pairs = _hop_edges(members)
    else:
        ids = {m["execution_id"] for m in members}
        pairs = [(str(a), str(b)) for a in ids for b in edges.get(a, ()) if b in ids and a != b]
    dag = member_dag_svg(
        [
            Member(
                str(m["execution_id"]),
                str(m["role"] or "other"),
                str(m["type_name"] or ""),
                m["waste_class"],
                str(m["relation"] or ""),
                m["attributed_cost"],
            )
            for m in members
        ],
        pairs,
    )
    pid = str(graphlet["pipeline_id"])

    def lineage_table(rows: Sequence[Row], column: str, pipeline_column: str) -> LinkTable:
        return LinkTable(
            ("graphlet", "pipeline"),
            tuple(
                (
                    graphlet_cell(r[column], written, "../"),
                    Cell(
                        pipeline_names.get(str(r[pipeline_column]), str(r[pipeline_column])),
                        href="../" + pipeline_page(r[pipeline_column]),
                    ),
                )
                for r in rows
            ),
        )

    member_table = LinkTable(
        (
            "execution",
            "role",
            "type",
            "relation",
            "hops",
            "state",
            "waste class",
            "attributed cost",
        ),
        tuple(
            (
                Cell(str(m["execution_id"]), mono=True),
                Cell(str(m["role"])),
                Cell(str(m["type_name"]), wrap=True),
                Cell(str(m["relation"])),
                number_cell(m["hops"]),
                Cell(str(m["state"])),
                Cell(str(m["waste_class"] or "–")),
                number_cell(m["attributed_cost"], 0),
            )
            for m in members
        ),
        numeric=(False, False, False, False, True, False, False, True),
        sortable=True,
        table_id="members",
    )
    span_min, span_max = graphlet.get("input_span_min"), graphlet.get("input_span_max")
    facts = LinkTable(
        ("outcome", "trained at", "pushed at", "members", "cost", "wasted cost", "data window"),
        (
            (
                Cell(str(graphlet["outcome"])),
                Cell(_when(graphlet["trained_at"])),
                Cell(_when(graphlet["pushed_at"])),
                number_cell(graphlet["n_executions"]),
                number_cell(graphlet["attributed_cost"], 0),
                number_cell(graphlet["wasted_cost"], 0),
                Cell("–" if span_min is None else f"spans {num(span_min)} to {num(span_max)}"),
            ),
        ),
    )
    roles = sorted({str(m["role"] or "other") for m in members})
    return {
        "graphlet_id": str(graphlet["graphlet_id"]),
        "pipeline_name": pipeline_names.get(pid, pid),
        "pipeline_href": "../" + pipeline_page(pid),
        "facts": facts,
        "dag_svg": dag,
        "edges_known": edges is not None,
        "n_members": len(members),
        "members": member_table,
        "parents": lineage_table(parents, "ancestor_graphlet_id", "ancestor_pipeline_id"),
        "children": lineage_table(children, "graphlet_id", "pipeline_id"),
        "roles": roles,
        "waste_strokes": WASTE_STROKES,
    }


def read_graphlet_rows(query: Any, graphlet_ids: Sequence[str]) -> list[Row]:
    ids = [int(g) if g.isdigit() else g for g in graphlet_ids]
    return query(
        """select graphlet_id, pipeline_id, outcome, trained_at, pushed_at, n_executions,
                  attributed_cost, wasted_cost, input_span_min, input_span_max
           from marts.fct_graphlets where graphlet_id in (select unnest($ids))
           order by graphlet_id""",
        {"ids": ids},
    )


def write_pages(
    out_dir: Path,
    env: jinja2.Environment,
    query: Any,
    data: SiteData,
    options: SiteOptions,
    base: dict[str, Any],
) -> set[str]:
    """Write the pipeline and graphlet pages; return the ids of the graphlets written."""
    written = choose_graphlets(data, options)
    pipelines_dir, graphlets_dir = out_dir / "pipelines", out_dir / "graphlets"
    pipelines_dir.mkdir(parents=True, exist_ok=True)
    graphlets_dir.mkdir(parents=True, exist_ok=True)
    page = env.get_template("pipeline.html.j2")
    for p in data.pipelines:
        context = pipeline_context(
            p, data, written, data.pruning.get(str(p["pipeline_id"]), ("", False))
        )
        (out_dir / pipeline_page(p["pipeline_id"])).write_text(
            page.render(**base, **context), encoding="utf-8"
        )
    all_pipelines = env.get_template("pipelines.html.j2")
    (out_dir / "pipelines.html").write_text(
        all_pipelines.render(**base, table=pipeline_table(data.pipelines, data.waste, "")),
        encoding="utf-8",
    )
    names = {
        str(p["pipeline_id"]): str(p["pipeline_name"] or p["pipeline_id"]) for p in data.pipelines
    }
    graphlet_template = env.get_template("graphlet.html.j2")
    ordered = sorted(written)
    for start in range(0, len(ordered), 2000):
        batch = ordered[start : start + 2000]
        members = read_members(query, batch)
        execution_ids = [m["execution_id"] for ms in members.values() for m in ms]
        edges = read_edges(query, execution_ids)
        parents, children = read_lineage(query, batch)
        for g in read_graphlet_rows(query, batch):
            key = str(g["graphlet_id"])
            context = graphlet_context(
                g,
                members.get(key, []),
                edges,
                parents.get(key, []),
                children.get(key, []),
                written,
                names,
            )
            (out_dir / graphlet_page(key)).write_text(
                graphlet_template.render(**base, **context), encoding="utf-8"
            )
    return written
