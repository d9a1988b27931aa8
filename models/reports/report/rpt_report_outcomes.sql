{#- One row per graphlet outcome (docs/semantics.md section 3), every outcome listed even when no
    graphlet has it, in the report's order (pushed first, pending last): how many
    graphlets have it and their share of all graphlets. -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

outcomes as (
    select *
    from (
        values
            ('pushed', 1),
            ('not_blessed', 2),
            ('infra_rejected', 3),
            ('not_pushed', 4),
            ('training_failed', 5),
            ('pending', 6)
    ) as outcomes (outcome, outcome_order)
),

counts as (
    select
        outcome,
        count(*) as n_graphlets,
    from graphlets
    group by outcome
),

totals as (
    select count(*) as n_all_graphlets
    from graphlets
),

final as (
    select
        outcomes.outcome,
        outcomes.outcome_order,
        coalesce(counts.n_graphlets, 0) as n_graphlets,
        coalesce(counts.n_graphlets, 0)
            / nullif(totals.n_all_graphlets, 0) as share_of_graphlets,
    from outcomes
    cross join totals
    left join counts
        on outcomes.outcome = counts.outcome
)

select * from final
