{{ config(severity='error') }}
-- docs/semantics.md section 9.3: per pipeline, the pruning, caching and incremental savings
-- add up to the total, which is the sum of the per-execution savings (each execution
-- counted once) and never more than the pipeline's evaluation-range cost; and the
-- recomputation rollups agree with fct_recomputations and fct_cache_hits. One row per
-- (check, pipeline) that fails, within float tolerance.
with

opportunities as (
    select * from {{ ref('rpt_opportunities') }}
),

attributed as (
    select * from {{ ref('rpt_opportunity_executions') }}
),

by_pipeline as (
    select * from {{ ref('rpt_recomputation_by_pipeline') }}
),

by_component as (
    select * from {{ ref('rpt_recomputation_by_component') }}
),

recomputations as (
    select * from {{ ref('fct_recomputations') }}
),

cache_hits as (
    select * from {{ ref('fct_cache_hits') }}
),

execution_totals as (
    select pipeline_id, sum(saving) as saving
    from attributed
    group by pipeline_id
),

component_totals as (
    select pipeline_id, sum(recomputed_cost) as recomputed_cost,
        sum(cache_avoided_cost) as cache_avoided_cost
    from by_component
    group by pipeline_id
),

failures as (
    select 'parts add up to the total' as check_name, pipeline_id
    from opportunities
    where abs(pruning_saving + caching_saving + incremental_saving - total_saving)
        > 1e-6 * greatest(1, abs(total_saving))
    union all
    select 'total within the evaluation cost', pipeline_id
    from opportunities
    where total_saving > evaluation_cost + 1e-6 * greatest(1, evaluation_cost)
        or least(pruning_saving, caching_saving, incremental_saving) < 0
    union all
    select 'total = per-execution savings', opportunities.pipeline_id
    from opportunities
    left join execution_totals
        on opportunities.pipeline_id = execution_totals.pipeline_id
    where abs(opportunities.total_saving - coalesce(execution_totals.saving, 0))
        > 1e-6 * greatest(1, abs(opportunities.total_saving))
    union all
    select 'components add up to the pipeline', by_pipeline.pipeline_id
    from by_pipeline
    inner join component_totals
        on by_pipeline.pipeline_id = component_totals.pipeline_id
    where abs(by_pipeline.recomputed_cost - component_totals.recomputed_cost)
        > 1e-6 * greatest(1, by_pipeline.recomputed_cost)
        or abs(by_pipeline.cache_avoided_cost - component_totals.cache_avoided_cost)
        > 1e-6 * greatest(1, by_pipeline.cache_avoided_cost)
    union all
    select 'rollup = fct_recomputations + fct_cache_hits', 'all'
    from (
        select
            (select coalesce(sum(recomputed_cost + cache_avoided_cost), 0) from by_pipeline)
                as rolled,
            (select coalesce(sum(cost), 0) from recomputations)
            + (select coalesce(sum(avoided_cost), 0) from cache_hits) as listed
    )
    where abs(rolled - listed) > 1e-6 * greatest(1, listed)
)

select * from failures
