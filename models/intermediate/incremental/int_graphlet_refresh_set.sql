{#- The graphlets whose upstream walk an incremental build recomputes: one row
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
{{ graphlets_change_search_depends_on() }}
{#- A deliberate read by name, not by ref (a ref would be a cycle): listed with the
    reason in docs/incremental.md, "Reads dbt's graph does not show". -#}
{%- set previous = graphlets_previous_build('int_graphlet_upstream') %}
{%- if previous is none or flags.FULL_REFRESH %}
-- A full build walks every anchor: no change to look for.
select graphlet_id from {{ ref('int_graphlet_anchors') }}
{%- else %}
with

anchors as (
    select * from {{ ref('int_graphlet_anchors') }}
),

previous_upstream as (
    select graphlet_id, execution_id, built_through_load_id
    from {{ previous }}
),

watermark as (
    select coalesce(max(built_through_load_id), -1) as load_id
    from previous_upstream
),

{{ graphlets_touched_executions() }}

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
{%- endif %}
