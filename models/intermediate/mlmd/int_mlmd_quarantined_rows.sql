{#- The rows the loader quarantined (stg_mlmd__quarantined_rows) with the warehouse key
    each would have had. -#}
{{ config(materialized='view') }}
with

quarantined as (
    select * from {{ ref('stg_mlmd__quarantined_rows') }}
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
