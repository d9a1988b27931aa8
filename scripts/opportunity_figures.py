"""Print the optimisation-opportunity figures the README quotes, read from a built warehouse.

    .venv/bin/python scripts/opportunity_figures.py WAREHOUSE

Reads the published snapshot (or the warehouse itself when there is none), so it can run
beside a build. Every figure is a plain aggregate of the marts named in docs/semantics.md
section 9: nothing here is computed that the warehouse does not already hold.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from graphlets.core.snapshot import snapshot_path

FIGURES = {
    "all executions and their cost": """
        select count(*), round(sum(cost) / 1e6, 2) from marts.fct_executions""",
    "recomputations: count, cost (M), share of all cost, by role": """
        select role, count(*), round(sum(cost) / 1e6, 2),
               round(sum(cost) / (select sum(cost) from marts.fct_executions), 4)
        from marts.fct_recomputations group by all order by 3 desc""",
    "cache hits: count, cost avoided (M)": """
        select count(*), round(sum(avoided_cost) / 1e6, 2) from marts.fct_cache_hits""",
    "runs reading spans, runs re-reading their previous run's, mean share, by role": """
        select role, count(*), count(*) filter (where n_overlap_spans > 0),
               round(avg(overlap_share), 2)
        from marts.fct_window_overlaps group by all order by 2 desc""",
    "the evaluation range: saving by kind (M), share, executions": """
        select saving_kind, round(saving / 1e6, 2), round(share_of_evaluation_cost, 4),
               n_executions, round(evaluation_cost / 1e6, 2), pruning_policy,
               pruning_threshold
        from marts.rpt_report_opportunities order by saving_order""",
    "pipelines in the evaluation range": """
        select count(*) from marts.rpt_opportunities""",
}


def main(warehouse: Path) -> None:
    snapshot = snapshot_path(warehouse)
    path = snapshot if snapshot.exists() else warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        for title, sql in FIGURES.items():
            print(f"## {title}")
            for row in con.sql(sql).fetchall():
                print("  ", row)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: opportunity_figures.py WAREHOUSE")
    main(Path(sys.argv[1]))
