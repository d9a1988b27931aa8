{#- Records of each OpenLineage source's latest load that are no events (docs/openlineage.md
    section 3): not in raw.openlineage_events. `source_row_id` is the line the record starts
    on; there is no warehouse key (a record that is no event names no run). -#}
with

quarantined as (
    select * from {{ source('raw', '_quarantine') }}
),

sources as (
    select * from {{ source('raw', '_sources') }}
),

final as (
    select
        source_id,
        load_id,
        table_name,
        source_row_id,
        reason,
        detail,
        row_json,
    from quarantined
    where source_id in (select source_id from sources where kind = 'openlineage')
)

select * from final
