{#- Row counts per (load, raw table), of every source kind (loaders/bookkeeping.py). -#}
with

load_tables as (
    select * from {{ source('raw', '_load_tables') }}
),

final as (
    select
        load_id,
        table_name,
        rows_read,
        rows_accepted,
        rows_quarantined,
        rows_new,
        rows_updated,
        rows_deleted,
        mode,
    from load_tables
)

select * from final
