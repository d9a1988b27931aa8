{#- One row per source (ML Metadata store): its pipelines and its as-of time (the latest
    execution end or event in the source), the headline's list of sources. -#}
with

cadence as (
    select * from {{ ref('rpt_deployment_cadence') }}
),

final as (
    select
        source_id,
        count(*) as n_pipelines,
        max(as_of_at) as as_of_at,
    from cadence
    group by source_id
)

select * from final
