{#- The MLMD sources (kind `sqlite` or `mysql`, the store's database) of the loaders' shared
    register: the ones whose warehouse keys the MLMD models build. Every kind:
    stg_bookkeeping__sources. -#}
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
    where kind in ('sqlite', 'mysql')
)

select * from final
