{#- The pruning trade-off (docs/semantics.md section 7) summed from rpt_pruning_pipelines over
    (policy, threshold) and the extra `group_columns`: one query for rpt_pruning_tradeoff
    and rpt_pruning_tradeoff_by_group, so the two can never disagree on a definition. -#}
{% macro pruning_tradeoff(group_columns=[]) -%}
{%- set keys = ['policy', 'threshold'] + group_columns -%}
with

pipelines as (
    select * from {{ ref('rpt_pruning_pipelines') }}
),

totals as (
    select
        {{ keys | join(', ') }},
        count(distinct pipeline_id) as n_pipelines,
        sum(n_graphlets) as n_graphlets,
        sum(n_pruned) as n_pruned,
        sum(evaluation_cost) as evaluation_cost,
        sum(evaluation_wasted_cost) as evaluation_wasted_cost,
        sum(saved_cost) as saved_cost,
        sum(saved_wasted_cost) as saved_wasted_cost,
        sum(n_pushes) as n_pushes,
        sum(n_pushes_lost) as n_pushes_lost,
        sum(push_delay_hours) as push_delay_hours,
        sum(n_push_delays_censored) as n_push_delays_censored,
        sum(window_hours) as window_hours,
        sum(baseline_staleness_hour_hours) as baseline_staleness_hour_hours,
        sum(staleness_hour_hours) as staleness_hour_hours
    from pipelines
    group by {{ keys | join(', ') }}
),

final as (
    select
        {{ keys | join(', ') }},
        n_pipelines,
        n_graphlets,
        n_pruned,
        evaluation_cost,
        evaluation_wasted_cost,
        saved_cost,
        saved_wasted_cost,
        coalesce(saved_wasted_cost / nullif(evaluation_wasted_cost, 0), 0)
            as waste_saved_fraction,
        coalesce(saved_cost / nullif(evaluation_cost, 0), 0) as cost_saved_fraction,
        n_pushes,
        n_pushes_lost,
        coalesce(n_pushes_lost / nullif(n_pushes, 0), 0) as pushes_lost_fraction,
        push_delay_hours / nullif(n_pushes_lost, 0) as mean_push_delay_hours,
        n_push_delays_censored,
        baseline_staleness_hour_hours / nullif(window_hours, 0) as baseline_staleness_hours,
        staleness_hour_hours / nullif(window_hours, 0) as staleness_hours,
        coalesce(
            staleness_hour_hours / nullif(baseline_staleness_hour_hours, 0) - 1, 0
        ) as staleness_increase_fraction
    from totals
)

select * from final
{%- endmacro %}
