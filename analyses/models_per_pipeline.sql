-- Question: how many models does a pipeline train (and how many does it push)?
-- One row per pipeline: graphlets, models trained (training did not fail), models pushed,
-- with the share of pipelines training at most as many (the empirical CDF).
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
        lifespan_days,
        n_models_trained / nullif(lifespan_days, 0) as models_trained_per_day,
        cume_dist() over (order by n_models_trained) as share_of_pipelines_training_at_most,
    from pipelines
)

select * from final
order by n_models_trained, pipeline_id
