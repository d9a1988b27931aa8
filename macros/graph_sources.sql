{#- The per-source contract of the canonical provenance graph (docs/architecture.md, "A new
    source"; docs/semantics.md section 1.1). Every source kind listed in graph_sources()
    writes five models under models/intermediate/<kind>/, named `int_<kind>_<part>` for the
    parts below, each with exactly the columns graph_source_columns(part) lists (in any
    order: the union selects them by name, so a missing column fails the build). The
    models of models/intermediate/graph/ union them and apply the source-neutral rules
    once: key checks, role rules, cost. -#}

{#- The source kinds feeding the graph, on every engine: a new source adds one line. -#}
{% macro graph_sources() -%}
    {{ return([
        'mlmd',
        'openlineage',
        'mlflow',
    ]) }}
{%- endmacro %}

{#- The columns each source's model of `part` provides (docs/architecture.md). -#}
{% macro graph_source_columns(part) -%}
    {%- set columns = {
        'graph_executions': [
            'execution_id', 'source_id', 'source_kind', 'source_execution_id',
            'source_execution_key', 'execution_name', 'pipeline_name', 'n_pipeline_contexts',
            'node_id', 'type_name', 'state', 'started_at', 'ended_at',
            'recorded_duration_seconds', 'cost_property_value', 'has_cost_property',
        ],
        'graph_artifacts': [
            'artifact_id', 'source_id', 'source_kind', 'source_artifact_id',
            'source_artifact_key', 'artifact_name', 'type_name', 'uri', 'state', 'span',
            'blessed', 'pushed', 'created_at', 'fingerprint',
        ],
        'graph_events': [
            'event_id', 'source_id', 'source_kind', 'execution_id', 'artifact_id',
            'direction', 'event_type', 'event_key', 'event_at',
        ],
        'role_fields': ['execution_id', 'source_kind', 'field', 'value'],
        'graph_source_times': ['source_id', 'last_execution_end_at', 'last_event_at'],
    } -%}
    {%- if part not in columns -%}
        {{ exceptions.raise_compiler_error("graph_source_columns: unknown part " ~ part) }}
    {%- endif -%}
    {{ return(columns[part]) }}
{%- endmacro %}

{#- `select <contract columns> from int_<kind>_<part>`, union all over every source kind. -#}
{% macro graph_source_union(part) -%}
    {%- set columns = graph_source_columns(part) -%}
    {%- for kind in graph_sources() %}
    select {{ columns | join(', ') }}
    from {{ ref('int_' ~ kind ~ '_' ~ part) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
