{#- Rows of each source's latest load that the loader quarantined (loaders/mlmd/quarantine.py):
    they are not in the raw MLMD tables. -#}
with

quarantined as (
    select * from {{ source('raw', '_quarantine') }}
),

sources as (
    select * from {{ ref('stg_mlmd__sources') }}
),

final as (
    select
        quarantined.source_id,
        quarantined.load_id,
        quarantined.table_name,
        quarantined.source_row_id,
        {{ warehouse_key('sources.source_key', 'quarantined.source_row_id') }}
            as warehouse_key,
        quarantined.reason,
        quarantined.detail,
        quarantined.row_json,
    from quarantined
    inner join sources
        on quarantined.source_id = sources.source_id
)

select * from final
