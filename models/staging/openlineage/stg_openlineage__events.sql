{#- One row per stored OpenLineage event (raw.openlineage_events), 1:1: the loader's columns
    renamed, and the facets the models read unpacked (docs/openlineage.md section 6). Facets
    are kept as sent, so every unpacked value may be NULL or of another JSON type than the
    spec says; `inputs` and `outputs` are NULL unless the event holds a JSON array. -#}
with

events as (
    select * from {{ source('raw', 'openlineage_events') }}
),

final as (
    select
        source_id,
        _load_id as load_id,
        event_hash,
        -- UTC without a zone, as every other source's times (docs/semantics.md section 1.6).
        {{ graphlets_utc_wall_clock('event_time') }} as event_at,
        event_kind,
        event_type,
        run_id,
        job_namespace,
        job_name,
        dataset_namespace,
        dataset_name,
        parent_run_id,
        parent_job_namespace,
        parent_job_name,
        root_run_id,
        root_job_namespace,
        root_job_name,
        producer,
        schema_url,
        -- JobTypeJobFacet: BATCH / STREAMING / SERVICE; the integration (AIRFLOW, SPARK,
        -- DBT, ...); the job type (DAG, TASK, ..., or the convention's TRAIN, EVALUATE,
        -- DEPLOY).
        {{ graphlets_json_text_at('event', ['job', 'facets', 'jobType', 'processingType']) }}
            as job_processing_type,
        {{ graphlets_json_text_at('event', ['job', 'facets', 'jobType', 'integration']) }}
            as job_integration,
        {{ graphlets_json_text_at('event', ['job', 'facets', 'jobType', 'jobType']) }} as job_type,
        -- ErrorMessageRunFacet
        {{ graphlets_json_text_at('event', ['run', 'facets', 'errorMessage', 'message']) }}
            as error_message,
        -- NominalTimeRunFacet
        {{ graphlets_json_text_at('event', ['run', 'facets', 'nominalTime', 'nominalStartTime']) }}
            as nominal_start_time,
        -- The `graphlets` custom facet (docs/openlineage.md section 6): the explicit role, on
        -- the run or on the job.
        {{ graphlets_json_text_at('event', ['run', 'facets', 'graphlets', 'role']) }}
            as run_facet_role,
        {{ graphlets_json_text_at('event', ['job', 'facets', 'graphlets', 'role']) }}
            as job_facet_role,
        {{ graphlets_json_at('event', ['run', 'facets']) }} as run_facets,
        {{ graphlets_json_at('event', ['job', 'facets']) }} as job_facets,
        case
            when {{ graphlets_json_is_array_at('event', ['inputs']) }}
                then {{ graphlets_json_at('event', ['inputs']) }}
        end as inputs,
        case
            when {{ graphlets_json_is_array_at('event', ['outputs']) }}
                then {{ graphlets_json_at('event', ['outputs']) }}
        end as outputs,
        event,
        source_file,
        source_line,
    from events
)

select * from final
