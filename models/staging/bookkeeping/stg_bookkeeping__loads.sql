{#- Every successful load, of every source kind (loaders/bookkeeping.py): the load ids
    incremental builds watermark with are shared by all sources. -#}
with

loads as (
    select * from {{ source('raw', '_loads') }}
),

final as (
    select
        load_id,
        source_id,
        location,
        started_at,
        finished_at,
        status,
        rows_read,
        rows_accepted,
        rows_quarantined,
        rows_new,
        rows_updated,
        rows_deleted,
    from loads
)

select * from final
