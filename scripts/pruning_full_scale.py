"""Measure the pruning trade-off on the default generated corpus (docs/pruning.md, section 6).

    .venv/bin/python scripts/pruning_full_scale.py [--store /tmp/full.sqlite]
        [--warehouse /tmp/pruning_full.duckdb] [--out docs/pruning] [--skip-load | --skip-build]

Generates the default corpus (3000 pipelines x 120 days, seed 0) when the store is missing,
loads it into a fresh warehouse, runs the full `dbt build` (every model and test), then writes
into OUT: the prune report (`pruning_report.md`, `pruning_tradeoff.svg/.png`) and
`results.json` (machine, date, timings, corpus, the trade-off table, where the evaluation
range's waste sits, and the answer to "does some policy save >= 50% of the waste for <= 5%
more staleness?"). docs/pruning.md quotes these files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

import duckdb

from graphlets.build.dbt import build
from graphlets.readers.pruning_report import write_prune_report
from graphlets.synth.generate import generate
from loaders.mlmd import load_mlmd

REPO = Path(__file__).resolve().parent.parent
TARGET_WASTE, BUDGET = 0.5, 0.05

# Where the evaluation range's waste sits: what a policy can save at all (anchors and
# downstream members; upstream work is spent before any decision), in pipelines that never
# push, in trainings with no data newer than the last blessed model's, the rest; how much of
# it is priced by `cost` properties rather than durations (none, in the generated corpus).
WASTE_BREAKDOWN = """
with decisions as (
    select * from marts.fct_pruning_decisions where policy = 'never_prune'
),
features as (select * from marts.fct_graphlet_features),
splits as (select * from intermediate.int_pruning_splits),
evaluation_executions as (
    select x.*
    from marts.fct_executions as x
    inner join splits using (source_id)
    where x.started_at >= splits.split_at
),
totals as (
    select
        sum(cost) as evaluation_cost,
        sum(cost) filter (where waste_class = 'wasted') as evaluation_wasted_cost,
        sum(cost) filter (where waste_class = 'wasted' and cost_basis = 'property')
            as wasted_cost_from_cost_properties,
        count(*) filter (where cost_basis = 'property') * 1.0 / count(*)
            as executions_with_cost_property_share
    from evaluation_executions
),
savable as (
    select
        sum(d.potential_saved_wasted_cost) as savable_wasted_cost,
        sum(d.potential_saved_wasted_cost) filter (where p.n_pushed = 0)
            as savable_in_never_pushing_pipelines,
        sum(d.potential_saved_wasted_cost) filter (
            where p.n_pushed > 0 and f.span_advance_since_last_blessed <= 0)
            as savable_with_no_new_data_since_blessed,
        sum(d.potential_saved_wasted_cost) filter (
            where p.n_pushed > 0 and coalesce(f.span_advance_since_last_blessed > 0, true))
            as savable_other,
        avg(case when d.is_pushed then 1.0 else 0.0 end) as push_rate,
        avg(case when d.is_pushed then 1.0 else 0.0 end) filter (
            where f.span_advance_since_last_blessed <= 0) as push_rate_no_new_data,
        avg(case when d.is_pushed then 1.0 else 0.0 end) filter (
            where p.n_pushed > 0 and coalesce(f.span_advance_since_last_blessed > 0, true))
            as push_rate_other
    from decisions as d
    inner join features as f using (graphlet_id)
    inner join marts.dim_pipelines as p on d.pipeline_id = p.pipeline_id
)
select * from totals, savable
"""


def _machine() -> dict:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "load_average_at_end": os.getloadavg(),
        "duckdb": duckdb.__version__,
    }


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/full.sqlite"))
    parser.add_argument("--warehouse", type=Path, default=Path("/tmp/pruning_full.duckdb"))
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "pruning")
    parser.add_argument("--dbt-log-path", type=Path, default=Path("/tmp/pruning_full_logs"))
    parser.add_argument("--skip-load", action="store_true", help="Reuse a loaded warehouse.")
    parser.add_argument("--skip-build", action="store_true", help="Reuse a built warehouse.")
    args = parser.parse_args()
    timings: dict[str, float] = {}
    started = dt.datetime.now(dt.UTC)
    if not args.store.exists():
        t = time.monotonic()
        generate(args.store)
        timings["generate_s"] = round(time.monotonic() - t, 1)
    if not (args.skip_load or args.skip_build):
        if args.warehouse.exists():
            args.warehouse.unlink()
        t = time.monotonic()
        load_mlmd(args.warehouse, str(args.store), "full")
        timings["load_s"] = round(time.monotonic() - t, 1)
    if not args.skip_build:
        t = time.monotonic()
        summary = build(args.warehouse, ["--log-path", str(args.dbt_log_path)], publish=False)
        timings["dbt_build_s"] = round(time.monotonic() - t, 1)
        timings["dbt_build_results"] = {
            "passed": summary.passed,
            "warned": summary.warned,
            "failed": summary.failed,
        }
    report = write_prune_report(args.warehouse, args.out, BUDGET)
    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        corpus = _rows(
            con,
            """select
                   (select count(*) from marts.dim_pipelines) as pipelines,
                   (select count(*) from marts.fct_executions) as executions,
                   (select count(*) from marts.fct_graphlets) as graphlets,
                   (select count(*) filter (where is_pushed) from marts.fct_graphlets) as pushed,
                   (select min(split_at) from intermediate.int_pruning_splits) as split_at,
                   (select max(range_end_at) from intermediate.int_pruning_splits) as as_of_at,
                   (select count(*) filter (where is_training_row)
                    from marts.fct_pruning_scores) as training_rows""",
        )[0]
        breakdown = _rows(con, WASTE_BREAKDOWN)[0]
    finally:
        con.close()
    best = report.recommendations[0].point
    answer = {
        "target_waste_saved_fraction": TARGET_WASTE,
        "max_staleness_increase_fraction": BUDGET,
        "best_within_budget": None if best is None else best.label,
        "best_waste_saved_fraction": None if best is None else best.waste_saved_fraction,
        "best_staleness_increase_fraction": None
        if best is None
        else best.staleness_increase_fraction,
        "reached": best is not None and best.waste_saved_fraction >= TARGET_WASTE,
        "every_point_reaching_it": [
            p.label
            for p in report.tradeoff
            if p.waste_saved_fraction >= TARGET_WASTE and p.staleness_increase_fraction <= BUDGET
        ],
    }
    results = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "store": str(args.store),
        "timings": timings,
        "corpus": corpus,
        "waste_breakdown": breakdown,
        "answer": answer,
        "recommendations": [r.sentence for r in report.recommendations],
        "tradeoff": [
            {k: v for k, v in vars(p).items()} | {"label": p.label} for p in report.tradeoff
        ],
    }
    (args.out / "results.json").write_text(
        json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(json.dumps({"answer": answer, "timings": timings}, indent=2, default=str))


if __name__ == "__main__":
    main()
