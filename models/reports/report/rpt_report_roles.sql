{#- One row per component role known to seed `component_role_order`: the order in which
    the report (and every report table) lists roles, published next to the marts so the
    HTML report reads it from the warehouse instead of keeping its own list. -#}
with

role_order as (
    select * from {{ ref('component_role_order') }}
),

final as (
    select
        role,
        position,
        {{ report_role_order('role') }} as role_order,
    from role_order
)

select * from final
