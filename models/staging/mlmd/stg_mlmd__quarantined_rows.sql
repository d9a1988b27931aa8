{#- Rows of each source's latest load that the loader quarantined (loaders/mlmd/quarantine.py):
    they are not in the raw MLMD tables. -#}
with

quarantined as (
    select * from {{ source('raw', '_quarantine') }}
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
)

select * from final
