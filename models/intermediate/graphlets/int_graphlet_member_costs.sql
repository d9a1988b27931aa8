{#- Cost attribution (docs/semantics.md section 5): one row per (graphlet, member execution).
    attributed_cost: the member's cost split equally among all graphlets that contain it,
        so graphlet costs add up to the cost of all graphlet members, never double count;
    wasted_cost: a wasted member's cost split equally among the final, un-pushed graphlets
        that contain it (0 in every other row), so that summed over graphlets it equals
        the cost of wasted executions. -#}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

execution_waste as (
    select * from {{ ref('int_graphlet_execution_waste') }}
),

final as (
    select
        members.graphlet_id,
        members.execution_id,
        execution_waste.cost,
        execution_waste.cost / members.n_graphlets_sharing as attributed_cost,
        case
            when execution_waste.waste_class = 'wasted'
                and outcomes.is_final
                and not outcomes.is_pushed
                then execution_waste.cost / execution_waste.n_final_unpushed_graphlets
            else 0.0
        end as wasted_cost
    from members
    inner join outcomes
        on members.graphlet_id = outcomes.graphlet_id
    inner join execution_waste
        on members.execution_id = execution_waste.execution_id
)

select * from final
