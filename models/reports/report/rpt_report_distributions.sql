{#- One row per (section, measure): the summary of one per-pipeline measure that a report
    section tabulates under its chart: how many pipelines have a value, and the median,
    mean, 90th percentile and maximum of the values (quantiles interpolate linearly
    between order statistics, as `quantile_cont`). Pipelines without a value (NULL) are
    left out. The cadence measures are over the pipelines that pushed at least once. -#}
{%- set measures = [
    ('lifespan', 'pipelines', 'lifespan_days'),
    ('lifespan', 'pipelines', 'active_days'),
    ('models', 'pipelines', 'n_models_trained'),
    ('models', 'pipelines', 'n_pushed'),
    ('push_rate', 'pipelines', 'push_rate'),
    ('cadence', 'pushing_pipelines', 'pushes_per_day'),
    ('cadence', 'pushing_pipelines', 'median_hours_between_pushes'),
    ('cadence', 'pushing_pipelines', 'time_averaged_staleness_hours'),
] %}
with

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

cadence as (
    select * from {{ ref('rpt_deployment_cadence') }}
),

pushing_pipelines as (
    select *
    from cadence
    where n_pushes > 0
),

summaries as (
    {%- for section, relation, measure in measures %}
    select
        '{{ section }}' as section,
        '{{ measure }}' as measure,
        {{ loop.index }} as measure_order,
        count({{ measure }}) as n_values,
        cast({{ graphlets_quantile_cont(measure, 0.5) }} as double) as median_value,
        cast(avg({{ measure }}) as double) as mean_value,
        cast({{ graphlets_quantile_cont(measure, 0.9) }} as double) as p90_value,
        cast(max({{ measure }}) as double) as max_value,
    from {{ relation }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from summaries
)

select * from final
