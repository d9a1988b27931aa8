{#- The optimisation opportunities per execution (docs/semantics.md section 9.3): one row per
    execution of the evaluation range (started at or after its source's `split_at`,
    int_pruning_splits) that one of the three optimisations would have saved something
    on, with the one saving it is attributed, in this priority order:

    1. `pruning`: a trainer or downstream member of a graphlet the chosen pruning policy
       skips (rpt_pruning_choice): its whole cost;
    2. `caching`: a recomputation (fct_recomputations): its whole cost;
    3. `incremental`: a run of a rolling window (fct_window_overlaps): cost x overlap share.

    An execution is listed once, so the savings add up without double counting. -#}
with

executions as (
    select * from {{ ref('fct_executions') }}
),

splits as (
    select * from {{ ref('int_pruning_splits') }}
),

choice as (
    select * from {{ ref('rpt_pruning_choice') }}
),

decisions as (
    select * from {{ ref('fct_pruning_decisions') }}
),

graphlet_executions as (
    select * from {{ ref('fct_graphlet_executions') }}
),

recomputations as (
    select * from {{ ref('fct_recomputations') }}
),

window_runs as (
    select * from {{ ref('fct_window_overlaps') }}
),

pruned as (
    select distinct graphlet_executions.execution_id
    from decisions
    inner join choice
        on decisions.policy = choice.policy
        and decisions.threshold is not distinct from choice.threshold
    inner join graphlet_executions
        on decisions.graphlet_id = graphlet_executions.graphlet_id
    where decisions.is_pruned and graphlet_executions.relation in ('trainer', 'downstream')
),

attributed as (
    select
        executions.execution_id,
        executions.source_id,
        executions.pipeline_id,
        executions.node_id as component,
        executions.cost,
        case
            when pruned.execution_id is not null then 'pruning'
            when recomputations.execution_id is not null then 'caching'
            when window_runs.overlap_share > 0 then 'incremental'
        end as saving_kind,
        case
            when pruned.execution_id is not null then executions.cost
            when recomputations.execution_id is not null then executions.cost
            when window_runs.overlap_share > 0 then window_runs.incremental_saving
        end as saving,
        pruned.execution_id is not null as is_pruned,
        recomputations.execution_id is not null as is_recomputation,
        coalesce(window_runs.overlap_share > 0, false) as has_window_overlap,
    from executions
    inner join splits
        on executions.source_id = splits.source_id
    left join pruned
        on executions.execution_id = pruned.execution_id
    left join recomputations
        on executions.execution_id = recomputations.execution_id
    left join window_runs
        on executions.execution_id = window_runs.execution_id
    where executions.started_at >= splits.split_at
),

final as (
    select * from attributed
    where saving_kind is not null
)

select * from final
