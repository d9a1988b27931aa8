{{ config(severity='error') }}
-- docs/semantics.md section 5, first identity: for every source and pipeline, the cost of all
-- executions equals productive + wasted + pending + orphan cost (within float tolerance).
-- Checked three ways so that no execution can fall out of the accounting: the canonical
-- executions against fct_executions, fct_executions' classes against their total, and
-- dim_pipelines against fct_executions. One row per (check, source, pipeline) that fails.
with

canonical as (
    select
        source_id,
        pipeline_id,
        count(*) as n_executions,
        sum(cost) as total_cost
    from {{ ref('int_executions') }}
    group by source_id, pipeline_id
),

classified as (
    select
        source_id,
        pipeline_id,
        count(*) as n_executions,
        sum(cost) as total_cost,
        coalesce(sum(cost) filter (where waste_class = 'productive'), 0)
        + coalesce(sum(cost) filter (where waste_class = 'wasted'), 0)
        + coalesce(sum(cost) filter (where waste_class = 'pending'), 0)
        + coalesce(sum(cost) filter (where waste_class = 'orphan'), 0) as class_cost,
        coalesce(sum(cost) filter (where waste_class = 'wasted'), 0) as wasted_cost
    from {{ ref('fct_executions') }}
    group by source_id, pipeline_id
),

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

checks as (
    select
        'canonical executions = fct_executions' as check_name,
        coalesce(canonical.source_id, classified.source_id) as source_id,
        coalesce(canonical.pipeline_id, classified.pipeline_id) as pipeline_id,
        canonical.total_cost as expected,
        classified.total_cost as actual,
        coalesce(canonical.n_executions, 0) = coalesce(classified.n_executions, 0)
            as is_count_equal
    from canonical
    full outer join classified
        on canonical.pipeline_id = classified.pipeline_id
    union all
    select
        'total = productive + wasted + pending + orphan',
        source_id,
        pipeline_id,
        total_cost,
        class_cost,
        true
    from classified
    union all
    select
        'dim_pipelines classes = fct_executions',
        classified.source_id,
        classified.pipeline_id,
        classified.class_cost,
        pipelines.productive_cost + pipelines.wasted_cost + pipelines.pending_cost
        + pipelines.orphan_cost,
        pipelines.wasted_cost = classified.wasted_cost
        or abs(pipelines.wasted_cost - classified.wasted_cost)
        <= 1e-6 * greatest(1.0, abs(classified.wasted_cost))
    from classified
    left join pipelines
        on classified.pipeline_id = pipelines.pipeline_id
)

select *
from checks
where
    not is_count_equal
    or expected is null
    or actual is null
    or abs(expected - actual) > 1e-6 * greatest(1.0, abs(expected))
