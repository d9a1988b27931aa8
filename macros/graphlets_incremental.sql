{#-
    Incremental builds. The loader stamps every raw row it writes with its
    `_load_id`; an incremental model remembers the last load it saw in a
    `built_through_load_id` column, and recomputes what changed since.
-#}

{#- The previous build of an incremental graphlet model, or none when there is none
    (first build) or it predates `built_through_load_id` (built by an older version).
    Always none on Spark, which rebuilds every incremental model whole
    (macros/spark/spark_incremental.sql). -#}
{% macro graphlets_previous_build(identifier) -%}
    {{ return(adapter.dispatch('graphlets_previous_build', 'graphlets')(identifier)) }}
{%- endmacro %}

{% macro spark__graphlets_previous_build(identifier) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro default__graphlets_previous_build(identifier) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=identifier) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {{ return(relation if 'built_through_load_id' in columns else none) }}
{%- endmacro %}

{#- Warehouse keys of the rows of staging model `model` (a raw table, 1:1) written after
    the load in CTE `watermark` (column `load_id`); `id_column` is the MLMD id the key is
    built from. -#}
{% macro graphlets_changed_keys(model, id_column) -%}
    select {{ warehouse_key('changed_sources.source_key', 'changed.' ~ id_column) }} as key
    from {{ ref(model) }} as changed
    inner join {{ ref('stg_mlmd__sources') }} as changed_sources
        on changed.source_id = changed_sources.source_id
    where changed._load_id > (select load_id from watermark)
{%- endmacro %}

{#- The last load in the warehouse, stored in every row an incremental model writes. -#}
{% macro graphlets_current_load_id() -%}
    (select coalesce(max(load_id), 0) from {{ ref('stg_bookkeeping__loads') }})
{%- endmacro %}

{#- Pre-hook of an incremental model keyed by graphlet_id: on an incremental run, delete
    the rows of the graphlets in model `refresh_set` before they are recomputed. Returns
    the hook as a template: dbt renders hooks when the model runs. -#}
{% macro graphlets_refresh_delete(refresh_set) -%}
    {{ return(
        "{% if is_incremental() %}delete from {{ this }} where graphlet_id in "
        ~ "(select graphlet_id from {{ ref('" ~ refresh_set ~ "') }}){% endif %}"
    ) }}
{%- endmacro %}

{#- CTEs shared by the refresh sets of the incremental models (docs/incremental.md): what
    changed since the load in CTE `watermark` (column `load_id`), defined before it.
    Defines, each followed by a comma, the imports `events`, `executions`, `edges` and
    `load_tables`, and:
      - `needs_everything` (one boolean `value`): no previous build, or a later load
        deleted rows or rewrote types or contexts, which change executions that no
        `_load_id` marks, or stored new OpenLineage events;
      - `touched` (`execution_id`): every execution that changed (its row, properties,
        pipeline/node associations, or events, their paths or the artifacts they point
        at), and every consumer of an edge that may be new or gone: it has a changed
        input event, reads an artifact through a changed output event under the edge
        time rule (the same artifact, or with cross-source matching one of another source
        with the same identity key: a newer version there replaces the one it read), or
        reads an output of a changed execution. Every edge added since the watermark has
        its consumer in `touched`; none can go without a deletion or a new version of a
        location read across sources, whose readers are touched too (the quarantine keeps
        an execution's type and an event's ends as first loaded). -#}
{% macro graphlets_touched_executions() -%}
events as (
    select * from {{ ref('int_events') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

edges as (
    select * from {{ ref('int_edges') }}
),

identities as (
    select * from {{ ref('int_artifact_identity') }}
    where identity_key is not null
),

load_tables as (
    select * from {{ ref('stg_bookkeeping__load_tables') }}
),

-- No previous build, or changes no row stamp can point at: recompute everything.
needs_everything as (
    select
        (select load_id from watermark) < 0
        or exists (
            select 1
            from load_tables
            where
                load_tables.load_id > (select load_id from watermark)
                and (
                    load_tables.rows_deleted > 0
                    or (
                        load_tables.rows_updated > 0
                        and load_tables.table_name in (
                            'Type', 'ParentType', 'TypeProperty',
                            'Context', 'ContextProperty', 'ParentContext'
                        )
                    )
                    -- New OpenLineage events can change runs and versions already built
                    -- (a late event re-aggregates its run; an unversioned read may
                    -- resolve to a newly arrived version): docs/openlineage.md section 6.5.
                    or (
                        load_tables.table_name = 'openlineage_events'
                        and load_tables.rows_new > 0
                    )
                    -- Any change to an MLflow source (a run, an input, a newly seen alias)
                    -- can change graphlets already built: docs/mlflow.md section 2.
                    or (
                        {{ graphlets_starts_with('load_tables.table_name', "'mlflow_'") }}
                        and load_tables.rows_new + load_tables.rows_updated > 0
                    )
                )
        ) as value
),


changed_artifacts as (
    {{ graphlets_changed_keys('stg_mlmd__artifacts', 'source_artifact_id') }}
),

changed_events as (
    {{ graphlets_changed_keys('stg_mlmd__events', 'source_event_id') }}
    union
    {{ graphlets_changed_keys('stg_mlmd__event_paths', 'source_event_id') }}
    union
    select events.event_id as key
    from events
    inner join changed_artifacts
        on events.artifact_id = changed_artifacts.key
),

changed_executions as (
    {{ graphlets_changed_keys('stg_mlmd__executions', 'source_execution_id') }}
    union
    {{ graphlets_changed_keys('stg_mlmd__execution_properties', 'source_execution_id') }}
    union
    {{ graphlets_changed_keys('stg_mlmd__associations', 'source_execution_id') }}
),

-- Outputs written since: the artifacts they point at, with the output time.
changed_outputs as (
    select events.artifact_id, events.event_at
    from events
    inner join changed_events
        on events.event_id = changed_events.key
    where events.direction = 'output'
),

touched as (
    select key as execution_id from changed_executions
    union
    select events.execution_id
    from events
    inner join changed_events
        on events.event_id = changed_events.key
    where events.direction = 'input'
    union
    select readers.execution_id
    from changed_outputs
    inner join events as readers
        on changed_outputs.artifact_id = readers.artifact_id
        and readers.direction = 'input'
    inner join executions as consumers
        on readers.execution_id = consumers.execution_id
    where
        changed_outputs.event_at is null
        or consumers.started_at is null
        or changed_outputs.event_at <= consumers.started_at
    {%- if var('graphlets_cross_source_matching') %}
    union
    select readers.execution_id
    from changed_outputs
    inner join identities as written
        on changed_outputs.artifact_id = written.artifact_id
    inner join identities as read
        on written.identity_key = read.identity_key
        and written.source_id <> read.source_id
    inner join events as readers
        on read.artifact_id = readers.artifact_id
        and readers.direction = 'input'
    inner join executions as consumers
        on readers.execution_id = consumers.execution_id
    where
        changed_outputs.event_at is null
        or consumers.started_at is null
        or changed_outputs.event_at <= consumers.started_at
    {%- endif %}
    union
    select edges.consumer_execution_id
    from edges
    inner join changed_executions
        on edges.producer_execution_id = changed_executions.key
),
{%- endmacro %}

{#- The refs graphlets_touched_executions() reads, as `depends_on` comments: a model calling
    it only on incremental runs declares them to dbt's parser with this. -#}
{% macro graphlets_change_search_depends_on() -%}
-- depends_on: {{ ref('int_events') }}, {{ ref('int_executions') }}, {{ ref('int_edges') }}
-- depends_on: {{ ref('int_artifact_identity') }}
-- depends_on: {{ ref('stg_mlmd__sources') }}, {{ ref('stg_bookkeeping__load_tables') }}
-- depends_on: {{ ref('stg_mlmd__artifacts') }}, {{ ref('stg_mlmd__events') }}
-- depends_on: {{ ref('stg_mlmd__event_paths') }}, {{ ref('stg_mlmd__executions') }}
-- depends_on: {{ ref('stg_mlmd__execution_properties') }}
-- depends_on: {{ ref('stg_mlmd__associations') }}
{%- endmacro %}
