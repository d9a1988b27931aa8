"""Measure the graphlet walk sizes of a generated corpus (docs/generator.md, "Walk sizes").

    .venv/bin/python scripts/corpus_walk_sizes.py --pipelines 24 --days 21 --seed 7
    .venv/bin/python scripts/corpus_walk_sizes.py --warehouse /tmp/pruning_full.duckdb

Without --warehouse: generates the corpus in a scratch directory, loads it and builds the
warehouse models up to the graphlet memberships (`+int_graphlet_members`, no tests). With
--warehouse: reads an already built warehouse. Prints JSON: upstream members per graphlet
(mean, p50, p99, max), memberships (every (graphlet, member) row, trainer and downstream
included), and the share of executions and of wasted cost priced by a `cost` property when
the marts are built.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb

from graphlets.build.dbt import build
from graphlets.synth.generate import generate
from loaders.mlmd import load_mlmd

WALK_SIZES = """
with per_graphlet as (
    select a.graphlet_id, count(m.execution_id) as n_upstream
    from intermediate.int_graphlet_anchors as a
    left join intermediate.int_graphlet_members as m
        on m.graphlet_id = a.graphlet_id and m.relation = 'upstream'
    group by 1
)
select
    count(*) as graphlets,
    round(avg(n_upstream), 2) as upstream_mean,
    quantile_disc(n_upstream, 0.5) as upstream_p50,
    quantile_disc(n_upstream, 0.99) as upstream_p99,
    max(n_upstream) as upstream_max,
    (select count(*) from intermediate.int_graphlet_members) as memberships
from per_graphlet
"""

COST_UNITS = """
select
    count(*) filter (where cost_basis = 'property') * 1.0 / count(*)
        as executions_with_cost_property_share,
    sum(cost) filter (where waste_class = 'wasted' and cost_basis = 'property')
        / nullif(sum(cost) filter (where waste_class = 'wasted'), 0)
        as wasted_cost_from_cost_property_share
from marts.fct_executions
"""


def measure(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(WALK_SIZES)
        names = [d[0] for d in cur.description]
        out = dict(zip(names, cur.fetchone(), strict=True))
        has_marts = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'fct_executions'"
        ).fetchone()[0]
        if has_marts:
            cur = con.execute(COST_UNITS)
            names = [d[0] for d in cur.description]
            out |= dict(zip(names, cur.fetchone(), strict=True))
        return out
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="a built warehouse to read")
    parser.add_argument("--pipelines", type=int, default=24)
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.warehouse is not None:
        print(json.dumps(measure(args.warehouse), indent=2, default=str))
        return
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store, warehouse = Path(tmp) / "mlmd.sqlite", Path(tmp) / "warehouse.duckdb"
        t = time.monotonic()
        generate(store, pipelines=args.pipelines, days=args.days, seed=args.seed)
        timings["generate_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        load_mlmd(warehouse, str(store), "corpus")
        timings["load_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        build(
            warehouse,
            ["--select", "+int_graphlet_members", "--exclude-resource-type", "test"],
            publish=False,
        )
        timings["build_s"] = round(time.monotonic() - t, 1)
        scale = {"pipelines": args.pipelines, "days": args.days, "seed": args.seed}
        result = {"scale": scale, "timings": timings} | measure(warehouse)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
