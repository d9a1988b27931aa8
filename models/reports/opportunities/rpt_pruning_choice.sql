{#- The pruning policy the opportunities count (docs/semantics.md section 9.3): the one row of
    rpt_pruning_tradeoff that `graphlets prune-report` recommends, i.e. the (policy,
    threshold) saving the most waste while adding at most var
    `opportunities_max_staleness_increase` (default 0.05) to the time-averaged staleness of
    the served models; ties go to fewer lost pushes, then less staleness, then the policy
    and threshold in order. No row when no policy saves waste within the budget. -#}
with

tradeoff as (
    select * from {{ ref('rpt_pruning_tradeoff') }}
),

final as (
    {% call graphlets_qualify('row_number() over (
        order by waste_saved_fraction desc, n_pushes_lost, staleness_increase_fraction,
            policy, threshold
    )', '= 1') -%}
    select
        policy,
        threshold,
        waste_saved_fraction,
        cost_saved_fraction,
        staleness_increase_fraction,
        n_pushes_lost,
        cast({{ var('opportunities_max_staleness_increase', 0.05) }} as double)
            as max_staleness_increase,
    from tradeoff
    where
        policy <> 'never_prune'
        and waste_saved_fraction > 0
        and staleness_increase_fraction
        <= {{ var('opportunities_max_staleness_increase', 0.05) }} + 1e-12
    {%- endcall %}
)

select * from final
