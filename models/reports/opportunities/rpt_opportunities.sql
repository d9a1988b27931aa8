{#- One row per pipeline with executions in the evaluation range (docs/semantics.md section
    9.3): what pruning (the chosen policy, rpt_pruning_choice), caching (recomputations) and
    incremental processing (rolling windows) would have saved there, each execution's
    saving counted once (rpt_opportunity_executions), so the parts add up to
    `total_saving`. -#}
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

attributed as (
    select * from {{ ref('rpt_opportunity_executions') }}
),

pipelines as (
    select
        executions.source_id,
        executions.pipeline_id,
        count(*) as n_executions,
        sum(executions.cost) as evaluation_cost,
    from executions
    inner join splits
        on executions.source_id = splits.source_id
    where executions.started_at >= splits.split_at
    group by all
),

savings as (
    select
        pipeline_id,
        coalesce(sum(saving) filter (where saving_kind = 'pruning'), 0) as pruning_saving,
        coalesce(sum(saving) filter (where saving_kind = 'caching'), 0) as caching_saving,
        coalesce(sum(saving) filter (where saving_kind = 'incremental'), 0)
            as incremental_saving,
        sum(saving) as total_saving,
        count(*) filter (where saving_kind = 'pruning') as n_pruned,
        count(*) filter (where saving_kind = 'caching') as n_recomputations,
        count(*) filter (where saving_kind = 'incremental') as n_incremental,
    from attributed
    group by pipeline_id
),

final as (
    select
        pipelines.source_id,
        pipelines.pipeline_id,
        (select any_value(policy) from choice) as pruning_policy,
        (select any_value(threshold) from choice) as pruning_threshold,
        pipelines.n_executions,
        pipelines.evaluation_cost,
        coalesce(savings.pruning_saving, 0) as pruning_saving,
        coalesce(savings.caching_saving, 0) as caching_saving,
        coalesce(savings.incremental_saving, 0) as incremental_saving,
        coalesce(savings.total_saving, 0) as total_saving,
        coalesce(savings.n_pruned, 0) as n_pruned,
        coalesce(savings.n_recomputations, 0) as n_recomputations,
        coalesce(savings.n_incremental, 0) as n_incremental,
    from pipelines
    left join savings
        on pipelines.pipeline_id = savings.pipeline_id
)

select * from final
