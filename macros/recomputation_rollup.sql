{#- Recomputations and cache hits rolled up by `group_columns` of fct_executions
    (docs/semantics.md section 9.1): rpt_recomputation_by_pipeline and _by_component. Every
    group with at least one execution has a row. -#}
{% macro recomputation_rollup(group_columns) -%}
with

executions as (
    select * from {{ ref('fct_executions') }}
),

recomputations as (
    select * from {{ ref('fct_recomputations') }}
),

cache_hits as (
    select * from {{ ref('fct_cache_hits') }}
),

-- Every execution taking part: a recomputation, a cache hit, or a run one of them repeats.
involved as (
    select execution_id from recomputations
    union
    select repeats_execution_id from recomputations
    union
    select execution_id from cache_hits where reused_execution_id is not null
    union
    select reused_execution_id from cache_hits where reused_execution_id is not null
),

final as (
    select
        {% for column in group_columns %}executions.{{ column }},
        {% endfor -%}
        count(*) as n_executions,
        coalesce(sum(executions.cost), 0) as total_cost,
        count(recomputations.execution_id) as n_recomputations,
        coalesce(sum(recomputations.cost), 0) as recomputed_cost,
        count(cache_hits.reused_execution_id) as n_cache_hits,
        count(cache_hits.execution_id) - count(cache_hits.reused_execution_id)
            as n_cache_hits_unmatched,
        coalesce(sum(cache_hits.avoided_cost), 0) as cache_avoided_cost,
        count(recomputations.execution_id) + count(cache_hits.reused_execution_id)
            as n_repeated_runs,
        coalesce(sum(recomputations.cost), 0) + coalesce(sum(cache_hits.avoided_cost), 0)
            as repeated_cost,
        count(involved.execution_id) as n_executions_involved,
    from executions
    left join recomputations
        on executions.execution_id = recomputations.execution_id
    left join cache_hits
        on executions.execution_id = cache_hits.execution_id
    left join involved
        on executions.execution_id = involved.execution_id
    group by all
)

select * from final
{%- endmacro %}
