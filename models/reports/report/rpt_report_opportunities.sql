{#- The report's optimisation opportunities (docs/semantics.md section 9.3): one row per saving
    (pruning, caching, incremental, then total), summed over the pipelines of
    rpt_opportunities, with its share of the evaluation range's cost and the pruning policy
    counted. -#}
with

pipelines as (
    select * from {{ ref('rpt_opportunities') }}
),

totals as (
    select
        coalesce(sum(evaluation_cost), 0) as evaluation_cost,
        coalesce(sum(pruning_saving), 0) as pruning,
        coalesce(sum(caching_saving), 0) as caching,
        coalesce(sum(incremental_saving), 0) as incremental,
        coalesce(sum(total_saving), 0) as total,
        coalesce(sum(n_pruned), 0) as n_pruned,
        coalesce(sum(n_recomputations), 0) as n_recomputations,
        coalesce(sum(n_incremental), 0) as n_incremental,
        any_value(pruning_policy) as pruning_policy,
        any_value(pruning_threshold) as pruning_threshold,
    from pipelines
),

savings as (
    select 'pruning' as saving_kind, 1 as saving_order, pruning as saving,
        n_pruned as n_executions from totals
    union all
    select 'caching', 2, caching, n_recomputations from totals
    union all
    select 'incremental', 3, incremental, n_incremental from totals
    union all
    select 'total', 4, total, n_pruned + n_recomputations + n_incremental from totals
),

final as (
    select
        savings.saving_kind,
        savings.saving_order,
        cast(savings.saving as double) as saving,
        cast(savings.n_executions as bigint) as n_executions,
        savings.saving / nullif(totals.evaluation_cost, 0) as share_of_evaluation_cost,
        cast(totals.evaluation_cost as double) as evaluation_cost,
        totals.pruning_policy,
        totals.pruning_threshold,
    from savings
    cross join totals
)

select * from final
