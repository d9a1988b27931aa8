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
