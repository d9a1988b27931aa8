{#- Every loaded source, of every kind (`mlmd`, `openlineage`): the loaders' shared register
    (loaders/bookkeeping.py). Per-kind models read their own kind's sources
    (stg_mlmd__sources, stg_openlineage__sources). -#}
with

sources as (
    select * from {{ source('raw', '_sources') }}
),

final as (
    select
        source_id,
        source_key,
        kind as source_kind,
        location,
        first_load_id,
    from sources
)

select * from final
