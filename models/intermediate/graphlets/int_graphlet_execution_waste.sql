{#- The waste class of every execution (docs/semantics.md section 5): one row per execution.
    productive: member of at least one `pushed` graphlet;
    wasted:     not productive, member of at least one graphlet whose outcome is final;
    pending:    member only of `pending` graphlets;
    orphan:     member of no graphlet.
    `n_wasted_shares` is how many final, un-pushed graphlets contain a wasted execution:
    its cost is split equally among them. -#}
with

executions as (
    select * from {{ ref('int_executions') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

memberships as (
    select
        members.execution_id,
        count(*) as n_graphlets,
        count(*) filter (where outcomes.is_pushed) as n_pushed_graphlets,
        count(*) filter (where outcomes.is_final and not outcomes.is_pushed)
            as n_final_unpushed_graphlets
    from members
    inner join outcomes
        on members.graphlet_id = outcomes.graphlet_id
    group by members.execution_id
),

final as (
    select
        executions.execution_id,
        executions.source_id,
        executions.pipeline_id,
        executions.cost,
        coalesce(memberships.n_graphlets, 0) as n_graphlets,
        case
            when memberships.n_pushed_graphlets > 0 then 'productive'
            when memberships.n_final_unpushed_graphlets > 0 then 'wasted'
            when memberships.n_graphlets > 0 then 'pending'
            else 'orphan'
        end as waste_class,
        coalesce(memberships.n_final_unpushed_graphlets, 0) as n_final_unpushed_graphlets
    from executions
    left join memberships
        on executions.execution_id = memberships.execution_id
)

select * from final
