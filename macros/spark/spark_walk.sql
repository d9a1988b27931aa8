{#-
    graphlets_walk on Spark (macros/graphlets_walk.sql has the contract). Spark's recursive
    CTEs take only `union all` and no `using key`, so every path is walked and the shortest
    distance per (walk_id, execution_id) is kept after the recursion (`min(hops)`): the
    same rows as DuckDB's set-semantics walk, at the cost of enumerating paths (fine on the
    trainer-bounded edge lists; raise spark.sql.cteRecursionRowLimit for a larger corpus).

    Bounded form: the depth is carried and bounded by max_hops, as on DuckDB.
    Exact form (max_hops none): the recursion is bounded by var
    `graphlets_spark_exact_walk_steps` edges instead of by its own termination (cycles walk
    on until the bound). Distances stay exact while every shortest path has at most that
    many edges; when a walk at the bound is still shorter than any earlier way to its
    execution the build fails (raise_error) rather than return a longer distance.
-#}
{% macro spark__graphlets_walk(seeds, edges, max_hops, path_flag, weight) -%}
    {%- if max_hops is none -%}
        {{ graphlets_spark_exact_walk(seeds, edges, weight) }}
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
        union all
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

{% macro graphlets_spark_exact_walk(seeds, edges, weight) -%}
    {%- set step = 'walk_edges.' ~ weight if weight else '1' -%}
    {%- set max_steps = var('graphlets_spark_exact_walk_steps', 64) | int -%}
    with recursive walk_steps (walk_id, execution_id, hops, steps) as (
        select distinct
            walk_seeds.walk_id,
            walk_seeds.execution_id,
            0,
            0
        from {{ seeds }} as walk_seeds
        union all
        select
            walk_steps.walk_id,
            walk_edges.to_execution_id,
            walk_steps.hops + {{ step }},
            walk_steps.steps + 1
        from walk_steps
        inner join {{ edges }} as walk_edges
            on walk_steps.execution_id = walk_edges.from_execution_id
        where walk_steps.steps < {{ max_steps }}
    ),

    -- A row at the step bound with an edge onward, and shorter than every way to its
    -- execution in fewer steps: a longer walk might still shorten some distance.
    fewer_steps as (
        select walk_id, execution_id, min(hops) as hops
        from walk_steps
        where steps < {{ max_steps }}
        group by walk_id, execution_id
    ),

    cut_short as (
        select count(*) as n
        from walk_steps
        left join fewer_steps
            on walk_steps.walk_id = fewer_steps.walk_id
            and walk_steps.execution_id = fewer_steps.execution_id
        where
            walk_steps.steps = {{ max_steps }}
            and (fewer_steps.hops is null or walk_steps.hops < fewer_steps.hops)
            and walk_steps.execution_id in (
                select walk_edges.from_execution_id from {{ edges }} as walk_edges
            )
    )

    select
        walk_steps.walk_id,
        walk_steps.execution_id,
        min(walk_steps.hops) as hops,
        false as is_at_hop_bound
    from walk_steps
    cross join cut_short
    where
        case
            when cut_short.n = 0 then true
            else cast(raise_error(
                'graphlets_walk: a walk is longer than graphlets_spark_exact_walk_steps ({{ max_steps }}) edges; raise it (docs/spark.md)'
            ) as boolean)
        end
    group by walk_steps.walk_id, walk_steps.execution_id
{%- endmacro %}
