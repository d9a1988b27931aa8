with

types as (
    select * from {{ source('raw', 'mlmd_type') }}
),

final as (
    select
        source_id,
        id as type_id,
        name as type_name,
        case type_kind
            when 0 then 'execution'
            when 1 then 'artifact'
            when 2 then 'context'
            else 'unknown'
        end as type_kind,
        version as type_version,
        description,
    from types
)

select * from final
