with

event_paths as (
    select * from {{ source('raw', 'mlmd_event_path') }}
),

final as (
    select
        source_id,
        event_id as source_event_id,
        step_ordinal,
        is_index_step,
        step_index,
        step_key,
        _load_id,
    from event_paths
)

select * from final
