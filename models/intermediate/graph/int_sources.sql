{#- One row per source with its as-of time (docs/semantics.md section 3): the latest execution end or
    event timestamp seen in it (events of every type count), never the wall clock. Each source
    kind gives its times (`int_<kind>_graph_source_times`, macros/graph_sources.sql); the
    sources themselves are the loaders' shared bookkeeping table. -#}
with

sources as (
    select * from {{ ref('stg_bookkeeping__sources') }}
),

source_times as (
    {{ graph_source_union('graph_source_times') }}
),

final as (
    select
        sources.source_id,
        sources.source_key,
        -- The graph's kind of source (as in int_executions); the loaders record the store.
        case
            when sources.source_kind in ('sqlite', 'mysql') then 'mlmd'
            else sources.source_kind
        end as source_kind,
        sources.source_kind as store_kind,
        sources.location,
        greatest(source_times.last_execution_end_at, source_times.last_event_at)
            as as_of_at,
    from sources
    left join source_times
        on sources.source_id = source_times.source_id
)

select * from final
