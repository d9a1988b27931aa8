with

attributions as (
    select * from {{ source('raw', 'mlmd_attribution') }}
),

final as (
    select
        source_id,
        id as attribution_id,
        context_id,
        artifact_id as source_artifact_id,
    from attributions
)

select * from final
