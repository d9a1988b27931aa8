with

properties as (
    select * from {{ source('raw', 'mlmd_execution_property') }}
),

final as (
    select
        source_id,
        execution_id as source_execution_id,
        name as property_name,
        is_custom_property,
        int_value,
        double_value,
        string_value,
        byte_value,
        proto_value,
        bool_value,
        {{ mlmd_flag() }} as flag_value,
        {{ mlmd_number() }} as number_value,
        _load_id,
    from properties
)

select * from final
