{#- The canonical artifact: type, span and the `blessed` / `pushed` flags (docs/semantics.md sections
    1, 3), the same for every source: the union of each source kind's `int_<kind>_graph_artifacts`
    (macros/graph_sources.sql). -#}
with

artifacts as (
    {{ graph_source_union('graph_artifacts') }}
),

final as (
    select
        artifact_id,
        source_id,
        source_artifact_id,
        coalesce(type_name, '(unknown type)') as type_name,
        uri,
        state,
        span,
        blessed,
        pushed,
        created_at,
        source_kind,
        source_artifact_key,
        artifact_name,
        fingerprint,
    from artifacts
)

select * from final
