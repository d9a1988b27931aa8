{{ config(severity='error') }}
-- docs/semantics.md section 5, second identity: the graphlets' wasted_cost adds up to the cost of the
-- `wasted` executions, within float tolerance, for every source and pipeline. Also the
-- attribution identity: the graphlets' attributed_cost adds up to the cost of all
-- graphlet members. One row per (check, source, pipeline) that fails.
--
-- Per pipeline, a graphlet's cost shares are counted in the pipeline of the member they
-- come from (fct_graphlet_executions.execution_pipeline_id), and each graphlet's
-- wasted_cost must equal the sum of its members' shares. Where no graphlet has members in
-- another pipeline this is exactly the documented identity by the graphlet's own pipeline
-- (also checked directly below, for those pipelines); likewise per source, for the sources
-- no graphlet shares with another (cross-source matching, docs/semantics.md section 1.10).
with

executions as (
    select * from {{ ref('fct_executions') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

memberships as (
    select * from {{ ref('fct_graphlet_executions') }}
),

wasted_executions as (
    select
        source_id,
        pipeline_id,
        coalesce(sum(cost) filter (where waste_class = 'wasted'), 0) as wasted_cost,
        coalesce(sum(cost) filter (where n_graphlets > 0), 0) as member_cost
    from executions
    group by source_id, pipeline_id
),

shares_by_member_pipeline as (
    select
        execution_pipeline_id as pipeline_id,
        sum(wasted_cost) as wasted_cost,
        sum(attributed_cost) as attributed_cost
    from memberships
    group by execution_pipeline_id
),

graphlet_shares as (
    select
        graphlet_id,
        sum(wasted_cost) as wasted_cost,
        sum(attributed_cost) as attributed_cost
    from memberships
    group by graphlet_id
),

cross_pipeline as (
    select distinct pipeline_id from memberships
    where pipeline_id <> execution_pipeline_id
    union
    select distinct execution_pipeline_id from memberships
    where pipeline_id <> execution_pipeline_id
),

-- Sources with a graphlet holding another source's executions, or executions in one.
cross_source as (
    select memberships.source_id
    from memberships
    inner join executions
        on memberships.execution_id = executions.execution_id
    where memberships.source_id <> executions.source_id
    union
    select executions.source_id
    from memberships
    inner join executions
        on memberships.execution_id = executions.execution_id
    where memberships.source_id <> executions.source_id
),

graphlet_wasted_by_pipeline as (
    select
        source_id,
        pipeline_id,
        sum(wasted_cost) as wasted_cost
    from graphlets
    group by source_id, pipeline_id
),

source_totals as (
    select
        source_id,
        sum(wasted_cost) as wasted_cost
    from wasted_executions
    group by source_id
),

graphlet_source_totals as (
    select
        source_id,
        sum(wasted_cost) as wasted_cost
    from graphlets
    group by source_id
),

checks as (
    select
        'wasted executions = wasted shares (by member pipeline)' as check_name,
        wasted_executions.source_id,
        wasted_executions.pipeline_id,
        wasted_executions.wasted_cost as expected,
        coalesce(shares_by_member_pipeline.wasted_cost, 0) as actual
    from wasted_executions
    left join shares_by_member_pipeline
        on wasted_executions.pipeline_id = shares_by_member_pipeline.pipeline_id
    union all
    select
        'member cost = attributed shares (by member pipeline)',
        wasted_executions.source_id,
        wasted_executions.pipeline_id,
        wasted_executions.member_cost,
        coalesce(shares_by_member_pipeline.attributed_cost, 0)
    from wasted_executions
    left join shares_by_member_pipeline
        on wasted_executions.pipeline_id = shares_by_member_pipeline.pipeline_id
    union all
    select
        'graphlet wasted_cost = its members'' shares (graphlet ' || graphlets.graphlet_id
        || ')',
        graphlets.source_id,
        graphlets.pipeline_id,
        coalesce(graphlet_shares.wasted_cost, 0),
        graphlets.wasted_cost
    from graphlets
    left join graphlet_shares
        on graphlets.graphlet_id = graphlet_shares.graphlet_id
    union all
    select
        'graphlet attributed_cost = its members'' shares (graphlet '
        || graphlets.graphlet_id || ')',
        graphlets.source_id,
        graphlets.pipeline_id,
        coalesce(graphlet_shares.attributed_cost, 0),
        graphlets.attributed_cost
    from graphlets
    left join graphlet_shares
        on graphlets.graphlet_id = graphlet_shares.graphlet_id
    union all
    select
        'wasted executions = graphlet wasted_cost (by graphlet pipeline)',
        wasted_executions.source_id,
        wasted_executions.pipeline_id,
        wasted_executions.wasted_cost,
        coalesce(graphlet_wasted_by_pipeline.wasted_cost, 0)
    from wasted_executions
    left join graphlet_wasted_by_pipeline
        on wasted_executions.pipeline_id = graphlet_wasted_by_pipeline.pipeline_id
    where wasted_executions.pipeline_id not in (select pipeline_id from cross_pipeline)
    union all
    select
        'wasted executions = graphlet wasted_cost (by source)',
        source_totals.source_id,
        null,
        source_totals.wasted_cost,
        coalesce(graphlet_source_totals.wasted_cost, 0)
    from source_totals
    left join graphlet_source_totals
        on source_totals.source_id = graphlet_source_totals.source_id
    where source_totals.source_id not in (select source_id from cross_source)
)

select *
from checks
where
    expected is null
    or actual is null
    or abs(expected - actual) > 1e-6 * greatest(1.0, abs(expected))
