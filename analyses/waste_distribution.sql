-- Question: how much compute is wasted, and how is the waste spread over pipelines?
-- One row per pipeline, most wasteful first: its waste fraction and wasted cost, and the
-- cumulative share of all waste held by the pipelines ranked so far against the share of
-- pipelines they are (a concentration curve: a few pipelines may hold most of the waste).
with

pipelines as (
    select * from {{ ref('rpt_waste_by_pipeline') }}
),

ranked as (
    select
        pipeline_id,
        source_id,
        pipeline_name,
        total_cost,
        productive_cost,
        wasted_cost,
        pending_cost,
        orphan_cost,
        waste_fraction,
        row_number() over (order by wasted_cost desc, pipeline_id) as waste_rank,
    from pipelines
),

final as (
    select
        ranked.*,
        waste_rank / count(*) over () as share_of_pipelines,
        sum(wasted_cost) over (
            order by waste_rank
            rows between unbounded preceding and current row
        ) / nullif(sum(wasted_cost) over (), 0) as cumulative_share_of_waste,
    from ranked
)

select * from final
order by waste_rank
