{#- Per pipeline (docs/semantics.md section 9.1): recomputations, what they cost (what an
    always-on cache would still save), the cost caching avoided already, and the executions
    involved. -#}
{{ recomputation_rollup(['source_id', 'pipeline_id']) }}
