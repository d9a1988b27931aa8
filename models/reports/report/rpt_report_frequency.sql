{#- One row per component role (resolvers left out: bookkeeping, no work): the report's
    run-frequency table, over the role's components (pipeline x node) of
    rpt_component_frequency: how many components and runs, and the median over
    components of their runs per active day and of their median gap between runs. -#}
with

components as (
    select * from {{ ref('rpt_component_frequency') }}
),

final as (
    select
        role,
        {{ report_role_order('role') }} as role_order,
        count(*) as n_components,
        cast(sum(n_runs) as bigint) as n_runs,
        cast({{ graphlets_quantile_cont('runs_per_active_day', 0.5) }} as double)
            as median_runs_per_active_day,
        cast({{ graphlets_quantile_cont('median_hours_between_runs', 0.5) }} as double)
            as median_hours_between_runs,
    from components
    where role <> 'resolve'
    group by role
)

select * from final
