{#- Rows of each MLMD source's latest load that the loader quarantined
    (loaders/mlmd/quarantine.py): they are not in the raw MLMD tables. The quarantine is
    shared by every source kind; OpenLineage's records: stg_openlineage__quarantined_rows. -#}
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
    where source_id in (select source_id from sources where kind in ('sqlite', 'mysql'))
)

select * from final
