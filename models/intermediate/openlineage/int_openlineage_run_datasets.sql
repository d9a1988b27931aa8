{#- The datasets each run read or wrote (docs/openlineage.md section 6.2): the union of
    `inputs` and `outputs` over every event of the run (events are accumulative), one row per
    (run, direction, dataset, declared version). The declared version is the dataset version
    facet (`facets.version.datasetVersion`); a dataset listed both with and without one by
    the same run in the same direction keeps only its versioned rows. Per row: when it was
    first listed, its first appearance (load, time), the `graphlets` facets of the
    convention (type, key, blessed, pushed, span) and the dataQualityAssertions verdict. -#}
with

events as (
    select * from {{ ref('stg_openlineage__events') }}
    where event_kind = 'run'
),

listed as (
    select source_id, run_id, load_id, event_at, 'input' as direction,
        {{ graphlets_json_unnest('inputs') }} as dataset,
    from events
    where inputs is not null
    union all
    select source_id, run_id, load_id, event_at, 'output' as direction,
        {{ graphlets_json_unnest('outputs') }} as dataset,
    from events
    where outputs is not null
),

unpacked as (
    select
        source_id,
        run_id,
        load_id,
        event_at,
        direction,
        {{ graphlets_json_text_at('dataset', ['namespace']) }} as dataset_namespace,
        {{ graphlets_json_text_at('dataset', ['name']) }} as dataset_name,
        nullif(
            {{ graphlets_json_text_at('dataset', ['facets', 'version', 'datasetVersion']) }}, ''
        ) as declared_version,
        {{ graphlets_json_text_at('dataset', ['facets', 'graphlets', 'type']) }} as facet_type,
        try_cast(
            {{ graphlets_json_text_at('dataset', ['facets', 'graphlets', 'span']) }} as bigint
        ) as facet_span,
        coalesce(
            {{ graphlets_json_text_at('dataset', ['inputFacets', 'graphlets', 'key']) }},
            {{ graphlets_json_text_at('dataset', ['outputFacets', 'graphlets', 'key']) }}
        ) as facet_key,
        try_cast(
            {{ graphlets_json_text_at('dataset', ['outputFacets', 'graphlets', 'blessed']) }}
                as boolean
        ) as facet_blessed,
        try_cast(
            {{ graphlets_json_text_at('dataset', ['outputFacets', 'graphlets', 'pushed']) }}
                as boolean
        ) as facet_pushed,
        case
            when {{ graphlets_json_is_array_at(
                'dataset', ['inputFacets', 'dataQualityAssertions', 'assertions']
            ) }}
                then {{ graphlets_json_at(
                    'dataset', ['inputFacets', 'dataQualityAssertions', 'assertions']
                ) }}
        end as assertions,
    from listed
),

grouped as (
    select
        source_id,
        run_id,
        direction,
        dataset_namespace,
        dataset_name,
        declared_version,
        min(event_at) as first_listed_at,
        min({{ graphlets_struct({
            'load_id': 'cast(load_id as bigint)',
            'event_at': 'cast(event_at as timestamp)',
        }) }}) as first_seen,
        {{ graphlets_arg_max('facet_type', 'event_at') }}
            filter (where facet_type is not null) as facet_type,
        {{ graphlets_arg_max('facet_span', 'event_at') }}
            filter (where facet_span is not null) as facet_span,
        {{ graphlets_arg_max('facet_key', 'event_at') }}
            filter (where facet_key is not null) as event_key,
        {{ graphlets_arg_max('facet_blessed', 'event_at') }}
            filter (where facet_blessed is not null) as facet_blessed,
        {{ graphlets_arg_max('facet_pushed', 'event_at') }}
            filter (where facet_pushed is not null) as facet_pushed,
        -- The latest assertions facet replaces earlier ones (a facet is replaced whole).
        {{ graphlets_arg_max('assertions', 'event_at') }}
            filter (where assertions is not null) as assertions,
    from unpacked
    where dataset_namespace is not null and dataset_name is not null
    group by all
),

verdicts as (
    select
        *,
        case
            when assertions is not null then not coalesce(
                {{ graphlets_json_any(
                    'assertions',
                    'a',
                    'try_cast(' ~ graphlets_json_text_at('a', ['success']) ~ ' as boolean) = false',
                ) }},
                false
            )
        end as assertions_passed,
    from grouped
),

final as (
    {% call graphlets_qualify(
        'declared_version is not null
        or count(declared_version) over (
            partition by source_id, run_id, direction, dataset_namespace, dataset_name
        ) = 0',
        '') -%}
    select *
    from verdicts
    {%- endcall %}
)

select * from final
