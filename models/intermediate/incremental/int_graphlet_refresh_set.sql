{#- The graphlets whose upstream walk an incremental build recomputes (issue 6): one row
    per graphlet_id. Read by int_graphlet_upstream when it runs incrementally; a full
    refresh (`dbt build --full-refresh`, or no previous table) ignores it.

    The previous build is the table int_graphlet_upstream as it stands (read by name, not
    by ref, since it is rebuilt after this model); its largest `built_through_load_id` is
    the last load it saw. What changed since: rows of raw tables with a larger `_load_id`
    (new or updated; the loader stamps every row it writes).

    A walk from anchor A reads only the edges into A and into its upstream members, and
    the attributes (role, node, start) of both ends. So A is recomputed when
      - A itself changed, or one of its previous upstream members did;
      - an edge into A or into one of those members may be new: its consumer is in
        `touched`, the executions that (1) changed, (2) have a changed input event, or
        (3) read an artifact through a changed output event under the edge time rule, or
        (4) read an output of a changed execution (its role or node may have changed).
    An execution "changed" when its row, its properties, its associations (pipeline and
    node contexts), or one of its events (or their paths, or the artifacts they point at:
    an event whose artifact arrives late joins the graph then) was written since.

    Everything is recomputed (every anchor in the set) when there is no previous build, or
    when a load since then deleted rows or rewrote types or contexts: those change
    executions that no `_load_id` marks. Changing seeds or vars needs `--full-refresh`. -#}
{%- set previous = graphlets_previous_build('int_graphlet_upstream') -%}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

events as (
    select * from {{ ref('int_events') }}
),

executions as (
    select * from {{ ref('int_executions') }}
),

edges as (
    select * from {{ ref('int_edges') }}
),

load_tables as (
    select * from {{ source('raw', '_load_tables') }}
),

{% if previous is not none %}
previous_upstream as (
    select graphlet_id, execution_id, built_through_load_id
    from {{ previous }}
),

watermark as (
    select coalesce(max(built_through_load_id), -1) as load_id
    from previous_upstream
),
{% else %}
previous_upstream as (
    select null::bigint as graphlet_id, null::bigint as execution_id
    where false
),

watermark as (
    select -1 as load_id
),
{% endif %}

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
                )
        ) as value
),


changed_artifacts as (
    {{ graphlets_changed_keys('mlmd_artifact', 'id') }}
),

changed_events as (
    {{ graphlets_changed_keys('mlmd_event', 'id') }}
    union
    {{ graphlets_changed_keys('mlmd_event_path', 'event_id') }}
    union
    select events.event_id as key
    from events
    inner join changed_artifacts
        on events.artifact_id = changed_artifacts.key
),

changed_executions as (
    {{ graphlets_changed_keys('mlmd_execution', 'id') }}
    union
    {{ graphlets_changed_keys('mlmd_execution_property', 'execution_id') }}
    union
    {{ graphlets_changed_keys('mlmd_association', 'execution_id') }}
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
    union
    select edges.consumer_execution_id
    from edges
    inner join changed_executions
        on edges.producer_execution_id = changed_executions.key
),

final as (
    select anchors.graphlet_id
    from anchors
    where (select value from needs_everything)
    union
    select anchors.graphlet_id
    from anchors
    inner join touched
        on anchors.trainer_execution_id = touched.execution_id
    union
    select previous_upstream.graphlet_id
    from previous_upstream
    inner join touched
        on previous_upstream.execution_id = touched.execution_id
    union
    -- an anchor that changed, perhaps into no anchor at all: its old rows go
    select previous_upstream.graphlet_id
    from previous_upstream
    inner join touched
        on previous_upstream.graphlet_id = touched.execution_id
)

select * from final
