{#- The graphlets whose shape key an incremental build of int_graphlet_shape_keys
    recomputes: one row per graphlet_id, with the fingerprint of its member set.

    A shape key depends on the graphlet's member set, the labels of its members and the
    edges between them (int_graphlet_shape_keys). Against the previous build (the table
    int_graphlet_shape_keys as it stands, read by name: it is rebuilt after this model), a
    graphlet is recomputed when
      - it is new, or its member set changed: the XOR of its members' hashes and their
        count differ from the ones stored with its key;
      - it is gone (its old row must go);
      - one of its members is `touched` (macros/graphlets_incremental.sql): its label may
        have changed, or an edge into it may be new.
    Every graphlet when there is no previous build, on `--full-refresh`, or when a load
    since then deleted rows or rewrote types or contexts. -#}
{{ config(schema='intermediate') }}
{{ graphlets_change_search_depends_on() }}
{#- A deliberate read by name, not by ref (a ref would be a cycle): listed with the
    reason in docs/incremental.md, "Reads dbt's graph does not show". -#}
{%- set previous = graphlets_previous_build('int_graphlet_shape_keys') %}
with

graphlet_members as (
    select * from {{ ref('fct_graphlet_executions') }}
),

member_sets as (
    select
        graphlet_id,
        bit_xor({{ graphlets_hash(['execution_id']) }}) as member_set_hash,
        count(*) as n_members,
    from graphlet_members
    group by graphlet_id
),

{% if previous is none or flags.FULL_REFRESH -%}
final as (
    select * from member_sets
)
{%- else -%}
previous_keys as (
    select graphlet_id, member_set_hash, n_members, built_through_load_id
    from {{ previous }}
),

watermark as (
    select coalesce(max(built_through_load_id), -1) as load_id
    from previous_keys
),

{{ graphlets_touched_executions() }}

stale as (
    select member_sets.graphlet_id
    from member_sets
    where (select value from needs_everything)
    union
    select member_sets.graphlet_id
    from member_sets
    left join previous_keys
        on member_sets.graphlet_id = previous_keys.graphlet_id
    where
        previous_keys.graphlet_id is null
        or member_sets.member_set_hash <> previous_keys.member_set_hash
        or member_sets.n_members <> previous_keys.n_members
    union
    select previous_keys.graphlet_id
    from previous_keys
    anti join member_sets
        on previous_keys.graphlet_id = member_sets.graphlet_id
    union
    select graphlet_members.graphlet_id
    from graphlet_members
    inner join touched
        on graphlet_members.execution_id = touched.execution_id
),

-- a graphlet that is gone keeps no fingerprint: only its old row is deleted
final as (
    select
        stale.graphlet_id,
        member_sets.member_set_hash,
        member_sets.n_members,
    from stale
    left join member_sets
        on stale.graphlet_id = member_sets.graphlet_id
)
{%- endif %}

select * from final
