{#- The load history: one row per successful load of every source, with the source's kind and
    the rows it read, accepted, quarantined and changed (docs/bi.md "Artifacts, loads and
    findings"). A failed load leaves no row: it changed nothing. -#}
with

loads as (
    select * from {{ ref('stg_bookkeeping__loads') }}
),

sources as (
    select * from {{ ref('stg_bookkeeping__sources') }}
),

final as (
    select
        loads.load_id,
        loads.source_id,
        sources.source_kind,
        loads.location,
        loads.started_at,
        loads.finished_at,
        {{ graphlets_milliseconds_between('loads.started_at', 'loads.finished_at') }} / 1000.0
            as duration_seconds,
        loads.status,
        loads.rows_read,
        loads.rows_accepted,
        loads.rows_quarantined,
        loads.rows_new,
        loads.rows_updated,
        loads.rows_deleted
    from loads
    left join sources
        on loads.source_id = sources.source_id
)

select * from final
