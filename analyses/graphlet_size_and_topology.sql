-- Question: how big is a graphlet, and how many distinct shapes do graphlets take?
-- One row per graphlet shape, most common first: its topology, how many graphlets and
-- pipelines share it, its typical size, and the cumulative share of graphlets covered by
-- the shapes ranked so far (a few shapes cover most graphlets).
with

shapes as (
    select * from {{ ref('rpt_graphlet_shapes') }}
),

final as (
    select
        shape_rank,
        shape_id,
        shape_signature,
        n_nodes,
        n_edges,
        n_graphlets,
        n_pipelines,
        share_of_graphlets,
        sum(share_of_graphlets) over (
            order by shape_rank
            rows between unbounded preceding and current row
        ) as cumulative_share_of_graphlets,
        min_n_executions,
        median_n_executions,
        max_n_executions,
        median_total_cost,
        pushed_share,
    from shapes
)

select * from final
order by shape_rank
