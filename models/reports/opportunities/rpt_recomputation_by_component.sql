{#- Per component (pipeline x node, as rpt_component_frequency; docs/semantics.md section
    9.1): recomputations, what they cost, the cost caching avoided, the executions
    involved. -#}
{{ recomputation_rollup(['source_id', 'pipeline_id', 'node_id']) }}
