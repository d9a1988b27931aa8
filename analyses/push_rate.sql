-- Question: how often does training lead to a deployed (pushed) model?
-- One row per pipeline that trained a model whose outcome is final: models trained,
-- judged and pushed, and its push rate, with the share of pipelines pushing at most as
-- often (the empirical CDF).
with

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

final as (
    select
        pipeline_id,
        source_id,
        pipeline_name,
        n_graphlets,
        n_models_trained,
        n_pushed,
        push_rate,
        cume_dist() over (order by push_rate) as share_of_pipelines_pushing_at_most,
    from pipelines
    where push_rate is not null
)

select * from final
order by push_rate, pipeline_id
