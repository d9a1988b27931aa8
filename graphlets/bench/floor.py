"""The benchmark's floor: the core of the warehouse as plain DuckDB SQL, straight from the store.

A minimal computation of the same thing the dbt project builds first (graph, walks, outcomes,
costs, waste) from one ML Metadata SQLite file, with none of the project's machinery: no
loader, no staging, no incremental bookkeeping, no tests, no multi-source union, no
quarantine. What the project costs above it is the price of those; the benchmark reports each
step's ratio to it. It keeps the rules that decide the answers (docs/semantics.md sections
1.5, 1.8, 2 and 3.1) in their simplest form: roles by type name, edges by the time rule,
upstream walks stopping at trainers and history edges, downstream walks over evaluate / infra
validation / push roles owned by the anchor trained last, the `pushed` outcome, costs by the
`cost` property or the duration, a shared member's cost split evenly over its graphlets. It
ignores what only corrupt or non-TFX stores need (hop bounds, cycles, role rules on task
names, properties of the wrong type).

``python -m graphlets.bench.floor STORE`` prints its counts as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from graphlets.core import extensions

# MLMD's enums (ml_metadata/proto/metadata_store.proto).
_INPUT, _OUTPUT = 3, 4
_COMPLETE, _CACHED = 3, 5

_STEPS = (
    f"""
create table ex as
select
    e.id,
    case
        when t.name like '%Trainer' then 'train'
        when t.name like '%InfraValidator' then 'infra_validate'
        when t.name like '%Evaluator' or t.name like '%ModelValidator' then 'evaluate'
        when t.name like '%Pusher' then 'push'
        when t.name like '%Resolver' or t.name like '%Importer%' then 'resolve'
        else 'other'
    end as role,
    e.last_known_state as state,
    e.create_time_since_epoch as start_ms,
    e.last_update_time_since_epoch as end_ms,
    n.node_id,
    case
        when e.last_known_state = {_CACHED} then 0.0
        when c.cost >= 0 then c.cost
        when e.last_update_time_since_epoch >= e.create_time_since_epoch
            then (e.last_update_time_since_epoch - e.create_time_since_epoch) / 1000.0
        else 0.0
    end as cost
from s.Execution as e
inner join s.Type as t on t.id = e.type_id
left join (
    select a.execution_id, min(a.context_id) as node_id
    from s.Association as a
    inner join s.Context as c on c.id = a.context_id
    inner join s.Type as t on t.id = c.type_id
    where t.name = 'node'
    group by all
) as n on n.execution_id = e.id
left join (
    select execution_id, coalesce(double_value, int_value) as cost
    from s.ExecutionProperty
    where name = 'cost'
) as c on c.execution_id = e.id
""",
    f"""
create table edges as
with
outs as (
    select artifact_id, execution_id, min(milliseconds_since_epoch) as out_ms
    from s.Event where type = {_OUTPUT} group by all
),
ins as (
    select
        ev.artifact_id,
        ev.execution_id,
        bool_and(coalesce(p.step_key in ('baseline_model', 'baseline'), false)) as baseline
    from s.Event as ev
    left join s.EventPath as p on p.event_id = ev.id and not p.is_index_step
    where ev.type = {_INPUT}
    group by all
)
select
    outs.execution_id as p,
    ins.execution_id as x,
    bool_and(ins.baseline) as baseline_only,
    coalesce(pe.node_id = xe.node_id, false) as same_node,
    pe.role as p_role,
    xe.role as x_role
from outs
inner join ins on ins.artifact_id = outs.artifact_id
inner join ex as pe on pe.id = outs.execution_id
inner join ex as xe on xe.id = ins.execution_id
where pe.role <> 'resolve' and xe.role <> 'resolve' and pe.id <> xe.id
    and (outs.out_ms is null or xe.start_ms is null or outs.out_ms <= xe.start_ms)
group by all
""",
    """
create table upstream as
with recursive up(anchor, id) as (
    select id, id from ex where role = 'train'
    union
    select up.anchor, edges.p
    from up
    inner join edges on edges.x = up.id
    where edges.p_role <> 'train' and not edges.same_node
)
select anchor, id from up where anchor <> id
""",
    """
create table downstream as
with recursive down(anchor, id) as (
    select id, id from ex where role = 'train'
    union
    select down.anchor, edges.x
    from down
    inner join edges on edges.p = down.id
    where edges.x_role in ('evaluate', 'infra_validate', 'push')
        and not edges.baseline_only and not edges.same_node
)
select arg_max(down.anchor, (a.end_ms, a.id)) as anchor, down.id
from down
inner join ex as a on a.id = down.anchor
where down.anchor <> down.id
group by down.id
""",
    f"""
create table outcomes as
with
pushes as (
    select downstream.anchor
    from downstream
    inner join ex on ex.id = downstream.id
    left join s.Event as o on o.execution_id = ex.id and o.type = {_OUTPUT}
    left join s.ArtifactProperty as f on f.artifact_id = o.artifact_id and f.name = 'pushed'
    where ex.role = 'push' and ex.state in ({_COMPLETE}, {_CACHED})
    group by all
    having bool_or(f.int_value = 1) or count(f.artifact_id) = 0
)
select ex.id as anchor, ex.id in (select anchor from pushes) as pushed
from ex where ex.role = 'train'
""",
    """
create table member_costs as
with members as (
    select anchor, anchor as id from outcomes
    union all select anchor, id from upstream
    union all select anchor, id from downstream
),
shared as (
    select id, count(*) as n from members group by id
)
select members.anchor, sum(ex.cost / shared.n) as cost
from members
inner join ex on ex.id = members.id
inner join shared on shared.id = members.id
group by members.anchor
""",
)

_SUMMARY = """
select
    (select count(*) from outcomes) as graphlets,
    (select count(*) from outcomes where pushed) as pushed,
    (select count(*) from upstream) as upstream_memberships,
    (select count(*) from downstream) as downstream_owned,
    (select coalesce(sum(cost), 0) from member_costs) as attributed_cost,
    (select coalesce(sum(m.cost), 0) from member_costs as m
        inner join outcomes as o on o.anchor = m.anchor where not o.pushed) as unpushed_cost
"""


def run_floor(store: Path) -> dict[str, float]:
    """Compute the core from ``store`` in an in-memory DuckDB; its counts and timing."""
    started = time.monotonic()
    con = duckdb.connect(":memory:")
    try:
        extensions.load(con, "sqlite")
        con.execute(f"attach '{_escape(str(store))}' as s (type sqlite, read_only)")
        for sql in _STEPS:
            con.execute(sql)
        row = con.execute(_SUMMARY).fetchone()
        assert row is not None
        names = [d[0] for d in con.description or ()]
    finally:
        con.close()
    return {**dict(zip(names, row, strict=True)), "seconds": time.monotonic() - started}


def _escape(value: str) -> str:
    return value.replace("'", "''")


if __name__ == "__main__":
    print(json.dumps(run_floor(Path(sys.argv[1]))))
