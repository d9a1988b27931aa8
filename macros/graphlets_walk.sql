{#-
    The one place where the project recurses (docs/semantics.md section 2; docs/architecture.md,
    "recursion in one place"). A breadth-first walk over a prepared edge list; models are thin calls.

    seeds       relation (model or CTE name) with `walk_id`, `execution_id`: where each
                walk starts (hops 0). A walk is identified by its `walk_id`.
    edges       relation with `from_execution_id`, `to_execution_id`: the walk goes from
                `from` to `to`. Stop rules (other trainers, history edges, resolvers,
                baseline inputs) are applied by the model that prepares the edge list, so
                the walk itself only knows the depth bound.
    max_hops    the depth bound (var `graphlets_max_hops`): no row is deeper. `none`: the
                exact form below, without a bound.
    path_flag   optional boolean column of `edges` (bounded form only). The result's
                `is_flagged_path` is true when every path that reached the row crossed a
                flagged edge (used to tell what reaches an anchor only through a tuner).
    weight      optional integer column of `edges`, >= 1 (exact form only): the length of
                the edge; without it every edge is 1.

    Returns one row per (walk_id, execution_id) reached, the seed included:
    `hops` (shortest distance from the seed), `is_at_hop_bound` (reached at `max_hops`
    with an edge onward: the bound, not the graph, ended the walk there) and, with
    path_flag, `is_flagged_path`.

    Bounded form: set semantics (`union`, not `union all`) keep the walk finite on cycles
    and stop a row from being expanded twice at the same depth; the depth bound guarantees
    termination. A plain recursive union over a prebuilt edge table is the measured fastest
    form in DuckDB on this project's 2-core machines (the README's Performance section);
    what keeps it linear is that the edge lists never let a walk pass another trainer.

    Exact form (max_hops none; model lineage, docs/semantics.md section 4.2): shortest
    distances at any depth, `is_at_hop_bound` always false. The recursion keeps one row per
    (walk_id, execution_id) (DuckDB's `using key`) and expands a row again only when a
    step shortens its distance (checked against every row so far, `recurring`), so it
    terminates on every graph, cycles included, after at most as many rounds as the longest
    shortest path has edges. Each round reads every row so far: use it on small graphs
    (the lineage's branch points), not on the execution graph.
-#}
{% macro graphlets_walk(seeds, edges, max_hops, path_flag=none, weight=none) -%}
    {%- if max_hops is none and path_flag -%}
        {{ exceptions.raise_compiler_error('graphlets_walk: path_flag needs max_hops') }}
    {%- elif max_hops is not none and weight -%}
        {{ exceptions.raise_compiler_error('graphlets_walk: weight needs max_hops none') }}
    {%- endif -%}
    {{ return(adapter.dispatch('graphlets_walk', 'graphlets')(
        seeds, edges, max_hops, path_flag, weight)) }}
{%- endmacro %}

{% macro default__graphlets_walk(seeds, edges, max_hops, path_flag, weight) -%}
    {%- if max_hops is none -%}
        {{ graphlets_exact_walk(seeds, edges, weight) }}
    {%- else -%}
    with recursive walk_steps (
        walk_id,
        execution_id,
        hops{% if path_flag %},
        is_flagged{% endif %}
    ) as (
        select
            walk_seeds.walk_id,
            walk_seeds.execution_id,
            0{% if path_flag %},
            false{% endif %}
        from {{ seeds }} as walk_seeds
        union
        select
            walk_steps.walk_id,
            walk_edges.to_execution_id,
            walk_steps.hops + 1{% if path_flag %},
            walk_steps.is_flagged or walk_edges.{{ path_flag }}{% endif %}
        from walk_steps
        inner join {{ edges }} as walk_edges
            on walk_steps.execution_id = walk_edges.from_execution_id
        where walk_steps.hops < {{ max_hops }}
    ),

    -- Rows at the bound with an edge onward: the bound, not the graph, ended the walk.
    -- (Kept an equi-join: a left join on `hops = max_hops and ...` makes DuckDB fall
    -- back to a nested loop over the whole walk.)
    bound_hits as (
        select distinct
            walk_steps.walk_id,
            walk_steps.execution_id
        from walk_steps
        where
            walk_steps.hops = {{ max_hops }}
            and walk_steps.execution_id in (
                select walk_edges.from_execution_id from {{ edges }} as walk_edges
            )
    )

    select
        walk_steps.walk_id,
        walk_steps.execution_id,
        min(walk_steps.hops) as hops,
        {%- if path_flag %}
        bool_and(walk_steps.is_flagged) as is_flagged_path,
        {%- endif %}
        bool_or(bound_hits.walk_id is not null) as is_at_hop_bound
    from walk_steps
    left join bound_hits
        on walk_steps.walk_id = bound_hits.walk_id
        and walk_steps.execution_id = bound_hits.execution_id
    group by walk_steps.walk_id, walk_steps.execution_id
    {%- endif %}
{%- endmacro %}

{#- The exact form of graphlets_walk (max_hops none); call graphlets_walk, not this. -#}
{% macro graphlets_exact_walk(seeds, edges, weight) -%}
    {%- set step = 'walk_edges.' ~ weight if weight else '1' -%}
    with recursive walk_steps (walk_id, execution_id, hops)
    using key (walk_id, execution_id) as (
        select distinct
            walk_seeds.walk_id,
            walk_seeds.execution_id,
            0
        from {{ seeds }} as walk_seeds
        union
        select
            walk_steps.walk_id,
            walk_edges.to_execution_id,
            min(walk_steps.hops + {{ step }})
        from walk_steps
        inner join {{ edges }} as walk_edges
            on walk_steps.execution_id = walk_edges.from_execution_id
        left join recurring.walk_steps as reached
            on walk_steps.walk_id = reached.walk_id
            and walk_edges.to_execution_id = reached.execution_id
        where reached.hops is null or walk_steps.hops + {{ step }} < reached.hops
        group by walk_steps.walk_id, walk_edges.to_execution_id
    )

    select
        walk_id,
        execution_id,
        hops,
        false as is_at_hop_bound
    from walk_steps
{%- endmacro %}
